"""``novasaas billing_day [--date 2026-12-31]``: the daily billing run (cron once a day)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from novasaas.billing.invoicing import run_billing_day


class Command(BaseCommand):
    help = "Renew subscriptions, end trials, invoice charges, send reminders and suspend unpaid tenants."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(run_billing_day(options["date"])))
