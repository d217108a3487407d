"""Projects, members, tasks, dependencies, comments: rules and roles (spec §9.2)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.platform.models import Notification
from novasaas.projects import actions, selectors
from novasaas.projects.models import Project, ProjectMember, Task, TaskDependency
from novasaas.projects.tests.helpers import principal, world

pytestmark = pytest.mark.django_db


def test_project_crud_and_manager_is_member(in_tenant_a):
    w = world(in_tenant_a)
    assert w.project.code == "P01" and w.project.manager_id == w.pm.user.pk
    assert ProjectMember.objects.filter(project=w.project, user=w.pm.user, role="manager").exists()
    actions.save_project(w.pm, w.project.pk, name="Website v2", status="active", budget="5000000")
    w.project.refresh_from_db()
    assert (w.project.name, w.project.status, w.project.budget) == ("Website v2", "active", 5000000)
    with pytest.raises(ValidationError) as exc:
        actions.save_project(w.pm, code="p01", name="Dup")
    assert "code" in exc.value.message_dict
    with pytest.raises(ValidationError) as exc:
        actions.save_project(w.pm, w.project.pk, start_date="2026-05-02", end_date="2026-05-01")
    assert "end_date" in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.save_project(w.pm, code="P02", name="x", budget="10.5")  # whole đồng
    other = actions.save_project(w.pm, code="P02", name="Empty")
    actions.delete_project(w.pm, other.pk)
    assert not Project.objects.filter(pk=other.pk).exists()


def test_roles_per_spec_cells(in_tenant_a):
    w = world(in_tenant_a)
    for perm_action in (
        lambda p: actions.save_project(p, code="X1", name="x"),
        lambda p: actions.save_member(p, w.project.pk, user_id=p.user.pk),
        lambda p: actions.save_task(p, w.project.pk, title="t"),
        lambda p: actions.add_dependency(p, w.task.pk, w.task.pk),
    ):
        with pytest.raises(PermissionDenied):
            perm_action(w.dev)
    accountant = principal(in_tenant_a, "accountant")
    assert not selectors.list_projects(accountant).exists()  # sees only projects they belong to
    assert list(selectors.list_projects(w.dev)) == [w.project]
    assert selectors.list_projects(w.outsider).count() == 0
    with pytest.raises(Task.DoesNotExist):
        actions.move_task(w.outsider, w.task.pk, status="done")
    customer = principal(in_tenant_a, "customer")
    assert not customer.has("pm.project.view")


def test_member_changes_status_only(in_tenant_a):
    w = world(in_tenant_a)
    actions.save_task(w.dev, task_id=w.task.pk, status="in_progress")
    with pytest.raises(PermissionDenied):
        actions.save_task(w.dev, task_id=w.task.pk, title="renamed")
    w.task.refresh_from_db()
    assert (w.task.status, w.task.title) == ("in_progress", "Design")


def test_members_are_internal_users(in_tenant_a, tenant_b):
    w = world(in_tenant_a)
    customer = principal(in_tenant_a, "customer")
    with pytest.raises(ValidationError):
        actions.save_member(w.pm, w.project.pk, user_id=customer.user.pk)
    from novasaas.platform.testing.fixtures import admin_of

    with pytest.raises(ValidationError):
        actions.save_member(w.pm, w.project.pk, user_id=admin_of(tenant_b).pk)


def test_subtasks_and_move_positions(in_tenant_a):
    w = world(in_tenant_a)
    sub = actions.save_task(w.pm, w.project.pk, title="Logo", parent_id=w.task.pk)
    assert sub.parent_id == w.task.pk
    with pytest.raises(ValidationError):  # two levels only
        actions.save_task(w.pm, w.project.pk, title="deeper", parent_id=sub.pk)
    b = actions.save_task(w.pm, w.project.pk, title="B")
    actions.move_task(w.dev, b.pk, status="todo", position=0)
    order = list(Task.objects.filter(project=w.project, status="todo").values_list("title", flat=True))
    assert order == ["B", "Design", "Logo"]
    actions.move_task(w.dev, w.task.pk, status="done")
    assert Task.objects.get(pk=w.task.pk).status == "done"
    assert list(Task.objects.filter(project=w.project, status="todo").values_list("position", flat=True)) == [0, 1]
    with pytest.raises(ValidationError):
        actions.move_task(w.dev, w.task.pk, status="nonsense")


def test_dependency_cycle_is_refused(in_tenant_a):
    w = world(in_tenant_a)
    a, b, c = w.task, *(actions.save_task(w.pm, w.project.pk, title=t) for t in ("B", "C"))
    actions.add_dependency(w.pm, b.pk, a.pk)  # a → b
    actions.add_dependency(w.pm, c.pk, b.pk)  # b → c
    for succ, pred in ((a.pk, c.pk), (a.pk, b.pk), (a.pk, a.pk), (c.pk, b.pk)):
        with pytest.raises(ValidationError):
            actions.add_dependency(w.pm, succ, pred)
    assert TaskDependency.objects.count() == 2
    other = actions.save_project(w.pm, code="P02", name="Other")
    foreign = actions.save_task(w.pm, other.pk, title="F")
    with pytest.raises(ValidationError):
        actions.add_dependency(w.pm, a.pk, foreign.pk)
    actions.remove_dependency(w.pm, c.pk, b.pk)
    actions.add_dependency(w.pm, a.pk, c.pk)  # no cycle any more: c → a → b
    assert TaskDependency.objects.count() == 2


def test_comment_mentions_notify_members_once(in_tenant_a):
    w = world(in_tenant_a)
    handle = w.pm.user.email.split("@")[0]
    actions.add_comment(w.dev, w.task.pk, f"@{handle} please review, and @nobody")
    notes = Notification.objects.filter(kind="projects")
    assert [n.recipient_id for n in notes] == [w.pm.user.pk]
    assert notes[0].url.endswith(f"/projects/tasks/{w.task.pk}/")
    actions.add_comment(w.pm, w.task.pk, "no mention")
    assert Notification.objects.filter(kind="projects").count() == 1
    with pytest.raises(PermissionDenied):
        actions.add_comment(
            principal(in_tenant_a, "project_manager").__class__(  # a holder without membership
                tenant=w.outsider.tenant,
                user=w.outsider.user,
                membership=None,
                permissions=frozenset({"pm.task.work", "pm.project.view", "pm.project.manage"}),
            ),
            w.task.pk,
            "hi",
        )


def test_my_tasks_across_projects(in_tenant_a):
    w = world(in_tenant_a)
    other = actions.save_project(w.pm, code="P02", name="Other")
    actions.save_member(w.pm, other.pk, user_id=w.dev.user.pk)
    t2 = actions.save_task(w.pm, other.pk, title="Deploy", assignee_id=w.dev.user.pk, due_date=dt.date(2026, 1, 5))
    actions.save_task(w.pm, other.pk, title="Not mine")
    assert [t.pk for t in selectors.my_tasks(w.dev)] == [t2.pk, w.task.pk]
    actions.move_task(w.dev, t2.pk, status="done")
    assert [t.pk for t in selectors.my_tasks(w.dev)] == [w.task.pk]
