"""Report, per table, what blocks distributing the database by tenant on Citus (docs/scale-out.md)."""

from __future__ import annotations

from collections import Counter
from typing import Any

from django.core.management.base import BaseCommand
from django.db import connection

from novasaas.platform import scaleout


class Command(BaseCommand):
    help = "Read the database catalogue and report what blocks distribution by tenant_id on Citus."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tables", action="store_true", help="one line per table (default: summary)")
        parser.add_argument("--sql", action="store_true", help="print the conversion SQL and the Citus calls")

    def handle(self, *args: Any, tables: bool, sql: bool, **options: Any) -> None:
        if sql:
            for statement in scaleout.conversion_sql(connection) + scaleout.citus_sql(connection):
                self.stdout.write(statement + ";")
            return
        reports = scaleout.readiness(connection)
        kinds = Counter(r.kind or "unclassified" for r in reports)
        distributed = [r for r in reports if r.kind == scaleout.DISTRIBUTED]
        pk_ok = sum(1 for r in distributed if not any(c.startswith("primary key") for c in r.convert))
        fks = sum(1 for r in distributed for c in r.convert if c.startswith("foreign key"))
        self.stdout.write(f"database: {connection.vendor}, {len(reports)} tables")
        self.stdout.write(
            "tables: " + ", ".join(f"{kinds[k]} {k}" for k in ("distributed", "reference", "local", "unclassified"))
        )
        self.stdout.write(f"distributed tables with tenant_id in the primary key: {pk_ok} of {len(distributed)}")
        self.stdout.write(f"foreign keys between distributed tables without tenant_id: {fks}")
        found = scaleout.blockers(reports)
        self.stdout.write(f"blockers (need a decision): {len(found)}")
        for line in found:
            self.stdout.write(f"  {line}")
        if tables:
            for r in reports:
                todo = "; ".join(r.convert + r.blockers) or "ready"
                self.stdout.write(f"{r.table:<45} {r.kind or '?':<12} {todo}")
        self.stdout.write(
            "next: `novasaas citus_readiness --sql` prints the conversion (composite keys) and the Citus calls"
        )
