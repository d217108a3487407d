"""Domain events published by Accounting."""

from __future__ import annotations

from dataclasses import dataclass

from novasaas.platform.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class BudgetExceeded(DomainEvent):
    """Actual spending (or revenue) on an account in a period went above its budget line."""

    budget_id: int
    account_code: str
    period_start: str  # ISO date
    budget: str  # decimal string
    actual: str
    dimension_kind: str = ""  # "department" | "project" when the budget line is per dimension
    dimension_code: str = ""


@dataclass(frozen=True, kw_only=True)
class PostedOnDimensions(DomainEvent):
    """Entries just posted carry lines on these analytic dimensions (published by posting, in its
    transaction, once per posting call): ``dimensions`` is the sorted, comma-separated ``kind:code``
    list (``project:DA-01,department:KD``). Projects re-checks the budget of each project named."""

    dimensions: str

    def of_kind(self, kind: str) -> list[str]:
        prefix = f"{kind}:"
        return [d[len(prefix) :] for d in self.dimensions.split(",") if d.startswith(prefix)]
