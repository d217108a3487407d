"""Anthropic's native Messages API: the gateway speaks it to the loopback fake (x-api-key, anthropic-version,
content blocks, SSE events with usage) and meters its usage exactly like the OpenAI protocol."""

from __future__ import annotations

import json

from novasaas.ai import credits, gateway, keys
from novasaas.ai.models import CreditEntry, UsageRecord
from novasaas.ai.tests.conftest import VALID
from novasaas.ai.tests.helpers import ask, grant, principal
from novasaas.platform.tenancy import tenant_context

CLAUDE = "claude-3-sonnet"  # 300 tokens per credit (seeded rate)


def _ledger_ok(tenant):
    assert credits.balance(tenant) == credits.ledger_sum(tenant) >= 0


def test_a_shared_credit_request_goes_through_the_messages_api_and_is_metered(tenant_a, fake):
    grant(tenant_a, 1000)
    fake.behaviour.prompt_tokens, fake.behaviour.completion_tokens = 400, 200
    p = principal(tenant_a)
    prepared = gateway.prepare(
        p,
        model=CLAUDE,
        messages=[{"role": "system", "content": "Ngắn gọn."}, {"role": "user", "content": "Xin chào"}],
        max_tokens=300,
    )
    answer = gateway.complete(prepared)
    assert answer["choices"][0]["message"]["content"] == fake.behaviour.reply
    # the wire body was the native one: system apart, content blocks, no OpenAI-only fields
    body = fake.counters.last_body
    assert body["system"] == "Ngắn gọn." and body["max_tokens"] == 300
    assert body["messages"] == [{"role": "user", "content": [{"type": "text", "text": "Xin chào"}]}]
    assert fake.counters.providers == ["anthropic"]
    with tenant_context(tenant_a):
        usage = UsageRecord.objects.get()
    # ⌈(400 + 200) / 300⌉ = 2 credits, computed by hand
    assert (usage.input_tokens, usage.output_tokens, usage.credits, usage.cost_vnd) == (400, 200, 2, 20)
    assert usage.provider == "anthropic" and usage.status == "ok"
    assert credits.balance(tenant_a) == 998
    _ledger_ok(tenant_a)


def test_a_streamed_answer_is_settled_on_the_message_delta_usage(tenant_a, api_a, fake):
    grant(tenant_a, 1000)
    fake.behaviour.prompt_tokens, fake.behaviour.completion_tokens = 100, 800
    body = {"model": CLAUDE, "messages": [{"role": "user", "content": "hi"}], "max_tokens": 900, "stream": True}
    r = api_a.post("/api/v1/ai/chat/completions", body)
    assert r.status_code == 200
    events = b"".join(r.streaming_content).decode().split("\n\n")
    chunks = [json.loads(e[6:]) for e in events if e.startswith("data: {")]
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c["choices"])
    assert text == fake.behaviour.reply
    assert chunks[-1]["usage"] == {"prompt_tokens": 100, "completion_tokens": 800, "total_tokens": 900}
    with tenant_context(tenant_a):
        usage = UsageRecord.objects.get()
    assert (usage.status, usage.credits) == ("ok", 3)  # ⌈900 / 300⌉
    assert fake.counters.last_body["stream"] is True
    _ledger_ok(tenant_a)


def test_a_broken_event_stream_is_settled_on_what_was_produced(tenant_a, fake):
    grant(tenant_a, 1000)
    fake.behaviour.break_after = 2  # "Xin " "chào! " then the connection drops before message_delta
    p = principal(tenant_a)
    prepared = gateway.prepare(p, model=CLAUDE, messages=[{"role": "user", "content": "a"}], max_tokens=100)
    produced = "".join(
        (c["choices"][0]["delta"].get("content") or "") for c in gateway.start_stream(prepared) if c["choices"]
    )
    assert produced == "Xin chào! "
    with tenant_context(tenant_a):
        usage = UsageRecord.objects.get()
        kinds = sorted(CreditEntry.objects.values_list("kind", flat=True))
    assert usage.status == "partial"
    # prompt upper bound: 3 + 4 + 1 byte = 8 tokens; output: ⌈11 bytes / 4⌉ = 3 tokens → ⌈11 / 300⌉ = 1 credit
    assert (usage.input_tokens, usage.output_tokens, usage.credits) == (8, 3, 1)
    assert kinds == ["grant", "release", "reservation", "settlement"]
    _ledger_ok(tenant_a)


def test_an_own_anthropic_key_is_checked_natively_and_falls_back_to_credits_on_401(tenant_a, fake):
    from django.core.exceptions import ValidationError

    p = principal(tenant_a)
    try:
        keys.add_key(p, provider="anthropic", secret="sk-ant-refused-0000", label="", priority=1)
        raise AssertionError("a refused key was saved")
    except ValidationError:
        pass
    with tenant_context(tenant_a):
        key = keys.add_key(p, provider="anthropic", secret=VALID, label="own", priority=1)
    grant(tenant_a, 1000)
    # the key answers → no credit is used
    _prepared, _answer = ask(p, model=CLAUDE)
    with tenant_context(tenant_a):
        first = UsageRecord.objects.get()
    assert (first.key_source, first.credits, first.fallback) == ("byok", 0, False)
    # the provider now refuses the key (401 in Anthropic's error shape) → shared credits serve it
    fake.behaviour.fail_status = {VALID: 401}
    _prepared, answer = ask(p, model=CLAUDE, request_id="second")
    assert answer["choices"][0]["message"]["content"] == fake.behaviour.reply
    with tenant_context(tenant_a):
        second = UsageRecord.objects.get(request_id="second")
        key.refresh_from_db()
    assert (second.key_source, second.fallback, second.status) == ("shared", True, "ok")
    assert key.failures == 1
    _ledger_ok(tenant_a)


def test_a_request_without_anthropic_version_is_refused_by_the_fake(db, fake):
    """The fake checks the native protocol's required header, so the tests above prove the SDK sent it."""
    import urllib.error
    import urllib.request

    req = urllib.request.Request(
        fake.base_url("anthropic") + "/messages",
        data=json.dumps({"model": CLAUDE, "max_tokens": 5, "messages": [{"role": "user", "content": "x"}]}).encode(),
        headers={"x-api-key": VALID, "content-type": "application/json"},
    )
    try:
        urllib.request.urlopen(req, timeout=5)  # noqa: S310 - loopback fake
        raise AssertionError("accepted without anthropic-version")
    except urllib.error.HTTPError as exc:
        assert exc.code == 400
        assert json.loads(exc.read())["error"]["type"] == "invalid_request_error"


def test_a_streamed_tool_call_arrives_as_openai_tool_call_deltas_and_is_metered(tenant_a, api_a, fake):
    grant(tenant_a, 1000)
    fake.behaviour.prompt_tokens, fake.behaviour.completion_tokens = 250, 50
    fake.behaviour.tool_call = ("stock_of_product", {"sku": "SP-001", "kho": "Hà Nội"})
    tool = {"type": "function", "function": {"name": "stock_of_product", "parameters": {"type": "object"}}}
    body = {
        "model": CLAUDE,
        "messages": [{"role": "user", "content": "Tồn kho SP-001?"}],
        "max_tokens": 200,
        "stream": True,
        "tools": [tool],
    }
    r = api_a.post("/api/v1/ai/chat/completions", body)
    assert r.status_code == 200
    events = b"".join(r.streaming_content).decode().split("\n\n")
    chunks = [json.loads(e[6:]) for e in events if e.startswith("data: {")]
    deltas = [d for c in chunks if c["choices"] for d in c["choices"][0]["delta"].get("tool_calls", [])]
    assert deltas[0]["id"] == "toolu_1" and deltas[0]["function"]["name"] == "stock_of_product"
    assert len(deltas) == 3 and {d["index"] for d in deltas} == {0}  # start + two input_json_delta pieces
    arguments = "".join(d["function"]["arguments"] for d in deltas)
    assert json.loads(arguments) == {"sku": "SP-001", "kho": "Hà Nội"}
    finish = [c["choices"][0]["finish_reason"] for c in chunks if c["choices"] and c["choices"][0]["finish_reason"]]
    assert finish == ["tool_calls"]
    assert chunks[-1]["usage"] == {"prompt_tokens": 250, "completion_tokens": 50, "total_tokens": 300}
    assert fake.counters.last_body["tools"][0]["name"] == "stock_of_product"
    with tenant_context(tenant_a):
        usage = UsageRecord.objects.get()
    assert (usage.status, usage.credits, usage.output_tokens) == ("ok", 1, 50)  # ⌈300 / 300⌉
    _ledger_ok(tenant_a)
