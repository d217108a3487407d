"""Metering: reserve → call → settle → record; streaming; broken streams; idempotency; fallback; budgets."""

from __future__ import annotations

import pytest

from novasaas.ai import budgets, credits, gateway, keys
from novasaas.ai.models import (
    BudgetAlert,
    BudgetMode,
    CreditEntry,
    KeySource,
    ProviderKey,
    UsageRecord,
    UsageStatus,
    Wallet,
)
from novasaas.ai.tests.conftest import VALID
from novasaas.ai.tests.helpers import ask, grant, principal
from novasaas.identity.catalogue import EMPLOYEE, SALES_STAFF
from novasaas.platform.models import Notification
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user


def _totals(tenant):
    with tenant_context(tenant):
        used = sum(UsageRecord.objects.values_list("credits", flat=True))
    return credits.balance(tenant), credits.ledger_sum(tenant), used


def test_credits_are_rounded_up_per_request_with_separate_rates():
    from novasaas.ai.models import ModelRate

    rate = ModelRate(model="m", provider="openai", input_tokens_per_credit=1000, output_tokens_per_credit=500)
    assert credits.credits_for(rate, 0, 0) == 0
    assert credits.credits_for(rate, 1, 0) == 1
    assert credits.credits_for(rate, 1000, 0) == 1
    assert credits.credits_for(rate, 1000, 500) == 2
    assert credits.credits_for(rate, 1001, 500) == 3


def test_a_shared_request_reserves_then_settles_on_reported_usage(tenant_a, fake):
    grant(tenant_a, 1000)
    fake.behaviour.prompt_tokens, fake.behaviour.completion_tokens = 1500, 600
    p = principal(tenant_a)
    prepared, answer = ask(p, max_tokens=1000)
    assert answer["choices"][0]["message"]["content"].startswith("Xin chào")
    with tenant_context(tenant_a):
        usage = UsageRecord.objects.get()
        kinds = list(CreditEntry.objects.order_by("pk").values_list("kind", "credits"))
    # gpt-3.5-turbo: 1,000 tokens per credit → 2,100 tokens = 3 credits (rounded up)
    assert (usage.input_tokens, usage.output_tokens, usage.credits, usage.cost_vnd) == (1500, 600, 3, 30)
    assert usage.status == UsageStatus.OK and usage.key_source == KeySource.SHARED and not usage.fallback
    reserved = usage.reserved_credits
    # the estimate (1 token per prompt byte + 1,000 output) reserved 2; the fake reports more prompt tokens
    # than the prompt has bytes, so the third credit is taken from the wallet at settlement
    assert reserved == 2
    assert kinds == [("grant", 1000), ("reservation", -reserved), ("release", reserved), ("settlement", -3)]
    assert _totals(tenant_a) == (997, 997, 3)


def test_a_charge_above_the_reservation_never_takes_the_wallet_below_zero(tenant_a, fake):
    grant(tenant_a, 2)
    fake.behaviour.prompt_tokens, fake.behaviour.completion_tokens = 5000, 1000
    ask(principal(tenant_a), max_tokens=1000)
    with tenant_context(tenant_a):
        usage = UsageRecord.objects.get()
    assert usage.credits == 2  # 6 were due, the wallet held 2
    assert _totals(tenant_a) == (0, 0, 2)


def test_a_model_without_a_rate_is_refused_on_shared_credits(tenant_a, fake):
    grant(tenant_a, 1000)
    with pytest.raises(gateway.GatewayError, match="chưa có đơn giá") as err:
        ask(principal(tenant_a), model="gpt-5-unrated")
    assert err.value.status == 400
    assert fake.counters.requests == 0


def test_not_enough_credits_refuses_before_calling_the_provider(tenant_a, fake):
    grant(tenant_a, 1)
    with pytest.raises(gateway.GatewayError) as err:
        ask(principal(tenant_a), max_tokens=5000)
    assert err.value.status == 402
    assert fake.counters.requests == 0
    with tenant_context(tenant_a):
        assert UsageRecord.objects.get().status == UsageStatus.REFUSED
    assert _totals(tenant_a) == (1, 1, 0)


def test_the_same_request_id_is_served_and_charged_once(tenant_a, fake):
    grant(tenant_a, 100)
    p = principal(tenant_a)
    _, first = ask(p, request_id="req-1")
    _, again = ask(p, request_id="req-1")
    assert first == again
    assert fake.counters.served == 1
    with tenant_context(tenant_a):
        assert UsageRecord.objects.count() == 1


def test_a_streamed_request_is_settled_on_the_usage_chunk(tenant_a, fake):
    grant(tenant_a, 100)
    fake.behaviour.prompt_tokens, fake.behaviour.completion_tokens = 900, 1200
    p = principal(tenant_a)
    prepared = gateway.prepare(p, model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}], max_tokens=2000)
    chunks = list(gateway.start_stream(prepared))
    text = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c.get("choices"))
    assert text == fake.behaviour.reply
    with tenant_context(tenant_a):
        usage = UsageRecord.objects.get()
    assert (usage.status, usage.input_tokens, usage.output_tokens, usage.credits) == ("ok", 900, 1200, 3)
    assert _totals(tenant_a) == (97, 97, 3)


def test_a_broken_stream_is_charged_for_what_was_produced(tenant_a, fake):
    grant(tenant_a, 100)
    fake.behaviour.reply = " ".join(["từ"] * 50)
    fake.behaviour.break_after = 10
    p = principal(tenant_a)
    prepared = gateway.prepare(p, model="gpt-4", messages=[{"role": "user", "content": "hi"}], max_tokens=400)
    chunks = list(gateway.start_stream(prepared))
    produced = "".join(c["choices"][0]["delta"].get("content", "") for c in chunks if c.get("choices"))
    assert produced.count("từ") == 10
    with tenant_context(tenant_a):
        usage = UsageRecord.objects.get()
    assert usage.status == UsageStatus.PARTIAL
    assert usage.output_tokens == -(-len(produced.encode()) // 4)
    assert 0 < usage.credits <= usage.reserved_credits
    balance, ledger, used = _totals(tenant_a)
    assert balance == ledger == 100 - used


def test_an_abandoned_stream_is_settled_when_closed(tenant_a, fake):
    grant(tenant_a, 100)
    fake.behaviour.reply = " ".join(["word"] * 30)
    prepared = gateway.prepare(
        principal(tenant_a), model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}], max_tokens=100
    )
    stream = gateway.start_stream(prepared)
    next(stream), next(stream), next(stream)
    stream.close()  # the browser went away
    with tenant_context(tenant_a):
        usage = UsageRecord.objects.get()
    assert usage.status == UsageStatus.PARTIAL and usage.credits >= 1
    balance, ledger, used = _totals(tenant_a)
    assert balance == ledger == 100 - used


def _own_key(tenant, provider="openai", secret=VALID, priority=100):
    fake_keys = {secret}
    with tenant_context(tenant):
        return keys.add_key(principal(tenant), provider=provider, secret=secret, priority=priority), fake_keys


@pytest.mark.parametrize("status", [401, 429, 500])
def test_a_failing_own_key_falls_back_to_shared_credits(tenant_a, fake, status):
    grant(tenant_a, 100)
    _own_key(tenant_a)
    fake.behaviour.fail_status = {VALID: status}
    _, answer = ask(principal(tenant_a))
    assert answer["choices"]
    with tenant_context(tenant_a):
        usage = UsageRecord.objects.get()
        key = ProviderKey.objects.get()
    assert usage.key_source == KeySource.SHARED and usage.fallback and usage.credits >= 1
    assert key.failures == 1 and f"answered {status}" in key.last_error


def test_a_timeout_falls_back_to_the_next_own_provider(tenant_a, fake, settings):
    fake.behaviour.valid_keys.add("sk-router-key-0002")
    _own_key(tenant_a, priority=1)
    _own_key(tenant_a, provider="openrouter", secret="sk-router-key-0002", priority=2)
    settings.AI_PROVIDER_TIMEOUT = 0.3
    fake.behaviour.fail_status = {}
    fake.behaviour.delay = 0.5
    with pytest.raises(gateway.GatewayError) as err:  # both own keys time out, and there are no credits
        ask(principal(tenant_a))
    assert err.value.status == 402
    fake.behaviour.delay = 0
    fake.behaviour.fail_status = {VALID: 500}
    _, answer = ask(principal(tenant_a))
    with tenant_context(tenant_a):
        usage = UsageRecord.objects.filter(status="ok").get()
    assert usage.provider == "openrouter" and usage.key_source == KeySource.BYOK and usage.fallback
    assert usage.credits == 0  # the company pays its provider directly: no credits, no markup
    assert fake.counters.providers[-1] == "openrouter"


def test_own_key_served_first_costs_no_credits(tenant_a, fake):
    grant(tenant_a, 10)
    _own_key(tenant_a)
    ask(principal(tenant_a))
    with tenant_context(tenant_a):
        usage = UsageRecord.objects.get()
    assert usage.key_source == KeySource.BYOK and not usage.fallback and usage.credits == 0
    assert _totals(tenant_a) == (10, 10, 0)


def test_without_shared_credits_allowed_a_failing_key_fails_clearly(tenant_a, fake):
    grant(tenant_a, 100)
    with tenant_context(tenant_a):
        Wallet.objects.filter(tenant=tenant_a).update(allow_shared=False)
    _own_key(tenant_a)
    fake.behaviour.fail_status = {VALID: 429}
    with pytest.raises(gateway.GatewayError) as err:
        ask(principal(tenant_a))
    assert err.value.status == 502
    with tenant_context(tenant_a):
        assert UsageRecord.objects.get().status == UsageStatus.FAILED


def test_the_circuit_opens_after_three_failures(tenant_a, fake):
    grant(tenant_a, 100)
    _own_key(tenant_a)
    fake.behaviour.fail_status = {VALID: 500}
    for _ in range(3):
        ask(principal(tenant_a))
    calls = fake.counters.requests
    ask(principal(tenant_a))
    assert fake.counters.requests == calls + 1  # the own key was skipped: straight to shared
    with tenant_context(tenant_a):
        assert ProviderKey.objects.get().open_until is not None
        assert Notification.objects.filter(title__contains="lỗi liên tục").exists()


def test_a_hard_budget_refuses_and_thresholds_alert_once(tenant_a, fake):
    grant(tenant_a, 10_000)
    fake.behaviour.prompt_tokens, fake.behaviour.completion_tokens = 1000, 1000
    p = principal(tenant_a)
    with tenant_context(tenant_a):
        budgets.save_budget(p, user_id=None, limit_credits=8, mode=BudgetMode.HARD)
    ask(p, max_tokens=1000)  # estimate 2 credits, charged 2: 25 %
    ask(p, max_tokens=1000)  # 50 %
    ask(p, max_tokens=1000)  # 75 %
    ask(p, max_tokens=1000)  # 100 %
    with pytest.raises(gateway.GatewayError, match="Ngân sách") as err:
        ask(p, max_tokens=1000)
    assert err.value.status == 429
    with tenant_context(tenant_a):
        assert sorted(BudgetAlert.objects.values_list("threshold", flat=True)) == [50, 80, 100]
        assert Notification.objects.filter(title__contains="Ngân sách AI").count() == 3


def test_a_soft_budget_only_alerts(tenant_a, fake):
    grant(tenant_a, 10_000)
    fake.behaviour.prompt_tokens, fake.behaviour.completion_tokens = 1000, 1000
    p = principal(tenant_a)
    with tenant_context(tenant_a):
        budgets.save_budget(p, user_id=p.user.pk, limit_credits=2, mode=BudgetMode.SOFT)
    ask(p, max_tokens=1000)
    ask(p, max_tokens=1000)
    with tenant_context(tenant_a):
        assert list(BudgetAlert.objects.values_list("threshold", flat=True).order_by("threshold")) == [50, 80, 100]


def test_chat_needs_the_right_and_functions_need_theirs(tenant_a, fake):
    from django.core.exceptions import PermissionDenied

    grant(tenant_a, 100)
    employee = create_user(tenant_a, EMPLOYEE)
    with pytest.raises(PermissionDenied):
        ask(principal(tenant_a, employee))
    staff = create_user(tenant_a, SALES_STAFF)
    ask(principal(tenant_a, staff))
    with pytest.raises(PermissionDenied):
        ask(principal(tenant_a, staff), feature="functions")


def test_wallets_and_usage_are_per_tenant(tenant_a, tenant_b, fake):
    grant(tenant_a, 100)
    ask(principal(tenant_a))
    assert credits.balance(tenant_b) == 0
    with pytest.raises(gateway.GatewayError) as err:
        ask(principal(tenant_b))
    assert err.value.status == 402
    with tenant_context(tenant_b):
        assert UsageRecord.objects.filter(status="ok").count() == 0
        assert CreditEntry.objects.count() == 0


def test_a_reservation_left_by_a_dead_process_is_released(tenant_a, fake):
    import datetime as dt

    from django.core.management import call_command
    from django.utils import timezone

    grant(tenant_a, 100)
    p = principal(tenant_a)
    with tenant_context(tenant_a):
        budgets.save_budget(p, user_id=None, limit_credits=50, mode=BudgetMode.HARD)
    prepared = gateway.prepare(p, model="gpt-3.5-turbo", messages=[{"role": "user", "content": "hi"}], max_tokens=2000)
    # shared credits only: prepare reserved with the registration, then the process "dies" before the call
    assert prepared.reserved_early
    held = prepared.usage.reserved_credits
    assert credits.balance(tenant_a) == 100 - held
    call_command("ai_release_stale")  # too recent: left alone
    assert credits.balance(tenant_a) == 100 - held
    with tenant_context(tenant_a):
        UsageRecord.objects.update(created_at=timezone.now() - dt.timedelta(hours=1))
    call_command("ai_release_stale")
    call_command("ai_release_stale")  # idempotent
    assert _totals(tenant_a) == (100, 100, 0)
    with tenant_context(tenant_a):
        assert UsageRecord.objects.get().status == UsageStatus.FAILED
        from novasaas.ai.models import BudgetPeriod

        assert BudgetPeriod.objects.get().reserved == 0
