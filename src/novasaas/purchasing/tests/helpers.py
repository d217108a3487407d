"""Small helpers of the purchasing tests: principals per role, a catalogue, a vendor with a price."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from novasaas.inventory.tests.helpers import Setup, principal, setup_catalogue
from novasaas.purchasing import actions

D = Decimal


@dataclass
class World:
    inv: Setup
    manager: Any  # Purchase Manager
    staff: Any  # Purchase Staff
    keeper: Any  # Warehouse Staff
    admin: Any  # Tenant Admin (accountant's rights too)
    vendor: Any


def party(p: Any, name: str = "Công ty TNHH Bia Hà Nội") -> Any:
    from novasaas.parties.actions import create_party

    return create_party(principal(p.tenant), name=name, role="supplier")


def world(tenant: Any, price: Any = "10000") -> World:
    """Inside tenant_context: Inventory's catalogue (beer, warehouses HN/HCM, no stock), a Purchase
    Manager, a Purchase Staff, a Warehouse Staff and a vendor selling beer at ``price``."""
    inv = setup_catalogue(tenant)
    manager = principal(tenant, "purchase_manager")
    staff = principal(tenant, "purchase_staff")
    keeper = principal(tenant, "warehouse_staff")
    admin = principal(tenant)
    vendor = actions.create_vendor(manager, party_id=party(manager).pk, payment_terms_days=30, bank_account="0123")
    actions.save_price(manager, vendor.pk, product_id=inv.beer.pk, price=price, valid_from="2020-01-01")
    return World(inv, manager, staff, keeper, admin, vendor)


def beer_line(w: World, qty: Any, price: Any = None, **extra: Any) -> dict[str, Any]:
    row = {"product_id": w.inv.beer.pk, "quantity": str(qty), **extra}
    if price is not None:
        row["unit_price"] = str(price)
    return row


def order(w: World, *lines: dict[str, Any], p: Any = None, **kw: Any) -> Any:
    return actions.create_order(
        p or w.staff,
        vendor_id=w.vendor.pk,
        warehouse_id=w.inv.wh.pk,
        lines=list(lines) or [beer_line(w, 10)],
        **kw,
    )


def approved(w: World, *lines: dict[str, Any], **kw: Any) -> Any:
    o = order(w, *lines, **kw)
    return actions.submit_order(w.manager, o.pk)


def ledger_lines(tenant: Any, source_type: str, source_id: int) -> dict[str, tuple[Decimal, Decimal]]:
    """Account code → (debit, credit) of the entries posted for a source document."""
    from novasaas.accounting import selectors

    out: dict[str, tuple[Decimal, Decimal]] = {}
    for entry in selectors.entries_for_source(tenant, source_type, source_id):
        for line in selectors.entry_lines(tenant, entry):
            d, c = out.get(line.account.code, (D(0), D(0)))
            out[line.account.code] = (d + line.debit, c + line.credit)
    return out


def balance(tenant: Any, code: str) -> Decimal:
    """Debit-positive balance of account ``code`` over every posted line."""
    from django.db.models import Sum

    from novasaas.accounting.models import JournalLine

    agg = JournalLine.objects.filter(account__code=code, entry__state="posted").aggregate(
        d=Sum("debit"), c=Sum("credit")
    )
    return (agg["d"] or D(0)) - (agg["c"] or D(0))
