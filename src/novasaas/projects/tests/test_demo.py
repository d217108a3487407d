"""The demo loader: two projects with a team, tasks, dependencies, timesheets and costs; idempotent."""

from __future__ import annotations

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user
from novasaas.projects.demo import load_demo_projects
from novasaas.projects.models import Project, TaskDependency, Timesheet


def test_demo_projects(tenant_a):
    create_user(tenant_a, "project_manager")
    create_user(tenant_a, "employee")
    load_demo_projects(tenant_a)
    load_demo_projects(tenant_a)  # idempotent
    with tenant_context(tenant_a):
        assert list(Project.objects.values_list("code", flat=True)) == ["DA-ERP", "DA-WEB"]
        web = Project.objects.get(code="DA-WEB")
        assert web.members.count() == 2 and web.tasks.count() == 4
        assert TaskDependency.objects.count() == 4
        assert set(Timesheet.objects.values_list("project__code", "status")) == {
            ("DA-WEB", "approved"),
            ("DA-ERP", "submitted"),
        }
