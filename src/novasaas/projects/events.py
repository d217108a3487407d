"""Domain events published by Projects (spec §9, §11.3 PM → ACC, PM → HRM)."""

from __future__ import annotations

from dataclasses import dataclass

from novasaas.platform.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class ProjectSaved(DomainEvent):
    """Accounting (module ACC): keep the analytic dimension ``project:<code>`` named ``name``."""

    project_id: int
    code: str
    name: str
    user_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class TimesheetApproved(DomainEvent):
    """Approved hours of one person's week on a project (HRM, module HRM, fills their attendance)."""

    timesheet_id: int
    project_id: int
    user_id: int
    week_start: str  # ISO date of the Monday
    hours: str  # decimal string
    code: str = ""  # the project's code
    days: str = ""  # hours per day: "2026-11-30=8.00,2026-12-01=4.50"


@dataclass(frozen=True, kw_only=True)
class ProjectExpenseApproved(DomainEvent):
    """An approved project expense (Accounting, module ACC, posts it: Dr expense on the project's
    dimension / Cr sundry payables)."""

    expense_id: int
    project_id: int
    code: str
    name: str
    date: str  # ISO date of the expense
    amount: str  # decimal string, VND
    description: str
    user_id: int | None = None
