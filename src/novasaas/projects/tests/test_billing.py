"""Project expenses posted to the ledger (PM → ACC) and rejected; tags; time-and-materials billing into a
draft sales order (PM → CRM). Expected figures are computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.platform.models import Notification
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.projects import actions, invoicing, selectors, timesheets
from novasaas.projects.models import ProjectExpense, ProjectTag, TimesheetEntry
from novasaas.projects.subscribers import EXPENSE_SOURCE
from novasaas.projects.tests.helpers import principal, world

pytestmark = pytest.mark.django_db
D = Decimal


def _ledger(tenant, source_id):
    from novasaas.accounting import selectors as acc

    out = {}
    for entry in acc.entries_for_source(tenant, EXPENSE_SOURCE, source_id):
        for line in acc.entry_lines(tenant, entry):
            dim = line.dimension.code if getattr(line, "dimension", None) else None
            out[line.account.code] = (line.debit, line.credit, dim)
    return out


def test_approved_expense_is_posted_on_the_project_dimension(in_tenant_a, today):
    w = world(in_tenant_a)
    expense = timesheets.add_expense(w.dev, w.project.pk, date=today, description="Vé máy bay", amount="1500000")
    assert _ledger(in_tenant_a, expense.pk) == {}  # a draft is not posted
    timesheets.approve_expense(w.pm, expense.pk)
    # TT133 (the default chart): Dr 6422 on the project's dimension / Cr 3388
    assert _ledger(in_tenant_a, expense.pk) == {
        "6422": (D(1500000), D(0), "P01"),
        "3388": (D(0), D(1500000), None),
    }
    assert timesheets.project_costs(w.project)["expenses"] == D(1500000)
    with pytest.raises(ValidationError):  # approved already: nothing posted twice
        timesheets.approve_expense(w.pm, expense.pk)


def test_without_accounting_an_approved_expense_is_not_posted(tenant_a, today):
    with platform_context():
        tenant_a.enabled_modules = [m for m in tenant_a.enabled_modules if m != "ACC"]
        tenant_a.save(update_fields=["enabled_modules"])
    with tenant_context(tenant_a):
        w = world(tenant_a)
        expense = timesheets.add_expense(w.dev, w.project.pk, date=today, description="Taxi", amount="200000")
        timesheets.approve_expense(w.pm, expense.pk)
        assert ProjectExpense.objects.get(pk=expense.pk).status == "approved"
    with platform_context():
        from novasaas.accounting.models import JournalEntry

        assert not JournalEntry.objects.filter(source_type=EXPENSE_SOURCE).exists()


def test_reject_expense_needs_a_reason_notifies_and_never_counts(in_tenant_a, today):
    w = world(in_tenant_a)
    expense = timesheets.add_expense(w.dev, w.project.pk, date=today, description="Khách sạn", amount="900000")
    with pytest.raises(PermissionDenied):  # a member does not decide
        timesheets.reject_expense(w.dev, expense.pk, reason="x")
    with pytest.raises(ValidationError) as exc:
        timesheets.reject_expense(w.pm, expense.pk, reason="  ")
    assert "reason" in exc.value.message_dict
    timesheets.reject_expense(w.pm, expense.pk, reason="Không có hóa đơn")
    expense.refresh_from_db()
    assert (expense.status, expense.rejection_reason) == ("rejected", "Không có hóa đơn")
    assert Notification.objects.filter(recipient=w.dev.user, kind="projects").count() == 1
    assert timesheets.project_costs(w.project)["expenses"] == D(0)
    assert _ledger(in_tenant_a, expense.pk) == {}
    with pytest.raises(ValidationError):  # rejected: cannot be approved afterwards
        timesheets.approve_expense(w.pm, expense.pk)


def test_expense_reject_through_api_and_page(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        e1 = timesheets.add_expense(w.dev, w.project.pk, date=today, description="A", amount="100000")
        e2 = timesheets.add_expense(w.dev, w.project.pk, date=today, description="B", amount="200000")
    api = ApiClient(tenant_a, w.pm.user)
    assert api.post(f"/api/v1/projects/expenses/{e1.pk}/reject", {"reason": ""}).status_code == 422
    r = api.post(f"/api/v1/projects/expenses/{e1.pk}/reject", {"reason": "Trùng"})
    assert r.status_code == 200 and r.json()["status"] == "rejected" and r.json()["rejection_reason"] == "Trùng"
    assert api.post(f"/api/v1/projects/expenses/{e1.pk}/reject", {"reason": "again"}).status_code == 400
    dev_api = ApiClient(tenant_a, w.dev.user)
    assert dev_api.post(f"/api/v1/projects/expenses/{e2.pk}/reject", {"reason": "x"}).status_code == 403
    web = web_client(tenant_a, w.pm.user)
    page = f"/projects/{w.project.pk}/"
    assert web.post(page, {"kind": "reject_expense", "expense_id": e2.pk, "reason": ""}).status_code == 400
    assert web.post(page, {"kind": "reject_expense", "expense_id": e2.pk, "reason": "Sai dự án"}).status_code == 302
    with tenant_context(tenant_a):
        assert ProjectExpense.objects.get(pk=e2.pk).rejection_reason == "Sai dự án"
    assert "Sai dự án" in web.get(page).content.decode()


def test_tags_action_api_page_and_filter(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        other = actions.save_project(w.pm, code="P02", name="App", manager_id=w.pm.user.pk)
        assert actions.set_project_tags(w.pm, w.project.pk, [" web ", "VIP", "vip", ""]) == ["VIP", "web"]
        with pytest.raises(PermissionDenied):
            actions.set_project_tags(w.dev, w.project.pk, ["x"])
        with pytest.raises(ValidationError):
            actions.set_project_tags(w.pm, w.project.pk, [f"t{i}" for i in range(21)])
        with pytest.raises(ValidationError):
            actions.set_project_tags(w.pm, w.project.pk, ["x" * 51])
        assert [p.code for p in selectors.list_projects(w.pm, tag="vip")] == ["P01"]
    api = ApiClient(tenant_a, w.pm.user)
    r = api.put(f"/api/v1/projects/{other.pk}/tags", {"tags": ["mobile"]})
    assert r.status_code == 200 and r.json() == ["mobile"]
    listed = api.get("/api/v1/projects", {"tag": "MOBILE"}).json()
    assert [(p["code"], p["tags"]) for p in listed["items"]] == [("P02", ["mobile"])]
    assert ApiClient(tenant_a, w.dev.user).put(f"/api/v1/projects/{other.pk}/tags", {"tags": []}).status_code == 403
    web = web_client(tenant_a, w.pm.user)
    assert web.post(f"/projects/{w.project.pk}/", {"kind": "tags", "tags": "web, nội bộ"}).status_code == 302
    page = web.get(f"/projects/{w.project.pk}/").content.decode()
    assert "nội bộ" in page
    assert "App" not in web.get("/projects/?tag=web").content.decode()
    with tenant_context(tenant_a):
        assert sorted(ProjectTag.objects.filter(project=w.project).values_list("name", flat=True)) == ["nội bộ", "web"]


def _billable_world(tenant, today):
    """A time-and-materials project for a Sales customer: 10 h + 2.5 h approved billable, 1 h not
    billable, an approved billable expense of 300,000 and a non-billable one."""
    from novasaas.sales import actions as sales_actions
    from novasaas.sales.tests.helpers import party

    w = world(tenant)
    manager = principal(tenant, "sales_manager")
    customer_party = party(manager)
    sales_actions.create_customer(manager, party_id=customer_party.pk)
    actions.save_project(
        w.pm,
        w.project.pk,
        code="P01",
        name="Website",
        manager_id=w.pm.user.pk,
        billing_type="time_materials",
        customer_id=customer_party.pk,
    )
    monday = today - dt.timedelta(days=today.weekday() + 7)
    timesheets.log_time(w.dev, task_id=w.task.pk, date=monday, hours="8")
    timesheets.log_time(w.dev, task_id=w.task.pk, date=monday + dt.timedelta(days=1), hours="2")
    timesheets.log_time(w.dev, task_id=w.task.pk, date=monday + dt.timedelta(days=1), hours="2.5")
    entry = timesheets.log_time(
        w.dev, task_id=w.task.pk, date=monday + dt.timedelta(days=2), hours="1", is_billable=False
    )
    timesheets.submit_timesheet(w.dev, entry.timesheet_id)
    timesheets.approve_timesheet(w.pm, entry.timesheet_id)
    e1 = timesheets.add_expense(w.dev, w.project.pk, date=monday, description="Tên miền", amount="300000")
    e2 = timesheets.add_expense(
        w.dev, w.project.pk, date=monday, description="Ăn trưa", amount="120000", is_billable=False
    )
    for e in (e1, e2):
        timesheets.approve_expense(w.pm, e.pk)
    return w


def test_time_and_materials_draft_sales_order(in_tenant_a, today):
    from novasaas.sales.models import SalesOrder

    w = _billable_world(in_tenant_a, today)
    with pytest.raises(PermissionDenied):  # a member does not bill
        invoicing.draft_sales_order(w.dev, w.project.pk)
    order = invoicing.draft_sales_order(w.pm, w.project.pk)
    order = SalesOrder.objects.get(pk=order.pk)
    w.project.refresh_from_db()
    lines = sorted((li.quantity, li.unit_price) for li in order.lines.all())
    # 12.5 h × 250,000 = 3,125,000 and the billable expense 300,000 (VAT 10 % on services by default)
    assert lines == [(D(1), D(300000)), (D("12.5"), D(250000))]
    assert order.status == "draft" and order.customer.party_id == w.project.customer_id
    assert order.total == D(3425000) + D(342500)
    assert not TimesheetEntry.objects.filter(is_billable=True, billed_order_id__isnull=True).exists()
    assert TimesheetEntry.objects.get(is_billable=False).billed_order_id is None
    with pytest.raises(ValidationError):  # everything is billed: nothing twice
        invoicing.draft_sales_order(w.pm, w.project.pk)


def test_draft_needs_crm_a_sales_customer_and_a_tm_project(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        with pytest.raises(ValidationError) as exc:  # no customer on the project
            invoicing.draft_sales_order(w.pm, w.project.pk)
        assert "customer_id" in exc.value.message_dict
        actions.save_project(w.pm, w.project.pk, code="P01", name="Website", billing_type="fixed_price")
        with pytest.raises(ValidationError):
            invoicing.draft_sales_order(w.pm, w.project.pk)
    with platform_context():
        tenant_a.enabled_modules = [m for m in tenant_a.enabled_modules if m != "CRM"]
        tenant_a.save(update_fields=["enabled_modules"])
    with tenant_context(tenant_a):
        with pytest.raises(ValidationError):
            invoicing.draft_sales_order(w.pm, w.project.pk)


def test_draft_through_api_and_page(tenant_a, tenant_b, today):
    with tenant_context(tenant_a):
        w = _billable_world(tenant_a, today)
    with tenant_context(tenant_b):
        wb = world(tenant_b)
    api = ApiClient(tenant_a, w.pm.user)
    assert api.post(f"/api/v1/projects/{wb.project.pk}/invoice-draft").status_code == 404
    assert ApiClient(tenant_a, w.dev.user).post(f"/api/v1/projects/{w.project.pk}/invoice-draft").status_code == 403
    r = api.post(f"/api/v1/projects/{w.project.pk}/invoice-draft")
    assert r.status_code == 201 and Decimal(r.json()["total"]) == D(3767500)
    assert api.post(f"/api/v1/projects/{w.project.pk}/invoice-draft").status_code == 400
    web = web_client(tenant_a, w.pm.user)
    page = web.get(f"/projects/{w.project.pk}/").content.decode()
    assert 'value="draft_invoice"' in page
    assert web.post(f"/projects/{w.project.pk}/", {"kind": "draft_invoice"}).status_code == 400


def test_costs_booked_on_the_project_dimension_count_in_the_project_cost(tenant_a, today):
    """§11.4: purchases and other costs booked in the ledger on ``project:<code>`` (expense accounts,
    posted) add to the project's actual cost; the project's own expenses (already counted) are not
    counted twice; other dimensions and lines without one are not counted; without ACC it is 0."""
    from novasaas.accounting.actions import LineInput
    from novasaas.accounting.posting import post_source_document
    from novasaas.platform.testing.fixtures import create_tenant

    with tenant_context(tenant_a):
        w = world(tenant_a, budget="5000000")
        w2 = world(tenant_a, code="P02")
        expense = timesheets.add_expense(w.dev, w.project.pk, date=today, description="Taxi", amount="1500000")
        timesheets.approve_expense(w.pm, expense.pk)
        for n, (dim, amount) in enumerate(
            (("project:P01", "2000000"), ("project:P02", "700000"), (None, "300000")), start=1
        ):
            post_source_document(
                tenant_a,
                "test.purchase",
                n,
                today,
                [
                    LineInput("6422", D(amount), D(0), memo="Mua phần mềm", dimension=dim),
                    LineInput("3388", D(0), D(amount), memo="Mua phần mềm"),
                ],
            )
        costs = timesheets.project_costs(w.project)
        assert (costs["expenses"], costs["ledger_costs"], costs["actual_cost"]) == (
            D(1500000),
            D(2000000),
            D(3500000),
        )
        assert timesheets.project_costs(w2.project)["ledger_costs"] == D(700000)
    page = web_client(tenant_a, w.pm.user).get(f"/projects/{w.project.pk}/").content.decode()
    assert "Mua hàng và chi phí khác (sổ cái)" in page and "2.000.000" in page and "3.500.000" in page
    rows = ApiClient(tenant_a, w.pm.user).get("/api/v1/projects/reports/costs").json()["rows"]
    assert {r["code"]: D(r["ledger_costs"]) for r in rows} == {"P01": D(2000000), "P02": D(700000)}

    tenant = create_tenant(modules=["PM"])
    with tenant_context(tenant):
        w = world(tenant)
        assert timesheets.project_costs(w.project)["ledger_costs"] == D(0)
