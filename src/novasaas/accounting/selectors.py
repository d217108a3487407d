"""Reads of the ledger and report builders. Reports read the maintained ``AccountBalance`` rows
(O(accounts × periods)); only the account ledger, which lists lines, reads lines.

Public selectors for other modules: ``party_balance`` (CRM: customer balance, credit limit) and
``inventory_account_balance`` (Inventory: reconcile the stock valuation with the ledger).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Q, QuerySet, Sum
from django.utils import timezone

from novasaas.accounting.charts import ROLE_DEFAULTS
from novasaas.accounting.models import (
    Account,
    AccountBalance,
    AccountingSettings,
    AccountMapping,
    ChartOfAccount,
    EntryState,
    FiscalPeriod,
    FiscalYear,
    Journal,
    JournalEntry,
    JournalLine,
    NormalBalance,
)
from novasaas.accounting.scope import in_tenant
from novasaas.platform.models import Tenant

ZERO = Decimal(0)


def get_chart(tenant: Tenant) -> ChartOfAccount:
    from novasaas.accounting.actions import ensure_chart

    return ensure_chart(tenant)


def list_accounts(
    tenant: Tenant, *, q: str = "", include_inactive: bool = True, postable: bool = False
) -> QuerySet[Account]:
    with in_tenant(tenant):
        qs = Account.objects.filter(tenant=tenant).order_by("code")
        if q:
            qs = qs.filter(Q(code__startswith=q) | Q(name_vi__icontains=q) | Q(name_en__icontains=q))
        if not include_inactive:
            qs = qs.filter(is_active=True)
        if postable:
            qs = qs.filter(is_active=True, allows_posting=True)
        return qs


def accounts_with_lines(tenant: Tenant) -> set[int]:
    with in_tenant(tenant):
        return set(AccountBalance.objects.filter(tenant=tenant).values_list("account_id", flat=True).distinct())


def get_account(tenant: Tenant, account_id: int) -> Account:
    with in_tenant(tenant):
        return Account.objects.get(tenant=tenant, pk=account_id)


def get_settings(tenant: Tenant) -> AccountingSettings:
    get_chart(tenant)
    with in_tenant(tenant):
        return AccountingSettings.objects.get(tenant=tenant)


def role_mappings(tenant: Tenant) -> list[dict[str, Any]]:
    """Every posting role with the account it resolves to (explicit mapping or template default)."""
    chart = get_chart(tenant)
    with in_tenant(tenant):
        explicit = {m.role: m.account for m in AccountMapping.objects.select_related("account")}
        defaults = ROLE_DEFAULTS.get(chart.template, {})
        by_code = {a.code: a for a in Account.objects.filter(code__in=list(defaults.values()))}
        rows = []
        for role in sorted(set(defaults) | set(explicit)):
            account = explicit.get(role) or by_code.get(defaults.get(role, ""))
            rows.append({"role": role, "account": account, "explicit": role in explicit})
        return rows


def list_tax_rates(tenant: Tenant) -> QuerySet[Any]:
    from novasaas.accounting.models import TaxRate

    get_chart(tenant)
    with in_tenant(tenant):
        return TaxRate.objects.filter(tenant=tenant).order_by("code", "valid_from")


def list_years(tenant: Tenant) -> QuerySet[FiscalYear]:
    get_chart(tenant)
    with in_tenant(tenant):
        return FiscalYear.objects.filter(tenant=tenant).prefetch_related("periods").order_by("-start_date")


def get_period(tenant: Tenant, period_id: int) -> FiscalPeriod:
    with in_tenant(tenant):
        return FiscalPeriod.objects.get(tenant=tenant, pk=period_id)


def list_journals(tenant: Tenant) -> QuerySet[Journal]:
    get_chart(tenant)
    with in_tenant(tenant):
        return Journal.objects.filter(tenant=tenant).order_by("code")


def list_entries(
    tenant: Tenant,
    *,
    journal_id: int | None = None,
    state: str = "",
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    account_id: int | None = None,
    q: str = "",
    source_type: str = "",
) -> QuerySet[JournalEntry]:
    with in_tenant(tenant):
        qs = JournalEntry.objects.filter(tenant=tenant).select_related("journal")
        if journal_id:
            qs = qs.filter(journal_id=journal_id)
        if state:
            qs = qs.filter(state=state)
        if date_from:
            qs = qs.filter(date__gte=date_from)
        if date_to:
            qs = qs.filter(date__lte=date_to)
        if account_id:
            qs = qs.filter(pk__in=JournalLine.objects.filter(account_id=account_id).values("entry_id"))
        if source_type:
            qs = qs.filter(source_type=source_type)
        if q:
            qs = qs.filter(Q(reference__icontains=q) | Q(memo__icontains=q) | Q(source_reference__icontains=q))
        return qs.order_by("-date", "-id")


def get_entry(tenant: Tenant, entry_id: int) -> JournalEntry:
    with in_tenant(tenant):
        return (
            JournalEntry.objects.select_related(
                "journal", "period", "reversal_of", "created_by", "posted_by", "approved_by"
            )
            .prefetch_related("reversals")
            .get(tenant=tenant, pk=entry_id)
        )


def entry_lines(tenant: Tenant, entry: JournalEntry) -> list[JournalLine]:
    with in_tenant(tenant):
        return list(
            JournalLine.objects.filter(entry=entry)
            .select_related("account", "tax_rate", "dimension")
            .order_by("line_no", "id")
        )


def source_link(entry: JournalEntry) -> str:
    """URL of the source document in its module, when that module exposes one (else empty)."""
    from django.urls import NoReverseMatch, reverse

    if not entry.source_type or entry.source_id is None:
        return ""
    name = {
        "inventory.receipt": "inventory-receipt-detail",
        "inventory.issue": "inventory-issue-detail",
        "inventory.adjustment": "inventory-adjustment-detail",
        "inventory.count": "inventory-count-detail",
    }.get(entry.source_type, "")
    if not name:
        return ""
    try:
        return reverse(name, args=[entry.source_id])
    except NoReverseMatch:
        return ""


def entries_for_source(tenant: Tenant, source_type: str, source_id: int) -> list[JournalEntry]:
    """Ledger entries of another module's document (for its 'view entry' link)."""
    with in_tenant(tenant):
        return list(JournalEntry.objects.filter(tenant=tenant, source_type=source_type, source_id=source_id))


# --- balances ---------------------------------------------------------------------------------------


def _signed(account: Account, debit: Decimal, credit: Decimal) -> Decimal:
    return debit - credit if account.normal_balance == NormalBalance.DEBIT else credit - debit


def _periods_between(date_from: dt.date | None, date_to: dt.date | None) -> QuerySet[FiscalPeriod]:
    qs = FiscalPeriod.objects.all()
    if date_from:
        qs = qs.filter(end_date__gte=date_from)
    if date_to:
        qs = qs.filter(start_date__lte=date_to)
    return qs


def balances_by_account(
    tenant: Tenant, *, before: dt.date | None = None, date_from: dt.date | None = None, date_to: dt.date | None = None
) -> dict[int, tuple[Decimal, Decimal]]:
    """Σ debit, Σ credit per account over whole periods: ``before`` (periods ending before a date) or a
    ``date_from``–``date_to`` range (periods overlapping it). Reads maintained balances only."""
    with in_tenant(tenant):
        # the period's tenant too: the join then reads this tenant's periods by index (issue 20)
        qs = AccountBalance.objects.filter(tenant=tenant, period__tenant=tenant)
        if before is not None:
            qs = qs.filter(period__end_date__lt=before)
        else:
            if date_from:
                qs = qs.filter(period__end_date__gte=date_from)
            if date_to:
                qs = qs.filter(period__start_date__lte=date_to)
        rows = qs.values("account_id").annotate(d=Sum("debit"), c=Sum("credit"))
        return {r["account_id"]: (r["d"] or ZERO, r["c"] or ZERO) for r in rows}


@dataclass
class TrialBalanceRow:
    account: Account
    opening_debit: Decimal = ZERO
    opening_credit: Decimal = ZERO
    debit: Decimal = ZERO
    credit: Decimal = ZERO
    closing_debit: Decimal = ZERO
    closing_credit: Decimal = ZERO
    is_leaf: bool = True


@dataclass
class TrialBalance:
    date_from: dt.date
    date_to: dt.date
    rows: list[TrialBalanceRow]
    totals: dict[str, Decimal] = field(default_factory=dict)

    @property
    def balanced(self) -> bool:
        t = self.totals
        return (
            t["opening_debit"] == t["opening_credit"]
            and t["debit"] == t["credit"]
            and t["closing_debit"] == t["closing_credit"]
        )


def _split(net: Decimal) -> tuple[Decimal, Decimal]:
    return (net, ZERO) if net >= 0 else (ZERO, -net)


def period_bounds(tenant: Tenant, date_from: dt.date | None, date_to: dt.date | None) -> tuple[dt.date, dt.date]:
    """Snap a date range to whole fiscal periods (reports read per-period balances)."""
    today = timezone.localdate()
    with in_tenant(tenant):
        start = date_from or dt.date(today.year, 1, 1)
        end = date_to or today
        p_start = FiscalPeriod.objects.filter(start_date__lte=start, end_date__gte=start).first()
        p_end = FiscalPeriod.objects.filter(start_date__lte=end, end_date__gte=end).first()
        return (p_start.start_date if p_start else start, p_end.end_date if p_end else end)


def trial_balance(
    tenant: Tenant, date_from: dt.date | None = None, date_to: dt.date | None = None, *, leaves_only: bool = False
) -> TrialBalance:
    """Opening balance, movements and closing balance per account (with parent roll-ups) for the
    periods covering ``date_from``–``date_to``. Every level's totals balance when the ledger does."""
    get_chart(tenant)
    start, end = period_bounds(tenant, date_from, date_to)
    opening = balances_by_account(tenant, before=start)
    moves = balances_by_account(tenant, date_from=start, date_to=end)
    with in_tenant(tenant):
        accounts = list(Account.objects.filter(tenant=tenant).order_by("code"))
    by_id = {a.pk: a for a in accounts}
    # net opening (debit-positive), debit and credit movements per account, rolled up to parents
    acc_open: dict[int, Decimal] = defaultdict(lambda: ZERO)
    acc_d: dict[int, Decimal] = defaultdict(lambda: ZERO)
    acc_c: dict[int, Decimal] = defaultdict(lambda: ZERO)
    touched: set[int] = set()
    for aid in set(opening) | set(moves):
        od, oc = opening.get(aid, (ZERO, ZERO))
        md, mc = moves.get(aid, (ZERO, ZERO))
        node: Account | None = by_id.get(aid)
        while node is not None:
            acc_open[node.pk] += od - oc
            acc_d[node.pk] += md
            acc_c[node.pk] += mc
            touched.add(node.pk)
            node = by_id.get(node.parent_id) if node.parent_id else None
    has_children = {a.parent_id for a in accounts if a.parent_id}
    rows: list[TrialBalanceRow] = []
    totals = dict.fromkeys(
        ("opening_debit", "opening_credit", "debit", "credit", "closing_debit", "closing_credit"), ZERO
    )
    for account in accounts:
        if account.pk not in touched:
            continue
        is_leaf = account.pk not in has_children
        if leaves_only and not is_leaf:
            continue
        od, oc = _split(acc_open[account.pk])
        cd, cc = _split(acc_open[account.pk] + acc_d[account.pk] - acc_c[account.pk])
        row = TrialBalanceRow(account, od, oc, acc_d[account.pk], acc_c[account.pk], cd, cc, is_leaf)
        rows.append(row)
        if account.parent_id is None:
            for key in totals:
                totals[key] += getattr(row, key)
    return TrialBalance(start, end, rows, totals)


@dataclass
class LedgerRow:
    date: dt.date
    entry_id: int
    reference: str
    memo: str
    debit: Decimal
    credit: Decimal
    balance: Decimal
    partner_id: int | None = None
    currency: str = ""  # foreign-currency line: currency, signed amount in it (debit +) and rate
    amount_currency: Decimal = ZERO
    exchange_rate: Decimal | None = None


@dataclass
class AccountLedger:
    account: Account
    date_from: dt.date
    date_to: dt.date
    opening: Decimal
    rows: list[LedgerRow]
    debit: Decimal
    credit: Decimal
    closing: Decimal


def account_ledger(
    tenant: Tenant,
    account_id: int,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    *,
    limit: int = 5000,
) -> AccountLedger:
    """Posted lines of an account (and its sub-accounts) with a running balance in the account's normal
    direction; the opening comes from maintained balances plus the lines of the partial first period."""
    get_chart(tenant)
    today = timezone.localdate()
    start = date_from or dt.date(today.year, 1, 1)
    end = date_to or today
    with in_tenant(tenant):
        account = Account.objects.get(tenant=tenant, pk=account_id)
        ids = list(Account.objects.filter(code__startswith=account.code).values_list("pk", flat=True))
        first_period = FiscalPeriod.objects.filter(start_date__lte=start, end_date__gte=start).first()
        cut = first_period.start_date if first_period else start
        agg = AccountBalance.objects.filter(account_id__in=ids, period__end_date__lt=cut).aggregate(
            d=Sum("debit"), c=Sum("credit")
        )
        opening = _signed(account, agg["d"] or ZERO, agg["c"] or ZERO)
        posted = JournalLine.objects.filter(account_id__in=ids, entry__state=EntryState.POSTED)
        if cut < start:
            part = posted.filter(entry__date__gte=cut, entry__date__lt=start).aggregate(d=Sum("debit"), c=Sum("credit"))
            opening += _signed(account, part["d"] or ZERO, part["c"] or ZERO)
        lines = (
            posted.filter(entry__date__gte=start, entry__date__lte=end)
            .select_related("entry")
            .order_by("entry__date", "entry__chain_seq", "line_no")[:limit]
        )
        running = opening
        rows: list[LedgerRow] = []
        total_d = total_c = ZERO
        for line in lines:
            running += _signed(account, line.debit, line.credit)
            total_d += line.debit
            total_c += line.credit
            rows.append(
                LedgerRow(
                    line.entry.date,
                    line.entry_id,
                    line.entry.reference,
                    line.memo or line.entry.memo,
                    line.debit,
                    line.credit,
                    running,
                    line.partner_id,
                    line.currency,
                    line.amount_currency if line.debit else -line.amount_currency,
                    line.exchange_rate,
                )
            )
        return AccountLedger(account, start, end, opening, rows, total_d, total_c, running)


def journal_listing(
    tenant: Tenant,
    date_from: dt.date | None = None,
    date_to: dt.date | None = None,
    journal_id: int | None = None,
    *,
    limit: int = 2000,
) -> list[tuple[JournalEntry, list[JournalLine]]]:
    """Posted entries with their lines, in number order (the general journal, sổ nhật ký chung)."""
    today = timezone.localdate()
    start = date_from or dt.date(today.year, 1, 1)
    end = date_to or today
    with in_tenant(tenant):
        entries = list(
            JournalEntry.objects.filter(tenant=tenant, state=EntryState.POSTED, date__gte=start, date__lte=end)
            .filter(**({"journal_id": journal_id} if journal_id else {}))
            .select_related("journal")
            .order_by("date", "chain_seq")[:limit]
        )
        lines: dict[int, list[JournalLine]] = defaultdict(list)
        for line in JournalLine.objects.filter(entry__in=entries).select_related("account").order_by("line_no"):
            lines[line.entry_id].append(line)
        return [(e, lines[e.pk]) for e in entries]


# --- selectors for other modules ----------------------------------------------------------------------


@dataclass(frozen=True)
class PartyBalance:
    """What a party owes us (receivable, positive = they owe) and what we owe them (payable)."""

    receivable: Decimal
    payable: Decimal

    @property
    def net(self) -> Decimal:
        return self.receivable - self.payable


def _role_account_ids(tenant: Tenant, roles: Iterable[str]) -> list[int]:
    from novasaas.accounting.actions import resolve_role

    ids: set[int] = set()
    for role in roles:
        account = resolve_role(tenant, role)
        ids.add(account.pk)  # a mapping may point anywhere: count it, and its level-1 family
        ids.update(Account.objects.filter(code__startswith=account.code[:3]).values_list("pk", flat=True))
    return sorted(ids)


def party_balance(tenant: Tenant, party_id: int) -> PartyBalance:
    """Posted balance of a party on the receivable (131) and payable (331) accounts and their
    sub-accounts. CRM shows it on the customer and checks the credit limit against ``receivable``."""
    get_chart(tenant)
    with in_tenant(tenant):
        result = []
        for role in ("receivable", "payable"):
            ids = _role_account_ids(tenant, [role])
            agg = JournalLine.objects.filter(
                tenant=tenant, partner_id=party_id, account_id__in=ids, entry__state=EntryState.POSTED
            ).aggregate(d=Sum("debit"), c=Sum("credit"))
            d, c = agg["d"] or ZERO, agg["c"] or ZERO
            result.append(d - c if role == "receivable" else c - d)
        return PartyBalance(receivable=result[0], payable=result[1])


INVENTORY_ROLES = ("goods_in_transit", "raw_materials", "tools", "wip", "finished_goods", "inventory")


def balance_as_of(tenant: Tenant, account_ids: list[int], as_of: dt.date) -> Decimal:
    """Debit-positive balance of accounts at the end of ``as_of``: whole periods from maintained
    balances, plus the lines of the period containing ``as_of`` up to that day."""
    with in_tenant(tenant):
        period = FiscalPeriod.objects.filter(start_date__lte=as_of, end_date__gte=as_of).first()
        cut = period.start_date if period else as_of + dt.timedelta(days=1)
        agg = AccountBalance.objects.filter(account_id__in=account_ids, period__end_date__lt=cut).aggregate(
            d=Sum("debit"), c=Sum("credit")
        )
        total = (agg["d"] or ZERO) - (agg["c"] or ZERO)
        if period is not None:
            part = JournalLine.objects.filter(
                account_id__in=account_ids, entry__state=EntryState.POSTED, entry__date__gte=cut, entry__date__lte=as_of
            ).aggregate(d=Sum("debit"), c=Sum("credit"))
            total += (part["d"] or ZERO) - (part["c"] or ZERO)
        return total


def balances_as_of(tenant: Tenant, account_ids: list[int], as_of: dt.date) -> dict[int, Decimal]:
    """``balance_as_of`` per account (accounts without lines are absent)."""
    with in_tenant(tenant):
        period = FiscalPeriod.objects.filter(start_date__lte=as_of, end_date__gte=as_of).first()
        cut = period.start_date if period else as_of + dt.timedelta(days=1)
        result: dict[int, Decimal] = defaultdict(lambda: ZERO)
        rows = (
            AccountBalance.objects.filter(account_id__in=account_ids, period__end_date__lt=cut)
            .values("account_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        )
        for row in rows:
            result[row["account_id"]] += (row["d"] or ZERO) - (row["c"] or ZERO)
        if period is not None:
            lines = (
                JournalLine.objects.filter(
                    account_id__in=account_ids,
                    entry__state=EntryState.POSTED,
                    entry__date__gte=cut,
                    entry__date__lte=as_of,
                )
                .values("account_id")
                .annotate(d=Sum("debit"), c=Sum("credit"))
            )
            for row in lines:
                result[row["account_id"]] += (row["d"] or ZERO) - (row["c"] or ZERO)
        return dict(result)


def inventory_account_ids(tenant: Tenant) -> list[int]:
    """The stock accounts: the inventory roles 151–157 as mapped (with their level-1 families), every
    warehouse's own stock account and the account of goods in transit between warehouses."""
    from novasaas.accounting.models import WarehouseAccount

    get_chart(tenant)
    with in_tenant(tenant):
        ids = set(_role_account_ids(tenant, INVENTORY_ROLES))
        ids.update(WarehouseAccount.objects.values_list("account_id", flat=True))
        transit = AccountingSettings.objects.values_list("transfer_transit_account_id", flat=True).first()
        if transit:
            ids.add(transit)
        return sorted(ids)


def inventory_account_balance(tenant: Tenant, as_of: dt.date) -> Decimal:
    """Ledger value of stock (``inventory_account_ids``: 151–157 as mapped, warehouses' own accounts,
    goods in transit) at the end of ``as_of``, for Inventory's reconciliation of its valuation."""
    get_chart(tenant)
    with in_tenant(tenant):
        return balance_as_of(tenant, inventory_account_ids(tenant), as_of)


def dimension_costs(tenant: Tenant, kind: str, code: str, *, exclude_sources: Iterable[str] = ()) -> Decimal:
    """Σ debit − credit of the posted lines of expense accounts carrying the analytic dimension
    ``kind:code`` (closing entries left out; entries whose ``source_type`` is in ``exclude_sources`` too).
    Projects' costing reads it for ``project:<code>``: purchases and other costs booked on the project."""
    from novasaas.accounting.dimensions import dimension_by_code
    from novasaas.accounting.models import AccountType, EntryState, JournalKind, JournalLine

    with in_tenant(tenant):
        dim = dimension_by_code(tenant, kind, code)
        if dim is None:
            return ZERO
        agg = (
            JournalLine.objects.filter(
                tenant=tenant, dimension=dim, entry__state=EntryState.POSTED, account__type=AccountType.EXPENSE
            )
            .exclude(entry__journal__kind=JournalKind.CLOSING)
            .exclude(entry__source_type__in=list(exclude_sources))
            .aggregate(d=Sum("debit"), c=Sum("credit"))
        )
        return (agg["d"] or ZERO) - (agg["c"] or ZERO)


def bank_accounts(tenant: Tenant) -> list[tuple[int, str, str]]:
    """The company's active bank accounts as ``(id, label, ledger account code)`` — for other modules
    that pay through one (HRM's salary payment)."""
    from novasaas.accounting.models import BankAccount

    with in_tenant(tenant):
        rows = BankAccount.objects.filter(tenant=tenant, is_active=True).select_related("account").order_by("name")
        return [(b.pk, str(b), b.account.code) for b in rows]


def reversals_of(tenant: Tenant, entry_id: int) -> list[JournalEntry]:
    """The entry reversing ``entry_id`` (at most one), for a module showing its document's entries."""
    with in_tenant(tenant):
        return list(JournalEntry.objects.filter(tenant=tenant, reversal_of_id=entry_id))
