"""``novasaas sales_quotation_expiry [--date 2026-12-31]``: tell salespeople about sent quotations that
expire within the company's notice period or expired unanswered (cron once a day; once per quotation)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand

from novasaas.sales.quotations import notify_expiring_all_tenants


class Command(BaseCommand):
    help = "Notify salespeople of sent quotations about to expire (once per quotation)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--date", type=dt.date.fromisoformat, default=None)

    def handle(self, *args: Any, **options: Any) -> None:
        self.stdout.write(str(notify_expiring_all_tenants(options["date"])))
