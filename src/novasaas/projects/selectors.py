"""Projects reads: what a principal may see and the lookups of other modules Projects needs.

A holder of ``pm.project.manage`` (Project Manager, Tenant Admin) sees every project of the tenant;
anyone else with ``pm.project.view`` sees the projects they are a member or the manager of.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import F, Prefetch, Q, QuerySet

from novasaas.identity.access import Principal
from novasaas.platform.models import Tenant
from novasaas.projects.models import (
    Milestone,
    Phase,
    Project,
    ProjectMember,
    Task,
    TaskComment,
    TaskDependency,
    Timesheet,
    TimesheetEntry,
)


def sees_all(p: Principal) -> bool:
    return p.has("pm.project.manage")


def visible_projects(p: Principal) -> QuerySet[Project]:
    qs = Project.objects.filter(tenant=p.tenant)
    if not sees_all(p):
        uid = p.user.pk if p.user else -1
        member_of = ProjectMember.objects.filter(user_id=uid).values("project_id")
        qs = qs.filter(Q(manager_id=uid) | Q(pk__in=member_of))
    return qs


def list_projects(p: Principal, q: str = "", status: str = "", tag: str = "") -> QuerySet[Project]:
    qs = visible_projects(p).select_related("customer", "manager").prefetch_related("tags")
    if tag:
        qs = qs.filter(tags__name__iexact=tag.strip())
    if q:
        qs = qs.filter(Q(code__icontains=q) | Q(name__icontains=q))
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("code")


def get_project(p: Principal, project_id: int) -> Project:
    return visible_projects(p).select_related("customer", "manager").get(pk=project_id)


def is_member(project: Project, user_id: int | None) -> bool:
    if user_id is None:
        return False
    return project.manager_id == user_id or ProjectMember.objects.filter(project=project, user_id=user_id).exists()


def list_phases(project: Project) -> QuerySet[Phase]:
    return Phase.objects.filter(project=project)


def list_milestones(project: Project) -> QuerySet[Milestone]:
    return Milestone.objects.filter(project=project)


def list_members(project: Project) -> QuerySet[ProjectMember]:
    return ProjectMember.objects.filter(project=project).select_related("user")


def visible_tasks(p: Principal) -> QuerySet[Task]:
    return Task.objects.filter(project__in=visible_projects(p))


def list_tasks(
    p: Principal,
    project_id: int | None = None,
    *,
    assignee_id: int | None = None,
    status: str = "",
    open_only: bool = False,
) -> QuerySet[Task]:
    qs = visible_tasks(p).select_related("project", "assignee", "parent", "phase")
    if project_id is not None:
        qs = qs.filter(project_id=project_id)
    if assignee_id is not None:
        qs = qs.filter(assignee_id=assignee_id)
    if status:
        qs = qs.filter(status=status)
    if open_only:
        qs = qs.exclude(status="done")
    return qs.order_by("project__code", "position", "id")


def my_tasks(p: Principal, *, open_only: bool = True) -> QuerySet[Task]:
    uid = p.user.pk if p.user else -1
    return list_tasks(p, assignee_id=uid, open_only=open_only).order_by(
        F("due_date").asc(nulls_last=True), "project__code", "position", "id"
    )


def get_task(p: Principal, task_id: int) -> Task:
    return visible_tasks(p).select_related("project", "assignee", "parent", "phase").get(pk=task_id)


def get_expense(p: Principal, expense_id: int) -> Any:
    """An expense of a project the principal may see (else ``DoesNotExist``, a 404)."""
    from novasaas.projects.models import ProjectExpense

    return ProjectExpense.objects.select_related("project", "created_by", "approved_by").get(
        pk=expense_id, project__in=visible_projects(p)
    )


def task_comments(task: Task) -> QuerySet[TaskComment]:
    return TaskComment.objects.filter(task=task).select_related("author")


def task_dependencies(task: Task) -> tuple[list[Task], list[Task]]:
    """(predecessors, successors) of a task."""
    pred = [d.predecessor for d in TaskDependency.objects.filter(successor=task).select_related("predecessor")]
    succ = [d.successor for d in TaskDependency.objects.filter(predecessor=task).select_related("successor")]
    return pred, succ


def board(p: Principal, project: Project) -> list[tuple[str, Any, list[Task]]]:
    """The Kanban columns of a project: (status, label, tasks in position order)."""
    from novasaas.projects.models import TaskStatus

    columns: dict[str, list[Task]] = {s: [] for s in TaskStatus.values}
    for task in Task.objects.filter(project=project).select_related("assignee").order_by("position", "id"):
        columns[task.status].append(task)
    return [(value, label, columns[value]) for value, label in TaskStatus.choices]


def internal_user(tenant: Tenant, user_id: Any) -> Any:
    """The user of an active membership of ``tenant`` that is not only a Customer, else None."""
    from novasaas.identity.models import Membership

    try:
        uid = int(user_id)
    except (TypeError, ValueError):
        return None
    if not 0 < uid < 2**63:
        return None
    membership = Membership.objects.filter(tenant=tenant, user_id=uid, is_active=True).select_related("user").first()
    if membership is None:
        return None
    roles = set(membership.role_links.values_list("role__code", flat=True))
    if roles and roles <= {"customer"}:
        return None
    return membership.user


def internal_users(tenant: Tenant) -> list[Any]:
    from novasaas.identity.models import Membership

    members = (
        Membership.objects.filter(tenant=tenant, is_active=True, user__is_active=True)
        .exclude(role_links__role__code="customer")
        .select_related("user")
    )
    return sorted({m.user for m in members}, key=lambda u: u.email)


def customer_choices(p: Principal) -> list[tuple[int, str]]:
    """Parties that may be a project's customer: the parties of Sales' customers the principal sees when
    CRM is on, else every active party of the directory."""
    from novasaas.parties.selectors import search_parties

    parties = search_parties(p.tenant, "")
    if p.tenant.has_module("CRM") and p.has("crm.customer.view"):
        from novasaas.sales.selectors import visible_customers

        parties = parties.filter(pk__in=visible_customers(p).values("party_id"))
    return [(pt.pk, str(pt)) for pt in parties[:1000]]


def customer_allowed(p: Principal, party_id: Any) -> bool:
    try:
        pid = int(party_id)
    except (TypeError, ValueError):
        return False
    if not 0 < pid < 2**63:
        return False
    from novasaas.parties.selectors import search_parties

    return search_parties(p.tenant, "").filter(pk=pid).exists()


def timesheets_to_approve(p: Principal) -> QuerySet[Timesheet]:
    qs = Timesheet.objects.filter(project__in=visible_projects(p), status="submitted").select_related("project", "user")
    if not p.is_tenant_admin:
        uid = p.user.pk if p.user else -1
        qs = qs.filter(project__manager_id=uid)
    return qs.order_by("week_start", "id")


def my_timesheets(p: Principal, week_start: dt.date | None = None) -> QuerySet[Timesheet]:
    uid = p.user.pk if p.user else -1
    qs = Timesheet.objects.filter(user_id=uid, project__in=visible_projects(p)).select_related("project")
    if week_start is not None:
        qs = qs.filter(week_start=week_start)
    return qs.prefetch_related(
        Prefetch("entries", queryset=TimesheetEntry.objects.select_related("task").order_by("date", "id"))
    )


def get_timesheet(p: Principal, timesheet_id: int) -> Timesheet:
    """A timesheet its owner, the project's manager or a holder of ``pm.project.manage`` may see."""
    qs = Timesheet.objects.filter(project__in=visible_projects(p)).select_related("project", "user")
    if not sees_all(p):
        uid = p.user.pk if p.user else -1
        qs = qs.filter(Q(user_id=uid) | Q(project__manager_id=uid))
    return qs.get(pk=timesheet_id)


def gantt(project: Project) -> dict[str, Any]:
    """The Gantt chart's data of a project: phases, tasks (dates, progress, dependencies) and milestones.
    Tasks without dates take the project's (or today's) start and a length from their estimate (8 h a
    day, at least one day), flagged ``planned: false``. Four queries whatever the size."""
    from django.utils import timezone

    default_start = project.start_date or timezone.localdate()
    preds: dict[int, list[int]] = {}
    for pred, succ in TaskDependency.objects.filter(successor__project=project).values_list(
        "predecessor_id", "successor_id"
    ):
        preds.setdefault(succ, []).append(pred)
    progress = {"todo": 0, "in_progress": 50, "review": 80, "done": 100}
    tasks = []
    for t in (
        Task.objects.filter(project=project)
        .order_by("position", "id")
        .values(
            "id", "title", "parent_id", "phase_id", "start_date", "due_date", "estimate_hours", "status", "assignee_id"
        )
    ):
        start = t["start_date"] or t["due_date"] or default_start
        days = max(1, int((t["estimate_hours"] or 0) // 8) or 1)
        end = t["due_date"] or (start + dt.timedelta(days=days - 1))
        end = max(end, start)
        tasks.append(
            {
                "id": t["id"],
                "name": t["title"],
                "parent_id": t["parent_id"],
                "phase_id": t["phase_id"],
                "start": start.isoformat(),
                "end": end.isoformat(),
                "planned": bool(t["start_date"] and t["due_date"]),
                "progress": progress.get(t["status"], 0),
                "status": t["status"],
                "assignee_id": t["assignee_id"],
                "dependencies": sorted(preds.get(t["id"], [])),
            }
        )
    phases = [
        {
            "id": ph.pk,
            "name": ph.name,
            "start": ph.start_date.isoformat() if ph.start_date else None,
            "end": ph.end_date.isoformat() if ph.end_date else None,
        }
        for ph in Phase.objects.filter(project=project)
    ]
    milestones = [
        {"id": m.pk, "name": m.name, "date": m.due_date.isoformat(), "reached": m.is_reached}
        for m in Milestone.objects.filter(project=project)
    ]
    return {
        "project": {"id": project.pk, "code": project.code, "name": project.name},
        "phases": phases,
        "tasks": tasks,
        "milestones": milestones,
    }


# --- reads for other modules -------------------------------------------------------------------------

CLOSED_STATUSES = ("completed", "cancelled")


def chargeable_projects(tenant: Tenant) -> list[tuple[int, str, str]]:
    """(id, code, name) of the tenant's projects a cost may be charged to (not completed or cancelled),
    by code: Purchasing's bill lines pick among them (the purchase is booked on ``project:<code>``)."""
    qs = Project.objects.filter(tenant=tenant).exclude(status__in=CLOSED_STATUSES).order_by("code")
    return [(pk, code, name) for pk, code, name in qs.values_list("pk", "code", "name")]


def chargeable_project(tenant: Tenant, project_id: Any) -> Project | None:
    """The tenant's project ``project_id`` if a cost may be charged to it (else None; bad ids too)."""
    try:
        pk = int(project_id)
    except (TypeError, ValueError, OverflowError):
        return None
    if not 0 < pk < 2**63:
        return None
    return Project.objects.filter(tenant=tenant, pk=pk).exclude(status__in=CLOSED_STATUSES).first()
