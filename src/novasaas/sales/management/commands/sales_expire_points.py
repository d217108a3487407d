"""``novasaas sales_expire_points [--date 2026-12-31]``: write off the loyalty points that expired before
the date (today by default) in every company with CRM; run daily by the worker (platform/periodic.py),
idempotent (a second run the same day writes nothing)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from novasaas.sales.loyalty import expire_points_all_tenants


class Command(BaseCommand):
    help = "Expire loyalty points past their expiry date (oldest first; idempotent)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(expire_points_all_tenants(options["date"])))
