"""Procure-to-pay through the REST API (issue 13 §5): cycles per second served by gunicorn. Prints
figures; asserts nothing.

    DJANGO_SETTINGS_MODULE=novasaas.config.settings .venv/bin/python benchmarks/procure_to_pay.py
    DATABASE_URL=postgres://novasaas@127.0.0.1:5432/novasaas_p2p DATABASE_APP_ROLE=novasaas_app \\
        .venv/bin/python benchmarks/procure_to_pay.py [--workers 4] [--clients 1,4] [--cycles 200]

One cycle = ``POST /api/v1/purchasing/orders`` (3 lines, 3 products, VAT 10 %) → ``POST …/submit``
(below the approval limit: approved) → ``POST …/receive`` (goods receipt through inventory: Dr 156 /
Cr 3388) → ``POST /bills`` (the order's received quantities, three-way matched) → ``POST
/bills/{id}/post`` (Dr 3388 + 1331 / Cr 331) → ``POST /bills/{id}/payments`` (the whole total: Dr 331 /
Cr 1121). Modelled on ``order_to_cash.py``: the script migrates the database (a throw-away SQLite file
unless DATABASE_URL is set), creates a tenant with INV + ACC + SCM (a warehouse, 3 products, a vendor),
counts the SQL statements of one warm cycle in process, then runs closed-loop clients against
``gunicorn novasaas.config.wsgi`` with ``--workers`` processes. Prints cycles/s, p50/p95 per cycle and
errors, the in-process single-client figure beside it, then checks: every bill paid, 3388 = 0 (every
receipt fully billed), stock = its ledger, stock vs the accounting balance 0, the ledger verified.
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
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")
os.environ.setdefault("SECRET_KEY", secrets.token_urlsafe(50))
os.environ.setdefault("JWT_SECRET", secrets.token_urlsafe(50))
os.environ.setdefault("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
os.environ["DEBUG"] = "0"
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/p2p.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

API = "/api/v1/purchasing"
OK = [201, 200, 201, 201, 200, 201]


def setup() -> tuple[Any, dict[str, Any], str]:
    from novasaas.identity.models import Membership
    from novasaas.identity.tokens import issue_access_token
    from novasaas.inventory import actions as inventory
    from novasaas.inventory.tests.helpers import principal
    from novasaas.parties.actions import create_party
    from novasaas.platform.tenancy import tenant_context
    from novasaas.platform.testing.fixtures import admin_of, create_tenant
    from novasaas.purchasing import actions as purchasing

    tenant = create_tenant(f"p2p{int(time.time())}", modules=["INV", "ACC", "SCM"])
    with tenant_context(tenant):
        manager = principal(tenant, "warehouse_manager")
        unit = inventory.save_unit(manager, code="chai", name="Chai")
        wh = inventory.save_warehouse(manager, code="HN", name="Kho Hà Nội")
        products = [
            inventory.save_product(manager, name=f"Bia {i}", stock_unit_id=unit.pk, cost_price="10000").pk
            for i in range(3)
        ]
        admin = admin_of(tenant)
        boss = principal(tenant)
        party = create_party(boss, name="Công ty TNHH Nhà Cung Cấp", role="supplier")
        vendor = purchasing.create_vendor(boss, party_id=party.pk, payment_terms_days=30)
        membership = Membership.objects.get(user=admin)
    token = issue_access_token(admin.pk, tenant.pk, membership.pk)
    return tenant, {"warehouse_id": wh.pk, "products": products, "vendor_id": vendor.pk}, token


def order_body(ids: dict[str, Any]) -> bytes:
    lines = [
        {"product_id": pid, "quantity": str(q), "unit_price": str(p), "vat_code": "VAT10"}
        for pid, q, p in zip(ids["products"], (1, 2, 3), (10000, 12345, 31000), strict=True)
    ]
    return json.dumps({"vendor_id": ids["vendor_id"], "warehouse_id": ids["warehouse_id"], "lines": lines}).encode()


def cycle(send: Any, ids: dict[str, Any]) -> list[int]:
    """One procure-to-pay cycle through ``send(path, body) -> (status, json)``; the statuses."""
    statuses = []
    status, order = send(f"{API}/orders", order_body(ids))
    statuses.append(status)
    if status != 201:
        return statuses
    for step in ("submit", "receive"):
        status, _ = send(f"{API}/orders/{order['id']}/{step}", b"{}" if step == "receive" else b"")
        statuses.append(status)
    status, bill = send(f"{API}/bills", json.dumps({"order_id": order["id"], "vendor_invoice_no": "HD"}).encode())
    statuses.append(status)
    if status != 201:
        return statuses
    status, _ = send(f"{API}/bills/{bill['id']}/post", b"")
    statuses.append(status)
    body = json.dumps({"amount": bill["total"], "method": "bank"}).encode()
    status, _ = send(f"{API}/bills/{bill['id']}/payments", body)
    statuses.append(status)
    return statuses


def in_process(token: str, ids: dict[str, Any], n: int) -> None:
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


def run_clients(port: int, token: str, ids: dict[str, Any], clients: int, cycles: int) -> None:
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
                if statuses == OK:
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


def check(tenant: Any) -> None:
    from decimal import Decimal

    from django.db.models import Sum
    from django.utils import timezone

    from novasaas.accounting.integrity import verify_ledger
    from novasaas.accounting.models import JournalLine
    from novasaas.accounting.selectors import inventory_account_balance
    from novasaas.inventory import ledger, selectors
    from novasaas.platform.tenancy import tenant_context
    from novasaas.purchasing.models import BillStatus, VendorBill

    with tenant_context(tenant):
        bills = VendorBill.objects.count()
        unpaid = VendorBill.objects.exclude(status=BillStatus.PAID).count()
        problems = ledger.ledger_differences()
        valuation = sum((r.value for r in selectors.valuation(tenant)), Decimal(0))
        balance = inventory_account_balance(tenant, timezone.localdate())
        grni = JournalLine.objects.filter(account__code="3388", entry__state="posted").aggregate(
            d=Sum("debit"), c=Sum("credit")
        )
        report = verify_ledger(tenant)
    print(
        f"bills {bills}, unpaid {unpaid}; 3388 balance: {(grni['d'] or 0) - (grni['c'] or 0)}; stock = ledger: "
        f"{'yes' if not problems else problems[:3]}; stock vs accounting: {valuation - balance}; "
        f"ledger verified: {'yes' if report.ok else report.problems[:3]}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--clients", default="1,4")
    parser.add_argument("--cycles", type=int, default=100, help="cycles per client count")
    parser.add_argument("--in-process", type=int, default=20, help="cycles measured in process first")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    runs = [int(x) for x in args.clients.split(",")]
    tenant, ids, token = setup()
    print(f"database {connection.vendor}, tenant {tenant.slug}, gunicorn {args.workers} workers")
    in_process(token, ids, args.in_process)
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
        run_clients(number, token, ids, args.workers, args.workers)  # warm-up: each worker served a cycle
        for n in runs:
            run_clients(number, token, ids, n, args.cycles)
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    check(tenant)


if __name__ == "__main__":
    main()
