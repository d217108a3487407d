"""Inventory ↔ ledger reconciliation (spec §11.3, ACC → INV).

The inventory valuation (Inventory's ``selectors.valuation`` plus goods in transit) must equal the
debit balance of the stock accounts (151–157 as mapped, warehouses' own accounts, the transit account)
to the đồng — in total and per account: each warehouse's value belongs to its stock account
(``stock_accounts.stock_account``), goods on the road to the account their shipped leg debited (the
transit account) or else to the source warehouse's account. This module reads both sides through their
selectors, shows the difference per account and in total, and — for a tenant that switches Accounting
on after it has kept stock for a while — posts the differences as an opening balance entry (Dr each
stock account / Cr the "opening_balance" role, 4118 by default), so the two agree from then on. Each
such entry is a normal posted entry: reversible, in the hash chain, in an open period.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.accounting import selectors
from novasaas.accounting.actions import post_source_document
from novasaas.accounting.models import Account, JournalEntry
from novasaas.accounting.scope import atomic_in, in_tenant
from novasaas.accounting.stock_accounts import shipped_accounts, stock_account
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
class AccountValue:
    """One stock account: the valuation that belongs to it against its ledger balance."""

    account_id: int
    account_code: str
    account_name: str
    warehouses: list[str] = field(default_factory=list)
    in_transit: Decimal = ZERO
    valuation: Decimal = ZERO
    ledger: Decimal = ZERO

    @property
    def difference(self) -> Decimal:
        return self.valuation - self.ledger

    @property
    def agrees(self) -> bool:
        return self.difference == 0


@dataclass
class StockReconciliation:
    as_of: dt.date
    inventory_enabled: bool
    warehouses: list[WarehouseValue] = field(default_factory=list)
    in_transit: Decimal = ZERO
    valuation_total: Decimal = ZERO
    ledger_total: Decimal = ZERO
    accounts: list[AccountValue] = field(default_factory=list)

    @property
    def difference(self) -> Decimal:
        """Valuation minus ledger: positive when the ledger is short of the stock's value."""
        return self.valuation_total - self.ledger_total

    @property
    def agrees(self) -> bool:
        """In total and on every stock account."""
        return self.difference == 0 and all(a.agrees for a in self.accounts)


def _exact(value: Decimal) -> Decimal:
    """Drop zero decimals (3000.00 → 3000) without rounding anything away."""
    return value.quantize(Decimal(1)) if value == value.to_integral_value() else value


def stock_reconciliation(tenant: Tenant, as_of: dt.date | None = None) -> StockReconciliation:
    """Both sides as of the end of ``as_of`` (today when None)."""
    as_of = as_of or timezone.localdate()
    rec = StockReconciliation(as_of=as_of, inventory_enabled=tenant.has_module("INV"))
    with in_tenant(tenant):
        ids = selectors.inventory_account_ids(tenant)
        balances = selectors.balances_as_of(tenant, ids, as_of)
        rec.ledger_total = _exact(sum(balances.values(), ZERO))
        rows: dict[int, AccountValue] = {}

        def row_of(account: Account) -> AccountValue:
            if account.pk not in rows:
                rows[account.pk] = AccountValue(account.pk, account.code, account.name_vi or account.name_en)
            return rows[account.pk]

        if rec.inventory_enabled:
            _valuation(tenant, as_of, rec, row_of)
        accounts = Account.objects.in_bulk([pk for pk, value in balances.items() if value])
        for account in accounts.values():
            row_of(account)
        for row in rows.values():
            row.ledger = _exact(balances.get(row.account_id, ZERO))
            row.valuation, row.in_transit = _exact(row.valuation), _exact(row.in_transit)
        rec.accounts = sorted(rows.values(), key=lambda a: a.account_code)
    return rec


def _valuation(tenant: Tenant, as_of: dt.date, rec: StockReconciliation, row_of: Any) -> None:
    from novasaas.inventory import selectors as inventory

    by_wh: dict[int, WarehouseValue] = {}
    for val in inventory.valuation(tenant, as_of):
        label = " – ".join(x for x in (val.warehouse.code, val.warehouse.name) if x)
        wh = by_wh.setdefault(val.warehouse.pk, WarehouseValue(val.warehouse.pk, label, ZERO, ZERO))
        wh.quantity += val.quantity
        wh.value += val.value
    for wh in by_wh.values():
        wh.quantity, wh.value = _exact(wh.quantity), _exact(wh.value)
    rec.warehouses = sorted(by_wh.values(), key=lambda w: w.warehouse)
    for w in rec.warehouses:
        row = row_of(stock_account(tenant, w.warehouse_id))
        row.warehouses.append(w.warehouse)
        row.valuation += w.value
    on_road = inventory.in_transit_by_transfer(tenant, as_of)
    legs = shipped_accounts(tenant, [t.transfer_id for t in on_road])
    for t in on_road:
        row = row_of(legs.get(t.transfer_id) or stock_account(tenant, t.from_warehouse_id))
        row.in_transit += t.value
        row.valuation += t.value
    rec.in_transit = _exact(sum((t.value for t in on_road), ZERO))
    rec.valuation_total = _exact(sum((w.value for w in rec.warehouses), ZERO) + rec.in_transit)


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
        memo = _("Inventory opening balance from the valuation")
        lines: list[Any] = []
        for row in rec.accounts:  # each stock account gets what its warehouses' valuation says
            d = row.difference
            if d:
                account = Account.objects.get(pk=row.account_id)
                lines.append((account, d if d > 0 else ZERO, -d if d < 0 else ZERO, None, memo))
        diff = rec.difference
        if diff:
            lines.append(("opening_balance", -diff if diff < 0 else ZERO, diff if diff > 0 else ZERO, None, memo))
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
