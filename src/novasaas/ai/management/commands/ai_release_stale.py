"""Release the credit reservations of AI requests left pending by a process that died mid-request."""

from typing import Any

from django.core.management.base import BaseCommand

from novasaas.ai.gateway import release_stale


class Command(BaseCommand):
    help = "Release reservations of AI requests pending for longer than --minutes (default 30)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--minutes", type=int, default=30)

    def handle(self, *args: Any, **options: Any) -> None:
        closed = release_stale(options["minutes"])
        self.stdout.write(f"{closed} pending request(s) closed.")
