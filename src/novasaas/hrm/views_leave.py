"""HRM pages of leave: requests and decisions, balances report, leave types, the leave calendar."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from novasaas.hrm import attendance, forms, leave, selectors
from novasaas.hrm.models import (
    LeaveStatus,
    LeaveType,
)
from novasaas.hrm.views import HrmView, _attach, _month_of, _report_page

# --- leave -------------------------------------------------------------------------------------------


class LeaveView(HrmView):
    permissions = ("hrm.leave.request",)

    def form(self, data: Any = None) -> forms.LeaveRequestForm:
        types = LeaveType.objects.filter(tenant=self.principal.tenant, is_active=True)
        return forms.LeaveRequestForm(data, types=[(t.pk, str(t)) for t in types])

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        from django.utils import timezone

        p = self.principal
        me = selectors.own_employee(p)
        requests = list(leave.list_requests(p).select_related("employee__department")[:200])
        uid = p.user.pk if p.user else -1
        for r in requests:
            manager_id = r.employee.department.manager_id
            r.can_decide = r.status in leave.OPEN and (  # type: ignore[attr-defined]
                (r.status == LeaveStatus.SUBMITTED and manager_id == uid and p.has("hrm.leave.approve_team"))
                or (p.has("hrm.leave.approve") and (r.status == LeaveStatus.MANAGER_APPROVED or manager_id is None))
            )
            r.can_cancel = r.status in leave.OPEN and r.employee.user_id == uid  # type: ignore[attr-defined]
        context = {
            "me": me,
            "form": (form or self.form()) if me else None,
            "balances": leave.balances(me, timezone.localdate().year, timezone.localdate()) if me else [],
            "requests": requests,
        }
        return render(request, "hrm/leave.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_valid():
            try:
                leave.request_leave(self.principal, **form.cleaned_data)
                messages.success(request, _("Leave requested."))
                return redirect("hrm-leave")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class LeaveDecisionView(HrmView):
    permissions = ("hrm.leave.approve", "hrm.leave.approve_team", "hrm.leave.request")

    def post(self, request: HttpRequest, pk: int, decision: str) -> HttpResponse:
        if decision not in ("approve", "reject", "cancel"):
            raise Http404
        try:
            if decision == "cancel":
                leave.cancel_leave(self.principal, pk)
            else:
                leave.decide_leave(self.principal, pk, decision == "approve", request.POST.get("note", ""))
            messages.success(request, _("Leave request updated."))
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        return redirect("hrm-leave")


class LeaveBalanceReportView(HrmView):
    """Leave balances of the visible employees (HR everyone, a manager their team), page, Excel, PDF."""

    permissions = ("hrm.leave.report", "hrm.leave.process", "hrm.leave.approve_team")

    def get(self, request: HttpRequest, fmt: str = "") -> HttpResponse:
        from django.utils import timezone

        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
        except ValueError:
            year = 0
        if not 2000 <= year <= 2100:
            raise Http404
        report = leave.balance_report(self.principal, year, timezone.localdate())
        context = {"file_url": "/hrm/leave/balances.", "query": f"?year={year}", "year": year}
        return _report_page(request, report, fmt, context)


class LeaveTypeListView(HrmView):
    permissions = ("hrm.leave.configure",)

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        context = {
            "types": LeaveType.objects.filter(tenant=self.principal.tenant),
            "form": form or forms.LeaveTypeForm(),
        }
        return render(request, "hrm/leave_types.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.LeaveTypeForm(request.POST)
        if form.is_valid():
            try:
                lt = leave.save_leave_type(self.principal, **form.cleaned_data)
                messages.success(request, _("Leave type %(c)s saved.") % {"c": lt.code})
                return redirect("hrm-leave-types")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class LeaveCalendarView(HrmView):
    """The month's absences of the people the caller may see (HR: everyone; a manager: their team; an
    employee: themself): approved and pending leave per day, public holidays marked."""

    permissions = ("hrm.leave.request",)

    def get(self, request: HttpRequest) -> HttpResponse:
        from novasaas.hrm.payroll import month_bounds
        from novasaas.hrm.timesheet import days_of

        year, month = _month_of(request)
        first, last = month_bounds(year, month)
        days = list(days_of(first, last))
        holidays = attendance.holidays_between(self.principal.tenant, first, last)
        requests = leave.visible_requests(self.principal).filter(
            status__in=leave.COUNTED, start_date__lte=last, end_date__gte=first
        )
        by_employee: dict[int, dict[Any, str]] = {}
        names: dict[int, str] = {}
        for r in requests.select_related("employee", "leave_type"):
            names[r.employee_id] = str(r.employee)
            cells = by_employee.setdefault(r.employee_id, {})
            mark = r.leave_type.code if r.status == LeaveStatus.APPROVED else f"{r.leave_type.code}?"
            for day in days_of(max(r.start_date, first), min(r.end_date, last)):
                cells[day] = mark
        rows = [
            {"name": names[eid], "cells": [cells.get(d, "") for d in days]}
            for eid, cells in sorted(by_employee.items(), key=lambda kv: names[kv[0]])
        ]
        context = {
            "year": year,
            "month": month,
            "days": [{"day": d, "holiday": d in holidays, "weekend": d.weekday() >= 5} for d in days],
            "rows": rows,
        }
        return render(request, "hrm/leave_calendar.html", context)
