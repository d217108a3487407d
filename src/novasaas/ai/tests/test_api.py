"""The AI API: keys, wallet, usage, budgets, Master Admin rates/credits, and /ai/chat/completions."""

from __future__ import annotations

import json

from django.test import Client

from novasaas.ai.models import ModelRate, ProviderKey, UsageRecord
from novasaas.ai.tests.conftest import VALID
from novasaas.ai.tests.helpers import grant, master_admin
from novasaas.identity.catalogue import MANAGER
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user

CHAT = "/api/v1/ai/chat/completions"


def _api_key(api, permissions):
    r = api.post("/api/v1/api-keys", {"name": "script", "permissions": permissions})
    assert r.status_code == 201, r.content
    return r.json()["key"]


def test_keys_through_the_api_never_show_the_secret(api_a, fake):
    r = api_a.post("/api/v1/ai/keys", {"provider": "openai", "secret": VALID, "label": "main"})
    assert r.status_code == 201, r.content
    assert VALID not in r.content.decode() and r.json()["last4"] == VALID[-4:]
    listed = api_a.get("/api/v1/ai/keys")
    assert VALID not in listed.content.decode() and len(listed.json()) == 1
    bad = api_a.post("/api/v1/ai/keys", {"provider": "openai", "secret": "sk-refused-0000"})
    assert bad.status_code == 400 and "secret" in bad.json()["detail"]
    key_id = r.json()["id"]
    assert api_a.post(f"/api/v1/ai/keys/{key_id}/revoke").json()["status"] == "revoked"


def test_a_manager_cannot_manage_keys_or_see_usage(tenant_a, fake):
    api = ApiClient(tenant_a, create_user(tenant_a, MANAGER))
    assert api.get("/api/v1/ai/keys").status_code == 403
    assert api.post("/api/v1/ai/keys", {"provider": "openai", "secret": VALID}).status_code == 403
    assert api.get("/api/v1/ai/usage").status_code == 403
    assert api.get("/api/v1/ai/wallet").status_code == 403
    assert api.get("/api/v1/ai/rates").status_code == 200


def test_a_key_of_another_tenant_is_404(api_a, api_b, fake):
    r = api_b.post("/api/v1/ai/keys", {"provider": "openai", "secret": VALID})
    assert api_a.post(f"/api/v1/ai/keys/{r.json()['id']}/revoke").status_code == 404
    assert api_a.get("/api/v1/ai/keys").json() == []


def test_chat_completions_with_a_tenant_api_key(tenant_a, api_a, fake):
    grant(tenant_a, 100)
    key = _api_key(api_a, ["core.ai.chat"])
    body = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "Xin chào"}], "max_tokens": 50}
    client = Client()
    r = client.post(
        CHAT,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        HTTP_IDEMPOTENCY_KEY="job-42",
    )
    assert r.status_code == 200, r.content
    answer = r.json()
    assert answer["object"] == "chat.completion" and answer["usage"]["completion_tokens"] > 0
    assert r["X-Request-Id"] == "job-42" and r["X-AI-Key-Source"] == "shared"
    again = client.post(
        CHAT,
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {key}",
        HTTP_IDEMPOTENCY_KEY="job-42",
    )
    assert again.json() == answer and fake.counters.served == 1
    with tenant_context(tenant_a):
        usage = UsageRecord.objects.get()
    assert usage.feature == "api" and usage.user_id is None and usage.credits >= 1


def test_chat_completions_streams_server_sent_events_and_settles(tenant_a, api_a, fake):
    grant(tenant_a, 100)
    fake.behaviour.prompt_tokens, fake.behaviour.completion_tokens = 10, 1990
    body = {
        "model": "gpt-3.5-turbo",
        "messages": [{"role": "user", "content": "hi"}],
        "max_tokens": 2000,
        "stream": True,
    }
    r = api_a.post(CHAT, body)
    assert r.status_code == 200 and r["Content-Type"] == "text/event-stream"
    events = b"".join(r.streaming_content).decode().split("\n\n")
    assert events[-2] == "data: [DONE]"
    chunks = [json.loads(e[6:]) for e in events[:-2]]
    assert "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"]) == fake.behaviour.reply
    assert chunks[-1]["usage"]["total_tokens"] == 2000
    with tenant_context(tenant_a):
        assert UsageRecord.objects.get().credits == 2


def test_chat_completions_errors_are_4xx_in_the_openai_shape(tenant_a, api_a, fake):
    body = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "hi"}]}
    r = api_a.post(CHAT, body)
    assert r.status_code == 402 and r.json()["error"]["type"] == "insufficient_quota"
    assert api_a.post(CHAT, {**body, "model": "nope"}).status_code == 400
    assert api_a.post(CHAT, {**body, "messages": []}).status_code == 422
    assert api_a.post(CHAT, {**body, "max_tokens": 0}).status_code == 422
    assert api_a.post(CHAT, {**body, "bogus": 1}).status_code == 422
    key = _api_key(api_a, ["core.dashboard.view"])
    r = Client().post(CHAT, json.dumps(body), content_type="application/json", HTTP_AUTHORIZATION=f"Bearer {key}")
    assert r.status_code == 403
    assert Client().post(CHAT, json.dumps(body), content_type="application/json").status_code == 401


def test_master_admin_edits_rates_and_grants_credits(tenant_a, fake, api_a):
    web = Client()
    web.force_login(master_admin(), backend="django.contrib.auth.backends.ModelBackend")
    r = web.put(
        "/api/v1/ai/platform/rates",
        json.dumps(
            {
                "model": "gpt-4o-mini",
                "provider": "openai",
                "input_tokens_per_credit": 4000,
                "output_tokens_per_credit": 1000,
            }
        ),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    assert ModelRate.objects.get(model="gpt-4o-mini").output_tokens_per_credit == 1000
    r = web.post(
        "/api/v1/ai/platform/credits",
        json.dumps({"tenant": tenant_a.slug, "pack": "small"}),
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["credits"] == 25_000 and r.json()["price_vnd"] == 250_000
    assert api_a.get("/api/v1/ai/wallet").json() == {
        "balance": 25_000,
        "ledger_sum": 25_000,
        "allow_shared": True,
        "rollover_days": 0,
        "topup_threshold": 0,
        "topup_pack": "",
        "byok_plan": "",
        "byok_providers": None,  # no subscription: own keys are not limited
        "byok_providers_used": 0,
    }
    # a tenant admin is no Master Admin
    assert (
        api_a.put(
            "/api/v1/ai/platform/rates",
            {"model": "x", "provider": "openai", "input_tokens_per_credit": 1, "output_tokens_per_credit": 1},
        ).status_code
        == 403
    )


def test_budgets_through_the_api(api_a, tenant_a, fake):
    r = api_a.put("/api/v1/ai/budgets", {"limit_credits": 500, "mode": "hard"})
    assert r.status_code == 200 and r.json()["spent"] == 0
    assert api_a.put("/api/v1/ai/budgets", {"limit_credits": 500, "user_id": 999999}).status_code == 400
    assert len(api_a.get("/api/v1/ai/budgets").json()) == 1


def test_a_budget_in_vnd_is_kept_in_credits_and_refuses_in_vnd(api_a, tenant_a, fake):
    grant(tenant_a, 10_000)
    fake.behaviour.prompt_tokens, fake.behaviour.completion_tokens = 1000, 1000  # 2 credits = 20 VND
    assert api_a.put("/api/v1/ai/budgets", {"limit_vnd": 45, "mode": "hard"}).status_code == 400  # not ×10
    both = api_a.put("/api/v1/ai/budgets", {"limit_vnd": 40, "limit_credits": 4, "mode": "hard"})
    assert both.status_code == 400
    assert api_a.put("/api/v1/ai/budgets", {"mode": "hard"}).status_code == 400  # neither: nothing written
    assert api_a.get("/api/v1/ai/budgets").json() == []
    r = api_a.put("/api/v1/ai/budgets", {"limit_vnd": 40, "mode": "hard"})
    assert r.status_code == 200, r.content
    assert (r.json()["unit"], r.json()["limit_credits"], r.json()["limit_vnd"]) == ("vnd", 4, 40)
    body = {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 1000}
    assert api_a.post(CHAT, body).status_code == 200
    assert api_a.post(CHAT, body).status_code == 200
    refused = api_a.post(CHAT, body)
    assert refused.status_code == 429 and "40 VND" in refused.json()["detail"]
    assert api_a.get("/api/v1/ai/budgets").json()[0]["spent_vnd"] == 40


def test_usage_and_ledger_lists(api_a, tenant_a, fake):
    grant(tenant_a, 100)
    api_a.post(CHAT, {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "hi"}]})
    usage = api_a.get("/api/v1/ai/usage").json()
    assert usage["count"] == 1 and usage["items"][0]["status"] == "ok"
    assert [e["kind"] for e in api_a.get("/api/v1/ai/ledger").json()["items"]] == [
        "settlement",
        "release",
        "reservation",
        "grant",
    ]
    with tenant_context(tenant_a):
        assert not ProviderKey.objects.exists()


def test_text_that_cannot_be_encoded_is_a_4xx_and_nothing_stays_held(tenant_a, api_a, fake):
    grant(tenant_a, 100)
    r = api_a.post(CHAT, {"model": "gpt-3.5-turbo", "messages": [{"role": "user", "content": "a\ud800b"}]})
    assert 400 <= r.status_code < 500, r.content
    from novasaas.ai import credits

    assert credits.balance(tenant_a) == credits.ledger_sum(tenant_a) == 100
