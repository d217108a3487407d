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


# --- tenant_context inside a caller's transaction ----------------------------------------------------


def _current_settings() -> tuple[str, str]:
    with connection.cursor() as cur:
        cur.execute("SELECT current_setting('app.tenant_id', true), current_setting('app.platform', true)")
        tenant_id, platform = cur.fetchone()
    return tenant_id or "", platform or ""


def test_an_exception_leaving_tenant_context_leaves_the_callers_transaction_usable(tenant_a, tenant_b):
    """The caller (a page catching an action's error, a task) goes on writing in its transaction: on
    PostgreSQL the block was a savepoint, rolled back with its writes; the caller's writes stay."""
    from django.db import transaction

    with transaction.atomic():
        with tenant_context(tenant_a):
            Role.objects.create(code="kept", name="Kept")
        with pytest.raises(ValueError), tenant_context(tenant_b):
            Role.objects.create(code="inner", name="Inner")
            raise ValueError("refused")
        assert not connection.needs_rollback
        with tenant_context(tenant_a):
            Role.objects.create(code="after", name="After")
            assert set(Role.objects.filter(code__in=["kept", "after"]).values_list("code", flat=True)) == {
                "kept",
                "after",
            }
        with tenant_context(tenant_b):
            inner = Role.objects.filter(code="inner").exists()
    # PostgreSQL rolled the block back to its savepoint; SQLite has no transaction per block
    assert inner is (connection.vendor != "postgresql")


@pytest.mark.postgres_only
def test_a_database_error_inside_tenant_context_does_not_abort_the_callers_transaction(tenant_a, tenant_b):
    from django.db import DatabaseError, transaction

    with transaction.atomic():
        with pytest.raises(DatabaseError), tenant_context(tenant_a), connection.cursor() as cur:
            # row-level security refuses a row of another tenant: the statement fails
            cur.execute(
                "INSERT INTO identity_role (tenant_id, code, name, name_en, description, is_system, has_own_grants)"
                " VALUES (%s, 'x', 'x', '', '', false, false)",
                [tenant_b.pk],
            )
        assert not connection.needs_rollback
        with tenant_context(tenant_b):
            Role.objects.create(code="after", name="After")  # PostgreSQL would refuse it in an aborted transaction
            assert Role.objects.filter(code="after").count() == 1
        assert _current_settings() == ("", "")


@pytest.mark.postgres_only
def test_an_exception_in_a_nested_platform_context_gives_the_tenant_scope_back(tenant_a, tenant_b):
    from django.db import transaction

    with transaction.atomic(), tenant_context(tenant_a):
        with pytest.raises(ValueError), platform_context():
            assert _current_settings() == ("", "on")
            raise ValueError("refused")
        assert _current_settings() == (str(tenant_a.pk), "")
        with connection.cursor() as cur:
            cur.execute("SELECT DISTINCT tenant_id FROM identity_role")
            assert {r[0] for r in cur.fetchall()} == {tenant_a.pk}
        # re-entering the tenant after the error applies it again (nothing is assumed in force)
        with tenant_context(tenant_a), connection.cursor() as cur:
            cur.execute("SELECT DISTINCT tenant_id FROM identity_role")
            assert {r[0] for r in cur.fetchall()} == {tenant_a.pk}


@pytest.mark.postgres_only
def test_inside_an_api_request_transaction_the_block_joins_it_and_an_error_dooms_it(tenant_a):
    """As actions (platform.transactions): no savepoint where the transaction is rolled back whole."""
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    from novasaas.platform.transactions import no_savepoints

    with pytest.raises(ValueError), transaction.atomic(), no_savepoints():
        with CaptureQueriesContext(connection) as ctx, tenant_context(tenant_a):
            Role.objects.filter(code="x").exists()
        assert not [q for q in ctx.captured_queries if "SAVEPOINT" in q["sql"]]
        try:
            with tenant_context(tenant_a), platform_context():
                raise ValueError("refused")
        finally:
            assert connection.needs_rollback
    assert not connection.needs_rollback


def test_a_nested_block_of_the_tenant_in_force_costs_no_statement(tenant_a, tenant_b):
    from django.db import transaction
    from django.test.utils import CaptureQueriesContext

    with transaction.atomic(), tenant_context(tenant_a):
        with CaptureQueriesContext(connection) as ctx:
            with tenant_context(tenant_a):
                pass
            with platform_context(), platform_context():
                pass
        # the same tenant: nothing; another scope (PostgreSQL): savepoint, set, restore, release — once
        assert len(ctx.captured_queries) == (4 if connection.vendor == "postgresql" else 0)


@pytest.mark.postgres_only
def test_a_scope_left_unrestored_is_applied_again_when_entered(tenant_a, tenant_b):
    """``request_tenant_context`` leaves its settings in force (its transaction is about to end): a later
    block of the outer tenant must not take them for its own."""
    from django.db import transaction

    from novasaas.platform.tenancy import request_tenant_context

    with transaction.atomic(), tenant_context(tenant_a):
        with request_tenant_context(tenant_b):
            pass
        with tenant_context(tenant_a):
            assert _current_settings() == (str(tenant_a.pk), "")
