import pytest

from novasaas.identity.catalogue import PERMISSIONS, ROLE_CODES, TENANT_ADMIN, default_role_permissions
from novasaas.identity.grants import role_permissions
from novasaas.identity.models import Role
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user


def test_default_roles_have_exactly_the_spec_rights(tenant_a):
    expected = default_role_permissions()
    with tenant_context(tenant_a):
        for role in Role.objects.prefetch_related("permissions"):
            assert role_permissions(role) == expected[role.code], role.code
        assert set(Role.objects.values_list("code", flat=True)) == set(ROLE_CODES)


# (role, permission, expected) rows read straight from the spec tables of §3.1.1, §3.1.2 and §7.2
SPEC_CELLS = [
    ("tenant_admin", "core.users.manage", True),
    ("manager", "core.users.manage", False),
    ("manager", "core.users.view", True),
    ("accountant", "core.users.view", False),
    ("manager", "core.users.invite", True),
    ("sales_staff", "core.users.invite", False),
    ("manager", "core.audit.view", True),
    ("manager", "core.roles.manage", False),
    ("manager", "core.settings.company.view", True),
    ("manager", "core.settings.company.edit", False),
    ("manager", "core.settings.notifications", True),
    ("manager", "core.settings.region", False),
    ("manager", "core.apikeys.manage", False),
    ("manager", "core.subscription.view", True),
    ("warehouse_staff", "core.dashboard.customize", False),
    ("manager", "core.dashboard.customize", True),
    ("finance_manager", "acc.entry.approve", True),
    ("accountant", "acc.entry.approve", False),
    ("accountant", "acc.entry.create", True),
    ("accountant", "acc.period.close", False),
    ("finance_manager", "acc.period.close", True),
    ("accountant", "acc.bank.import", True),
    ("warehouse_staff", "inv.count.approve", False),
    ("warehouse_manager", "inv.count.approve", True),
    ("warehouse_staff", "inv.receipt.create", True),
    ("employee", "core.dashboard.view", False),
    ("customer", "crm.portal", True),
]


@pytest.mark.parametrize("role,perm,expected", SPEC_CELLS)
def test_spec_cells(role, perm, expected):
    assert (perm in default_role_permissions()[role]) is expected


def test_tenant_admin_has_everything():
    assert default_role_permissions()[TENANT_ADMIN] == {p.code for p in PERMISSIONS}


def test_custom_role_crud_through_api(api_a):
    r = api_a.post("/api/v1/roles", {"code": "cashier", "name": "Thu ngân", "permissions": ["acc.payment.record"]})
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    r = api_a.patch(f"/api/v1/roles/{rid}", {"permissions": ["acc.payment.record", "acc.ledger.view"]})
    assert r.status_code == 200 and r.json()["permissions"] == ["acc.ledger.view", "acc.payment.record"]
    assert api_a.delete(f"/api/v1/roles/{rid}").status_code == 204
    r = api_a.get("/api/v1/audit?action=role_changed")
    assert r.status_code == 200 and r.json()["count"] >= 2


def test_unknown_permission_is_400(api_a):
    r = api_a.post("/api/v1/roles", {"code": "bad", "name": "Bad", "permissions": ["nope.nope"]})
    assert r.status_code == 400


def test_manager_sees_users_but_cannot_change_roles(tenant_a):
    mgr = ApiClient(tenant_a, create_user(tenant_a, "manager"))
    members = mgr.get("/api/v1/users").json()["items"]
    assert members
    assert mgr.patch(f"/api/v1/users/{members[0]['id']}", {"roles": ["manager"]}).status_code == 403
    assert mgr.post("/api/v1/invitations", {"email": "new@x.test", "roles": ["employee"]}).status_code == 201
    # Sales Staff holds permissions the Manager does not: only someone who holds them may grant them
    assert mgr.post("/api/v1/invitations", {"email": "new2@x.test", "roles": ["sales_staff"]}).status_code == 403
    assert mgr.post("/api/v1/invitations", {"email": "boss@x.test", "roles": ["tenant_admin"]}).status_code == 403


class TestIsolation:
    """Tenant A calling tenant B's ids gets 404 and learns nothing."""

    def test_detail_endpoints(self, api_a, api_b, tenant_b):
        role_b = api_b.get("/api/v1/roles").json()[0]["id"]
        member_b = api_b.get("/api/v1/users").json()["items"][0]["id"]
        key_b = api_b.post("/api/v1/api-keys", {"name": "b"}).json()["id"]
        inv_b = api_b.post("/api/v1/invitations", {"email": "z@b.test", "roles": ["employee"]}).json()["id"]
        for path in (f"/api/v1/roles/{role_b}", f"/api/v1/users/{member_b}"):
            r = api_a.get(path)
            assert r.status_code == 404 and b"beta" not in r.content.lower()
        assert api_a.patch(f"/api/v1/roles/{role_b}", {"name": "x"}).status_code == 404
        assert api_a.patch(f"/api/v1/users/{member_b}", {"is_active": False}).status_code == 404
        assert api_a.delete(f"/api/v1/api-keys/{key_b}").status_code == 404
        assert api_a.delete(f"/api/v1/invitations/{inv_b}").status_code == 404

    def test_lists_and_counts(self, api_a, api_b):
        emails_a = {m["email"] for m in api_a.get("/api/v1/users?limit=500").json()["items"]}
        assert all("@beta" not in e for e in emails_a)
        assert all(e["actor"].find("@beta") < 0 for e in api_a.get("/api/v1/audit?limit=500").json()["items"])
        assert all("@beta" not in e for e in {m["email"] for m in api_a.get("/api/v1/users?q=beta").json()["items"]})
