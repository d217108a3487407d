"""Verify the ledger of one tenant (or all): hash chain, balance of every entry, maintained balances."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from novasaas.accounting.integrity import verify_ledger
from novasaas.platform.models import Tenant
from novasaas.platform.tenancy import platform_context


class Command(BaseCommand):
    help = "Verify the accounting hash chain and balances (exit code 1 when tampering is found)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slugs", nargs="*", help="tenant slugs (default: every tenant)")

    def handle(self, *args: Any, **options: Any) -> None:
        with platform_context():
            qs = Tenant.objects.all()
            if options["slugs"]:
                qs = qs.filter(slug__in=options["slugs"])
            tenants = list(qs.order_by("slug"))
        failed = False
        for tenant in tenants:
            report = verify_ledger(tenant)
            if report.ok:
                self.stdout.write(f"{tenant.slug}: OK ({report.entries} posted entries)")
            else:
                failed = True
                self.stdout.write(f"{tenant.slug}: {len(report.problems)} problem(s)")
                for problem in report.problems[:100]:
                    self.stdout.write(f"  - {problem}")
        if failed:
            raise CommandError("ledger verification failed")
