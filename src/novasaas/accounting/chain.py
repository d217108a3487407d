"""The ledger's hash chain and gapless numbers: where a posting takes its locks, and in which order.

A posting of a tenant does its own work first (lines built and checked, draft rows written, the period
held with a share lock) and takes the locks every posting of the tenant needs — its journal's number
and the chain position — only at the end, in one statement (``seal_in_sql``: number, position, hash
computed by PostgreSQL from the head row, posted state, balances), followed by COMMIT. Postings of a
tenant therefore run in parallel up to that point and queue only for that statement and the COMMIT.
The design and the proof of tamper-evidence are in docs/accounting.md
("Chain and numbers").

Lock order (every path takes them in this order, so two postings cannot deadlock):

1. advisory locks of the source documents (idempotency of ``post_source_document``), sorted;
2. the tenant's *serial* advisory lock — only work that must see a still ledger: taxed postings (the
   cash rule reads the other invoices of the seller and day), allocations, reversals, revaluation,
   VAT filing, year-end closing;
3. the fiscal periods (postings: ``FOR SHARE``; closing a period: ``FOR NO KEY UPDATE``);
4. the journal number rows, in key order, then the tenant's chain head row (``ChainHead``): one statement
   (``seal_in_sql`` for one entry on PostgreSQL, which also posts it; ``take_positions`` for a batch);
5. everything else (balances, open items, tax rows, budgets), held until COMMIT.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from novasaas.accounting.models import ChainHead, JournalEntry, JournalLine
from novasaas.platform.models import Sequence as NumberSequence
from novasaas.platform.money import to_decimal

CHAIN_KEY = "acc.ledger.chain"  # the platform.Sequence row of the chain before the head row (migration 0011)
GENESIS = "0" * 64
# the first key of the two-key advisory locks of the ledger (``pg_advisory_xact_lock(int, int)``);
# the second is the tenant id. Source document locks use the one-key (bigint) space.
SERIAL_LOCK_CLASS = 0x4C454447  # "LEDG"


def _canon(amount: Any) -> str:
    """One text form per amount (``1000.00``), whether it came from input or from the database."""
    return format(to_decimal(amount).quantize(Decimal("0.01")), "f")


def digest_tail(entry: JournalEntry, lines: Iterable[JournalLine]) -> str:
    """The part of an entry's hash input that does not depend on its place (date, total, source,
    reversal, lines): prepared in Python before the chain lock, hashed after the place (``entry_digest``,
    or in SQL by ``seal_in_sql``)."""
    parts = [
        entry.date.isoformat(),
        _canon(entry.total),
        entry.source_type,
        str(entry.source_id or ""),
        str(entry.reversal_of_id or ""),
    ]
    for line in sorted(lines, key=lambda x: (x.line_no, x.pk or 0)):
        # the dimension is hashed only when set, so entries posted before dimensions existed still verify
        dim = f":d{line.dimension_id}" if getattr(line, "dimension_id", None) else ""
        parts.append(
            f"{line.account_id}:{_canon(line.debit)}:{_canon(line.credit)}:{line.partner_id or ''}"
            f":{line.tax_rate_id or ''}:{_canon(line.tax_base)}:{int(line.paid_in_cash)}{dim}"
        )
        if line.currency or line.fx_adjusts_id:  # only currency lines: older entries keep their hash
            rate = "" if line.exchange_rate is None else format(to_decimal(line.exchange_rate).normalize(), "f")
            parts[-1] += f":{line.currency}:{_canon(line.amount_currency)}:{rate}:{line.fx_adjusts_id or ''}"
    return "|".join(parts)


def entry_digest(prev_hash: str, entry: JournalEntry, lines: Iterable[JournalLine]) -> str:
    """SHA-256 over the previous hash and the entry's content: what ``verify_ledger`` recomputes.
    ``prev | tenant | seq | journal | year | number | digest_tail``."""
    head = f"{prev_hash}|{entry.tenant_id}|{entry.chain_seq}|{entry.journal_id}|{entry.year}|{entry.number}"
    return hashlib.sha256(f"{head}|{digest_tail(entry, lines)}".encode()).hexdigest()


def _source_key(tenant_id: int, source_type: str, source_id: Any) -> int:
    digest = hashlib.sha256(f"acc.source:{tenant_id}:{source_type}:{source_id}".encode()).digest()
    return int.from_bytes(digest[:8], "big", signed=True)


def take_early_locks(tenant_id: int, sources: Iterable[tuple[str, Any]] = (), *, serial: bool = False) -> None:
    """Steps 1 and 2 of the lock order, in one statement: the advisory locks of ``sources`` (so two
    postings of one document queue, and the second finds the first's entry) and, with ``serial``,
    the tenant's serial lock. Held until the transaction ends. SQLite runs one writer at a time: nothing
    to take."""
    if connection.vendor != "postgresql":
        return
    keys = sorted({_source_key(tenant_id, t, i) for t, i in sources})
    calls = ["pg_advisory_xact_lock(%s)"] * len(keys)
    params: list[Any] = list(keys)
    if serial:
        calls.append("pg_advisory_xact_lock(%s, %s)")
        params += [SERIAL_LOCK_CLASS, tenant_id]
    if not calls:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(calls), params)


def serial_lock(tenant_id: int) -> None:
    """The tenant's serial lock (step 2): work that reads the ledger and must not see it move under it
    — allocations, reversals, revaluation, VAT filing, year-end closing — and taxed postings."""
    take_early_locks(tenant_id, serial=True)


def _numbers_sql(
    tenant_id: int, counts: dict[tuple[int, int], int], hold: Iterable[tuple[int, int]]
) -> tuple[str, list[Any]]:
    """The upsert that advances each journal × year number row by its count (``hold``: by 0, only
    locked), rows in key order, ``RETURNING`` key, period and the next value."""
    table = NumberSequence._meta.db_table
    key = connection.ops.quote_name("key")
    wanted = {(f"acc.journal.{j}", str(y)): n for (j, y), n in counts.items()}
    for j, y in hold:
        wanted.setdefault((f"acc.journal.{j}", str(y)), 0)
    params: list[Any] = []
    for (k, p), n in sorted(wanted.items()):
        params += [tenant_id, k, p, n + 1]
    sql = (  # table and column names only are formatted in; values are parameters
        f"INSERT INTO {table} (tenant_id, {key}, period, next_value) VALUES "  # noqa: S608
        + ", ".join(["(%s, %s, %s, %s)"] * len(wanted))
        + f" ON CONFLICT (tenant_id, {key}, period) DO UPDATE SET"
        + f" next_value = {table}.next_value + excluded.next_value - 1"
        + f" RETURNING {key}, period, next_value"
    )
    return sql, params


def take_positions(
    tenant_id: int, counts: dict[tuple[int, int], int], chain_count: int, *, hold: Iterable[tuple[int, int]] = ()
) -> tuple[dict[tuple[int, int], int], int, str]:
    """Step 4 for a batch: advance each journal × year number sequence by its count and the chain head
    by ``chain_count`` (one statement on PostgreSQL: the number upsert, then the head's), locking the
    rows in key order — journals, then the head — until COMMIT. ``hold`` lists journal × year rows to
    lock without taking a number (a posting that may post into them later in its transaction). Returns
    the first number per journal × year, the first chain position and the hash it links to (the head's
    hash: the statement that waited for the head's lock reads it as the previous holder committed it).
    The caller computes the hashes and sets the head's hash to the last one (``head_update_sql``) before
    COMMIT. Rolled back with the posting, so numbers and positions stay gapless."""
    numbers_sql, params = _numbers_sql(tenant_id, counts, hold)
    head = ChainHead._meta.db_table
    upsert = f" ON CONFLICT (tenant_id) DO UPDATE SET seq = {head}.seq + excluded.seq RETURNING seq, hash"
    row: list[Any] = [tenant_id, chain_count, GENESIS, GENESIS]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # the head waits for the journals: the count reads every row of the number upsert first
            sql = (  # table and column names only are formatted in; values are parameters
                f"WITH j AS ({numbers_sql}), h AS (INSERT INTO {head} (tenant_id, seq, hash, prev_hash)"  # noqa: S608
                f" SELECT %s, %s, %s, %s WHERE (SELECT count(*) FROM j) > 0{upsert})"
                f" SELECT j.{connection.ops.quote_name('key')}, j.period, j.next_value, h.seq, h.hash FROM j, h"
            )
            cursor.execute(sql, params + row)
            fetched = cursor.fetchall()
            after = {(k, p): int(v) for k, p, v, _s, _h in fetched}
            head_seq, prev = int(fetched[0][3]), fetched[0][4]
        else:
            cursor.execute(numbers_sql, params)
            after = {(k, p): int(v) for k, p, v in cursor.fetchall()}
            insert = f"INSERT INTO {head} (tenant_id, seq, hash, prev_hash) VALUES (%s, %s, %s, %s)"  # noqa: S608
            cursor.execute(insert + upsert, row)
            head_seq, prev = cursor.fetchone()
    first = {(j, y): after[(f"acc.journal.{j}", str(y))] - n for (j, y), n in counts.items()}
    return first, int(head_seq) - chain_count + 1, prev


def head_update_sql(tenant_id: int, prev: str, last_hash: str) -> tuple[str, list[Any]]:
    """The head's hash after a batch sealed in Python (its row is locked since ``take_positions``)."""
    head = ChainHead._meta.db_table
    return f"UPDATE {head} SET hash = %s, prev_hash = %s WHERE tenant_id = %s", [last_hash, prev, tenant_id]  # noqa: S608


@dataclass
class Sealing:
    """One entry numbered, chained and flipped to posted by one statement (PostgreSQL): ``ctes`` are the
    statement's first common table expressions (name, SQL, parameters), ``select`` its main query,
    returning the entry's number, reference, position, previous hash and hash; ``apply`` copies them to
    the entry and checks the hash against the one Python computes from the same input."""

    entry: JournalEntry
    tail: str
    ctes: list[tuple[str, str, list[Any]]]
    select: str

    def apply(self, row: Sequence[Any]) -> None:
        entry = self.entry
        entry.number, entry.reference, entry.chain_seq, entry.prev_hash, entry.hash = row
        head = f"{entry.prev_hash}|{entry.tenant_id}|{entry.chain_seq}|{entry.journal_id}|{entry.year}|{entry.number}"
        if hashlib.sha256(f"{head}|{self.tail}".encode()).hexdigest() != entry.hash:
            # the SQL and Python forms of the hash input differ: refuse rather than write a chain that
            # verify_ledger would reject
            raise RuntimeError(f"chain hash computed in SQL differs for entry {entry.pk}")


def seal_in_sql(
    entry: JournalEntry,
    code: str,
    lines: list[JournalLine],
    actor: Any,
    *,
    hold: Iterable[tuple[int, int]] = (),
    posted_fields: Iterable[str] = (),
) -> Sealing:
    """Step 4 for one entry in one statement, with what moves with it appended by the caller: the number
    upsert (its journal, and ``hold``), then the head upsert that computes the new position and hash
    from the head row it locked (the latest committed one: ``ON CONFLICT DO UPDATE`` evaluates on the
    row it waited for, not on the statement's snapshot), then the entry's ``UPDATE`` to posted with
    them. ``posted_fields`` are the other posted fields written from the entry in memory."""
    tenant_id = entry.tenant_id
    journal, year = entry.journal_id, entry.year
    entry.posted_by = actor if getattr(actor, "pk", None) else None
    numbers_sql, numbers_params = _numbers_sql(tenant_id, {(journal, year): 1}, hold)
    key = connection.ops.quote_name("key")
    head = ChainHead._meta.db_table
    tail = digest_tail(entry, lines)
    digest = "encode(sha256(convert_to({prev} || x.pre || {seq} || x.mid || n.number || '|' || x.tail, 'UTF8')), 'hex')"
    ctes: list[tuple[str, str, list[Any]]] = [
        ("j", numbers_sql, numbers_params),
        # an aggregate reads every row of ``j`` (every number row locked) before the head is touched
        (
            "n",
            f"SELECT max(next_value) FILTER (WHERE {key} = %s AND period = %s) - 1 AS number FROM j",  # noqa: S608
            [f"acc.journal.{journal}", str(year)],
        ),
        (
            "x",
            "SELECT %s::text AS pre, %s::text AS mid, %s::text AS tail",
            [f"|{tenant_id}|", f"|{journal}|{year}|", tail],
        ),
        (
            "h",
            f"INSERT INTO {head} (tenant_id, seq, hash, prev_hash)"  # noqa: S608
            f" SELECT %s, 1, {digest.format(prev='%s', seq=chr(39) + '1' + chr(39))}, %s FROM n, x"
            f" ON CONFLICT (tenant_id) DO UPDATE SET seq = {head}.seq + 1, prev_hash = {head}.hash,"
            f" hash = (SELECT {digest.format(prev=head + '.hash', seq='(' + head + '.seq + 1)')} FROM n, x)"
            " RETURNING seq, hash, prev_hash",
            [tenant_id, GENESIS, GENESIS],
        ),
    ]
    meta = JournalEntry._meta
    fields = {f.name: f for f in meta.concrete_fields}
    sets, params = [], []
    for name in posted_fields:
        field = fields[name]
        sets.append(f"{field.column} = %s")
        params.append(field.get_db_prep_save(getattr(entry, field.attname), connection))
    number = "CASE WHEN n.number < 100000 THEN lpad(n.number::text, 5, '0') ELSE n.number::text END"
    sets += [
        "number = n.number",
        f"reference = %s || {number}",
        "chain_seq = h.seq",
        "prev_hash = h.prev_hash",
        "hash = h.hash",
    ]
    params += [f"{code}-{year}-", entry.pk]
    ctes.append(
        (
            "e",
            f"UPDATE {meta.db_table} SET {', '.join(sets)} FROM n, h WHERE {meta.db_table}.id = %s"  # noqa: S608
            f" RETURNING {meta.db_table}.number, reference, chain_seq, {meta.db_table}.prev_hash,"
            f" {meta.db_table}.hash",
            params,
        )
    )
    return Sealing(entry, tail, ctes, "SELECT * FROM e")


def seal(entry: JournalEntry, code: str, number: int, seq: int, prev: str, lines: list[JournalLine], actor: Any) -> str:
    """Number the entry and append it to the chain (in memory): returns its hash."""
    entry.number = number
    entry.reference = f"{code}-{entry.year}-{number:05d}"
    entry.chain_seq = seq
    entry.prev_hash = prev
    entry.hash = entry_digest(prev, entry, lines)
    entry.posted_by = actor if getattr(actor, "pk", None) else None
    entry.posted_at = timezone.now()
    return entry.hash
