"""Projects (spec §9, module PM): projects, phases, milestones, members, tasks with dependencies and
comments, timesheets and project expenses.

The customer is a ``parties.Party`` (the shared directory; with CRM on, the picker offers Sales'
customers' parties). Members are internal users of the tenant, each with a project role and hourly
cost and bill rates (VND, whole đồng). Hours are exact decimals (two places).
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.platform.models import TenantModel
from novasaas.platform.money import FixedPointField, MoneyField

ZERO = Decimal(0)


class BillingType(models.TextChoices):
    FIXED_PRICE = "fixed_price", _("Fixed price")
    TIME_AND_MATERIALS = "time_materials", _("Time and materials")
    NON_BILLABLE = "non_billable", _("Non-billable")


class ProjectStatus(models.TextChoices):
    PLANNED = "planned", pgettext_lazy("project", "Planned")
    ACTIVE = "active", pgettext_lazy("project", "Active")
    ON_HOLD = "on_hold", pgettext_lazy("project", "On hold")
    COMPLETED = "completed", pgettext_lazy("project", "Completed")
    CANCELLED = "cancelled", pgettext_lazy("project", "Cancelled")


class Project(TenantModel):
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=200)
    customer = models.ForeignKey(
        "parties.Party",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("customer"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("project manager"),
    )
    budget = MoneyField(_("budget"))
    contract_amount = MoneyField(_("contract amount"))  # the fixed price billed (fixed-price projects)
    billing_type = models.CharField(
        _("billing type"), max_length=20, choices=BillingType.choices, default=BillingType.TIME_AND_MATERIALS
    )
    status = models.CharField(_("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.PLANNED)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    description = models.TextField(_("description"), blank=True)
    # the highest budget threshold already notified (0, 80, 100): each crossing notifies once
    budget_alert_level = models.PositiveSmallIntegerField(default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="pm_project_code_unique"),
            models.CheckConstraint(condition=Q(budget__gte=0), name="pm_project_budget_ge_0"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(end_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="pm_project_dates_ordered",
            ),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Phase(TenantModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("name"), max_length=200)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Milestone(TenantModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    name = models.CharField(_("name"), max_length=200)
    due_date = models.DateField(_("due date"))
    is_reached = models.BooleanField(_("reached"), default=False)

    class Meta:
        ordering = ["due_date", "id"]

    def __str__(self) -> str:
        return self.name


class ProjectRole(models.TextChoices):
    MANAGER = "manager", _("Project manager")
    LEAD = "lead", _("Team lead")
    MEMBER = "member", _("Team member")
    OBSERVER = "observer", _("Observer")


class ProjectMember(TenantModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("project role"), max_length=12, choices=ProjectRole.choices, default=ProjectRole.MEMBER)
    cost_rate = MoneyField(_("hourly cost rate"))
    bill_rate = MoneyField(_("hourly bill rate"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "project", "user"], name="pm_member_unique"),
            models.CheckConstraint(condition=Q(cost_rate__gte=0) & Q(bill_rate__gte=0), name="pm_member_rates_ge_0"),
        ]
        ordering = ["id"]


class TaskStatus(models.TextChoices):
    TODO = "todo", pgettext_lazy("task", "To do")
    IN_PROGRESS = "in_progress", pgettext_lazy("task", "In progress")
    REVIEW = "review", pgettext_lazy("task", "In review")
    DONE = "done", pgettext_lazy("task", "Done")


class Priority(models.TextChoices):
    LOW = "low", pgettext_lazy("priority", "Low")
    NORMAL = "normal", pgettext_lazy("priority", "Normal")
    HIGH = "high", pgettext_lazy("priority", "High")
    URGENT = "urgent", pgettext_lazy("priority", "Urgent")


class Task(TenantModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tasks")
    parent = models.ForeignKey(
        "self", on_delete=models.CASCADE, null=True, blank=True, related_name="subtasks", verbose_name=_("parent task")
    )
    phase = models.ForeignKey(
        Phase, on_delete=models.SET_NULL, null=True, blank=True, related_name="tasks", verbose_name=_("phase")
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("assignee"),
    )
    estimate_hours = FixedPointField(_("estimate (hours)"), scale=2, default=ZERO)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    priority = models.CharField(_("priority"), max_length=8, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(_("status"), max_length=12, choices=TaskStatus.choices, default=TaskStatus.TODO)
    position = models.PositiveIntegerField(default=0)  # order inside its board column
    created_at = models.DateTimeField(auto_now_add=True)
    completed_on = models.DateField(null=True, blank=True, editable=False)  # set entering "done" (burn-down)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(estimate_hours__gte=0), name="pm_task_estimate_ge_0"),
            models.CheckConstraint(
                condition=Q(start_date__isnull=True)
                | Q(due_date__isnull=True)
                | Q(due_date__gte=models.F("start_date")),
                name="pm_task_dates_ordered",
            ),
        ]
        indexes = [models.Index(fields=["tenant", "project", "status"], name="pm_task_board_idx")]
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class TaskDependency(TenantModel):
    """Finish-to-start: ``successor`` starts when ``predecessor`` is finished. The graph stays acyclic."""

    predecessor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="successor_links")
    successor = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="predecessor_links")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "predecessor", "successor"], name="pm_dependency_unique"),
            models.CheckConstraint(condition=~Q(predecessor=models.F("successor")), name="pm_dependency_not_self"),
        ]


class TaskComment(TenantModel):
    task = models.ForeignKey(Task, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    body = models.TextField(_("comment"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]


class TimesheetStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("timesheet", "Draft")
    SUBMITTED = "submitted", pgettext_lazy("timesheet", "Submitted")
    APPROVED = "approved", pgettext_lazy("timesheet", "Approved")
    REJECTED = "rejected", pgettext_lazy("timesheet", "Rejected")


class Timesheet(TenantModel):
    """One person's week (Monday ``week_start``) on one project, approved by the project's manager."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="timesheets")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    week_start = models.DateField(_("week"))
    status = models.CharField(
        _("status"), max_length=10, choices=TimesheetStatus.choices, default=TimesheetStatus.DRAFT
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "project", "user", "week_start"], name="pm_timesheet_unique")
        ]
        ordering = ["-week_start", "id"]


class TimesheetEntry(TenantModel):
    timesheet = models.ForeignKey(Timesheet, on_delete=models.CASCADE, related_name="entries")
    task = models.ForeignKey(Task, on_delete=models.PROTECT, related_name="time_entries", verbose_name=_("task"))
    date = models.DateField(_("date"))
    hours = FixedPointField(_("hours"), scale=2)
    is_billable = models.BooleanField(_("billable"), default=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    # the member's rates, copied when the timesheet is approved (later rate changes keep past costs)
    cost_rate = MoneyField(_("hourly cost rate"))
    bill_rate = MoneyField(_("hourly bill rate"))
    # the sales order drafted from it (time-and-materials billing): billed once
    billed_order_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(hours__gt=0) & Q(hours__lte=2400), name="pm_entry_hours_range"),
        ]
        ordering = ["date", "id"]


class ExpenseStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("expense", "Draft")
    APPROVED = "approved", pgettext_lazy("expense", "Approved")
    REJECTED = "rejected", pgettext_lazy("expense", "Rejected")


class ProjectExpense(TenantModel):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="expenses")
    date = models.DateField(_("date"))
    description = models.CharField(_("description"), max_length=300)
    amount = MoneyField(_("amount"))
    status = models.CharField(_("status"), max_length=10, choices=ExpenseStatus.choices, default=ExpenseStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    rejection_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    is_billable = models.BooleanField(_("billable to the customer"), default=True)
    # the sales order drafted from it (time-and-materials billing): billed once
    billed_order_id = models.BigIntegerField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="pm_expense_amount_gt_0")]
        ordering = ["-date", "-id"]


class ProjectTag(TenantModel):
    """A free label on a project ("web", "khách VIP"); a project holds at most 20."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="tags")
    name = models.CharField(_("tag"), max_length=50)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "project", "name"], name="pm_tag_unique")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name
