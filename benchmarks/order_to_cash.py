"""Order-to-cash through the REST API (issue 12 §5): cycles per second served by gunicorn. Prints
figures; asserts nothing.

    DJANGO_SETTINGS_MODULE=novasaas.config.settings .venv/bin/python benchmarks/order_to_cash.py
    DATABASE_URL=postgres://novasaas@127.0.0.1:5432/novasaas_o2c DATABASE_APP_ROLE=novasaas_app \\
        .venv/bin/python benchmarks/order_to_cash.py [--workers 4] [--clients 1,4] [--cycles 200]

One cycle = ``POST /api/v1/sales/orders`` (3 lines, 3 products, VAT 10 %) → ``POST …/confirm`` (reserves)
→ ``POST …/deliver`` (goods issue, COGS) → ``POST …/invoice`` (Dr 131 / Cr 5111 / Cr 33311) →
``POST /invoices/{id}/payments`` (the whole total). The script migrates the database (a throw-away
SQLite file unless DATABASE_URL is set), creates a tenant with INV + ACC + CRM (a warehouse, 3 products
with opening stock, a customer), counts the SQL statements of one warm cycle in process
(``CaptureQueriesContext``, per request), then starts ``gunicorn novasaas.config.wsgi`` with
``--workers`` processes and, for each client count, runs closed-loop clients (one keep-alive connection
each) until ``--cycles`` cycles are done (harness: ``_api_cycles.py``). Prints cycles/s, p50/p95 per
cycle and errors, the in-process single-client figure beside it, then checks: every invoice paid, stock =
its ledger, stock vs the accounting balance 0, the ledger verified (chain, balance).
"""

from __future__ import annotations

import json
import time
from typing import Any

import _api_cycles

_api_cycles.bootstrap("o2c")

API = "/api/v1/sales"


def setup(cycles: int) -> tuple[Any, dict[str, Any], str]:
    from novasaas.identity.models import Membership
    from novasaas.identity.tokens import issue_access_token
    from novasaas.inventory import actions as inventory
    from novasaas.inventory.tests.helpers import principal
    from novasaas.parties.actions import create_party
    from novasaas.platform.tenancy import tenant_context
    from novasaas.platform.testing.fixtures import admin_of, create_tenant
    from novasaas.sales import actions as sales

    tenant = create_tenant(f"o2c{int(time.time())}", modules=["INV", "ACC", "CRM"])
    with tenant_context(tenant):
        manager = principal(tenant, "warehouse_manager")
        unit = inventory.save_unit(manager, code="chai", name="Chai")
        wh = inventory.save_warehouse(manager, code="HN", name="Kho Hà Nội")
        products = [
            inventory.save_product(manager, name=f"Bia {i}", stock_unit_id=unit.pk, cost_price="10000").pk
            for i in range(3)
        ]
        inventory.receive_goods(
            manager,
            warehouse_id=wh.pk,
            lines=[{"product_id": pk, "quantity": str(cycles * 3), "unit_cost": "10000"} for pk in products],
        )
        admin = admin_of(tenant)
        boss = principal(tenant)
        party = create_party(boss, name="Công ty TNHH Khách Hàng", role="customer")
        customer = sales.create_customer(boss, party_id=party.pk)
        membership = Membership.objects.get(user=admin)
    token = issue_access_token(admin.pk, tenant.pk, membership.pk)
    return tenant, {"warehouse_id": wh.pk, "products": products, "customer_id": customer.pk}, token


def order_body(ids: dict[str, Any]) -> bytes:
    lines = [
        {"product_id": pid, "quantity": str(q), "unit_price": str(p), "vat_code": "VAT10"}
        for pid, q, p in zip(ids["products"], (1, 2, 3), (15000, 23000, 31000), strict=True)
    ]
    return json.dumps({"customer_id": ids["customer_id"], "warehouse_id": ids["warehouse_id"], "lines": lines}).encode()


def cycle(send: Any, ids: dict[str, Any]) -> list[int]:
    """One order-to-cash cycle through ``send(path, body) -> (status, json)``; the statuses."""
    statuses = []
    status, order = send(f"{API}/orders", order_body(ids))
    statuses.append(status)
    if status != 201:
        return statuses
    for step in ("confirm", "deliver"):
        status, _ = send(f"{API}/orders/{order['id']}/{step}", b"")
        statuses.append(status)
    status, invoice = send(f"{API}/orders/{order['id']}/invoice", b"")
    statuses.append(status)
    if status == 201:
        body = json.dumps({"amount": invoice["total"], "method": "bank"}).encode()
        status, _ = send(f"{API}/invoices/{invoice['id']}/payments", body)
        statuses.append(status)
    return statuses


def check(tenant: Any) -> None:
    from decimal import Decimal

    from novasaas.accounting.integrity import verify_ledger
    from novasaas.accounting.selectors import inventory_account_balance
    from novasaas.inventory import ledger, selectors
    from novasaas.platform.tenancy import tenant_context
    from novasaas.sales.models import InvoiceStatus, SalesInvoice
    from novasaas.sales.selectors import open_receivable

    with tenant_context(tenant):
        from django.utils import timezone

        invoices = SalesInvoice.objects.count()
        unpaid = SalesInvoice.objects.exclude(status=InvoiceStatus.PAID).count()
        problems = ledger.ledger_differences()
        valuation = sum((r.value for r in selectors.valuation(tenant)), Decimal(0))
        balance = inventory_account_balance(tenant, timezone.localdate())
        report = verify_ledger(tenant)
        from novasaas.sales.models import Customer

        receivable = sum((open_receivable(tenant, c) for c in Customer.objects.all()), Decimal(0))
    print(
        f"invoices {invoices}, unpaid {unpaid}; stock = ledger: "
        f"{'yes' if not problems else problems[:3]}; stock vs accounting: {valuation - balance}; "
        f"ledger verified: {'yes' if report.ok else report.problems[:3]}; receivable left: {receivable}"
    )


if __name__ == "__main__":
    _api_cycles.run(setup, cycle, [201, 200, 200, 201, 201], check)
