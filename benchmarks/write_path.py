"""The ledger's write path (issue 11): postings per second with concurrent sessions, and the API journal
entry with ``post: true`` through gunicorn. Prints figures; asserts nothing.

    DATABASE_URL=postgres://novasaas@127.0.0.1:5432/novasaas_bench_chain \\
        .venv/bin/python benchmarks/write_path.py [--postings 2000] [--sessions 1,8] \\
        [--clients 1,8,32] [--seconds 15] [--workers 4] [--skip-api] [--batch 100]

Point DATABASE_URL at a database you can discard (migrated by the script; SQLite by default, where
concurrent writers queue on the file lock). Measures:

1. ``post_source_document`` one document per transaction (3 lines by role, one partner line), by 1 and 8
   concurrent sessions — separate processes, each with its own connection, released together — into
   one tenant: entries per second over all sessions, and the statements of one posting;
2. ``POST /api/v1/accounting/entries`` with ``post: true`` through gunicorn (``--workers`` sync workers,
   started and stopped by the script) at 1, 8 and 32 clients. The load generator is bounded: each
   client is a closed loop that sends its next request only when the previous one answered, so at most
   N requests are in flight; it runs ``--seconds`` and prints requests/s, p50/p95 latency and errors.
   The statements per request are counted in process (Django test client, same middleware, the
   per-process caches warm, as in a worker after its first request).
"""

from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# NOVASAAS_SRC: another checkout's src/ (e.g. ``git archive <commit> src``) to measure before/after
SRC = Path(os.environ.get("NOVASAAS_SRC") or ROOT / "src")
sys.path.insert(0, str(SRC))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"
# the gunicorn workers must accept this process's tokens: one secret for both, never the dev default
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("JWT_SECRET", secrets.token_urlsafe(50))

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, connections  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


def line(name: str, value: float, unit: str) -> None:
    print(f"{name:<62} {value:>10,.1f} {unit}", flush=True)


def setup() -> tuple:  # type: ignore[type-arg]
    from novasaas.accounting import actions
    from novasaas.accounting.tests.helpers import make_party
    from novasaas.platform.testing.fixtures import create_tenant, create_user

    call_command("migrate", verbosity=0)
    tenant = create_tenant(f"wp{int(time.time())}")
    user = create_user(tenant, "finance_manager")
    actions.ensure_chart(tenant)
    party = make_party(tenant)
    return tenant, user, party


def document_lines(amount: int, party: int) -> list[tuple]:  # type: ignore[type-arg]
    net = Decimal(amount) * 10 / 11
    net = net.quantize(Decimal(1))
    return [
        ("receivable", amount, 0, party, ""),
        ("revenue", 0, net, None, ""),
        ("output_vat", 0, amount - net, None, ""),
    ]


def _poster(tenant, party, first: int, count: int, barrier, results) -> None:  # type: ignore[no-untyped-def]
    from novasaas.accounting import actions

    connections.close_all()  # a connection of its own, not the parent's
    day = timezone.localdate()
    actions.post_source_document(tenant, "bench.warmup", first, day, document_lines(1100, party))  # caches
    barrier.wait()
    t0, c0 = time.perf_counter(), time.process_time()
    took = []
    for i in range(first + 1, first + count + 1):
        start = time.perf_counter()
        actions.post_source_document(tenant, "bench.single", i, day, document_lines(1100 + i % 97, party))
        took.append(time.perf_counter() - start)
    results.put((t0, time.perf_counter(), time.process_time() - c0, took))
    connections.close_all()


def batch_postings(tenant, party, batch: int, total: int, offset: int) -> None:  # type: ignore[no-untyped-def]
    """``post_source_documents`` in batches of ``batch`` by one session: what a worker posting an outbox
    of Inventory's documents in batches would reach (issue 11 item 4)."""
    from novasaas.accounting import actions

    day = timezone.localdate()
    docs = [
        actions.SourceDocument("bench.batch", offset + i, day, document_lines(1100 + i % 97, party))
        for i in range(total)
    ]
    t0, c0 = time.perf_counter(), time.process_time()
    for k in range(0, total, batch):
        actions.post_source_documents(tenant, docs[k : k + batch])
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    line(f"post_source_documents, batches of {batch}, {total} entries", total / elapsed, "entries/s")
    line("  Python CPU per posting", cpu / total * 1000, "ms")


def single_postings(tenant, party, sessions: int, total: int, offset: int) -> None:  # type: ignore[no-untyped-def]
    ctx = multiprocessing.get_context("fork")
    per = total // sessions
    barrier, results = ctx.Barrier(sessions), ctx.Queue()
    connections.close_all()
    procs = [
        ctx.Process(target=_poster, args=(tenant, party, offset + s * (per + 1), per, barrier, results))
        for s in range(sessions)
    ]
    for p in procs:
        p.start()
    waits: dict[str, int] = {}
    done = threading.Event()
    sampler = threading.Thread(target=_sample_waits, args=(waits, done))
    sampler.start()
    spans = [results.get(timeout=900) for _p in procs]
    done.set()
    sampler.join()
    for p in procs:
        p.join()
    wall = max(t1 for _t0, t1, _cpu, _took in spans) - min(t0 for t0, _t1, _cpu, _took in spans)
    cpu = sum(c for _t0, _t1, c, _took in spans)
    took = sorted(x for *_rest, t in spans for x in t)
    line(f"post_source_document, {sessions} session(s), {per * sessions} entries", per * sessions / wall, "entries/s")
    line("  Python CPU per posting (all sessions)", cpu / (per * sessions) * 1000, "ms")
    if took:
        p95 = took[max(0, int(len(took) * 0.95) - 1)]
        line("  latency per posting p50 / p95", statistics.median(took) * 1000, f"ms / {p95 * 1000:.1f} ms")
    if waits:
        total = sum(waits.values())
        top = ", ".join(f"{k} {v * 100 / total:.0f}%" for k, v in sorted(waits.items(), key=lambda kv: -kv[1])[:6])
        print(f"    sessions' state when sampled: {top}", flush=True)


def _sample_waits(waits: dict[str, int], done: threading.Event) -> None:
    """What the posting sessions are doing, sampled every 20 ms (PostgreSQL): on CPU, waiting for a
    lock (which), or idle in transaction (the client's Python time)."""
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        while not done.wait(0.02):
            cursor.execute(
                "SELECT state, wait_event_type, wait_event FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
            )
            for state, kind, event in cursor.fetchall():
                key = f"{state}" + (f":{kind}:{event}" if kind and state == "active" else "")
                waits[key] = waits.get(key, 0) + 1
    connections.close_all()


def statements_of_one_posting(tenant, party) -> None:  # type: ignore[no-untyped-def]
    from novasaas.accounting import actions

    day = timezone.localdate()
    actions.post_source_document(tenant, "bench.count", 1, day, document_lines(1100, party))
    with CaptureQueriesContext(connection) as ctx:
        actions.post_source_document(tenant, "bench.count", 2, day, document_lines(1100, party))
    line("  statements of one post_source_document (3 lines)", len(ctx.captured_queries), "")


def entry_payload(i: int) -> str:
    amount = str(100000 + i % 1000)
    return json.dumps(
        {
            "journal": "GEN",
            "date": timezone.localdate().isoformat(),
            "memo": f"bench {i}",
            "lines": [{"account": "1111", "debit": amount}, {"account": "4111", "credit": amount}],
            "post": True,
        }
    )


def statements_per_request(token: str) -> None:
    from django.test import Client

    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for i in range(2):  # the first fills the per-process caches (chart, configuration, auth)
        with CaptureQueriesContext(connection) as ctx:
            r = client.post("/api/v1/accounting/entries", entry_payload(i), content_type="application/json", **headers)
        assert r.status_code == 201, r.content  # noqa: S101 - a broken setup must not print figures
    line("  statements per API entry with post: true (warm worker)", len(ctx.captured_queries), "")
    for q in ctx.captured_queries:
        print("    ", q["sql"][:110])


def api_load(port: int, token: str, clients: int, seconds: float) -> None:
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop = time.perf_counter() + seconds
    counter = iter(range(10**9))

    def client_loop() -> None:
        while time.perf_counter() < stop:
            body = entry_payload(next(counter))
            t0 = time.perf_counter()
            try:
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                conn.request(
                    "POST",
                    "/api/v1/accounting/entries",
                    body,
                    {"Authorization": f"Bearer {token}", "Content-Type": "application/json"},
                )
                resp = conn.getresponse()
                resp.read()
                conn.close()
                ok = resp.status == 201
                why = str(resp.status)
            except OSError as exc:
                ok, why = False, repr(exc)
            with lock:
                (latencies.append(time.perf_counter() - t0) if ok else errors.append(why))

    threads = [threading.Thread(target=client_loop) for _ in range(clients)]
    t0 = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - t0
    latencies.sort()
    p50 = statistics.median(latencies) * 1000 if latencies else 0
    p95 = latencies[int(len(latencies) * 0.95)] * 1000 if latencies else 0
    line(
        f"API entry post:true, {clients:>2} clients: {len(latencies)} ok, {len(errors)} errors,"
        f" p50 {p50:.0f} ms, p95 {p95:.0f} ms",
        len(latencies) / wall,
        "req/s",
    )
    if errors:
        print("    errors:", sorted(set(errors))[:5])


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--postings", type=int, default=2000)
    parser.add_argument("--sessions", default="1,8")
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=15)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--port", type=int, default=8765)
    parser.add_argument("--skip-api", action="store_true")
    parser.add_argument("--batch", type=int, default=0, help="also post_source_documents in batches of N")
    args = parser.parse_args()

    tenant, user, party = setup()
    print(f"database: {connection.vendor}; tenant {tenant.slug}", flush=True)
    statements_of_one_posting(tenant, party)
    for k, sessions in enumerate(int(s) for s in args.sessions.split(",") if s):
        single_postings(tenant, party, sessions, args.postings, offset=(k + 1) * 10**7)
    if args.batch:
        batch_postings(tenant, party, args.batch, args.postings, offset=9 * 10**8)
    if args.skip_api:
        return
    from novasaas.identity.models import Membership
    from novasaas.identity.tokens import issue_access_token
    from novasaas.platform.tenancy import tenant_context

    with tenant_context(tenant):
        membership = Membership.objects.get(user=user)
    token = issue_access_token(user.pk, tenant.pk, membership.pk)
    statements_per_request(token)
    connections.close_all()
    server = subprocess.Popen(  # noqa: S603 - fixed arguments
        [
            str(ROOT / ".venv/bin/gunicorn"),
            "novasaas.config.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
            "--preload",
            "--timeout",
            "120",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(SRC)},
    )
    try:
        for _ in range(100):  # until it answers
            try:
                http.client.HTTPConnection("127.0.0.1", args.port, timeout=1).request("GET", "/api/v1/")
                break
            except OSError:
                time.sleep(0.2)
        api_load(args.port, token, 2 * args.workers, 8)  # warm every worker (imports, per-process caches)
        for clients in (int(c) for c in args.clients.split(",")):
            api_load(args.port, token, clients, args.seconds)
    finally:
        server.terminate()
        server.wait(timeout=30)


if __name__ == "__main__":
    main()
