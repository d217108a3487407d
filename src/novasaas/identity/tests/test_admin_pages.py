"""Tenant administration pages: users, invitations, roles, audit log (spec §3.1.1)."""

import pytest
from django.core import mail

from novasaas.identity.catalogue import PERMISSIONS, TENANT_ADMIN
from novasaas.identity.grants import role_permissions, stored_role_permissions
from novasaas.identity.models import ApiKey, Invitation, Membership, Role
from novasaas.platform import audit
from novasaas.platform.models import AuditAction, AuditLog
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import create_user, web_client

PAGES = [
    "/settings/users/",
    "/settings/invitations/",
    "/settings/roles/",
    "/settings/roles/new/",
    "/settings/roles/matrix/",
    "/settings/audit/",
    "/settings/company/",
    "/settings/appearance/",
    "/settings/notifications/",
    "/settings/region/",
    "/settings/api-keys/",
    "/settings/subscription/",
    "/settings/security/",
]


def _membership(tenant, user):
    with tenant_context(tenant):
        return Membership.objects.get(user=user)


def _role(tenant, code):
    with tenant_context(tenant):
        return Role.objects.get(code=code)


@pytest.mark.parametrize("path", PAGES)
def test_tenant_admin_opens_every_settings_page(tenant_a, admin_a, path):
    r = web_client(tenant_a, admin_a).get(path)
    assert r.status_code == 200, r.content[:500]


# (page, manager may open, staff may open) read from spec §3.1.1 and §3.1.2
ROLE_PAGES = [
    ("/settings/users/", True),
    ("/settings/invitations/", True),
    ("/settings/roles/", False),
    ("/settings/roles/matrix/", False),
    ("/settings/audit/", True),
    ("/settings/company/", True),
    ("/settings/appearance/", False),
    ("/settings/notifications/", True),
    ("/settings/region/", False),
    ("/settings/api-keys/", False),
    ("/settings/subscription/", True),
    ("/settings/security/", False),
]


@pytest.mark.parametrize("path,manager_ok", ROLE_PAGES)
def test_manager_and_staff_access(tenant_a, path, manager_ok):
    manager = create_user(tenant_a, "manager")
    staff = create_user(tenant_a, "accountant")
    assert web_client(tenant_a, manager).get(path).status_code == (200 if manager_ok else 403)
    assert web_client(tenant_a, staff).get(path).status_code == 403


def test_settings_home_redirects_to_first_allowed_tab(tenant_a, admin_a):
    manager = create_user(tenant_a, "manager")
    assert web_client(tenant_a, manager).get("/settings/")["Location"] == "/settings/users/"
    staff = create_user(tenant_a, "accountant")
    assert web_client(tenant_a, staff).get("/settings/").status_code == 403


def test_anonymous_is_sent_to_login(db):
    from django.test import Client

    r = Client().get("/settings/users/")
    assert r.status_code == 302 and "/login/" in r["Location"]


# --- users --------------------------------------------------------------------------------------------


def test_users_page_lists_members_with_roles_and_status(tenant_a, admin_a):
    acc = create_user(tenant_a, "accountant", email="ke.toan@alpha.test")
    body = web_client(tenant_a, admin_a).get("/settings/users/").content.decode()
    assert acc.email in body and admin_a.email in body
    assert "Kế toán viên" in body and "Quản trị doanh nghiệp" in body


def test_users_page_query_count_does_not_grow_with_members(tenant_a, admin_a):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = web_client(tenant_a, admin_a)
    client.get("/settings/users/")  # warm the session

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert client.get("/settings/users/").status_code == 200
        return len(ctx.captured_queries)

    create_user(tenant_a, "accountant")
    few = count()
    for _ in range(8):
        create_user(tenant_a, "accountant", "sales_staff")
    assert count() == few


def test_admin_edits_member_roles(tenant_a, admin_a):
    acc = create_user(tenant_a, "accountant")
    m = _membership(tenant_a, acc)
    r = web_client(tenant_a, admin_a).post(f"/settings/users/{m.pk}/", {"roles": ["accountant", "sales_staff"]})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert set(m.role_links.values_list("role__code", flat=True)) == {"accountant", "sales_staff"}
        assert AuditLog.objects.filter(tenant=tenant_a, action=AuditAction.ROLE_CHANGED).exists()


def test_last_tenant_admin_cannot_lose_the_role(tenant_a, admin_a):
    m = _membership(tenant_a, admin_a)
    r = web_client(tenant_a, admin_a).post(f"/settings/users/{m.pk}/", {"roles": ["manager"]})
    assert r.status_code == 200
    assert "Công ty phải có ít nhất một Quản trị doanh nghiệp." in r.content.decode()
    with tenant_context(tenant_a):
        assert m.role_links.filter(role__code=TENANT_ADMIN).exists()


def test_manager_views_member_read_only_and_cannot_change(tenant_a):
    manager = create_user(tenant_a, "manager")
    acc = create_user(tenant_a, "accountant")
    m = _membership(tenant_a, acc)
    client = web_client(tenant_a, manager)
    r = client.get(f"/settings/users/{m.pk}/")
    assert r.status_code == 200 and b"disabled" in r.content
    assert client.post(f"/settings/users/{m.pk}/", {"roles": ["tenant_admin"]}).status_code == 403
    assert client.post(f"/settings/users/{m.pk}/active/", {"active": "0"}).status_code == 403
    with tenant_context(tenant_a):
        assert not m.role_links.filter(role__code=TENANT_ADMIN).exists()
        m.refresh_from_db()
        assert m.is_active


def test_admin_deactivates_and_reactivates_a_member(tenant_a, admin_a):
    acc = create_user(tenant_a, "accountant")
    m = _membership(tenant_a, acc)
    client = web_client(tenant_a, admin_a)
    assert client.post(f"/settings/users/{m.pk}/active/", {"active": "0"}).status_code == 302
    with tenant_context(tenant_a):
        m.refresh_from_db()
        assert not m.is_active
    assert web_client(tenant_a, acc).get("/settings/users/").status_code != 200  # no longer a member
    client.post(f"/settings/users/{m.pk}/active/", {"active": "1"})
    with tenant_context(tenant_a):
        m.refresh_from_db()
        assert m.is_active


def test_admin_cannot_deactivate_self(tenant_a, admin_a):
    m = _membership(tenant_a, admin_a)
    web_client(tenant_a, admin_a).post(f"/settings/users/{m.pk}/active/", {"active": "0"})
    with tenant_context(tenant_a):
        m.refresh_from_db()
        assert m.is_active


def test_user_pages_of_another_tenant_are_404(tenant_a, tenant_b, admin_a):
    other = create_user(tenant_b, "accountant")
    m = _membership(tenant_b, other)
    client = web_client(tenant_a, admin_a)
    assert client.get(f"/settings/users/{m.pk}/").status_code == 404
    assert client.post(f"/settings/users/{m.pk}/", {"roles": ["manager"]}).status_code == 404
    assert client.post(f"/settings/users/{m.pk}/active/", {"active": "0"}).status_code == 404
    assert other.email not in client.get("/settings/users/").content.decode()


# --- invitations ------------------------------------------------------------------------------------------


def test_admin_invites_by_email_and_the_mail_is_sent(tenant_a, admin_a, django_capture_on_commit_callbacks):
    client = web_client(tenant_a, admin_a)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/settings/invitations/", {"email": "New.Person@Example.com", "roles": ["accountant"]})
    assert r.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["new.person@example.com"]
    assert "/invitations/" in mail.outbox[0].body
    assert "new.person@example.com" in client.get("/settings/invitations/").content.decode()


def test_manager_invites_but_not_a_tenant_admin(tenant_a, django_capture_on_commit_callbacks):
    manager = create_user(tenant_a, "manager")
    client = web_client(tenant_a, manager)
    page = client.get("/settings/invitations/").content.decode()
    assert 'value="tenant_admin"' not in page
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/settings/invitations/", {"email": "boss@example.com", "roles": ["tenant_admin"]})
    assert r.status_code == 200  # the choice is not offered: a form error
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/settings/invitations/", {"email": "clerk@example.com", "roles": ["sales_staff"]})
    assert r.status_code == 403  # Sales Staff holds permissions the Manager does not hold
    assert "Bạn không thể cấp quyền “Ghi nhận Activity”" in r.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post("/settings/invitations/", {"email": "staff@example.com", "roles": ["employee"]})
    assert r.status_code == 302
    assert [m.to for m in mail.outbox] == [["staff@example.com"]]
    with tenant_context(tenant_a):
        assert list(Invitation.objects.values_list("email", flat=True)) == ["staff@example.com"]


def test_staff_cannot_invite(tenant_a):
    staff = create_user(tenant_a, "sales_staff")
    r = web_client(tenant_a, staff).post("/settings/invitations/", {"email": "x@example.com", "roles": ["sales_staff"]})
    assert r.status_code == 403 and not mail.outbox


def test_invitation_bad_input_writes_nothing(tenant_a, admin_a):
    client = web_client(tenant_a, admin_a)
    assert client.post("/settings/invitations/", {"email": "not-an-email", "roles": ["accountant"]}).status_code == 200
    assert client.post("/settings/invitations/", {"email": "a@example.com"}).status_code == 200
    assert client.post("/settings/invitations/", {"email": admin_a.email, "roles": ["accountant"]}).status_code == 200
    with tenant_context(tenant_a):
        assert not Invitation.objects.exists()


def test_revoke_invitation_and_isolation(tenant_a, tenant_b, admin_a, admin_b):
    from novasaas.identity import actions
    from novasaas.identity.access import principal_for

    with tenant_context(tenant_b):
        inv_b, _t = actions.invite_user(
            principal_for(Membership.objects.get(user=admin_b)),
            email="b@example.com",
            role_codes=["accountant"],
        )
    with tenant_context(tenant_a):
        inv_a, _t = actions.invite_user(
            principal_for(Membership.objects.get(user=admin_a)),
            email="a@example.com",
            role_codes=["accountant"],
        )
    client = web_client(tenant_a, admin_a)
    assert "b@example.com" not in client.get("/settings/invitations/").content.decode()
    assert client.post(f"/settings/invitations/{inv_b.pk}/revoke/").status_code == 404
    assert client.post(f"/settings/invitations/{inv_a.pk}/revoke/").status_code == 302
    with tenant_context(tenant_a):
        inv_a.refresh_from_db()
        assert inv_a.status == "revoked"
    with tenant_context(tenant_b):
        inv_b.refresh_from_db()
        assert inv_b.status == "pending"


# --- roles ----------------------------------------------------------------------------------------------


def test_admin_creates_and_edits_a_custom_role(tenant_a, admin_a):
    client = web_client(tenant_a, admin_a)
    r = client.post(
        "/settings/roles/new/",
        {
            "code": "cashier",
            "name": "Thu ngân",
            "description": "",
            "permissions": ["acc.payment.record", "nope.nope"],
        },
    )
    assert r.status_code == 302
    role = _role(tenant_a, "cashier")
    with tenant_context(tenant_a):
        assert set(stored_role_permissions(role)) == {"acc.payment.record"}
    r = client.post(
        f"/settings/roles/{role.pk}/",
        {"name": "Thủ quỹ", "description": "Quỹ tiền mặt", "permissions": ["acc.ledger.view"]},
    )
    assert r.status_code == 302
    with tenant_context(tenant_a):
        role.refresh_from_db()
        assert role.name == "Thủ quỹ"
        assert set(stored_role_permissions(role)) == {"acc.ledger.view"}
    assert "Thủ quỹ" in client.get("/settings/roles/").content.decode()
    assert client.post(f"/settings/roles/{role.pk}/delete/").status_code == 302
    with tenant_context(tenant_a):
        assert not Role.objects.filter(code="cashier").exists()


def test_duplicate_role_code_is_a_form_error(tenant_a, admin_a):
    r = web_client(tenant_a, admin_a).post("/settings/roles/new/", {"code": "manager", "name": "X"})
    assert r.status_code == 200
    with tenant_context(tenant_a):
        assert Role.objects.filter(code="manager").count() == 1


def test_default_role_is_editable_but_not_deletable(tenant_a, admin_a):
    client = web_client(tenant_a, admin_a)
    role = _role(tenant_a, "sales_staff")
    r = client.post(
        f"/settings/roles/{role.pk}/",
        {"name": role.name, "description": "", "permissions": ["crm.customer.view"]},
    )
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert stored_role_permissions(role) == {"crm.customer.view"}
    client.post(f"/settings/roles/{role.pk}/delete/")
    with tenant_context(tenant_a):
        assert Role.objects.filter(pk=role.pk).exists()


def test_tenant_admin_role_keeps_every_permission(tenant_a, admin_a):
    role = _role(tenant_a, TENANT_ADMIN)
    client = web_client(tenant_a, admin_a)
    client.post(f"/settings/roles/{role.pk}/", {"name": "Admin", "permissions": ["acc.ledger.view"]})
    client.post("/settings/roles/matrix/", {f"role_{role.pk}": ["acc.ledger.view"], "roles": [str(role.pk)]})
    with tenant_context(tenant_a):
        assert stored_role_permissions(role) == {p.code for p in PERMISSIONS}
        assert not role.permissions.exists()  # the catalogue's grants: no row


def test_permission_matrix_saves_through_update_role(tenant_a, admin_a):
    client = web_client(tenant_a, admin_a)
    page = client.get("/settings/roles/matrix/").content.decode()
    assert "acc.entry.create" in page and "Kế toán viên" in page
    with tenant_context(tenant_a):
        roles = list(Role.objects.prefetch_related("permissions"))
    data = {f"role_{r.pk}": sorted(role_permissions(r)) for r in roles}
    data["roles"] = [str(r.pk) for r in roles]
    accountant = next(r for r in roles if r.code == "accountant")
    data[f"role_{accountant.pk}"] = [*data[f"role_{accountant.pk}"], "inv.stock.view"]
    data[f"role_{accountant.pk}"].remove("acc.entry.create")
    assert client.post("/settings/roles/matrix/", data).status_code == 302
    with tenant_context(tenant_a):
        perms = set(stored_role_permissions(accountant))
        assert "inv.stock.view" in perms and "acc.entry.create" not in perms
        changes = AuditLog.objects.filter(
            tenant=tenant_a, action=AuditAction.ROLE_CHANGED, object_id=str(accountant.pk)
        )
        assert changes.count() == 1  # only the changed role is written


def test_role_pages_of_another_tenant_are_404(tenant_a, tenant_b, admin_a):
    role_b = _role(tenant_b, "accountant")
    client = web_client(tenant_a, admin_a)
    assert client.get(f"/settings/roles/{role_b.pk}/").status_code == 404
    assert client.post(f"/settings/roles/{role_b.pk}/delete/").status_code == 404


def test_manager_cannot_open_or_post_roles(tenant_a):
    manager = create_user(tenant_a, "manager")
    role = _role(tenant_a, "accountant")
    client = web_client(tenant_a, manager)
    assert client.post("/settings/roles/new/", {"code": "x1", "name": "X"}).status_code == 403
    assert client.post("/settings/roles/matrix/", {f"role_{role.pk}": []}).status_code == 403
    with tenant_context(tenant_a):
        assert stored_role_permissions(role)


# --- audit log -------------------------------------------------------------------------------------------


def test_audit_page_filters_and_shows_the_diff(tenant_a, tenant_b, admin_a):
    with tenant_context(tenant_a):
        audit.record(AuditAction.UPDATE, actor=admin_a, obj=tenant_a, before={"name": "Cũ"}, after={"name": "Mới"})
    with tenant_context(tenant_b):
        audit.record(AuditAction.OTHER, actor=None, message="secret-of-beta")
    client = web_client(tenant_a, admin_a)
    body = client.get("/settings/audit/?action=update").content.decode()
    assert "Cũ" in body and "Mới" in body
    assert "secret-of-beta" not in client.get("/settings/audit/").content.decode()
    assert "Cũ" not in client.get("/settings/audit/?action=login").content.decode()
    assert "Cũ" in client.get(f"/settings/audit/?actor={admin_a.email}&object_type=Tenant").content.decode()
    assert "Cũ" not in client.get("/settings/audit/?since=2999-01-01").content.decode()
    assert client.get("/settings/audit/?since=garbage&page=999").status_code == 200


def test_audit_page_paginates(tenant_a, admin_a):
    with tenant_context(tenant_a):
        for i in range(60):
            audit.record(AuditAction.OTHER, actor=admin_a, message=f"entry-{i:02d}")
    client = web_client(tenant_a, admin_a)
    first = client.get("/settings/audit/?action=other").content.decode()
    second = client.get("/settings/audit/?action=other&page=2").content.decode()
    assert "entry-59" in first and "entry-00" not in first and "entry-00" in second
    assert "action=other&amp;page=2" in first


def test_audit_log_cannot_be_changed_through_pages(tenant_a, admin_a):
    with tenant_context(tenant_a):
        entry = audit.record(AuditAction.OTHER, actor=admin_a, message="keep")
    client = web_client(tenant_a, admin_a)
    assert client.post("/settings/audit/", {"id": entry.pk}).status_code == 405  # a read-only page
    assert client.delete("/settings/audit/").status_code == 405
    with platform_context():
        assert AuditLog.objects.filter(pk=entry.pk, message="keep").exists()


# --- API keys ---------------------------------------------------------------------------------------------


def test_api_key_is_shown_once_listed_and_revoked(tenant_a, tenant_b, admin_a, admin_b):
    client = web_client(tenant_a, admin_a)
    r = client.post("/settings/api-keys/", {"name": "Shop sync", "permissions": ["inv.stock.view"]})
    body = r.content.decode()
    assert r.status_code == 200 and "nsk_" in body
    with tenant_context(tenant_a):
        key = ApiKey.objects.get(name="Shop sync")
    listing = client.get("/settings/api-keys/").content.decode()
    assert "Shop sync" in listing and "nsk_" not in listing
    assert client.post(f"/settings/api-keys/{key.pk}/revoke/").status_code == 302
    with tenant_context(tenant_a):
        key.refresh_from_db()
        assert key.revoked_at is not None
    r = web_client(tenant_b, admin_b).post(f"/settings/api-keys/{key.pk}/revoke/")
    assert r.status_code == 404


def test_manager_cannot_create_api_keys(tenant_a):
    manager = create_user(tenant_a, "manager")
    assert web_client(tenant_a, manager).post("/settings/api-keys/", {"name": "x"}).status_code == 403
    with tenant_context(tenant_a):
        assert not ApiKey.objects.exists()


def test_accepted_invitation_notifies_the_inviter_and_admins(tenant_a, admin_a):
    from novasaas.identity import actions
    from novasaas.identity.access import principal_for
    from novasaas.platform.models import Notification

    manager = create_user(tenant_a, "manager")
    with tenant_context(tenant_a):
        inv, token = actions.invite_user(
            principal_for(Membership.objects.get(user=manager)),
            email="moi@example.com",
            role_codes=["employee"],
        )
    actions.accept_invitation(token, password="Another-Horse-77", full_name="Nguyễn Văn Mới")
    with tenant_context(tenant_a):
        got = dict(Notification.objects.values_list("recipient__email", "title"))
    assert got == {
        manager.email: "Nguyễn Văn Mới đã tham gia Công ty Alpha",
        admin_a.email: "Nguyễn Văn Mới đã tham gia Công ty Alpha",
    }


def test_permission_matrix_leaves_roles_not_in_the_form_alone(tenant_a, admin_a):
    role = _role(tenant_a, "accountant")
    with tenant_context(tenant_a):
        before = set(stored_role_permissions(role))
    web_client(tenant_a, admin_a).post("/settings/roles/matrix/", {})  # e.g. a role created after the page
    with tenant_context(tenant_a):
        assert set(stored_role_permissions(role)) == before
