"""The project pages as each role: list, form, detail with its forms, task, board (drag endpoint and
the keyboard path), my tasks, timesheet, approvals, reports with Excel, Gantt; query counts."""

from __future__ import annotations

import pytest

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client
from novasaas.projects import actions
from novasaas.projects.models import Project, Task, Timesheet
from novasaas.projects.tests.helpers import world

pytestmark = pytest.mark.django_db


@pytest.fixture
def w(tenant_a):
    with tenant_context(tenant_a):
        return world(tenant_a)


def test_pages_render_for_manager_and_member(tenant_a, w):
    pm = web_client(tenant_a, w.pm.user)
    dev = web_client(tenant_a, w.dev.user)
    for path in (
        "/projects/",
        "/projects/new/",
        f"/projects/{w.project.pk}/",
        f"/projects/{w.project.pk}/edit/",
        f"/projects/{w.project.pk}/board/",
        f"/projects/{w.project.pk}/gantt/",
        f"/projects/tasks/{w.task.pk}/",
        "/projects/tasks/",
        "/projects/my-tasks/",
        "/projects/timesheets/",
        "/projects/approvals/",
        "/projects/reports/",
        "/projects/reports/utilisation/",
        "/projects/reports/progress/",
        "/projects/reports/allocation/",
        f"/projects/{w.project.pk}/burndown/",
    ):
        assert pm.get(path).status_code == 200, path
    for path in (
        f"/projects/{w.project.pk}/",
        f"/projects/{w.project.pk}/board/",
        "/projects/my-tasks/",
        "/projects/timesheets/",
    ):
        r = dev.get(path)
        assert r.status_code == 200, path
    assert "Sortable.min.js" in dev.get(f"/projects/{w.project.pk}/board/").content.decode()
    for path in ("/projects/new/", f"/projects/{w.project.pk}/edit/", "/projects/approvals/", "/projects/reports/"):
        assert dev.get(path).status_code == 403, path
    outsider = web_client(tenant_a, w.outsider.user)
    assert outsider.get(f"/projects/{w.project.pk}/").status_code == 404
    assert pm.get("/projects/reports/nonsense/").status_code == 404


def test_create_project_and_children_through_pages(tenant_a, w):
    pm = web_client(tenant_a, w.pm.user)
    r = pm.post(
        "/projects/new/",
        {"code": "NEW", "name": "New one", "billing_type": "non_billable", "status": "planned", "budget": "1.000.000"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(tenant_a):
        project = Project.objects.get(code="NEW")
    assert project.budget == 1000000 and project.manager_id == w.pm.user.pk
    bad = pm.post("/projects/new/", {"code": "NEW", "name": "dup", "billing_type": "non_billable", "status": "planned"})
    assert bad.status_code == 400
    base = f"/projects/{project.pk}/"
    assert pm.post(base, {"kind": "phase", "phase-name": "Design"}).status_code == 302
    assert (
        pm.post(base, {"kind": "milestone", "milestone-name": "Go", "milestone-due_date": "15/01/2027"}).status_code
        == 302
    )
    assert (
        pm.post(
            base,
            {"kind": "member", "member-user_id": w.dev.user.pk, "member-role": "member", "member-cost_rate": "100000"},
        ).status_code
        == 302
    )
    assert (
        pm.post(base, {"kind": "task", "task-title": "T1", "task-priority": "high", "task-status": "todo"}).status_code
        == 302
    )
    assert (
        pm.post(base, {"kind": "task", "task-title": "", "task-priority": "high", "task-status": "todo"}).status_code
        == 400
    )
    with tenant_context(tenant_a):
        assert (project.phases.count(), project.milestones.count(), project.members.count(), project.tasks.count()) == (
            1,
            1,
            2,
            1,
        )
    r = pm.post(
        f"/projects/{project.pk}/edit/",
        {"code": "IGNORED", "name": "Renamed", "billing_type": "fixed_price", "status": "active"},
    )
    assert r.status_code == 302
    with tenant_context(tenant_a):
        project.refresh_from_db()
    assert (project.code, project.name, project.status) == ("NEW", "Renamed", "active")


def test_board_drag_endpoint_and_keyboard_path(tenant_a, w):
    dev = web_client(tenant_a, w.dev.user)
    r = dev.post(f"/projects/tasks/{w.task.pk}/move/", {"status": "review", "position": "0"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 204
    r = dev.post(f"/projects/tasks/{w.task.pk}/move/", {"status": "nonsense"}, HTTP_HX_REQUEST="true")
    assert r.status_code == 400
    r = dev.post(f"/projects/tasks/{w.task.pk}/move/", {"status": "done"})  # the select + button
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert Task.objects.get(pk=w.task.pk).status == "done"
    no_csrf = web_client(tenant_a, w.dev.user, send_csrf_token=False)
    assert no_csrf.post(f"/projects/tasks/{w.task.pk}/move/", {"status": "todo"}).status_code == 403


def test_task_page_comment_dependency_and_status(tenant_a, w):
    pm = web_client(tenant_a, w.pm.user)
    with tenant_context(tenant_a):
        other = actions.save_task(w.pm, w.project.pk, title="Next")
    page = f"/projects/tasks/{other.pk}/"
    assert pm.post(page, {"kind": "dependency", "predecessor_id": w.task.pk}).status_code == 302
    r = pm.post(f"/projects/tasks/{w.task.pk}/", {"kind": "dependency", "predecessor_id": other.pk})
    assert r.status_code == 400 and "cycle" in r.content.decode().lower()
    assert pm.post(page, {"kind": "comment", "body": "ok"}).status_code == 302
    assert pm.post(page, {"kind": "status", "status": "in_progress"}).status_code == 302
    assert "ok" in pm.get(page).content.decode()


def test_timesheet_and_approval_pages(tenant_a, w):
    dev = web_client(tenant_a, w.dev.user)
    r = dev.post(
        "/projects/timesheets/",
        {"kind": "log", "task_id": w.task.pk, "date": "30/11/2026", "hours": "3", "is_billable": "on"},
    )
    assert r.status_code == 302 and "week=2026-11-30" in r["Location"]
    assert (
        dev.post(
            "/projects/timesheets/", {"kind": "log", "task_id": w.task.pk, "date": "30/11/2026", "hours": "30"}
        ).status_code
        == 400
    )
    with tenant_context(tenant_a):
        sheet = Timesheet.objects.get()
    assert (
        dev.post(
            "/projects/timesheets/", {"kind": "submit", "timesheet_id": sheet.pk, "week": "2026-11-30"}
        ).status_code
        == 302
    )
    pm = web_client(tenant_a, w.pm.user)
    assert w.dev.user.email in pm.get("/projects/approvals/").content.decode()
    assert pm.post("/projects/approvals/", {"timesheet_id": sheet.pk, "decision": "approve"}).status_code == 302
    with tenant_context(tenant_a):
        assert Timesheet.objects.get().status == "approved"
    r = pm.get("/projects/reports/costs/?format=xlsx")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('.xlsx"')


def test_list_pages_do_not_grow_queries(tenant_a, w, django_assert_max_num_queries):
    pm = web_client(tenant_a, w.pm.user)
    with tenant_context(tenant_a):
        for i in range(15):
            p = actions.save_project(w.pm, code=f"Q{i}", name=f"Q{i}", customer_id=None)
            actions.save_task(w.pm, p.pk, title=f"t{i}", assignee_id=w.pm.user.pk)
    for path in ("/projects/", "/projects/tasks/", "/projects/my-tasks/", f"/projects/{w.project.pk}/board/"):
        with django_assert_max_num_queries(30):
            assert pm.get(path).status_code == 200
