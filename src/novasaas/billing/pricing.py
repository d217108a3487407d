"""Billing arithmetic: periods, the price of a period, and the pro-rata charge of a mid-period change.

Pure functions of numbers and dates (no database), so the property tests can drive them directly.
Amounts are whole đồng (VND has no minor unit); rounding is half-up (``platform.money.round_money``).

Formulas (docs/billing.md, "Formulas"):

* monthly amount  M = plan monthly price + extra users × price per extra user + Σ add-on price × quantity
* period amount   P = M (monthly) or round(M × 12 × (100 − annual discount %) / 100) (annual)
* pro-rata charge for a change on day ``on`` of the period [start, end):
      C = max(0, round((P_new − P_old) × (end − on) / (end − start)))      (days, ``end`` exclusive)
"""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

from novasaas.platform.money import round_money


def add_months(day: dt.date, months: int) -> dt.date:
    """``day`` plus whole months; the 31st becomes the last day of a shorter month."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def period_end(start: dt.date, period: str) -> dt.date:
    """The exclusive end of the billing period that starts on ``start`` (monthly or annual)."""
    return add_months(start, 12 if period == "annual" else 1)


def monthly_amount(
    monthly_price: Decimal | int,
    *,
    extra_users: int = 0,
    extra_user_price: Decimal | int = 0,
    addons: list[tuple[Decimal | int, int]] | tuple[tuple[Decimal | int, int], ...] = (),
) -> Decimal:
    """M: plan price + extra users + recurring add-ons (price, quantity), per month."""
    total = Decimal(monthly_price) + Decimal(extra_users) * Decimal(extra_user_price)
    for price, quantity in addons:
        total += Decimal(price) * quantity
    return total


def period_amount(monthly: Decimal | int, period: str, annual_discount_percent: Decimal | int = 20) -> Decimal:
    """P: what one whole period costs; annual = 12 months less the annual discount, whole đồng."""
    if period == "annual":
        return round_money(Decimal(monthly) * 12 * (100 - Decimal(annual_discount_percent)) / 100)
    return round_money(Decimal(monthly))


def prorated_charge(
    old_amount: Decimal | int, new_amount: Decimal | int, start: dt.date, end: dt.date, on: dt.date
) -> Decimal:
    """C: the charge, at once, for raising the period amount from ``old_amount`` to ``new_amount`` on
    day ``on`` of the period [start, end): the difference for the days left, ``on`` included, whole
    đồng, never negative (a lower amount takes effect at the next period, never as a refund here)."""
    if not start <= on < end:
        raise ValueError("the change date must fall inside the period")
    days = (end - start).days
    left = (end - on).days
    charge = round_money((Decimal(new_amount) - Decimal(old_amount)) * left / days)
    return max(charge, Decimal(0))
