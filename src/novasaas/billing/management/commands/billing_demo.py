"""``novasaas billing_demo [--tenants 30] [--months 12] [--date 2026-12-07]``: demo tenants with a
billing history, for the Master Admin's revenue console (billing/demo.py). Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from novasaas.billing.demo import seed_billing_demo


class Command(BaseCommand):
    help = "Create demo tenants on several plans with 12 months of subscriptions, invoices and MRR history."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--tenants", type=int, default=30)
        parser.add_argument("--months", type=int, default=12)
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        counts = seed_billing_demo(today=options["date"], tenants=options["tenants"], months=options["months"])
        self.stdout.write(str(counts))
