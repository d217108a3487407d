"""Default roles' grants come from the catalogue (issue 20): a default role whose rows equal the
catalogue's grants for its code loses its rows and is marked ``has_own_grants = False``; custom roles and
edited default roles keep theirs."""

from collections import defaultdict
from typing import Any

from django.db import migrations, models

CHUNK = 500


def _platform_scope(schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":  # every tenant's rows, through row-level security
        with schema_editor.connection.cursor() as cur:
            cur.execute("SELECT set_config('app.platform', 'on', true)")


def to_catalogue(apps: Any, schema_editor: Any) -> None:
    from novasaas.identity.grants import DEFAULT_GRANTS

    _platform_scope(schema_editor)
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT id, code FROM identity_role WHERE is_system")
        roles = {rid: code for rid, code in cur.fetchall() if code in DEFAULT_GRANTS}
        held: dict[int, set[str]] = defaultdict(set)
        cur.execute(
            "SELECT r.id, p.permission FROM identity_rolepermission p JOIN identity_role r ON r.id = p.role_id"
            " WHERE r.is_system"
        )
        for rid, perm in cur.fetchall():
            held[rid].add(perm)
        same = [rid for rid, code in roles.items() if held[rid] == DEFAULT_GRANTS[code]]
        for i in range(0, len(same), CHUNK):
            ids = same[i : i + CHUNK]
            marks = ", ".join(["%s"] * len(ids))
            cur.execute(f"DELETE FROM identity_rolepermission WHERE role_id IN ({marks})", ids)  # noqa: S608
            cur.execute(f"UPDATE identity_role SET has_own_grants = %s WHERE id IN ({marks})", [False, *ids])  # noqa: S608


def to_rows(apps: Any, schema_editor: Any) -> None:
    from novasaas.identity.grants import DEFAULT_GRANTS

    _platform_scope(schema_editor)
    with schema_editor.connection.cursor() as cur:
        cur.execute("SELECT id, tenant_id, code FROM identity_role WHERE NOT has_own_grants")
        for rid, tenant_id, code in cur.fetchall():
            for perm in sorted(DEFAULT_GRANTS.get(code, ())):
                cur.execute(
                    "INSERT INTO identity_rolepermission (tenant_id, role_id, permission) VALUES (%s, %s, %s)",
                    [tenant_id, rid, perm],
                )


class Migration(migrations.Migration):
    dependencies = [
        ("identity", "0005_known_device"),
    ]

    operations = [
        migrations.AddField(
            model_name="role",
            name="has_own_grants",
            field=models.BooleanField(default=True),
        ),
        migrations.RunPython(to_catalogue, to_rows),
    ]
