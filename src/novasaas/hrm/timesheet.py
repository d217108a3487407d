"""Time: the kind of each day, the minutes a check-in/check-out makes, overtime pay, and the monthly
timesheet that payroll reads.

Labour Code 2019 art. 98 and Decree 145/2020/ND-CP art. 55–57 (docs/hrm.md "Time"): overtime is paid at
150 % of the hourly wage on a working day, 200 % on a weekly rest day, 300 % on a public holiday; normal
hours worked at night (22:00–06:00) earn + 30 %; night overtime earns the overtime rate + 30 % + 20 % of
the day's daytime overtime rate (210 % / 270 % / 390 %, the figures usually quoted). Limits: overtime
at most half a working day on a working day (12 h in all on a rest day or holiday), 40 h a month and
200 h a year. Only the premium above the
normal wage is exempt from PIT (Circular 111/2013/TT-BTC art. 3.2.i). Everything is in whole minutes, so
the pay is one exact fraction rounded once.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from novasaas.hrm.payroll_rules import dong

ZERO = Decimal(0)
WORK, REST, HOLIDAY = "work", "rest", "holiday"
OVERTIME_RATE = {WORK: 150, REST: 200, HOLIDAY: 300}  # percent of the hourly wage
NIGHT_OVERTIME_RATE = {WORK: 210, REST: 270, HOLIDAY: 390}  # rate + 30 % + 20 % × the daytime rate
NIGHT_PREMIUM = 30  # percent, normal hours worked at night
NIGHT_START, NIGHT_END = 22 * 60, 6 * 60
MONTH_LIMIT_MINUTES = 40 * 60
YEAR_LIMIT_MINUTES = 200 * 60
REST_DAY_LIMIT_MINUTES = 12 * 60
DEFAULT_MINUTES = 8 * 60  # Monday–Friday 08:00–17:00 with an hour's break


@dataclass(frozen=True)
class Schedule:
    minutes_per_day: int = DEFAULT_MINUTES
    break_minutes: int = 60
    saturday: bool = False

    def works_on(self, day: dt.date) -> bool:
        return day.weekday() < 5 or (self.saturday and day.weekday() == 5)


def schedule_of(obj: object | None) -> Schedule:
    if obj is None:
        return Schedule()
    return Schedule(obj.minutes_per_day, obj.break_minutes, obj.saturday)  # type: ignore[attr-defined]


def day_kind(day: dt.date, schedule: Schedule, holidays: set[dt.date]) -> str:
    if day in holidays:
        return HOLIDAY
    return WORK if schedule.works_on(day) else REST


def days_of(first: dt.date, last: dt.date) -> Iterable[dt.date]:
    for k in range((last - first).days + 1):
        yield first + dt.timedelta(days=k)


def scheduled_days(first: dt.date, last: dt.date, schedule: Schedule) -> list[dt.date]:
    """The schedule's working days between two days (public holidays included: they are paid)."""
    if last < first:
        return []
    return [d for d in days_of(first, last) if schedule.works_on(d)]


def _night_overlap(start: int, end: int) -> int:
    """Minutes of [start, end) (minutes from the day's midnight, end may pass 24 h) inside 22:00–06:00."""
    day = 24 * 60
    windows = [(NIGHT_START + k * day, NIGHT_END + (k + 1) * day) for k in (-1, 0, 1)]
    return sum(max(0, min(end, hi) - max(start, lo)) for lo, hi in windows)


@dataclass(frozen=True)
class DayMinutes:
    worked: int
    overtime: int
    night: int  # normal hours at night
    night_overtime: int


def split_day(check_in: dt.time, check_out: dt.time, schedule: Schedule, kind: str) -> DayMinutes:
    """The minutes of one day's presence. A check-out before the check-in is the next morning. The
    schedule's break is deducted from a presence longer than half a working day. On a working day the
    minutes beyond the schedule's day are overtime; on a rest day or holiday every minute is. Night
    minutes are overtime first (overtime is the end of the presence). A check-out at the check-in's
    minute is no time worked."""
    start = check_in.hour * 60 + check_in.minute
    end = check_out.hour * 60 + check_out.minute
    if end < start:
        end += 24 * 60
    span = end - start
    worked = span - schedule.break_minutes if span > schedule.minutes_per_day // 2 else span
    worked = max(worked, 0)
    night = min(_night_overlap(start, end), worked)
    overtime = max(worked - schedule.minutes_per_day, 0) if kind == WORK else worked
    night_overtime = min(night, overtime)
    return DayMinutes(worked, overtime, night - night_overtime, night_overtime)


@dataclass
class OvertimePay:
    pay: Decimal
    exempt: Decimal


def overtime_pay(salary: Decimal, standard_days: int, minutes_per_day: int, parts: dict[str, int]) -> OvertimePay:
    """Overtime and night pay of a month. ``parts``: minutes by key ``ot:<kind>``, ``not:<kind>`` (night
    overtime) and ``night`` (normal hours at night). The hourly wage is the month's salary over its
    scheduled hours; the pay is rounded once, the taxable part (the normal wage of the overtime minutes
    and the night premium of normal hours) once, and the exempt part is their difference."""
    weighted = 0
    taxable = 0
    for key, minutes in parts.items():
        if key == "night":
            weighted += minutes * NIGHT_PREMIUM
            taxable += minutes * NIGHT_PREMIUM
            continue
        kind = key.split(":", 1)[1]
        rate = NIGHT_OVERTIME_RATE[kind] if key.startswith("not:") else OVERTIME_RATE[kind]
        weighted += minutes * rate
        taxable += minutes * 100
    if not weighted or standard_days <= 0 or minutes_per_day <= 0:
        return OvertimePay(ZERO, ZERO)
    unit = salary / Decimal(standard_days * minutes_per_day * 100)
    pay = dong(unit * weighted)
    return OvertimePay(pay, pay - dong(unit * taxable))


@dataclass
class Timesheet:
    """One employee's month as payroll reads it."""

    standard_days: int  # the schedule's working days of the month
    paid_days: int  # scheduled days in employment that are paid (worked, holidays, paid leave)
    unpaid_days: int  # scheduled days in employment absent or on unpaid leave
    worked_days: int = 0
    holiday_days: int = 0
    paid_leave_days: int = 0
    overtime_minutes: int = 0  # confirmed
    pending_overtime_minutes: int = 0
    parts: dict[str, int] = field(default_factory=dict)
    uses_attendance: bool = False


def month_timesheet(
    first: dt.date,
    last: dt.date,
    start: dt.date,
    end: dt.date,
    schedule: Schedule,
    holidays: set[dt.date],
    records: list[object],
    leave_days: dict[dt.date, bool],
) -> Timesheet:
    """``start``–``end``: the days of employment in the month; ``records``: the month's attendance rows;
    ``leave_days``: approved leave per day (True = paid). With attendance recorded in the month a
    scheduled day is paid when worked, a holiday or on paid leave; without any record the employee is
    taken as present on every scheduled day except days of unpaid leave (the contract's month)."""
    standard = scheduled_days(first, last, schedule)
    employed = [d for d in standard if start <= d <= end]
    present = {r.date for r in records if r.worked_minutes > 0}  # type: ignore[attr-defined]
    uses_attendance = bool(records)
    paid = unpaid = worked = holiday = paid_leave = 0
    for day in employed:
        if day in holidays:
            holiday += 1
            paid += 1
        elif day in present:
            worked += 1
            paid += 1
        elif day in leave_days:
            if leave_days[day]:
                paid_leave += 1
                paid += 1
            else:
                unpaid += 1
        elif uses_attendance:
            unpaid += 1
        else:
            paid += 1
    parts: dict[str, int] = defaultdict(int)
    confirmed = pending = 0
    for r in records:
        if not start <= r.date <= end:  # type: ignore[attr-defined]
            continue
        kind = day_kind(r.date, schedule, holidays)  # type: ignore[attr-defined]
        if r.night_minutes:  # type: ignore[attr-defined]
            parts["night"] += r.night_minutes  # type: ignore[attr-defined]
        ot = r.overtime_minutes  # type: ignore[attr-defined]
        if not ot:
            continue
        if r.overtime_status != "confirmed":  # type: ignore[attr-defined]
            pending += ot if r.overtime_status == "pending" else 0  # type: ignore[attr-defined]
            continue
        confirmed += ot
        night_ot = r.night_overtime_minutes  # type: ignore[attr-defined]
        parts[f"ot:{kind}"] += ot - night_ot
        if night_ot:
            parts[f"not:{kind}"] += night_ot
    return Timesheet(
        standard_days=len(standard),
        paid_days=paid,
        unpaid_days=unpaid,
        worked_days=worked,
        holiday_days=holiday,
        paid_leave_days=paid_leave,
        overtime_minutes=confirmed,
        pending_overtime_minutes=pending,
        parts={k: v for k, v in parts.items() if v},
        uses_attendance=uses_attendance,
    )


@dataclass
class Month:
    """What the timesheets of a month are built from, loaded once for every employee of a payroll."""

    first: dt.date
    last: dt.date
    holidays: set[dt.date] = field(default_factory=set)
    default_schedule: object | None = None
    schedules: dict[int, object] = field(default_factory=dict)
    records: dict[int, list[object]] = field(default_factory=dict)
    leave: dict[int, dict[dt.date, bool]] = field(default_factory=dict)

    def schedule_for(self, employee: object) -> Schedule:
        sid = getattr(employee, "schedule_id", None)
        return schedule_of(self.schedules.get(sid) if sid else self.default_schedule)

    def timesheet(self, employee: object, start: dt.date, end: dt.date) -> Timesheet:
        pk = employee.pk  # type: ignore[attr-defined]
        return month_timesheet(
            self.first,
            self.last,
            start,
            end,
            self.schedule_for(employee),
            self.holidays,
            self.records.get(pk, []),
            self.leave.get(pk, {}),
        )


def load_month(tenant: Any, first: dt.date, last: dt.date, employee_ids: list[int] | None = None) -> Month:
    """The month's holidays, schedules, attendance rows and approved leave (per day, paid or not) of the
    tenant's employees (``employee_ids``: only those)."""
    from novasaas.hrm.models import Attendance, LeaveRequest, LeaveStatus, PublicHoliday, WorkSchedule

    month = Month(first, last)
    month.holidays = set(
        PublicHoliday.objects.filter(tenant=tenant, date__range=(first, last)).values_list("date", flat=True)
    )
    schedules = list(WorkSchedule.objects.filter(tenant=tenant))
    month.schedules = {s.pk: s for s in schedules}
    month.default_schedule = next((s for s in schedules if s.is_default), None)
    records = Attendance.objects.filter(tenant=tenant, date__range=(first, last))
    leaves = LeaveRequest.objects.filter(
        tenant=tenant, status=LeaveStatus.APPROVED, start_date__lte=last, end_date__gte=first
    ).select_related("leave_type")
    if employee_ids is not None:
        records = records.filter(employee_id__in=employee_ids)
        leaves = leaves.filter(employee_id__in=employee_ids)
    for r in records:
        month.records.setdefault(r.employee_id, []).append(r)
    for lr in leaves:
        days = month.leave.setdefault(lr.employee_id, {})
        for day in days_of(max(lr.start_date, first), min(lr.end_date, last)):
            days[day] = lr.leave_type.paid
    return month
