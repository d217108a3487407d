"""Gapless numbering: a number is taken inside the caller's transaction and given back on rollback."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import F

from novasaas.platform.models import Sequence


def next_number(key: str, period: str = "") -> int:
    """Return the next number of ``key`` in ``period`` for the current tenant.

    The UPDATE locks the sequence row until the caller's transaction ends, so concurrent callers queue
    and numbers have no gaps and no duplicates (tested on PostgreSQL with parallel postings).
    """
    with transaction.atomic():
        for _attempt in range(3):
            if Sequence.objects.filter(key=key, period=period).update(next_value=F("next_value") + 1):
                return Sequence.objects.get(key=key, period=period).next_value - 1
            try:
                with transaction.atomic():
                    Sequence.objects.create(key=key, period=period, next_value=2)
                return 1
            except IntegrityError:
                continue  # another transaction created it first: take the UPDATE path
    raise RuntimeError(f"could not allocate a number for {key}/{period}")
