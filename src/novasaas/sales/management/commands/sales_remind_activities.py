"""``novasaas sales_remind_activities [--date 2026-12-31]``: notify owners of activities that fell due
(cron once a day or more often; each activity is notified once)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from novasaas.sales.pipeline import remind_all_tenants


class Command(BaseCommand):
    help = "Notify the owners of due sales activities (once per activity)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(remind_all_tenants(options["date"])))
