"""Project expenses while draft: the member who recorded one or the project's manager corrects or deletes
it (action, API, page); anyone else is refused; approved and rejected expenses are final. Each expense
has its own page with its receipts (DMS attachments, kind ``pm.expense``)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.projects import actions, timesheets
from novasaas.projects.models import ProjectExpense
from novasaas.projects.tests.helpers import principal, world

URL = "/api/v1/projects"


def test_edit_and_delete_while_draft_only(in_tenant_a, today):
    w = world(in_tenant_a)
    other = principal(in_tenant_a, "employee")
    actions.save_member(w.pm, w.project.pk, user_id=other.user.pk)
    expense = timesheets.add_expense(w.dev, w.project.pk, date=today, description="Taxi", amount="150000")
    timesheets.update_expense(w.dev, expense.pk, amount="180000", description="Taxi sân bay", is_billable=False)
    expense.refresh_from_db()
    assert (expense.amount, expense.description, expense.is_billable) == (Decimal(180000), "Taxi sân bay", False)
    timesheets.update_expense(w.pm, expense.pk, amount="170000")  # the project's manager may correct it
    with pytest.raises(PermissionDenied):  # another member may not
        timesheets.update_expense(other, expense.pk, amount="1")
    with pytest.raises(PermissionDenied):
        timesheets.delete_expense(other, expense.pk)
    with pytest.raises(ProjectExpense.DoesNotExist):  # not a member: not even visible
        timesheets.update_expense(w.outsider, expense.pk, amount="1")
    for bad in ({"amount": "0"}, {"amount": "-5"}, {"amount": "1.5"}, {"date": "31/02/2026"}, {"description": ""}):
        with pytest.raises(ValidationError):
            timesheets.update_expense(w.dev, expense.pk, **bad)
    expense.refresh_from_db()
    assert (expense.amount, expense.description) == (Decimal(170000), "Taxi sân bay")
    timesheets.approve_expense(w.pm, expense.pk)
    for change in (
        lambda: timesheets.update_expense(w.dev, expense.pk, amount="1"),
        lambda: timesheets.delete_expense(w.dev, expense.pk),
        lambda: timesheets.delete_expense(w.pm, expense.pk),
    ):
        with pytest.raises(ValidationError):
            change()
    draft = timesheets.add_expense(w.dev, w.project.pk, date=today, description="Ăn trưa", amount="90000")
    timesheets.delete_expense(w.dev, draft.pk)
    assert list(ProjectExpense.objects.values_list("pk", flat=True)) == [expense.pk]
    assert timesheets.project_costs(w.project)["expenses"] == Decimal(170000)


def test_expense_api_patch_get_delete(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        expense = timesheets.add_expense(w.dev, w.project.pk, date=today, description="Taxi", amount="150000")
    api = ApiClient(tenant_a, w.dev.user)
    r = api.patch(f"{URL}/expenses/{expense.pk}", {"amount": "200000"})
    assert r.status_code == 200 and r.json()["amount"] in ("200000", 200000, "200000.00")
    assert api.patch(f"{URL}/expenses/{expense.pk}", {"amount": "0"}).status_code == 400
    assert api.patch(f"{URL}/expenses/{expense.pk}", {"amount": "-1"}).status_code in (400, 422)
    assert api.patch(f"{URL}/expenses/{expense.pk}", {"colour": "red"}).status_code in (400, 422)
    assert api.get(f"{URL}/expenses/{expense.pk}").json()["description"] == "Taxi"
    outsider = ApiClient(tenant_a, w.outsider.user)
    assert outsider.get(f"{URL}/expenses/{expense.pk}").status_code == 404
    assert outsider.delete(f"{URL}/expenses/{expense.pk}").status_code == 404
    assert api.delete(f"{URL}/expenses/{expense.pk}").status_code == 204
    assert api.get(f"{URL}/expenses/{expense.pk}").status_code == 404
    with tenant_context(tenant_a):
        assert not ProjectExpense.objects.exists()


def test_expense_page_edit_delete_and_receipts_box(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        expense = timesheets.add_expense(w.dev, w.project.pk, date=today, description="Taxi", amount="150000")
        approved = timesheets.add_expense(w.dev, w.project.pk, date=today, description="Vé tàu", amount="300000")
        timesheets.approve_expense(w.pm, approved.pk)
    page = reverse("projects-expense", args=[expense.pk])
    web = web_client(tenant_a, w.dev.user)
    project_page = web.get(reverse("projects-project", args=[w.project.pk])).content.decode()
    assert page in project_page
    html = web.get(page).content.decode()
    assert 'name="expense-amount"' in html and "Xóa khoản chi" in html
    assert reverse("documents-attachments", args=["pm.expense", expense.pk]) in html  # receipts
    r = web.post(
        page,
        {"kind": "edit", "expense-date": today.isoformat(), "expense-description": "Taxi", "expense-amount": "0"},
    )
    assert r.status_code == 400
    r = web.post(
        page,
        {
            "kind": "edit",
            "expense-date": today.isoformat(),
            "expense-description": "Taxi về",
            "expense-amount": "160000",
        },
    )
    assert r.status_code == 302
    with tenant_context(tenant_a):
        expense.refresh_from_db()
        assert (expense.description, expense.amount, expense.is_billable) == ("Taxi về", Decimal(160000), False)
    # approved: shown, not editable
    html = web.get(reverse("projects-expense", args=[approved.pk])).content.decode()
    assert "Vé tàu" in html and 'name="expense-amount"' not in html
    assert web.post(reverse("projects-expense", args=[approved.pk]), {"kind": "delete"}).status_code == 400
    # a member who did not record it sees it without the form; someone outside the project gets 404
    assert web_client(tenant_a, w.outsider.user).get(page).status_code == 404
    assert web.post(page, {"kind": "delete"}).status_code == 302
    with tenant_context(tenant_a):
        assert list(ProjectExpense.objects.values_list("pk", flat=True)) == [approved.pk]
