"""Row-level security with many tenants (issue 20): the app role's policy is a plain
``tenant_id = app.tenant_id`` that the planner uses as an index condition, so one tenant's reports never
walk the other tenants' rows; the platform path is a separate role the app role cannot take by setting
``app.platform`` itself.

The plan test fills every tenant table that the demo company has rows in with rows of a few thousand
other tenants (bulk SQL copies of a handful of the demo's rows each, and of the rows they reference, in
foreign-key order, so no copied row points to another tenant's row), then runs EXPLAIN ANALYZE on every
SELECT the main reports issue, as the app role, and fails on a sequential scan or a full index scan of a
table holding other tenants' rows, or on a scan that reads and discards other tenants' rows.
"""

from __future__ import annotations

import graphlib
import json
from typing import Any

import pytest
from django.apps import apps
from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.test.utils import CaptureQueriesContext

from novasaas.platform.models import TenantModel
from novasaas.platform.rls import PLATFORM_POLICY, POLICY
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import create_tenant

pytestmark = [pytest.mark.postgres_only, pytest.mark.date_sensitive]

OTHER_TENANTS = 2000
ROWS_PER_TENANT = 3  # copied from the demo company's first rows of each table


def _tenant_models() -> list[Any]:
    seen: dict[str, Any] = {}
    for model in apps.get_models():
        if issubclass(model, TenantModel) and not model._meta.proxy:
            seen.setdefault(model._meta.db_table, model)
    return [seen[t] for t in sorted(seen)]


def _tenant_tables() -> list[str]:
    return [m._meta.db_table for m in _tenant_models()]


def _as_owner(cur: Any) -> None:
    cur.execute("SELECT set_config('role', 'none', true), set_config('app.platform', 'on', true)")


def _relations(models: list[Any]) -> dict[str, list[tuple[str, str, bool]]]:
    """``{table: [(column, target table, nullable)]}``: the foreign keys between tenant tables."""
    tables = {m._meta.db_table for m in models}
    out: dict[str, list[tuple[str, str, bool]]] = {}
    for model in models:
        out[model._meta.db_table] = [
            (f.column, f.related_model._meta.db_table, bool(f.null))
            for f in model._meta.concrete_fields
            if f.is_relation
            and f.related_model
            and f.column != "tenant_id"
            and f.related_model._meta.db_table in tables
        ]
    return out


def _copy_order(relations: dict[str, list[tuple[str, str, bool]]]) -> tuple[list[str], set[tuple[str, str]]]:
    """The tenant tables in foreign-key order (a table after the tables it references), and the back
    edges ``(table, target)``: nullable foreign keys left out to break a cycle (a document and its
    current version), copied as NULL."""
    graph = {t: {target for _, target, _ in rels if target != t} for t, rels in relations.items()}
    back: set[tuple[str, str]] = set()
    while True:
        try:
            return list(graphlib.TopologicalSorter(graph).static_order()), back
        except graphlib.CycleError as cycle:
            nodes = cycle.args[1]  # each node is referenced by the next one
            for target, table in zip(nodes, nodes[1:], strict=False):
                if all(null for _, t, null in relations[table] if t == target):
                    graph[table].discard(target)
                    back.add((table, target))
                    break
            else:
                raise


def _fill_other_tenants(source_id: int) -> dict[str, int]:
    """Copy the source tenant's first rows of every tenant table, and the rows they reference, to
    OTHER_TENANTS new tenants, as the owner with the tables' triggers off inside the test's transaction.

    Tables are copied in foreign-key order; a copied row references the new tenant's copy of its
    target, never a row of another tenant (so the statistics and the index contents look like real
    tenants'). Only the rows actually copied are mapped: when a table cannot be copied (a single-column
    unique key, e.g. a one-to-one), the rows that need it are left out (NOT NULL reference) or copied
    with a NULL reference. Returns the rows copied per table."""
    models = _tenant_models()
    relations = _relations(models)
    order, back = _copy_order(relations)
    by_table = {m._meta.db_table: m for m in models}
    index = {t: i for i, t in enumerate(order)}
    sel = {t: f"_copy_sel_{i}" for t, i in index.items()}
    maps = {t: f"_copy_map_{i}" for t, i in index.items()}
    copied: dict[str, int] = {}
    with connection.cursor() as cur:
        _as_owner(cur)
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")  # no pending trigger events: ALTER TABLE below
        cur.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_schema = current_schema()"
            " AND table_name = 'platform_tenant' AND column_name NOT IN ('id', 'slug') ORDER BY ordinal_position"
        )
        cols = ", ".join(f'"{r[0]}"' for r in cur.fetchall())
        cur.execute(
            f"INSERT INTO platform_tenant (slug, {cols}) SELECT 'bulk-' || n, {cols}"  # noqa: S608
            " FROM platform_tenant, generate_series(1, %s) n WHERE id = %s",
            [OTHER_TENANTS, source_id],
        )
        # 1. The source rows to copy: each table's first rows, then (tables that reference others first)
        # every row a selected row references, so a copied row never points outside its tenant.
        for table in order:
            cur.execute(f"CREATE TEMP TABLE {sel[table]} (old_id bigint PRIMARY KEY) ON COMMIT DROP")
        for table in reversed(order):
            cur.execute(
                f'INSERT INTO {sel[table]} SELECT id FROM "{table}" WHERE tenant_id = %s'  # noqa: S608
                " ORDER BY id LIMIT %s ON CONFLICT DO NOTHING",
                [source_id, ROWS_PER_TENANT],
            )
            for column, target, _ in sorted(relations[table], key=lambda r: r[1] != table):  # self first
                if (table, target) in back:
                    continue
                closure = (
                    f'INSERT INTO {sel[target]} SELECT DISTINCT s."{column}" FROM "{table}" s'  # noqa: S608
                    f' JOIN {sel[table]} x ON x.old_id = s.id WHERE s."{column}" IS NOT NULL ON CONFLICT DO NOTHING'
                )
                cur.execute(closure)
                while target == table and cur.rowcount:  # a parent's parent
                    cur.execute(closure)
        # 2. Copy in foreign-key order, ids drawn per new tenant; map only the rows actually written.
        for table in order:
            cur.execute(
                f"CREATE TEMP TABLE {maps[table]} ON COMMIT DROP AS"  # noqa: S608
                # half the copies below the source's ids, half above: its rows sit in the middle of the
                # table, as a real tenant's do (an index walk from either end would cross other tenants)
                f" SELECT s.old_id, t.id AS tenant_id, CASE WHEN mod(t.id, 2) = 0 THEN 1 ELSE -1 END"
                f" * nextval(pg_get_serial_sequence('{table}', 'id')) AS new_id"
                f" FROM {sel[table]} s, platform_tenant t WHERE t.slug LIKE %s",
                ["bulk-%"],
            )
            cur.execute(f"CREATE INDEX ON {maps[table]} (old_id, tenant_id)")
            cur.execute(f'ALTER TABLE "{table}" DISABLE TRIGGER USER')
        cur.execute("SET CONSTRAINTS ALL DEFERRED")  # a row may reference a row of its own table
        for table in order:
            select, joins, required = [], [], []
            fields = [f for f in by_table[table]._meta.concrete_fields if f.column not in ("id", "tenant_id")]
            targets = {column: target for column, target, _ in relations[table]}
            for f in fields:
                target = targets.get(f.column)
                if target is None:
                    select.append(f's."{f.column}"')
                elif (table, target) in back:
                    select.append("NULL")
                else:
                    alias = f"j_{f.column}"
                    joins.append(
                        f'LEFT JOIN {maps[target]} {alias} ON {alias}.old_id = s."{f.column}"'
                        f" AND {alias}.tenant_id = m.tenant_id"
                    )
                    select.append(f"{alias}.new_id")
                    if not f.null:  # its target was not copied: leave the row out
                        required.append(f'(s."{f.column}" IS NULL OR {alias}.new_id IS NOT NULL)')
            cols = ", ".join(f'"{f.column}"' for f in fields)
            where = f" WHERE {' AND '.join(required)}" if required else ""
            try:
                with transaction.atomic():
                    cur.execute(
                        f'INSERT INTO "{table}" (id, tenant_id, {cols})'  # noqa: S608
                        f" SELECT m.new_id, m.tenant_id, {', '.join(select)} FROM {maps[table]} m"
                        f' JOIN "{table}" s ON s.id = m.old_id {" ".join(joins)}{where}'
                    )
                    copied[table] = cur.rowcount
            except DatabaseError:  # a single-column unique key (one-to-one): not copied
                copied[table] = 0
            cur.execute(
                f'DELETE FROM {maps[table]} m WHERE NOT EXISTS (SELECT 1 FROM "{table}" c WHERE c.id = m.new_id)'  # noqa: S608
            )
            for column, target, _ in relations[table]:
                if target == table:  # a parent left out: its children keep no reference
                    cur.execute(
                        f'UPDATE "{table}" c SET "{column}" = NULL WHERE c.id IN (SELECT new_id FROM {maps[table]})'  # noqa: S608
                        f' AND c."{column}" IS NOT NULL'
                        f' AND NOT EXISTS (SELECT 1 FROM "{table}" p WHERE p.id = c."{column}")'
                    )
        cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
        for table in order:
            cur.execute(f'ALTER TABLE "{table}" ENABLE TRIGGER USER')
            cur.execute(f'ANALYZE "{table}"')
        cur.execute("ANALYZE platform_tenant")
    return copied


def _cross_tenant_references() -> list[str]:
    """Foreign keys between tenant tables whose row and target belong to different tenants."""
    found = []
    with connection.cursor() as cur:
        _as_owner(cur)
        for table, rels in _relations(_tenant_models()).items():
            for column, target, _ in rels:
                cur.execute(
                    f'SELECT count(*) FROM "{table}" c JOIN "{target}" p ON p.id = c."{column}"'  # noqa: S608
                    " WHERE p.tenant_id <> c.tenant_id"
                )
                if count := cur.fetchone()[0]:
                    found.append(f"{table}.{column} → {target}: {count} rows")
    return found


def _scans(plan: dict[str, Any]) -> list[dict[str, Any]]:
    found = [plan] if "Relation Name" in plan else []
    for child in plan.get("Plans", []):
        found.extend(_scans(child))
    return found


def _bad_scans(sql: str, filled: set[str]) -> list[str]:
    with connection.cursor() as cur:
        cur.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql)
        plan = cur.fetchone()[0]
    if isinstance(plan, str):
        plan = json.loads(plan)
    bad = []
    for node in _scans(plan[0]["Plan"]):
        table = node["Relation Name"]
        if table not in filled:
            continue
        kind = node["Node Type"]
        removed = (node.get("Rows Removed by Filter", 0) + node.get("Rows Removed by Index Recheck", 0)) * node.get(
            "Actual Loops", 1
        )
        if kind == "Seq Scan":
            bad.append(f"Seq Scan on {table}")
        elif kind in ("Index Scan", "Index Only Scan") and "Index Cond" not in node:
            bad.append(f"full {kind} of {node.get('Index Name')} on {table}")
        elif removed >= OTHER_TENANTS:
            bad.append(f"{kind} on {table} discards {removed} rows")
    if bad:
        bad.append("plan: " + json.dumps(plan[0]["Plan"], default=str)[:3000])
    return bad


def _report_queries(tenant: Any, today: Any) -> list[tuple[str, str]]:
    """(report, SQL) of every SELECT the main reports run for one tenant, as the app role."""
    from novasaas.accounting import receivables, selectors, taxes
    from novasaas.inventory import reports as inventory_reports

    reports = {
        "trial balance": lambda: selectors.trial_balance(tenant, today.replace(month=1, day=1), today),
        "AR aging": lambda: receivables.aging(tenant, "receivable", today),
        "AP aging": lambda: receivables.aging(tenant, "payable", today),
        "stock on hand": lambda: inventory_reports.stock_on_hand(tenant),
        "VAT return": lambda: taxes.vat_return(tenant, today.replace(month=1, day=1), today),
        "VAT lines without a rate": lambda: taxes.untaxed_vat_lines(tenant, today.replace(month=1, day=1), today),
    }
    queries = []
    for name, run in reports.items():
        with CaptureQueriesContext(connection) as ctx:
            run()
        queries += [
            (name, q["sql"]) for q in ctx.captured_queries if q["sql"].lstrip().upper().startswith(("SELECT", "WITH"))
        ]
        queries = [(n, s) for n, s in queries if "set_config" not in s and "current_setting" not in s]
    return queries


def test_reports_of_one_tenant_do_not_scan_other_tenants_rows(db, today):
    from novasaas.parties.demo import load_demo_parties
    from novasaas.platform import demo

    tenant = create_tenant()
    load_demo_parties(tenant)
    demo.load_module_data(tenant)
    copied = _fill_other_tenants(tenant.pk)
    for table in ("accounting_fiscalperiod", "accounting_accountbalance", "accounting_account", "inventory_stock"):
        assert copied.get(table, 0) >= OTHER_TENANTS * ROWS_PER_TENANT, table
        assert copied[table] % OTHER_TENANTS == 0, table  # every new tenant has the same rows
    assert _cross_tenant_references() == []  # as in real data: the plans below meet only real shapes
    filled = {t for t, n in copied.items() if n}
    with tenant_context(tenant):
        queries = _report_queries(tenant, today)
        assert len(queries) >= 6
        bad = [f"{name}: {scan}\n  {sql}" for name, sql in queries for scan in _bad_scans(sql, filled)]
    assert not bad, "\n".join(bad)


def test_every_tenant_table_has_the_two_policies(db):
    platform_role = settings.DATABASE_PLATFORM_ROLE
    with connection.cursor() as cur:
        cur.execute(
            "SELECT tablename, policyname, roles::text[], qual FROM pg_policies WHERE schemaname = current_schema()"
        )
        policies = {(r[0], r[1]): (r[2], r[3]) for r in cur.fetchall()}
    for table in _tenant_tables():
        roles, qual = policies[(table, POLICY)]
        assert roles == ["public"]
        assert "app.platform" not in qual and " OR " not in qual.upper(), (table, qual)
        roles, qual = policies[(table, PLATFORM_POLICY)]
        assert settings.DATABASE_APP_ROLE not in roles
        if platform_role:
            assert platform_role in roles
        assert "app.platform" in qual


def test_app_role_setting_app_platform_still_sees_only_its_tenant(tenant_a, tenant_b):
    if not settings.DATABASE_APP_ROLE:
        pytest.skip("DATABASE_APP_ROLE not set: the connection is the app role itself")
    with tenant_context(tenant_a), connection.cursor() as cur:
        cur.execute("SELECT set_config('app.platform', 'on', true)")
        cur.execute("SELECT DISTINCT tenant_id FROM identity_role")
        assert {r[0] for r in cur.fetchall()} == {tenant_a.pk}
        cur.execute("SELECT set_config('app.tenant_id', '', true)")
        cur.execute("SELECT count(*) FROM identity_role")
        assert cur.fetchone()[0] == 0


def test_platform_context_runs_as_the_platform_role_and_sees_every_tenant(tenant_a, tenant_b):
    with platform_context(), connection.cursor() as cur:
        cur.execute("SELECT current_user, array_agg(DISTINCT tenant_id) FROM identity_role")
        user, tenants = cur.fetchone()
    assert {tenant_a.pk, tenant_b.pk} <= set(tenants)
    if settings.DATABASE_PLATFORM_ROLE:
        assert user == settings.DATABASE_PLATFORM_ROLE
    with tenant_context(tenant_a), connection.cursor() as cur:
        cur.execute("SELECT current_user")
        assert cur.fetchone()[0] == (settings.DATABASE_APP_ROLE or user)
