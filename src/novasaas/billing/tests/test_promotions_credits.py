"""Upgrade offers of §12.6 (catalogue promotions) and credit notes (promotions, downgrades): applied
once, taken off the next invoice, split when larger than it; the catalogue page and API by role."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from novasaas.billing import actions, console, invoicing
from novasaas.billing.models import PlatformCredit, PlatformInvoice, Promotion, SubscriptionEvent
from novasaas.billing.tests.helpers import D0, master_client, subscribe
from novasaas.inventory.tests.helpers import principal
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant, web_client

D = Decimal


def _credits(t):
    with tenant_context(t):
        return list(PlatformCredit.objects.filter(tenant_id=t.pk).order_by("id"))


def _invoices(t):
    with tenant_context(t):
        return list(PlatformInvoice.objects.filter(tenant_id=t.pk).order_by("id"))


def test_business_to_professional_gets_20_percent_of_the_first_month_once(db):
    t, other = create_tenant(modules=["CRM", "INV"]), create_tenant(modules=["CRM", "INV"])
    subscribe(t, "business")  # paid period 1 March – 1 April 2026 (31 days)
    subscribe(other, "business")
    invoicing.invoice_charges(t, on=D0)
    with tenant_context(t):
        admin = principal(t)
        actions.change_plan(admin, "professional", on=dt.date(2026, 3, 16))
    (credit,) = _credits(t)
    assert (credit.kind, credit.amount, credit.invoice_id) == ("promotion", D(1_000_000), None)  # 20 % of 5,000,000
    assert _credits(other) == []
    inv = invoicing.invoice_charges(t, on=dt.date(2026, 3, 16))
    # pro-rata (5,000,000 − 2,000,000) × 16 / 31 = 1,548,387.10 → 1,548,387; less the credit 1,000,000
    assert (inv.credit, inv.subtotal, inv.vat, inv.total) == (D(1_000_000), D(548_387), D(54_839), D(603_226))
    with tenant_context(t):
        assert [ln.kind for ln in inv.lines.all()] == ["prorata", "credit"]
        assert PlatformCredit.objects.get(pk=credit.pk).invoice_id == inv.pk
    # back to Business (Master Admin) and up again: the offer is not given twice
    _c, master = master_client()
    console.manual_action(master, t, "change_plan", plan_code="business")
    with tenant_context(t):
        actions.change_plan(principal(t), "professional", on=dt.date(2026, 3, 20))
        assert SubscriptionEvent.objects.filter(tenant_id=t.pk, kind="promotion").count() == 1
    assert len([c for c in _credits(t) if c.kind == "promotion"]) == 1


def test_starter_to_business_records_the_free_setup_without_credit(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter")
    with tenant_context(t):
        actions.change_plan(principal(t), "business", on=dt.date(2026, 3, 10))
        (event,) = SubscriptionEvent.objects.filter(tenant_id=t.pk, kind="promotion")
    assert event.detail["code"] == "starter-business-setup"
    assert _credits(t) == []


def test_a_stopped_promotion_or_a_trial_change_gives_nothing(db):
    t, trial = create_tenant(modules=["CRM", "INV"]), create_tenant(modules=["CRM", "INV"])
    _c, master = master_client()
    with platform_context():
        promo = Promotion.objects.get(code="business-professional-20")
    actions.save_promotion(master, promo.pk, is_active=False)
    subscribe(t, "business")
    subscribe(trial, "business", trial=True)
    with tenant_context(t):
        actions.change_plan(principal(t), "professional", on=dt.date(2026, 3, 10))
    with tenant_context(trial):
        actions.change_plan(principal(trial), "professional", on=dt.date(2026, 3, 10))
    assert _credits(t) == [] and _credits(trial) == []


def test_downgrade_by_the_master_admin_gives_a_credit_note_split_over_invoices(db, today):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "professional", on=today)  # a period starting today: every day of it is left
    _c, master = master_client()
    console.manual_action(master, t, "change_plan", plan_code="business")
    (credit,) = _credits(t)
    assert (credit.kind, credit.amount) == ("downgrade", D(3_000_000))  # (5,000,000 − 2,000,000) × all days
    with tenant_context(t):
        PlatformCredit.objects.create(
            tenant_id=t.pk, kind="promotion", description="Goodwill", amount=D(2_500_000), created_on=today
        )
    inv = invoicing.invoice_charges(t, on=today)
    # the period charge 5,000,000: credit 3,000,000 whole, then 2,000,000 of the 2,500,000 (split)
    assert (inv.credit, inv.subtotal, inv.total, inv.status) == (D(5_000_000), D(0), D(0), "paid")
    left = [c for c in _credits(t) if c.invoice_id is None]
    assert [c.amount for c in left] == [D(500_000)]
    assert sum(c.amount for c in _credits(t)) == D(5_500_000)  # nothing lost or created by the split
    body = web_client(t, admin_of(t)).get("/billing/").content.decode()
    assert 'id="credits"' in body
    data = ApiClient(t, admin_of(t)).get("/api/v1/billing/credits").json()
    assert sorted(c["amount"] for c in data) == ["2000000", "3000000", "500000"]
    other = create_tenant()
    subscribe(other, "starter", on=today)
    assert ApiClient(other, admin_of(other)).get("/api/v1/billing/credits").json() == []


def test_promotions_page_and_api_by_role(db):
    mc, _master = master_client()
    sc, _support = master_client("support")
    body = sc.get("/platform/billing/catalogue/").content.decode()
    assert "business-professional-20" in body and "billing-promotion-new" not in body
    assert 'action="/platform/billing/catalogue/promotions/"' not in body
    assert sc.post("/platform/billing/catalogue/promotions/", {"code": "x"}).status_code == 403
    r = mc.post(
        "/platform/billing/catalogue/promotions/",
        {
            "code": "any-enterprise",
            "name": "Lên Enterprise",
            "kind": "first_month",
            "to_plan": "enterprise",
            "percent": "10",
        },
    )
    assert r.status_code == 302
    with platform_context():
        promo = Promotion.objects.get(code="any-enterprise")
    assert (promo.from_plan_id, promo.percent) == (None, D(10))
    mc.post(f"/platform/billing/catalogue/promotions/{promo.pk}/", {"is_active": "0"})
    with platform_context():
        assert Promotion.objects.get(pk=promo.pk).is_active is False
    api = mc
    rows = api.get("/api/v1/platform/billing/promotions").json()
    assert {r["code"] for r in rows} == {"any-enterprise", "business-professional-20", "starter-business-setup"}
    payload = {
        "code": "pro-5",
        "name": "Pro 5%",
        "kind": "first_month",
        "from_plan": "starter",
        "to_plan": "professional",
        "percent": "5",
    }
    assert sc.post("/api/v1/platform/billing/promotions", payload, content_type="application/json").status_code == 403
    r = mc.post("/api/v1/platform/billing/promotions", payload, content_type="application/json")
    assert r.status_code == 201 and r.json()["from_plan"] == "starter"
    assert mc.post("/api/v1/platform/billing/promotions", payload, content_type="application/json").status_code == 400
    bad = {**payload, "code": "pro-6", "to_plan": "nope"}
    assert mc.post("/api/v1/platform/billing/promotions", bad, content_type="application/json").status_code == 400
    bad = {**payload, "code": "pro-7", "percent": "101"}
    assert mc.post("/api/v1/platform/billing/promotions", bad, content_type="application/json").status_code == 422
    pid = r.json()["id"]
    r = mc.patch(f"/api/v1/platform/billing/promotions/{pid}", {"is_active": False}, content_type="application/json")
    assert r.status_code == 200 and r.json()["is_active"] is False
    assert (
        mc.patch("/api/v1/platform/billing/promotions/999999", {}, content_type="application/json").status_code == 404
    )
