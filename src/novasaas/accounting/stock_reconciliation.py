"""Inventory ↔ ledger reconciliation (spec §11.3, ACC → INV).

The inventory valuation (Inventory's ``selectors.valuation`` plus goods in transit) must equal the
debit balance of the stock accounts (151–157, as mapped) to the đồng. This module reads both sides
through their selectors, shows the difference per warehouse and in total, and — for a tenant that
switches Accounting on after it has kept stock for a while — posts the difference as an opening
balance entry (Dr inventory / Cr the "opening_balance" role, 4118 by default), so the two agree from
then on. Each such entry is a normal posted entry: reversible, in the hash chain, in an open period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.accounting import selectors
from novasaas.accounting.actions import post_source_document
from novasaas.accounting.models import JournalEntry
from novasaas.accounting.scope import atomic_in, in_tenant
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.models import Tenant

ZERO = Decimal(0)
OPENING_SOURCE = "inventory.opening_balance"


@dataclass
class WarehouseValue:
    warehouse_id: int
    warehouse: str
    quantity: Decimal
    value: Decimal


@dataclass
class StockReconciliation:
    as_of: dt.date
    inventory_enabled: bool
    warehouses: list[WarehouseValue] = field(default_factory=list)
    in_transit: Decimal = ZERO
    valuation_total: Decimal = ZERO
    ledger_total: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        """Valuation minus ledger: positive when the ledger is short of the stock's value."""
        return self.valuation_total - self.ledger_total

    @property
    def agrees(self) -> bool:
        return self.difference == 0


def _exact(value: Decimal) -> Decimal:
    """Drop zero decimals (3000.00 → 3000) without rounding anything away."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def stock_reconciliation(tenant: Tenant, as_of: dt.date | None = None) -> StockReconciliation:
    """Both sides as of the end of ``as_of`` (today when None)."""
    as_of = as_of or timezone.localdate()
    rec = StockReconciliation(as_of=as_of, inventory_enabled=tenant.has_module("INV"))
    with in_tenant(tenant):
        rec.ledger_total = _exact(selectors.inventory_account_balance(tenant, as_of))
        if not rec.inventory_enabled:
            return rec
        from novasaas.inventory import selectors as inventory

        by_wh: dict[int, WarehouseValue] = {}
        for row in inventory.valuation(tenant, as_of):
            label = " – ".join(x for x in (row.warehouse.code, row.warehouse.name) if x)
            wh = by_wh.setdefault(row.warehouse.pk, WarehouseValue(row.warehouse.pk, label, ZERO, ZERO))
            wh.quantity += row.quantity
            wh.value += row.value
        for wh in by_wh.values():
            wh.quantity, wh.value = _exact(wh.quantity), _exact(wh.value)
        rec.warehouses = sorted(by_wh.values(), key=lambda w: w.warehouse)
        rec.in_transit = _exact(inventory.in_transit_value(tenant, as_of))
        rec.valuation_total = _exact(sum((w.value for w in rec.warehouses), ZERO) + rec.in_transit)
    return rec


def post_inventory_opening_balance(principal: Principal, as_of: dt.date | None = None) -> JournalEntry:
    """Post the reconciliation difference at ``as_of`` as an opening balance entry (Finance Manager).

    Refused when Inventory is not enabled or when the two sides already agree. The entry is dated
    ``as_of`` and goes through ``post_source_document``: balanced, in an open period, chained."""
    principal.require("acc.entry.approve")
    tenant = principal.tenant
    as_of = as_of or timezone.localdate()
    with atomic_in(tenant):
        rec = stock_reconciliation(tenant, as_of)
        if not rec.inventory_enabled:
            raise ValidationError(_("Inventory is not enabled for this company."))
        if rec.agrees:
            raise ValidationError(_("The stock accounts already agree with the inventory valuation."))
        number = JournalEntry.objects.filter(source_type=OPENING_SOURCE).count() + 1
        diff = rec.difference
        memo = _("Inventory opening balance from the valuation")
        lines = [
            ("inventory", diff if diff > 0 else ZERO, -diff if diff < 0 else ZERO, None, memo),
            ("opening_balance", -diff if diff < 0 else ZERO, diff if diff > 0 else ZERO, None, memo),
        ]
        entry = post_source_document(
            tenant,
            OPENING_SOURCE,
            number,
            as_of,
            lines,
            memo=memo,
            reference=f"OB-INV-{number:03d}",
            actor=principal.user,
        )
        audit.record_created(entry, principal.user)
        return entry
