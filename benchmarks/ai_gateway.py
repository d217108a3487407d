"""Time the AI gateway adds per request (issue 17 §7). Prints figures; asserts only the metering.

    .venv/bin/python benchmarks/ai_gateway.py [--requests N] [--delay SECONDS]
    DATABASE_URL=postgres://novasaas@127.0.0.1:5432/novasaas_bench_ai .venv/bin/python benchmarks/ai_gateway.py

Against the loopback fake provider (``novasaas.ai.fake_provider``) answering after a fixed delay, each
request goes through the whole gateway on shared credits: authorise, idempotency row, route, reserve
(wallet + budget conditional UPDATEs), provider call, settle, usage record. The time the provider call
takes (measured around the SDK call, so it includes the SDK's own HTTP work) is subtracted from the
request's total: "added" is what NovaSaaS spends around the call. Concurrency 1 and 16 (threads). Then
the metering is checked: ledger sum = wallet balance = grant − Σ usage credits, and Σ usage credits =
the fake's token counts converted by the rate. Also: resolving a tenant API key (token validation) and
opening a sealed BYOK key. Uses a throw-away SQLite database unless DATABASE_URL is set (an empty
database you can discard: it is migrated).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")
os.environ.setdefault("NOVASAAS_TESTING", "1")  # the development master key and fast password hashing
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connections  # noqa: E402

from novasaas.ai import credits, gateway, keys, providers  # noqa: E402
from novasaas.ai.fake_provider import FakeProvider  # noqa: E402
from novasaas.ai.models import ProviderKey, UsageRecord  # noqa: E402
from novasaas.identity.access import principal_for  # noqa: E402
from novasaas.identity.models import Membership  # noqa: E402
from novasaas.platform.tenancy import tenant_context  # noqa: E402

SHARED = "sk-bench-shared-0001"
_local = threading.local()
_real_chat = providers.chat


def _timed_chat(*args, **kwargs):  # type: ignore[no-untyped-def]
    t0, c0 = time.perf_counter(), time.thread_time()
    try:
        return _real_chat(*args, **kwargs)
    finally:
        _local.provider = time.perf_counter() - t0
        _local.provider_cpu = time.thread_time() - c0


def pct(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


def run(principal, n: int, concurrency: int, tag: str, cpu: list[float] | None = None) -> list[float]:  # type: ignore[no-untyped-def]
    def one(i: int) -> float:
        try:
            t0, c0 = time.perf_counter(), time.thread_time()
            prepared = gateway.prepare(
                principal,
                model="gpt-3.5-turbo",
                messages=[{"role": "user", "content": "Xin chào"}],
                max_tokens=64,
                request_id=f"{tag}-{i}",
            )
            gateway.complete(prepared)
            if cpu is not None:
                cpu.append((time.thread_time() - c0 - _local.provider_cpu) * 1000)
            return (time.perf_counter() - t0 - _local.provider) * 1000
        finally:
            if concurrency > 1:
                connections.close_all()

    if concurrency == 1:
        return [one(i) for i in range(n)]
    with ThreadPoolExecutor(concurrency) as pool:
        return list(pool.map(one, range(n)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--delay", type=float, default=0.02)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    from novasaas.platform.testing.fixtures import admin_of, create_tenant

    tenant = create_tenant(f"bench{int(time.time())}", modules=[])
    fake = FakeProvider().start()
    fake.behaviour.valid_keys = {SHARED, "sk-bench-own-0001"}
    fake.behaviour.delay = args.delay
    settings.AI_BASE_URLS = {p: fake.base_url(p) for p in providers.DEFAULT_BASE_URLS}
    settings.AI_SHARED_KEYS = {p: SHARED for p in providers.DEFAULT_BASE_URLS}
    providers.chat = _timed_chat  # type: ignore[assignment]
    gateway.providers.chat = _timed_chat  # type: ignore[attr-defined]
    from novasaas.ai.tests.helpers import master_admin

    grant = 10_000_000
    credits.add_credits(master_admin(), tenant, credits=grant)
    with tenant_context(tenant):
        principal = principal_for(Membership.objects.select_related("tenant", "user").get(user=admin_of(tenant)))
    print(f"database: {connections['default'].vendor}; fake provider delay {args.delay * 1000:.0f} ms")
    run(principal, 20, 1, "warm")
    for concurrency in (1, 16):
        cpu: list[float] = []
        added = run(principal, args.requests, concurrency, f"c{concurrency}", cpu)
        print(
            f"concurrency {concurrency:>2}: added p50 {pct(added, 0.5):6.2f} ms  p95 {pct(added, 0.95):6.2f} ms  "
            f"p99 {pct(added, 0.99):6.2f} ms  ({len(added)} requests); CPU of the gateway p50 {pct(cpu, 0.5):.2f} ms"
        )
    # metering exact after the run
    with tenant_context(tenant):
        used = sum(UsageRecord.objects.values_list("credits", flat=True))
        served = UsageRecord.objects.filter(status="ok").count()
    per_request = -(-(fake.counters.prompt_tokens + fake.counters.completion_tokens) // fake.counters.served // 1000)
    assert credits.ledger_sum(tenant) == credits.balance(tenant) == grant - used, "ledger and wallet disagree"
    assert used == served * per_request == fake.counters.served * per_request, "usage ≠ provider tokens by rate"
    print(f"metering: {served} served, {used} credits, ledger = balance = {credits.balance(tenant)} ✓")
    # token validation: a tenant API key, and opening a sealed provider key
    from novasaas.identity.models import ApiKey
    from novasaas.identity.tokens import format_api_key, new_api_key_secret, resolve_api_key

    secret, digest = new_api_key_secret()
    with tenant_context(tenant):
        api_key = ApiKey.objects.create(name="bench", prefix=secret[:8], secret_hash=digest, permissions=[])
        own = keys.add_key(principal, provider="openai", secret="sk-bench-own-0001")
        own = ProviderKey.objects.get(pk=own.pk)
    raw = format_api_key(api_key.pk, secret)
    samples = []
    for _ in range(200):
        t0 = time.perf_counter()
        resolve_api_key(raw)
        samples.append((time.perf_counter() - t0) * 1000)
    print(f"API key validation: p50 {pct(samples, 0.5):.3f} ms  p99 {pct(samples, 0.99):.3f} ms")
    samples = []
    with tenant_context(tenant):
        for _ in range(200):
            t0 = time.perf_counter()
            keys.open_secret(own)
            samples.append((time.perf_counter() - t0) * 1000)
    print(
        f"open a sealed BYOK key (data key read + 2×AES-GCM): p50 {pct(samples, 0.5):.3f} ms  "
        f"p99 {pct(samples, 0.99):.3f} ms"
    )
    fake.stop()


if __name__ == "__main__":
    main()
