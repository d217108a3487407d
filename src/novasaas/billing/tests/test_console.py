"""Master Admin's manual actions on a subscription: audited, refused when they do not apply, and
Master Admin only."""

from __future__ import annotations

import datetime as dt

from novasaas.billing.models import Subscription
from novasaas.billing.tests.helpers import D0, master_client, subscribe
from novasaas.platform.models import AuditLog
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import admin_of, create_tenant, web_client


def _sub(t):
    with tenant_context(t):
        return Subscription.objects.select_related("plan").get(tenant_id=t.pk)


def test_master_admin_extends_a_trial_suspends_and_reactivates(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter", trial=True)
    c, _m = master_client()
    url = f"/platform/billing/tenants/{t.pk}/action/"
    assert c.post(url, {"action": "extend_trial", "days": "7"}).status_code == 302
    assert _sub(t).trial_ends_on == D0 + dt.timedelta(days=21)
    c.post(url, {"action": "extend_trial", "days": "500"})  # refused, nothing changed
    assert _sub(t).trial_ends_on == D0 + dt.timedelta(days=21)
    c.post(url, {"action": "suspend"})
    assert _sub(t).status == "read_only"
    c.post(url, {"action": "reactivate"})
    assert _sub(t).status == "active"
    c.post(url, {"action": "change_plan", "plan": "business"})
    assert _sub(t).plan.code == "business"
    c.post(url, {"action": "nonsense"})
    with platform_context():
        messages = list(
            AuditLog.objects.filter(tenant=t, message__startswith="Master Admin:").values_list("message", flat=True)
        )
    assert sorted(messages) == [
        "Master Admin: change_plan",
        "Master Admin: extend_trial",
        "Master Admin: reactivate",
        "Master Admin: suspend",
    ]


def test_only_the_master_admin_acts(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter")
    url = f"/platform/billing/tenants/{t.pk}/action/"
    support, _u = master_client("support")
    assert support.post(url, {"action": "suspend"}).status_code == 403
    assert web_client(t, admin_of(t)).post(url, {"action": "suspend"}).status_code == 403
    assert _sub(t).status == "active"
