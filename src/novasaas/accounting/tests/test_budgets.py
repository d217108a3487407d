"""Budgets: lines, budget vs actual, over-budget event and notification, roles."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.accounting import budgets
from novasaas.accounting.events import BudgetExceeded
from novasaas.accounting.models import FiscalPeriod
from novasaas.accounting.tests.helpers import post, principal
from novasaas.accounting.tests.test_api import URL, fm_client
from novasaas.platform import events
from novasaas.platform.models import Notification
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client
from novasaas.platform.testing.html import body_rows


def test_budget_vs_actual_and_over_budget_event(tenant_a, monkeypatch, today):
    fm = principal(tenant_a, "finance_manager")
    post(fm, ("1111", 1, 0), ("4111", 0, 1))
    with tenant_context(tenant_a):
        period = FiscalPeriod.objects.get(start_date__lte=today, end_date__gte=today)
    budget = budgets.create_budget(fm, fiscal_year_id=period.fiscal_year_id, name="Chi phí quản lý")
    budgets.set_budget_lines(fm, budget.pk, [("6422", period.number, "1000")])
    seen = []
    monkeypatch.setitem(events._subscribers, BudgetExceeded, [])
    events.subscriber(BudgetExceeded, module="ACC")(seen.append)
    post(fm, ("6422", 800, 0), ("1111", 0, 800))
    assert seen == []
    post(fm, ("6422", 300, 0), ("1111", 0, 300))
    assert len(seen) == 1 and seen[0].account_code == "6422" and seen[0].actual == "1100.00"
    post(fm, ("6422", 5, 0), ("1111", 0, 5))
    assert len(seen) == 1  # notified once per budget line
    _b, rows = budgets.budget_vs_actual(tenant_a, budget.pk)
    assert [(r.account.code, r.budget, r.actual, r.variance) for r in rows] == [
        ("6422", Decimal(1000), Decimal(1105), Decimal(-105))
    ]
    with tenant_context(tenant_a):
        assert Notification.objects.filter(title__contains="6422").exists()
    with pytest.raises(ValidationError):
        budgets.set_budget_lines(fm, budget.pk, [("9999", 1, "5"), ("6422", 13, "5")])
    with pytest.raises(PermissionDenied):
        budgets.create_budget(principal(tenant_a, "accountant"), fiscal_year_id=period.fiscal_year_id, name="x")


def test_budget_api_pages_roles_isolation(tenant_a, tenant_b):
    c = fm_client(tenant_a)
    year = c.get(f"{URL}/fiscal-years").json()[0]["id"]
    b = c.post(f"{URL}/budgets", {"fiscal_year_id": year, "name": "2026"}).json()
    assert (
        c.put(
            f"{URL}/budgets/{b['id']}/lines", {"lines": [{"account": "6421", "period": 1, "amount": "500"}]}
        ).status_code
        == 200
    )
    report = c.get(f"{URL}/budgets/{b['id']}/vs-actual").json()
    assert report["rows"][0]["budget"] == "500.00"
    assert c.get(f"{URL}/budgets/{b['id']}/vs-actual", {"format": "xlsx"}).status_code == 200
    acc = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert acc.get(f"{URL}/budgets").status_code == 403
    other = fm_client(tenant_b)
    assert other.get(f"{URL}/budgets/{b['id']}/vs-actual").status_code == 404
    assert other.put(f"{URL}/budgets/{b['id']}/lines", {"lines": []}).status_code == 404
    web = web_client(tenant_a, c.user)
    listed = body_rows(web.get("/accounting/budgets/").content)
    assert [r for r in listed if "2026" in r], listed
    before = body_rows(web.get(f"/accounting/budgets/{b['id']}/").content)
    assert [r for r in before if r[0].startswith("6421") and "500" in r], before
    r = web.post(f"/accounting/budgets/{b['id']}/", {"lines": "6421;1;700\n6422;2;100"})
    assert r.status_code == 302
    after = body_rows(web.get(f"/accounting/budgets/{b['id']}/").content)
    # the lines typed replace the budget: 700 on 6421, 100 on 6422, no 500 left
    assert sorted((r[0][:4], "700" in r, "100" in r, "500" in r) for r in after if r[0][:4] in ("6421", "6422")) == [
        ("6421", True, False, False),
        ("6422", False, True, False),
    ], after
    assert web.post(f"/accounting/budgets/{b['id']}/", {"lines": "6421;x"}).status_code == 400
    assert web.post("/accounting/budgets/", {"fiscal_year_id": year, "name": "Khác"}).status_code == 302
