"""The catalogue: seeded from the spec, edited by the Master Admin only (page and API), versioned, audited."""

from __future__ import annotations

from decimal import Decimal

import pytest

from novasaas.billing.models import AddOn, Plan, PriceVersion
from novasaas.billing.tests.helpers import master_client
from novasaas.platform.models import AuditLog
from novasaas.platform.tenancy import platform_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant, web_client

D = Decimal


def _price(code):
    return PriceVersion.objects.filter(plan__code=code).order_by("-version").first()


def test_seed_has_the_spec_numbers(db):
    assert list(Plan.objects.filter(kind="plan").values_list("code", flat=True)) == [
        "free",
        "starter",
        "business",
        "professional",
        "enterprise",
    ]
    assert {p.code for p in Plan.objects.filter(kind="package")} == {
        "retail",
        "service",
        "trading",
        "manufacturing",
        "healthcare",
        "hospitality",
    }
    starter = Plan.objects.get(code="starter")
    assert (
        starter.included_users,
        starter.max_customers,
        starter.max_products,
        starter.max_warehouses,
        starter.trial_days,
    ) == (5, 500, 1000, 1, 14)
    assert (_price("starter").monthly_price, _price("starter").extra_user_price) == (D(500_000), D(50_000))
    assert _price("business").annual_discount_percent == D(20)
    free = Plan.objects.get(code="free")
    assert (free.max_users, free.max_customers, free.max_products, free.max_orders_per_month, free.max_storage_mb) == (
        1,
        50,
        100,
        100,
        500,
    )
    assert free.features["ai_tier"] == "none"
    assert Plan.objects.get(code="professional").features["webhooks"] is True
    assert AddOn.objects.count() == 9


def test_master_admin_edits_a_plan_and_its_price_on_pages(db):
    c, master = master_client()
    assert "Starter" in c.get("/platform/billing/catalogue/").content.decode()
    starter = Plan.objects.get(code="starter")
    r = c.get(f"/platform/billing/catalogue/plans/{starter.pk}/")
    assert r.status_code == 200
    form = {
        "name": "Starter+",
        "name_en": "Starter",
        "position": 1,
        "is_active": "on",
        "trial_days": 10,
        "included_users": 6,
        "modules": ["CRM", "INV"],
        "features": '{"ai_tier": "basic"}',
        "max_customers": 600,
        "max_products": 1000,
        "max_warehouses": 1,
        "max_storage_mb": 5120,
    }
    r = c.post(f"/platform/billing/catalogue/plans/{starter.pk}/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    starter.refresh_from_db()
    assert (starter.name, starter.trial_days, starter.max_customers, starter.features["support"]) == (
        "Starter+",
        10,
        600,
        "email",
    )  # unspecified features kept
    r = c.post(
        f"/platform/billing/catalogue/plans/{starter.pk}/price/",
        {"price-monthly_price": "600000", "price-extra_user_price": "60000"},
    )
    assert r.status_code == 302
    assert (_price("starter").version, _price("starter").monthly_price) == (2, D(600_000))
    assert PriceVersion.objects.filter(plan=starter).count() == 2  # the old version is kept
    with platform_context():
        logs = list(AuditLog.objects.filter(tenant=None, object_type__startswith="billing."))
    assert {log.object_type for log in logs} == {"billing.Plan", "billing.PriceVersion"}


def test_master_admin_creates_a_plan_and_an_addon(db):
    c, _m = master_client()
    r = c.post(
        "/platform/billing/catalogue/plans/new/",
        {
            "code": "shop",
            "kind": "plan",
            "name": "Shop",
            "position": 9,
            "trial_days": 0,
            "modules": ["CRM"],
            "features": "{}",
        },
    )
    assert r.status_code == 302
    assert Plan.objects.get(code="shop").prices.get().monthly_price == D(0)
    r = c.post(
        "/platform/billing/catalogue/addons/new/",
        {"code": "sms", "name": "SMS", "unit": "month", "limit": "", "limit_step": 0, "is_active": "on"},
    )
    assert r.status_code == 302
    r = c.post(
        "/platform/billing/catalogue/plans/new/",
        {"code": "bad", "kind": "plan", "name": "Bad", "position": 9, "trial_days": 0, "features": '{"nope": 1}'},
    )
    assert r.status_code == 200 and not Plan.objects.filter(code="bad").exists()


def test_bad_input_is_a_clear_400_on_the_api_and_changes_nothing(db):
    c, _m = master_client()
    starter = Plan.objects.get(code="starter")
    for body in (
        {"monthly_price": "-1"},
        {"monthly_price": "1.5"},
        {"monthly_price": "1", "nope": 1},
        {"monthly_price": "1", "annual_discount_percent": "101"},
    ):
        r = c.post(f"/api/v1/platform/billing/plans/{starter.pk}/prices", body, content_type="application/json")
        assert r.status_code in (400, 422), (body, r.content)
    assert PriceVersion.objects.filter(plan=starter).count() == 1
    r = c.patch(f"/api/v1/platform/billing/plans/{starter.pk}", {"modules": ["XYZ"]}, content_type="application/json")
    assert r.status_code == 400
    r = c.patch("/api/v1/platform/billing/plans/999999", {"name": "x"}, content_type="application/json")
    assert r.status_code == 404


def test_catalogue_api_for_the_master_admin(db):
    c, _m = master_client()
    r = c.get("/api/v1/platform/billing/plans")
    assert r.status_code == 200 and len(r.json()) == 11
    r = c.post(
        "/api/v1/platform/billing/plans",
        {"code": "shop", "name": "Shop", "modules": ["CRM"], "monthly_price": "300000", "max_customers": 100},
        content_type="application/json",
    )
    assert r.status_code == 201, r.content
    assert r.json()["price"]["monthly_price"] in ("300000", 300000)
    pid = r.json()["id"]
    r = c.post(
        f"/api/v1/platform/billing/plans/{pid}/prices", {"monthly_price": "350000"}, content_type="application/json"
    )
    assert r.status_code == 201 and r.json()["price"]["version"] == 2
    r = c.post("/api/v1/platform/billing/plans", {"code": "shop", "name": "Again"}, content_type="application/json")
    assert r.status_code == 400
    r = c.post(
        "/api/v1/platform/billing/addons",
        {"code": "sms", "name": "SMS", "monthly_price": "1000"},
        content_type="application/json",
    )
    assert r.status_code == 201
    aid = r.json()["id"]
    r = c.patch(f"/api/v1/platform/billing/addons/{aid}", {"is_active": False}, content_type="application/json")
    assert r.status_code == 200 and r.json()["is_active"] is False


def test_support_staff_reads_but_does_not_edit(db):
    c, _u = master_client("support")
    assert c.get("/platform/billing/catalogue/").status_code == 200
    assert c.get("/api/v1/platform/billing/plans").status_code == 200
    starter = Plan.objects.get(code="starter")
    assert (
        c.post(f"/platform/billing/catalogue/plans/{starter.pk}/price/", {"price-monthly_price": "1"}).status_code
        == 403
    )
    r = c.post(
        f"/api/v1/platform/billing/plans/{starter.pk}/prices", {"monthly_price": "1"}, content_type="application/json"
    )
    assert r.status_code == 403
    assert PriceVersion.objects.filter(plan=starter).count() == 1


@pytest.mark.parametrize("url", ["/platform/billing/catalogue/", "/platform/billing/catalogue/plans/new/"])
def test_tenant_users_are_refused_the_catalogue_pages(db, url):
    t = create_tenant()
    assert web_client(t, admin_of(t)).get(url).status_code == 403


def test_tenant_users_are_refused_the_catalogue_api(db):
    t = create_tenant()
    api = ApiClient(t, admin_of(t))
    assert api.get("/api/v1/platform/billing/plans").status_code == 403
    assert api.post("/api/v1/platform/billing/plans", {"code": "x", "name": "x"}).status_code == 403
    assert not Plan.objects.filter(code="x").exists()
