"""Gantt data of a large project (issue 15 "Gantt of a 2,000-task project renders its data endpoint in
< 300 ms"). Prints figures; asserts nothing.

    .venv/bin/python benchmarks/projects.py [--tasks 2000] [--repeat 5]
    DATABASE_URL=postgres://novasaas@127.0.0.1:5432/novasaas_bench_pm .venv/bin/python benchmarks/projects.py

Builds one project with ``--tasks`` tasks (a tenth of them subtasks, dates on every task, one
finish-to-start dependency per task after the first: a long chain plus cross links), ten phases and
twenty milestones, bulk-inserted; then times ``GET /api/v1/projects/{id}/gantt`` through the test
client as the Project Manager (the whole request: auth, module gate, four queries, JSON), and the
selector alone. Uses a throw-away SQLite database unless DATABASE_URL is set (point it at an empty
database you can discard).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--tasks", type=int, default=2000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)

    from django.conf import settings

    settings.ALLOWED_HOSTS = ["*"]
    from novasaas.identity import actions as identity_actions
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership
    from novasaas.platform.models import Tenant
    from novasaas.platform.tenancy import platform_context, tenant_context
    from novasaas.platform.testing.fixtures import ApiClient
    from novasaas.projects import actions, selectors
    from novasaas.projects.models import Milestone, Phase, Task, TaskDependency

    slug = f"pmbench{int(time.time())}"
    tenant, admin = identity_actions.create_tenant(
        slug=slug, name="Bench", admin_email=f"{slug}@example.com", admin_password="Bench-password-1", modules=["PM"]
    )
    with platform_context():
        Tenant.objects.filter(pk=tenant.pk).update(status="active")
        tenant.refresh_from_db()
    print(f"database: {connection.vendor}, tenant: {slug}, tasks: {args.tasks}")
    start = dt.date(2026, 1, 5)
    with tenant_context(tenant):
        p = principal_for(Membership.objects.select_related("tenant", "user").get(user=admin))
        project = actions.save_project(p, code="BIG", name="Big project", start_date=start)
        phases = Phase.objects.bulk_create(
            [
                Phase(
                    tenant=tenant,
                    project=project,
                    name=f"Phase {i}",
                    start_date=start,
                    end_date=start + dt.timedelta(days=30 * (i + 1)),
                    position=i,
                )
                for i in range(10)
            ]
        )
        Milestone.objects.bulk_create(
            [
                Milestone(tenant=tenant, project=project, name=f"M{i}", due_date=start + dt.timedelta(days=15 * i))
                for i in range(20)
            ]
        )
        tops = args.tasks - args.tasks // 10
        tasks = Task.objects.bulk_create(
            [
                Task(
                    tenant=tenant,
                    project=project,
                    phase=phases[i % 10],
                    title=f"Task {i}",
                    start_date=start + dt.timedelta(days=i // 4),
                    due_date=start + dt.timedelta(days=i // 4 + 3),
                    estimate_hours=16,
                    position=i,
                )
                for i in range(tops)
            ]
        )
        subs = Task.objects.bulk_create(
            [
                Task(tenant=tenant, project=project, parent=tasks[i * 9], title=f"Sub {i}", position=tops + i)
                for i in range(args.tasks - tops)
            ]
        )
        every = tasks + subs
        links = [
            TaskDependency(tenant=tenant, predecessor=every[i - 1], successor=every[i]) for i in range(1, len(every))
        ]
        TaskDependency.objects.bulk_create(links, batch_size=1000)
        if connection.vendor == "postgresql":  # as autovacuum would after a bulk load: fresh statistics
            with connection.cursor() as cursor:
                for table in ("projects_task", "projects_taskdependency", "projects_phase", "projects_milestone"):
                    cursor.execute(f"ANALYZE {table}")

        with CaptureQueriesContext(connection) as ctx:
            data = selectors.gantt(project)
        print(f"{'selector: tasks / queries':<50} {len(data['tasks']):>8} / {len(ctx)}")
        times = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            selectors.gantt(project)
            times.append((time.perf_counter() - t0) * 1000)
        print(f"{'selector gantt(): median / best':<50} {statistics.median(times):8.1f} / {min(times):.1f} ms")

    api = ApiClient(tenant, admin)
    url = f"/api/v1/projects/{project.pk}/gantt"
    times = []
    size = 0
    for _ in range(args.repeat):
        t0 = time.perf_counter()
        response = api.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        size = len(response.content)
        assert response.status_code == 200, response.status_code
    label = "GET gantt endpoint: median / best"
    print(f"{label:<50} {statistics.median(times):8.1f} / {min(times):.1f} ms ({size // 1024} KiB)")


if __name__ == "__main__":
    main()
