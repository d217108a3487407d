"""INV ↔ ACC: with Accounting on, the stock accounts' balance equals the inventory valuation (to the
đồng) after receipts, issues, adjustments, counts, transfers, landed costs and a backdated receipt."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from novasaas.inventory import actions, selectors
from novasaas.inventory.tests.helpers import issue, receive, setup_catalogue
from novasaas.platform.tenancy import tenant_context

pytestmark = pytest.mark.date_sensitive  # backdated moves against the ledger's periods


def test_stock_accounts_agree_with_the_valuation(tenant_a):
    from novasaas.accounting.selectors import inventory_account_balance

    today = timezone.localdate()
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        doc = receive(s, 20, "10000")
        issue(s, 7)
        actions.add_landed_cost(s.manager, doc.pk, amount="26000", description="Cước")
        adj = actions.create_adjustment(
            s.manager, warehouse_id=s.wh.pk, reason="Vỡ", lines=[{"product_id": s.beer.pk, "quantity_change": "-1"}]
        )
        actions.approve_adjustment(s.manager, adj.pk)
        t = actions.create_transfer(
            s.manager,
            from_warehouse_id=s.wh.pk,
            to_warehouse_id=s.wh2.pk,
            lines=[{"product_id": s.beer.pk, "quantity": "3"}],
        )
        actions.approve_transfer(s.manager, t.pk)
        actions.ship_transfer(s.manager, t.pk)
        actions.receive_transfer(s.manager, t.pk)
        c = actions.create_count(s.manager, warehouse_id=s.wh.pk)
        actions.record_counts(s.manager, c.pk, [{"line_id": ln.pk, "counted": "8"} for ln in c.lines.all()])
        actions.submit_count(s.manager, c.pk)
        actions.approve_count(s.manager, c.pk)
        actions.receive_goods(
            s.manager,
            warehouse_id=s.wh.pk,
            date=today - timedelta(days=3),
            lines=[{"product_id": s.beer.pk, "quantity": "5", "unit_cost": "13000"}],
        )
        valuation = sum((r.value for r in selectors.valuation(tenant_a)), Decimal(0))
        valuation += selectors.in_transit_value(tenant_a)
        assert inventory_account_balance(tenant_a, today) == valuation


def test_reports_page_shows_the_ledger_balance(tenant_a):
    from novasaas.platform.testing.fixtures import web_client

    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        receive(s, 10, "10000")
    page = web_client(tenant_a, s.manager.user).get("/inventory/reports/").content.decode()
    assert 'id="acc-balance">100.000' in page
