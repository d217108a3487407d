"""Dashboard (spec §3.1.3): CORE widgets, arranging, quick actions, alerts."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novasaas.platform.dashboard import normalize_layout
from novasaas.platform.models import Tenant
from novasaas.platform.notifications import notify
from novasaas.platform.tenancy import platform_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

pytestmark = pytest.mark.date_sensitive  # this month's figures


def _layout(tenant):
    with platform_context():
        return normalize_layout(Tenant.objects.get(pk=tenant.pk).dashboard_layout)


def _widget_order(body):
    import re

    # the CORE widgets only: module widgets (accounting, inventory, …) are tested by their modules
    return [k for k in re.findall(r'data-widget="([^"]+)"', body) if k.startswith("core.")]


def test_core_widgets_show_members_and_unread(tenant_a, admin_a):
    create_user(tenant_a, "accountant")
    notify(tenant_a, [admin_a], "system", "Cảnh báo tồn kho")
    body = web_client(tenant_a, admin_a).get("/").content.decode()
    assert _widget_order(body) == ["core.notifications", "core.users"]
    assert "Cảnh báo tồn kho" in body  # alerts: the latest unread notifications


def test_staff_sees_limited_widgets(tenant_a):
    staff = create_user(tenant_a, "warehouse_staff")
    body = web_client(tenant_a, staff).get("/").content.decode()
    assert _widget_order(body) == ["core.notifications"]


def test_quick_actions_are_those_the_user_may_use(tenant_a, admin_a):
    admin_body = web_client(tenant_a, admin_a).get("/").content.decode()
    assert "/settings/api-keys/" in admin_body and "/settings/invitations/" in admin_body
    manager_body = web_client(tenant_a, create_user(tenant_a, "manager")).get("/").content.decode()
    assert "/settings/invitations/" in manager_body and "/settings/api-keys/" not in manager_body
    staff_body = web_client(tenant_a, create_user(tenant_a, "sales_staff")).get("/").content.decode()
    actions = staff_body.split('id="quick-actions"', 1)[1].split("</div>", 1)[0]
    assert "/sales/orders/new/" in actions  # sales staff: the sales quick action, none of the settings
    assert "/settings/" not in actions


def test_manager_reorders_and_hides_widgets(tenant_a, admin_a):
    manager = create_user(tenant_a, "manager")
    client = web_client(tenant_a, manager)
    assert client.get("/dashboard/arrange/").status_code == 200
    r = client.post(
        "/dashboard/arrange/",
        {"order": ["core.users", "core.notifications"], "visible": ["core.users", "core.notifications"]},
    )
    assert r.status_code == 302
    assert _widget_order(web_client(tenant_a, admin_a).get("/").content.decode()) == [
        "core.users",
        "core.notifications",
    ]
    client.post(
        "/dashboard/arrange/",
        {"order": ["core.users", "core.notifications"], "visible": ["core.users"], "move": "down:core.users"},
    )
    assert _layout(tenant_a) == [
        {"key": "core.notifications", "visible": False},
        {"key": "core.users", "visible": True},
    ]
    assert _widget_order(client.get("/").content.decode()) == ["core.users"]


def test_staff_cannot_arrange(tenant_a):
    staff = create_user(tenant_a, "warehouse_staff")
    client = web_client(tenant_a, staff)
    assert client.get("/dashboard/arrange/").status_code == 403
    assert client.post("/dashboard/arrange/", {"order": ["core.notifications"]}).status_code == 403
    assert (
        ApiClient(tenant_a, staff)
        .put("/api/v1/dashboard/layout", {"widgets": [{"key": "core.notifications"}]})
        .status_code
        == 403
    )
    assert _layout(tenant_a) == []


def test_layout_api(api_a, tenant_a, tenant_b):
    r = api_a.get("/api/v1/dashboard/layout")
    assert [w["key"] for w in r.json()["widgets"] if w["key"].startswith("core.")] == [
        "core.notifications",
        "core.users",
    ]
    r = api_a.put(
        "/api/v1/dashboard/layout",
        {"widgets": [{"key": "core.users"}, {"key": "core.notifications", "visible": False}]},
    )
    assert r.status_code == 200
    assert r.json()["widgets"][0] == {"key": "core.users", "visible": True}
    assert api_a.put("/api/v1/dashboard/layout", {"widgets": [{"key": "nope"}]}).status_code == 400
    assert api_a.put("/api/v1/dashboard/layout", {"widgets": [{"key": "core.users", "x": 1}]}).status_code == 422
    assert _layout(tenant_b) == []  # the other company's layout is untouched


def test_bell_stops_polling_when_signed_out(db):
    from django.test import Client

    assert Client().get("/notifications/bell/", HTTP_HX_REQUEST="true").status_code == 286


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    order=st.permutations(["core.users", "core.notifications"]),
    hidden=st.sets(st.sampled_from(["core.users", "core.notifications"])),
)
def test_arranged_layout_is_what_the_dashboard_shows(tenant_a, admin_a, order, hidden):
    """Property: after arranging, the dashboard shows exactly the visible widgets, in the saved order."""
    from django.db import transaction

    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership
    from novasaas.platform.dashboard import arrange_dashboard, layout_for, widgets_for
    from novasaas.platform.tenancy import tenant_context

    with transaction.atomic():
        sid = transaction.savepoint()
        with tenant_context(tenant_a):
            principal = principal_for(Membership.objects.get(user=admin_a))
            arrange_dashboard(principal, [{"key": k, "visible": k not in hidden} for k in order])
            core = [w["key"] for w in layout_for(principal) if w["key"].startswith("core.")]
            assert core == list(order)
            shown = [w.key for w, _ctx in widgets_for(principal) if w.key.startswith("core.")]
            assert shown == [k for k in order if k not in hidden]
        transaction.savepoint_rollback(sid)
