"""Departments and projects: management, dimension on journal lines (page, API, posting interface),
budget lines per dimension, budget vs actual grouped/filtered by dimension, over-budget per dimension."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from novasaas.accounting import actions, budgets, dimensions
from novasaas.accounting.events import BudgetExceeded
from novasaas.accounting.integrity import verify_ledger
from novasaas.accounting.models import Dimension, DimensionBalance, FiscalPeriod, JournalEntry, JournalLine
from novasaas.accounting.tests.helpers import principal
from novasaas.accounting.tests.test_api import URL, fm_client
from novasaas.platform import events
from novasaas.platform.models import AuditLog, Notification
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client


def _line(account, debit, credit, dimension=None):
    return {"account": account, "debit": Decimal(debit), "credit": Decimal(credit), "dimension": dimension}


def _period(tenant):
    actions.ensure_chart(tenant)
    with tenant_context(tenant):
        return FiscalPeriod.objects.get(start_date__lte=timezone.localdate(), end_date__gte=timezone.localdate())


def test_dimension_management_roles_and_bad_input(tenant_a, tenant_b):
    fm = principal(tenant_a, "finance_manager")
    kd = dimensions.create_dimension(fm, kind="department", code="kd", name="Kinh doanh")
    assert kd.code == "KD"
    with pytest.raises(ValidationError):
        dimensions.create_dimension(fm, kind="department", code="KD", name="again")
    with pytest.raises(ValidationError):
        dimensions.create_dimension(fm, kind="team", code="X", name="x")
    with pytest.raises(ValidationError):
        dimensions.create_dimension(fm, kind="project", code="bad code!", name="x")
    # the same code may exist once per kind
    dimensions.create_dimension(fm, kind="project", code="KD", name="Dự án KD")
    with pytest.raises(PermissionDenied):
        dimensions.create_dimension(principal(tenant_a, "accountant"), kind="project", code="P1", name="x")
    assert dimensions.dimension_by_code(tenant_a, "department", "kd").pk == kd.pk
    assert dimensions.dimension_by_code(tenant_b, "department", "KD") is None
    with tenant_context(tenant_a):
        assert AuditLog.objects.filter(object_type__icontains="dimension").exists()

    c = fm_client(tenant_a)
    r = c.post(f"{URL}/dimensions", {"kind": "project", "code": "P001", "name": "Nhà máy Bình Dương"})
    assert r.status_code == 201 and r.json()["code"] == "P001"
    pid = r.json()["id"]
    assert c.post(f"{URL}/dimensions", {"kind": "project", "code": "P001", "name": "dup"}).status_code == 400
    assert c.post(f"{URL}/dimensions", {"kind": "zone", "code": "Z", "name": "z"}).status_code == 422
    assert c.patch(f"{URL}/dimensions/{pid}", {"name": "Nhà máy BD", "is_active": False}).json()["is_active"] is False
    assert [d["code"] for d in c.get(f"{URL}/dimensions", {"kind": "project"}).json()] == ["KD", "P001"]
    acc = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert acc.get(f"{URL}/dimensions").status_code == 200  # accountants pick them on lines
    assert acc.post(f"{URL}/dimensions", {"kind": "project", "code": "P9", "name": "x"}).status_code == 403
    assert acc.patch(f"{URL}/dimensions/{pid}", {"name": "x"}).status_code == 403
    sales = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    assert sales.get(f"{URL}/dimensions").status_code == 403
    other = fm_client(tenant_b)
    assert other.get(f"{URL}/dimensions").json() == []
    assert other.patch(f"{URL}/dimensions/{pid}", {"name": "x"}).status_code == 404
    with tenant_context(tenant_b):
        assert Dimension.objects.count() == 0

    web = web_client(tenant_a, c.user)
    page = web.get("/accounting/dimensions/")
    assert page.status_code == 200 and "Nhà máy BD" in page.content.decode()
    new = {"kind": "department", "code": "KT", "name": "Kế toán"}
    assert web.post("/accounting/dimensions/", new).status_code == 302
    assert web.post("/accounting/dimensions/", {"kind": "department", "code": "KT", "name": "dup"}).status_code == 400
    assert web.post("/accounting/dimensions/", {"action": "deactivate", "id": kd.pk}).status_code == 302
    with tenant_context(tenant_a):
        assert not Dimension.objects.get(pk=kd.pk).is_active
        assert Dimension.objects.filter(code="KT").count() == 1
    acc_web = web_client(tenant_a, acc.user)
    seen = acc_web.get("/accounting/dimensions/").content.decode()  # the accountant reads the list, without the form
    assert "Nhà máy BD" in seen and "Kế toán" in seen
    assert acc_web.post("/accounting/dimensions/", {"kind": "project", "code": "Q", "name": "q"}).status_code == 403
    assert (
        web_client(tenant_b, other.user)
        .post("/accounting/dimensions/", {"action": "rename", "id": pid, "name": "hijack"})
        .status_code
        == 404
    )


def test_lines_with_dimension_budget_per_dimension_and_over_budget(tenant_a, monkeypatch, today):
    fm = principal(tenant_a, "finance_manager")
    kd = dimensions.create_dimension(fm, kind="department", code="KD", name="Kinh doanh")
    kt = dimensions.create_dimension(fm, kind="department", code="KT", name="Kế toán")
    p1 = dimensions.create_dimension(fm, kind="project", code="P1", name="Dự án 1")
    period = _period(tenant_a)
    budget = budgets.create_budget(fm, fiscal_year_id=period.fiscal_year_id, name="Chi phí")
    budgets.set_budget_lines(
        fm,
        budget.pk,
        [
            ("6422", period.number, "1000", "department:KD"),
            ("6422", period.number, "500", kt.pk),
            ("6422", period.number, "5000"),
            ("6421", period.number, "300", "P1"),
        ],
    )
    seen: list[BudgetExceeded] = []
    monkeypatch.setitem(events._subscribers, BudgetExceeded, [])
    events.subscriber(BudgetExceeded, module="ACC")(seen.append)

    def post(*rows):
        entry = actions.create_entry(fm, journal_id="GEN", date=today, lines=list(rows), memo="chi")
        return actions.post_entry(fm, entry.pk)

    post(_line("6422", 800, 0, "department:KD"), _line("6422", 400, 0, kt.pk), _line("1111", 0, 1200))
    assert seen == []
    # KT goes above its 500, KD (800/1000) and the whole account (1300/5000) do not
    post(_line("6422", 150, 0, "department:KT"), _line("1111", 0, 150))
    assert [(e.dimension_kind, e.dimension_code, e.actual) for e in seen] == [("department", "KT", "550.00")]
    # a line without a dimension moves only the account-wide budget line
    post(_line("6422", 300, 0), _line("1111", 0, 300))
    assert len(seen) == 1
    # posting interface: role + dimension (LineInput) and a dict line
    actions.post_source_document(
        tenant_a,
        "projects.timesheet",
        7,
        today,
        [
            actions.LineInput("selling_expense", Decimal(350), Decimal(0), dimension="project:P1"),
            {"account": "cash", "debit": 0, "credit": 350},
        ],
        memo="Chi phí dự án",
    )
    assert [(e.dimension_code, e.actual) for e in seen[1:]] == [("P1", "350.00")]
    with tenant_context(tenant_a):
        entry = JournalEntry.objects.get(source_type="projects.timesheet")
        assert JournalLine.objects.get(entry=entry, debit__gt=0).dimension_id == p1.pk
        assert Notification.objects.filter(title__contains="P1").exists()
        kd_balance = DimensionBalance.objects.get(dimension=kd, account__code="6422", period=period)
        assert (kd_balance.debit, kd_balance.credit) == (Decimal(800), Decimal(0))

    _b, rows = budgets.budget_vs_actual(tenant_a, budget.pk)
    got = [(r.dimension.code if r.dimension else "", r.account.code, r.budget, r.actual) for r in rows]
    assert got == [
        ("", "6422", Decimal(5000), Decimal(1650)),
        ("KD", "6422", Decimal(1000), Decimal(800)),
        ("KT", "6422", Decimal(500), Decimal(550)),
        ("P1", "6421", Decimal(300), Decimal(350)),
    ]
    _b, rows = budgets.budget_vs_actual(tenant_a, budget.pk, kind="project")
    assert [(r.dimension.code, r.actual) for r in rows] == [("P1", Decimal(350))]
    _b, rows = budgets.budget_vs_actual(tenant_a, budget.pk, dimension_id=kd.pk)
    assert [(r.dimension.code, r.actual) for r in rows] == [("KD", Decimal(800))]

    # a reversal carries the dimension and moves the dimension balance back
    reversal = actions.reverse_entry(fm, entry.pk)
    with tenant_context(tenant_a):
        assert set(reversal.lines.values_list("dimension_id", flat=True)) == {p1.pk, None}
    _b, rows = budgets.budget_vs_actual(tenant_a, budget.pk, dimension_id=p1.pk)
    assert rows[0].actual == 0
    assert verify_ledger(tenant_a).ok
    with tenant_context(tenant_a):  # a tampered dimension balance is reported
        DimensionBalance.objects.filter(dimension=kd).update(debit=Decimal(1))
    assert any("dimension" in p for p in verify_ledger(tenant_a).problems)
    with tenant_context(tenant_a):
        DimensionBalance.objects.filter(dimension=kd).update(debit=Decimal(800))

    # bad input: unknown, inactive or ambiguous dimension → nothing written
    dimensions.update_dimension(fm, kt.pk, is_active=False)
    dimensions.create_dimension(fm, kind="project", code="KD", name="ambiguous code")
    with tenant_context(tenant_a):
        before = JournalEntry.objects.count()
    for bad in ("department:XX", kt.pk, "KD", 10**12):
        with pytest.raises(ValidationError) as err:
            actions.create_entry(
                fm, journal_id="GEN", date=today, lines=[_line("6422", 1, 0, bad), _line("1111", 0, 1)]
            )
        assert "lines[0].dimension" in err.value.message_dict
    with pytest.raises(ValidationError):
        actions.post_source_document(
            tenant_a,
            "projects.timesheet",
            8,
            today,
            [("6422", 1, 0, None, "", None, None, 0, False, "nope"), ("1111", 0, 1)],
        )
    with pytest.raises(ValidationError):
        budgets.set_budget_lines(fm, budget.pk, [("6422", 1, "5", "department:KT")])
    with tenant_context(tenant_a):
        assert JournalEntry.objects.count() == before
        assert budget.lines.count() == 4


def test_dimension_api_page_and_isolation(tenant_a, tenant_b, today):
    c = fm_client(tenant_a)
    kd = c.post(f"{URL}/dimensions", {"kind": "department", "code": "KD", "name": "Kinh doanh"}).json()
    acc = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    payload = {
        "journal": "GEN",
        "date": today.isoformat(),
        "lines": [
            {"account": "6422", "debit": "200", "dimension": "department:KD"},
            {"account": "1111", "credit": "200"},
        ],
        "post": True,
    }
    r = acc.post(f"{URL}/entries", payload)
    assert r.status_code == 201, r.content
    line = r.json()["lines"][0]
    assert line["dimension_id"] == kd["id"] and line["dimension_code"] == "department:KD"
    # tenant B cannot use tenant A's dimension (by id or code)
    other = fm_client(tenant_b)
    payload_b = {**payload, "lines": [{**payload["lines"][0], "dimension": kd["id"]}, payload["lines"][1]]}
    r = other.post(f"{URL}/entries", payload_b)
    assert r.status_code == 400 and "lines[0].dimension" in r.json()["detail"]
    assert other.post(f"{URL}/entries", payload).status_code == 400
    with tenant_context(tenant_b):
        assert JournalEntry.objects.count() == 0

    year = c.get(f"{URL}/fiscal-years").json()[0]["id"]
    b = c.post(f"{URL}/budgets", {"fiscal_year_id": year, "name": "Phòng ban"}).json()
    n = _period(tenant_a).number
    lines = [
        {"account": "6422", "period": n, "amount": "150", "dimension": "department:KD"},
        {"account": "6422", "period": n, "amount": "1000"},
    ]
    assert c.put(f"{URL}/budgets/{b['id']}/lines", {"lines": lines}).status_code == 200
    bad = [{"account": "6422", "period": n, "amount": "1", "dimension": "department:NOPE"}]
    r = c.put(f"{URL}/budgets/{b['id']}/lines", {"lines": bad})
    assert r.status_code == 400 and "lines[0].dimension" in r.json()["detail"]
    report = c.get(f"{URL}/budgets/{b['id']}/vs-actual").json()
    assert [(x["dimension"], x["budget"], x["actual"]) for x in report["rows"]] == [
        ("", "1000.00", "200.00"),
        ("department:KD", "150.00", "200.00"),
    ]
    assert [(g["dimension"], g["variance"]) for g in report["groups"]] == [("", "800.00"), ("department:KD", "-50.00")]
    only = c.get(f"{URL}/budgets/{b['id']}/vs-actual", {"dimension": kd["id"]}).json()
    assert [x["dimension"] for x in only["rows"]] == ["department:KD"]
    assert c.get(f"{URL}/budgets/{b['id']}/vs-actual", {"kind": "project"}).json()["rows"] == []
    assert c.get(f"{URL}/budgets/{b['id']}/vs-actual", {"kind": "zone"}).status_code == 422
    assert c.get(f"{URL}/budgets/{b['id']}/vs-actual", {"format": "xlsx", "kind": "department"}).status_code == 200
    assert acc.get(f"{URL}/budgets/{b['id']}/vs-actual").status_code == 403

    # pages: entry form with a dimension column, budget page grouped and filtered
    web = web_client(tenant_a, acc.user)
    form = web.get("/accounting/entries/new/").content.decode()
    assert "Kinh doanh" in form
    data = {
        "journal": "GEN",
        "date": today.isoformat(),
        "memo": "x",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-account": "6422",
        "lines-0-debit": "50",
        "lines-0-dimension": str(kd["id"]),
        "lines-1-account": "1111",
        "lines-1-credit": "50",
        "save": "1",
    }
    r = web.post("/accounting/entries/new/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(tenant_a):
        entry = JournalEntry.objects.order_by("-id").first()
        assert entry.lines.get(line_no=1).dimension_id == kd["id"]
    detail = web.get(f"/accounting/entries/{entry.pk}/").content.decode()
    assert "KD Kinh doanh" in detail
    edit = web.get(f"/accounting/entries/{entry.pk}/edit/").content.decode()
    assert f'<option value="{kd["id"]}" selected' in edit
    r = web.post("/accounting/entries/new/", {**data, "lines-0-dimension": "999999999"})
    assert r.status_code == 400
    fm_web = web_client(tenant_a, c.user)
    page = fm_web.get(f"/accounting/budgets/{b['id']}/").content.decode()
    assert "Kinh doanh" in page and "department:KD" in page and "table-danger" in page  # KD is over budget
    page = fm_web.get(f"/accounting/budgets/{b['id']}/", {"kind": "project"}).content.decode()
    assert "table-danger" not in page
    r = fm_web.post(f"/accounting/budgets/{b['id']}/", {"lines": f"6422;{n};700;department:KD\n6421;{n};5"})
    assert r.status_code == 302
    assert fm_web.post(f"/accounting/budgets/{b['id']}/", {"lines": f"6422;{n};7;department:ZZ"}).status_code == 400
    with tenant_context(tenant_a):
        from novasaas.accounting.models import BudgetLine

        assert BudgetLine.objects.filter(budget_id=b["id"]).count() == 2
