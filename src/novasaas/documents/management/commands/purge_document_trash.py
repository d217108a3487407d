"""Delete for good the documents that stayed in the trash longer than their company's retention
(``DmsSettings.trash_retention_days``). Run it nightly (cron or a scheduler); it is idempotent."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from novasaas.documents.actions import purge_expired
from novasaas.platform.models import Tenant
from novasaas.platform.tenancy import platform_context


class Command(BaseCommand):
    help = "Purge documents kept in the trash longer than the retention period."

    def handle(self, *args: Any, **options: Any) -> None:
        with platform_context():
            tenants = [t for t in Tenant.objects.order_by("pk") if t.has_module("DMS")]
        total = 0
        for tenant in tenants:
            total += purge_expired(tenant)
        self.stdout.write(f"{total} document(s) purged")
