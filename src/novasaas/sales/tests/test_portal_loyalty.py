"""Loyalty points on the customer portal: the signed-in contact sees their customer's balance, value,
totals (earned, redeemed, expired), the points expiring within 30 days and the ledger — page and API —
and never another customer's (same company or another company)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.sales import customers, loyalty
from novasaas.sales.models import Customer, LoyaltyEntry, LoyaltyKind
from novasaas.sales.tests.helpers import world
from novasaas.sales.tests.test_portal import API, build, invite_and_accept

D = Decimal


def _points(tenant, w, customer_id, today, *, soon=30, later=20, used=10):
    """Earned ``soon`` points expiring in 20 days and ``later`` expiring in 200, ``used`` redeemed, and
    ``later`` points expired from an old lot (written off): balance soon + later − used."""
    with tenant_context(tenant):
        loyalty.configure(w.manager, is_active=True, points_per="10000", point_value="100", expiry_months=12)
        customer = Customer.objects.select_for_update().get(pk=customer_id)
        old = today - dt.timedelta(days=400)
        loyalty._append(customer, LoyaltyKind.EARNED, 7, old, reason="HD-OLD", expires_on=old + dt.timedelta(days=365))
        loyalty.expire_points(tenant, today)
        customer.refresh_from_db()
        start = today - dt.timedelta(days=30)
        loyalty._append(
            customer, LoyaltyKind.EARNED, soon, start, reason="HD-1", expires_on=today + dt.timedelta(days=20)
        )
        loyalty._append(
            customer, LoyaltyKind.EARNED, later, start, reason="HD-2", expires_on=today + dt.timedelta(days=200)
        )
        loyalty._append(customer, LoyaltyKind.REDEEMED, -used, today, reason="DH-9")


@pytest.fixture
def scene(tenant_a, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    return build(tenant_a, django_capture_on_commit_callbacks)


def test_api_and_page_show_the_customer_own_points(tenant_a, scene, today):
    w = scene.w
    _points(tenant_a, w, w.customer.pk, today)
    with tenant_context(tenant_a):
        loyalty.save_tier(w.manager, code="MEMBER", name="Thành viên", min_revenue=0, multiplier="1")
        loyalty.save_tier(w.manager, code="GOLD", name="Vàng", min_revenue=10_000_000, multiplier="2")
    with tenant_context(tenant_a):  # another customer of the company has points too
        loyalty.add_points(w.manager, scene.other["customer"], points=999, reason="Khách khác")
    api = ApiClient(tenant_a, scene.user)
    body = api.get(f"{API}/loyalty").json()
    assert (body["programme_active"], body["balance"], D(body["value"]), D(body["point_value"])) == (
        True,
        40,
        D(4000),
        D(100),
    )
    assert (body["earned"], body["redeemed"], body["expired"], body["adjusted"]) == (57, 10, 7, 0)
    # the 30 points expiring in 20 days, 10 of them used first (oldest first): 20 expire soon
    assert body["expiring_soon"] == 20
    assert body["expiring_by"] == (today + dt.timedelta(days=30)).isoformat()
    assert [(e["kind"], e["points"], e["balance_after"], e["reason"]) for e in body["entries"]] == [
        ("redeemed", -10, 40, "DH-9"),
        ("earned", 20, 50, "HD-2"),
        ("earned", 30, 30, "HD-1"),
        ("expired", -7, 0, ""),
        ("earned", 7, 7, "HD-OLD"),
    ]
    # the scene's invoice: 45,000 before VAT in the last 12 months → Member, 9,955,000 more to Gold
    assert (body["tier"]["name"], D(body["multiplier"]), D(body["revenue_12m"])) == ("Thành viên", D(1), D(45000))
    assert (body["next_tier"]["code"], D(body["to_next_tier"])) == ("GOLD", D(9955000))
    assert "Khách khác" not in str(body) and 999 not in [e["points"] for e in body["entries"]]
    web = web_client(tenant_a, scene.user)
    page = web.get("/portal/loyalty/").content.decode()
    assert "DH-9" in page and "HD-OLD" in page and "Khách khác" not in page
    assert "4.000" in page or "4,000" in page
    assert 'id="portal-loyalty-expiring"' in page and "Thành viên" in page and "Vàng" in page
    home = web.get("/portal/").content.decode()
    assert 'id="portal-loyalty-box"' in home and "/portal/loyalty/" in home


def test_no_programme_no_points(tenant_a, scene):
    body = ApiClient(tenant_a, scene.user).get(f"{API}/loyalty").json()
    assert (body["programme_active"], body["balance"], body["entries"], body["expiring_soon"]) == (False, 0, [], 0)
    page = web_client(tenant_a, scene.user).get("/portal/loyalty/")
    assert page.status_code == 200 and 'id="portal-loyalty-expiring"' not in page.content.decode()


def test_staff_have_no_portal_loyalty_and_redemption_stays_staff_side(tenant_a, scene):
    for user in (scene.w.staff.user, scene.w.manager.user):
        assert ApiClient(tenant_a, user).get(f"{API}/loyalty").status_code == 403
        assert web_client(tenant_a, user).get("/portal/loyalty/").status_code == 403
    api = ApiClient(tenant_a, scene.user)
    assert api.post(f"/api/v1/sales/orders/{scene.draft.pk}/points", {"points": 1}).status_code == 403
    assert api.post(f"{API}/loyalty", {}).status_code == 405


def test_two_tenants_each_sees_its_own(tenant_a, tenant_b, django_capture_on_commit_callbacks, today):
    mail.outbox.clear()
    a = build(tenant_a, django_capture_on_commit_callbacks)
    _points(tenant_a, a.w, a.w.customer.pk, today)
    with tenant_context(tenant_b):
        wb = world(tenant_b, 0)
        contact = customers.save_contact(wb.staff, wb.customer.pk, name="Chị Mai", email="mai@b.test")
    user_b = invite_and_accept(tenant_b, wb, contact, django_capture_on_commit_callbacks, email="mai@b.test")
    _points(tenant_b, wb, wb.customer.pk, today, soon=3, later=4, used=1)
    assert ApiClient(tenant_a, a.user).get(f"{API}/loyalty").json()["balance"] == 40
    assert ApiClient(tenant_b, user_b).get(f"{API}/loyalty").json()["balance"] == 6
    with tenant_context(tenant_a):  # A's ledger knows nothing of B's customer
        assert set(LoyaltyEntry.objects.values_list("customer_id", flat=True)) == {a.w.customer.pk}
