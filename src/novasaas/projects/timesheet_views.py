"""Timesheet pages: log time per task and day, submit a week, approve or reject (module gate PM)."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.projects import forms, selectors, timesheets
from novasaas.projects.actions import _int
from novasaas.projects.views import ProjectsView, attach_errors


def _week(request: HttpRequest) -> dt.date:
    try:
        day = dt.date.fromisoformat(request.GET.get("week", "") or request.POST.get("week", ""))
    except ValueError:
        day = timezone.localdate()
    return timesheets.week_start(day)


class TimesheetView(ProjectsView):
    permission = "pm.task.work"

    def _form(self, data: object = None, week: dt.date | None = None) -> forms.TimeEntryForm:
        uid = self.principal.user.pk if self.principal.user else -1
        tasks = (
            selectors.visible_tasks(self.principal)
            .filter(project__members__user_id=uid)
            .exclude(status="done")
            .select_related("project")
            .order_by("project__code", "position", "id")[:500]
        )
        return forms.TimeEntryForm(
            data,
            initial={"date": week or timezone.localdate()},
            tasks=[(t.pk, f"{t.project.code} · {t.title}") for t in tasks],
        )

    def get(self, request: HttpRequest, form: forms.TimeEntryForm | None = None, status: int = 200) -> HttpResponse:
        week = _week(request)
        sheets = list(selectors.my_timesheets(self.principal, week))
        days = [week + dt.timedelta(days=i) for i in range(7)]
        context = {
            "week": week,
            "prev": week - dt.timedelta(days=7),
            "next": week + dt.timedelta(days=7),
            "days": days,
            "sheets": sheets,
            "form": form or self._form(week=week),
        }
        return render(request, "projects/timesheet.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        p = self.principal
        kind = request.POST.get("kind", "log")
        week = _week(request)
        try:
            if kind == "submit":
                timesheets.submit_timesheet(p, _int(request.POST.get("timesheet_id")))
                messages.success(request, _("Timesheet submitted for approval."))
            elif kind == "delete":
                timesheets.delete_entry(p, _int(request.POST.get("entry_id")))
            else:
                form = self._form(request.POST)
                if not form.is_valid():
                    return self.get(request, form, status=400)
                try:
                    entry = timesheets.log_time(p, **form.cleaned_data)
                    week = entry.timesheet.week_start
                except ValidationError as exc:
                    attach_errors(form, exc)
                    return self.get(request, form, status=400)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(f"{request.path}?week={week.isoformat()}")


class ApprovalsView(ProjectsView):
    permission = "pm.timesheet.approve"

    def get(self, request: HttpRequest) -> HttpResponse:
        sheets = selectors.timesheets_to_approve(self.principal).prefetch_related("entries__task")
        return render(request, "projects/approvals.html", {"sheets": sheets})

    def post(self, request: HttpRequest) -> HttpResponse:
        sheet_id = _int(request.POST.get("timesheet_id"))
        try:
            if request.POST.get("decision") == "approve":
                timesheets.approve_timesheet(self.principal, sheet_id)
                messages.success(request, _("Timesheet approved."))
            else:
                timesheets.reject_timesheet(self.principal, sheet_id, request.POST.get("note", ""))
                messages.success(request, _("Timesheet rejected."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("projects-approvals")
