"""The Subscription page and API: Tenant Admin manages, Manager views, others refused; two tenants
never see each other's subscription or charges."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection

from novasaas.billing.models import Charge, Subscription
from novasaas.billing.tests.helpers import subscribe
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant, create_user, web_client

D = Decimal


@pytest.fixture
def pair(db, today):
    a = create_tenant(modules=["CRM", "INV"])
    b = create_tenant(modules=["CRM", "INV"])
    subscribe(a, "starter", on=today)
    subscribe(b, "business", on=today)
    return a, b


def test_admin_page_shows_plan_usage_and_changes_plan(pair):
    a, _b = pair
    c = web_client(a, admin_of(a))
    body = c.get("/billing/").content.decode()
    assert "Starter" in body and "billing-change-plan" not in body
    assert 'action="/billing/plan/"' in body
    r = c.post("/billing/plan/", {"plan": "business", "period": "monthly"})
    assert r.status_code == 302
    with tenant_context(a):
        assert Subscription.objects.get(tenant_id=a.pk).plan.code == "business"
        assert Charge.objects.filter(tenant_id=a.pk, kind="prorata").exists()
    r = c.post("/billing/quantity/", {"quantity": "abc"}, follow=True)
    assert r.status_code == 200
    r = c.post("/billing/plan/", {"plan": "nope"}, follow=True)
    assert r.status_code == 200


def test_manager_views_without_forms_and_cannot_post(pair):
    a, _b = pair
    c = web_client(a, create_user(a, "manager"))
    body = c.get("/billing/").content.decode()
    assert "Starter" in body and 'action="/billing/plan/"' not in body
    assert c.post("/billing/plan/", {"plan": "business"}).status_code == 403
    with tenant_context(a):
        assert Subscription.objects.get(tenant_id=a.pk).plan.code == "starter"


def test_staff_is_refused(pair):
    a, _b = pair
    user = create_user(a, "sales_staff")
    assert web_client(a, user).get("/billing/").status_code == 403
    assert ApiClient(a, user).get("/api/v1/billing/subscription").status_code == 403


def test_api_subscription_usage_and_plan_change(pair):
    a, _b = pair
    api = ApiClient(a, admin_of(a))
    r = api.get("/api/v1/billing/subscription")
    assert r.status_code == 200
    data = r.json()
    assert (data["plan"], data["status"], data["period_amount"]) == ("starter", "active", "500000")
    users = next(u for u in data["usage"] if u["limit"] == "users")
    assert (users["used"], users["allowed"]) == (1, 5)
    r = api.post("/api/v1/billing/subscription/plan", {"plan": "business"})
    assert r.status_code == 200 and r.json()["plan"] == "business"
    r = api.post("/api/v1/billing/subscription/quantities", {"extra_users": 2})
    assert r.status_code == 200 and r.json()["extra_users"] == 2
    r = api.post("/api/v1/billing/subscription/quantities", {"addon": "extra-warehouse", "quantity": 1})
    assert r.status_code == 200 and r.json()["addons"][0]["code"] == "extra-warehouse"
    assert api.post("/api/v1/billing/subscription/quantities", {}).status_code == 400
    assert api.post("/api/v1/billing/subscription/plan", {"plan": "nope"}).status_code == 400
    assert api.post("/api/v1/billing/subscription/plan", {"plan": "free", "x": 1}).status_code == 422
    charges = api.get("/api/v1/billing/charges").json()
    assert {c["kind"] for c in charges} == {"plan", "prorata"}
    assert len(api.get("/api/v1/billing/plans").json()) == 11


def test_manager_reads_the_api_but_cannot_change(pair):
    a, _b = pair
    api = ApiClient(a, create_user(a, "manager"))
    assert api.get("/api/v1/billing/subscription").status_code == 200
    assert api.post("/api/v1/billing/subscription/plan", {"plan": "business"}).status_code == 403


def test_a_tenant_never_sees_another_tenants_subscription_or_charges(pair):
    a, b = pair
    for tenant, plan in ((a, "starter"), (b, "business")):
        api = ApiClient(tenant, admin_of(tenant))
        assert api.get("/api/v1/billing/subscription").json()["plan"] == plan
        charges = api.get("/api/v1/billing/charges").json()
        with tenant_context(tenant):
            own = set(Charge.objects.filter(tenant_id=tenant.pk).values_list("pk", flat=True))
        assert charges and {c["id"] for c in charges} == own
        body = web_client(tenant, admin_of(tenant)).get("/billing/").content.decode()
        other = "Business" if plan == "starter" else "Starter"
        assert f'{other} <span class="badge' not in body


def test_a_tenant_without_subscription_gets_404_on_the_api(db):
    t = create_tenant()
    assert ApiClient(t, admin_of(t)).get("/api/v1/billing/subscription").status_code == 404
    assert web_client(t, admin_of(t)).get("/billing/").status_code == 200


@pytest.mark.postgres_only
def test_row_level_security_hides_other_tenants_billing_rows(pair):
    a, b = pair
    from novasaas.billing.invoicing import snapshot_mrr
    from novasaas.billing.models import PlatformCredit

    for t in (a, b):
        with tenant_context(t):
            snapshot_mrr(t, Subscription.objects.get(tenant_id=t.pk).period_start)
            PlatformCredit.objects.create(
                tenant_id=t.pk,
                kind="promotion",
                description="x",
                amount=1,
                created_on=Subscription.objects.get(tenant_id=t.pk).period_start,
            )
    tables = ("billing_subscription", "billing_charge", "billing_subscriptionevent", "billing_mrrsnapshot")
    for table in (*tables, "billing_platformcredit"):
        with tenant_context(a), connection.cursor() as cur:
            cur.execute(f"SELECT DISTINCT tenant_id FROM {table}")  # noqa: S608 (fixed names)
            assert {row[0] for row in cur.fetchall()} == {a.pk}, table
