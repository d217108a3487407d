"""PostgreSQL only: concurrent confirmations of sales orders (the row lock and inventory's conditional
reservation decide, never a check-then-act)."""

from __future__ import annotations

from decimal import Decimal

import pytest

from novasaas.inventory.tests.test_postgres import _race
from novasaas.platform.tenancy import tenant_context
from novasaas.sales import actions
from novasaas.sales.models import OrderStatus, SalesOrder
from novasaas.sales.tests.helpers import beer_line, order, stock_row, world

pytestmark = pytest.mark.postgres_only


def test_ten_users_confirming_one_order_confirm_it_once(transactional_db, tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
        o = order(w, beer_line(w, 3))
    outcomes = _race(tenant_a, 10, 1, lambda: actions.confirm_order(w.staff, o.pk))
    assert sorted(outcomes) == ["ok"] + ["refused"] * 9
    with tenant_context(tenant_a):
        assert SalesOrder.objects.get(pk=o.pk).status == OrderStatus.CONFIRMED
        assert stock_row(w).reserved == Decimal(3)


def test_twenty_orders_confirming_against_ten_in_stock(transactional_db, tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
        ids = iter([order(w, beer_line(w, 1)).pk for _ in range(20)])

    outcomes = _race(tenant_a, 20, 1, lambda: actions.confirm_order(w.staff, next(ids)))
    assert sorted(outcomes) == ["ok"] * 10 + ["refused"] * 10
    with tenant_context(tenant_a):
        assert SalesOrder.objects.filter(status=OrderStatus.CONFIRMED).count() == 10
        st = stock_row(w)
        assert (st.on_hand, st.reserved, st.available) == (Decimal(10), Decimal(10), Decimal(0))
