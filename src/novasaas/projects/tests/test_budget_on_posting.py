"""Budget watch on posting (§11.4, ACC → PM): a purchase bill line charged to a project, or any journal
entry on ``project:<code>``, re-checks the project's budget through the ``PostedOnDimensions``
subscriber (outbox, module PM): the 80 % and 100 % crossings notify once each, never twice on a
redelivery; another tenant's project of the same code is untouched; a tenant without PM queues nothing."""

from __future__ import annotations

from decimal import Decimal

from novasaas.accounting import actions as acc
from novasaas.accounting import dimensions
from novasaas.inventory.tests.helpers import principal
from novasaas.platform.events import deliver_pending
from novasaas.platform.models import OutboxMessage
from novasaas.platform.notifications import Notification
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import create_tenant
from novasaas.projects.models import Project
from novasaas.projects.tests.helpers import world as project_world
from novasaas.purchasing import bills
from novasaas.purchasing.tests.helpers import world

D = Decimal
HANDLER = "novasaas.projects.subscribers.watch_budget_on_posting"


def _bill(w, project_id, amount, no, today):
    bill = bills.create_bill(
        w.staff,
        vendor_id=w.vendor.pk,
        vendor_invoice_no=no,
        lines=[
            {
                "description": "Thuê thiết bị",
                "expense_role": "admin_expense",
                "unit_price": amount,
                "project_id": project_id,
            }
        ],
        date=today,
    )
    return bills.post_bill(w.staff, bill.pk)


def _entry(tenant, today, amount, dimension):
    fm = principal(tenant, "finance_manager")
    lines = [
        {"account": "6422", "debit": D(amount), "credit": D(0), "dimension": dimension},
        {"account": "1111", "debit": D(0), "credit": D(amount), "dimension": None},
    ]
    entry = acc.create_entry(fm, journal_id="GEN", date=today, lines=lines, memo="chi phí dự án")
    return acc.post_entry(fm, entry.pk)


def _queued():
    with platform_context():
        return OutboxMessage.objects.filter(handler=HANDLER).count()


def test_posting_on_a_project_notifies_each_threshold_once(tenant_a, tenant_b, today):
    with tenant_context(tenant_b):
        pb = project_world(tenant_b, budget="1000000", code="P01")  # same code in the other tenant
    with tenant_context(tenant_a):
        w = world(tenant_a)
        pw = project_world(tenant_a, budget="10000000", code="P01")
        alerts = Notification.objects.filter(kind="projects", recipient=pw.pm.user)
        # 8,500,000 đ of a purchase bill charged to the project: 85 %
        _bill(w, pw.project.pk, "8500000", "DV-1", today)
        assert alerts.count() == 0  # after the posting commits, not inside it
    assert deliver_pending() >= 1
    with tenant_context(tenant_a):
        assert alerts.count() == 1 and "80%" in alerts.get().title
        assert Project.objects.get(pk=pw.project.pk).budget_alert_level == 80
    assert deliver_pending() == 0  # nothing left; a redelivered message would notify nothing more
    with tenant_context(tenant_a):
        from novasaas.accounting.events import PostedOnDimensions
        from novasaas.projects.subscribers import watch_budget_on_posting

        watch_budget_on_posting(PostedOnDimensions(tenant_id=tenant_a.pk, dimensions="project:P01"))
        assert alerts.count() == 1
        # a bill without a project publishes nothing for the watch
        before = _queued()
        _bill(w, None, "100000", "DV-2", today)
        assert _queued() == before
        # a manual journal entry on the project's dimension: 10,500,000 đ ≥ budget
        _entry(tenant_a, today, "2000000", "project:P01")
    deliver_pending()
    with tenant_context(tenant_a):
        assert alerts.count() == 2 and "100%" in alerts.order_by("-pk")[0].title
        _entry(tenant_a, today, "1000", "project:P01")
    deliver_pending()
    with tenant_context(tenant_a):
        assert alerts.count() == 2  # each threshold once
    with tenant_context(tenant_b):
        assert Project.objects.get(pk=pb.project.pk).budget_alert_level == 0
        assert not Notification.objects.filter(kind="projects").exists()


def test_no_watch_without_projects(db, today):
    tenant = create_tenant(modules=["ACC"])
    with tenant_context(tenant):
        fm = principal(tenant, "finance_manager")
        dimensions.create_dimension(fm, kind="project", code="X1", name="Dự án X")
        _entry(tenant, today, "500000", "project:X1")
    assert _queued() == 0
