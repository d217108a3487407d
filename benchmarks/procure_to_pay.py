"""Procure-to-pay through the REST API (issue 13 §5): cycles per second served by gunicorn. Prints
figures; asserts nothing.

    DJANGO_SETTINGS_MODULE=novasaas.config.settings .venv/bin/python benchmarks/procure_to_pay.py
    DATABASE_URL=postgres://novasaas@127.0.0.1:5432/novasaas_p2p DATABASE_APP_ROLE=novasaas_app \\
        .venv/bin/python benchmarks/procure_to_pay.py [--workers 4] [--clients 1,4] [--cycles 200]

One cycle = ``POST /api/v1/purchasing/orders`` (3 lines, 3 products, VAT 10 %) → ``POST …/submit``
(below the approval limit: approved) → ``POST …/receive`` (goods receipt through inventory: Dr 156 /
Cr 3388) → ``POST /bills`` (the order's received quantities, three-way matched) → ``POST
/bills/{id}/post`` (Dr 3388 + 1331 / Cr 331) → ``POST /bills/{id}/payments`` (the whole total: Dr 331 /
Cr 1121). Same harness as ``order_to_cash.py`` (``_api_cycles.py``): the script migrates the database
(a throw-away SQLite file unless DATABASE_URL is set), creates a tenant with INV + ACC + SCM (a warehouse,
3 products, a vendor), counts the SQL statements of one warm cycle in process, then runs closed-loop clients against
``gunicorn novasaas.config.wsgi`` with ``--workers`` processes. Prints cycles/s, p50/p95 per cycle and
errors, the in-process single-client figure beside it, then checks: every bill paid, 3388 = 0 (every
receipt fully billed), stock = its ledger, stock vs the accounting balance 0, the ledger verified.
"""

from __future__ import annotations

import json
import time
from typing import Any

import _api_cycles

_api_cycles.bootstrap("p2p")

API = "/api/v1/purchasing"


def setup(cycles: int) -> tuple[Any, dict[str, Any], str]:
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


if __name__ == "__main__":
    _api_cycles.run(setup, cycle, [201, 200, 201, 201, 200, 201], check)
