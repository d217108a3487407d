"""PostgreSQL only: races on the project row lock. Two opposite links asked at once never both land (no
cycle), and concurrent approvals notify each budget threshold exactly once."""

from __future__ import annotations

import threading

import pytest

from novasaas.inventory.tests.test_postgres import _race
from novasaas.platform.models import Notification
from novasaas.platform.tenancy import tenant_context
from novasaas.projects import actions, timesheets
from novasaas.projects.models import TaskDependency
from novasaas.projects.tests.helpers import principal, world

pytestmark = pytest.mark.postgres_only


def test_opposite_links_at_once_never_make_a_cycle(transactional_db, tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        pairs = [(w.task.pk, actions.save_task(w.pm, w.project.pk, title=f"T{i}").pk) for i in range(5)]
    for a, b in pairs:
        jobs = iter([(a, b), (b, a)])
        lock = threading.Lock()

        def work(jobs=jobs, lock=lock):
            with lock:
                succ, pred = next(jobs)
            actions.add_dependency(w.pm, succ, pred)

        outcomes = _race(tenant_a, 2, 1, work)
        assert sorted(outcomes) == ["ok", "refused"], outcomes
    with tenant_context(tenant_a):
        links = set(TaskDependency.objects.values_list("predecessor_id", "successor_id"))
    assert len(links) == 5 and not any((b, a) in links for a, b in links)


def test_concurrent_approvals_notify_each_threshold_once(transactional_db, tenant_a, monday):
    with tenant_context(tenant_a):
        w = world(tenant_a, budget="1000000")
        sheets = []
        for _ in range(5):  # five members, 4 h each at 100,000 đ: 40 % of the budget per sheet
            dev = principal(tenant_a, "employee")
            actions.save_member(w.pm, w.project.pk, user_id=dev.user.pk, cost_rate="100000")
            sheet = timesheets.log_time(dev, task_id=w.task.pk, date=monday, hours="4").timesheet
            timesheets.submit_timesheet(dev, sheet.pk)
            sheets.append(sheet.pk)
    ids = iter(sheets)
    lock = threading.Lock()

    def approve():
        with lock:
            sheet_id = next(ids)
        timesheets.approve_timesheet(w.pm, sheet_id)

    assert sorted(_race(tenant_a, 5, 1, approve)) == ["ok"] * 5
    with tenant_context(tenant_a):
        titles = sorted(
            Notification.objects.filter(kind="projects", recipient=w.pm.user).values_list("title", flat=True)
        )
        w.project.refresh_from_db()
    assert len(titles) == 2 and "100%" in titles[0] and "80%" in titles[1], titles
    assert w.project.budget_alert_level == 100
