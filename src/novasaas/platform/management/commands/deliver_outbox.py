"""Deliver pending outbox messages now (the worker does it after each commit and every 30 s)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from novasaas.platform.events import deliver_pending


class Command(BaseCommand):
    help = "Deliver pending outbox messages (at least once; handlers are idempotent)."

    def handle(self, *args: Any, **options: Any) -> None:
        total = 0
        while True:
            delivered = deliver_pending(limit=500)
            total += delivered
            if delivered == 0:
                break
        self.stdout.write(f"delivered {total} message(s)")
