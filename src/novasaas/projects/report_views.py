"""Report and Gantt pages of Projects (module gate PM)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from novasaas.projects import reports, selectors
from novasaas.projects.views import ProjectsView


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value) if value else None
    except ValueError:
        return None


class ReportView(ProjectsView):
    permission = "pm.report.view"

    def get(self, request: HttpRequest, name: str = "costs") -> HttpResponse:
        if name not in reports.REPORTS:
            raise Http404
        date_from, date_to = _date(request.GET.get("from", "")), _date(request.GET.get("to", ""))
        report = reports.build(self.principal, name, date_from, date_to)
        fmt = request.GET.get("format", "")
        if fmt in ("xlsx", "pdf"):
            return reports.file_response(
                report,
                fmt,
                unavailable=lambda text: HttpResponse(text, status=503, content_type="text/plain; charset=utf-8"),
            )
        query = "&".join(f"{k}={v.isoformat()}" for k, v in (("from", date_from), ("to", date_to)) if v)
        base = f"?{query}&" if query else "?"
        context: dict[str, Any] = {
            "report": report,
            "name": name,
            "rows": report.page_rows(),
            "totals": report.page_totals(),
            "tabs": [
                ("costs", _("Costs and profitability")),
                ("utilisation", _("Utilisation")),
                ("progress", _("Progress")),
                ("allocation", _("Resource allocation")),
            ],
            "exports": [(base + "format=xlsx", _("Export Excel")), (base + "format=pdf", _("Export PDF"))],
            "date_from": date_from,
            "date_to": date_to,
        }
        return render(request, "projects/report.html", context)


class BurndownView(ProjectsView):
    permission = "pm.report.view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        report = reports.burndown(self.principal, pk)
        fmt = request.GET.get("format", "")
        if fmt in ("xlsx", "pdf"):
            return reports.file_response(
                report,
                fmt,
                unavailable=lambda text: HttpResponse(text, status=503, content_type="text/plain; charset=utf-8"),
            )
        context = {
            "report": report,
            "name": "burndown",
            "rows": report.page_rows(),
            "totals": [],
            "tabs": [],
            "exports": [("?format=xlsx", _("Export Excel")), ("?format=pdf", _("Export PDF"))],
        }
        return render(request, "projects/report.html", context)


class GanttView(ProjectsView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        project = selectors.get_project(self.principal, pk)
        data = selectors.gantt(project)
        can_edit = self.principal.has("pm.task.manage")
        return render(request, "projects/gantt.html", {"project": project, "data": data, "can_edit": can_edit})
