"""PostgreSQL row-level security for tenant tables, applied by migrations.

Every TenantModel table gets ``ENABLE`` and ``FORCE ROW LEVEL SECURITY`` and two policies:

- ``tenant_isolation`` (every role): a row is visible and writable only when its ``tenant_id`` equals the
  transaction's ``app.tenant_id`` (set by ``tenant_context``). It is a plain equality with a stable
  value, so the planner uses it as an index condition: a tenant's query never walks other tenants' rows.
- ``platform_access``: only for the platform role (``DATABASE_PLATFORM_ROLE``, switched to by
  ``platform_context``) and the role that ran the migration (the tables' owner: data migrations and
  the ledger's SECURITY DEFINER check), and only while ``app.platform = 'on'``. The app role is not
  one of them, so this policy is not part of its queries' plans.

A test checks that every tenant table has them, so a new module cannot forget.
"""

from __future__ import annotations

from typing import Any

from django.db import migrations

POLICY = "tenant_isolation"
CONDITION = "(tenant_id = NULLIF(current_setting('app.tenant_id', true), '')::bigint)"
PLATFORM_POLICY = "platform_access"
PLATFORM_CONDITION = "(current_setting('app.platform', true) = 'on')"


def platform_role() -> str:
    """The role ``platform_context`` switches to (empty: none configured, the owner's path only)."""
    from django.conf import settings

    return str(getattr(settings, "DATABASE_PLATFORM_ROLE", "") or "")


def policy_sql(table: str, platform: str | None = None) -> list[str]:
    """(Re)create the two policies of a tenant table (RLS must be enabled separately)."""
    platform = platform_role() if platform is None else platform
    roles = "CURRENT_USER" + (f', "{platform}"' if platform else "")
    return [
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
        f'CREATE POLICY {POLICY} ON "{table}" USING {CONDITION} WITH CHECK {CONDITION}',
        f'DROP POLICY IF EXISTS {PLATFORM_POLICY} ON "{table}"',
        f'CREATE POLICY {PLATFORM_POLICY} ON "{table}" TO {roles}'
        f" USING {PLATFORM_CONDITION} WITH CHECK {PLATFORM_CONDITION}",
    ]


def enable_sql(table: str) -> list[str]:
    return [
        f'ALTER TABLE "{table}" ENABLE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" FORCE ROW LEVEL SECURITY',
        *policy_sql(table),
    ]


def disable_sql(table: str) -> list[str]:
    return [
        f'DROP POLICY IF EXISTS {PLATFORM_POLICY} ON "{table}"',
        f'DROP POLICY IF EXISTS {POLICY} ON "{table}"',
        f'ALTER TABLE "{table}" NO FORCE ROW LEVEL SECURITY',
        f'ALTER TABLE "{table}" DISABLE ROW LEVEL SECURITY',
    ]


class EnableRLS(migrations.operations.base.Operation):
    """Migration operation: ``EnableRLS("Party")`` after the model's CreateModel."""

    reversible = True
    reduces_to_sql = True

    def __init__(self, model_name: str) -> None:
        self.model_name = model_name

    def state_forwards(self, app_label: str, state: Any) -> None:
        pass

    def _table(self, app_label: str, state: Any) -> str:
        return str(state.apps.get_model(app_label, self.model_name)._meta.db_table)

    def database_forwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in enable_sql(self._table(app_label, to_state)):
                schema_editor.execute(sql)

    def database_backwards(self, app_label: str, schema_editor: Any, from_state: Any, to_state: Any) -> None:
        if schema_editor.connection.vendor == "postgresql":
            for sql in disable_sql(self._table(app_label, from_state)):
                schema_editor.execute(sql)

    def describe(self) -> str:
        return f"Enable row-level security on {self.model_name}"

    def deconstruct(self) -> tuple[str, list[Any], dict[str, Any]]:
        return (self.__class__.__qualname__, [self.model_name], {})


def grant_app_role_sql(role: str) -> list[str]:
    return [
        f'GRANT USAGE ON SCHEMA public TO "{role}"',
        f'GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO "{role}"',
        f'GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO "{role}"',
        f'ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO "{role}"',
    ]


def grant_app_role(apps: Any, schema_editor: Any) -> None:
    from django.conf import settings

    role = getattr(settings, "DATABASE_APP_ROLE", "")
    if schema_editor.connection.vendor != "postgresql" or not role:
        return
    for sql in grant_app_role_sql(role):
        schema_editor.execute(sql)


AUDIT_APPEND_ONLY_SQL = """
CREATE OR REPLACE FUNCTION platform_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
DROP TRIGGER IF EXISTS platform_auditlog_append_only ON platform_auditlog;
CREATE TRIGGER platform_auditlog_append_only BEFORE UPDATE OR DELETE ON platform_auditlog
    FOR EACH ROW EXECUTE FUNCTION platform_refuse_change();
"""


def audit_append_only(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(AUDIT_APPEND_ONLY_SQL, params=None)
        for sql in enable_sql("platform_auditlog"):
            schema_editor.execute(sql)
