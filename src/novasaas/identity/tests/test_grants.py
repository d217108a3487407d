"""Privilege escalation (issue 9, item 1): nobody grants a permission they do not hold, and only a
Tenant Admin grants Tenant Admin — on every path that grants rights (invitations, member roles through
the page and the API, custom roles through the pages and the API, API key scopes)."""

import pytest
from django.core.exceptions import ValidationError

from novasaas.identity import actions
from novasaas.identity.access import principal_for
from novasaas.identity.grants import stored_role_permissions
from novasaas.identity.models import ApiKey, Invitation, Membership, Role
from novasaas.platform.models import AuditLog
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_user, web_client

USERS_ADMIN = "Quản lý Users"  # the Vietnamese label of core.users.manage


def _custom_role(tenant, code, *perms):
    with tenant_context(tenant):
        admin = principal_for(Membership.objects.get(user=admin_of(tenant)))
        return actions.create_role(admin, code=code, name=code.title(), permissions=list(perms))


def _roles_of(tenant, user):
    with tenant_context(tenant):
        return sorted(Membership.objects.get(user=user).role_links.values_list("role__code", flat=True))


def _member_id(tenant, user):
    with tenant_context(tenant):
        return Membership.objects.get(user=user).pk


def _role_perms(tenant, code):
    with tenant_context(tenant):
        return sorted(stored_role_permissions(Role.objects.get(code=code)))


def test_the_attack_from_the_review_is_refused(tenant_a, django_capture_on_commit_callbacks):
    """Manager invites an account with a role holding core.users.manage, which then makes him Tenant Admin."""
    _custom_role(tenant_a, "user-admins", "core.users.view", "core.users.manage")
    manager = create_user(tenant_a, "manager")
    mgr = ApiClient(tenant_a, manager)
    with django_capture_on_commit_callbacks(execute=True):
        r = mgr.post("/api/v1/invitations", {"email": "accomplice@x.test", "roles": ["user-admins"]})
    assert r.status_code == 403
    assert r.json()["detail"] == f"Bạn không thể cấp quyền “{USERS_ADMIN}”: chính bạn không có quyền này."
    with tenant_context(tenant_a):
        assert not Invitation.objects.exists()

    # Even an account that legitimately holds core.users.manage cannot hand out Tenant Admin.
    accomplice = create_user(tenant_a, "user-admins")
    r = ApiClient(tenant_a, accomplice).patch(
        f"/api/v1/users/{_member_id(tenant_a, manager)}", {"roles": ["manager", "tenant_admin"]}
    )
    assert r.status_code == 403
    assert r.json()["detail"] == "Chỉ Quản trị doanh nghiệp mới được cấp vai trò Quản trị doanh nghiệp."
    assert _roles_of(tenant_a, manager) == ["manager"]
    assert ApiClient(tenant_a, manager).get("/api/v1/users").status_code == 200  # still only a Manager
    assert ApiClient(tenant_a, manager).get("/api/v1/api-keys").status_code == 403


def test_message_in_english(tenant_a):
    _custom_role(tenant_a, "user-admins", "core.users.view", "core.users.manage")
    mgr = ApiClient(tenant_a, create_user(tenant_a, "manager"))
    mgr.client.cookies["novasaas_language"] = "en"
    r = mgr.post("/api/v1/invitations", {"email": "a@x.test", "roles": ["user-admins"]})
    assert r.status_code == 403
    assert r.json()["detail"] == "You cannot grant the permission “Manage users”: you do not hold it yourself."


def test_member_roles_through_the_api(tenant_a):
    _custom_role(tenant_a, "user-admins", "core.users.view", "core.users.manage")
    boss = create_user(tenant_a, "user-admins")
    clerk = create_user(tenant_a, "employee")
    api = ApiClient(tenant_a, boss)
    # a role holding a permission the editor lacks cannot be assigned by that editor
    r = api.patch(f"/api/v1/users/{_member_id(tenant_a, clerk)}", {"roles": ["employee", "accountant"]})
    assert r.status_code == 403 and "chính bạn không có quyền này" in r.json()["detail"]
    assert _roles_of(tenant_a, clerk) == ["employee"]
    # nobody raises their own roles: Employee holds permissions this account does not
    r = api.patch(f"/api/v1/users/{_member_id(tenant_a, boss)}", {"roles": ["user-admins", "employee"]})
    assert r.status_code == 403
    assert _roles_of(tenant_a, boss) == ["user-admins"]
    # what the editor holds he may grant to someone else
    r = api.patch(f"/api/v1/users/{_member_id(tenant_a, clerk)}", {"roles": ["user-admins"]})
    assert r.status_code == 200 and r.json()["roles"] == ["user-admins"]
    # Tenant Admin is neither taken away nor switched off by a non-admin
    admin_id = _member_id(tenant_a, admin_of(tenant_a))
    assert api.patch(f"/api/v1/users/{admin_id}", {"roles": ["employee"]}).status_code == 403
    assert api.patch(f"/api/v1/users/{admin_id}", {"is_active": False}).status_code == 403
    assert _roles_of(tenant_a, admin_of(tenant_a)) == ["tenant_admin"]
    with tenant_context(tenant_a):
        assert Membership.objects.get(pk=admin_id).is_active


def test_reactivating_a_member_is_a_grant(tenant_a):
    _custom_role(tenant_a, "user-admins", "core.users.view", "core.users.manage")
    api = ApiClient(tenant_a, create_user(tenant_a, "user-admins"))
    accountant = create_user(tenant_a, "accountant")
    mid = _member_id(tenant_a, accountant)
    assert api.patch(f"/api/v1/users/{mid}", {"is_active": False}).status_code == 200
    assert api.patch(f"/api/v1/users/{mid}", {"is_active": True}).status_code == 403
    with tenant_context(tenant_a):
        assert not Membership.objects.get(pk=mid).is_active


def test_tenant_admin_still_grants_everything(tenant_a, api_a):
    manager = create_user(tenant_a, "manager")
    r = api_a.patch(f"/api/v1/users/{_member_id(tenant_a, manager)}", {"roles": ["manager", "tenant_admin"]})
    assert r.status_code == 200 and r.json()["roles"] == ["manager", "tenant_admin"]
    r = api_a.post("/api/v1/invitations", {"email": "cfo@x.test", "roles": ["finance_manager"]})
    assert r.status_code == 201


def test_member_roles_through_the_page(tenant_a):
    _custom_role(tenant_a, "user-admins", "core.users.view", "core.users.manage")
    manager = create_user(tenant_a, "manager")
    client = web_client(tenant_a, create_user(tenant_a, "user-admins"))
    r = client.post(f"/settings/users/{_member_id(tenant_a, manager)}/", {"roles": ["manager", "tenant_admin"]})
    assert r.status_code == 403
    assert "Chỉ Quản trị doanh nghiệp mới được cấp vai trò Quản trị doanh nghiệp." in r.content.decode()
    assert _roles_of(tenant_a, manager) == ["manager"]


def test_invitation_page(tenant_a):
    _custom_role(tenant_a, "user-admins", "core.users.view", "core.users.manage")
    client = web_client(tenant_a, create_user(tenant_a, "manager"))
    r = client.post("/settings/invitations/", {"email": "x@x.test", "roles": ["user-admins"]})
    assert r.status_code == 403 and f"“{USERS_ADMIN}”" in r.content.decode()
    with tenant_context(tenant_a):
        assert not Invitation.objects.exists()


@pytest.fixture
def role_editor(tenant_a):
    """Holds the role permissions and the ledger view, nothing of accounting beyond it."""
    _custom_role(tenant_a, "role-admins", "core.roles.manage", "core.roles.assign", "acc.ledger.view")
    return create_user(tenant_a, "role-admins")


def test_custom_roles_through_the_api(tenant_a, role_editor):
    api = ApiClient(tenant_a, role_editor)
    r = api.post("/api/v1/roles", {"code": "closers", "name": "Closers", "permissions": ["acc.period.close"]})
    assert r.status_code == 403 and "chính bạn không có quyền này" in r.json()["detail"]
    with tenant_context(tenant_a):
        assert not Role.objects.filter(code="closers").exists()
    r = api.post("/api/v1/roles", {"code": "readers", "name": "Readers", "permissions": ["acc.ledger.view"]})
    assert r.status_code == 201
    rid = r.json()["id"]
    r = api.patch(f"/api/v1/roles/{rid}", {"permissions": ["acc.ledger.view", "core.users.manage"]})
    assert r.status_code == 403 and f"“{USERS_ADMIN}”" in r.json()["detail"]
    assert _role_perms(tenant_a, "readers") == ["acc.ledger.view"]
    # editing his own role upwards is the same refusal
    own = api.get("/api/v1/roles").json()
    own_id = next(x["id"] for x in own if x["code"] == "role-admins")
    r = api.patch(
        f"/api/v1/roles/{own_id}",
        {"permissions": ["core.roles.manage", "core.roles.assign", "acc.ledger.view", "core.apikeys.manage"]},
    )
    assert r.status_code == 403
    assert _role_perms(tenant_a, "role-admins") == ["acc.ledger.view", "core.roles.assign", "core.roles.manage"]
    # renaming a role that holds more than the editor is not a grant
    accountant = next(x["id"] for x in own if x["code"] == "accountant")
    assert api.patch(f"/api/v1/roles/{accountant}", {"description": "Sổ sách"}).status_code == 200


def test_custom_roles_through_the_pages(tenant_a, role_editor):
    client = web_client(tenant_a, role_editor)
    r = client.post(
        "/settings/roles/new/",
        {"code": "closers", "name": "Closers", "description": "", "permissions": ["acc.period.close"]},
    )
    assert r.status_code == 403 and "chính bạn không có quyền này" in r.content.decode()
    with tenant_context(tenant_a):
        assert not Role.objects.filter(code="closers").exists()
        employee = Role.objects.get(code="employee")
    before = _role_perms(tenant_a, "employee")
    r = client.post(
        f"/settings/roles/{employee.pk}/",
        {"name": employee.name, "description": "", "permissions": [*before, "core.users.manage"]},
    )
    assert r.status_code == 403 and f"“{USERS_ADMIN}”" in r.content.decode()
    assert _role_perms(tenant_a, "employee") == before
    # the matrix: one refused column and nothing saved
    with tenant_context(tenant_a):
        readers = actions.create_role(
            principal_for(Membership.objects.get(user=role_editor)), code="readers", name="Readers", permissions=[]
        )
    r = client.post(
        "/settings/roles/matrix/",
        {
            "roles": [str(readers.pk), str(employee.pk)],
            f"role_{readers.pk}": ["acc.ledger.view"],
            f"role_{employee.pk}": [*before, "core.users.manage"],
        },
        follow=True,
    )
    assert f"“{USERS_ADMIN}”" in r.content.decode()
    assert _role_perms(tenant_a, "readers") == []
    assert _role_perms(tenant_a, "employee") == before


def test_api_key_scopes(tenant_a):
    _custom_role(tenant_a, "integrators", "core.apikeys.manage", "inv.product.view")
    user = create_user(tenant_a, "integrators")
    api = ApiClient(tenant_a, user)
    r = api.post("/api/v1/api-keys", {"name": "sync", "permissions": ["inv.product.view", "acc.ledger.view"]})
    assert r.status_code == 403 and "chính bạn không có quyền này" in r.json()["detail"]
    r = web_client(tenant_a, user).post("/settings/api-keys/", {"name": "sync", "permissions": ["core.users.manage"]})
    assert r.status_code == 403 and f"“{USERS_ADMIN}”" in r.content.decode()
    with tenant_context(tenant_a):
        assert not ApiKey.objects.exists()
    r = api.post("/api/v1/api-keys", {"name": "sync", "permissions": ["inv.product.view"]})
    assert r.status_code == 201 and r.json()["permissions"] == ["inv.product.view"]
    with platform_context():
        assert AuditLog.objects.filter(tenant=tenant_a, action="key_created").count() == 1


def test_acceptance_checks_the_rule_again(tenant_a):
    """A role that gained permissions since the invitation was sent does not hand them to the invitee."""
    _custom_role(tenant_a, "helpers", "core.dashboard.view")
    manager = create_user(tenant_a, "manager")
    with tenant_context(tenant_a):
        _inv, token = actions.invite_user(
            principal_for(Membership.objects.get(user=manager)), email="new@x.test", role_codes=["helpers"]
        )
        admin = principal_for(Membership.objects.get(user=admin_of(tenant_a)))
        actions.update_role(admin, Role.objects.get(code="helpers"), permissions=["core.users.manage"])
    with pytest.raises(ValidationError) as exc:
        actions.accept_invitation(token, password="Another-Horse-77")
    assert exc.value.messages == ["Lời mời này không còn hiệu lực: hãy đề nghị công ty gửi lời mời mới."]
    with platform_context(), tenant_context(tenant_a):
        assert not Membership.objects.filter(user__email="new@x.test").exists()
