"""Default roles' grants live in the catalogue, a tenant stores only its own changes (issue 20, item 2):
sign-up writes no ``RolePermission`` row; a custom role or an edited default role stores its grants; a
default role edited back to the catalogue drops them; the migration deletes the rows equal to the
defaults. What a member may do is the same either way (the rest of the identity tests)."""

import importlib
from types import SimpleNamespace

from django.db import connection

from novasaas.identity import actions
from novasaas.identity.access import principal_for
from novasaas.identity.catalogue import ACCOUNTANT, SALES_STAFF
from novasaas.identity.grants import DEFAULT_GRANTS, role_ids_holding, role_permissions, stored_role_permissions
from novasaas.identity.models import Membership, Role, RolePermission
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import admin_of, create_user

migration = importlib.import_module("novasaas.identity.migrations.0006_role_grants_in_catalogue")


def _admin(tenant):
    return principal_for(Membership.objects.get(user=admin_of(tenant)))


def _principal(tenant, user):
    with tenant_context(tenant):
        return principal_for(Membership.objects.get(user=user))


def test_sign_up_stores_no_default_grant(tenant_a, tenant_b):
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            assert RolePermission.objects.count() == 0
            roles = list(Role.objects.all())
            assert roles and all(r.is_system and not r.has_own_grants for r in roles)
            assert {r.code: role_permissions(r) for r in roles} == DEFAULT_GRANTS


def test_edited_default_role_stores_its_grants_until_edited_back(tenant_a, tenant_b):
    accountant = create_user(tenant_a, ACCOUNTANT)
    assert _principal(tenant_a, accountant).has("acc.entry.create")
    defaults = DEFAULT_GRANTS[ACCOUNTANT]
    with tenant_context(tenant_a):
        role = Role.objects.get(code=ACCOUNTANT)
        actions.update_role(_admin(tenant_a), role, permissions=sorted(defaults - {"acc.entry.create"}))
        role.refresh_from_db()
        assert role.has_own_grants
        assert set(RolePermission.objects.filter(role=role).values_list("permission", flat=True)) == defaults - {
            "acc.entry.create"
        }
    assert not _principal(tenant_a, accountant).has("acc.entry.create")
    with tenant_context(tenant_b):  # the other tenant's role is untouched
        assert stored_role_permissions(Role.objects.get(code=ACCOUNTANT)) == defaults
        assert RolePermission.objects.count() == 0
    with tenant_context(tenant_a):
        actions.update_role(_admin(tenant_a), role, permissions=sorted(defaults))
        role.refresh_from_db()
        assert not role.has_own_grants
        assert RolePermission.objects.count() == 0
    assert _principal(tenant_a, accountant).has("acc.entry.create")


def test_roles_holding_a_permission_read_catalogue_and_rows(tenant_a):
    with tenant_context(tenant_a):
        admin = _admin(tenant_a)
        custom = actions.create_role(admin, code="cashier", name="Thu ngân", permissions=["crm.order.create"])
        sales = Role.objects.get(code=SALES_STAFF)
        assert "crm.order.create" in role_permissions(sales)
        holding = set(Role.objects.filter(id__in=role_ids_holding("crm.order.create")).values_list("code", flat=True))
        assert {custom.code, SALES_STAFF} <= holding
        assert ACCOUNTANT not in holding
        actions.update_role(admin, sales, permissions=sorted(DEFAULT_GRANTS[SALES_STAFF] - {"crm.order.create"}))
        holding = set(Role.objects.filter(id__in=role_ids_holding("crm.order.create")).values_list("code", flat=True))
        assert SALES_STAFF not in holding and custom.code in holding


def _as_migration_owner():
    if connection.vendor == "postgresql":  # the migration runs as the tables' owner
        with connection.cursor() as cur:
            cur.execute("SELECT set_config('role', 'none', true)")


def test_migration_deletes_only_rows_equal_to_the_defaults(tenant_a, tenant_b):
    """Tenants signed up before: every default role had its rows (an edited one, different rows)."""
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            for role in Role.objects.all():
                grants = DEFAULT_GRANTS[role.code]
                if tenant == tenant_b and role.code == ACCOUNTANT:
                    grants = grants | {"inv.stock.view"}
                RolePermission.objects.bulk_create(
                    [RolePermission(tenant=tenant, role=role, permission=p) for p in grants]
                )
            Role.objects.update(has_own_grants=True)
            actions.create_role(_admin(tenant), code="cashier", name="Thu ngân", permissions=["acc.payment.record"])
    _as_migration_owner()
    migration.to_catalogue(None, SimpleNamespace(connection=connection))
    with tenant_context(tenant_a):
        assert set(RolePermission.objects.values_list("role__code", "permission")) == {
            ("cashier", "acc.payment.record")
        }
        assert set(Role.objects.filter(has_own_grants=True).values_list("code", flat=True)) == {"cashier"}
    with tenant_context(tenant_b):
        kept = Role.objects.get(code=ACCOUNTANT)
        assert kept.has_own_grants
        assert stored_role_permissions(kept) == DEFAULT_GRANTS[ACCOUNTANT] | {"inv.stock.view"}
        assert set(Role.objects.filter(has_own_grants=True).values_list("code", flat=True)) == {"cashier", ACCOUNTANT}
        rows = RolePermission.objects.count()
        assert rows == len(DEFAULT_GRANTS[ACCOUNTANT]) + 2
    # and back: the rows of every role that follows the catalogue are written again
    _as_migration_owner()
    migration.to_rows(None, SimpleNamespace(connection=connection))
    with tenant_context(tenant_a):
        for role in Role.objects.filter(is_system=True):
            assert set(role.permissions.values_list("permission", flat=True)) == DEFAULT_GRANTS[role.code]
