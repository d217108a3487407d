"""Leave: types, requests with two-level approval (the department's manager, then HR) and balances.

An employee requests leave for themself (``hrm.leave.request``); the manager of the employee's
department approves or rejects at level 1 (``hrm.leave.approve_team``); HR approves or rejects at
level 2 (``hrm.leave.approve``; HR may also decide a request whose department has no manager). The
balance of a type with a yearly entitlement is the entitlement minus the working days (Monday–Friday)
of the year's submitted and approved requests; a request beyond it is refused.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q, QuerySet, Sum
from django.utils.translation import gettext as _

from novasaas.hrm import selectors
from novasaas.hrm.actions import _date, _text
from novasaas.hrm.models import Employee, LeaveRequest, LeaveStatus, LeaveType
from novasaas.identity.access import Principal

OPEN = (LeaveStatus.SUBMITTED, LeaveStatus.MANAGER_APPROVED)
COUNTED = (*OPEN, LeaveStatus.APPROVED)


@transaction.atomic
def save_leave_type(p: Principal, leave_type_id: int | None = None, **data: Any) -> LeaveType:
    p.require("hrm.leave.configure")
    lt = (
        LeaveType.objects.select_for_update().get(tenant=p.tenant, pk=leave_type_id)
        if leave_type_id
        else LeaveType(tenant=p.tenant)
    )
    if "code" in data or not leave_type_id:
        lt.code = _text(data.get("code"), "code", 20, required=True)
    if "name" in data or not leave_type_id:
        lt.name = _text(data.get("name"), "name", 120, required=True)
    if data.get("paid") is not None:
        lt.paid = bool(data["paid"])
    if "days_per_year" in data:
        days = data["days_per_year"]
        if days is not None and (not isinstance(days, int) or not 0 <= days <= 366):
            raise ValidationError({"days_per_year": [_("Enter a number of days from 0 to 366.")]})
        lt.days_per_year = days
    if data.get("accrues") is not None:
        lt.accrues = bool(data["accrues"])
    if data.get("is_active") is not None:
        lt.is_active = bool(data["is_active"])
    if LeaveType.objects.filter(tenant=p.tenant, code=lt.code).exclude(pk=lt.pk).exists():
        raise ValidationError({"code": [_("This code is already used.")]})
    lt.save()
    return lt


SENIORITY_YEARS = 5  # + 1 day of annual leave per 5 years of service (Labour Code 2019 art. 114)


def _months_employed(employee: Employee, year: int, until: dt.date | None = None) -> int:
    """Months of ``year`` (up to ``until``'s month) in which the employee was employed: the month of
    hiring counts when hired by its 15th, the month of leaving when left after its 15th."""
    first = 1 if employee.hired_on.year < year else employee.hired_on.month + (employee.hired_on.day > 15)
    if employee.hired_on.year > year:
        return 0
    last = 12
    if until is not None and until.year == year:
        last = until.month
    elif until is not None and until.year < year:
        return 0
    if employee.left_on is not None and employee.left_on.year <= year:
        if employee.left_on.year < year:
            return 0
        last = min(last, employee.left_on.month - (employee.left_on.day <= 15))
    return max(last - first + 1, 0)


def seniority_days(employee: Employee, on: dt.date) -> int:
    years = on.year - employee.hired_on.year - ((on.month, on.day) < (employee.hired_on.month, employee.hired_on.day))
    return max(years, 0) // SENIORITY_YEARS


def entitlement(employee: Employee, leave_type: LeaveType, year: int, until: dt.date | None = None) -> int:
    """Days of ``leave_type`` for ``year``. An accruing type (annual leave): (days per year + seniority
    days at the year's end) × months employed in the year (up to ``until``: earned so far) / 12, rounded
    down (Labour Code 2019 art. 113, 114); any other type: its days per year."""
    days = leave_type.days_per_year or 0
    if not leave_type.accrues:
        return days
    total = days + seniority_days(employee, dt.date(year, 12, 31))
    return total * _months_employed(employee, year, until) // 12


def working_days(employee: Employee, start: dt.date, end: dt.date) -> int:
    """The employee's scheduled working days between two days, public holidays excepted."""
    from novasaas.hrm.models import PublicHoliday, WorkSchedule
    from novasaas.hrm.timesheet import schedule_of, scheduled_days

    schedule = employee.schedule or WorkSchedule.objects.filter(tenant_id=employee.tenant_id, is_default=True).first()
    holidays = set(
        PublicHoliday.objects.filter(tenant_id=employee.tenant_id, date__range=(start, end)).values_list(
            "date", flat=True
        )
    )
    return sum(1 for d in scheduled_days(start, end, schedule_of(schedule)) if d not in holidays)


def used_days(employee: Employee, leave_type: LeaveType, year: int, exclude_id: int | None = None) -> int:
    qs = LeaveRequest.objects.filter(
        employee=employee, leave_type=leave_type, status__in=COUNTED, start_date__year=year
    ).exclude(pk=exclude_id or 0)
    return int(qs.aggregate(n=Sum("days"))["n"] or 0)


def balances(employee: Employee, year: int, on: dt.date | None = None) -> list[dict[str, Any]]:
    """Per active type with an entitlement: the year's entitlement, the days earned by ``on`` (accruing
    types), days used (submitted + approved), left (entitlement − used)."""
    out = []
    for lt in LeaveType.objects.filter(tenant_id=employee.tenant_id, is_active=True, days_per_year__isnull=False):
        used = used_days(employee, lt, year)
        entitled = entitlement(employee, lt, year)
        earned = entitlement(employee, lt, year, on or dt.date(year, 12, 31)) if lt.accrues else entitled
        out.append({"type": lt, "entitled": entitled, "earned": earned, "used": used, "left": entitled - used})
    return out


@transaction.atomic
def request_leave(p: Principal, **data: Any) -> LeaveRequest:
    """The caller's own request. Refused: no employee record, dates reversed or without a working day,
    overlap with another open or approved request, more days than the balance left."""
    p.require("hrm.leave.request")
    employee = selectors.own_employee(p)
    if employee is None:
        raise ValidationError(_("Your user account is not linked to an employee record: ask HR."))
    employee = Employee.objects.select_for_update().get(pk=employee.pk)  # one request at a time per person
    lt = LeaveType.objects.filter(tenant=p.tenant, pk=data.get("leave_type_id") or 0, is_active=True).first()
    if lt is None:
        raise ValidationError({"leave_type_id": [_("Choose a leave type.")]})
    start = _date(data.get("start_date"), "start_date")
    end = _date(data.get("end_date"), "end_date")
    assert start is not None and end is not None
    if end < start:
        raise ValidationError({"end_date": [_("The end is before the start.")]})
    if end.year != start.year:
        raise ValidationError({"end_date": [_("Request leave within one calendar year.")]})
    days = working_days(employee, start, end)
    if days == 0:
        raise ValidationError({"end_date": [_("These dates hold no working day.")]})
    overlap = LeaveRequest.objects.filter(
        employee=employee, status__in=COUNTED, start_date__lte=end, end_date__gte=start
    ).exists()
    if overlap:
        raise ValidationError({"start_date": [_("You already have leave in these days.")]})
    if lt.days_per_year is not None:
        left = entitlement(employee, lt, start.year) - used_days(employee, lt, start.year)
        if days > left:
            raise ValidationError(
                {"end_date": [_("Only %(left)s days of %(t)s are left this year.") % {"left": left, "t": lt.name}]}
            )
    return LeaveRequest.objects.create(
        tenant=p.tenant,
        employee=employee,
        leave_type=lt,
        start_date=start,
        end_date=end,
        days=days,
        reason=_text(data.get("reason"), "reason", 300),
    )


def _may_decide_as_manager(p: Principal, request: LeaveRequest) -> bool:
    manager_id = request.employee.department.manager_id
    return p.has("hrm.leave.approve_team") and p.user is not None and manager_id == p.user.pk


@transaction.atomic
def decide_leave(p: Principal, request_id: int, approve: bool, note: Any = "") -> LeaveRequest:
    """Level 1 (the department's manager) moves a submitted request to manager-approved or rejected;
    level 2 (HR) approves or rejects a manager-approved one (or a submitted one when the department has
    no manager). Anyone else gets a 404 for a request they may not see, 403 otherwise."""
    req = visible_requests(p).select_for_update(of=("self",)).select_related("employee__department").get(pk=request_id)
    text = _text(note, "note", 300)
    if req.status not in OPEN:
        raise ValidationError(_("This request is already decided."))
    is_hr = p.has("hrm.leave.approve")
    if req.status == LeaveStatus.SUBMITTED and _may_decide_as_manager(p, req):
        req.status = LeaveStatus.MANAGER_APPROVED if approve else LeaveStatus.REJECTED
        req.manager_decided_by = p.user
    elif is_hr and (req.status == LeaveStatus.MANAGER_APPROVED or req.employee.department.manager_id is None):
        req.status = LeaveStatus.APPROVED if approve else LeaveStatus.REJECTED
        req.hr_decided_by = p.user
    elif is_hr:
        raise ValidationError(_("The department's manager decides first."))
    else:
        raise PermissionDenied(_("Only the department's manager, then HR, decide this request."))
    req.decision_note = text
    req.save(update_fields=["status", "manager_decided_by", "hr_decided_by", "decision_note"])
    return req


@transaction.atomic
def cancel_leave(p: Principal, request_id: int) -> LeaveRequest:
    """The requester withdraws a request not yet decided by HR."""
    p.require("hrm.leave.request")
    uid = p.user.pk if p.user else -1
    req = LeaveRequest.objects.select_for_update().get(tenant=p.tenant, pk=request_id, employee__user_id=uid)
    if req.status not in OPEN:
        raise ValidationError(_("This request is already decided."))
    req.status = LeaveStatus.CANCELLED
    req.save(update_fields=["status"])
    return req


def visible_requests(p: Principal) -> QuerySet[LeaveRequest]:
    """HR (approve or process): all; a manager: their departments' people and their own; others: own."""
    qs = LeaveRequest.objects.filter(tenant=p.tenant).select_related("employee", "leave_type")
    if p.has_any("hrm.leave.approve", "hrm.leave.process"):
        return qs
    uid = p.user.pk if p.user else -1
    if p.has("hrm.leave.approve_team"):
        return qs.filter(Q(employee__department__manager_id=uid) | Q(employee__user_id=uid))
    return qs.filter(employee__user_id=uid)


def list_requests(p: Principal, status: str = "", year: int | None = None) -> QuerySet[LeaveRequest]:
    qs = visible_requests(p)
    if status:
        qs = qs.filter(status=status)
    if year:
        qs = qs.filter(start_date__year=year)
    return qs.order_by("-start_date", "-id")


def balance_report(p: Principal, year: int, on: dt.date) -> Any:
    """Leave balances of the employees the caller may see (HR everyone, a manager their team) for each
    active type with a yearly entitlement: entitled, earned by ``on``, used or requested, left — one row
    per employee and type (page, Excel, PDF, API). Two queries whatever the number of employees."""
    from django.utils.translation import gettext_lazy

    from novasaas.platform.reports import Column, Report

    types = list(
        LeaveType.objects.filter(tenant=p.tenant, is_active=True, days_per_year__isnull=False).order_by("code")
    )
    employees = list(
        selectors.visible_employees(p).filter(hired_on__year__lte=year).select_related("department").order_by("code")
    )
    used: dict[tuple[int, int], int] = {}
    for row in (
        LeaveRequest.objects.filter(
            tenant=p.tenant, employee__in=[e.pk for e in employees], status__in=COUNTED, start_date__year=year
        )
        .values("employee_id", "leave_type_id")
        .annotate(n=Sum("days"))
    ):
        used[(row["employee_id"], row["leave_type_id"])] = int(row["n"] or 0)
    rows = []
    for e in employees:
        if e.left_on is not None and e.left_on.year < year:
            continue
        for lt in types:
            entitled = entitlement(e, lt, year)
            taken = used.get((e.pk, lt.pk), 0)
            rows.append(
                {
                    "_id": e.pk,
                    "code": e.code,
                    "name": e.full_name,
                    "department": e.department.code,
                    "type": lt.name,
                    "entitled": entitled,
                    "earned": entitlement(e, lt, year, on) if lt.accrues else entitled,
                    "used": taken,
                    "left": entitled - taken,
                }
            )
    columns = [
        Column("code", gettext_lazy("Code")),
        Column("name", gettext_lazy("Employee")),
        Column("department", gettext_lazy("Department")),
        Column("type", gettext_lazy("Leave type")),
        Column("entitled", gettext_lazy("Entitled"), "qty"),
        Column("earned", gettext_lazy("Earned so far"), "qty"),
        Column("used", gettext_lazy("Used or requested"), "qty"),
        Column("left", gettext_lazy("Left"), "qty"),
    ]
    return Report(
        name=f"so-du-phep-{year}",
        title=_("Leave balances %(y)s") % {"y": year},
        columns=columns,
        rows=rows,
    )
