"""Gapless numbering: a number is taken inside the caller's transaction and given back on rollback."""

from __future__ import annotations

from django.db import connection

from novasaas.platform.models import Sequence
from novasaas.platform.tenancy import current_tenant


def next_number(key: str, period: str = "") -> int:
    """Return the next number of ``key`` in ``period`` for the current tenant.

    One statement, ``INSERT … ON CONFLICT … DO UPDATE … RETURNING`` (PostgreSQL, SQLite ≥ 3.35): it
    creates the sequence or increments it, and the row stays locked until the caller's transaction ends,
    so concurrent callers queue and numbers have no gaps and no duplicates (tested on PostgreSQL with
    parallel postings). No savepoint: a failure fails the caller's transaction, which gives the number back.
    """
    assert Sequence._meta.db_table == "platform_sequence"
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO platform_sequence (tenant_id, key, period, next_value) VALUES (%s, %s, %s, 2)"
            " ON CONFLICT (tenant_id, key, period) DO UPDATE SET next_value = platform_sequence.next_value + 1"
            " RETURNING next_value",
            [current_tenant().pk, key, period],
        )
        (value,) = cursor.fetchone()
    return int(value) - 1
