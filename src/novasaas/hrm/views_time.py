"""HRM pages of time: attendance, overtime decisions, adjustments, timesheet, holidays, work schedules."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from novasaas.hrm import attendance, forms, reports, selectors
from novasaas.hrm.models import (
    EmployeeStatus,
    OvertimeStatus,
    PublicHoliday,
    WorkSchedule,
)
from novasaas.hrm.views import HrmView, _attach, _month_of
from novasaas.platform.reports import file_response

# --- time ----------------------------------------------------------------------------------------------


class AttendanceView(HrmView):
    """The month's attendance records the caller may see; HR enters and imports days; the department's
    manager (or HR Manager) confirms overtime; everyone checks in and out."""

    permissions = ("hrm.attendance.self",)

    def _employees(self) -> list[tuple[int, str]]:
        qs = selectors.visible_employees(self.principal).filter(status=EmployeeStatus.ACTIVE).order_by("code")
        return [(e.pk, str(e)) for e in qs[:2000]]

    def get(self, request: HttpRequest, form: Any = None, upload: Any = None, status: int = 200) -> HttpResponse:
        p = self.principal
        year, month = _month_of(request)
        records = list(
            attendance.visible_records(p)
            .filter(date__year=year, date__month=month)
            .select_related("employee__department")
            .order_by("-date", "employee__code")[:500]
        )
        uid = p.user.pk if p.user else -1
        for r in records:
            r.can_decide = r.overtime_status == OvertimeStatus.PENDING and (  # type: ignore[attr-defined]
                p.has("hrm.attendance.adjust")
                or (
                    p.has("hrm.attendance.confirm_team")
                    and r.employee.department.manager_id == uid
                    and r.employee.user_id != uid
                )
            )
        can_enter = p.has_any("hrm.attendance.enter", "hrm.attendance.adjust")
        context = {
            "year": year,
            "month": month,
            "records": records,
            "me": selectors.own_employee(p),
            "can_enter": can_enter,
            "can_adjust": p.has("hrm.attendance.adjust"),
            "form": (form or forms.AttendanceForm(employees=self._employees())) if can_enter else None,
            "upload": (upload or forms.AttendanceImportForm()) if can_enter else None,
        }
        return render(request, "hrm/attendance.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        p = self.principal
        action = request.POST.get("action", "")
        if action == "check":
            from novasaas.platform.request_context import client_ip

            try:
                record = attendance.check_in_out(p, client_ip(request))
                messages.success(
                    request,
                    _("Checked out at %(t)s.") % {"t": f"{record.check_out:%H:%M}"}
                    if record.check_out
                    else _("Checked in at %(t)s.") % {"t": f"{record.check_in:%H:%M}"},
                )
            except ValidationError as exc:
                for msg in exc.messages:
                    messages.error(request, msg)
            return redirect("hrm-me" if request.POST.get("next") == "me" else "hrm-attendance")
        if action == "import":
            upload = forms.AttendanceImportForm(request.POST, request.FILES)
            if upload.is_valid():
                file = upload.cleaned_data["file"]
                try:
                    created = attendance.import_attendance(p, file, file.name)
                    messages.success(request, _("%(n)s attendance days imported.") % {"n": len(created)})
                    return redirect("hrm-attendance")
                except attendance.AttendanceImportError as exc:
                    for msg in exc.messages:
                        upload.add_error("file", msg)
            return self.get(request, upload=upload, status=400)
        form = forms.AttendanceForm(request.POST, employees=self._employees())
        if form.is_valid():
            try:
                record = attendance.record_attendance(p, **form.cleaned_data)
                messages.success(request, _("Attendance of %(e)s recorded.") % {"e": record})
                return redirect("hrm-attendance")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form=form, status=400)


class OvertimeDecisionView(HrmView):
    permissions = ("hrm.attendance.adjust", "hrm.attendance.confirm_team")

    def post(self, request: HttpRequest, pk: int, decision: str) -> HttpResponse:
        if decision not in ("confirm", "reject"):
            raise Http404
        try:
            attendance.decide_overtime(self.principal, pk, decision == "confirm")
            messages.success(request, _("Overtime updated."))
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        return redirect("hrm-attendance")


class AttendanceAdjustView(HrmView):
    permissions = ("hrm.attendance.adjust",)

    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        record = attendance.visible_records(self.principal).get(pk=pk)
        form = form or forms.AttendanceAdjustForm(initial={"check_in": record.check_in, "check_out": record.check_out})
        return render(request, "hrm/attendance_adjust.html", {"record": record, "form": form}, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = forms.AttendanceAdjustForm(request.POST)
        if form.is_valid():
            try:
                attendance.adjust_attendance(self.principal, pk, **form.cleaned_data)
                messages.success(request, _("Attendance adjusted."))
                return redirect("hrm-attendance")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, pk, form, status=400)


class AttendanceFileView(HrmView):
    """The month's recorded days the caller may see, as Excel or PDF (``?year=&month=``)."""

    permissions = ("hrm.attendance.self",)

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in ("xlsx", "pdf"):
            raise Http404
        year, month = _month_of(request)
        report = reports.attendance_rows(self.principal, year, month)
        return file_response(report, fmt, unavailable=lambda text: HttpResponse(text, status=503))


class TimesheetView(HrmView):
    permissions = ("hrm.attendance.report", "hrm.attendance.enter", "hrm.attendance.confirm_team")

    def get(self, request: HttpRequest, fmt: str = "") -> HttpResponse:
        year, month = _month_of(request)
        report = reports.timesheet(self.principal, year, month)
        if fmt:
            if fmt not in ("xlsx", "pdf"):
                raise Http404
            return file_response(report, fmt, unavailable=lambda text: HttpResponse(text, status=503))
        context = {
            "report": report,
            "year": year,
            "month": month,
            "rows": report.page_rows(),
            "totals": report.page_totals(),
        }
        return render(request, "hrm/timesheet.html", context)


class HolidayListView(HrmView):
    permissions = ("hrm.attendance.configure", "hrm.attendance.self")

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        can_edit = self.principal.has("hrm.attendance.configure")
        context = {
            "holidays": PublicHoliday.objects.filter(tenant=self.principal.tenant),
            "form": (form or forms.HolidayForm()) if can_edit else None,
            "can_edit": can_edit,
        }
        return render(request, "hrm/holidays.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.principal.require("hrm.attendance.configure")
        if request.POST.get("delete"):
            try:
                attendance.delete_holiday(self.principal, int(request.POST["delete"]))
            except (ValueError, ObjectDoesNotExist) as exc:
                raise Http404 from exc
            messages.success(request, _("Holiday removed."))
            return redirect("hrm-holidays")
        form = forms.HolidayForm(request.POST)
        if form.is_valid():
            try:
                attendance.save_holiday(self.principal, **form.cleaned_data)
                messages.success(request, _("Holiday added."))
                return redirect("hrm-holidays")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class WorkScheduleListView(HrmView):
    permissions = ("hrm.attendance.configure",)

    def get(self, request: HttpRequest, form: Any = None, status: int = 200, settings_form: Any = None) -> HttpResponse:
        limit = attendance.year_overtime_limit(self.principal.tenant.pk)
        context = {
            "schedules": WorkSchedule.objects.filter(tenant=self.principal.tenant),
            "form": form or forms.WorkScheduleForm(),
            "settings_form": settings_form or forms.HrmSettingsForm(initial={"overtime_year_limit": limit}),
        }
        return render(request, "hrm/schedules.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("action") == "settings":
            settings_form = forms.HrmSettingsForm(request.POST)
            if settings_form.is_valid():
                try:
                    attendance.save_settings(self.principal, **settings_form.cleaned_data)
                    messages.success(request, _("Settings saved."))
                    return redirect("hrm-schedules")
                except ValidationError as exc:
                    _attach(settings_form, exc)
            return self.get(request, status=400, settings_form=settings_form)
        form = forms.WorkScheduleForm(request.POST)
        if form.is_valid():
            try:
                attendance.save_schedule(self.principal, **form.cleaned_data)
                messages.success(request, _("Work schedule saved."))
                return redirect("hrm-schedules")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)
