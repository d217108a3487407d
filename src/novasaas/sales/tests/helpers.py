"""Small helpers of the sales tests: principals per role, a catalogue with stock, a customer."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from novasaas.inventory.tests.helpers import Setup, principal, receive, setup_catalogue
from novasaas.sales import actions

D = Decimal


@dataclass
class World:
    inv: Setup
    manager: Any  # Sales Manager
    staff: Any  # Sales Staff
    customer: Any


def party(p: Any, name: str = "Công ty TNHH Minh Phát") -> Any:
    from novasaas.parties.actions import create_party

    return create_party(principal(p.tenant), name=name, role="customer")


def world(tenant: Any, stock: Any = 20, *, credit_limit: Any = None) -> World:
    """Inside tenant_context: Inventory's catalogue (beer, warehouses HN/HCM) with ``stock`` beers in HN
    at 10,000 đ, a Sales Manager, a Sales Staff and a customer of that staff member."""
    inv = setup_catalogue(tenant)
    if stock:
        receive(inv, stock, "10000")
    manager = principal(tenant, "sales_manager")
    staff = principal(tenant, "sales_staff")
    customer = actions.create_customer(
        manager, party_id=party(manager).pk, salesperson_id=staff.user.pk, credit_limit=credit_limit
    )
    return World(inv, manager, staff, customer)


def beer_line(w: World, qty: Any, price: Any = "15000", **extra: Any) -> dict[str, Any]:
    return {"product_id": w.inv.beer.pk, "quantity": str(qty), "unit_price": str(price), **extra}


def order(w: World, *lines: dict[str, Any], p: Any = None, **kw: Any) -> Any:
    return actions.create_order(
        p or w.staff,
        customer_id=w.customer.pk,
        warehouse_id=w.inv.wh.pk,
        lines=list(lines) or [beer_line(w, 2)],
        **kw,
    )


def stock_row(w: World) -> Any:
    from novasaas.inventory.models import Stock

    return Stock.objects.get(product=w.inv.beer, warehouse=w.inv.wh)


def ledger_lines(tenant: Any, source_type: str, source_id: int) -> dict[str, tuple[Decimal, Decimal]]:
    """Account code → (debit, credit) of the entries posted for a source document."""
    from novasaas.accounting import selectors

    out: dict[str, tuple[Decimal, Decimal]] = {}
    for entry in selectors.entries_for_source(tenant, source_type, source_id):
        for line in selectors.entry_lines(tenant, entry):
            d, c = out.get(line.account.code, (D(0), D(0)))
            out[line.account.code] = (d + line.debit, c + line.credit)
    return out
