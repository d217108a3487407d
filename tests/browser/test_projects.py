"""Projects in a real browser: a Kanban card dragged to another column is saved (SortableJS, CSRF-
protected POST), and the Gantt chart renders its bars and dependency arrows (frappe-gantt)."""

import datetime as dt
import re

import pytest

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import PASSWORD
from novasaas.projects import actions
from novasaas.projects.models import Task
from novasaas.projects.tests.helpers import world

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_drag_a_card_to_done_and_see_the_gantt(page, tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        start = dt.date(2026, 12, 7)
        actions.save_task(w.pm, task_id=w.task.pk, start_date=start, due_date=start + dt.timedelta(days=3))
        nxt = actions.save_task(
            w.pm,
            w.project.pk,
            title="Build",
            start_date=start + dt.timedelta(days=4),
            due_date=start + dt.timedelta(days=9),
        )
        actions.add_dependency(w.pm, nxt.pk, w.task.pk)
    sign_in(page, w.dev.user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/projects/{w.project.pk}/board/")
    card = page.locator(f'li.pm-card[data-task="{w.task.pk}"]')
    target = page.locator('ul.pm-column[data-status="done"]')
    box, drop = card.bounding_box(), target.bounding_box()
    page.mouse.move(box["x"] + 10, box["y"] + 10)
    page.mouse.down()
    for i in range(1, 21):
        page.mouse.move(
            box["x"] + 10 + (drop["x"] + 20 - box["x"] - 10) * i / 20,
            box["y"] + 10 + (drop["y"] + 10 - box["y"] - 10) * i / 20,
        )
    page.mouse.up()
    page.locator(f'li.pm-card[data-task="{w.task.pk}"][data-moved="done"]').wait_for()
    with tenant_context(tenant_a):
        assert Task.objects.get(pk=w.task.pk).status == "done"

    page.goto(f"/projects/{w.project.pk}/gantt/")
    page.locator("#pm-gantt[data-rendered]").wait_for()
    assert page.locator("#pm-gantt .bar-wrapper").count() >= 2
    assert page.locator("#pm-gantt .arrow").count() >= 1
