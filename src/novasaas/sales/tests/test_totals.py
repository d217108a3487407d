"""Document totals: VAT rounded per line half up to whole đồng, the total the sum of rounded lines.

The property test compares with an oracle written here in exact fractions (not the code's Decimal
path), and the examples are worked out by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction
from math import floor

from hypothesis import given
from hypothesis import strategies as st

from novasaas.sales.totals import LineAmounts, document_totals, line_amounts, vat_code_valid_on

D = Decimal
RATES = {"VAT0": 0, "VAT5": 5, "VAT8": 8, "VAT10": 10, "EXEMPT": 0}


def half_up(x: Fraction) -> int:
    return floor(x + Fraction(1, 2))  # amounts here are never negative


def oracle(lines):
    nets, vats = [], []
    for qty, price, discount, code in lines:
        net = half_up(Fraction(qty) * Fraction(price) * (100 - Fraction(discount)) / 100)
        nets.append(net)
        vats.append(half_up(Fraction(net) * RATES[code] / 100))
    return nets, vats


def test_worked_examples():
    # 3 × 15,333 = 45,999; VAT 10% = 4,599.9 → 4,600
    assert line_amounts(D(3), D(15333), D(0), "VAT10") == LineAmounts(D(45999), D(4600), D(50599))
    # 2 × 15,000 less 5% = 28,500; VAT 5% = 1,425
    assert line_amounts(D(2), D(15000), D(5), "VAT5") == LineAmounts(D(28500), D(1425), D(29925))
    # 1 × 5 at 10% = 0.5 → 1 (half up, not to even)
    assert line_amounts(D(1), D(5), D(0), "VAT10").vat == D(1)
    # 0.5 kg × 25,001 = 12,500.5 → 12,501 before VAT
    assert line_amounts(D("0.5"), D(25001), D(0), "EXEMPT") == LineAmounts(D(12501), D(0), D(12501))
    # three lines of 5 đồng at 10%: per line 0.5 → 1 each, so VAT 3 (not round(1.5) = 2 on the sum)
    totals = document_totals([(D(1), D(5), D(0), "VAT10")] * 3)
    assert (totals.untaxed, totals.vat, totals.total) == (D(15), D(3), D(18))
    assert totals.vat_by_code == {"VAT10": (D(15), D(3))}


def test_reduced_rate_only_within_its_period():
    assert vat_code_valid_on("VAT8", dt.date(2025, 7, 1)) and vat_code_valid_on("VAT8", dt.date(2026, 12, 31))
    assert not vat_code_valid_on("VAT8", dt.date(2025, 6, 30)) and not vat_code_valid_on("VAT8", dt.date(2027, 1, 1))
    assert vat_code_valid_on("VAT10", dt.date(2027, 1, 1)) and not vat_code_valid_on("VAT7", dt.date(2026, 1, 1))


line = st.tuples(
    st.integers(1, 10**8).map(lambda n: D(n).scaleb(-4)),  # quantity, up to 4 decimals
    st.integers(0, 10**9).map(D),  # whole-đồng unit price
    st.integers(0, 10000).map(lambda n: D(n).scaleb(-2)),  # discount %, 2 decimals
    st.sampled_from(sorted(RATES)),
)


@given(st.lists(line, min_size=1, max_size=20))
def test_totals_are_the_sums_of_lines_rounded_half_up(lines):
    totals = document_totals(lines)
    nets, vats = oracle(lines)
    assert [a.net for a in totals.lines] == [D(n) for n in nets]
    assert [a.vat for a in totals.lines] == [D(v) for v in vats]
    assert totals.untaxed == sum(nets) and totals.vat == sum(vats)
    assert totals.total == totals.untaxed + totals.vat == sum(a.total for a in totals.lines)
    assert all(a.net == a.net.to_integral_value() and a.vat == a.vat.to_integral_value() for a in totals.lines)
    assert sum(v for _b, v in totals.vat_by_code.values()) == totals.vat
