"""Timesheets, project expenses and the budget watch (spec §9.2, §11.4 project costing).

A timesheet is one person's week (Monday) on one project: they log hours per task and day while it is
a draft (or after a rejection), submit the week, and the project's manager approves or rejects it.
Approved weeks are frozen: no entry can be added, changed or removed. Approval copies the member's
hourly cost and bill rates onto the entries, so later rate changes keep past costs.

Labour cost = Σ approved hours × cost rate; actual cost = labour cost + approved project expenses.
After each approval (time or expense) the project's actual cost is compared with its budget: the
manager and the holders of ``pm.report.view`` are notified once when it crosses 80 % and once at 100 %
(``Project.budget_alert_level``, written under the project's row lock).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.money import quantize
from novasaas.projects import events, selectors
from novasaas.projects.actions import _date, _int, _text, money
from novasaas.projects.actions import hours as parse_hours
from novasaas.projects.models import (
    ExpenseStatus,
    Project,
    ProjectExpense,
    ProjectMember,
    Timesheet,
    TimesheetEntry,
    TimesheetStatus,
)

ZERO = Decimal(0)
DAY_LIMIT = Decimal(24)
EDITABLE = (TimesheetStatus.DRAFT, TimesheetStatus.REJECTED)


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def _uid(p: Principal) -> int:
    if p.user is None:
        raise PermissionDenied(_("Only a signed-in member can log time."))
    return int(p.user.pk)


@transaction.atomic
def log_time(
    p: Principal, *, task_id: Any, date: Any, hours: Any, note: Any = "", is_billable: bool = True
) -> TimesheetEntry:
    """Log the principal's hours on a task of a project they are a member of, on ``date``. The week's
    timesheet is created as a draft; a submitted or approved week is refused. A day holds at most 24 h
    across the principal's entries of that project."""
    p.require("pm.task.work")
    uid = _uid(p)
    value = parse_hours(hours, "hours", allow_zero=False)
    day = _date(date, "date")
    if day is None:
        raise ValidationError({"date": [_("This field is required.")]})
    task = selectors.visible_tasks(p).select_related("project").filter(pk=_int(task_id)).first()
    if task is None:
        raise ValidationError({"task_id": [_("Choose a task of a project you work on.")]})
    if not ProjectMember.objects.filter(project=task.project, user_id=uid).exists():
        raise ValidationError({"task_id": [_("Only members of the project log time on it.")]})
    text = _text(note, "note", 300, required=False)
    sheet, _created = Timesheet.objects.select_for_update().get_or_create(
        project=task.project, user_id=uid, week_start=week_start(day)
    )
    if sheet.status not in EDITABLE:
        raise ValidationError(
            _("This week's timesheet is %(s)s; it cannot change.") % {"s": sheet.get_status_display()}
        )
    day_total = TimesheetEntry.objects.filter(timesheet=sheet, date=day).aggregate(s=Sum("hours"))["s"] or ZERO
    if day_total + value > DAY_LIMIT:
        raise ValidationError({"hours": [_("A day holds at most 24 hours.")]})
    entry = TimesheetEntry.objects.create(  # type: ignore[misc]  # FixedPointField holds Decimal
        timesheet=sheet, task=task, date=day, hours=value, note=text, is_billable=bool(is_billable)
    )
    audit.record_created(entry, p.user)
    return entry


def _own_entry(p: Principal, entry_id: int) -> TimesheetEntry:
    p.require("pm.task.work")
    uid = _uid(p)
    entry = TimesheetEntry.objects.select_related("timesheet").get(
        pk=entry_id, timesheet__user_id=uid, timesheet__project__in=selectors.visible_projects(p)
    )
    sheet = Timesheet.objects.select_for_update().get(pk=entry.timesheet_id)
    if sheet.status not in EDITABLE:
        raise ValidationError(
            _("This week's timesheet is %(s)s; it cannot change.") % {"s": sheet.get_status_display()}
        )
    return entry


@transaction.atomic
def update_entry(p: Principal, entry_id: int, *, hours: Any = None, note: Any = None) -> TimesheetEntry:
    entry = _own_entry(p, entry_id)
    before = audit.snapshot(entry)
    if hours is not None:
        value = parse_hours(hours, "hours", allow_zero=False)
        others = (
            TimesheetEntry.objects.filter(timesheet=entry.timesheet, date=entry.date)
            .exclude(pk=entry.pk)
            .aggregate(s=Sum("hours"))["s"]
            or ZERO
        )
        if others + value > DAY_LIMIT:
            raise ValidationError({"hours": [_("A day holds at most 24 hours.")]})
        entry.hours = value
    if note is not None:
        entry.note = _text(note, "note", 300, required=False)
    entry.save()
    audit.record_updated(entry, p.user, before)
    return entry


@transaction.atomic
def delete_entry(p: Principal, entry_id: int) -> None:
    entry = _own_entry(p, entry_id)
    audit.record_deleted(entry, p.user)
    entry.delete()


@transaction.atomic
def submit_timesheet(p: Principal, timesheet_id: int) -> Timesheet:
    """The owner submits a draft or rejected week that holds hours."""
    p.require("pm.task.work")
    uid = _uid(p)
    sheet = Timesheet.objects.select_for_update().get(
        pk=timesheet_id, user_id=uid, project__in=selectors.visible_projects(p)
    )
    if sheet.status not in EDITABLE:
        raise ValidationError(_("Only a draft or rejected timesheet can be submitted."))
    if not sheet.entries.exists():
        raise ValidationError(_("Log some hours before submitting the week."))
    before = audit.snapshot(sheet)
    sheet.status = TimesheetStatus.SUBMITTED
    sheet.submitted_at = timezone.now()
    sheet.save()
    audit.record_updated(sheet, p.user, before)
    if sheet.project.manager_id and sheet.project.manager_id != uid:
        from django.urls import reverse

        from novasaas.platform.notifications import notify

        notify(
            p.tenant,
            [sheet.project.manager_id],
            "approvals",
            _("Timesheet to approve: %(who)s, week of %(w)s, %(p)s")
            % {"who": p.user.email if p.user else "", "w": f"{sheet.week_start:%d/%m/%Y}", "p": sheet.project.code},
            url=reverse("projects-approvals"),
        )
    return sheet


def _decide(p: Principal, timesheet_id: int) -> Timesheet:
    p.require("pm.timesheet.approve")
    sheet = selectors.get_timesheet(p, timesheet_id)
    uid = p.user.pk if p.user else None
    if sheet.project.manager_id != uid and not p.is_tenant_admin:
        raise PermissionDenied(_("Only the project's manager decides on its timesheets."))
    if sheet.user_id == uid and not p.is_tenant_admin:
        raise PermissionDenied(_("Nobody approves their own timesheet."))
    Project.objects.select_for_update().get(pk=sheet.project_id)
    sheet = Timesheet.objects.select_for_update().select_related("project").get(pk=sheet.pk)
    if sheet.status != TimesheetStatus.SUBMITTED:
        raise ValidationError(_("Only a submitted timesheet can be approved or rejected."))
    return sheet


@transaction.atomic
def approve_timesheet(p: Principal, timesheet_id: int) -> Timesheet:
    """Approve a submitted week: its entries take the member's current rates, the week is frozen, the
    budget watch runs and ``TimesheetApproved`` is published (HRM fills the person's attendance)."""
    sheet = _decide(p, timesheet_id)
    before = audit.snapshot(sheet)
    member = ProjectMember.objects.filter(project=sheet.project, user_id=sheet.user_id).first()
    cost = member.cost_rate if member else ZERO
    bill = member.bill_rate if member else ZERO
    sheet.entries.update(cost_rate=cost, bill_rate=bill)
    sheet.status = TimesheetStatus.APPROVED
    sheet.decided_by = p.user
    sheet.decided_at = timezone.now()
    sheet.save()
    audit.record_updated(sheet, p.user, before)
    total = sheet.entries.aggregate(s=Sum("hours"))["s"] or ZERO
    publish(
        events.TimesheetApproved(
            tenant_id=p.tenant.pk,
            timesheet_id=sheet.pk,
            project_id=sheet.project_id,
            user_id=sheet.user_id,
            week_start=sheet.week_start.isoformat(),
            hours=str(total),
            code=sheet.project.code,
            days=",".join(
                f"{row['date'].isoformat()}={row['s']}"
                for row in sheet.entries.values("date").annotate(s=Sum("hours")).order_by("date")
            ),
        )
    )
    check_budget(sheet.project)
    return sheet


@transaction.atomic
def reject_timesheet(p: Principal, timesheet_id: int, note: Any = "") -> Timesheet:
    sheet = _decide(p, timesheet_id)
    before = audit.snapshot(sheet)
    sheet.status = TimesheetStatus.REJECTED
    sheet.note = _text(note, "note", 300, required=False)
    sheet.decided_by = p.user
    sheet.decided_at = timezone.now()
    sheet.save()
    audit.record_updated(sheet, p.user, before)
    return sheet


# --- expenses --------------------------------------------------------------------------------------


@transaction.atomic
def add_expense(
    p: Principal, project_id: int, *, date: Any, description: Any, amount: Any, is_billable: Any = True
) -> ProjectExpense:
    """A member records a project expense (draft until the project manager approves or rejects it;
    ``is_billable``: re-billed to the customer of a time-and-materials project)."""
    p.require("pm.task.work")
    project = selectors.visible_projects(p).get(pk=project_id)
    if not selectors.is_member(project, p.user.pk if p.user else None) and not selectors.sees_all(p):
        raise PermissionDenied(_("You are not a member of this project."))
    day = _date(date, "date")
    if day is None:
        raise ValidationError({"date": [_("This field is required.")]})
    value = money(amount, "amount")
    if value <= 0:
        raise ValidationError({"amount": [_("Enter an amount greater than zero.")]})
    expense = ProjectExpense.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
        project=project,
        date=day,
        description=_text(description, "description", 300),
        amount=value,
        created_by=p.user,
        is_billable=bool(is_billable),
    )
    audit.record_created(expense, p.user)
    return expense


def _own_draft_expense(p: Principal, expense_id: int) -> ProjectExpense:
    """A draft expense the principal may change: the member who recorded it, or whoever approves the
    project's expenses (its manager, ``pm.timesheet.approve``). Approved and rejected ones are final."""
    p.require("pm.task.work")
    expense = selectors.get_expense(p, expense_id)
    expense = ProjectExpense.objects.select_for_update().select_related("project").get(pk=expense.pk)
    mine = expense.created_by_id is not None and expense.created_by_id == _uid(p)
    approver = p.has("pm.timesheet.approve") and (selectors.sees_all(p) or expense.project.manager_id == _uid(p))
    if not (mine or approver):
        raise PermissionDenied(_("Only the member who recorded this expense or the project's manager may change it."))
    if expense.status != ExpenseStatus.DRAFT:
        raise ValidationError(
            _("This expense is %(status)s already.") % {"status": expense.get_status_display().lower()}
        )
    return expense


@transaction.atomic
def update_expense(p: Principal, expense_id: int, **data: Any) -> ProjectExpense:
    """Correct a draft expense (date, description, amount, billable); only the fields given change."""
    expense = _own_draft_expense(p, expense_id)
    before = audit.snapshot(expense)
    if data.get("date") is not None:
        day = _date(data["date"], "date")
        if day is None:
            raise ValidationError({"date": [_("This field is required.")]})
        expense.date = day
    if data.get("description") is not None:
        expense.description = _text(data["description"], "description", 300)
    if data.get("amount") is not None:
        value = money(data["amount"], "amount")
        if value <= 0:
            raise ValidationError({"amount": [_("Enter an amount greater than zero.")]})
        expense.amount = value  # type: ignore[assignment]  # MoneyField holds Decimal
    if data.get("is_billable") is not None:
        expense.is_billable = bool(data["is_billable"])
    expense.save()
    audit.record_updated(expense, p.user, before)
    return expense


@transaction.atomic
def delete_expense(p: Principal, expense_id: int) -> None:
    """Delete a draft expense (its receipts, if any, stay in the documents' trash rules of DMS)."""
    expense = _own_draft_expense(p, expense_id)
    audit.record_deleted(expense, p.user)
    expense.delete()


def _lock_draft_expense(p: Principal, expense_id: int) -> ProjectExpense:
    p.require("pm.timesheet.approve")
    expense = ProjectExpense.objects.select_related("project").get(
        pk=expense_id, project__in=selectors.visible_projects(p)
    )
    Project.objects.select_for_update().get(pk=expense.project_id)
    expense = ProjectExpense.objects.select_for_update().select_related("project").get(pk=expense.pk)
    if expense.status != ExpenseStatus.DRAFT:
        raise ValidationError(
            _("This expense is %(status)s already.") % {"status": expense.get_status_display().lower()}
        )
    return expense


@transaction.atomic
def approve_expense(p: Principal, expense_id: int) -> ProjectExpense:
    """Approve a draft expense (``pm.timesheet.approve``): it counts in the project's cost and, with ACC,
    is posted to the ledger in the same transaction (``ProjectExpenseApproved``; a refused posting, e.g.
    a closed period, refuses the approval)."""
    expense = _lock_draft_expense(p, expense_id)
    before = audit.snapshot(expense)
    expense.status = ExpenseStatus.APPROVED
    expense.approved_by = p.user
    expense.save()
    audit.record_updated(expense, p.user, before)
    project = expense.project
    publish(
        events.ProjectExpenseApproved(
            tenant_id=p.tenant.pk,
            expense_id=expense.pk,
            project_id=project.pk,
            code=project.code,
            name=project.name,
            date=expense.date.isoformat(),
            amount=str(expense.amount),
            description=expense.description,
            user_id=p.user.pk if p.user else None,
        )
    )
    check_budget(project)
    return expense


@transaction.atomic
def reject_expense(p: Principal, expense_id: int, *, reason: Any) -> ProjectExpense:
    """Reject a draft expense with a reason (``pm.timesheet.approve``): it never counts in the cost, is
    not posted, and the member who recorded it is notified."""
    text = _text(reason, "reason", 300, required=False)
    if not text:
        raise ValidationError({"reason": [_("Say why the expense is rejected.")]})
    expense = _lock_draft_expense(p, expense_id)
    before = audit.snapshot(expense)
    expense.status = ExpenseStatus.REJECTED
    expense.rejection_reason = text
    expense.approved_by = p.user
    expense.save()
    audit.record_updated(expense, p.user, before)
    if expense.created_by_id and expense.created_by_id != (p.user.pk if p.user else None):
        from django.urls import reverse

        from novasaas.platform.notifications import notify

        notify(
            p.tenant,
            [expense.created_by_id],
            "projects",
            _("Expense rejected: %(d)s") % {"d": expense.description[:80]},
            text,
            reverse("projects-project", args=[expense.project_id]),
        )
    return expense


# --- costing ---------------------------------------------------------------------------------------


def ledger_costs(project: Project) -> Decimal:
    """With ACC: costs booked in the ledger on the project's dimension ``project:<code>`` (purchase bills,
    journal entries: posted lines of expense accounts), its own approved expenses (source ``pm.expense``,
    counted from Projects) left out. 0 without ACC."""
    if not project.tenant.has_module("ACC"):
        return ZERO
    from novasaas.accounting.selectors import dimension_costs
    from novasaas.projects.subscribers import EXPENSE_SOURCE

    return dimension_costs(project.tenant, "project", project.code, exclude_sources=[EXPENSE_SOURCE])


def project_costs(project: Project) -> dict[str, Decimal]:
    """Approved hours, labour cost, approved expenses, ledger costs on the project's dimension (with ACC),
    actual cost (their sum) and billing of one project."""
    approved = TimesheetEntry.objects.filter(timesheet__project=project, timesheet__status=TimesheetStatus.APPROVED)
    agg = approved.aggregate(h=Sum("hours"))
    hours_total = agg["h"] or ZERO
    labour = ZERO
    billable_value = ZERO
    for h, cost, bill, billable in approved.values_list("hours", "cost_rate", "bill_rate", "is_billable"):
        labour += h * cost
        if billable:
            billable_value += h * bill
    labour = quantize(labour, 0)
    expenses = (
        ProjectExpense.objects.filter(project=project, status=ExpenseStatus.APPROVED).aggregate(s=Sum("amount"))["s"]
        or ZERO
    )
    if project.billing_type == "fixed_price":
        billing = project.contract_amount
    elif project.billing_type == "time_materials":
        billing = quantize(billable_value, 0)
    else:
        billing = ZERO
    ledger = ledger_costs(project)
    actual = labour + expenses + ledger
    return {
        "hours": hours_total,
        "labour_cost": labour,
        "expenses": expenses,
        "ledger_costs": ledger,
        "actual_cost": actual,
        "billing": billing,
        "profit": billing - actual,
    }


def check_budget(project: Project) -> int:
    """Notify once per threshold (80 %, 100 %) the project's actual cost crosses. The caller holds the
    project's row lock; returns the level now reached."""
    if project.budget <= 0:
        return project.budget_alert_level
    actual = project_costs(project)["actual_cost"]
    level = 100 if actual >= project.budget else 80 if actual * 100 >= project.budget * 80 else 0
    current = Project.objects.filter(pk=project.pk).values_list("budget_alert_level", flat=True).get()
    if level <= current:
        return current
    Project.objects.filter(pk=project.pk).update(budget_alert_level=level)
    from django.urls import reverse

    from novasaas.identity.grants import role_ids_holding
    from novasaas.identity.models import Membership
    from novasaas.platform.notifications import notify

    roles = role_ids_holding("pm.report.view")
    users = set(
        Membership.objects.filter(is_active=True, role_links__role_id__in=roles).values_list("user_id", flat=True)
    )
    if project.manager_id:
        users.add(project.manager_id)
    notify(
        project.tenant,
        sorted(users),
        "projects",
        _("Project %(code)s has used %(pct)s%% of its budget") % {"code": project.code, "pct": level},
        _("Actual cost %(a)s of budget %(b)s.") % {"a": f"{actual:,.0f}", "b": f"{project.budget:,.0f}"},
        reverse("projects-project", args=[project.pk]),
    )
    return level
