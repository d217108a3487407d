"""Document totals: the one function that computes the amounts of a sales order or invoice.

Rule (docs/sales.md, "Rounding"): per line, amount before VAT = quantity × unit price − discount,
rounded to the currency's minor unit (VND: whole đồng) half up; VAT of the line = that amount × the
line's rate, rounded the same way; line total = the two added. The document's amount before VAT, VAT
and total are the sums of the rounded line figures, so the printed lines always add up to the total.
Rounding goes through ``platform.money.round_money`` (ROUND_HALF_UP), the one rounding rule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from novasaas.platform.money import round_money

ZERO = Decimal(0)
HUNDRED = Decimal(100)

# VAT code → rate %. EXEMPT ("không chịu thuế", KCT) carries no VAT and is reported apart from 0%.
VAT_RATES: dict[str, Decimal] = {
    "VAT0": ZERO,
    "VAT5": Decimal(5),
    "VAT8": Decimal(8),
    "VAT10": Decimal(10),
    "EXEMPT": ZERO,
}


def vat_code_valid_on(code: str, on: dt.date) -> bool:
    """Whether a VAT code may be used on a document dated ``on``: the reduced 8% only within the period
    of Decree 174/2025 — the same dated table accounting seeds its tax rates from."""
    from novasaas.accounting.taxes import DEFAULT_RATES

    if code not in VAT_RATES:
        return False
    for rate_code, _name, _rate, _exempt, start, end in DEFAULT_RATES:
        if rate_code == code:
            return start <= on and (end is None or on <= end)
    return True


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    vat: Decimal
    total: Decimal


@dataclass(frozen=True)
class Totals:
    lines: tuple[LineAmounts, ...]
    untaxed: Decimal
    vat: Decimal
    total: Decimal
    vat_by_code: dict[str, tuple[Decimal, Decimal]]  # code → (amount before VAT, VAT)


def line_amounts(
    quantity: Decimal,
    unit_price: Decimal,
    discount_percent: Decimal,
    vat_code: str,
    currency: str = "VND",
    allowance: Decimal = ZERO,
) -> LineAmounts:
    """``allowance`` is the part of the document's promotion discount (coupon, loyalty points) this line
    carries: taken off the amount before VAT, in the same rounding, so the VAT is on the reduced amount
    (a discount before VAT, shown on the invoice)."""
    gross = quantity * unit_price
    net = round_money(gross - gross * discount_percent / HUNDRED - allowance, currency)
    vat = round_money(net * VAT_RATES[vat_code] / HUNDRED, currency)
    return LineAmounts(net, vat, net + vat)


def document_totals(
    lines: Iterable[tuple[Any, ...]] | Sequence[tuple[Any, ...]],
    currency: str = "VND",
) -> Totals:
    """``lines`` are ``(quantity, unit_price, discount_percent, vat_code[, allowance])``; see the module
    docstring and ``line_amounts``."""
    computed = []
    by_code: dict[str, tuple[Decimal, Decimal]] = {}
    for quantity, price, discount, code, *rest in lines:
        amounts = line_amounts(quantity, price, discount, code, currency, rest[0] if rest else ZERO)
        computed.append(amounts)
        base, tax = by_code.get(code, (ZERO, ZERO))
        by_code[code] = (base + amounts.net, tax + amounts.vat)
    untaxed = sum((a.net for a in computed), ZERO)
    vat = sum((a.vat for a in computed), ZERO)
    return Totals(tuple(computed), untaxed, vat, untaxed + vat, by_code)


def allowance_share(allowance: Decimal, quantity: Decimal, of_quantity: Decimal, currency: str = "VND") -> Decimal:
    """The part of a line's ``allowance`` that ``quantity`` of its ``of_quantity`` carries when the line
    is invoiced or credited in pieces (the piece completing the line takes what is left instead)."""
    if not allowance:
        return ZERO
    return round_money(allowance * quantity / of_quantity, currency)
