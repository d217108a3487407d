"""PostgreSQL: the stock ledger and value entries are append-only, also for raw SQL (a trigger)."""

from typing import Any

from django.db import migrations

TABLES = ("inventory_stockmove", "inventory_valueentry")

SQL = """
CREATE OR REPLACE FUNCTION platform_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'table % is append-only', TG_TABLE_NAME USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
"""


def forwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute(SQL, params=None)
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}", params=None)
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION platform_refuse_change()",
            params=None,
        )


def backwards(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}", params=None)


class Migration(migrations.Migration):
    dependencies = [("inventory", "0003_cost_layers")]
    operations = [migrations.RunPython(forwards, backwards)]
