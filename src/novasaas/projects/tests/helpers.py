"""Small helpers of the project tests: principals per role and a project with a team."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from novasaas.inventory.tests.helpers import principal
from novasaas.projects import actions

__all__ = ["World", "principal", "world"]


@dataclass
class World:
    pm: Any  # Project Manager (the project's manager)
    dev: Any  # Employee, member of the project
    outsider: Any  # Employee, not a member
    project: Any
    task: Any


def world(tenant: Any, *, budget: Any = "10000000", code: str = "P01") -> World:
    """Inside tenant_context: a project managed by a Project Manager with an Employee member (cost
    100,000 đ/h, bill 250,000 đ/h), another Employee outside it, and one task assigned to the member."""
    pm = principal(tenant, "project_manager")
    dev = principal(tenant, "employee")
    outsider = principal(tenant, "employee")
    project = actions.save_project(
        pm, code=code, name="Website", manager_id=pm.user.pk, budget=budget, billing_type="time_materials"
    )
    actions.save_member(pm, project.pk, user_id=dev.user.pk, role="member", cost_rate="100000", bill_rate="250000")
    task = actions.save_task(pm, project.pk, title="Design", assignee_id=dev.user.pk, estimate_hours="8")
    return World(pm, dev, outsider, project, task)
