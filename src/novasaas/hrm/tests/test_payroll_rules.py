"""The payroll engine against figures computed by hand from /work/shared/reference/vietnam-2026.md
(2026: employee 8/1.5/1 %, employer 14+3+0.5/3/1 % + union 2 %, BHXH/BHYT cap 20 × 2,340,000 =
46,800,000, BHTN cap 20 × regional minimum wage, brackets 5/10/20/30/35 % at 10/30/60/100 M,
deductions 15.5 M + 6.2 M per dependant, casual 10 % from 2 M, non-resident 20 %)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from novasaas.hrm.payroll_rules import (
    CASUAL,
    NON_RESIDENT,
    PROGRESSIVE,
    Bracket,
    PayInput,
    Rules,
    compute,
    gross_up,
)

D = Decimal

RULES_2026 = Rules(
    bhxh_employee=D(8),
    bhyt_employee=D("1.5"),
    bhtn_employee=D(1),
    bhxh_pension_employer=D(14),
    bhxh_sickness_employer=D(3),
    bhxh_accident_employer=D("0.5"),
    bhyt_employer=D(3),
    bhtn_employer=D(1),
    union_fee=D(2),
    base_salary=D(2_340_000),
    cap_multiplier=D(20),
    minimum_wage={"I": D(5_310_000), "II": D(4_730_000), "III": D(4_140_000), "IV": D(3_700_000)},
    personal_deduction=D(15_500_000),
    dependant_deduction=D(6_200_000),
    casual_rate=D(10),
    casual_threshold=D(2_000_000),
    non_resident_rate=D(20),
    brackets=(
        Bracket(D(10_000_000), D(5)),
        Bracket(D(30_000_000), D(10)),
        Bracket(D(60_000_000), D(20)),
        Bracket(D(100_000_000), D(30)),
        Bracket(None, D(35)),
    ),
)


def pay(salary: int, **kw: object) -> PayInput:
    kw.setdefault("insurance_salary", D(salary))
    return PayInput(salary=D(salary), **kw)  # type: ignore[arg-type]


def test_the_seeded_rows_are_the_references_2026_figures(tenant_a):  # HRM set-up rewrites them after a flush
    from novasaas.hrm.selectors import rules_on

    assert rules_on(dt.date(2026, 6, 30)) == RULES_2026


def test_no_rules_before_the_seeded_rows_is_a_clear_refusal(tenant_a):
    from django.core.exceptions import ValidationError

    from novasaas.hrm.selectors import rules_on

    with pytest.raises(ValidationError, match="30/06/2025"):
        rules_on(dt.date(2025, 6, 30))


def test_reference_test_vector():
    """Gross 20,000,000, no dependants, region I → insurance 2,100,000, taxable 2,400,000, PIT 120,000."""
    slip = compute(RULES_2026, pay(20_000_000))
    assert (slip.employee_bhxh, slip.employee_bhyt, slip.employee_bhtn) == (D(1_600_000), D(300_000), D(200_000))
    assert slip.employee_insurance == D(2_100_000)
    assert slip.assessable_income == D(2_400_000)
    assert slip.pit == D(120_000)
    assert slip.net == D(17_780_000)
    # employer: 17.5 % + 3 % + 1 % + union 2 %
    assert (slip.employer_bhxh, slip.employer_bhyt, slip.employer_bhtn, slip.employer_union) == (
        D(3_500_000),
        D(600_000),
        D(200_000),
        D(400_000),
    )


# uninsured progressive employees: taxable income = gross, so the assessable income is gross − 15.5 M
@pytest.mark.parametrize(
    ("assessable", "pit"),
    [
        (0, 0),
        (9_999_980, 499_999),  # 5 % of 9,999,980 = 499,999
        (10_000_000, 500_000),  # edge 1
        (11_000_000, 600_000),  # 500,000 + 10 % × 1 M
        (30_000_000, 2_500_000),  # edge 2: 30 M × 10 % − 0.5 M
        (31_000_000, 2_700_000),
        (60_000_000, 8_500_000),  # edge 3: 60 M × 20 % − 3.5 M
        (61_000_000, 8_800_000),
        (100_000_000, 20_500_000),  # edge 4: 100 M × 30 % − 9.5 M
        (101_000_000, 20_850_000),
        (150_000_000, 38_000_000),  # 150 M × 35 % − 14.5 M
        (10_000_003, 500_000),  # 500,000.3 → 500,000 (whole đồng, half up)
        (10_000_005, 500_001),  # 500,000.5 → 500,001
    ],
)
def test_brackets_below_at_and_above_each_edge(assessable, pit):
    slip = compute(RULES_2026, pay(15_500_000 + assessable, insured=False))
    assert slip.assessable_income == D(assessable)
    assert slip.pit == D(pit)
    assert slip.net == D(15_500_000 + assessable - pit)


@pytest.mark.parametrize(
    ("salary", "region", "bhxh", "bhyt", "bhtn"),
    [
        (46_799_999, "I", 3_744_000, 702_000, 468_000),  # 3,743,999.92 → 3,744,000
        (46_800_000, "I", 3_744_000, 702_000, 468_000),  # at the BHXH/BHYT cap
        (60_000_000, "I", 3_744_000, 702_000, 600_000),  # above it: BHXH/BHYT capped, BHTN not
        (106_200_000, "I", 3_744_000, 702_000, 1_062_000),  # at region I's BHTN cap 20 × 5,310,000
        (120_000_000, "I", 3_744_000, 702_000, 1_062_000),
        (120_000_000, "II", 3_744_000, 702_000, 946_000),  # 20 × 4,730,000
        (120_000_000, "III", 3_744_000, 702_000, 828_000),  # 20 × 4,140,000
        (120_000_000, "IV", 3_744_000, 702_000, 740_000),  # 20 × 3,700,000
        (70_000_000, "IV", 3_744_000, 702_000, 700_000),  # below region IV's cap
    ],
)
def test_insurance_caps_per_region(salary, region, bhxh, bhyt, bhtn):
    slip = compute(RULES_2026, pay(salary, region=region))
    assert (slip.employee_bhxh, slip.employee_bhyt, slip.employee_bhtn) == (D(bhxh), D(bhyt), D(bhtn))


def test_a_high_salary_in_region_iv_end_to_end():
    slip = compute(RULES_2026, pay(120_000_000, region="IV"))
    assert slip.employee_insurance == D(5_186_000)
    assert slip.taxable_income == D(114_814_000)
    assert slip.assessable_income == D(99_314_000)
    assert slip.pit == D(20_294_200)  # 99,314,000 × 30 % − 9,500,000
    assert slip.net == D(94_519_800)
    assert (slip.employer_bhxh, slip.employer_bhyt, slip.employer_bhtn, slip.employer_union) == (
        D(8_190_000),
        D(1_404_000),
        D(740_000),
        D(936_000),
    )


@pytest.mark.parametrize(
    ("dependants", "assessable", "pit"),
    [(0, 11_350_000, 635_000), (1, 5_150_000, 257_500), (2, 0, 0), (3, 0, 0)],
)
def test_dependants(dependants, assessable, pit):
    # 30,000,000 − 3,150,000 insurance = 26,850,000; − 15.5 M − 6.2 M per dependant
    slip = compute(RULES_2026, pay(30_000_000, dependants=dependants))
    assert slip.family_deduction == D(15_500_000 + 6_200_000 * dependants)
    assert slip.assessable_income == D(assessable)
    assert slip.pit == D(pit)


def test_non_taxable_allowances_are_paid_but_not_taxed():
    slip = compute(
        RULES_2026,
        pay(20_000_000, taxable_allowances=D(500_000), non_taxable_allowances=D(730_000)),
    )
    assert slip.gross == D(21_230_000)
    assert slip.employee_insurance == D(2_100_000)  # on the insurance salary only
    assert slip.assessable_income == D(2_900_000)
    assert slip.pit == D(145_000)
    assert slip.net == D(18_985_000)


@pytest.mark.parametrize(
    ("amount", "pit"), [(1_999_999, 0), (2_000_000, 200_000), (5_000_000, 500_000), (12_345_675, 1_234_568)]
)
def test_casual_labour_withholds_10_percent_from_2_million(amount, pit):
    slip = compute(RULES_2026, pay(amount, insured=False, tax_method=CASUAL))
    assert slip.pit == D(pit)
    assert slip.family_deduction == 0
    assert slip.net == D(amount - pit)


def test_non_resident_pays_20_percent_without_deductions():
    slip = compute(RULES_2026, pay(50_000_000, insured=False, tax_method=NON_RESIDENT, dependants=2))
    assert slip.pit == D(10_000_000)
    assert slip.family_deduction == 0


@pytest.mark.parametrize(
    ("net", "gross"),
    [(17_780_000, 20_000_000), (26_215_000, 30_000_000)],
)
def test_net_contract_is_grossed_up_exactly(net, gross):
    assert gross_up(RULES_2026, pay(0), D(net)) == D(gross)


def test_net_contract_gross_up_with_dependants_and_a_capped_base():
    found = gross_up(RULES_2026, pay(0, dependants=1, region="IV"), D(80_000_000))
    slip = compute(RULES_2026, pay(int(found), dependants=1, region="IV"))
    assert slip.net == D(80_000_000)
    assert compute(RULES_2026, pay(int(found) - 1, dependants=1, region="IV")).net < D(80_000_000)


def _quick_method(income: Decimal) -> Decimal:
    """The reference's quick method, an oracle independent of the engine's bracket walk."""
    for upper, rate, minus in [
        (10_000_000, 5, 0),
        (30_000_000, 10, 500_000),
        (60_000_000, 20, 3_500_000),
        (100_000_000, 30, 9_500_000),
        (None, 35, 14_500_000),
    ]:
        if upper is None or income <= upper:
            from decimal import ROUND_HALF_UP

            return (income * rate / 100 - minus).quantize(D(1), rounding=ROUND_HALF_UP)
    raise AssertionError


employees = st.builds(
    PayInput,
    salary=st.integers(0, 400_000_000).map(D),
    taxable_allowances=st.integers(0, 10_000_000).map(D),
    non_taxable_allowances=st.integers(0, 5_000_000).map(D),
    insurance_salary=st.integers(0, 400_000_000).map(D),
    insured=st.booleans(),
    region=st.sampled_from(["I", "II", "III", "IV"]),
    dependants=st.integers(0, 6),
    tax_method=st.sampled_from([PROGRESSIVE, PROGRESSIVE, CASUAL, NON_RESIDENT]),
)


@settings(max_examples=300, deadline=None)
@given(employees)
def test_property_gross_minus_insurance_minus_pit_is_net(p):
    slip = compute(RULES_2026, p)
    assert slip.gross - slip.employee_insurance - slip.pit == slip.net
    assert slip.pit >= 0
    if p.insurance_salary <= p.salary:  # insurance on more than is paid (unpaid leave) can exceed the pay
        assert slip.net >= 0
    assert slip.insurance_base <= D(46_800_000)
    assert slip.unemployment_base <= 20 * RULES_2026.minimum_wage[p.region]
    if p.tax_method == PROGRESSIVE:
        assert slip.pit == _quick_method(slip.assessable_income)
    for amount in (slip.employee_bhxh, slip.pit, slip.net, slip.employer_union):
        assert amount == amount.to_integral_value()


@settings(max_examples=150, deadline=None)
@given(employees, st.integers(0, 150_000_000))
def test_property_gross_up_of_a_net_salary_gives_that_net(p, net):
    found = gross_up(RULES_2026, p, D(net))
    trial = PayInput(**{**p.__dict__, "salary": found, "insurance_salary": found})
    got = compute(RULES_2026, trial).net - p.taxable_allowances - p.non_taxable_allowances
    if got != net:  # only when rounding leaves no salary that nets exactly this figure
        for s in range(max(int(found) - 40, 0), int(found) + 40):
            other = PayInput(**{**p.__dict__, "salary": D(s), "insurance_salary": D(s)})
            assert compute(RULES_2026, other).net - p.taxable_allowances - p.non_taxable_allowances != net
        assert got > net


@settings(max_examples=300, deadline=None)
@given(
    employees,
    st.integers(0, 50_000_000).map(D),
    st.integers(0, 20_000_000).map(D),
    st.integers(0, 5_000_000).map(D),
)
def test_property_bonuses_are_taxed_not_insured_and_deductions_come_off_the_net(p, taxable, exempt, deductions):
    """Against the same employee without them: insurance unchanged, the taxable income up by exactly the
    taxable bonus, PIT by the quick method on it, the non-taxable bonus in gross only, deductions after tax."""
    plain = compute(RULES_2026, p)
    slip = compute(
        RULES_2026,
        PayInput(**{**p.__dict__, "bonus_taxable": taxable, "bonus_non_taxable": exempt, "deductions": deductions}),
    )
    assert slip.gross == plain.gross + taxable + exempt
    assert (slip.employee_insurance, slip.employer_total) == (plain.employee_insurance, plain.employer_total)
    assert slip.gross - slip.employee_insurance - slip.pit - deductions == slip.net
    taxed_gross = p.salary + p.taxable_allowances + taxable
    assert slip.taxable_income == max(taxed_gross - plain.employee_insurance, D(0))
    if p.tax_method == PROGRESSIVE:
        family = D(15_500_000) + D(6_200_000) * p.dependants
        assert slip.pit == _quick_method(max(slip.taxable_income - family, D(0)))
    untaxed = compute(RULES_2026, PayInput(**{**p.__dict__, "bonus_non_taxable": exempt}))
    assert (untaxed.pit, untaxed.net) == (plain.pit, plain.net + exempt)  # a non-taxable bonus: no tax
