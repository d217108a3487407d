"""Feature gating by plan (§12.3): the flags each plan gives (add-ons raise them), the API access and
rate limit of API keys, the AI tier in the ai app, storage measured and refused over the plan."""

from __future__ import annotations

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone, translation

from novasaas.billing import actions, features, limits, selectors
from novasaas.billing.tests.helpers import master_client, subscribe
from novasaas.documents import actions as dms
from novasaas.documents.tests.helpers import upload
from novasaas.identity import actions as identity_actions
from novasaas.inventory.tests.helpers import principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant, web_client


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    cache.clear()
    return tmp_path


def _key(tenant) -> Client:
    with tenant_context(tenant):
        _key_row, raw = identity_actions.create_api_key(
            principal(tenant), name="integration", permissions=["core.subscription.view"]
        )
    c = Client()
    c.defaults["HTTP_AUTHORIZATION"] = f"Bearer {raw}"
    return c


def test_flags_per_plan_and_add_ons_raise_them(db, today):
    tenants = {code: create_tenant(modules=["CRM", "INV"]) for code in ("free", "starter", "business", "professional")}
    for code, t in tenants.items():
        subscribe(t, code, on=today)
    # expected values written from the spec's table (§12.3), not read from the catalogue
    expected = {
        "free": ("none", "none", 0, False),
        "starter": ("basic", "none", 0, False),
        "business": ("rag", "limited", 60, False),
        "professional": ("functions", "full", 600, True),
    }
    for code, (ai, api, rate, webhooks) in expected.items():
        t = tenants[code]
        with tenant_context(t):
            got = tuple(selectors.feature(t, n) for n in ("ai_tier", "api_access", "api_rate_per_minute", "webhooks"))
        assert got == (ai, api, rate, webhooks), code
    with tenant_context(tenants["business"]):
        assert features.feature(tenants["business"], "multi_currency") is False
        admin = principal(tenants["business"])
        actions.set_quantity(admin, addon_code="api-premium", quantity=1, on=today)
        actions.set_quantity(admin, addon_code="white-label", quantity=1, on=today)
        values = features.features_of(tenants["business"])
    assert (values["api_access"], values["api_rate_per_minute"], values["white_label"]) == ("full", None, True)
    with pytest.raises(KeyError):
        features.feature(tenants["free"], "teleport")


def test_a_tenant_without_subscription_is_not_restricted(tenant_a):
    with tenant_context(tenant_a):
        assert features.features_of(tenant_a) == features.UNRESTRICTED
        features.require(tenant_a, "webhooks")
        features.require_ai(tenant_a, "functions")
        features.check_api_request(tenant_a)


def test_api_key_refused_without_api_access_and_limited_per_minute(db, today, time_machine):
    # the window is the clock's minute: stop the clock inside one, or 61 requests straddling a minute's end
    # (a slow run, or a pinned clock ticking from 09:00:00) would get a fresh window
    time_machine.move_to(timezone.now().replace(second=1, microsecond=0), tick=False)
    starter, business, professional = (create_tenant(modules=["CRM"]) for _ in range(3))
    subscribe(starter, "starter", on=today)
    subscribe(business, "business", on=today)
    subscribe(professional, "professional", on=today)
    r = _key(starter).get("/api/v1/billing/subscription", HTTP_ACCEPT_LANGUAGE="en")
    assert r.status_code == 403 and "/billing/" in r.json()["detail"] and "API" in r.json()["detail"]
    # a member's own sign-in (JWT) is not gated
    assert ApiClient(starter, admin_of(starter)).get("/api/v1/billing/subscription").status_code == 200
    key = _key(business)
    codes = [key.get("/api/v1/billing/subscription").status_code for _ in range(61)]
    assert codes[:60] == [200] * 60 and codes[60] == 429
    assert " 60 " in key.get("/api/v1/billing/subscription").json()["detail"]
    # the other tenant's window is its own
    assert _key(professional).get("/api/v1/billing/subscription").status_code == 200


def test_ai_tier_gates_the_ai_gateway(db, today):
    from novasaas.ai import gateway

    free, starter = create_tenant(modules=["CRM"]), create_tenant(modules=["CRM"])
    subscribe(free, "free", on=today)
    subscribe(starter, "starter", on=today)
    with translation.override("en"), tenant_context(free):
        admin = principal(free)
        with pytest.raises(features.FeatureNotInPlan) as exc:
            gateway.prepare(admin, model="gpt-4o-mini", messages=[{"role": "user", "content": "chào"}])
        assert exc.value.feature == "ai_tier" and "Upgrade the plan" in str(exc.value)
    with tenant_context(starter):  # (on PostgreSQL another tenant's subscription is invisible)
        # Starter has the basic tier: chat passes the plan check (and goes on to the gateway's own rules)
        features.require_ai(starter, "chat")
        with pytest.raises(features.FeatureNotInPlan):
            features.require_ai(starter, "functions")


def _storage_plan(mb: int) -> str:
    _c, master = master_client()
    actions.save_plan(
        master, code="tiny", name="Tiny", included_users=None, modules=["DMS"], monthly_price=0, max_storage_mb=mb
    )
    return "tiny"


def test_storage_is_measured_shown_and_refused_over_the_plan(db, today):
    t = create_tenant(modules=["DMS"])
    other = create_tenant(modules=["DMS"])
    subscribe(t, _storage_plan(1), on=today)
    subscribe(other, "business", on=today)
    with tenant_context(t):
        admin = principal(t)
        folder = dms.create_folder(admin, "Hợp đồng")
        dms.upload_document(admin, folder.pk, upload("a" * 600_000, "mot.txt"))
        assert limits.storage_bytes() == 600_000
        assert limits.usage("storage_mb") == 1  # 0.57 MB shown as 1 (rounded up)
        with translation.override("en"), pytest.raises(limits.LimitReached) as exc:
            dms.upload_document(admin, folder.pk, upload("b" * 600_000, "hai.txt"))
        assert exc.value.limit == "storage_mb" and "MB of storage" in str(exc.value)
        assert limits.storage_bytes() == 600_000  # nothing stored
    with tenant_context(other):
        assert limits.storage_bytes() == 0  # the other tenant's files are not counted
    body = web_client(t, admin_of(t)).get("/billing/").content.decode()
    assert "MB" in body and 'id="plan-features"' in body
    r = ApiClient(t, admin_of(t)).get("/api/v1/billing/subscription")
    assert r.status_code == 200, r.content
    usage = r.json()["usage"]
    assert next(u for u in usage if u["limit"] == "storage_mb") == {
        "limit": "storage_mb",
        "label": next(u["label"] for u in usage if u["limit"] == "storage_mb"),
        "used": 1,
        "allowed": 1,
    }


def test_storage_upload_over_the_plan_is_a_403_through_the_api(db, today):
    t = create_tenant(modules=["DMS"])
    subscribe(t, _storage_plan(1), on=today)
    with tenant_context(t):
        folder = dms.create_folder(principal(t), "Hồ sơ")
        dms.upload_document(principal(t), folder.pk, upload("a" * 900_000, "mot.txt"))
    api = ApiClient(t, admin_of(t))
    r = api.client.post(
        "/api/v1/documents/documents",
        {"folder_id": folder.pk, "file": upload("b" * 200_000, "hai.txt")},
        HTTP_AUTHORIZATION=f"Bearer {api.token}",
    )
    assert r.status_code == 403, r.content
    assert r.json()["limit"] == "storage_mb" and r.json()["upgrade_url"] == "/billing/"
