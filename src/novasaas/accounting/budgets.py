"""Budgets: amounts per account and period of a fiscal year, budget vs actual from the maintained
balances, and a ``BudgetExceeded`` event plus a notification when a posting takes an account above
its budget for the period (checked in the posting transaction, notified once per budget line)."""

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

from novasaas.accounting import actions
from novasaas.accounting.events import BudgetExceeded
from novasaas.accounting.models import (
    Account,
    AccountBalance,
    AccountType,
    Budget,
    BudgetLine,
    FiscalPeriod,
    FiscalYear,
    JournalLine,
)
from novasaas.accounting.scope import atomic_in, in_tenant
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.money import to_decimal

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


def set_budget_lines(principal: Principal, budget_id: int, lines: Sequence[tuple[Any, int, Any]]) -> Budget:
    """Replace the budget's lines: ``(account code or id, period number 1–12, amount)``; a zero amount
    removes the line. Errors are keyed ``lines[i].field``."""
    principal.require("acc.budget.manage")
    with atomic_in(principal.tenant):
        budget = Budget.objects.select_for_update().get(pk=budget_id)
        periods = {p.number: p for p in FiscalPeriod.objects.filter(fiscal_year=budget.fiscal_year)}
        errors: dict[str, list[str]] = {}
        rows: dict[tuple[int, int], Decimal] = {}
        for i, (account_ref, number, amount) in enumerate(lines):
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
            rows[(account.pk, periods[number].pk)] = value
        if errors:
            raise ValidationError(errors)
        BudgetLine.objects.filter(budget=budget).delete()
        BudgetLine.objects.bulk_create(
            [
                BudgetLine(tenant_id=budget.tenant_id, budget=budget, account_id=a, period_id=p, amount=v)  # type: ignore[misc]
                for (a, p), v in rows.items()
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

    @property
    def variance(self) -> Decimal:
        return self.budget - self.actual

    @property
    def used_pct(self) -> Decimal | None:
        return None if not self.budget else (self.actual * 100 / self.budget).quantize(Decimal("0.1"))


def budget_vs_actual(tenant: Tenant, budget_id: int, up_to: dt.date | None = None) -> tuple[Budget, list[BudgetRow]]:
    """Budget and actual per account for the year's periods (up to the period containing ``up_to``),
    read from maintained balances (closing entries excluded)."""
    with in_tenant(tenant):
        budget = Budget.objects.select_related("fiscal_year").get(tenant=tenant, pk=budget_id)
        periods = FiscalPeriod.objects.filter(fiscal_year=budget.fiscal_year)
        if up_to is not None:
            periods = periods.filter(start_date__lte=up_to)
        period_ids = list(periods.values_list("pk", flat=True))
        planned: dict[int, Decimal] = defaultdict(lambda: ZERO)
        for line in BudgetLine.objects.filter(budget=budget, period_id__in=period_ids):
            planned[line.account_id] += line.amount
        sums = {
            r["account_id"]: (r["d"] or ZERO, r["c"] or ZERO)
            for r in AccountBalance.objects.filter(
                account_id__in=list(planned), period_id__in=period_ids, closing=False
            )
            .values("account_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        }
        accounts = Account.objects.in_bulk(list(planned))
        rows = [
            BudgetRow(accounts[a], planned[a], _actual(accounts[a], *sums.get(a, (ZERO, ZERO))))
            for a in sorted(planned, key=lambda x: accounts[x].code)
        ]
        return budget, rows


def check_budgets(tenant_id: int, period: FiscalPeriod, lines: Iterable[JournalLine]) -> None:
    """Called by posting: for budget lines of the posted accounts in this period that are now
    exceeded (and not yet reported), publish ``BudgetExceeded`` and notify budget viewers."""
    account_ids = {line.account_id for line in lines}
    candidates = list(
        BudgetLine.objects.filter(period=period, account_id__in=account_ids, exceeded_notified=False).select_related(
            "account", "budget"
        )
    )
    if not candidates:
        return
    from novasaas.platform.notifications import notify
    from novasaas.platform.tenancy import current_tenant

    tenant = current_tenant()
    for line in candidates:
        agg = AccountBalance.objects.filter(account=line.account, period=period, closing=False).aggregate(
            d=Sum("debit"), c=Sum("credit")
        )
        actual = _actual(line.account, agg["d"] or ZERO, agg["c"] or ZERO)
        if actual <= line.amount:
            continue
        BudgetLine.objects.filter(pk=line.pk).update(exceeded_notified=True)
        publish(
            BudgetExceeded(
                tenant_id=tenant_id,
                budget_id=line.budget_id,
                account_code=line.account.code,
                period_start=period.start_date.isoformat(),
                budget=str(line.amount),
                actual=str(actual),
            )
        )
        notify(
            tenant,
            "acc.budget.view",
            "system",
            _("Over budget: account %(code)s in %(period)s") % {"code": line.account.code, "period": period},
            _("Budget %(b)s, actual %(a)s (%(name)s).")
            % {"b": f"{line.amount:,.0f}", "a": f"{actual:,.0f}", "name": line.budget.name},
            f"/accounting/budgets/{line.budget_id}/",
        )
