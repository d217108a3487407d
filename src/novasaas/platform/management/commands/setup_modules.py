"""Create the module data every tenant needs for the modules it has (idempotent). New tenants get it at
sign-up and when a module is switched on; run this once after upgrading a database whose tenants were
created before that (their data was created on a first page view then)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from novasaas.platform.models import Tenant
from novasaas.platform.modules import set_up_modules
from novasaas.platform.tenancy import platform_context


class Command(BaseCommand):
    help = "Create module data (chart of accounts, journals, stock locations…) for every tenant's modules."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("slugs", nargs="*", help="only these tenants (default: all)")

    def handle(self, *args: Any, slugs: list[str], **options: Any) -> None:
        with platform_context():
            tenants = list(Tenant.objects.filter(slug__in=slugs) if slugs else Tenant.objects.all())
        for tenant in tenants:
            set_up_modules(tenant, tenant.enabled_modules)
            self.stdout.write(f"{tenant.slug}: {', '.join(tenant.enabled_modules) or '-'}")
