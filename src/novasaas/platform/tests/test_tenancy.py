from decimal import Decimal

import pytest
from django.db import connection

from novasaas.identity.models import Role
from novasaas.platform.models import Sequence
from novasaas.platform.numbering import next_number
from novasaas.platform.tenancy import CrossTenantError, NoTenantError, platform_context, tenant_context


def test_query_without_tenant_raises(tenant_a):
    with pytest.raises(NoTenantError):
        list(Role.objects.all())


def test_manager_scopes_to_current_tenant(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        codes_a = set(Role.objects.values_list("tenant_id", flat=True))
    assert codes_a == {tenant_a.pk}
    with platform_context():
        assert set(Role.objects.values_list("tenant_id", flat=True)) == {tenant_a.pk, tenant_b.pk}


def test_other_tenants_rows_are_not_found_by_id(tenant_a, tenant_b):
    with tenant_context(tenant_b):
        role_b = Role.objects.get(code="manager")
    with tenant_context(tenant_a):
        assert not Role.objects.filter(pk=role_b.pk).exists()
        with pytest.raises(Role.DoesNotExist):
            Role.objects.get(pk=role_b.pk)


def test_saving_an_object_of_another_tenant_is_refused(tenant_a, tenant_b):
    with tenant_context(tenant_b):
        role_b = Role.objects.get(code="manager")
    with tenant_context(tenant_a), pytest.raises(CrossTenantError):
        role_b.name = "hijack"
        role_b.save()


def test_related_access_is_scoped(tenant_a):
    with tenant_context(tenant_a):
        role = Role.objects.create(code="cashier", name="Thu ngân")
        role.permissions.create(permission="acc.payment.record")
        perms = list(role.permissions.values_list("tenant_id", flat=True))
    assert perms and set(perms) == {tenant_a.pk}


def test_gapless_numbers_per_tenant(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        assert [next_number("GL", "2026") for _ in range(3)] == [1, 2, 3]
    with tenant_context(tenant_b):
        assert next_number("GL", "2026") == 1
    with tenant_context(tenant_a):
        assert Sequence.objects.get(key="GL").next_value == 4


@pytest.mark.postgres_only
def test_raw_sql_inside_tenant_a_sees_no_row_of_tenant_b(tenant_a, tenant_b):
    with tenant_context(tenant_a), connection.cursor() as cur:
        cur.execute("SELECT tenant_id FROM identity_role")
        tenants = {row[0] for row in cur.fetchall()}
    assert tenants == {tenant_a.pk}
    with tenant_context(tenant_a), connection.cursor() as cur:
        cur.execute("SELECT count(*) FROM identity_role WHERE tenant_id = %s", [tenant_b.pk])
        assert cur.fetchone()[0] == 0


@pytest.mark.postgres_only
def test_raw_insert_into_another_tenant_is_refused(tenant_a, tenant_b):
    from django.db import DatabaseError, transaction

    with tenant_context(tenant_a), pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO identity_role (tenant_id, code, name, name_en, description, is_system)"
            " VALUES (%s, 'x', 'x', '', '', false)",
            [tenant_b.pk],
        )


@pytest.mark.postgres_only
def test_every_tenant_table_has_forced_row_level_security(db):
    from django.apps import apps

    from novasaas.platform.models import TenantModel

    tables = [m._meta.db_table for m in apps.get_models() if issubclass(m, TenantModel)]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT relname, relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = ANY(%s)", [tables]
        )
        rows = {r[0]: (r[1], r[2]) for r in cur.fetchall()}
    missing = [t for t in tables if rows.get(t) != (True, True)]
    assert not missing, f"tables without forced RLS: {missing}"


@pytest.mark.postgres_only
def test_app_role_does_not_own_tables(tenant_a):
    from django.conf import settings

    from novasaas.platform.testing.fixtures import skip_outside_ci

    if not settings.DATABASE_APP_ROLE:
        skip_outside_ci("DATABASE_APP_ROLE not set: the connection is the app role itself")
    with tenant_context(tenant_a), connection.cursor() as cur:
        cur.execute("SELECT current_user, (SELECT tableowner FROM pg_tables WHERE tablename = 'identity_role')")
        current, owner = cur.fetchone()
    assert current == settings.DATABASE_APP_ROLE
    assert owner != current


def test_system_check_rules_hold():
    from novasaas.platform.checks import check_tenant_models

    assert check_tenant_models() == []


def test_decimal_sum_is_exact(tenant_a):
    from django.db.models import Sum

    from novasaas.platform.models import OutboxMessage

    assert Decimal("0.1") + Decimal("0.2") == Decimal("0.3")
    with tenant_context(tenant_a):
        assert OutboxMessage.objects.aggregate(s=Sum("attempts"))["s"] is None
