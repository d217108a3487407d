"""Receipt + issue through the API, served by gunicorn: flows per second at 1, 8 and 32 clients. Prints
figures; asserts nothing.

    DATABASE_URL=postgres://novasaas@127.0.0.1:5432/novasaas_invw DATABASE_APP_ROLE=novasaas_app \\
        .venv/bin/python benchmarks/write_path_api.py [--workers 4] [--clients 1,8,32] [--seconds 20]

One flow = ``POST /api/v1/inventory/movements`` of a one-line goods receipt (one of ``--products`` products
at random) with ``validate: true``, then
of a one-unit goods issue with ``validate: true``; both post to accounting (ACC on). The script migrates
the database, creates a tenant (INV + ACC, a warehouse, a product with opening stock), counts the SQL
statements of one warm flow in process (``CaptureQueriesContext``, printed per request), then starts
``gunicorn novasaas.config.wsgi`` with ``--workers`` processes and, for each client count, runs that many
closed-loop clients (one keep-alive connection each, a new flow as soon as the previous one is answered)
for ``--seconds`` (after a 10 s warm-up with one client per worker): bounded load, never more
requests in flight than clients. Prints flows/s, p50 and p95
latency of a flow, and errors. Finally checks that stock equals the ledger and stock vs accounting is 0.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import secrets
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
# NOVASAAS_SRC: another checkout's src/ (e.g. ``git archive <commit> src``) to measure before/after
SRC = Path(os.environ.get("NOVASAAS_SRC") or ROOT / "src")
sys.path.insert(0, str(SRC))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("JWT_SECRET", secrets.token_urlsafe(50))
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ["DEBUG"] = "0"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

URL = "/api/v1/inventory/movements"


def setup(n_products: int, modules: list[str]) -> tuple[Any, dict[str, Any], str]:
    from novasaas.identity.models import Membership
    from novasaas.identity.tokens import issue_access_token
    from novasaas.inventory import actions
    from novasaas.inventory.tests.helpers import principal
    from novasaas.platform.tenancy import tenant_context
    from novasaas.platform.testing.fixtures import admin_of, create_tenant

    tenant = create_tenant(f"wpbench{int(time.time())}", modules=modules)
    with tenant_context(tenant):
        manager = principal(tenant, "warehouse_manager")
        unit = actions.save_unit(manager, code="chai", name="Chai")
        wh = actions.save_warehouse(manager, code="HN", name="Kho Hà Nội")
        products = []
        for i in range(n_products):
            product = actions.save_product(manager, name=f"Bia {i}", stock_unit_id=unit.pk, cost_price="10000")
            products.append(product.pk)
        actions.receive_goods(
            manager,
            warehouse_id=wh.pk,
            lines=[{"product_id": pk, "quantity": "1000", "unit_cost": "10000"} for pk in products],
        )
        admin = admin_of(tenant)
        membership = Membership.objects.get(user=admin)
    token = issue_access_token(admin.pk, tenant.pk, membership.pk)
    ids = {"warehouse_id": wh.pk, "products": products}
    return tenant, ids, token


def bodies(ids: dict[str, Any], product_id: int | None = None) -> tuple[bytes, bytes]:
    """A flow on one product (a random one of the tenant's when not given)."""
    pid = product_id or random.choice(ids["products"])  # noqa: S311 - load spreading, not security
    receipt = {
        "kind": "receipt",
        "warehouse_id": ids["warehouse_id"],
        "validate": True,
        "lines": [{"product_id": pid, "quantity": "1", "unit_cost": "10000"}],
    }
    issue = {
        "kind": "issue",
        "warehouse_id": ids["warehouse_id"],
        "validate": True,
        "lines": [{"product_id": pid, "quantity": "1"}],
    }
    return json.dumps(receipt).encode(), json.dumps(issue).encode()


def count_statements(token: str, ids: dict[str, Any], *, show_sql: bool = False) -> None:
    client = Client()
    receipt, issue = bodies(ids, ids["products"][0])
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    for warm in (False, True):
        counts = []
        for body in (receipt, issue):
            with CaptureQueriesContext(connection) as ctx:
                r = client.post(URL, body, content_type="application/json", **headers)
            assert r.status_code == 201, r.content
            counts.append(len(ctx.captured_queries))
            if warm and show_sql:
                for q in ctx.captured_queries:
                    print("    ", q["sql"][:140])
        if warm:
            print(
                f"statements per request (in process, warm): receipt {counts[0]}, issue {counts[1]}, flow {sum(counts)}"
            )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def run_clients(port: int, token: str, ids: dict[str, Any], clients: int, seconds: float, *, show: bool = True) -> None:
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    latencies: list[float] = []
    errors: list[str] = []
    lock = threading.Lock()
    stop_at = time.monotonic() + seconds

    def client() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        mine: list[float] = []
        while time.monotonic() < stop_at:
            receipt, issue = bodies(ids)
            start = time.monotonic()
            ok = True
            for body in (receipt, issue):
                try:
                    conn.request("POST", URL, body=body, headers=headers)
                    resp = conn.getresponse()
                    data = resp.read()
                except (OSError, http.client.HTTPException) as exc:
                    ok = False
                    with lock:
                        errors.append(type(exc).__name__)
                    conn.close()
                    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                    break
                if resp.status != 201:
                    ok = False
                    with lock:
                        errors.append(f"{resp.status} {data[:120]!r}")
                    break
            if ok:
                mine.append(time.monotonic() - start)
        conn.close()
        with lock:
            latencies.extend(mine)

    threads = [threading.Thread(target=client) for _ in range(clients)]
    began = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - began
    if not show:
        return
    lat = sorted(latencies)
    p50 = statistics.median(lat) * 1000 if lat else 0
    p95 = lat[int(len(lat) * 0.95) - 1] * 1000 if lat else 0
    print(
        f"{clients:>3} clients: {len(lat) / elapsed:7.1f} flows/s  ({len(lat)} flows in {elapsed:.1f} s)"
        f"  p50 {p50:7.0f} ms  p95 {p95:7.0f} ms  errors {len(errors)}" + (f"  e.g. {errors[0]}" if errors else "")
    )


def check(tenant: Any) -> None:
    from decimal import Decimal

    from novasaas.accounting.selectors import inventory_account_balance
    from novasaas.inventory import ledger, selectors
    from novasaas.platform.tenancy import tenant_context

    with tenant_context(tenant):
        problems = ledger.ledger_differences()
        valuation = sum((r.value for r in selectors.valuation(tenant)), Decimal(0))
        balance = inventory_account_balance(tenant, timezone.localdate())
    print(f"stock = ledger: {'yes' if not problems else problems[:3]}; stock vs accounting: {valuation - balance}")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", default="1,8,32")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--products", type=int, default=50, help="each flow takes one of them at random")
    parser.add_argument("--no-acc", action="store_true", help="Accounting off: the inventory transaction alone")
    parser.add_argument("--show-sql", action="store_true", help="print the statements of the warm flow")
    parser.add_argument("--sql-only", action="store_true", help="count the statements, start no server")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    tenant, ids, token = setup(args.products, ["INV"] if args.no_acc else ["INV", "ACC"])
    print(f"database {connection.vendor}, tenant {tenant.slug}, gunicorn {args.workers} workers")
    count_statements(token, ids, show_sql=args.show_sql)
    if args.sql_only:
        return
    connection.close()
    port = free_port()
    server = subprocess.Popen(  # noqa: S603 - our own venv's gunicorn, fixed arguments
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "novasaas.config.wsgi:application",
            f"--workers={args.workers}",
            f"--bind=127.0.0.1:{port}",
            "--keep-alive=30",
            "--log-level=warning",
        ],
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(SRC)},
        start_new_session=True,
    )
    try:
        for _ in range(300):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.1)
        # warm-up, not measured: every worker has imported the app and served a flow
        run_clients(port, token, ids, args.workers, 10, show=False)
        for n in (int(x) for x in args.clients.split(",")):
            run_clients(port, token, ids, n, args.seconds)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    if not args.no_acc:
        check(tenant)


if __name__ == "__main__":
    main()
