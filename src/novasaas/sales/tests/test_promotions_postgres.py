"""PostgreSQL only: a coupon's usage limit and a customer's points under concurrent confirmations (the
coupon row and the customer row are locked; the DB checks back them)."""

from __future__ import annotations

import pytest
from django.db.models import Sum

from novasaas.inventory.tests.test_postgres import _race
from novasaas.platform.tenancy import tenant_context
from novasaas.sales import actions, loyalty, promotions
from novasaas.sales.models import Coupon, CouponRedemption, Customer, LoyaltyEntry, OrderStatus, SalesOrder
from novasaas.sales.tests.helpers import party, world

pytestmark = pytest.mark.postgres_only

SERVICE = [{"description": "Tư vấn", "quantity": "1", "unit_price": "100000"}]


def test_twelve_customers_racing_for_a_coupon_of_three_uses(transactional_db, tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        promotions.save_coupon(w.manager, code="BA", value="10", usage_limit=3)
        ids = []
        for i in range(12):  # one customer each: the customer lock does not serialise them, the coupon's must
            customer = actions.create_customer(w.manager, party_id=party(w.manager, f"Khách {i}").pk)
            o = actions.create_order(w.manager, customer_id=customer.pk, lines=SERVICE)
            promotions.apply_coupon(w.manager, "order", o.pk, "BA")
            ids.append(o.pk)
    queue = iter(ids)
    outcomes = _race(tenant_a, 12, 1, lambda: actions.confirm_order(w.manager, next(queue)))
    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 9
    with tenant_context(tenant_a):
        assert Coupon.objects.get().used_count == 3
        assert CouponRedemption.objects.filter(released_at__isnull=True).count() == 3
        assert SalesOrder.objects.filter(status=OrderStatus.CONFIRMED).count() == 3


def test_two_redemptions_of_the_same_points_at_once(transactional_db, tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        loyalty.configure(w.manager, is_active=True, points_per="10000", point_value="100")
        loyalty.add_points(w.manager, w.customer.pk, points=100, reason="Khai trương")
        ids = []
        for _ in range(2):
            o = actions.create_order(w.staff, customer_id=w.customer.pk, lines=SERVICE)
            loyalty.set_order_points(w.staff, o.pk, 60)
            ids.append(o.pk)
    queue = iter(ids)
    outcomes = _race(tenant_a, 2, 1, lambda: actions.confirm_order(w.staff, next(queue)))
    assert sorted(outcomes) == ["ok", "refused"]
    with tenant_context(tenant_a):
        balance = Customer.objects.get(pk=w.customer.pk).loyalty_points
        total = LoyaltyEntry.objects.filter(customer_id=w.customer.pk).aggregate(s=Sum("points"))["s"]
        assert balance == total == 40
