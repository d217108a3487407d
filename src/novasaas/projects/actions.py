"""Projects actions: projects, phases, milestones, members, tasks, dependencies and comments.

Each action runs in one transaction, takes the principal, checks its permission and what the
principal may see (another tenant's or an unseen project's id is "does not exist" → 404), validates
everything before writing (a refusal changes nothing), and records the audit trail.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.models import AuditAction
from novasaas.platform.money import decimals_error, quantize, to_decimal
from novasaas.projects import events, selectors
from novasaas.projects.models import (
    BillingType,
    Milestone,
    Phase,
    Priority,
    Project,
    ProjectMember,
    ProjectRole,
    ProjectStatus,
    ProjectTag,
    Task,
    TaskComment,
    TaskDependency,
    TaskStatus,
)

ZERO = Decimal(0)
CODE_RE = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,29}$")
MENTION_RE = re.compile(r"@([\w.+-]+(?:@[\w.-]+)?)")
MAX_HOURS = Decimal(100000)


# --- field parsing ---------------------------------------------------------------------------------


def _text(value: Any, field: str, max_length: int, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("This field is required.")]})
    if len(text) > max_length:
        raise ValidationError({field: [_("Use at most %(n)s characters.") % {"n": max_length}]})
    return text


def _date(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError({field: [_("Enter a valid date.")]}) from exc


def _choice(value: Any, field: str, choices: Any) -> str:
    if value not in choices.values:
        raise ValidationError({field: [_("Select a valid choice.")]})
    return str(value)


def _dec(value: Any, field: str) -> Decimal:
    if value is None or value == "":
        raise ValidationError({field: [_("This field is required.")]})
    try:
        number = to_decimal(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: [_("Enter a number.")]}) from exc
    if not number.is_finite() or abs(number) >= Decimal("1e14"):
        raise ValidationError({field: [_("Enter a number.")]})
    return number


def money(value: Any, field: str) -> Decimal:
    amount = _dec(value, field)
    if amount < 0:
        raise ValidationError({field: [_("Enter an amount of zero or more.")]})
    error = decimals_error(amount, "VND")
    if error:
        raise ValidationError({field: [error]})
    return amount


def hours(value: Any, field: str, *, allow_zero: bool = True) -> Decimal:
    number = _dec(value, field)
    if number < 0 or (not allow_zero and number == 0) or number > MAX_HOURS or number != quantize(number, 2):
        raise ValidationError({field: [_("Enter hours from 0 with at most 2 decimals.")]})
    return number


def _user(p: Principal, value: Any, field: str) -> Any:
    if value in (None, ""):
        return None
    user = selectors.internal_user(p.tenant, value)
    if user is None:
        raise ValidationError({field: [_("Choose an active member of the company.")]})
    return user


def _check_dates(start: dt.date | None, end: dt.date | None, field: str = "end_date") -> None:
    if start and end and end < start:
        raise ValidationError({field: [_("The end is before the start.")]})


# --- projects --------------------------------------------------------------------------------------


PROJECT_FIELDS = (
    "code",
    "name",
    "customer_id",
    "manager_id",
    "budget",
    "contract_amount",
    "billing_type",
    "status",
    "start_date",
    "end_date",
    "description",
)


@transaction.atomic
def save_project(p: Principal, project_id: int | None = None, **data: Any) -> Project:
    """Create or change a project. The code is unique in the tenant and fixed once created. Publishes
    ``ProjectSaved`` (Accounting keeps the ``project:<code>`` dimension when ACC is on)."""
    p.require("pm.project.manage")
    unknown = set(data) - set(PROJECT_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    if project_id is None:
        project = Project()
        before = None
    else:
        project = selectors.visible_projects(p).select_for_update().get(pk=project_id)
        before = audit.snapshot(project)
    creating = project.pk is None
    errors: dict[str, list[str]] = {}

    def field(name: str, fn: Any) -> None:
        try:
            fn()
        except ValidationError as exc:
            errors.update(exc.message_dict)

    if creating or "code" in data:
        if not creating and str(data.get("code", "")).strip().upper() != project.code:
            errors["code"] = [_("The code of a project cannot change.")]
        elif creating:
            code = str(data.get("code") or "").strip().upper()
            if not CODE_RE.match(code):
                errors["code"] = [_("Use up to 30 letters, digits, dots, dashes or underscores.")]
            elif Project.objects.filter(code=code).exists():
                errors["code"] = [_("This code is already used.")]
            project.code = code
    if creating or "name" in data:
        field("name", lambda: setattr(project, "name", _text(data.get("name"), "name", 200)))
    if "customer_id" in data:
        cid = data["customer_id"]
        if cid in (None, ""):
            project.customer = None
        elif not selectors.customer_allowed(p, cid):
            errors["customer_id"] = [_("Choose a customer of the directory.")]
        else:
            project.customer_id = int(cid)
    if creating and data.get("manager_id") in (None, "") and p.user is not None:
        project.manager = p.user  # the creator manages the project unless someone else is named
    elif "manager_id" in data:
        field("manager_id", lambda: setattr(project, "manager", _user(p, data["manager_id"], "manager_id")))
    for name in ("budget", "contract_amount"):
        if name in data and data[name] is not None:
            field(name, lambda name=name: setattr(project, name, money(data[name], name)))
    if "billing_type" in data and data["billing_type"] is not None:
        field(
            "billing_type",
            lambda: setattr(project, "billing_type", _choice(data["billing_type"], "billing_type", BillingType)),
        )
    if "status" in data and data["status"] is not None:
        field("status", lambda: setattr(project, "status", _choice(data["status"], "status", ProjectStatus)))
    for name in ("start_date", "end_date"):
        if name in data:
            field(name, lambda name=name: setattr(project, name, _date(data[name], name)))
    if "description" in data:
        field(
            "description",
            lambda: setattr(project, "description", _text(data["description"], "description", 5000, required=False)),
        )
    if not errors:
        field("end_date", lambda: _check_dates(project.start_date, project.end_date))
    if errors:
        raise ValidationError(errors)
    project.save()
    if creating:
        audit.record_created(project, p.user)
        if project.manager_id:
            ProjectMember.objects.get_or_create(
                project=project, user_id=project.manager_id, defaults={"role": ProjectRole.MANAGER}
            )
    else:
        assert before is not None
        audit.record_updated(project, p.user, before)
    publish(
        events.ProjectSaved(
            tenant_id=p.tenant.pk,
            project_id=project.pk,
            code=project.code,
            name=project.name,
            user_id=p.user.pk if p.user else None,
        )
    )
    return project


@transaction.atomic
def delete_project(p: Principal, project_id: int) -> None:
    """Delete a project that has no logged time or expenses (those are kept for costing)."""
    p.require("pm.project.manage")
    project = selectors.visible_projects(p).select_for_update().get(pk=project_id)
    if project.timesheets.exists() or project.expenses.exists():
        raise ValidationError(_("The project has logged time or expenses; cancel it instead."))
    audit.record_deleted(project, p.user)
    project.delete()


def _managed_project(p: Principal, project_id: int, perm: str = "pm.project.manage") -> Project:
    p.require(perm)
    return selectors.visible_projects(p).select_for_update().get(pk=project_id)


@transaction.atomic
def save_phase(p: Principal, project_id: int, phase_id: int | None = None, **data: Any) -> Phase:
    project = _managed_project(p, project_id)
    phase = Phase(project=project) if phase_id is None else Phase.objects.get(project=project, pk=phase_id)
    if phase.pk is None or "name" in data:
        phase.name = _text(data.get("name"), "name", 200)
    if "start_date" in data:
        phase.start_date = _date(data["start_date"], "start_date")
    if "end_date" in data:
        phase.end_date = _date(data["end_date"], "end_date")
    _check_dates(phase.start_date, phase.end_date)
    if phase.pk is None:
        phase.position = Phase.objects.filter(project=project).count()
    phase.save()
    audit.record_created(phase, p.user)
    return phase


@transaction.atomic
def save_milestone(p: Principal, project_id: int, milestone_id: int | None = None, **data: Any) -> Milestone:
    project = _managed_project(p, project_id)
    ms = Milestone(project=project) if milestone_id is None else Milestone.objects.get(project=project, pk=milestone_id)
    if ms.pk is None or "name" in data:
        ms.name = _text(data.get("name"), "name", 200)
    if ms.pk is None or "due_date" in data:
        due = _date(data.get("due_date"), "due_date")
        if due is None:
            raise ValidationError({"due_date": [_("This field is required.")]})
        ms.due_date = due
    if data.get("is_reached") is not None:
        ms.is_reached = bool(data["is_reached"])
    ms.save()
    audit.record_created(ms, p.user)
    return ms


@transaction.atomic
def save_member(
    p: Principal,
    project_id: int,
    *,
    user_id: Any,
    role: str = ProjectRole.MEMBER,
    cost_rate: Any = "0",
    bill_rate: Any = "0",
) -> ProjectMember:
    """Add a member (an internal user of the company) or change their project role and hourly rates."""
    project = _managed_project(p, project_id, "pm.member.manage")
    user = _user(p, user_id, "user_id")
    if user is None:
        raise ValidationError({"user_id": [_("This field is required.")]})
    role = _choice(role, "role", ProjectRole)
    cost, bill = money(cost_rate, "cost_rate"), money(bill_rate, "bill_rate")
    member, created = ProjectMember.objects.select_for_update().get_or_create(
        project=project, user=user, defaults={"role": role, "cost_rate": cost, "bill_rate": bill}
    )
    if created:
        audit.record_created(member, p.user)
    else:
        before = audit.snapshot(member)
        member.role, member.cost_rate, member.bill_rate = role, cost, bill
        member.save()
        audit.record_updated(member, p.user, before)
    return member


@transaction.atomic
def remove_member(p: Principal, project_id: int, member_id: int) -> None:
    project = _managed_project(p, project_id, "pm.member.manage")
    member = ProjectMember.objects.get(project=project, pk=member_id)
    audit.record_deleted(member, p.user)
    member.delete()


# --- tasks -----------------------------------------------------------------------------------------


TASK_FIELDS = (
    "title",
    "description",
    "assignee_id",
    "estimate_hours",
    "start_date",
    "due_date",
    "priority",
    "status",
    "parent_id",
    "phase_id",
)


def _project_for_task_work(p: Principal, project: Project) -> None:
    """``pm.task.work`` acts only on projects the principal is a member of (managers act everywhere)."""
    if p.has("pm.task.manage") and selectors.sees_all(p):
        return
    p.require("pm.task.work")
    if not selectors.is_member(project, p.user.pk if p.user else None):
        from django.core.exceptions import PermissionDenied

        raise PermissionDenied(_("You are not a member of this project."))


@transaction.atomic
def save_task(p: Principal, project_id: int | None = None, task_id: int | None = None, **data: Any) -> Task:
    """Create a task (or subtask, with ``parent_id``) or change one. Creating, assigning and planning
    need ``pm.task.manage``; a member with ``pm.task.work`` may change only the status."""
    unknown = set(data) - set(TASK_FIELDS)
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    if task_id is None:
        p.require("pm.task.manage")
        assert project_id is not None
        project = selectors.visible_projects(p).get(pk=project_id)
        task = Task(project=project)
        before = None
    else:
        task = selectors.visible_tasks(p).select_for_update(of=("self",)).select_related("project").get(pk=task_id)
        project = task.project
        before = audit.snapshot(task)
        if set(data) - {"status"}:
            p.require("pm.task.manage")
        else:
            _project_for_task_work(p, project)
    errors: dict[str, list[str]] = {}

    def field(fn: Any) -> None:
        try:
            fn()
        except ValidationError as exc:
            errors.update(exc.message_dict)

    if task.pk is None or "title" in data:
        field(lambda: setattr(task, "title", _text(data.get("title"), "title", 300)))
    if "description" in data:
        field(lambda: setattr(task, "description", _text(data["description"], "description", 10000, required=False)))
    if "assignee_id" in data:
        field(lambda: setattr(task, "assignee", _user(p, data["assignee_id"], "assignee_id")))
    if data.get("estimate_hours") is not None:
        field(lambda: setattr(task, "estimate_hours", hours(data["estimate_hours"], "estimate_hours")))
    for name in ("start_date", "due_date"):
        if name in data:
            field(lambda name=name: setattr(task, name, _date(data[name], name)))
    if data.get("priority") is not None:
        field(lambda: setattr(task, "priority", _choice(data["priority"], "priority", Priority)))
    if data.get("status") is not None:
        field(lambda: setattr(task, "status", _choice(data["status"], "status", TaskStatus)))
    if "parent_id" in data:
        pid = data["parent_id"]
        if pid in (None, ""):
            task.parent = None
        else:
            parent = Task.objects.filter(project=project, pk=_int(pid)).first()
            if parent is None or parent.pk == task.pk or (parent.parent_id is not None):
                errors["parent_id"] = [_("Choose a top-level task of the same project.")]
            elif task.pk and task.subtasks.exists():
                errors["parent_id"] = [_("A task with subtasks cannot become a subtask.")]
            else:
                task.parent = parent
    if "phase_id" in data:
        ph = data["phase_id"]
        if ph in (None, ""):
            task.phase = None
        else:
            phase = Phase.objects.filter(project=project, pk=_int(ph)).first()
            if phase is None:
                errors["phase_id"] = [_("Choose a phase of the same project.")]
            else:
                task.phase = phase
    if not errors:
        field(lambda: _check_dates(task.start_date, task.due_date, "due_date"))
    if errors:
        raise ValidationError(errors)
    if task.pk is None:
        task.position = Task.objects.filter(project=project, status=task.status).count()
    _mark_completion(task)
    task.save()
    if before is None:
        audit.record_created(task, p.user)
    else:
        audit.record_updated(task, p.user, before)
    return task


def _mark_completion(task: Task) -> None:
    """The day a task entered "done" (kept while it stays done; cleared when it is reopened)."""
    from django.utils import timezone

    if task.status == TaskStatus.DONE and task.completed_on is None:
        task.completed_on = timezone.localdate()
    elif task.status != TaskStatus.DONE:
        task.completed_on = None


def _int(value: Any) -> int:
    """An id from user input, or -1 (matches nothing) for text or a number no id column can hold."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return -1
    return number if 0 < number < 2**63 else -1


@transaction.atomic
def move_task(p: Principal, task_id: int, *, status: str, position: int | None = None) -> Task:
    """Move a task to a board column (status) at ``position`` (0-based; end of column when None),
    renumbering the column. Members of the project with ``pm.task.work`` may move tasks."""
    task = selectors.visible_tasks(p).select_related("project").get(pk=task_id)
    project = task.project
    _project_for_task_work(p, project)
    status = _choice(status, "status", TaskStatus)
    # lock the project row: concurrent moves on one board are serialised, positions stay a sequence
    Project.objects.select_for_update().get(pk=project.pk)
    task = Task.objects.select_for_update().get(pk=task.pk)
    before = audit.snapshot(task)
    column = list(Task.objects.filter(project=project, status=status).exclude(pk=task.pk).order_by("position", "id"))
    index = len(column) if position is None else max(0, min(int(position), len(column)))
    column.insert(index, task)
    task.status = status
    _mark_completion(task)
    for i, t in enumerate(column):
        if t.pk == task.pk:
            t.position = i
            t.save(update_fields=["status", "position", "completed_on"])
        elif t.position != i:
            Task.objects.filter(pk=t.pk).update(position=i)
    if before["status"] != status:
        rest = Task.objects.filter(project=project, status=before["status"]).order_by("position", "id")
        for i, pk in enumerate(rest.values_list("pk", flat=True)):
            Task.objects.filter(pk=pk).exclude(position=i).update(position=i)
    audit.record_updated(task, p.user, before)
    return task


@transaction.atomic
def delete_task(p: Principal, task_id: int) -> None:
    p.require("pm.task.manage")
    task = selectors.visible_tasks(p).select_for_update(of=("self",)).get(pk=task_id)
    if task.time_entries.exists() or Task.objects.filter(parent=task, time_entries__isnull=False).exists():
        raise ValidationError(_("Time is logged on this task; it cannot be deleted."))
    audit.record_deleted(task, p.user)
    task.delete()


# --- dependencies ----------------------------------------------------------------------------------


def _reaches(project: Project, start: int, target: int) -> bool:
    """True when ``target`` is reachable from ``start`` following finish-to-start links."""
    edges: dict[int, list[int]] = {}
    for pred, succ in TaskDependency.objects.filter(predecessor__project=project).values_list(
        "predecessor_id", "successor_id"
    ):
        edges.setdefault(pred, []).append(succ)
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        if node == target:
            return True
        for nxt in edges.get(node, ()):
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return False


@transaction.atomic
def add_dependency(p: Principal, task_id: int, predecessor_id: Any) -> TaskDependency:
    """``task`` starts after ``predecessor`` finishes. Refused (400) across projects, on itself, twice,
    or when it would close a cycle; the project row is locked so two links cannot race into a cycle."""
    p.require("pm.task.manage")
    task = selectors.visible_tasks(p).select_related("project").get(pk=task_id)
    Project.objects.select_for_update().get(pk=task.project_id)
    pred = Task.objects.filter(project=task.project, pk=_int(predecessor_id)).first()
    if pred is None:
        raise ValidationError({"predecessor_id": [_("Choose a task of the same project.")]})
    if pred.pk == task.pk:
        raise ValidationError({"predecessor_id": [ValidationError(_("A task cannot depend on itself."), code="self")]})
    if TaskDependency.objects.filter(predecessor=pred, successor=task).exists():
        raise ValidationError(
            {"predecessor_id": [ValidationError(_("This dependency exists already."), code="duplicate")]}
        )
    if _reaches(task.project, task.pk, pred.pk):
        message = _("This dependency would create a cycle: %(t)s already depends on %(s)s.") % {
            "t": pred.title,
            "s": task.title,
        }
        raise ValidationError({"predecessor_id": [ValidationError(message, code="cycle")]})
    dep = TaskDependency.objects.create(predecessor=pred, successor=task)
    audit.record_created(dep, p.user)
    return dep


@transaction.atomic
def remove_dependency(p: Principal, task_id: int, predecessor_id: int) -> None:
    p.require("pm.task.manage")
    task = selectors.visible_tasks(p).get(pk=task_id)
    dep = TaskDependency.objects.get(successor=task, predecessor_id=predecessor_id)
    audit.record_deleted(dep, p.user)
    dep.delete()


# --- comments --------------------------------------------------------------------------------------


def mentioned_users(project: Project, body: str) -> list[Any]:
    """Members of the project named in ``body`` as ``@email`` or ``@local-part`` of their email."""
    names = {m.lower() for m in MENTION_RE.findall(body)}
    if not names:
        return []
    found = []
    for member in selectors.list_members(project):
        email = member.user.email.lower()
        if email in names or email.split("@")[0] in names:
            found.append(member.user)
    if project.manager_id and all(u.pk != project.manager_id for u in found):
        manager = project.manager
        if manager is not None:
            email = manager.email.lower()
            if email in names or email.split("@")[0] in names:
                found.append(manager)
    return found


@transaction.atomic
def add_comment(p: Principal, task_id: int, body: Any) -> TaskComment:
    """Comment on a task; members mentioned with ``@name`` get a notification (kind ``projects``)."""
    task = selectors.visible_tasks(p).select_related("project").get(pk=task_id)
    _project_for_task_work(p, task.project)
    text = _text(body, "body", 5000)
    if p.user is None:
        raise ValidationError(_("Only a signed-in member can comment."))
    comment = TaskComment.objects.create(task=task, author=p.user, body=text)
    audit.record_created(comment, p.user)
    recipients = [u for u in mentioned_users(task.project, text) if u.pk != p.user.pk]
    if recipients:
        from django.urls import reverse

        from novasaas.platform.notifications import notify

        notify(
            p.tenant,
            recipients,
            "projects",
            _("%(who)s mentioned you on task “%(task)s”") % {"who": p.user.email, "task": task.title},
            text[:500],
            reverse("projects-task", args=[task.pk]),
        )
    return comment


# --- tags ------------------------------------------------------------------------------------------

MAX_TAGS = 20


@transaction.atomic
def set_project_tags(p: Principal, project_id: int, tags: Any) -> list[str]:
    """Replace a project's tags (``pm.project.manage``): trimmed, case kept, duplicates (ignoring case)
    dropped, at most 20 of at most 50 characters."""
    p.require("pm.project.manage")
    project = selectors.visible_projects(p).select_for_update().get(pk=project_id)
    if isinstance(tags, str):
        tags = tags.split(",")
    if not isinstance(tags, list | tuple):
        raise ValidationError({"tags": [_("Give a list of tags.")]})
    clean: dict[str, str] = {}
    for raw in tags:
        name = " ".join(str(raw or "").split())
        if not name:
            continue
        if len(name) > 50:
            raise ValidationError({"tags": [_("A tag has at most 50 characters.")]})
        clean.setdefault(name.casefold(), name)
    if len(clean) > MAX_TAGS:
        raise ValidationError({"tags": [_("A project has at most %(n)s tags.") % {"n": MAX_TAGS}]})
    before = sorted(project.tags.values_list("name", flat=True))
    after = sorted(clean.values())
    if before != after:
        ProjectTag.objects.filter(project=project).delete()
        ProjectTag.objects.bulk_create([ProjectTag(tenant=p.tenant, project=project, name=n) for n in after])
        audit.record(AuditAction.UPDATE, actor=p.user, obj=project, before={"tags": before}, after={"tags": after})
    return after
