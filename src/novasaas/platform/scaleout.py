"""The path past one database server: distribution of tenant tables by ``tenant_id`` on Citus.

Every table is in one of three Citus roles (docs/scale-out.md):

* **distributed** by ``tenant_id`` and co-located: every ``TenantModel`` table, and the platform tables
  that hold one tenant's rows (``TENANT_KEYED``);
* **reference** (copied to every node, joined locally): tenants, users and the global catalogues;
* **local** (kept on the coordinator only): sessions, lockout, task results, heartbeats, platform audit.

``readiness()`` reads the database catalogue (through Django's introspection, so it runs on SQLite too,
where it reads the same schema) and reports, per table, what blocks its distribution. Two kinds of
finding:

* **convert**: mechanical and handled by the conversion (``conversion_sql``): a primary key without
  ``tenant_id``, a foreign key between distributed tables without ``tenant_id``;
* **blocker**: a design decision is needed: an unclassified table, a foreign key Citus refuses
  (reference → distributed, local → distributed, distributed → local), a nullable or missing
  ``tenant_id`` on a distributed table, a unique key without ``tenant_id``.

The test suite asserts that no table is unclassified and that there is no blocker, so every table added
from now on follows the convention (or the convention changes here, with docs/scale-out.md).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.apps import apps
from django.db import connection as default_connection
from django.db.backends.base.base import BaseDatabaseWrapper

DISTRIBUTED = "distributed"
REFERENCE = "reference"
LOCAL = "local"

#: Platform-level tables (not ``TenantModel``) whose rows each belong to one tenant: distributed with
#: the tenant tables, co-located by ``tenant_id``.
TENANT_KEYED: dict[str, str] = {
    "documents.DocumentSearch": "a document's search text, beside the document",
}

#: Small, read-mostly tables that every node joins: replicated as Citus reference tables.
REFERENCE_MODELS: dict[str, str] = {
    "platform.Tenant": "the distribution key's own table",
    "identity.User": "a person may belong to several tenants",
    "contenttypes.ContentType": "Django catalogue",
    "auth.Permission": "Django catalogue",
    "auth.Group": "Django catalogue (unused)",
    "auth.Group_permissions": "Django catalogue (unused)",
    "hrm.StatutoryRate": "the law as data, global",
    "hrm.PitBracket": "the law as data, global",
    "billing.Plan": "plan catalogue",
    "billing.AddOn": "add-on catalogue",
    "billing.PriceVersion": "price catalogue",
    "billing.InvoiceCounter": "platform invoice numbering (one row per year)",
    "billing.RefundCounter": "platform refund (credit note) numbering (one row per year)",
    "billing.Promotion": "upgrade offers of the catalogue (§12.6)",
    "ai.ModelRate": "AI rate catalogue",
    "ai.CreditPack": "AI pack catalogue",
}

#: Kept on the coordinator only (Citus local tables): per-user or per-process, never joined with
#: tenant rows in a query.
LOCAL_MODELS: dict[str, str] = {
    "sessions.Session": "web sessions",
    "django_tasks_database.DBTaskResult": "the task queue (arguments carry the tenant id)",
    "otp_totp.TOTPDevice": "a user's authenticator",
    "axes.AccessFailureLog": "sign-in lockout",
    "axes.AccessAttempt": "sign-in lockout",
    "axes.AccessAttemptExpiration": "sign-in lockout",
    "axes.AccessLog": "sign-in lockout",
    "platform.WorkerHeartbeat": "worker liveness",
    "platform.AuditLog": "security events of tenants and of the platform (tenant NULL): docs/scale-out.md",
    "identity.UserSession": "a user's sessions across tenants",
    "identity.RevokedSession": "revoked token ids",
    "identity.KnownDevice": "a user's known browsers",
    # The platform's own books about its tenants: a few rows per tenant and month, numbered across all
    # tenants (the platform invoice number is unique platform-wide), read by the Master Admin across
    # tenants: they stay on the coordinator.
    "billing.Subscription": "the platform's books (global invoice numbering)",
    "billing.SubscriptionAddOn": "the platform's books",
    "billing.SubscriptionEvent": "the platform's books",
    "billing.Charge": "the platform's books",
    "billing.PlatformInvoice": "the platform's books (number unique platform-wide)",
    "billing.PlatformInvoiceLine": "the platform's books",
    "billing.PlatformPayment": "the platform's books (gateway reference unique platform-wide)",
    "billing.PlatformCredit": "the platform's books (credit notes to a tenant)",
    "billing.PlatformRefund": "the platform's books (refund number unique platform-wide)",
    "billing.MrrSnapshot": "the platform's books (a tenant's MRR per month, read across tenants)",
}

#: Tables without a Django model.
LOCAL_TABLES: dict[str, str] = {"django_migrations": "Django's migration record"}


@dataclass
class TableReport:
    table: str
    model: str
    kind: str
    reason: str
    convert: list[str] = field(default_factory=list)
    blockers: list[str] = field(default_factory=list)


def _tenant_model_base() -> type:
    from novasaas.platform.models import TenantModel

    return TenantModel


def classify() -> dict[str, tuple[str, str, str]]:
    """``{table: (model label, kind, reason)}`` for every table Django manages."""
    tenant_base = _tenant_model_base()
    out: dict[str, tuple[str, str, str]] = {}
    for model in apps.get_models(include_auto_created=True):
        if not model._meta.managed:
            continue
        label = model._meta.label
        table = model._meta.db_table
        if issubclass(model, tenant_base):
            out[table] = (label, DISTRIBUTED, "tenant table")
        elif model._meta.auto_created and _auto_created_parent_is_tenant(model, tenant_base):
            out[table] = (label, DISTRIBUTED, "many-to-many table of a tenant table")
        elif label in TENANT_KEYED:
            out[table] = (label, DISTRIBUTED, TENANT_KEYED[label])
        elif label in REFERENCE_MODELS:
            out[table] = (label, REFERENCE, REFERENCE_MODELS[label])
        elif label in LOCAL_MODELS:
            out[table] = (label, LOCAL, LOCAL_MODELS[label])
        else:
            out[table] = (label, "", "")
    for table, reason in LOCAL_TABLES.items():
        out[table] = ("", LOCAL, reason)
    return out


def _auto_created_parent_is_tenant(model: Any, tenant_base: type) -> bool:
    parent = model._meta.auto_created
    return isinstance(parent, type) and issubclass(parent, tenant_base)


def _constraints(conn: BaseDatabaseWrapper, table: str) -> dict[str, Any]:
    with conn.cursor() as cursor:
        return dict(conn.introspection.get_constraints(cursor, table))


def _columns(conn: BaseDatabaseWrapper, table: str) -> dict[str, bool]:
    """``{column: nullable}``."""
    with conn.cursor() as cursor:
        return {c.name: bool(c.null_ok) for c in conn.introspection.get_table_description(cursor, table)}


def readiness(conn: BaseDatabaseWrapper | None = None, *, only: set[str] | None = None) -> list[TableReport]:
    """Per table (or only the tables named), its Citus role and findings."""
    conn = conn or default_connection
    classes = classify()
    with conn.cursor() as cursor:
        tables = sorted(
            t.name for t in conn.introspection.get_table_list(cursor) if t.type == "t" and t.name in classes
        ) + sorted(
            t.name
            for t in conn.introspection.get_table_list(cursor)
            if t.type == "t" and t.name not in classes and conn.vendor == "postgresql"
        )
    reports: list[TableReport] = []
    for table in tables:
        if only is not None and table not in only:
            continue
        label, kind, reason = classes.get(table, ("", "", ""))
        report = TableReport(table=table, model=label, kind=kind, reason=reason)
        reports.append(report)
        if not kind:
            report.blockers.append("unclassified: add it to platform/scaleout.py (distributed, reference or local)")
            continue
        constraints = _constraints(conn, table)
        columns = _columns(conn, table)
        if kind == DISTRIBUTED:
            if "tenant_id" not in columns:
                report.blockers.append("no tenant_id column")
            elif columns["tenant_id"]:
                report.blockers.append("tenant_id is nullable")
        for _name, c in sorted(constraints.items()):
            cols = list(c.get("columns") or [])
            fk = c.get("foreign_key")
            if c.get("primary_key"):
                if kind == DISTRIBUTED and "tenant_id" not in cols:
                    report.convert.append(f"primary key ({', '.join(cols)}) → (tenant_id, {', '.join(cols)})")
            elif fk:
                target_table = fk[0]
                target_kind = classes.get(target_table, ("", "", ""))[1]
                where = f"{', '.join(cols)} → {target_table}"
                if kind == DISTRIBUTED and target_kind == DISTRIBUTED:
                    if "tenant_id" not in cols:
                        report.convert.append(f"foreign key {where}: add tenant_id on both sides")
                elif kind == DISTRIBUTED and target_kind == LOCAL:
                    report.blockers.append(f"foreign key {where}: distributed → local")
                elif kind in (REFERENCE, LOCAL) and target_kind == DISTRIBUTED:
                    report.blockers.append(f"foreign key {where}: {kind} → distributed")
                elif kind == REFERENCE and target_kind == LOCAL:
                    report.blockers.append(f"foreign key {where}: reference → local")
            elif c.get("unique") and kind == DISTRIBUTED and cols and "tenant_id" not in cols:
                report.blockers.append(f"unique ({', '.join(cols)}) without tenant_id")
    return reports


def blockers(reports: list[TableReport]) -> list[str]:
    return [f"{r.table}: {b}" for r in reports for b in r.blockers]


def conversion_sql(conn: BaseDatabaseWrapper | None = None) -> list[str]:
    """SQL (PostgreSQL) that gives every distributed table a ``(tenant_id, id)`` primary key and turns
    every foreign key between distributed tables into ``(tenant_id, x_id) → (tenant_id, id)``.

    Django keeps ``id`` as the model's primary key (ids come from one sequence per table, so they stay
    unique); only the database constraints change. Run as the table owner, before
    ``create_distributed_table``. Order: drop the foreign keys, swap the primary keys, add the composite
    foreign keys (deferrable, like Django's)."""
    conn = conn or default_connection
    classes = classify()
    drops: list[str] = []
    pks: list[str] = []
    adds: list[str] = []
    distributed = sorted(t for t, (_, kind, _) in classes.items() if kind == DISTRIBUTED)
    for table in distributed:
        constraints = _constraints(conn, table)
        for name, c in sorted(constraints.items()):
            cols = list(c.get("columns") or [])
            fk = c.get("foreign_key")
            if c.get("primary_key") and "tenant_id" not in cols:
                pks.append(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                pks.append(f'ALTER TABLE "{table}" ADD PRIMARY KEY (tenant_id, {", ".join(cols)})')
            elif fk and classes.get(fk[0], ("", "", ""))[1] == DISTRIBUTED and "tenant_id" not in cols:
                (col,) = cols
                drops.append(f'ALTER TABLE "{table}" DROP CONSTRAINT "{name}"')
                adds.append(
                    f'ALTER TABLE "{table}" ADD CONSTRAINT "{name}" FOREIGN KEY (tenant_id, "{col}") '
                    f'REFERENCES "{fk[0]}" (tenant_id, "{fk[1]}") DEFERRABLE INITIALLY DEFERRED'
                )
    return drops + pks + adds


def citus_sql(conn: BaseDatabaseWrapper | None = None) -> list[str]:
    """The Citus calls, after ``conversion_sql``: reference tables first, then the distributed ones
    co-located with the first."""
    classes = classify()
    out = [f"SELECT create_reference_table('{t}')" for t, (_, k, _) in sorted(classes.items()) if k == REFERENCE]
    first = ""
    for table in sorted(t for t, (_, k, _) in classes.items() if k == DISTRIBUTED):
        colocate = f", colocate_with => '{first}'" if first else ""
        out.append(f"SELECT create_distributed_table('{table}', 'tenant_id'{colocate})")
        first = first or table
    out += [
        f"SELECT citus_add_local_table_to_metadata('{t}')"
        for t, (_, k, _) in sorted(classes.items())
        if k == LOCAL and t != "django_migrations"
    ]
    return out
