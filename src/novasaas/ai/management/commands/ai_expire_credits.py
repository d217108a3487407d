"""Expire the AI credit lots that are due (and carry them over when the company's wallet says so)."""

from typing import Any

from django.core.management.base import BaseCommand

from novasaas.ai.credits import expire_credits


class Command(BaseCommand):
    help = "Expire due AI credit lots (purchases, grants, rollovers); run daily. Idempotent."

    def handle(self, *args: Any, **options: Any) -> None:
        expired = expire_credits()
        self.stdout.write(f"{len(expired)} wallet(s), {sum(expired.values())} credit(s) expired.")
