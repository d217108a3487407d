"""Time rules without the database: a day's minutes, overtime pay (Labour Code rates, worked by hand),
the month's paid days, the seeded holidays; and the payroll property with overtime."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from novasaas.hrm.payroll_rules import CASUAL, PayInput, compute
from novasaas.hrm.statutory import PUBLIC_HOLIDAYS
from novasaas.hrm.tests.test_payroll_rules import RULES_2026, employees
from novasaas.hrm.timesheet import (
    HOLIDAY,
    REST,
    WORK,
    Schedule,
    day_kind,
    month_timesheet,
    overtime_pay,
    split_day,
)

D = Decimal
T = dt.time
WEEK = Schedule()


@pytest.mark.parametrize(
    ("check_in", "check_out", "kind", "expected"),
    [
        (T(8), T(17), WORK, (480, 0, 0, 0)),  # the schedule's day: 9 h less the hour's break
        (T(8), T(19), WORK, (600, 120, 0, 0)),  # two hours of overtime
        (T(14), T(23, 30), WORK, (510, 30, 60, 30)),  # 22:00–23:30 at night, its last 30 minutes overtime
        (T(22), T(6), WORK, (420, 0, 420, 0)),  # a night shift past midnight, break deducted
        (T(8), T(12), REST, (240, 240, 0, 0)),  # half a day on a Saturday: all overtime, no break
        (T(8), T(17), HOLIDAY, (480, 480, 0, 0)),
        (T(5), T(9), REST, (240, 240, 0, 60)),  # 05:00–06:00 is night (overtime)
    ],
)
def test_a_days_minutes(check_in, check_out, kind, expected):
    m = split_day(check_in, check_out, WEEK, kind)
    assert (m.worked, m.overtime, m.night, m.night_overtime) == expected


def test_day_kind_and_saturday_schedule():
    saturday, sunday, holiday = dt.date(2026, 3, 7), dt.date(2026, 3, 8), dt.date(2026, 4, 30)
    assert day_kind(saturday, WEEK, set()) == REST
    assert day_kind(saturday, Schedule(saturday=True), set()) == WORK
    assert day_kind(sunday, Schedule(saturday=True), set()) == REST
    assert day_kind(holiday, WEEK, {holiday}) == HOLIDAY


# 22,000,000 a month of 22 days × 8 h: 125,000 an hour (minutes: 2,083.33…)
@pytest.mark.parametrize(
    ("parts", "pay", "exempt"),
    [
        ({"ot:work": 120}, 375_000, 125_000),  # 2 h × 150 %: the 50 % premium is PIT-exempt
        ({"ot:rest": 240}, 1_000_000, 500_000),  # 4 h × 200 %
        ({"ot:holiday": 480}, 3_000_000, 2_000_000),  # 8 h × 300 %
        ({"not:work": 60}, 262_500, 137_500),  # night overtime 150 + 30 + 20 % × 150 = 210 %
        ({"not:rest": 60}, 337_500, 212_500),  # 200 + 30 + 20 % × 200 = 270 %
        ({"not:holiday": 60}, 487_500, 362_500),  # 300 + 30 + 20 % × 300 = 390 %
        ({"night": 60}, 37_500, 0),  # normal hours at night: + 30 %, taxable
        ({"ot:rest": 240, "not:work": 60, "night": 60}, 1_300_000, 637_500),
        ({"ot:work": 20}, 62_500, 20_833),  # 20 minutes: 62,500 exactly, taxable 41,666.67 → 41,667
    ],
)
def test_overtime_pay_by_hand(parts, pay, exempt):
    got = overtime_pay(D(22_000_000), 22, 480, parts)
    assert (got.pay, got.exempt) == (D(pay), D(exempt))


@dataclass
class Rec:
    date: dt.date
    worked_minutes: int = 480
    overtime_minutes: int = 0
    night_minutes: int = 0
    night_overtime_minutes: int = 0
    overtime_status: str = ""


MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))  # 22 weekdays


def test_without_attendance_every_scheduled_day_is_paid_but_unpaid_leave():
    first, last = MARCH
    sheet = month_timesheet(first, last, first, last, WEEK, set(), [], {})
    assert (sheet.standard_days, sheet.paid_days, sheet.unpaid_days) == (22, 22, 0)
    leave = {dt.date(2026, 3, 9): False, dt.date(2026, 3, 10): False, dt.date(2026, 3, 11): True}
    sheet = month_timesheet(first, last, first, last, WEEK, set(), [], leave)
    assert (sheet.paid_days, sheet.unpaid_days, sheet.paid_leave_days) == (20, 2, 1)
    # hired on the 16th: 12 scheduled days of employment
    sheet = month_timesheet(first, last, dt.date(2026, 3, 16), last, WEEK, set(), [], {})
    assert (sheet.standard_days, sheet.paid_days, sheet.unpaid_days) == (22, 12, 0)


def test_with_attendance_days_not_worked_are_unpaid_except_holidays_and_paid_leave():
    first, last = dt.date(2026, 4, 1), dt.date(2026, 4, 30)  # 22 weekdays; 27/4 and 30/4 holidays
    holidays = {dt.date(2026, 4, 27), dt.date(2026, 4, 30)}
    worked = [dt.date(2026, 4, d) for d in (1, 2, 3, 6, 7, 8, 9, 10)]
    records = [Rec(d) for d in worked] + [
        Rec(dt.date(2026, 4, 11), 240, 240, overtime_status="confirmed"),  # a Saturday
        Rec(dt.date(2026, 4, 30), 480, 480, overtime_status="pending"),  # a holiday worked, not confirmed
        Rec(dt.date(2026, 4, 13), 600, 120, 60, 60, overtime_status="confirmed"),
    ]
    sheet = month_timesheet(first, last, first, last, WEEK, holidays, records, {dt.date(2026, 4, 14): True})
    assert sheet.standard_days == 22
    assert (sheet.worked_days, sheet.holiday_days, sheet.paid_leave_days) == (9, 2, 1)
    assert (sheet.paid_days, sheet.unpaid_days) == (12, 10)
    assert (sheet.overtime_minutes, sheet.pending_overtime_minutes) == (360, 480)
    assert sheet.parts == {"ot:rest": 240, "ot:work": 60, "not:work": 60, "night": 60}


def test_seeded_holidays_are_the_labour_codes_eleven_days_a_year():
    days = [dt.date.fromisoformat(d) for d, _n, _s in PUBLIC_HOLIDAYS]
    assert len(days) == len(set(days)) and all(source for _d, _n, source in PUBLIC_HOLIDAYS)
    for year, tet in ((2026, dt.date(2026, 2, 17)), (2027, dt.date(2027, 2, 6))):
        of_year = [d for d in days if d.year == year]
        assert dt.date(year, 1, 1) in of_year and dt.date(year, 4, 30) in of_year and dt.date(year, 9, 2) in of_year
        assert tet in of_year  # Lunar New Year's day
        assert sum(1 for d in of_year if abs((d - tet).days) <= 5 and d.month == 2) >= 5
    assert dt.date(2026, 4, 26) in days and dt.date(2027, 4, 16) in days  # Hùng Kings (10th of the 3rd lunar month)


overtime = st.tuples(st.integers(0, 50_000_000), st.integers(0, 50_000_000)).map(lambda t: (D(max(t)), D(min(t))))


@settings(max_examples=300, deadline=None)
@given(employees, overtime)
def test_property_with_overtime_gross_minus_insurance_minus_pit_is_net(p, ot):
    pay, exempt = ot
    with_ot = PayInput(**{**p.__dict__, "overtime_pay": pay, "overtime_exempt": exempt})
    slip, base = compute(RULES_2026, with_ot), compute(RULES_2026, p)
    assert slip.gross - slip.employee_insurance - slip.pit == slip.net
    assert slip.gross == base.gross + pay
    assert slip.employee_insurance == base.employee_insurance  # overtime is never insured
    # only the taxable part of the overtime is taxed, never more than it (the PIT is at most 35 % of it)
    taxed = p.salary + p.taxable_allowances + pay - exempt - base.employee_insurance
    assert slip.taxable_income == max(taxed, D(0))
    assert slip.pit >= base.pit
    if p.tax_method != CASUAL:  # no threshold: the PIT grows by at most 35 % of the taxable overtime
        assert slip.pit <= base.pit + (pay - exempt) * D("0.35") + 1


def test_overtime_exempt_part_beyond_the_pay_is_refused():
    with pytest.raises(ValueError):
        compute(RULES_2026, PayInput(salary=D(1), overtime_pay=D(10), overtime_exempt=D(11)))
