"""The payroll engine: pure functions from a month's statutory rules and one employee's pay inputs to the
payslip figures (gross → insurance → taxable income → PIT → net) and the exact gross-up of a net salary.

No database access: ``selectors.rules_on(day)`` loads a ``Rules`` from the effective-dated rows. Every
amount is a Decimal in whole đồng; ``dong()`` is the one place that rounds (ROUND_HALF_UP, each
insurance fund and the PIT separately), so ``gross − employee insurance − PIT − deductions = net`` holds exactly.
Formulas and sources: docs/hrm.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
HUNDRED = Decimal(100)

PROGRESSIVE = "progressive"  # resident employee with a labour contract of 3 months or more
CASUAL = "casual"  # no contract or contract under 3 months: flat withholding above a threshold
NON_RESIDENT = "non_resident"  # flat rate on the taxable income, no deductions
TAX_METHODS = (PROGRESSIVE, CASUAL, NON_RESIDENT)


def dong(amount: Decimal) -> Decimal:
    """Round to whole đồng, half up: the only rounding of the engine."""
    return amount.quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Bracket:
    upper: Decimal | None  # None: no upper end
    rate: Decimal  # percent


@dataclass(frozen=True)
class Rules:
    """The statutory figures in force on one day (percentages as percent, amounts in đồng)."""

    bhxh_employee: Decimal
    bhyt_employee: Decimal
    bhtn_employee: Decimal
    bhxh_pension_employer: Decimal
    bhxh_sickness_employer: Decimal
    bhxh_accident_employer: Decimal
    bhyt_employer: Decimal
    bhtn_employer: Decimal
    union_fee: Decimal
    base_salary: Decimal
    cap_multiplier: Decimal
    minimum_wage: dict[str, Decimal]
    personal_deduction: Decimal
    dependant_deduction: Decimal
    casual_rate: Decimal
    casual_threshold: Decimal
    non_resident_rate: Decimal
    brackets: tuple[Bracket, ...]

    @property
    def bhxh_employer(self) -> Decimal:
        return self.bhxh_pension_employer + self.bhxh_sickness_employer + self.bhxh_accident_employer

    @property
    def social_cap(self) -> Decimal:
        """BHXH/BHYT salary base cap: 20 × the base salary."""
        return self.cap_multiplier * self.base_salary

    def unemployment_cap(self, region: str) -> Decimal:
        """BHTN salary base cap: 20 × the region's minimum wage."""
        return self.cap_multiplier * self.minimum_wage[region]


@dataclass(frozen=True)
class Adjustments:
    """One employee's bonuses and deductions of a month (``PayAdjustment`` rows summed)."""

    bonus_taxable: Decimal = ZERO
    bonus_non_taxable: Decimal = ZERO
    advance: Decimal = ZERO  # advance repayments (Cr 141)
    other: Decimal = ZERO  # other deductions (Cr 1388)

    @property
    def deductions(self) -> Decimal:
        return self.advance + self.other

    def __bool__(self) -> bool:
        return bool(self.bonus_taxable or self.bonus_non_taxable or self.deductions)


NO_ADJUSTMENTS = Adjustments()


@dataclass(frozen=True)
class PayInput:
    salary: Decimal  # the month's (prorated) gross salary
    taxable_allowances: Decimal = ZERO
    non_taxable_allowances: Decimal = ZERO
    insurance_salary: Decimal = ZERO  # the salary insurance is paid on (before the caps)
    insured: bool = True
    region: str = "I"
    dependants: int = 0
    tax_method: str = PROGRESSIVE
    overtime_pay: Decimal = ZERO  # overtime and night pay (never insured)
    overtime_exempt: Decimal = ZERO  # its part above the normal wage: not taxable
    bonus_taxable: Decimal = ZERO  # bonuses: in gross and the PIT base, never insured
    bonus_non_taxable: Decimal = ZERO  # bonuses the law exempts (in gross only)
    deductions: Decimal = ZERO  # after tax (advance repayments, other deductions): off the net only


@dataclass(frozen=True)
class Payslip:
    gross: Decimal
    insurance_base: Decimal
    unemployment_base: Decimal
    employee_bhxh: Decimal
    employee_bhyt: Decimal
    employee_bhtn: Decimal
    employer_bhxh: Decimal
    employer_bhyt: Decimal
    employer_bhtn: Decimal
    employer_union: Decimal
    family_deduction: Decimal
    taxable_income: Decimal  # taxable gross − employee insurance (before family deductions)
    assessable_income: Decimal  # taxable income − family deductions, never below 0
    pit: Decimal
    net: Decimal  # gross − employee insurance − PIT − deductions
    deductions: Decimal = ZERO
    brackets: list[tuple[Decimal, Decimal, Decimal]] = field(default_factory=list)  # (slice, rate, tax)

    @property
    def employee_insurance(self) -> Decimal:
        return self.employee_bhxh + self.employee_bhyt + self.employee_bhtn

    @property
    def employer_total(self) -> Decimal:
        return self.employer_bhxh + self.employer_bhyt + self.employer_bhtn + self.employer_union


def _pct(base: Decimal, rate: Decimal) -> Decimal:
    return dong(base * rate / HUNDRED)


def progressive_tax(rules: Rules, income: Decimal) -> tuple[Decimal, list[tuple[Decimal, Decimal, Decimal]]]:
    """PIT on a month's assessable income, bracket by bracket (the same as the quick method)."""
    tax = ZERO
    lower = ZERO
    parts: list[tuple[Decimal, Decimal, Decimal]] = []
    for bracket in rules.brackets:
        if income <= lower:
            break
        top = income if bracket.upper is None else min(income, bracket.upper)
        part = top - lower
        if part > 0:
            parts.append((part, bracket.rate, part * bracket.rate / HUNDRED))
            tax += part * bracket.rate / HUNDRED
        if bracket.upper is None:
            break
        lower = bracket.upper
    return dong(tax), parts


def compute(rules: Rules, pay: PayInput) -> Payslip:
    """One employee's month: gross → insurance → taxable income → PIT → net."""
    if pay.tax_method not in TAX_METHODS:
        raise ValueError(f"unknown tax method {pay.tax_method!r}")
    if pay.region not in rules.minimum_wage:
        raise ValueError(f"unknown region {pay.region!r}")
    if not ZERO <= pay.overtime_exempt <= pay.overtime_pay:
        raise ValueError("the PIT-exempt overtime is part of the overtime pay")
    if min(pay.bonus_taxable, pay.bonus_non_taxable, pay.deductions) < 0:
        raise ValueError("bonuses and deductions are zero or more")
    bonuses = pay.bonus_taxable + pay.bonus_non_taxable
    gross = pay.salary + pay.taxable_allowances + pay.non_taxable_allowances + pay.overtime_pay + bonuses
    taxable_gross = pay.salary + pay.taxable_allowances + pay.overtime_pay - pay.overtime_exempt + pay.bonus_taxable
    if pay.insured:
        base = min(pay.insurance_salary, rules.social_cap)
        unemployment_base = min(pay.insurance_salary, rules.unemployment_cap(pay.region))
    else:
        base = unemployment_base = ZERO
    e_bhxh = _pct(base, rules.bhxh_employee)
    e_bhyt = _pct(base, rules.bhyt_employee)
    e_bhtn = _pct(unemployment_base, rules.bhtn_employee)
    insurance = e_bhxh + e_bhyt + e_bhtn
    taxable_income = max(taxable_gross - insurance, ZERO)
    family = ZERO
    parts: list[tuple[Decimal, Decimal, Decimal]] = []
    if pay.tax_method == PROGRESSIVE:
        family = rules.personal_deduction + rules.dependant_deduction * pay.dependants
        assessable = max(taxable_income - family, ZERO)
        pit, parts = progressive_tax(rules, assessable)
    elif pay.tax_method == CASUAL:
        assessable = taxable_income
        pit = _pct(assessable, rules.casual_rate) if taxable_gross >= rules.casual_threshold else ZERO
    else:
        assessable = taxable_income
        pit = _pct(assessable, rules.non_resident_rate)
    return Payslip(
        gross=gross,
        insurance_base=base,
        unemployment_base=unemployment_base,
        employee_bhxh=e_bhxh,
        employee_bhyt=e_bhyt,
        employee_bhtn=e_bhtn,
        employer_bhxh=_pct(base, rules.bhxh_employer),
        employer_bhyt=_pct(base, rules.bhyt_employer),
        employer_bhtn=_pct(unemployment_base, rules.bhtn_employer),
        employer_union=_pct(base, rules.union_fee),
        family_deduction=family,
        taxable_income=taxable_income,
        assessable_income=assessable,
        pit=pit,
        net=gross - insurance - pit - pay.deductions,
        deductions=pay.deductions,
        brackets=parts,
    )


def gross_up(rules: Rules, pay: PayInput, net: Decimal, *, insurance_follows_salary: bool = True) -> Decimal:
    """The smallest whole-đồng salary whose payslip (``pay`` with that salary) nets exactly ``net``.

    A fixed-point iteration ``salary = net + deductions(salary)`` converges (the deductions grow by less
    than 1 đồng per đồng of salary), then a short walk finds the smallest exact salary. The rounding of
    four amounts can make one net figure unreachable; then the smallest salary netting more is returned
    (``compute`` tells the difference). ``insurance_follows_salary``: the insurance salary is the salary
    found (else ``pay.insurance_salary`` stays). Bonuses and deductions of ``pay`` are left out: the net
    agreed is the salary's; the month's bonuses are then taxed on top of the grossed-up salary."""
    if net < 0:
        raise ValueError("net salary must be zero or more")
    extras = pay.taxable_allowances + pay.non_taxable_allowances + pay.overtime_pay

    def net_of(salary: Decimal) -> Decimal:
        trial = PayInput(
            salary=salary,
            taxable_allowances=pay.taxable_allowances,
            non_taxable_allowances=pay.non_taxable_allowances,
            insurance_salary=salary if insurance_follows_salary else pay.insurance_salary,
            insured=pay.insured,
            region=pay.region,
            dependants=pay.dependants,
            tax_method=pay.tax_method,
            overtime_pay=pay.overtime_pay,
            overtime_exempt=pay.overtime_exempt,
        )
        return compute(rules, trial).net - extras

    salary = dong(net)
    for _ in range(200):
        nxt = salary + (net - net_of(salary))
        if nxt == salary:
            break
        salary = nxt
    # net_of is nearly monotone (steps of at most a few đồng): look around for the smallest exact hit
    low = max(salary - 16, ZERO)
    candidates = [low + i for i in range(33)]
    exact = [s for s in candidates if net_of(s) == net]
    if exact:
        return min(exact)
    above = [s for s in candidates if net_of(s) > net]
    return min(above) if above else salary
