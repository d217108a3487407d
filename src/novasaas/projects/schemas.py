"""API schemas of Projects (inputs strict: unknown fields are a 422). Amounts and hours are decimals
(JSON strings or numbers) and come back as strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from novasaas.platform.api import Id, StrictSchema
from novasaas.platform.reports import ReportColumnOut

Amount = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=0)]
Hours = Annotated[Decimal, Field(ge=0, le=100000, max_digits=8, decimal_places=2)]
Date = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]
Code = Annotated[str, Field(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")]
BillingT = Literal["fixed_price", "time_materials", "non_billable"]
ProjectStatusT = Literal["planned", "active", "on_hold", "completed", "cancelled"]
TaskStatusT = Literal["todo", "in_progress", "review", "done"]
PriorityT = Literal["low", "normal", "high", "urgent"]
RoleT = Literal["manager", "lead", "member", "observer"]


class ProjectIn(StrictSchema):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    customer_id: Id | None = None
    manager_id: Id | None = None
    budget: Amount = Decimal(0)
    contract_amount: Amount = Decimal(0)
    billing_type: BillingT = "time_materials"
    status: ProjectStatusT = "planned"
    start_date: Date | None = None
    end_date: Date | None = None
    description: str = Field(default="", max_length=5000)


class ProjectUpdate(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    customer_id: Id | None = None
    manager_id: Id | None = None
    budget: Amount | None = None
    contract_amount: Amount | None = None
    billing_type: BillingT | None = None
    status: ProjectStatusT | None = None
    start_date: Date | None = None
    end_date: Date | None = None
    description: str | None = Field(default=None, max_length=5000)


class ProjectOut(Schema):
    id: int
    code: str
    name: str
    customer_id: int | None
    manager_id: int | None
    budget: Decimal
    contract_amount: Decimal
    billing_type: str
    status: str
    start_date: dt.date | None
    end_date: dt.date | None
    description: str
    tags: list[str] = []

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return [t.name for t in obj.tags.all()]


class ProjectTagsIn(StrictSchema):
    tags: list[str] = Field(max_length=20)


class ProjectExpensePatchIn(StrictSchema):
    date: Date | None = None
    description: str | None = Field(default=None, min_length=1, max_length=300)
    amount: Amount | None = None
    is_billable: bool | None = None


class ProjectExpenseRejectIn(StrictSchema):
    reason: str = Field(min_length=1, max_length=300)


class ProjectInvoiceDraftOut(Schema):
    order_id: int
    number: str
    total: Decimal


class PhaseIn(StrictSchema):
    name: str = Field(min_length=1, max_length=200)
    start_date: Date | None = None
    end_date: Date | None = None


class PhaseOut(Schema):
    id: int
    project_id: int
    name: str
    start_date: dt.date | None
    end_date: dt.date | None


class MilestoneIn(StrictSchema):
    name: str = Field(min_length=1, max_length=200)
    due_date: Date
    is_reached: bool = False


class MilestoneOut(Schema):
    id: int
    project_id: int
    name: str
    due_date: dt.date
    is_reached: bool


class MemberIn(StrictSchema):
    user_id: Id
    role: RoleT = "member"
    cost_rate: Amount = Decimal(0)
    bill_rate: Amount = Decimal(0)


class ProjectMemberOut(Schema):
    id: int
    user_id: int
    email: str
    role: str
    cost_rate: Decimal
    bill_rate: Decimal

    @staticmethod
    def resolve_email(obj: Any) -> str:
        return str(obj.user.email)


class TaskIn(StrictSchema):
    title: str = Field(min_length=1, max_length=300)
    description: str = Field(default="", max_length=10000)
    assignee_id: Id | None = None
    estimate_hours: Hours = Decimal(0)
    start_date: Date | None = None
    due_date: Date | None = None
    priority: PriorityT = "normal"
    status: TaskStatusT = "todo"
    parent_id: Id | None = None
    phase_id: Id | None = None


class TaskUpdate(StrictSchema):
    title: str | None = Field(default=None, min_length=1, max_length=300)
    description: str | None = Field(default=None, max_length=10000)
    assignee_id: Id | None = None
    estimate_hours: Hours | None = None
    start_date: Date | None = None
    due_date: Date | None = None
    priority: PriorityT | None = None
    status: TaskStatusT | None = None
    parent_id: Id | None = None
    phase_id: Id | None = None


class TaskOut(Schema):
    id: int
    project_id: int
    parent_id: int | None
    phase_id: int | None
    title: str
    description: str
    assignee_id: int | None
    estimate_hours: Decimal
    start_date: dt.date | None
    due_date: dt.date | None
    priority: str
    status: str
    position: int


class TaskMoveIn(StrictSchema):
    status: TaskStatusT
    position: int | None = Field(default=None, ge=0, le=100000)


class DependencyIn(StrictSchema):
    predecessor_id: Id


class DependencyOut(Schema):
    predecessor_id: int
    successor_id: int


class CommentIn(StrictSchema):
    body: str = Field(min_length=1, max_length=5000)


class CommentOut(Schema):
    id: int
    task_id: int
    author_id: int
    body: str
    created_at: dt.datetime


class TimeEntryIn(StrictSchema):
    task_id: Id
    date: Date
    hours: Hours
    note: str = Field(default="", max_length=300)
    is_billable: bool = True


class TimeEntryUpdate(StrictSchema):
    hours: Hours | None = None
    note: str | None = Field(default=None, max_length=300)


class TimeEntryOut(Schema):
    id: int
    timesheet_id: int
    task_id: int
    date: dt.date
    hours: Decimal
    note: str
    is_billable: bool


class TimesheetOut(Schema):
    id: int
    project_id: int
    user_id: int
    week_start: dt.date
    status: str
    note: str


class TimesheetRejectIn(StrictSchema):
    note: str = Field(default="", max_length=300)


class ProjectExpenseIn(StrictSchema):
    date: Date
    description: str = Field(min_length=1, max_length=300)
    amount: Amount
    is_billable: bool = True


class ExpenseOut(Schema):
    id: int
    project_id: int
    date: dt.date
    description: str
    amount: Decimal
    status: str
    is_billable: bool
    rejection_reason: str
    billed_order_id: int | None


ReportName = Literal["costs", "utilisation", "progress", "allocation"]
ReportFormat = Literal["json", "xlsx", "pdf"]


class ProjectReportOut(Schema):
    title: str
    subtitle: str
    columns: list[ReportColumnOut]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    summary: dict[str, Any]


class GanttTaskOut(Schema):
    id: int
    name: str
    parent_id: int | None
    phase_id: int | None
    start: dt.date
    end: dt.date
    planned: bool
    progress: int
    status: str
    assignee_id: int | None
    dependencies: list[int]


class GanttPhaseOut(Schema):
    id: int
    name: str
    start: dt.date | None
    end: dt.date | None


class GanttMilestoneOut(Schema):
    id: int
    name: str
    date: dt.date
    reached: bool


class GanttProjectOut(Schema):
    id: int
    code: str
    name: str


class GanttOut(Schema):
    project: GanttProjectOut
    phases: list[GanttPhaseOut]
    tasks: list[GanttTaskOut]
    milestones: list[GanttMilestoneOut]
