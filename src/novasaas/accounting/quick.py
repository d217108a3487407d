"""The Accountant's daily shortcuts (spec §7.2.2): confirm revenue and record an expense as one form,
VAT computed by the money module's rounding, posted through the same rules as any entry (approval
threshold, open period, partner accounts)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from novasaas.accounting import actions, taxes
from novasaas.accounting.models import JournalEntry
from novasaas.accounting.scope import atomic_in
from novasaas.identity.access import Principal
from novasaas.platform.money import decimals_error, round_money, to_decimal

SETTLEMENT = {"cash": "cash", "bank": "bank"}


def _vat(principal: Principal, code: str | None, day: dt.date, base: Decimal) -> tuple[Any, Decimal]:
    if not code:
        return None, Decimal(0)
    actions.ensure_chart(principal.tenant)  # seeds the rates on a tenant's first use
    with atomic_in(principal.tenant):
        rate = taxes.rate_for(code, day)
    if rate is None:
        raise ValidationError({"tax_rate": [_("No tax rate %(code)s valid on this date.") % {"code": code[:20]}]})
    return rate, round_money(base * rate.rate / 100, "VND")


def _amount(value: Any) -> Decimal:
    try:
        amount = to_decimal(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({"amount": [_("Enter a number.")]}) from exc
    if not amount.is_finite() or amount <= 0 or amount >= Decimal("1e15"):
        raise ValidationError({"amount": [_("Enter a positive amount.")]})
    problem = decimals_error(amount, "VND")
    if problem:
        raise ValidationError({"amount": [problem]})
    return amount


def confirm_revenue(
    principal: Principal,
    *,
    date: dt.date,
    amount: Any,
    revenue_account: str = "",
    tax_rate: str | None = "VAT10",
    settlement: str = "receivable",
    partner_id: int | None = None,
    memo: str = "",
) -> JournalEntry:
    """Dr receivable (with the customer) or cash/bank / Cr revenue and output VAT."""
    principal.require("acc.revenue.confirm")
    base = _amount(amount)
    rate, vat = _vat(principal, tax_rate, date, base)
    debit_role = "receivable" if settlement == "receivable" else SETTLEMENT.get(settlement)
    if debit_role is None:
        raise ValidationError({"settlement": [_("Choose receivable, cash or bank.")]})
    revenue = revenue_account or actions.resolve_role(principal.tenant, "revenue").code
    lines: list[dict[str, Any]] = [
        {
            "account": actions.resolve_role(principal.tenant, debit_role).code,
            "debit": base + vat,
            "credit": 0,
            "partner_id": partner_id if debit_role == "receivable" else None,
        },
        {
            "account": revenue,
            "debit": 0,
            "credit": base,
            "tax_rate": rate.code if rate is not None and rate.is_exempt else None,
        },
    ]
    if rate is not None and not rate.is_exempt:
        lines.append(
            {
                "account": actions.resolve_role(principal.tenant, "output_vat").code,
                "debit": 0,
                "credit": vat,
                "tax_rate": rate.code,
                "tax_base": base,
            }
        )
    entry = actions.create_entry(principal, journal_id="SAL", date=date, lines=lines, memo=memo or _("Revenue"))
    return actions.post_entry(principal, entry.pk)


def record_expense(
    principal: Principal,
    *,
    date: dt.date,
    amount: Any,
    expense_account: str = "",
    tax_rate: str | None = "VAT10",
    settlement: str = "payable",
    partner_id: int | None = None,
    memo: str = "",
) -> JournalEntry:
    """Dr expense and input VAT / Cr payable (with the supplier) or cash/bank. Input VAT of a purchase
    of at least 5,000,000 VND paid in cash (same-day invoices of the supplier added up) is recorded as
    not deductible."""
    principal.require("acc.expense.record")
    base = _amount(amount)
    rate, vat = _vat(principal, tax_rate, date, base)
    credit_role = "payable" if settlement == "payable" else SETTLEMENT.get(settlement)
    if credit_role is None:
        raise ValidationError({"settlement": [_("Choose payable, cash or bank.")]})
    expense = expense_account or actions.resolve_role(principal.tenant, "admin_expense").code
    lines: list[dict[str, Any]] = [{"account": expense, "debit": base, "credit": 0}]
    if rate is not None and not rate.is_exempt and vat:
        lines.append(
            {
                "account": actions.resolve_role(principal.tenant, "input_vat").code,
                "debit": vat,
                "credit": 0,
                "tax_rate": rate.code,
                "tax_base": base,
                "paid_in_cash": settlement == "cash",
                # the seller, also when paid in cash: same-day invoices of one seller add up (Law 48/2024)
                "partner_id": partner_id,
            }
        )
    lines.append(
        {
            "account": actions.resolve_role(principal.tenant, credit_role).code,
            "debit": 0,
            "credit": base + vat,
            "partner_id": partner_id if credit_role == "payable" else None,
        }
    )
    entry = actions.create_entry(principal, journal_id="PUR", date=date, lines=lines, memo=memo or _("Expense"))
    return actions.post_entry(principal, entry.pk)
