"""Project reports, each defined once as a table (inventory's ``Report``: the page renders its cells,
Excel and PDF write its values, the API answers it as JSON or the same files).

- costs: budget vs actual and profitability per project (labour = approved hours × cost rate,
  plus approved expenses, plus costs booked in the ledger on the project's dimension; billing per
  billing type, see ``timesheets.project_costs``);
- utilisation: approved hours per person, billable share;
- progress: tasks done, estimate and approved hours per project.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext_lazy

from novasaas.identity.access import Principal
from novasaas.platform.money import quantize
from novasaas.platform.reports import Column, Report, file_response
from novasaas.projects import selectors
from novasaas.projects.models import Task, TimesheetEntry, TimesheetStatus
from novasaas.projects.timesheets import project_costs

ZERO = Decimal(0)
HUNDRED = Decimal(100)
FORMATS = ("json", "xlsx", "pdf")
REPORTS = ("costs", "utilisation", "progress", "allocation")
WEEK_CAPACITY = Decimal(40)  # hours a person works in a week (5 days × 8 h)
__all__ = ["FORMATS", "REPORTS", "allocation", "build", "burndown", "costs", "file_response", "progress", "utilisation"]


def _pct(part: Decimal, whole: Decimal) -> Decimal | None:
    return quantize(part * HUNDRED / whole, 1) if whole else None


def costs(p: Principal) -> Report:
    rows: list[dict[str, Any]] = []
    totals: dict[str, Any] = defaultdict(lambda: ZERO)
    for project in selectors.list_projects(p):
        c = project_costs(project)
        row = {
            "_id": project.pk,
            "code": project.code,
            "name": project.name,
            "billing_type": str(project.get_billing_type_display()),
            "budget": project.budget,
            "labour_cost": c["labour_cost"],
            "expenses": c["expenses"],
            "ledger_costs": c["ledger_costs"],
            "actual_cost": c["actual_cost"],
            "used_pct": _pct(c["actual_cost"], project.budget),
            "billing": c["billing"],
            "profit": c["profit"],
            "_warn": bool(project.budget and c["actual_cost"] * 100 >= project.budget * 80),
        }
        rows.append(row)
        for key in ("budget", "labour_cost", "expenses", "ledger_costs", "actual_cost", "billing", "profit"):
            totals[key] += row[key]
    return Report(
        name="project-costs",
        title=_("Project costs and profitability"),
        columns=[
            Column("code", gettext_lazy("Code")),
            Column("name", gettext_lazy("Project")),
            Column("billing_type", gettext_lazy("Billing type")),
            Column("budget", gettext_lazy("Budget"), "money"),
            Column("labour_cost", gettext_lazy("Labour cost"), "money"),
            Column("expenses", gettext_lazy("Expenses"), "money"),
            Column("ledger_costs", gettext_lazy("Purchases and other costs (ledger)"), "money"),
            Column("actual_cost", gettext_lazy("Actual cost"), "money"),
            Column("used_pct", gettext_lazy("Budget used %"), "percent"),
            Column("billing", pgettext_lazy("project", "Billing"), "money"),
            Column("profit", gettext_lazy("Profit"), "money"),
        ],
        rows=rows,
        totals=dict(totals) if rows else {},
    )


def utilisation(p: Principal, date_from: dt.date | None = None, date_to: dt.date | None = None) -> Report:
    """Approved hours per person over the visible projects; utilisation = billable hours / all hours."""
    qs = TimesheetEntry.objects.filter(
        timesheet__project__in=selectors.visible_projects(p), timesheet__status=TimesheetStatus.APPROVED
    )
    if date_from:
        qs = qs.filter(date__gte=date_from)
    if date_to:
        qs = qs.filter(date__lte=date_to)
    per_user = (
        qs.values("timesheet__user_id", "timesheet__user__email")
        .annotate(total=Sum("hours"), billable=Sum("hours", filter=Q(is_billable=True)))
        .order_by("timesheet__user__email")
    )
    rows = []
    for r in per_user:
        total, billable = r["total"] or ZERO, r["billable"] or ZERO
        rows.append(
            {
                "person": r["timesheet__user__email"],
                "hours": total,
                "billable_hours": billable,
                "utilisation_pct": _pct(billable, total),
            }
        )
    period = ""
    if date_from or date_to:
        period = f"{date_from:%d/%m/%Y} – " if date_from else "… – "
        period += f"{date_to:%d/%m/%Y}" if date_to else "…"
    return Report(
        name="project-utilisation",
        title=_("Utilisation per person"),
        subtitle=period,
        columns=[
            Column("person", gettext_lazy("Person")),
            Column("hours", gettext_lazy("Approved hours"), "qty"),
            Column("billable_hours", gettext_lazy("Billable hours"), "qty"),
            Column("utilisation_pct", gettext_lazy("Utilisation %"), "percent"),
        ],
        rows=rows,
    )


def progress(p: Principal) -> Report:
    projects = list(selectors.list_projects(p))
    ids = [pr.pk for pr in projects]
    task_stats = {
        r["project_id"]: r
        for r in Task.objects.filter(project_id__in=ids)
        .values("project_id")
        .annotate(total=Count("id"), done=Count("id", filter=Q(status="done")), estimate=Sum("estimate_hours"))
    }
    logged = dict(
        TimesheetEntry.objects.filter(timesheet__project_id__in=ids, timesheet__status=TimesheetStatus.APPROVED)
        .values("timesheet__project_id")
        .annotate(h=Sum("hours"))
        .values_list("timesheet__project_id", "h")
    )
    rows = []
    for pr in projects:
        st = task_stats.get(pr.pk, {})
        total, done = Decimal(st.get("total", 0)), Decimal(st.get("done", 0))
        rows.append(
            {
                "_id": pr.pk,
                "code": pr.code,
                "name": pr.name,
                "status": str(pr.get_status_display()),
                "tasks": int(total),
                "done": int(done),
                "done_pct": _pct(done, total),
                "estimate_hours": st.get("estimate") or ZERO,
                "approved_hours": logged.get(pr.pk) or ZERO,
                "end_date": pr.end_date,
            }
        )
    return Report(
        name="project-progress",
        title=_("Project progress"),
        columns=[
            Column("code", gettext_lazy("Code")),
            Column("name", gettext_lazy("Project")),
            Column("status", gettext_lazy("Status")),
            Column("tasks", gettext_lazy("Tasks"), "qty"),
            Column("done", gettext_lazy("Done"), "qty"),
            Column("done_pct", gettext_lazy("Done %"), "percent"),
            Column("estimate_hours", gettext_lazy("Estimate (hours)"), "qty"),
            Column("approved_hours", gettext_lazy("Approved hours"), "qty"),
            Column("end_date", gettext_lazy("End date"), "date"),
        ],
        rows=rows,
    )


def _workdays(start: dt.date, end: dt.date) -> list[dt.date]:
    days = [start + dt.timedelta(days=i) for i in range((end - start).days + 1)]
    return [d for d in days if d.weekday() < 5] or [start]


def allocation(p: Principal, date_from: dt.date | None = None, date_to: dt.date | None = None) -> Report:
    """Planned load per person per week: each open task's estimate spread evenly over its working days
    (start date to due date), summed per assignee and week (Monday); above 40 h a week is over-allocated
    (highlighted). Default range: this week and the seven after."""
    from django.utils import timezone

    first = date_from or timezone.localdate()
    first -= dt.timedelta(days=first.weekday())
    last = date_to or first + dt.timedelta(days=7 * 8 - 1)
    load: dict[tuple[str, dt.date], Decimal] = defaultdict(lambda: ZERO)
    tasks = (
        selectors.visible_tasks(p)
        .exclude(status="done")
        .filter(assignee__isnull=False, start_date__isnull=False, due_date__isnull=False, estimate_hours__gt=0)
        .filter(start_date__lte=last, due_date__gte=first)
        .values_list("assignee__email", "start_date", "due_date", "estimate_hours")
    )
    for email, start, due, estimate in tasks:
        assert start is not None and due is not None  # filtered above
        days = _workdays(start, due)
        share = Decimal(estimate) / len(days)
        for day in days:
            if first <= day <= last:
                load[(email, day - dt.timedelta(days=day.weekday()))] += share
    rows = []
    for (email, week), hours_ in sorted(load.items()):
        planned = quantize(hours_, 2)
        rows.append(
            {
                "person": email,
                "week": week,
                "planned_hours": planned,
                "capacity": WEEK_CAPACITY,
                "load_pct": _pct(planned, WEEK_CAPACITY),
                "_warn": planned > WEEK_CAPACITY,
            }
        )
    return Report(
        name="project-allocation",
        title=_("Resource allocation per week"),
        subtitle=f"{first:%d/%m/%Y} – {last:%d/%m/%Y}",
        columns=[
            Column("person", gettext_lazy("Person")),
            Column("week", gettext_lazy("Week of"), "date"),
            Column("planned_hours", gettext_lazy("Planned hours"), "qty"),
            Column("capacity", gettext_lazy("Capacity (hours)"), "qty"),
            Column("load_pct", gettext_lazy("Load %"), "percent"),
        ],
        rows=rows,
    )


def burndown(p: Principal, project_id: int, today: dt.date | None = None) -> Report:
    """Remaining estimated hours per day of a project (tasks not done by the end of that day, subtasks
    included), against the ideal line from the total at the start to zero at the end date. From the
    project's start (else its first task's creation) to its end date or today, at most 366 days."""
    from django.utils import timezone

    project = selectors.get_project(p, project_id)
    today = today or timezone.localdate()
    tasks = list(Task.objects.filter(project=project).values_list("created_at", "completed_on", "estimate_hours"))
    first_created = min((timezone.localtime(c).date() for c, _d, _e in tasks), default=today)
    start = project.start_date or first_created
    end = project.end_date or today
    last = min(max(end, start), start + dt.timedelta(days=365))
    total = sum((Decimal(e) for _c, _d, e in tasks), ZERO)
    span = (end - start).days or 1
    rows = []
    day = start
    while day <= last:
        remaining = sum((Decimal(e) for _c, done, e in tasks if done is None or done > day), ZERO)
        ideal = max(ZERO, quantize(total - total * Decimal((day - start).days) / Decimal(span), 2))
        rows.append({"date": day, "remaining": remaining if day <= today else None, "ideal": ideal})
        day += dt.timedelta(days=1)
    return Report(
        name=f"burndown-{project.code}",
        title=_("Burn-down"),
        subtitle=f"{project.code} {project.name}",
        columns=[
            Column("date", gettext_lazy("Date"), "date"),
            Column("remaining", gettext_lazy("Remaining hours"), "qty"),
            Column("ideal", gettext_lazy("Ideal remaining hours"), "qty"),
        ],
        rows=rows,
    )


def build(p: Principal, name: str, date_from: dt.date | None = None, date_to: dt.date | None = None) -> Report:
    if name == "allocation":
        return allocation(p, date_from, date_to)
    if name == "costs":
        return costs(p)
    if name == "utilisation":
        return utilisation(p, date_from, date_to)
    return progress(p)
