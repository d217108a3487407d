"""Two tenants: every projects table keeps each tenant's rows to itself; ids of the other are 404 on
every API operation and page, and refused in bodies."""

from __future__ import annotations

import pytest

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.platform.testing.isolation import assert_every_table_isolated
from novasaas.projects import actions, timesheets
from novasaas.projects.tests.helpers import world

URL = "/api/v1/projects"


def _fill(tenant, monday):
    """One row in every projects table."""
    with tenant_context(tenant):
        w = world(tenant)
        phase = actions.save_phase(w.pm, w.project.pk, name="Design")
        actions.save_milestone(w.pm, w.project.pk, name="Go live", due_date=monday)
        second = actions.save_task(w.pm, w.project.pk, title="Build", phase_id=phase.pk)
        actions.add_dependency(w.pm, second.pk, w.task.pk)
        actions.add_comment(w.dev, w.task.pk, "hello")
        entry = timesheets.log_time(w.dev, task_id=w.task.pk, date=monday, hours="2")
        expense = timesheets.add_expense(w.dev, w.project.pk, date=monday, description="Taxi", amount="1000")
        member = w.project.members.get(user=w.dev.user)
        actions.set_project_tags(w.pm, w.project.pk, ["web"])
        return {
            "project": w.project.pk,
            "task": w.task.pk,
            "second": second.pk,
            "sheet": entry.timesheet_id,
            "entry": entry.pk,
            "expense": expense.pk,
            "member": member.pk,
        }


def test_every_table_is_isolated(tenant_a, tenant_b, monday):
    _fill(tenant_a, monday)
    _fill(tenant_b, monday)
    assert_every_table_isolated("projects", tenant_a, tenant_b, min_models=10)


API_PATHS = [
    ("get", "{project}"),
    ("patch", "{project}"),
    ("delete", "{project}"),
    ("get", "{project}/phases"),
    ("post", "{project}/phases"),
    ("get", "{project}/milestones"),
    ("post", "{project}/milestones"),
    ("get", "{project}/members"),
    ("post", "{project}/members"),
    ("delete", "{project}/members/{member}"),
    ("get", "{project}/tasks"),
    ("post", "{project}/tasks"),
    ("get", "{project}/gantt"),
    ("get", "{project}/burndown"),
    ("get", "{project}/expenses"),
    ("post", "{project}/expenses"),
    ("post", "expenses/{expense}/approve"),
    ("get", "tasks/{task}"),
    ("patch", "tasks/{task}"),
    ("delete", "tasks/{second}"),
    ("post", "tasks/{task}/move"),
    ("get", "tasks/{task}/dependencies"),
    ("post", "tasks/{second}/dependencies"),
    ("delete", "tasks/{second}/dependencies/{task}"),
    ("get", "tasks/{task}/comments"),
    ("post", "tasks/{task}/comments"),
    ("get", "timesheets/{sheet}/entries"),
    ("post", "timesheets/{sheet}/submit"),
    ("post", "timesheets/{sheet}/approve"),
    ("post", "timesheets/{sheet}/reject"),
    ("patch", "time-entries/{entry}"),
    ("delete", "time-entries/{entry}"),
    ("put", "{project}/tags"),
    ("post", "{project}/invoice-draft"),
    ("post", "expenses/{expense}/reject"),
    ("get", "expenses/{expense}"),
    ("patch", "expenses/{expense}"),
    ("delete", "expenses/{expense}"),
]
BODIES = {
    "phases": {"name": "x"},
    "milestones": {"name": "x", "due_date": "2026-12-01"},
    "tasks": {"title": "x"},
    "expenses": {"date": "2026-12-01", "description": "x", "amount": "1"},
    "move": {"status": "done"},
    "dependencies": {"predecessor_id": 1},
    "comments": {"body": "x"},
    "reject": {"note": ""},
    "tags": {"tags": ["x"]},
}


@pytest.mark.parametrize(("method", "path"), API_PATHS)
def test_other_tenants_ids_are_404(tenant_a, tenant_b, admin_a, method, path, monday):
    _fill(tenant_a, monday)
    ids = _fill(tenant_b, monday)
    api = ApiClient(tenant_a, admin_a)
    body = BODIES.get(path.rsplit("/", 1)[-1], {})
    if path.endswith("members"):
        body = {"user_id": admin_a.pk}
    if path.startswith("expenses/") and path.endswith("reject"):
        body = {"reason": "x"}
    r = getattr(api, method)(f"{URL}/{path.format(**ids)}", None if method == "get" else body)
    assert r.status_code == 404, (path, r.status_code, r.content[:200])


def test_other_tenants_ids_in_bodies_and_pages(tenant_a, tenant_b, admin_a, monday):
    mine = _fill(tenant_a, monday)
    ids = _fill(tenant_b, monday)
    api = ApiClient(tenant_a, admin_a)
    assert api.post(f"{URL}/tasks/{mine['second']}/dependencies", {"predecessor_id": ids["task"]}).status_code == 400
    assert (
        api.post(f"{URL}/time-entries", {"task_id": ids["task"], "date": monday.isoformat(), "hours": "1"}).status_code
        == 400
    )
    assert api.post(f"{URL}/{mine['project']}/tasks", {"title": "x", "parent_id": ids["task"]}).status_code == 400
    assert [p["id"] for p in api.get(URL).json()["items"]] == [mine["project"]]
    web = web_client(tenant_a, admin_a)
    for path in (
        f"/projects/{ids['project']}/",
        f"/projects/{ids['project']}/edit/",
        f"/projects/{ids['project']}/board/",
        f"/projects/{ids['project']}/gantt/",
        f"/projects/{ids['project']}/burndown/",
        f"/projects/tasks/{ids['task']}/",
        f"/projects/expenses/{ids['expense']}/",
    ):
        assert web.get(path).status_code == 404, path
    assert web.post(f"/projects/tasks/{ids['task']}/move/", {"status": "done"}).status_code == 404
    assert web.post(f"/projects/tasks/{ids['task']}/", {"kind": "comment", "body": "x"}).status_code == 404
    assert web.post(f"/projects/{ids['project']}/", {"kind": "phase", "phase-name": "x"}).status_code == 404
