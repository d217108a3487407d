"""Timesheets (log, submit, approve/reject, frozen after approval), expenses, costing and the budget
watch (notified once at 80 % and once at 100 %). Expected figures are computed by hand."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.platform.models import Notification
from novasaas.platform.testing.fixtures import recorded_events
from novasaas.projects import actions, timesheets
from novasaas.projects.events import TimesheetApproved
from novasaas.projects.models import Task, Timesheet, TimesheetEntry
from novasaas.projects.tests.helpers import principal, world

pytestmark = pytest.mark.django_db


def _week(w, monday, hours_per_day=("8", "8"), task=None):
    entries = [
        timesheets.log_time(w.dev, task_id=(task or w.task).pk, date=monday + dt.timedelta(days=i), hours=h)
        for i, h in enumerate(hours_per_day)
    ]
    return entries[0].timesheet


def test_log_submit_approve_and_frozen(in_tenant_a, monday):
    w = world(in_tenant_a)
    sheet = _week(w, monday)
    assert sheet.week_start == monday and sheet.status == "draft"
    entry = sheet.entries.first()
    timesheets.update_entry(w.dev, entry.pk, hours="7.5")
    with pytest.raises(ValidationError):  # a day holds 24 h at most
        timesheets.log_time(w.dev, task_id=w.task.pk, date=monday, hours="17")
    with pytest.raises(ValidationError):
        timesheets.log_time(w.dev, task_id=w.task.pk, date=monday, hours="0")
    with pytest.raises(ValidationError):  # not a member
        timesheets.log_time(w.outsider, task_id=w.task.pk, date=monday, hours="1")
    timesheets.submit_timesheet(w.dev, sheet.pk)
    assert Notification.objects.filter(recipient=w.pm.user, kind="approvals").count() == 1
    with pytest.raises(ValidationError):  # submitted: no more changes
        timesheets.log_time(w.dev, task_id=w.task.pk, date=monday + dt.timedelta(days=2), hours="1")
    with pytest.raises(PermissionDenied):  # members do not approve
        timesheets.approve_timesheet(w.dev, sheet.pk)
    other_pm = principal(in_tenant_a, "project_manager")
    with pytest.raises(PermissionDenied):  # only this project's manager
        timesheets.approve_timesheet(other_pm, sheet.pk)
    with recorded_events(TimesheetApproved) as seen:
        timesheets.approve_timesheet(w.pm, sheet.pk)
    assert [(e.user_id, e.hours, e.week_start) for e in seen] == [(w.dev.user.pk, "15.50", monday.isoformat())]
    assert set(TimesheetEntry.objects.values_list("cost_rate", "bill_rate")) == {(100000, 250000)}
    for change in (
        lambda: timesheets.update_entry(w.dev, entry.pk, hours="1"),
        lambda: timesheets.delete_entry(w.dev, entry.pk),
        lambda: timesheets.log_time(w.dev, task_id=w.task.pk, date=monday + dt.timedelta(days=3), hours="1"),
        lambda: timesheets.submit_timesheet(w.dev, sheet.pk),
        lambda: timesheets.approve_timesheet(w.pm, sheet.pk),
    ):
        with pytest.raises(ValidationError):
            change()
    assert TimesheetEntry.objects.get(pk=entry.pk).hours == Decimal("7.5")


def test_reject_reopens_the_week(in_tenant_a, monday):
    w = world(in_tenant_a)
    sheet = _week(w, monday, ("4",))
    with pytest.raises(ValidationError):  # not submitted yet
        timesheets.reject_timesheet(w.pm, sheet.pk)
    timesheets.submit_timesheet(w.dev, sheet.pk)
    timesheets.reject_timesheet(w.pm, sheet.pk, "wrong task")
    timesheets.log_time(w.dev, task_id=w.task.pk, date=monday + dt.timedelta(days=1), hours="2")
    timesheets.submit_timesheet(w.dev, sheet.pk)
    assert Timesheet.objects.get(pk=sheet.pk).status == "submitted"


def test_costing_and_budget_notified_once_per_threshold(in_tenant_a, monday):
    w = world(in_tenant_a, budget="2000000")  # 20 h at 100,000 đ
    sheet = _week(w, monday, ("8", "8"))  # 16 h = 1,600,000 đ = 80 %
    timesheets.submit_timesheet(w.dev, sheet.pk)
    timesheets.approve_timesheet(w.pm, sheet.pk)
    alerts = Notification.objects.filter(kind="projects", recipient=w.pm.user)
    assert alerts.count() == 1 and "80%" in alerts[0].title
    costs = timesheets.project_costs(w.project)
    assert costs == {
        "hours": Decimal(16),
        "labour_cost": Decimal(1600000),
        "expenses": Decimal(0),
        "ledger_costs": Decimal(0),
        "actual_cost": Decimal(1600000),
        "billing": Decimal(4000000),  # 16 h × 250,000 đ
        "profit": Decimal(2400000),
    }
    expense = timesheets.add_expense(w.dev, w.project.pk, date=monday, description="Hosting", amount="100000")
    timesheets.approve_expense(w.pm, expense.pk)  # 1,700,000 đ: still in the 80 % band
    assert alerts.count() == 1
    expense = timesheets.add_expense(w.pm, w.project.pk, date=monday, description="Licence", amount="300000")
    timesheets.approve_expense(w.pm, expense.pk)  # 2,000,000 đ = 100 %
    assert alerts.count() == 2 and "100%" in alerts.order_by("-pk")[0].title
    with pytest.raises(ValidationError):
        timesheets.approve_expense(w.pm, expense.pk)
    expense = timesheets.add_expense(w.pm, w.project.pk, date=monday, description="More", amount="1")
    timesheets.approve_expense(w.pm, expense.pk)
    assert alerts.count() == 2  # each threshold once
    w.project.refresh_from_db()
    assert w.project.budget_alert_level == 100


def test_rates_are_kept_after_approval(in_tenant_a, monday):
    w = world(in_tenant_a, budget="0")
    sheet = _week(w, monday, ("2",))
    timesheets.submit_timesheet(w.dev, sheet.pk)
    timesheets.approve_timesheet(w.pm, sheet.pk)
    actions.save_member(w.pm, w.project.pk, user_id=w.dev.user.pk, cost_rate="999000", bill_rate="0")
    assert timesheets.project_costs(w.project)["labour_cost"] == Decimal(200000)


def test_fixed_price_and_non_billable_billing(in_tenant_a):
    w = world(in_tenant_a)
    actions.save_project(w.pm, w.project.pk, billing_type="fixed_price", contract_amount="50000000")
    w.project.refresh_from_db()
    assert timesheets.project_costs(w.project)["billing"] == Decimal(50000000)
    actions.save_project(w.pm, w.project.pk, billing_type="non_billable")
    w.project.refresh_from_db()
    assert timesheets.project_costs(w.project)["billing"] == Decimal(0)


def test_allocation_spreads_estimates_over_working_days_and_flags_overload(in_tenant_a, monday):
    from novasaas.projects import reports

    w = world(in_tenant_a)
    # Monday to Sunday: 5 working days; 50 h → 10 h a day, the whole week in one row
    actions.save_task(
        w.pm, task_id=w.task.pk, start_date=monday, due_date=monday + dt.timedelta(days=6), estimate_hours="50"
    )
    # Friday to next Tuesday: 3 working days, 12 h → 4 h on Friday this week, 8 h next week
    actions.save_task(
        w.pm,
        w.project.pk,
        title="Deploy",
        assignee_id=w.dev.user.pk,
        estimate_hours="12",
        start_date=monday + dt.timedelta(days=4),
        due_date=monday + dt.timedelta(days=8),
    )
    report = reports.allocation(w.pm, monday, monday + dt.timedelta(days=13))
    rows = [(r["person"], r["week"], r["planned_hours"], r["_warn"]) for r in report.rows]
    assert rows == [
        (w.dev.user.email, monday, Decimal(54), True),
        (w.dev.user.email, monday + dt.timedelta(days=7), Decimal(8), False),
    ]


def test_burndown_counts_remaining_estimates_per_day(in_tenant_a, monday):
    from novasaas.projects import reports

    w = world(in_tenant_a)  # "Design", 8 h
    actions.save_project(w.pm, w.project.pk, start_date=monday, end_date=monday + dt.timedelta(days=4))
    other = actions.save_task(w.pm, w.project.pk, title="Build", estimate_hours="12")
    Task.objects.filter(pk=w.task.pk).update(status="done", completed_on=monday + dt.timedelta(days=1))
    report = reports.burndown(w.pm, w.project.pk, today=monday + dt.timedelta(days=2))
    rows = [((r["date"] - monday).days, r["remaining"], r["ideal"]) for r in report.rows]
    assert rows == [
        (0, Decimal(20), Decimal(20)),
        (1, Decimal(12), Decimal(15)),  # Design done on Tuesday
        (2, Decimal(12), Decimal(10)),
        (3, None, Decimal(5)),  # the future has no actual line
        (4, None, Decimal(0)),
    ]
    actions.move_task(w.pm, other.pk, status="done")
    assert Task.objects.get(pk=other.pk).completed_on is not None
    actions.move_task(w.pm, other.pk, status="todo")
    assert Task.objects.get(pk=other.pk).completed_on is None
