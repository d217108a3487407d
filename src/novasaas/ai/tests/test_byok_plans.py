"""BYOK platform plans (NextFlow AI §3.3): Basic 1 provider, Standard 3, Premium 5, Enterprise unlimited —
how many providers a company's own keys may cover; chosen in the wallet settings (page and API)."""

from __future__ import annotations

import pytest

from novasaas.ai.models import ProviderKey, Wallet
from novasaas.ai.tests.conftest import VALID
from novasaas.billing.tests.helpers import subscribe
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant, web_client


def _subscribed(today):
    tenant = create_tenant(modules=["CRM"])
    subscribe(tenant, "professional", on=today)
    return tenant


def _add(api, provider):
    return api.post("/api/v1/ai/keys", {"provider": provider, "secret": VALID})


@pytest.mark.date_sensitive
def test_the_byok_plan_limits_the_providers_of_own_keys(db, today, fake):
    tenant = _subscribed(today)
    api = ApiClient(tenant, admin_of(tenant))
    plans = api.get("/api/v1/ai/byok-plans").json()
    assert [(p["code"], p["providers"], p["monthly_price_vnd"]) for p in plans] == [
        ("basic", 1, 200_000),
        ("standard", 3, 500_000),
        ("premium", 5, 1_000_000),
        ("enterprise", None, 2_000_000),
    ]
    # a subscribed company without a BYOK plan connects no provider (and the provider is not called)
    r = _add(api, "openai")
    assert r.status_code == 400 and "BYOK" in str(r.json()["detail"])
    assert api.patch("/api/v1/ai/wallet", {"byok_plan": "gold"}).status_code == 400
    wallet = api.patch("/api/v1/ai/wallet", {"byok_plan": "basic"}).json()
    assert (wallet["byok_plan"], wallet["byok_providers"], wallet["byok_providers_used"]) == ("basic", 1, 0)
    assert _add(api, "openai").status_code == 201
    assert _add(api, "openai").status_code == 201  # a second key of the same provider
    refused = _add(api, "anthropic")
    assert refused.status_code == 400 and "1" in str(refused.json()["detail"])
    # Standard: three providers; going back to Basic is refused while three are connected
    api.patch("/api/v1/ai/wallet", {"byok_plan": "standard"})
    assert _add(api, "anthropic").status_code == 201 and _add(api, "google").status_code == 201
    assert _add(api, "openrouter").status_code == 400
    back = api.patch("/api/v1/ai/wallet", {"byok_plan": "basic"})
    assert back.status_code == 400 and "openai" in str(back.json()["detail"])
    assert api.get("/api/v1/ai/wallet").json()["byok_plan"] == "standard"
    api.patch("/api/v1/ai/wallet", {"byok_plan": "enterprise"})
    assert _add(api, "openrouter").status_code == 201
    assert api.get("/api/v1/ai/wallet").json()["byok_providers"] is None
    with tenant_context(tenant):
        assert ProviderKey.objects.filter(status="active").values("provider").distinct().count() == 4


@pytest.mark.date_sensitive
def test_the_byok_plan_on_the_token_page(db, today, fake):
    tenant = _subscribed(today)
    client = web_client(tenant, admin_of(tenant))
    page = client.get("/ai/tokens/")  # in the member's language (Vietnamese)
    assert b'id="ai-byok-plan"' in page.content
    assert "Basic: 1 nhà cung cấp, 200.000 VND/tháng".encode() in page.content
    refused = client.post("/ai/tokens/keys/", {"provider": "openai", "secret": VALID, "priority": "100"})
    assert refused.status_code == 400
    assert client.post("/ai/tokens/wallet/", {"allow_shared": "on", "byok_plan": "basic"}).status_code == 302
    with tenant_context(tenant):
        assert Wallet.objects.get().byok_plan == "basic"
    assert (
        client.post("/ai/tokens/keys/", {"provider": "openai", "secret": VALID, "priority": "100"}).status_code == 302
    )
    refused = client.post("/ai/tokens/keys/", {"provider": "google", "secret": VALID, "priority": "100"})
    assert refused.status_code == 400
    with tenant_context(tenant):
        assert ProviderKey.objects.count() == 1


def test_without_subscription_own_keys_are_not_limited(tenant_a, tenant_b, api_a, fake):
    for provider in ("openai", "anthropic", "google", "openrouter"):
        assert _add(api_a, provider).status_code == 201
    assert api_a.get("/api/v1/ai/wallet").json()["byok_providers"] is None
    # the plan is the company's own: another company's wallet is untouched
    api_a.patch("/api/v1/ai/wallet", {"byok_plan": "enterprise"})
    with tenant_context(tenant_b):
        assert not Wallet.objects.filter(byok_plan="enterprise").exists()
