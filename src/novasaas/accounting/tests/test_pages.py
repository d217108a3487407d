"""The accounting pages: every page renders for its roles; the multi-line entry form posts."""

from __future__ import annotations

import io

import pytest

from novasaas.accounting import actions
from novasaas.accounting.models import Account, EntryState, FiscalPeriod, JournalEntry
from novasaas.accounting.tests.helpers import lines, make_party, post, principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user, web_client
from novasaas.platform.testing.html import body_rows


def lines_data(*rows):
    data = {
        "lines-TOTAL_FORMS": str(len(rows)),
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
    }
    for i, (account, debit, credit, partner) in enumerate(rows):
        data.update(
            {
                f"lines-{i}-account": account,
                f"lines-{i}-debit": debit,
                f"lines-{i}-credit": credit,
                f"lines-{i}-partner_id": partner or "",
                f"lines-{i}-memo": "",
            }
        )
    return data


@pytest.fixture
def fm_web(tenant_a):
    return web_client(tenant_a, create_user(tenant_a, "finance_manager"))


def test_pages_render(tenant_a, fm_web):
    p = principal(tenant_a, "finance_manager")
    entry = post(p, ("1111", 1234567, 0), ("4111", 0, 1234567), memo="Góp vốn")
    ref = entry.reference
    with tenant_context(tenant_a):
        account = Account.objects.get(code="1111")
    actions.create_entry(
        p,
        journal_id="GEN",
        date=entry.date,
        lines=lines(("6422", 300000, 0), ("1111", 0, 300000)),
        memo="Chi tiếp khách",
    )
    posted_row = [entry.date.strftime("%d/%m/%Y"), ref, "Góp vốn", "", "Đã ghi sổ", "1.234.567"]
    # each page with the rows its user reads (or a piece of text when it has no table)
    expected = {
        "/accounting/chart/?q=111": lambda rows: (
            [r[:2] for r in rows]
            == [["111", "Tiền mặt"], ["1111", "Tiền Việt Nam"], ["1112", "Ngoại tệ"], ["1113", "Vàng tiền tệ"]]
        ),
        "/accounting/journals/": lambda rows: ["GEN", "Sổ nhật ký chung", "Chung"] in rows,
        "/accounting/entries/?state=posted": lambda rows: rows == [posted_row],
        # the twelve months of the year, the current one among them
        "/accounting/periods/": lambda rows: len(rows) == 12 and f"01/{entry.date:%m/%Y}" in [r[1] for r in rows],
        "/accounting/entries/?state=posted&q=x": lambda rows: rows == [["Không có bút toán nào."]],
        "/accounting/entries/?date_from=bad&state=posted": lambda rows: rows == [posted_row],  # bad filter ignored
        f"/accounting/entries/{entry.pk}/": lambda rows: (
            [[r[1], r[5], r[6]] for r in rows]
            == [["1111 Tiền Việt Nam", "1.234.567", ""], ["4111 Vốn góp của chủ sở hữu", "", "1.234.567"]]
        ),
        f"/accounting/accounts/{account.pk}/ledger/": lambda rows: (
            [ref, "Góp vốn", "1.234.567"] == rows[-1][1:4] and rows[-1][5] == "1.234.567"
        ),
        "/accounting/reports/trial-balance/": lambda rows: (
            ["1111", "Tiền Việt Nam", "", "", "1.234.567", "", "1.234.567", ""] in rows
            and ["4111", "Vốn góp của chủ sở hữu", "", "", "", "1.234.567", "", "1.234.567"] in rows
        ),
    }
    for path, check in expected.items():
        r = fm_web.get(path)
        assert r.status_code == 200, path
        rows = body_rows(r.content)
        assert check(rows), (path, rows)
    texts = {
        "/accounting/": "Chi tiếp khách",  # the draft, waiting on the home page
        "/accounting/chart/": "Phải thu của khách hàng",
        "/accounting/entries/new/": '<option value="GEN" selected>GEN — Sổ nhật ký chung</option>',
        "/accounting/entries/import/": 'name="file"',
        f"/accounting/accounts/{account.pk}/edit/": 'name="name_vi" value="Tiền Việt Nam"',
        "/accounting/reports/journal/": ref,
        "/accounting/reports/balance-sheet/": "1.234.567",
        "/accounting/reports/income-statement/": "Doanh thu",
        "/accounting/settings/": 'name="approval_threshold"',
    }
    for path, text in texts.items():
        r = fm_web.get(path)
        assert r.status_code == 200 and text in r.content.decode(), (path, text)
    for path in [
        "/accounting/reports/trial-balance/?format=xlsx",
        "/accounting/reports/balance-sheet/?format=xlsx",
        f"/accounting/accounts/{account.pk}/ledger/?format=xlsx",
        "/accounting/reports/journal/?format=xlsx",
        "/accounting/entries/import/?template=1",
    ]:
        r = fm_web.get(path)
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml"), path


def test_multi_line_entry_form_saves_posts_and_reports_errors(tenant_a, fm_web, today):
    party = make_party(tenant_a)
    base = {"journal": "GEN", "date": today.isoformat(), "memo": "Bán hàng"}
    more = fm_web.post("/accounting/entries/new/", {**base, **lines_data(("1111", "1", "", None)), "more": "1"})
    assert (
        more.status_code == 200 and more.content.decode().count('data-picker-url="/accounting/pickers/accounts/"') == 5
    )
    bad = fm_web.post(
        "/accounting/entries/new/",
        {
            **base,
            **lines_data(("131", "1100", "", party), ("5111", "", "1000", None), ("33311", "", "50", None)),
            "post": "1",
        },
    )
    assert bad.status_code == 400 and "not balanced" in bad.content.decode().replace("không cân", "not balanced")
    r = fm_web.post(
        "/accounting/entries/new/",
        {
            **base,
            **lines_data(
                ("131", "1100", "", party), ("5111", "", "1000", None), ("33311", "", "100", None), ("", "", "", None)
            ),
            "post": "1",
        },
    )
    assert r.status_code == 302
    with tenant_context(tenant_a):
        entry = JournalEntry.objects.get()
        assert entry.state == EntryState.POSTED and entry.lines.count() == 3
    page = fm_web.get(r["Location"]).content.decode()
    assert entry.reference in page
    assert fm_web.post(f"/accounting/entries/{entry.pk}/reverse/").status_code == 302
    with tenant_context(tenant_a):
        assert JournalEntry.objects.filter(reversal_of=entry).exists()
    draft = fm_web.post(
        "/accounting/entries/new/",
        {**base, **lines_data(("1111", "5", "", None), ("4111", "", "5", None)), "save": "1"},
    )
    with tenant_context(tenant_a):
        d = JournalEntry.objects.get(state=EntryState.DRAFT)
    assert draft["Location"].endswith(f"/{d.pk}/")
    edit = fm_web.get(f"/accounting/entries/{d.pk}/edit/").content.decode()
    for n, code in ((0, "1111"), (1, "4111")):  # the account picker keeps the draft's account selected
        field = edit.split(f'name="lines-{n}-account"', 1)[1].split("</select>", 1)[0]
        assert f'<option value="{code}" selected>' in field
    assert fm_web.post(f"/accounting/entries/{d.pk}/delete/").status_code == 302


def test_accountant_approval_flow_in_pages(tenant_a, fm_web, today):
    acc_web = web_client(tenant_a, create_user(tenant_a, "accountant"))
    fm_web.post("/accounting/settings/", {"approval_threshold": "10"})
    base = {"journal": "GEN", "date": today.isoformat(), "memo": "lớn"}
    acc_web.post(
        "/accounting/entries/new/",
        {**base, **lines_data(("1111", "50", "", None), ("4111", "", "50", None)), "post": "1"},
    )
    with tenant_context(tenant_a):
        entry = JournalEntry.objects.get()
    assert entry.state == EntryState.PENDING
    assert acc_web.post(f"/accounting/entries/{entry.pk}/approve/").status_code == 403
    assert acc_web.get("/accounting/settings/").status_code == 403
    assert acc_web.get("/accounting/reports/balance-sheet/").status_code == 403
    assert acc_web.get("/accounting/reports/trial-balance/").status_code == 200
    fm_web.post(f"/accounting/entries/{entry.pk}/approve/")
    with tenant_context(tenant_a):
        assert JournalEntry.objects.get().state == EntryState.POSTED


def test_chart_periods_journals_and_import_pages(tenant_a, fm_web, today):
    fm_web.get("/accounting/chart/")
    with tenant_context(tenant_a):
        parent = Account.objects.get(code="1121")
        period = FiscalPeriod.objects.get(start_date__lte=today, end_date__gte=today)
    r = fm_web.post(
        "/accounting/accounts/new/", {"parent_id": parent.pk, "code": "11211", "name_vi": "VCB", "name_en": ""}
    )
    assert r.status_code == 302
    assert (
        fm_web.post("/accounting/accounts/new/", {"parent_id": parent.pk, "code": "9", "name_vi": "x"}).status_code
        == 400
    )
    with tenant_context(tenant_a):
        sub = Account.objects.get(code="11211")
    assert (
        fm_web.post(f"/accounting/accounts/{sub.pk}/edit/", {"name_vi": "Vietcombank", "name_en": ""}).status_code
        == 302
    )
    assert fm_web.post(f"/accounting/accounts/{sub.pk}/deactivate/").status_code == 302
    assert fm_web.post(f"/accounting/accounts/{sub.pk}/delete/").status_code == 302
    with tenant_context(tenant_a):
        assert not Account.objects.filter(code="11211").exists()
    assert fm_web.post(f"/accounting/periods/{period.pk}/close/").status_code == 302
    with tenant_context(tenant_a):
        assert FiscalPeriod.objects.get(pk=period.pk).state == "closed"
    fm_web.post(f"/accounting/periods/{period.pk}/reopen/")
    assert fm_web.post("/accounting/periods/new-year/", {"start_date": f"{today.year + 1}-01-01"}).status_code == 302
    assert fm_web.post("/accounting/journals/", {"code": "BL", "name": "Bán lẻ", "kind": "sales"}).status_code == 302
    csv = io.BytesIO(
        f"date,account,debit,credit\n{today.isoformat()},1111,9,0\n{today.isoformat()},4111,0,8\n".encode()
    )
    csv.name = "e.csv"
    r = fm_web.post("/accounting/entries/import/", {"file": csv, "post": "on"})
    assert r.status_code == 400 and "<table" in r.content.decode()
    csv = io.BytesIO(
        f"date,account,debit,credit\n{today.isoformat()},1111,9,0\n{today.isoformat()},4111,0,9\n".encode()
    )
    csv.name = "e.csv"
    assert fm_web.post("/accounting/entries/import/", {"file": csv, "post": "on"}).status_code == 302


def test_pages_are_in_vietnamese(tenant_a, fm_web):
    page = fm_web.get("/accounting/entries/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Bút toán mới" in page and "Hệ thống tài khoản" in page
    tb = fm_web.get("/accounting/reports/trial-balance/").content.decode()
    assert "Bảng cân đối tài khoản" in tb


def test_reports_as_pdf(tenant_a, fm_web, unicode_font):
    post(principal(tenant_a, "finance_manager"), ("1111", 100, 0), ("4111", 0, 100))
    for path in [
        "/accounting/reports/trial-balance/?format=pdf",
        "/accounting/reports/balance-sheet/?format=pdf",
        "/accounting/reports/income-statement/?format=pdf",
        "/accounting/reports/journal/?format=pdf",
        "/accounting/aging/?format=pdf",
        "/accounting/reports/vat/?format=pdf&form=01",
    ]:
        r = fm_web.get(path)
        assert r.status_code == 200 and r.content.startswith(b"%PDF"), path


def test_entry_list_query_count_does_not_grow_with_rows(tenant_a, fm_web, django_assert_max_num_queries):
    p = principal(tenant_a, "finance_manager")
    for i in range(3):
        post(p, ("1111", i + 1, 0), ("4111", 0, i + 1))
    fm_web.get("/accounting/entries/")  # warm-up (chart, session)
    with django_assert_max_num_queries(25) as few:
        fm_web.get("/accounting/entries/")
    for i in range(20):
        post(p, ("1111", i + 1, 0), ("4111", 0, i + 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        fm_web.get("/accounting/entries/")


@pytest.mark.parametrize(
    ("language", "debit", "credit"),
    [("vi", "1.500.000", "1,500,000"), ("en", "1,500,000", "1.500.000"), ("vi", "1.500", "1.500")],
)
def test_entry_form_reads_amounts_as_the_app_displays_them(tenant_a, fm_web, language, debit, credit, today):
    fm_web.cookies["novasaas_language"] = language
    base = {"journal": "GEN", "date": today.isoformat(), "memo": "Góp vốn", "post": "1"}
    r = fm_web.post(
        "/accounting/entries/new/", {**base, **lines_data(("1111", debit, "", None), ("4111", "", credit, None))}
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    expected = 1500 if debit == "1.500" else 1_500_000
    with tenant_context(tenant_a):
        entry = JournalEntry.objects.get()
        assert sorted((ln.debit, ln.credit) for ln in entry.lines.all()) == [(0, expected), (expected, 0)]


def test_unbalanced_entry_message_formats_the_amounts(tenant_a, fm_web, today):
    fm_web.cookies["novasaas_language"] = "vi"
    base = {"journal": "GEN", "date": today.isoformat(), "memo": "x", "post": "1"}
    r = fm_web.post(
        "/accounting/entries/new/",
        {**base, **lines_data(("1111", "1.500.000", "", None), ("4111", "", "100000", None))},
    )
    page = r.content.decode()
    assert r.status_code == 400
    assert "Nợ 1.500.000, Có 100.000" in page and "1500000.00" not in page
    with tenant_context(tenant_a):
        assert not JournalEntry.objects.exists()


def test_english_mode_shows_english_account_names_in_pickers_and_exports(tenant_a, fm_web):
    from openpyxl import load_workbook

    post(principal(tenant_a, "finance_manager"), ("1111", 100, 0), ("4111", 0, 100))
    fm_web.cookies["novasaas_language"] = "en"
    # the account picker's search answers English names; a chosen account is shown by its English name
    found = fm_web.get("/accounting/pickers/accounts/", {"q": "1111"}).json()["results"]
    assert found[0] == {"value": "1111", "text": "1111 Cash in VND"}
    base = {"journal": "GEN", "date": "01/02/2026", "memo": "", "more": "1"}
    form = fm_web.post("/accounting/entries/new/", {**base, **lines_data(("1111", "1", "", None))}).content.decode()
    assert "1111 Cash in VND" in form and "Tiền Việt Nam" not in form
    book = load_workbook(io.BytesIO(fm_web.get("/accounting/reports/trial-balance/?format=xlsx").content))
    names = [row[1] for row in book.active.iter_rows(values_only=True)]
    assert "Cash in VND" in names and "Tiền Việt Nam" not in names
    fm_web.cookies["novasaas_language"] = "vi"
    found = fm_web.get("/accounting/pickers/accounts/", {"q": "1111"}).json()["results"]
    assert found[0]["text"] == "1111 Tiền Việt Nam"
