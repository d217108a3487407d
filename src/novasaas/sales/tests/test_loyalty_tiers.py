"""Loyalty tiers (issue 12): tiers by the 12 months' invoiced revenue with a points multiplier, configured
by the Sales Manager (API and page), refused clearly with nothing written, shown on the customer page and
the portal; invoices earn at the tier reached before them; credit notes reverse the multiplied points;
two-tenant isolation."""

from __future__ import annotations

from decimal import Decimal

import pytest

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.sales import actions, deliveries, loyalty, returns
from novasaas.sales.models import Customer, LoyaltyEntry, LoyaltyKind, LoyaltyTier
from novasaas.sales.tests.helpers import beer_line, order, world

D = Decimal
URL = "/api/v1/sales"


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _tiers(w):
    loyalty.configure(w.manager, is_active=True, points_per="10000", point_value="100")
    loyalty.save_tier(w.manager, code="member", name="Member", min_revenue=0, multiplier="1")
    loyalty.save_tier(w.manager, code="SILVER", name="Silver", min_revenue=100000, multiplier="1.5")
    loyalty.save_tier(w.manager, code="GOLD", name="Gold", min_revenue=200000, multiplier="2")


def _invoice(w, qty):
    o = order(w, beer_line(w, qty, "15000"))
    actions.confirm_order(w.staff, o.pk)
    deliveries.deliver_order(w.staff, o.pk)
    return deliveries.invoice_order(w.staff, o.pk)


def test_each_invoice_earns_at_the_tier_reached_before_it(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 30)
        _tiers(w)
        first = _invoice(w, 7)  # 105,000 before VAT; nothing invoiced before: Member × 1 → 10
        second = _invoice(w, 7)  # 105,000 before it: Silver × 1.5 → ⌊15.75⌋ = 15
        third = _invoice(w, 7)  # 210,000 before it: Gold × 2 → 21
        rows = list(LoyaltyEntry.objects.filter(kind=LoyaltyKind.EARNED).order_by("id"))
        assert [(r.points, r.tier, r.source) for r in rows] == [
            (10, "MEMBER", f"invoice:{first.pk}"),
            (15, "SILVER", f"invoice:{second.pk}"),
            (21, "GOLD", f"invoice:{third.pk}"),
        ]
        customer = Customer.objects.get(pk=w.customer.pk)
        assert customer.loyalty_points == 46
        status = loyalty.tier_status(customer, today)
        assert (status["tier"].code, status["revenue_12m"], status["next_tier"]) == ("GOLD", D(315000), None)
        # a credit note of the Gold invoice brings its multiplied points down in proportion
        line = third.lines.get()
        returns.credit_invoice(w.staff, third.pk, lines=[{"line_id": line.pk, "quantity": "7"}])
        assert Customer.objects.get(pk=w.customer.pk).loyalty_points == 25
        status = loyalty.tier_status(Customer.objects.get(pk=w.customer.pk), today)
        assert (status["tier"].code, status["revenue_12m"]) == ("GOLD", D(210000))
    # shown on the customer page and through the API
    staff = ApiClient(tenant_a, w.staff.user)
    body = staff.get(f"{URL}/customers/{w.customer.pk}/loyalty").json()
    assert (body["tier"]["code"], D(body["multiplier"]), D(body["revenue_12m"]), body["next_tier"]) == (
        "GOLD",
        D(2),
        D(210000),
        None,
    )
    assert [e["tier"] for e in body["entries"] if e["kind"] == "earned"] == ["GOLD", "SILVER", "MEMBER"]
    page = web_client(tenant_a, w.staff.user).get(f"/sales/customers/{w.customer.pk}/").content.decode()
    assert 'id="loyalty-tier"' in page and "Gold" in page


def test_no_tier_reached_earns_once_and_shows_the_next(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
        loyalty.configure(w.manager, is_active=True, points_per="10000", point_value="100")
        loyalty.save_tier(w.manager, code="SILVER", name="Silver", min_revenue=100000, multiplier="1.5")
        _invoice(w, 2)  # 30,000: no tier → 3 points, tier ""
        assert list(LoyaltyEntry.objects.values_list("points", "tier")) == [(3, "")]
        status = loyalty.tier_status(Customer.objects.get(pk=w.customer.pk), today)
        assert status["tier"] is None and status["multiplier"] == 1
        assert (status["next_tier"].code, status["to_next_tier"]) == ("SILVER", D(70000))


def test_tiers_through_the_api_with_roles_and_refusals(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
    manager, staff = ApiClient(tenant_a, w.manager.user), ApiClient(tenant_a, w.staff.user)
    body = {"code": "gold", "name": "Vàng", "min_revenue": "50000000", "multiplier": "2"}
    assert staff.post(f"{URL}/loyalty-tiers", body).status_code == 403
    r = manager.post(f"{URL}/loyalty-tiers", body)
    assert r.status_code == 201, r.content
    tier = r.json()
    assert (tier["code"], D(tier["min_revenue"]), D(tier["multiplier"])) == ("GOLD", D(50000000), D(2))
    assert (
        manager.post(f"{URL}/loyalty-tiers", {"code": "silver", "name": "Bạc", "min_revenue": "10000000"}).status_code
        == 201
    )
    # refusals: nothing written
    for bad, status in (
        ({**body, "code": "gold2", "multiplier": "0"}, 422),
        ({**body, "code": "gold2", "multiplier": "11"}, 422),
        ({**body, "code": "gold2", "multiplier": "1.234"}, 422),
        ({**body, "code": "gold2", "min_revenue": "-1"}, 422),
        ({**body, "code": "a b"}, 422),
        ({**body, "code": "gold2", "extra": 1}, 422),
    ):
        assert manager.post(f"{URL}/loyalty-tiers", bad).status_code == status, bad
    r = manager.post(f"{URL}/loyalty-tiers", {**body, "min_revenue": "1"})
    assert r.status_code == 400 and "GOLD" in str(r.json())
    r = manager.post(f"{URL}/loyalty-tiers", {**body, "code": "gold2"})
    assert r.status_code == 400 and "revenue" in str(r.json())
    with tenant_context(tenant_a):
        assert LoyaltyTier.objects.count() == 2
    assert [t["code"] for t in staff.get(f"{URL}/loyalty-tiers").json()] == ["SILVER", "GOLD"]
    url = f"{URL}/loyalty-tiers/{tier['id']}"
    assert staff.patch(url, {"multiplier": "3"}).status_code == 403
    r = manager.patch(url, {"multiplier": "2.5", "name": "Vàng 2026"})
    assert r.status_code == 200 and D(r.json()["multiplier"]) == D("2.5")
    assert manager.patch(url, {"code": "silver"}).status_code == 400
    assert staff.delete(url).status_code == 403
    assert manager.delete(url).status_code == 204
    assert manager.patch(url, {"multiplier": "2"}).status_code == 404
    with tenant_context(tenant_a):
        assert list(LoyaltyTier.objects.values_list("code", flat=True)) == ["SILVER"]


def test_tiers_page_for_the_manager_read_only_for_staff(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
    mweb, sweb = web_client(tenant_a, w.manager.user), web_client(tenant_a, w.staff.user)
    form = {"code": "gold", "name": "Vàng", "min_revenue": "50.000.000", "multiplier": "2"}
    assert sweb.post("/sales/loyalty/tiers/", form).status_code == 403
    r = mweb.post("/sales/loyalty/tiers/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(tenant_a):
        tier = LoyaltyTier.objects.get()
        assert (tier.code, tier.min_revenue, tier.multiplier) == ("GOLD", D(50000000), D(2))
    r = mweb.post("/sales/loyalty/tiers/", {**form, "code": "x", "multiplier": "0"})
    assert r.status_code == 400 and 'id="loyalty-tier-form"' in r.content.decode()
    r = mweb.post("/sales/loyalty/tiers/", {**form, "code": "gold2"})  # same threshold
    assert r.status_code == 400
    r = mweb.post(f"/sales/loyalty/tiers/{tier.pk}/", {**form, "multiplier": "1,5"})
    assert r.status_code == 302
    r = mweb.post(f"/sales/loyalty/tiers/{tier.pk}/", {**form, "multiplier": "abc"})
    assert r.status_code == 400
    with tenant_context(tenant_a):
        assert LoyaltyTier.objects.get().multiplier == D("1.5")
    page = sweb.get("/sales/loyalty/").content.decode()
    assert "GOLD" in page and 'id="loyalty-tier-form"' not in page and "× 1,50" in page
    assert sweb.post(f"/sales/loyalty/tiers/{tier.pk}/", {"do": "delete"}).status_code == 403
    assert mweb.post(f"/sales/loyalty/tiers/{tier.pk}/", {"do": "delete"}).status_code == 302
    with tenant_context(tenant_a):
        assert not LoyaltyTier.objects.exists()


def test_two_tenants(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        wa = world(tenant_a, 0)
        mine = loyalty.save_tier(wa.manager, code="GOLD", name="Gold", min_revenue=1, multiplier="2")
    with tenant_context(tenant_b):
        wb = world(tenant_b, 0)
        loyalty.save_tier(wb.manager, code="GOLD", name="Vàng B", min_revenue=1, multiplier="3")  # same code: fine
    manager_b = ApiClient(tenant_b, wb.manager.user)
    assert [t["name"] for t in manager_b.get(f"{URL}/loyalty-tiers").json()] == ["Vàng B"]
    assert manager_b.patch(f"{URL}/loyalty-tiers/{mine.pk}", {"multiplier": "5"}).status_code == 404
    assert manager_b.delete(f"{URL}/loyalty-tiers/{mine.pk}").status_code == 404
    web_b = web_client(tenant_b, wb.manager.user)
    assert web_b.post(f"/sales/loyalty/tiers/{mine.pk}/", {"do": "delete"}).status_code == 404
    assert "Vàng B" in web_b.get("/sales/loyalty/").content.decode()
    with tenant_context(tenant_a):
        assert LoyaltyTier.objects.get().multiplier == D(2)
