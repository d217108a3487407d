"""Attendance actions: work schedules, public holidays, daily records (manual entry, time-clock import,
web check-in/out), adjustment with a reason (audited) and the department manager's overtime decision.

Who: the HR Manager configures schedules and holidays (``hrm.attendance.configure``) and adjusts records
(``hrm.attendance.adjust``); HR Staff enter and import records (``hrm.attendance.enter``; the HR Manager
may too); the manager of the employee's department confirms or rejects overtime
(``hrm.attendance.confirm_team``; the HR Manager may too); every employee checks in and out for
themself (``hrm.attendance.self``). Refusals are ``ValidationError`` keyed by field, nothing written.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import IO, Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.hrm import selectors
from novasaas.hrm.actions import _date, _text
from novasaas.hrm.models import (
    Attendance,
    AttendanceSource,
    Employee,
    OvertimeStatus,
    PublicHoliday,
    WorkSchedule,
)
from novasaas.hrm.timesheet import (
    MONTH_LIMIT_MINUTES,
    REST_DAY_LIMIT_MINUTES,
    WORK,
    YEAR_LIMIT_MINUTES,
    day_kind,
    schedule_of,
    split_day,
)
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.imports import LineError, LineImportError, messages_of, read_rows

MAX_ROWS = 20_000
MAX_BYTES = 5 * 1024 * 1024
ENTER = ("hrm.attendance.enter", "hrm.attendance.adjust")


# --- schedules and holidays ----------------------------------------------------------------------------


def _time(value: Any, field: str) -> dt.time:
    if isinstance(value, dt.time):
        return value.replace(second=0, microsecond=0)
    text = str(value or "").strip()
    m = re.fullmatch(r"(\d{1,2})[:hH.](\d{2})(?::\d{2})?", text)
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ValidationError({field: [_("Enter a time as HH:MM.")]})
    return dt.time(int(m.group(1)), int(m.group(2)))


@transaction.atomic
def save_schedule(p: Principal, **data: Any) -> WorkSchedule:
    p.require("hrm.attendance.configure")
    code = _text(data.get("code"), "code", 20, required=True)
    if WorkSchedule.objects.filter(tenant=p.tenant, code=code).exists():
        raise ValidationError({"code": [_("This code is already used.")]})
    schedule = WorkSchedule(
        tenant=p.tenant,
        code=code,
        name=_text(data.get("name"), "name", 120, required=True),
        start_time=_time(data.get("start_time") or "08:00", "start_time"),
        end_time=_time(data.get("end_time") or "17:00", "end_time"),
        break_minutes=int(data.get("break_minutes") or 0) if data.get("break_minutes") is not None else 60,
        saturday=bool(data.get("saturday")),
        is_default=bool(data.get("is_default")),
    )
    if not 0 <= schedule.break_minutes <= 600:
        raise ValidationError({"break_minutes": [_("Enter a break of 0 to 600 minutes.")]})
    if not 60 <= schedule.minutes_per_day <= 12 * 60:
        raise ValidationError({"end_time": [_("A working day lasts from 1 to 12 hours after the break.")]})
    if schedule.is_default:
        WorkSchedule.objects.filter(tenant=p.tenant, is_default=True).update(is_default=False)
    schedule.save()
    audit.record_created(schedule, p.user)
    return schedule


def year_overtime_limit(tenant_id: int) -> int:
    """The company's yearly overtime limit in hours: 200, or 300 for the sectors of Labour Code art.
    107(3) when the HR Manager has set it (no settings row: 200)."""
    from novasaas.hrm.models import HrmSettings

    value = HrmSettings.objects.filter(tenant_id=tenant_id).values_list("overtime_year_limit", flat=True).first()
    return int(value) if value else YEAR_LIMIT_MINUTES // 60


@transaction.atomic
def save_settings(p: Principal, **data: Any) -> Any:
    """HR Manager: the company's HRM settings (the yearly overtime limit, 200 or 300 hours). Audited."""
    from novasaas.hrm.models import HrmSettings, OvertimeLimit

    p.require("hrm.attendance.configure")
    limit = data.get("overtime_year_limit")
    try:
        limit = int(limit)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        limit = None
    if limit not in OvertimeLimit.values:
        raise ValidationError({"overtime_year_limit": [_("Choose 200 or 300 hours.")]})
    settings_row = HrmSettings.objects.select_for_update().filter(tenant=p.tenant).first()
    if settings_row is None:
        settings_row = HrmSettings.objects.create(tenant=p.tenant, overtime_year_limit=limit)
        audit.record_created(settings_row, p.user)
        return settings_row
    before = audit.snapshot(settings_row)
    settings_row.overtime_year_limit = limit
    settings_row.save(update_fields=["overtime_year_limit", "updated_at"])
    audit.record_updated(settings_row, p.user, before)
    return settings_row


@transaction.atomic
def save_holiday(p: Principal, **data: Any) -> PublicHoliday:
    p.require("hrm.attendance.configure")
    day = _date(data.get("date"), "date")
    assert day is not None
    if PublicHoliday.objects.filter(tenant=p.tenant, date=day).exists():
        raise ValidationError({"date": [_("This day is already a holiday.")]})
    holiday = PublicHoliday.objects.create(
        tenant=p.tenant,
        date=day,
        name=_text(data.get("name"), "name", 120, required=True),
        source=_text(data.get("source"), "source", 200),
    )
    audit.record_created(holiday, p.user)
    return holiday


@transaction.atomic
def delete_holiday(p: Principal, holiday_id: int) -> None:
    p.require("hrm.attendance.configure")
    holiday = PublicHoliday.objects.get(tenant=p.tenant, pk=holiday_id)
    audit.record_deleted(holiday, p.user)
    holiday.delete()


def holidays_between(tenant: Any, first: dt.date, last: dt.date) -> set[dt.date]:
    return set(PublicHoliday.objects.filter(tenant=tenant, date__range=(first, last)).values_list("date", flat=True))


def schedule_for(employee: Employee) -> Any:
    if employee.schedule_id:
        return employee.schedule
    return WorkSchedule.objects.filter(tenant_id=employee.tenant_id, is_default=True).first()


# --- records -------------------------------------------------------------------------------------------


def visible_records(p: Principal) -> QuerySet[Attendance]:
    """HR (report, adjust, enter): every record; a department manager: their departments' people and
    their own; anyone else: their own."""
    qs = Attendance.objects.filter(tenant=p.tenant).select_related("employee")
    if p.has_any("hrm.attendance.report", "hrm.attendance.adjust", "hrm.attendance.enter"):
        return qs
    uid = p.user.pk if p.user else -1
    if p.has("hrm.attendance.confirm_team"):
        return qs.filter(Q(employee__department__manager_id=uid) | Q(employee__user_id=uid))
    return qs.filter(employee__user_id=uid)


def _fill(record: Attendance, employee: Employee) -> None:
    """Compute the record's minutes from its times and check the daily and monthly/yearly limits."""
    schedule = schedule_of(schedule_for(employee))
    kind = day_kind(record.date, schedule, holidays_between(employee.tenant_id, record.date, record.date))
    if record.check_in is None or record.check_out is None:
        record.worked_minutes = record.overtime_minutes = record.night_minutes = record.night_overtime_minutes = 0
        record.overtime_status = OvertimeStatus.NONE
        return
    minutes = split_day(record.check_in, record.check_out, schedule, kind)
    if kind == WORK and minutes.overtime > schedule.minutes_per_day // 2:
        raise ValidationError(
            {"check_out": [_("Overtime on a working day is at most half a working day (Labour Code art. 107).")]}
        )
    if kind != WORK and minutes.worked > REST_DAY_LIMIT_MINUTES:
        raise ValidationError({"check_out": [_("At most 12 hours of work on a rest day or a holiday.")]})
    record.worked_minutes = minutes.worked
    record.overtime_minutes = minutes.overtime
    record.night_minutes = minutes.night
    record.night_overtime_minutes = minutes.night_overtime
    record.overtime_status = OvertimeStatus.PENDING if minutes.overtime else OvertimeStatus.NONE
    if minutes.overtime:
        others = Attendance.objects.filter(employee=employee, date__year=record.date.year).exclude(
            Q(pk=record.pk or 0) | Q(overtime_status=OvertimeStatus.REJECTED)
        )
        month = others.filter(date__month=record.date.month).aggregate(n=Sum("overtime_minutes"))["n"] or 0
        year = others.aggregate(n=Sum("overtime_minutes"))["n"] or 0
        if month + minutes.overtime > MONTH_LIMIT_MINUTES:
            raise ValidationError(
                {"check_out": [_("Overtime would pass 40 hours in the month (Labour Code art. 107).")]}
            )
        limit = year_overtime_limit(employee.tenant_id)
        if year + minutes.overtime > limit * 60:
            raise ValidationError(
                {"check_out": [_("Overtime would pass %(h)s hours in the year (Labour Code art. 107).") % {"h": limit}]}
            )


def _employee_on(employee: Employee, day: dt.date) -> None:
    if day < employee.hired_on or (employee.left_on is not None and day > employee.left_on):
        raise ValidationError({"date": [_("The employee is not employed on this day.")]})
    if day > timezone.localdate():
        raise ValidationError({"date": [_("Attendance cannot be recorded for a future day.")]})


def _create(
    p: Principal, employee: Employee, day: dt.date, check_in: Any, check_out: Any, note: Any, source: str
) -> Attendance:
    _employee_on(employee, day)
    _refuse_approved(p, day)
    if Attendance.objects.filter(tenant=p.tenant, employee=employee, date=day).exists():
        raise ValidationError({"date": [_("This day is already recorded for the employee: adjust it.")]})
    record = Attendance(
        tenant=p.tenant,
        employee=employee,
        date=day,
        check_in=_time(check_in, "check_in"),
        check_out=_time(check_out, "check_out"),
        note=_text(note, "note", 300),
        source=source,
    )
    _fill(record, employee)
    record.save()
    return record


@transaction.atomic
def record_attendance(p: Principal, **data: Any) -> Attendance:
    """HR enters one day of one employee (check-in and check-out)."""
    if not p.has_any(*ENTER):
        p.require(ENTER[0])
    employee = Employee.objects.filter(tenant=p.tenant, pk=data.get("employee_id") or 0).first()
    if employee is None:
        raise ValidationError({"employee_id": [_("Choose an employee.")]})
    day = _date(data.get("date"), "date")
    assert day is not None
    record = _create(
        p, employee, day, data.get("check_in"), data.get("check_out"), data.get("note"), AttendanceSource.MANUAL
    )
    audit.record_created(record, p.user)
    return record


@transaction.atomic
def adjust_attendance(p: Principal, record_id: int, **data: Any) -> Attendance:
    """The HR Manager corrects a record's times with a reason (audited: before, after, reason); its
    overtime goes back to be confirmed."""
    p.require("hrm.attendance.adjust")
    record = Attendance.objects.select_for_update().select_related("employee").get(tenant=p.tenant, pk=record_id)
    reason = _text(data.get("reason"), "reason", 300, required=True)
    _refuse_approved(p, record.date)
    before = audit.snapshot(record)
    record.check_in = _time(data.get("check_in"), "check_in")
    record.check_out = _time(data.get("check_out"), "check_out")
    record.note = reason
    record.overtime_decided_by = None
    _fill(record, record.employee)
    record.save()
    audit.record(
        "update", actor=p.user, obj=record, before=before, after=audit.snapshot(record), message=f"adjusted: {reason}"
    )
    return record


@transaction.atomic
def decide_overtime(p: Principal, record_id: int, confirm: bool) -> Attendance:
    """The manager of the employee's department (or the HR Manager) confirms or rejects a day's overtime;
    only confirmed overtime is paid."""
    record = visible_records(p).select_for_update(of=("self",)).select_related("employee__department").get(pk=record_id)
    uid = p.user.pk if p.user else -1
    is_manager = p.has("hrm.attendance.confirm_team") and record.employee.department.manager_id == uid
    if not (is_manager or p.has("hrm.attendance.adjust")):
        raise PermissionDenied(_("Only the department's manager or the HR Manager confirm overtime."))
    if record.employee.user_id == uid and not p.has("hrm.attendance.adjust"):
        raise PermissionDenied(_("Your own overtime is confirmed by HR."))
    if record.overtime_status != OvertimeStatus.PENDING:
        raise ValidationError(_("This day has no overtime to confirm."))
    _refuse_approved(p, record.date)
    before = audit.snapshot(record)
    record.overtime_status = OvertimeStatus.CONFIRMED if confirm else OvertimeStatus.REJECTED
    record.overtime_decided_by = p.user
    record.save(update_fields=["overtime_status", "overtime_decided_by", "updated_at"])
    audit.record_updated(record, p.user, before)
    return record


def _refuse_approved(p: Principal, day: dt.date) -> None:
    from novasaas.hrm.models import PayrollPeriod, PayrollStatus

    approved = PayrollPeriod.objects.filter(
        tenant=p.tenant, year=day.year, month=day.month, status=PayrollStatus.APPROVED
    )
    if approved.exists():
        raise ValidationError({"date": [_("The payroll of this month is approved: its attendance is closed.")]})


@transaction.atomic
def record_project_time(tenant: Any, user_id: int, minutes_by_day: dict[dt.date, int], note: str) -> list[Attendance]:
    """PM → HRM (§11.3): the approved hours of a project timesheet become attendance of the employee linked
    to the user (nothing when no employee is). Only working days without a record are filled (a time
    clock's or HR's record wins, and a second project's hours on the same day are not added); days before
    hiring or after leaving, in the future, rest days, holidays and months whose payroll is approved are
    left alone. The presence starts at the schedule's start; its minutes are capped at the schedule's day,
    so project time never becomes overtime (which the department's manager confirms). Source: manual
    entry, with ``note`` naming the project; audited without an actor (the system)."""
    from novasaas.hrm.models import PayrollPeriod, PayrollStatus

    employee = Employee.objects.filter(tenant=tenant, user_id=user_id).first()
    if employee is None:
        return []
    shift = schedule_for(employee)
    schedule = schedule_of(shift)
    start = shift.start_time if shift is not None else dt.time(8, 0)
    days = sorted(d for d, m in minutes_by_day.items() if m > 0)
    if not days:
        return []
    holidays = holidays_between(tenant, days[0], days[-1])
    taken = set(
        Attendance.objects.filter(tenant=tenant, employee=employee, date__in=days).values_list("date", flat=True)
    )
    closed = set(
        PayrollPeriod.objects.filter(tenant=tenant, status=PayrollStatus.APPROVED).values_list("year", "month")
    )
    created = []
    for day in days:
        if (
            day in taken
            or (day.year, day.month) in closed
            or day > timezone.localdate()
            or day < employee.hired_on
            or (employee.left_on is not None and day > employee.left_on)
            or day_kind(day, schedule, holidays) != WORK
        ):
            continue
        minutes = min(minutes_by_day[day], schedule.minutes_per_day)
        span = minutes + schedule.break_minutes if minutes > schedule.minutes_per_day // 2 else minutes
        begin = dt.datetime.combine(day, start)
        record = Attendance(
            tenant=tenant,
            employee=employee,
            date=day,
            check_in=start,
            check_out=(begin + dt.timedelta(minutes=span)).time(),
            note=note[:300],
            source=AttendanceSource.MANUAL,
        )
        _fill(record, employee)
        record.save()
        audit.record_created(record, None)
        created.append(record)
    return created


@transaction.atomic
def check_in_out(p: Principal, ip: str | None = None) -> Attendance:
    """The caller's web check-in (first call of the day) or check-out (second), with the time and the
    client's address. A third call is refused."""
    p.require("hrm.attendance.self")
    employee = selectors.own_employee(p)
    if employee is None:
        raise ValidationError(_("Your user account is not linked to an employee record: ask HR."))
    employee = Employee.objects.select_for_update().get(pk=employee.pk)
    now = timezone.localtime()
    today = now.date()
    clock = now.time().replace(second=0, microsecond=0)
    record = Attendance.objects.filter(tenant=p.tenant, employee=employee, date=today).first()
    if record is None:
        _employee_on(employee, today)
        return Attendance.objects.create(
            tenant=p.tenant, employee=employee, date=today, check_in=clock, source=AttendanceSource.WEB, ip_address=ip
        )
    if record.check_out is not None:
        raise ValidationError(_("You have already checked out today."))
    record.check_out = clock
    record.ip_address = ip or record.ip_address
    _fill(record, employee)
    record.save()
    return record


# --- time-clock import ---------------------------------------------------------------------------------


class AttendanceImportError(LineImportError):
    """A refused attendance import (``lines``: what is wrong where)."""


COLUMNS = {
    "employee": ("employee", "ma nv", "ma nhan vien", "employee code", "code"),
    "date": ("date", "ngay"),
    "check_in": ("check_in", "gio vao", "check in", "in"),
    "check_out": ("check_out", "gio ra", "check out", "out"),
    "note": ("note", "ghi chu"),
}


def _column_key(header: Any) -> str | None:
    from novasaas.parties.text import unaccent

    text = unaccent(str(header or "").strip()).replace("_", " ")
    bracket = re.search(r"\(([a-z_]+)\)\s*$", str(header or "").strip())
    if bracket and bracket.group(1) in COLUMNS:
        return bracket.group(1)
    for key, words in COLUMNS.items():
        if text in {w.replace("_", " ") for w in words}:
            return key
    return None


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time(0) else value.strftime("%H:%M")
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, dt.time):
        return value.strftime("%H:%M")
    return str(value).strip()


def _day(text: str) -> dt.date:
    from novasaas.platform.dates import parse_date

    try:
        day = parse_date(text)
    except ValueError:
        day = None
    if day is None:
        raise ValidationError({"date": [_("Enter a date as dd/mm/yyyy.")]})
    return day


@transaction.atomic
def import_attendance(p: Principal, upload: IO[bytes], filename: str | None = None) -> list[Attendance]:
    """One record per row (employee code, date, check-in, check-out, note) of a time clock's CSV or
    xlsx export. All or nothing: every bad line is reported with its number, nothing is written."""
    if not p.has_any(*ENTER):
        p.require(ENTER[0])
    rows = read_rows(
        upload,
        key=_column_key,
        cell=_cell,
        required=("employee", "date", "check_in", "check_out"),
        header_message=_("The first row must hold the headers: employee code, date, check-in, check-out."),
        max_rows=MAX_ROWS,
        max_bytes=MAX_BYTES,
        filename=filename or "attendance.csv",
        error=AttendanceImportError,
    )
    codes = {r.get("employee", "") for _n, r in rows}
    employees = {e.code: e for e in Employee.objects.filter(tenant=p.tenant, code__in=codes)}
    errors: list[LineError] = []
    created: list[Attendance] = []
    seen: set[tuple[str, dt.date]] = set()
    for number, record in rows:
        employee = employees.get(record.get("employee", ""))
        if employee is None:
            errors.append(LineError(number, [_("Unknown employee code %(c)s.") % {"c": record.get("employee", "")}]))
            continue
        try:
            day = _day(record.get("date", ""))
            if (employee.code, day) in seen:
                raise ValidationError({"date": [_("The same employee and day appear twice in the file.")]})
            seen.add((employee.code, day))
            with transaction.atomic():
                created.append(
                    _create(
                        p, employee, day, record.get("check_in"), record.get("check_out"), record.get("note"),
                        AttendanceSource.IMPORT,
                    )
                )  # fmt: skip
        except ValidationError as exc:
            errors.append(LineError(number, messages_of(exc)))
    if errors:
        raise AttendanceImportError(errors)
    audit.record(
        "create", actor=p.user, tenant=p.tenant, message=f"attendance import: {len(created)} records",
        object_type="hrm.attendance",
    )  # fmt: skip
    return created
