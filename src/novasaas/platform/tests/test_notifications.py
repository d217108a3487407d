"""Notifications (spec §3.1.5): notify(), preferences, email through the outbox, API and pages."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novasaas.identity.models import Membership
from novasaas.platform.models import Notification, NotificationPreference, OutboxMessage, Tenant
from novasaas.platform.notifications import KINDS, mark_all_read, notify, set_preferences, unread_count
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client


def _titles(tenant, user):
    with tenant_context(tenant):
        return sorted(Notification.objects.filter(recipient=user).values_list("title", flat=True))


def test_notify_users_and_by_permission(tenant_a, admin_a):
    manager = create_user(tenant_a, "manager")
    staff = create_user(tenant_a, "sales_staff")
    notify(tenant_a, [staff], "system", "Chào bạn")
    notify(tenant_a, "core.audit.view", "security", "Đăng nhập lạ", "Từ IP 1.2.3.4", "/settings/audit/")
    assert _titles(tenant_a, staff) == ["Chào bạn"]
    assert _titles(tenant_a, manager) == ["Đăng nhập lạ"]
    assert _titles(tenant_a, admin_a) == ["Đăng nhập lạ"]


def test_notify_skips_inactive_members_and_other_tenants(tenant_a, tenant_b, admin_b):
    staff = create_user(tenant_a, "sales_staff")
    with tenant_context(tenant_a):
        Membership.objects.filter(user=staff).update(is_active=False)
    created = notify(tenant_a, [staff, admin_b], "system", "X")
    assert created == []
    assert _titles(tenant_b, admin_b) == []


def test_notify_by_permission_of_a_disabled_module_reaches_nobody(tenant_a, admin_a):
    with platform_context():
        Tenant.objects.filter(pk=tenant_a.pk).update(enabled_modules=[])
        tenant = Tenant.objects.get(pk=tenant_a.pk)
    assert notify(tenant, "acc.entry.approve", "approvals", "Duyệt") == []


def test_unknown_kind_is_refused(tenant_a, admin_a):
    with pytest.raises(ValidationError):
        notify(tenant_a, [admin_a], "nope", "X")


def test_email_follows_preferences_and_leaves_after_commit(tenant_a, admin_a, django_capture_on_commit_callbacks):
    staff = create_user(tenant_a, "sales_staff")
    with tenant_context(tenant_a):
        set_preferences(staff, {"system": {"in_app": False, "email": True}})
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        notify(tenant_a, [staff, admin_a], "system", "Bảo trì hệ thống", "Tối nay 22h", "/notifications/")
    assert not mail.outbox  # nothing before commit
    with platform_context():
        assert OutboxMessage.objects.filter(event="platform.NotificationEmail").count() == 2  # system: email by default
    for cb in callbacks:
        cb()
    assert sorted(m.to[0] for m in mail.outbox) == sorted([staff.email, admin_a.email])
    assert "Tối nay 22h" in mail.outbox[0].body and "/notifications/" in mail.outbox[0].body
    assert _titles(tenant_a, staff) == []  # switched off in the app
    assert _titles(tenant_a, admin_a) == ["Bảo trì hệ thống"]


def test_no_email_for_kinds_without_email(tenant_a, admin_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        notify(tenant_a, [admin_a], "users", "Có người mới")
    assert not mail.outbox


def test_company_switches_override_preferences(tenant_a, admin_a, django_capture_on_commit_callbacks):
    with platform_context():
        Tenant.objects.filter(pk=tenant_a.pk).update(notification_settings={"email": False, "in_app": False})
        tenant = Tenant.objects.get(pk=tenant_a.pk)
    with django_capture_on_commit_callbacks(execute=True):
        assert notify(tenant, [admin_a], "security", "X") == []
    assert not mail.outbox


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    reads=st.lists(st.integers(min_value=0, max_value=7), max_size=10),
    n=st.integers(min_value=0, max_value=8),
)
def test_unread_count_matches_unread_rows(tenant_a, admin_a, reads, n):
    """Property: the unread count is the number of notifications never marked read."""
    from django.db import transaction

    from novasaas.platform.notifications import mark_read

    with transaction.atomic():
        sid = transaction.savepoint()
        made = []
        for _ in range(n):
            made += notify(tenant_a, [admin_a], "users", "n")
        with tenant_context(tenant_a):
            for i in set(reads):
                if i < len(made):
                    mark_read(admin_a, Notification.objects.get(pk=made[i].pk))
            assert unread_count(admin_a) == n - len({i for i in reads if i < n})
            mark_all_read(admin_a)
            assert unread_count(admin_a) == 0
        transaction.savepoint_rollback(sid)


# --- API ------------------------------------------------------------------------------------------------


def test_notifications_api(tenant_a, tenant_b, admin_a, admin_b, api_a, api_b):
    notify(tenant_a, [admin_a], "system", "Một")
    notify(tenant_a, [admin_a], "system", "Hai")
    notify(tenant_b, [admin_b], "system", "Của Beta")
    r = api_a.get("/api/v1/notifications")
    assert r.status_code == 200 and [n["title"] for n in r.json()["items"]] == ["Hai", "Một"]
    assert api_a.get("/api/v1/notifications/unread-count").json() == {"count": 2}
    first = r.json()["items"][0]["id"]
    r = api_a.post(f"/api/v1/notifications/{first}/read")
    assert r.status_code == 200 and r.json()["read_at"]
    assert api_a.get("/api/v1/notifications?unread=true").json()["count"] == 1
    beta_id = api_b.get("/api/v1/notifications").json()["items"][0]["id"]
    assert api_a.post(f"/api/v1/notifications/{beta_id}/read").status_code == 404
    assert api_a.post("/api/v1/notifications/read-all").json() == {"count": 1}
    assert api_b.get("/api/v1/notifications/unread-count").json() == {"count": 1}


def test_other_members_notifications_are_404(tenant_a, admin_a):
    staff = create_user(tenant_a, "sales_staff")
    (n,) = notify(tenant_a, [admin_a], "system", "Riêng tư")
    api = ApiClient(tenant_a, staff)
    assert api.post(f"/api/v1/notifications/{n.pk}/read").status_code == 404
    assert api.get("/api/v1/notifications").json()["count"] == 0
    assert web_client(tenant_a, staff).post(f"/notifications/{n.pk}/read/").status_code == 404


def test_preferences_api(api_a, tenant_a, admin_a):
    rows = api_a.get("/api/v1/notifications/preferences").json()
    assert {r["kind"] for r in rows} == set(KINDS)
    r = api_a.put("/api/v1/notifications/preferences", [{"kind": "users", "in_app": False, "email": True}])
    assert r.status_code == 200
    assert next(x for x in r.json() if x["kind"] == "users") == {
        "kind": "users",
        "label": str(KINDS["users"].label),
        "in_app": False,
        "email": True,
    }
    assert api_a.put("/api/v1/notifications/preferences", [{"kind": "nope"}]).status_code == 400
    assert api_a.put("/api/v1/notifications/preferences", [{"kind": "users", "sms": True}]).status_code == 422
    with tenant_context(tenant_a):
        assert NotificationPreference.objects.count() == 1


def test_api_key_has_no_notifications(api_a):
    raw = api_a.post("/api/v1/api-keys", {"name": "k", "permissions": []}).json()["key"]
    from django.test import Client

    r = Client().get("/api/v1/notifications/unread-count", HTTP_AUTHORIZATION=f"Bearer {raw}")
    assert r.status_code == 403


# --- pages ----------------------------------------------------------------------------------------------


def test_bell_in_header_polls_every_30_seconds(tenant_a, admin_a):
    client = web_client(tenant_a, admin_a)
    page = client.get("/").content.decode()
    assert 'hx-get="/notifications/bell/"' in page and "every 30s" in page
    notify(tenant_a, [admin_a], "system", "Một")
    notify(tenant_a, [admin_a], "system", "Hai")
    bell = client.get("/notifications/bell/", HTTP_HX_REQUEST="true").content.decode()
    assert 'data-unread="2"' in bell


def test_notification_list_read_and_read_all_pages(tenant_a, admin_a):
    (n1,) = notify(tenant_a, [admin_a], "system", "Có đơn mới", url="/settings/users/")
    notify(tenant_a, [admin_a], "system", "Khác")
    client = web_client(tenant_a, admin_a)
    body = client.get("/notifications/").content.decode()
    assert "Có đơn mới" in body and "Khác" in body
    r = client.post(f"/notifications/{n1.pk}/read/")
    assert r.status_code == 302 and r["Location"] == "/settings/users/"
    assert "Có đơn mới" not in client.get("/notifications/?unread=1").content.decode()
    client.post("/notifications/read-all/")
    with tenant_context(tenant_a):
        assert unread_count(admin_a) == 0


def test_notification_with_foreign_url_does_not_redirect_off_site(tenant_a, admin_a):
    (n,) = notify(tenant_a, [admin_a], "system", "X", url="https://evil.example/")
    r = web_client(tenant_a, admin_a).post(f"/notifications/{n.pk}/read/")
    assert r["Location"] == "/notifications/"


def test_preferences_page(tenant_a):
    staff = create_user(tenant_a, "sales_staff")
    client = web_client(tenant_a, staff)
    assert client.get("/notifications/preferences/").status_code == 200
    assert (
        client.post("/notifications/preferences/", {"security-email": "on", "security-in_app": "on"}).status_code == 302
    )
    with tenant_context(tenant_a):
        prefs = {p.kind: (p.in_app, p.email) for p in NotificationPreference.objects.filter(user=staff)}
    assert prefs["security"] == (True, True) and prefs["system"] == (False, False)


def test_withdraw_marks_only_that_kind_and_link_read_in_that_tenant(tenant_a, tenant_b, admin_a, admin_b):
    from novasaas.platform.notifications import withdraw

    notify(tenant_a, [admin_a], "system", "Cũ", url="/x/1/")
    notify(tenant_a, [admin_a], "system", "Khác", url="/x/2/")
    notify(tenant_b, [admin_b], "system", "Công ty B", url="/x/1/")
    assert withdraw(tenant_a, "system", "/x/1/") == 1
    with tenant_context(tenant_a):
        unread = Notification.objects.filter(recipient=admin_a, read_at__isnull=True)
        assert list(unread.values_list("title", flat=True)) == ["Khác"]
    with tenant_context(tenant_b):
        assert Notification.objects.filter(recipient=admin_b, read_at__isnull=True).count() == 1
