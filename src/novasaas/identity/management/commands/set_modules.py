"""``novasaas set_modules <slug> ACC INV …``: choose a company's enabled modules from the shell."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from novasaas.identity.actions import set_tenant_modules
from novasaas.platform.models import Tenant
from novasaas.platform.tenancy import platform_context


class Command(BaseCommand):
    help = "Set the enabled modules of a company (CORE is always on; dependencies are added)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("slug", help="the company's workspace address")
        parser.add_argument("modules", nargs="*", help="module codes, e.g. ACC INV (none: CORE only)")

    def handle(self, *args: Any, slug: str, modules: list[str], **options: Any) -> None:
        with platform_context():
            tenant = Tenant.objects.filter(slug=slug).first()
        if tenant is None:
            raise CommandError(f"No company with address {slug!r}.")
        try:
            tenant = set_tenant_modules(tenant, [m.upper() for m in modules], actor=None)
        except ValueError as exc:
            raise CommandError(str(exc)) from exc
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        self.stdout.write(f"{tenant.slug}: CORE {' '.join(tenant.enabled_modules)}".rstrip())
