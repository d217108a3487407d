"""The ledger's configuration — journals, accounts, role mappings, settings, which periods have
budget lines — cached per tenant and per process, so a posting does not read it again.

Validity without a query of its own: ``AccountingSettings.config_version`` is replaced by a fresh
random value in the transaction of every change of that configuration (``bump``), and postings read it
in the statement that takes their period lock (``posting._periods_shared``), before anything is read
from the cache. A cache whose version differs is dropped, whichever process made the change. The
version is read *before* the cached rows are loaded, so a cache is never newer-tagged than its
content; a version written by a transaction that rolls back is random and never becomes current.
Bounded: at most ``MAX_TENANTS`` tenants per process, least recently used first out.
"""

from __future__ import annotations

from collections import OrderedDict
from dataclasses import dataclass, field
from typing import Any

from novasaas.accounting.models import Account, AccountingSettings, Journal, new_config_version

MAX_TENANTS = 256


@dataclass
class LedgerConfig:
    version: int  # -1: not cached (a throw-away for one call)
    accounts: dict[Any, Account] = field(default_factory=dict)  # by code and by id
    journals: dict[Any, Journal] = field(default_factory=dict)  # by code and by id
    roles: dict[str, Account] = field(default_factory=dict)  # role -> the account it resolved to
    settings: AccountingSettings | None = None
    budget_periods: set[int] | None = None
    # (warehouse id, stock role) -> the warehouse's own account (``stock_accounts``); None: not read yet
    warehouse_accounts: dict[tuple[int, str], Account] | None = None


_CACHE: OrderedDict[tuple[int, Any], LedgerConfig] = OrderedDict()


def for_version(tenant_id: int, created_at: Any, version: int | None) -> LedgerConfig:
    """The tenant's cached configuration at ``version`` (an empty one when the version moved);
    ``version`` None (no settings row yet) gives a throw-away one."""
    if version is None:
        return LedgerConfig(-1)
    key = (tenant_id, created_at)  # ids can be reused (SQLite, test rollbacks)
    found = _CACHE.get(key)
    if found is None or found.version != version:
        found = LedgerConfig(version)
        _CACHE[key] = found
        while len(_CACHE) > MAX_TENANTS:
            _CACHE.popitem(last=False)
    else:
        _CACHE.move_to_end(key)
    return found


def for_period(period: Any) -> LedgerConfig:
    """The current tenant's configuration at the version read with ``period`` (by
    ``posting._periods_shared``); a throw-away one for a period read otherwise."""
    from novasaas.platform.tenancy import current_tenant

    version = getattr(period, "config_version", None)
    if version is None:
        return LedgerConfig(-1)
    tenant = current_tenant()
    return for_version(tenant.pk, getattr(tenant, "created_at", None), version)


def settings(config: LedgerConfig) -> AccountingSettings:
    if config.settings is None:
        config.settings = AccountingSettings.objects.get()
    return config.settings


def budget_periods(config: LedgerConfig) -> set[int]:
    """Ids of the periods that have budget lines (postings elsewhere skip the budget check)."""
    if config.budget_periods is None:
        from novasaas.accounting.models import BudgetLine

        config.budget_periods = set(BudgetLine.objects.values_list("period_id", flat=True).distinct())
    return config.budget_periods


def warehouse_accounts(config: LedgerConfig) -> dict[tuple[int, str], Account]:
    """The tenant's per-warehouse stock accounts (a mapping change bumps the version: ``stock_accounts``)."""
    if config.warehouse_accounts is None:
        from novasaas.accounting.models import WarehouseAccount

        rows = WarehouseAccount.objects.select_related("account")
        config.warehouse_accounts = {(m.warehouse_id, m.role): m.account for m in rows}
    return config.warehouse_accounts


def remember_accounts(config: LedgerConfig, accounts: list[Account]) -> None:
    for account in accounts:
        config.accounts[account.code] = account
        config.accounts[account.pk] = account


def bump() -> None:
    """Call in the transaction of any change of accounts, role mappings, journals, settings or budget
    lines of the current tenant: every process drops its cache when the change commits."""
    AccountingSettings.objects.update(config_version=new_config_version())
