"""``novasaas verify_stock [slug …]``: check that quants and stock rows equal the sum of the ledger."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError

from novasaas.inventory.ledger import ledger_differences
from novasaas.platform.models import Tenant
from novasaas.platform.tenancy import platform_context, tenant_context


class Command(BaseCommand):
    help = "Verify that stock quants and stock rows equal the sum of stock moves (per tenant)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slugs", nargs="*", help="tenant slugs (all tenants with INV when omitted)")

    def handle(self, *args: Any, **options: Any) -> None:
        with platform_context():
            tenants = list(
                Tenant.objects.filter(slug__in=options["slugs"]) if options["slugs"] else Tenant.objects.all()
            )
        if options["slugs"] and len(tenants) != len(set(options["slugs"])):
            raise CommandError("unknown tenant slug")
        failures = 0
        for tenant in tenants:
            if not tenant.has_module("INV"):
                continue
            with tenant_context(tenant):
                problems = ledger_differences()
            for problem in problems:
                self.stderr.write(f"{tenant.slug}: {problem}")
            failures += len(problems)
            self.stdout.write(f"{tenant.slug}: {'OK' if not problems else f'{len(problems)} difference(s)'}")
        if failures:
            raise CommandError(f"{failures} difference(s) between the ledger and stock")
