"""The harness shared by the API cycle benchmarks (``order_to_cash.py``, ``procure_to_pay.py``).

A benchmark defines ``setup() -> (tenant, ids, token)``, ``cycle(send, ids) -> statuses`` (one business
cycle through ``send(path, body) -> (status, json)``), the statuses of a good cycle and a ``check(tenant)``
that prints the invariants afterwards; :func:`run` does the rest: migrate, count the SQL statements of
one warm cycle in process, time cycles in process, then start ``gunicorn novasaas.config.wsgi`` with
``--workers`` processes and run closed-loop clients (one keep-alive connection each) per client count.

Import this module first: :func:`bootstrap` sets the environment and starts Django.
"""

from __future__ import annotations

import argparse
import http.client
import json
import math
import os
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent

Send = Callable[[str, bytes], tuple[int, Any]]
Cycle = Callable[[Send, dict[str, Any]], list[int]]


def bootstrap(sqlite_name: str) -> None:
    """Production-like settings (DEBUG off) on ``DATABASE_URL``, or a throw-away SQLite file."""
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")
    os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
    os.environ.setdefault("JWT_SECRET", secrets.token_urlsafe(50))
    os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
    os.environ["DEBUG"] = "0"
    if "DATABASE_URL" not in os.environ:
        os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/{sqlite_name}.sqlite3"
    import django

    django.setup()


def in_process(token: str, ids: dict[str, Any], n: int, cycle: Cycle) -> None:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    counts: list[int] = []

    def send(path: str, body: bytes) -> tuple[int, Any]:
        with CaptureQueriesContext(connection) as ctx:
            r = client.post(path, body, content_type="application/json", **headers)
        counts.append(len(ctx.captured_queries))
        return r.status_code, r.json() if r.content else None

    cycle(send, ids)  # warm
    counts.clear()
    statuses = cycle(send, ids)
    print(f"statements per request (in process, warm): {counts}; per cycle {sum(counts)}; statuses {statuses}")

    def send_plain(path: str, body: bytes) -> tuple[int, Any]:
        r = client.post(path, body, content_type="application/json", **headers)
        return r.status_code, r.json() if r.content else None

    start = time.perf_counter()
    for _ in range(n):
        cycle(send_plain, ids)
    elapsed = time.perf_counter() - start
    print(f"in process, 1 client: {n / elapsed:7.1f} cycles/s ({n} cycles in {elapsed:.1f} s)")


def run_clients(
    port: int, token: str, ids: dict[str, Any], clients: int, cycles: int, cycle: Cycle, ok: list[int]
) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    left = [cycles]

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

        def send(path: str, body: bytes) -> tuple[int, Any]:
            conn.request("POST", path, body=body, headers=headers)
            resp = conn.getresponse()
            data = resp.read()
            return resp.status, json.loads(data) if data else None

        while True:
            with lock:
                if left[0] <= 0:
                    break
                left[0] -= 1
            start = time.monotonic()
            try:
                statuses = cycle(send, ids)
            except (OSError, http.client.HTTPException, ValueError) as exc:  # ValueError: a 500 page, not JSON
                with lock:
                    errors.append(type(exc).__name__)
                conn.close()
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                continue
            with lock:
                if statuses == ok:
                    latencies.append(time.monotonic() - start)
                else:
                    errors.append(str(statuses))
        conn.close()

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    lat = sorted(latencies)
    p50 = statistics.median(lat) * 1000 if lat else 0
    p95 = lat[min(len(lat) - 1, math.ceil(len(lat) * 0.95) - 1)] * 1000 if lat else 0  # nearest rank
    print(
        f"gunicorn, {clients:>2} clients: {len(lat) / elapsed:7.1f} cycles/s ({len(lat)} in {elapsed:.1f} s)"
        f"  p50 {p50:6.0f} ms  p95 {p95:6.0f} ms  errors {len(errors)}" + (f"  e.g. {errors[0]}" if errors else "")
    )


def run(
    setup: Callable[[int], tuple[Any, dict[str, Any], str]],
    cycle: Cycle,
    ok: list[int],
    check: Callable[[Any], None],
) -> None:
    """Parse ``--workers/--clients/--cycles/--in-process``; ``setup`` gets the number of cycles to come."""
    from django.core.management import call_command
    from django.db import connection

    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", default="1,4")
    parser.add_argument("--cycles", type=int, default=100, help="cycles per client count")
    parser.add_argument("--in-process", type=int, default=20, help="cycles measured in process first")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    runs = [int(x) for x in args.clients.split(",")]
    tenant, ids, token = setup(args.cycles * len(runs) + args.in_process + args.workers + 10)
    print(f"database {connection.vendor}, tenant {tenant.slug}, gunicorn {args.workers} workers")
    in_process(token, ids, args.in_process, cycle)
    connection.close()
    port = socket.socket()
    port.bind(("127.0.0.1", 0))
    number = int(port.getsockname()[1])
    port.close()
    server = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "novasaas.config.wsgi:application",
            f"--workers={args.workers}",
            f"--bind=127.0.0.1:{number}",
            "--keep-alive=30",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT / "src")},
        start_new_session=True,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", number), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        # warm-up: each worker served a cycle
        run_clients(number, token, ids, args.workers, args.workers, cycle, ok)
        for n in runs:
            run_clients(number, token, ids, n, args.cycles, cycle, ok)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    check(tenant)
