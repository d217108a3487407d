"""Per-warehouse stock accounts (spec §11.3: "transfers between warehouses post nothing unless the
warehouses map to different accounts").

A Finance Manager maps a warehouse (Inventory's id, read through ``inventory.selectors``) to its own
account for a stock role — e.g. the Hà Nội warehouse's goods in 15612 instead of the company's
``inventory`` account — and may give goods in transit between warehouses their own account (e.g. 151).
Inventory's events then post to the warehouse's account (``subscribers.py``); a transfer posts
Dr destination / Cr source when the two accounts differ (through the transit account when there is
one), nothing when they are the same.

Changing a warehouse's account while it holds stock moves the warehouse's current value from the old
account to the new one in a reclassification entry (when the old account agreed with the valuation),
so the ledger keeps agreeing with the valuation per account. When it did not agree — e.g. Accounting
was just switched on — nothing is moved and the opening balance entry puts each account right.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.accounting import config_cache
from novasaas.accounting.actions import ensure_chart, post_source_document, resolve_role
from novasaas.accounting.models import Account, AccountingSettings, EntryState, JournalEntry, WarehouseAccount
from novasaas.accounting.scope import atomic_in, in_tenant
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.models import Tenant

ZERO = Decimal(0)
# the roles of stock held in a warehouse (Inventory's events post to ``inventory``)
STOCK_ROLES = ("inventory", "raw_materials", "tools", "finished_goods", "wip")
SHIPPED_SOURCE = "inventory.transfer.shipped"
RECEIVED_SOURCE = "inventory.transfer.received"
RECLASS_SOURCE = "accounting.stock_reclass"


@dataclass
class WarehouseAccounts:
    warehouse_id: int
    warehouse: str
    is_active: bool
    # role → (account it resolves to, mapped for this warehouse?)
    accounts: dict[str, tuple[Account, bool]] = field(default_factory=dict)


def warehouse_label(tenant: Tenant) -> dict[int, str]:
    """Inventory's warehouses of ``tenant`` as "code – name" (empty when Inventory is off)."""
    if not tenant.has_module("INV"):
        return {}
    from novasaas.inventory import selectors as inventory

    rows = inventory.list_warehouses(tenant, include_inactive=True).order_by("code")
    return {w.pk: " – ".join(x for x in (w.code, w.name) if x) for w in rows}


def stock_account(tenant: Tenant, warehouse_id: int | None, role: str = "inventory") -> Account:
    """The account of ``role`` for goods in ``warehouse_id``: its own mapping, else the company's role."""
    with in_tenant(tenant):
        if warehouse_id is not None:
            row = WarehouseAccount.objects.select_related("account").filter(warehouse_id=warehouse_id, role=role)
            mapped = row.first()
            if mapped is not None:
                return mapped.account
        return resolve_role(tenant, role)


def transit_account(tenant: Tenant) -> Account | None:
    """The account of goods in transit between warehouses, or None (they stay in the source's account)."""
    ensure_chart(tenant)
    with in_tenant(tenant):
        settings = AccountingSettings.objects.select_related("transfer_transit_account").get()
        return settings.transfer_transit_account


def shipped_accounts(tenant: Tenant, transfer_ids: list[int] | None = None) -> dict[int, Account]:
    """Transfer id → the account its shipped leg debited (the transit account at the time it shipped)."""
    with in_tenant(tenant):
        entries = JournalEntry.objects.filter(source_type=SHIPPED_SOURCE, state=EntryState.POSTED)
        if transfer_ids is not None:
            entries = entries.filter(source_id__in=transfer_ids)
        result: dict[int, Account] = {}
        for entry in entries.prefetch_related("lines__account"):
            debit = next((ln.account for ln in entry.lines.all() if ln.debit > 0), None)
            if debit is not None and entry.source_id is not None:
                result[entry.source_id] = debit
        return result


def list_warehouse_accounts(tenant: Tenant) -> list[WarehouseAccounts]:
    """Every warehouse of Inventory with the account of each stock role (own mapping or default)."""
    ensure_chart(tenant)
    with in_tenant(tenant):
        mapped = {(m.warehouse_id, m.role): m.account for m in WarehouseAccount.objects.select_related("account")}
        defaults = {role: resolve_role(tenant, role) for role in STOCK_ROLES}
        rows = []
        for wid, label in warehouse_label(tenant).items():
            row = WarehouseAccounts(wid, label, True)
            for role in STOCK_ROLES:
                own = mapped.get((wid, role))
                row.accounts[role] = (own or defaults[role], own is not None)
            rows.append(row)
        if tenant.has_module("INV"):
            from novasaas.inventory import selectors as inventory

            active = set(inventory.list_warehouses(tenant).values_list("pk", flat=True))
            for row in rows:
                row.is_active = row.warehouse_id in active
        return rows


def _postable(account_id: Any, field_name: str) -> Account:
    account = Account.objects.filter(pk=account_id).first()
    if account is None or not account.allows_posting or not account.is_active:
        raise ValidationError({field_name: [_("Choose an active account that allows posting.")]})
    return account  # type: ignore[no-any-return]


def set_warehouse_account(
    principal: Principal, warehouse_id: int, role: str, account_id: int | None
) -> WarehouseAccount | None:
    """Map ``warehouse_id``'s goods of ``role`` to ``account_id`` (None: back to the company's role).

    When the warehouse's ``inventory`` account changes while it holds stock and the old account agreed
    with the valuation, the warehouse's current value (and what it has on the road without a transit
    account) is moved to the new account in one entry."""
    principal.require("acc.coa.configure")
    tenant = principal.tenant
    if role not in STOCK_ROLES:
        raise ValidationError({"role": [_("Choose a stock role.")]})
    if not tenant.has_module("INV"):
        raise ValidationError({"warehouse_id": [_("Inventory is not enabled for this company.")]})
    from novasaas.inventory import selectors as inventory

    with atomic_in(tenant):
        ensure_chart(tenant)
        warehouse = inventory.get_warehouse(tenant, warehouse_id)
        if warehouse is None:
            raise ValidationError({"warehouse_id": [_("Unknown warehouse.")]})
        before = stock_account(tenant, warehouse_id, role)
        old_agreed = role == "inventory" and _account_agrees(tenant, before)
        existing = WarehouseAccount.objects.filter(warehouse_id=warehouse_id, role=role).first()
        mapping: WarehouseAccount | None
        if account_id is None:
            if existing is not None:
                audit.record(
                    audit.AuditAction.DELETE, actor=principal.user, obj=existing, before={"account": before.code}
                )
                existing.delete()
            mapping = None
        else:
            account = _postable(account_id, "account_id")
            mapping, _created = WarehouseAccount.objects.update_or_create(
                warehouse_id=warehouse_id, role=role, defaults={"account": account}
            )
            audit.record(
                audit.AuditAction.UPDATE,
                actor=principal.user,
                obj=mapping,
                before={"account": before.code},
                after={"warehouse_id": warehouse_id, "role": role, "account": account.code},
            )
        config_cache.bump()  # postings resolve the warehouse's account from the cached configuration
        after = stock_account(tenant, warehouse_id, role)
        if old_agreed and after.pk != before.pk:
            _reclassify(principal, warehouse_id, warehouse.code, before, after)
        return mapping


def _account_agrees(tenant: Tenant, account: Account) -> bool:
    from novasaas.accounting.stock_reconciliation import stock_reconciliation

    rows = stock_reconciliation(tenant).accounts
    return all(row.agrees for row in rows if row.account_id == account.pk)


def _reclassify(principal: Principal, warehouse_id: int, code: str, old: Account, new: Account) -> None:
    from novasaas.inventory import selectors as inventory

    tenant = principal.tenant
    value = sum((row.value for row in inventory.valuation(tenant, None, warehouse_id)), ZERO)
    on_road = [t for t in inventory.in_transit_by_transfer(tenant) if t.from_warehouse_id == warehouse_id]
    with_leg = shipped_accounts(tenant, [t.transfer_id for t in on_road])
    value += sum((t.value for t in on_road if t.transfer_id not in with_leg), ZERO)
    if not value:
        return
    number = JournalEntry.objects.filter(source_type=RECLASS_SOURCE).count() + 1
    memo = _("Stock of warehouse %(w)s moved from %(a)s to %(b)s") % {"w": code, "a": old.code, "b": new.code}
    lines = [(new, value, ZERO, None, memo), (old, ZERO, value, None, memo)]
    if value < 0:
        lines = [(new, ZERO, -value, None, memo), (old, -value, ZERO, None, memo)]
    post_source_document(
        tenant,
        RECLASS_SOURCE,
        number,
        timezone.localdate(),
        lines,
        memo=memo,
        reference=f"RC-INV-{number:03d}",
        journal="INV",
        actor=principal.user,
    )


def set_transit_account(principal: Principal, account_id: int | None) -> Account | None:
    """Give goods in transit between warehouses their own account (None: they stay in the source's
    account until received). Transfers already on the road finish the way they were shipped."""
    principal.require("acc.coa.configure")
    with atomic_in(principal.tenant):
        ensure_chart(principal.tenant)
        settings = AccountingSettings.objects.select_for_update(of=("self",), no_key=True).get()
        before = settings.transfer_transit_account.code if settings.transfer_transit_account else ""
        settings.transfer_transit_account = None if account_id is None else _postable(account_id, "account_id")
        settings.save(update_fields=["transfer_transit_account"])
        account = settings.transfer_transit_account
        audit.record(
            audit.AuditAction.UPDATE,
            actor=principal.user,
            obj=settings,
            before={"transfer_transit_account": before},
            after={"transfer_transit_account": account.code if account else ""},
        )
        config_cache.bump()  # every process drops its cached configuration
        return account
