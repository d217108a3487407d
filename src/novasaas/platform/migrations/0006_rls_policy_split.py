"""Split the row-level policy of every tenant table (issue 20).

Before: one policy ``tenant_id = app.tenant_id OR app.platform = 'on'`` for every role; the OR kept
PostgreSQL from using it as an index condition, so a tenant's report walked every tenant's rows. After:
``tenant_isolation`` is the plain equality, and ``platform_access`` (``app.platform = 'on'``) applies only
to the platform role and the tables' owner (platform/rls.py). The ledger's balance check, which reads in
the platform scope at commit, becomes SECURITY DEFINER so that it reads as the owner whatever role the
transaction ends in.
"""

from typing import Any

from django.db import migrations

from novasaas.platform.rls import POLICY, grant_app_role_sql, platform_role, policy_sql

OLD_CONDITION = (
    "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint"
    " OR current_setting('app.platform', true) = 'on')"
)


def _tenant_tables(cursor: Any) -> list[str]:
    cursor.execute(
        "SELECT tablename FROM pg_policies WHERE schemaname = current_schema() AND policyname = %s ORDER BY 1",
        [POLICY],
    )
    return [row[0] for row in cursor.fetchall()]


def split(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    role = platform_role()
    if role:
        for sql in grant_app_role_sql(role):
            schema_editor.execute(sql)
    with schema_editor.connection.cursor() as cursor:
        tables = _tenant_tables(cursor)
        cursor.execute("SELECT current_schema()")
        schema = cursor.fetchone()[0]
    for table in tables:
        for sql in policy_sql(table, role):
            schema_editor.execute(sql)
    schema_editor.execute(
        f'ALTER FUNCTION acc_check_entry_balance() SECURITY DEFINER SET search_path = "{schema}", pg_temp'
    )


def unsplit(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    with schema_editor.connection.cursor() as cursor:
        tables = _tenant_tables(cursor)
    for table in tables:
        schema_editor.execute(f'DROP POLICY IF EXISTS platform_access ON "{table}"')
        schema_editor.execute(f'DROP POLICY IF EXISTS {POLICY} ON "{table}"')
        schema_editor.execute(f'CREATE POLICY {POLICY} ON "{table}" USING {OLD_CONDITION} WITH CHECK {OLD_CONDITION}')
    schema_editor.execute("ALTER FUNCTION acc_check_entry_balance() SECURITY INVOKER RESET search_path")


class Migration(migrations.Migration):
    dependencies = [
        ("platform", "0005_worker_lease"),
        ("accounting", "0002_ledger_guards"),
    ]

    operations = [migrations.RunPython(split, unsplit)]
