"""Re-wrap every tenant's AI data key under the current AI_MASTER_KEY (after a rotation).

Set AI_MASTER_KEY to the new key and AI_PREVIOUS_MASTER_KEYS to the old one(s), run this command, then
drop the old keys from AI_PREVIOUS_MASTER_KEYS. Sealed provider keys are not touched."""

from typing import Any

from django.core.management.base import BaseCommand
from django.db import transaction

from novasaas.ai.crypto import rewrap_all


class Command(BaseCommand):
    help = "Re-wrap every tenant's AI data key under the current AI_MASTER_KEY."

    def handle(self, *args: Any, **options: Any) -> None:
        with transaction.atomic():
            changed = rewrap_all()
        self.stdout.write(f"{changed} data key(s) re-wrapped.")
