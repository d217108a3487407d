"""PostgreSQL only: 50 concurrent requests against a wallet that pays for 10, and row-level security."""

from __future__ import annotations

import threading

import pytest
from django.apps import apps
from django.db import connection, connections

from novasaas.ai import credits, gateway
from novasaas.ai.models import UsageRecord
from novasaas.ai.tests.helpers import grant, principal
from novasaas.platform.tenancy import tenant_context

pytestmark = pytest.mark.postgres_only


def test_50_concurrent_requests_against_a_wallet_that_pays_for_10(transactional_db, tenant_a, fake):
    # gpt-4: 200 tokens per credit. Prompt "hi" is estimated at 9 tokens; 9 + 991 max output = 1,000 tokens
    # = 5 credits reserved; the fake reports exactly 9 + 991 tokens, so each served request costs 5.
    grant(tenant_a, 50)
    fake.behaviour.prompt_tokens, fake.behaviour.completion_tokens = 9, 991
    fake.behaviour.delay = 0.05
    p = principal(tenant_a)
    barrier = threading.Barrier(50)
    outcomes: list[object] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            try:
                prepared = gateway.prepare(
                    p, model="gpt-4", messages=[{"role": "user", "content": "hi"}], max_tokens=991
                )
                gateway.complete(prepared)
                result: object = "ok"
            except gateway.GatewayError as exc:
                result = exc.status
            except Exception as exc:  # reported, never a silently dead thread
                result = repr(exc)
            with lock:
                outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert len(outcomes) == 50, outcomes
    assert outcomes.count("ok") == 10, outcomes
    assert outcomes.count(402) == 40, outcomes
    with tenant_context(tenant_a):
        served = list(UsageRecord.objects.filter(status="ok").values_list("input_tokens", "output_tokens", "credits"))
        used = sum(UsageRecord.objects.values_list("credits", flat=True))
    assert len(served) == 10 == fake.counters.served
    assert credits.balance(tenant_a) == 0 == credits.ledger_sum(tenant_a)
    assert used == 50
    # the fake's own token counts converted by the rate (200 tokens per credit, rounded up per request)
    assert used == 10 * -(-(fake.counters.prompt_tokens + fake.counters.completion_tokens) // 10 // 200)
    assert sum(c for _i, _o, c in served) == 50


def test_raw_sql_sees_only_the_current_tenants_ai_rows(tenant_a, tenant_b, fake):
    for tenant in (tenant_a, tenant_b):
        grant(tenant, 100)
        gateway.complete(
            gateway.prepare(
                principal(tenant), model="gpt-3.5-turbo", messages=[{"role": "user", "content": "x"}], max_tokens=10
            )
        )
    models = [m for m in apps.get_app_config("ai").get_models() if hasattr(m, "tenant")]
    with tenant_context(tenant_a), connection.cursor() as cur:
        for model in models:
            cur.execute(f"SELECT DISTINCT tenant_id FROM {model._meta.db_table}")  # noqa: S608
            assert {row[0] for row in cur.fetchall()} <= {tenant_a.pk}, model.__name__
        cur.execute("SELECT count(*) FROM ai_creditentry")
        assert cur.fetchone()[0] == 4  # A's grant, reservation, release, settlement only
