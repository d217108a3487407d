"""Cost of goods sold for a period (spec §7.2.2 "Tính giá vốn", permission ``acc.cost.calculate``).

Shows the calculation the way Vietnamese SME software does — opening stock + receipts − closing stock
= cost of goods sold — per stock account (152, 153, 155, 156 and their sub-accounts), from the
maintained balances of the whole fiscal periods covering the range, next to what the period posted to
632 (the ``cogs`` role).

With Inventory (INV) on, every goods issue posts its own cost, so the page compares the inventory
ledger's cost of sales (``inventory.selectors.cost_of_sales``) with 632: the difference is 0 when
everything posted. Without Inventory (periodic method, "kiểm kê định kỳ") the accountant enters the
counted closing stock per account and posts one entry Dr 632 / Cr stock account(s) for the difference
between the ledger's closing balance and the count. Previous calculations of the period are already in
the ledger balance, so calculating the same period again posts only the change, and nothing (refused
with a message) when the count is unchanged.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from novasaas.accounting import selectors
from novasaas.accounting.actions import post_source_document
from novasaas.accounting.models import Account, AccountingSettings, FiscalPeriod, JournalEntry, PeriodState
from novasaas.accounting.scope import atomic_in, in_tenant
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.models import Tenant

ZERO = Decimal(0)
SOURCE = "accounting.cogs_periodic"
STOCK_PREFIXES = ("152", "153", "155", "156")
MAX_AMOUNT = Decimal("1e15")


@dataclass
class CostRow:
    account_id: int
    account_code: str
    account_name: str
    opening: Decimal = ZERO
    debit: Decimal = ZERO  # receipts
    credit: Decimal = ZERO  # issues
    counted: Decimal | None = None  # closing stock counted by the accountant (periodic method)

    @property
    def closing(self) -> Decimal:
        """The ledger's closing balance."""
        return self.opening + self.debit - self.credit

    @property
    def cogs(self) -> Decimal:
        """Opening + receipts − closing stock (the counted one when given)."""
        closing = self.closing if self.counted is None else self.counted
        return self.opening + self.debit - closing

    @property
    def to_post(self) -> Decimal:
        """What a periodic calculation credits to the account (negative: debits it back)."""
        return ZERO if self.counted is None else self.closing - self.counted


@dataclass
class CostOfSales:
    date_from: dt.date
    date_to: dt.date
    inventory_enabled: bool
    rows: list[CostRow] = field(default_factory=list)
    cogs_posted: Decimal = ZERO  # net debit of 632 in the period
    inventory_cogs: Decimal | None = None  # per the inventory ledger (INV on)

    @property
    def difference(self) -> Decimal | None:
        """Inventory ledger minus 632 (INV on): 0 when every issue posted."""
        return None if self.inventory_cogs is None else self.inventory_cogs - self.cogs_posted

    @property
    def total_cogs(self) -> Decimal:
        return sum((r.cogs for r in self.rows), ZERO)

    @property
    def total_to_post(self) -> Decimal:
        return sum((r.to_post for r in self.rows), ZERO)

    def total(self, name: str) -> Decimal:
        return sum((getattr(r, name) for r in self.rows), ZERO)

    @property
    def totals(self) -> dict[str, Decimal]:
        return {k: self.total(k) for k in ("opening", "debit", "credit", "closing", "cogs", "to_post")}


def month_range(value: str) -> tuple[dt.date, dt.date]:
    """``YYYY-MM`` → its first and last day (``ValidationError`` otherwise)."""
    try:
        year, month = (int(x) for x in value.split("-"))
        if not 1900 <= year <= 2999:
            raise ValueError(value)
        first = dt.date(year, month, 1)
    except (ValueError, TypeError, AttributeError) as exc:
        raise ValidationError({"month": [_("Enter a month as YYYY-MM.")]}) from exc
    return first, (first + dt.timedelta(days=32)).replace(day=1) - dt.timedelta(days=1)


def _stock_accounts(tenant: Tenant) -> dict[int, Account]:
    ids = selectors.inventory_account_ids(tenant)
    with in_tenant(tenant):
        qs = Account.objects.filter(pk__in=ids, allows_posting=True).order_by("code")
        return {a.pk: a for a in qs if a.code.startswith(STOCK_PREFIXES)}


def cost_of_sales(
    tenant: Tenant, date_from: dt.date, date_to: dt.date, counted: Mapping[int, Decimal] | None = None
) -> CostOfSales:
    """The calculation for the fiscal periods covering ``date_from``–``date_to``; ``counted`` (account id →
    counted closing stock) previews a periodic calculation. Unknown accounts or bad values are refused."""
    if date_from > date_to:
        raise ValidationError({"date_to": [_("The end date must not be before the start date.")]})
    start, end = selectors.period_bounds(tenant, date_from, date_to)
    accounts = _stock_accounts(tenant)
    counted = dict(counted or {})
    for aid, value in counted.items():
        if aid not in accounts:
            raise ValidationError({"closing": [_("Choose a stock account (152, 153, 155, 156).")]})
        if value < 0:
            raise ValidationError({"closing": [_("The counted closing stock cannot be negative.")]})
    opening = selectors.balances_by_account(tenant, before=start)
    moves = selectors.balances_by_account(tenant, date_from=start, date_to=end)
    result = CostOfSales(start, end, tenant.has_module("INV"))
    for aid, account in accounts.items():
        od, oc = opening.get(aid, (ZERO, ZERO))
        md, mc = moves.get(aid, (ZERO, ZERO))
        if not (od - oc or md or mc or aid in counted):
            continue
        row = CostRow(aid, account.code, account.name_vi or account.name_en, od - oc, md, mc, counted.get(aid))
        result.rows.append(row)
    with in_tenant(tenant):
        cogs_ids = selectors._role_account_ids(tenant, ["cogs"])
    for aid in cogs_ids:
        d, c = moves.get(aid, (ZERO, ZERO))
        result.cogs_posted += d - c
    if result.inventory_enabled:
        from novasaas.inventory import selectors as inventory

        result.inventory_cogs = inventory.cost_of_sales(tenant, start, end)
    return result


def parse_counted(raw: Mapping[Any, Any]) -> dict[int, Decimal]:
    """Account id → counted value from form/API input (blank values skipped); bad numbers refused."""
    counted: dict[int, Decimal] = {}
    for key, value in raw.items():
        text = str(value).strip().replace(" ", "")
        if text == "":
            continue
        try:
            aid = int(key)
            amount = Decimal(text)
        except (ValueError, InvalidOperation) as exc:
            raise ValidationError({"closing": [_("Enter the counted closing stock as a number.")]}) from exc
        if not amount.is_finite() or amount.as_tuple().exponent < -2 or abs(amount) >= MAX_AMOUNT:  # type: ignore[operator]
            raise ValidationError({"closing": [_("Enter the counted closing stock as a number.")]})
        counted[aid] = amount
    return counted


def post_periodic_cogs(
    principal: Principal, date_from: dt.date, date_to: dt.date, counted: Mapping[int, Decimal]
) -> JournalEntry:
    """Post Dr 632 / Cr each stock account for ledger closing − counted closing (periodic method).

    Refused with Inventory on (each issue posts its cost), without any count, in a closed or locked
    period, for negative counts and when the ledger already matches the counts (nothing to post)."""
    principal.require("acc.cost.calculate")
    tenant = principal.tenant
    if tenant.has_module("INV"):
        raise ValidationError(
            _("Inventory is enabled: each goods issue posts its cost of goods sold, there is nothing to calculate.")
        )
    if not counted:
        raise ValidationError({"closing": [_("Enter the counted closing stock of at least one account.")]})
    with atomic_in(tenant):
        AccountingSettings.objects.select_for_update(
            of=("self",), no_key=True
        ).get()  # one calculation at a time per company
        calc = cost_of_sales(tenant, date_from, date_to, counted)
        period = FiscalPeriod.objects.filter(start_date__lte=calc.date_to, end_date__gte=calc.date_to).first()
        if period is not None and period.state != PeriodState.OPEN:
            raise ValidationError(_("The period is closed: cost of goods sold cannot be posted into it."))
        memo = _("Cost of goods sold %(a)s – %(b)s (periodic count)") % {
            "a": calc.date_from.strftime("%d/%m/%Y"),
            "b": calc.date_to.strftime("%d/%m/%Y"),
        }
        lines: list[Any] = []
        cogs = ZERO
        for row in calc.rows:
            amount = row.to_post
            if amount:
                account = Account.objects.get(pk=row.account_id)
                lines.append(
                    (account, ZERO, amount, None, memo) if amount > 0 else (account, -amount, ZERO, None, memo)
                )
                cogs += amount
        if not lines:
            raise ValidationError(_("This period's cost of goods sold is already posted for these counts."))
        if cogs:  # a count moved between accounts only (net 0) needs no 632 line
            lines.insert(0, ("cogs", cogs, ZERO, None, memo) if cogs > 0 else ("cogs", ZERO, -cogs, None, memo))
        number = JournalEntry.objects.filter(source_type=SOURCE).count() + 1
        entry = post_source_document(
            tenant, SOURCE, number, calc.date_to, lines, memo=memo, reference=f"GV-{number:04d}", actor=principal.user
        )
        audit.record_created(entry, principal.user)
        return entry
