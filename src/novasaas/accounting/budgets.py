"""Budgets: amounts per account and period of a fiscal year, optionally per dimension (department,
project), budget vs actual from the maintained balances (``AccountBalance``; ``DimensionBalance`` for
lines with a dimension), and a ``BudgetExceeded`` event plus a notification when a posting takes an
account (of that dimension) above its budget for the period (checked in the posting transaction,
notified once per budget line)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils.translation import gettext as _

from novasaas.accounting import actions, config_cache
from novasaas.accounting.events import BudgetExceeded
from novasaas.accounting.models import (
    Account,
    AccountBalance,
    AccountType,
    Budget,
    BudgetLine,
    Dimension,
    DimensionBalance,
    FiscalPeriod,
    FiscalYear,
    JournalLine,
)
from novasaas.accounting.scope import atomic_in, in_tenant
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.money import format_amount, to_decimal

ZERO = Decimal(0)


def create_budget(principal: Principal, *, fiscal_year_id: int, name: str) -> Budget:
    principal.require("acc.budget.manage")
    if not (name or "").strip():
        raise ValidationError({"name": [_("Enter a name.")]})
    with atomic_in(principal.tenant):
        actions.ensure_chart(principal.tenant)
        year = FiscalYear.objects.get(pk=fiscal_year_id)
        if Budget.objects.filter(fiscal_year=year, name=name.strip()).exists():
            raise ValidationError({"name": [_("A budget with this name exists for the year.")]})
        budget = Budget.objects.create(fiscal_year=year, name=name.strip()[:120])
        audit.record_created(budget, principal.user)
        return budget


def set_budget_lines(principal: Principal, budget_id: int, lines: Sequence[tuple[Any, ...]]) -> Budget:
    """Replace the budget's lines: ``(account code or id, period number 1–12, amount[, dimension])``
    where the optional dimension is an id, ``"department:KD"`` or a code; a zero amount removes the
    line. Errors are keyed ``lines[i].field``."""
    from novasaas.accounting import dimensions

    principal.require("acc.budget.manage")
    with atomic_in(principal.tenant):
        budget = Budget.objects.select_for_update(of=("self",), no_key=True).get(pk=budget_id)
        periods = {p.number: p for p in FiscalPeriod.objects.filter(fiscal_year=budget.fiscal_year)}
        errors: dict[str, list[str]] = {}
        rows: dict[tuple[int, int, int | None], Decimal] = {}
        cache: dict[Any, Any] = {}
        for i, item in enumerate(lines):
            account_ref, number, amount = item[0], item[1], item[2]
            dim_ref = item[3] if len(item) > 3 else None
            dimension: Dimension | None = None
            if dim_ref not in (None, ""):
                dimension = dimensions.lookup(dim_ref, cache)
                if dimension is None or not dimension.is_active:
                    errors.setdefault(f"lines[{i}].dimension", []).append(
                        _("Unknown or inactive department or project “%(d)s”.") % {"d": str(dim_ref)[:40]}
                    )
                    continue
            account = (
                Account.objects.filter(pk=account_ref).first()
                if isinstance(account_ref, int)
                else Account.objects.filter(code=str(account_ref).strip()).first()
            )
            if account is None:
                errors.setdefault(f"lines[{i}].account", []).append(_("Unknown account."))
                continue
            if number not in periods:
                errors.setdefault(f"lines[{i}].period", []).append(_("Choose a period from 1 to 12."))
                continue
            try:
                value = to_decimal(amount)
            except (TypeError, ValueError):
                errors.setdefault(f"lines[{i}].amount", []).append(_("Enter a number."))
                continue
            if not value.is_finite() or value < 0 or value >= Decimal("1e15") or value != round(value, 2):
                errors.setdefault(f"lines[{i}].amount", []).append(_("Enter zero or a positive amount."))
                continue
            rows[(account.pk, periods[number].pk, dimension.pk if dimension else None)] = value
        if errors:
            raise ValidationError(errors)
        BudgetLine.objects.filter(budget=budget).delete()
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(  # type: ignore[misc]
                    tenant_id=budget.tenant_id, budget=budget, account_id=a, period_id=p, dimension_id=d, amount=v
                )
                for (a, p, d), v in rows.items()
                if v > 0
            ]
        )
        audit.record(
            AuditAction.UPDATE,
            actor=principal.user,
            obj=budget,
            after={"lines": len(rows)},
            message="budget lines replaced",
        )
        config_cache.bump()  # postings check budgets only in periods that have lines (cached)
        return budget


def _actual(account: Account, debit: Decimal, credit: Decimal) -> Decimal:
    """Spending on cost accounts, earnings on revenue accounts, net movement elsewhere (normal side)."""
    if account.type == AccountType.REVENUE or account.normal_balance == "credit":
        return credit - debit
    return debit - credit


@dataclass
class BudgetRow:
    account: Account
    budget: Decimal
    actual: Decimal
    dimension: Dimension | None = None

    @property
    def variance(self) -> Decimal:
        return self.budget - self.actual

    @property
    def used_pct(self) -> Decimal | None:
        return None if not self.budget else (self.actual * 100 / self.budget).quantize(Decimal("0.1"))


@dataclass
class BudgetGroup:
    """The rows of one dimension (``None``: lines budgeted for the whole account) with their totals."""

    dimension: Dimension | None
    rows: list[BudgetRow]

    @property
    def budget(self) -> Decimal:
        return sum((r.budget for r in self.rows), ZERO)

    @property
    def actual(self) -> Decimal:
        return sum((r.actual for r in self.rows), ZERO)

    @property
    def variance(self) -> Decimal:
        return self.budget - self.actual


def group_rows(rows: list[BudgetRow]) -> list[BudgetGroup]:
    groups: dict[int | None, BudgetGroup] = {}
    for row in rows:
        key = row.dimension.pk if row.dimension else None
        groups.setdefault(key, BudgetGroup(row.dimension, [])).rows.append(row)
    return list(groups.values())


def budget_vs_actual(
    tenant: Tenant,
    budget_id: int,
    up_to: dt.date | None = None,
    *,
    dimension_id: int | None = None,
    kind: str = "",
) -> tuple[Budget, list[BudgetRow]]:
    """Budget and actual per account and dimension for the year's periods (up to the period containing
    ``up_to``), read from maintained balances (closing entries excluded). A budget line without a
    dimension is compared with the whole account; one with a dimension with the account's lines of that
    dimension. ``dimension_id`` keeps one dimension's lines, ``kind`` (department|project) one kind's.
    Rows are ordered by dimension (account-wide lines first), then account code."""
    with in_tenant(tenant):
        budget = Budget.objects.select_related("fiscal_year").get(tenant=tenant, pk=budget_id)
        periods = FiscalPeriod.objects.filter(fiscal_year=budget.fiscal_year)
        if up_to is not None:
            periods = periods.filter(start_date__lte=up_to)
        period_ids = list(periods.values_list("pk", flat=True))
        lines = BudgetLine.objects.filter(budget=budget, period_id__in=period_ids)
        if dimension_id is not None:
            lines = lines.filter(dimension_id=dimension_id)
        elif kind:
            lines = lines.filter(dimension__kind=kind)
        planned: dict[tuple[int, int | None], Decimal] = defaultdict(lambda: ZERO)
        for line in lines:
            planned[(line.account_id, line.dimension_id)] += line.amount
        whole = [a for a, d in planned if d is None]
        per_dim = [(a, d) for a, d in planned if d is not None]
        sums: dict[tuple[int, int | None], tuple[Decimal, Decimal]] = {}
        if whole:
            for r in (
                AccountBalance.objects.filter(account_id__in=whole, period_id__in=period_ids, closing=False)
                .values("account_id")
                .annotate(d=Sum("debit"), c=Sum("credit"))
            ):
                sums[(r["account_id"], None)] = (r["d"] or ZERO, r["c"] or ZERO)
        if per_dim:
            for r in (
                DimensionBalance.objects.filter(
                    account_id__in={a for a, _d in per_dim},
                    dimension_id__in={d for _a, d in per_dim},
                    period_id__in=period_ids,
                )
                .values("account_id", "dimension_id")
                .annotate(d=Sum("debit"), c=Sum("credit"))
            ):
                sums[(r["account_id"], r["dimension_id"])] = (r["d"] or ZERO, r["c"] or ZERO)
        accounts = Account.objects.in_bulk({a for a, _d in planned})
        dims = Dimension.objects.in_bulk({d for _a, d in per_dim})

        def order(key: tuple[int, int | None]) -> tuple[Any, ...]:
            a, d = key
            dim = dims.get(d) if d is not None else None
            return (dim is not None, dim.kind if dim else "", dim.code if dim else "", accounts[a].code)

        rows = [
            BudgetRow(
                accounts[a],
                planned[(a, d)],
                _actual(accounts[a], *sums.get((a, d), (ZERO, ZERO))),
                dims.get(d) if d is not None else None,
            )
            for a, d in sorted(planned, key=order)
        ]
        return budget, rows


def check_budgets(tenant_id: int, period: FiscalPeriod, lines: Iterable[JournalLine]) -> None:
    """Called by posting: for budget lines of the posted accounts in this period that are now
    exceeded (and not yet reported), publish ``BudgetExceeded`` and notify budget viewers. A budget
    line with a dimension is only concerned by posted lines of that dimension, and compares the
    account's actual in that dimension."""
    lines = list(lines)
    account_ids = {line.account_id for line in lines}
    dims = {(line.account_id, line.dimension_id) for line in lines if line.dimension_id}
    candidates = [
        bl
        for bl in BudgetLine.objects.filter(
            period=period, account_id__in=account_ids, exceeded_notified=False
        ).select_related("account", "budget", "dimension")
        if bl.dimension_id is None or (bl.account_id, bl.dimension_id) in dims
    ]
    if not candidates:
        return
    from novasaas.platform.notifications import notify
    from novasaas.platform.tenancy import current_tenant

    tenant = current_tenant()
    for line in candidates:
        if line.dimension_id is None:
            agg = AccountBalance.objects.filter(account=line.account, period=period, closing=False).aggregate(
                d=Sum("debit"), c=Sum("credit")
            )
        else:
            agg = DimensionBalance.objects.filter(
                account=line.account, period=period, dimension_id=line.dimension_id
            ).aggregate(d=Sum("debit"), c=Sum("credit"))
        actual = _actual(line.account, agg["d"] or ZERO, agg["c"] or ZERO)
        if actual <= line.amount:
            continue
        BudgetLine.objects.filter(pk=line.pk).update(exceeded_notified=True)
        dim = line.dimension
        publish(
            BudgetExceeded(
                tenant_id=tenant_id,
                budget_id=line.budget_id,
                account_code=line.account.code,
                period_start=period.start_date.isoformat(),
                budget=str(line.amount),
                actual=str(actual),
                dimension_kind=dim.kind if dim else "",
                dimension_code=dim.code if dim else "",
            )
        )
        where = {"code": line.account.code, "period": period}
        title = (
            _("Over budget: account %(code)s, %(dim)s, in %(period)s") % {**where, "dim": f"{dim.code} {dim.name}"}
            if dim
            else _("Over budget: account %(code)s in %(period)s") % where
        )
        notify(
            tenant,
            "acc.budget.view",
            "system",
            title[:200],
            _("Budget %(b)s, actual %(a)s (%(name)s).")
            % {"b": format_amount(line.amount), "a": format_amount(actual), "name": line.budget.name},
            f"/accounting/budgets/{line.budget_id}/" + (f"?dimension={dim.pk}" if dim else ""),
        )
