"""The Projects API: CRUD, roles, the board move, dependencies (cycle → 400), timesheet flow, reports
and the Gantt data, through HTTP as each role."""

from __future__ import annotations

from decimal import Decimal

import pytest

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user
from novasaas.projects.tests.helpers import world

URL = "/api/v1/projects"
pytestmark = pytest.mark.django_db


def test_project_crud_through_api(tenant_a, admin_a):
    pm = ApiClient(tenant_a, create_user(tenant_a, "project_manager"))
    r = pm.post(URL, {"code": "WEB", "name": "Website", "budget": "1000000", "billing_type": "fixed_price"})
    assert r.status_code == 201, r.json()
    pid = r.json()["id"]
    assert pm.post(URL, {"code": "WEB", "name": "Again"}).status_code == 400
    assert pm.post(URL, {"code": "X", "name": "y", "budget": "1.5"}).status_code == 422
    assert pm.patch(f"{URL}/{pid}", {"status": "active", "end_date": "2027-01-31"}).json()["status"] == "active"
    assert pm.patch(f"{URL}/{pid}", {"start_date": "2027-02-01"}).status_code == 400
    assert (
        pm.post(
            f"{URL}/{pid}/phases", {"name": "Design", "start_date": "2026-12-01", "end_date": "2026-12-20"}
        ).status_code
        == 201
    )
    assert pm.post(f"{URL}/{pid}/milestones", {"name": "Go live", "due_date": "2027-01-15"}).status_code == 201
    dev = create_user(tenant_a, "employee")
    r = pm.post(
        f"{URL}/{pid}/members", {"user_id": dev.pk, "role": "member", "cost_rate": "100000", "bill_rate": "200000"}
    )
    assert r.status_code == 201 and r.json()["email"] == dev.email
    assert [m["user_id"] for m in pm.get(f"{URL}/{pid}/members").json()][1:] == [dev.pk]
    assert [p["code"] for p in pm.get(URL).json()["items"]] == ["WEB"]
    assert pm.get(URL, {"status": "nonsense"}).status_code == 422
    other = pm.post(URL, {"code": "TMP", "name": "tmp"}).json()["id"]
    assert pm.delete(f"{URL}/{other}").status_code == 204
    assert pm.get(f"{URL}/{other}").status_code == 404


def test_roles_on_the_api(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
    dev = ApiClient(tenant_a, w.dev.user)
    outsider = ApiClient(tenant_a, w.outsider.user)
    assert dev.post(URL, {"code": "NO", "name": "no"}).status_code == 403
    assert dev.post(f"{URL}/{w.project.pk}/tasks", {"title": "x"}).status_code == 403
    assert dev.post(f"{URL}/{w.project.pk}/members", {"user_id": w.dev.user.pk}).status_code == 403
    assert dev.patch(f"{URL}/tasks/{w.task.pk}", {"title": "renamed"}).status_code == 403
    assert dev.patch(f"{URL}/tasks/{w.task.pk}", {"status": "review"}).json()["status"] == "review"
    assert outsider.get(f"{URL}/{w.project.pk}").status_code == 404
    assert outsider.post(f"{URL}/tasks/{w.task.pk}/move", {"status": "done"}).status_code == 404
    assert outsider.get(URL).json()["items"] == []
    assert dev.get(f"{URL}/reports/costs").status_code == 403
    customer = ApiClient(tenant_a, create_user(tenant_a, "customer"))
    assert customer.get(URL).status_code == 403


def test_tasks_board_dependencies_comments(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
    pm = ApiClient(tenant_a, w.pm.user)
    dev = ApiClient(tenant_a, w.dev.user)
    b = pm.post(
        f"{URL}/{w.project.pk}/tasks", {"title": "Build", "assignee_id": w.dev.user.pk, "estimate_hours": "16"}
    ).json()
    sub = pm.post(f"{URL}/{w.project.pk}/tasks", {"title": "Sub", "parent_id": b["id"]})
    assert sub.status_code == 201 and sub.json()["parent_id"] == b["id"]
    assert pm.post(f"{URL}/tasks/{b['id']}/dependencies", {"predecessor_id": w.task.pk}).status_code == 201
    r = pm.post(f"{URL}/tasks/{w.task.pk}/dependencies", {"predecessor_id": b["id"]})
    assert r.status_code == 400 and "cycle" in str(r.json()).lower()
    assert [d["predecessor_id"] for d in pm.get(f"{URL}/tasks/{b['id']}/dependencies").json()] == [w.task.pk]
    r = dev.post(f"{URL}/tasks/{b['id']}/move", {"status": "in_progress", "position": 0})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    assert dev.post(f"{URL}/tasks/{b['id']}/move", {"status": "bogus"}).status_code == 422
    assert dev.post(f"{URL}/tasks/{b['id']}/comments", {"body": "started"}).status_code == 201
    assert [c["body"] for c in pm.get(f"{URL}/tasks/{b['id']}/comments").json()] == ["started"]
    mine = dev.get(f"{URL}/my-tasks").json()["items"]
    assert {t["id"] for t in mine} == {w.task.pk, b["id"]}
    gantt = dev.get(f"{URL}/{w.project.pk}/gantt").json()
    assert {t["id"]: t["dependencies"] for t in gantt["tasks"]}[b["id"]] == [w.task.pk]
    assert pm.delete(f"{URL}/tasks/{b['id']}/dependencies/{w.task.pk}").status_code == 204


def test_timesheet_flow_and_reports(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, budget="1000000")
    pm = ApiClient(tenant_a, w.pm.user)
    dev = ApiClient(tenant_a, w.dev.user)
    r = dev.post(f"{URL}/time-entries", {"task_id": w.task.pk, "date": "2026-11-30", "hours": "6", "note": "design"})
    assert r.status_code == 201, r.json()
    entry, sheet = r.json()["id"], r.json()["timesheet_id"]
    assert Decimal(dev.patch(f"{URL}/time-entries/{entry}", {"hours": "4"}).json()["hours"]) == 4
    assert (
        dev.post(f"{URL}/time-entries", {"task_id": w.task.pk, "date": "2026-11-30", "hours": "25"}).status_code == 400
    )
    assert pm.post(f"{URL}/timesheets/{sheet}/approve").status_code == 400  # still a draft
    assert dev.post(f"{URL}/timesheets/{sheet}/submit").json()["status"] == "submitted"
    assert [s["id"] for s in pm.get(f"{URL}/timesheets/to-approve").json()["items"]] == [sheet]
    assert dev.post(f"{URL}/timesheets/{sheet}/approve").status_code == 403
    assert pm.post(f"{URL}/timesheets/{sheet}/approve").json()["status"] == "approved"
    assert dev.patch(f"{URL}/time-entries/{entry}", {"hours": "1"}).status_code == 400
    assert dev.delete(f"{URL}/time-entries/{entry}").status_code == 400
    exp = dev.post(f"{URL}/{w.project.pk}/expenses", {"date": "2026-11-30", "description": "Taxi", "amount": "50000"})
    assert exp.status_code == 201
    assert pm.post(f"{URL}/expenses/{exp.json()['id']}/approve").json()["status"] == "approved"
    costs = pm.get(f"{URL}/reports/costs").json()
    row = costs["rows"][0]
    figures = [Decimal(row[k]) for k in ("labour_cost", "expenses", "actual_cost", "billing")]
    assert (row["code"], figures) == ("P01", [400000, 50000, 450000, 1000000])  # 4 h × 100,000; 4 h × 250,000
    util = pm.get(f"{URL}/reports/utilisation").json()["rows"]
    assert [(u["person"], Decimal(u["hours"]), Decimal(u["utilisation_pct"])) for u in util] == [
        (w.dev.user.email, 4, 100)
    ]
    assert pm.get(f"{URL}/reports/progress").json()["rows"][0]["tasks"] == 1
    xlsx = pm.get(f"{URL}/reports/costs", {"format": "xlsx"})
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    assert pm.get(f"{URL}/reports/nonsense").status_code == 422
