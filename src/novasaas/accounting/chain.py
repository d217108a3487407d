"""The ledger's hash chain and gapless numbers: where a posting takes its locks, and in which order.

A posting of a tenant does its own work first (lines built and checked, draft rows written, the period
held with a share lock) and takes the locks every posting of the tenant needs — its journal's number
and the chain position — only at the end, in one statement (``take_positions``), followed by a handful
of statements to COMMIT. Postings of a tenant therefore run in parallel up to that point and queue only
for those last statements. The design and the proof of tamper-evidence are in docs/accounting.md
("Chain and numbers").

Lock order (every path takes them in this order, so two postings cannot deadlock):

1. advisory locks of the source documents (idempotency of ``post_source_document``), sorted;
2. the tenant's *serial* advisory lock — only work that must see a still ledger: taxed postings (the
   cash rule reads the other invoices of the seller and day), allocations, reversals, revaluation,
   VAT filing, year-end closing;
3. the fiscal periods (postings: ``FOR SHARE``; closing a period: ``FOR NO KEY UPDATE``);
4. the journal number rows and the chain row (``take_positions``: one upsert, rows in key order,
   journals before the chain);
5. everything else (balances, open items, tax rows, budgets), held until COMMIT.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection
from django.utils import timezone

from novasaas.accounting.models import JournalEntry, JournalLine
from novasaas.platform.models import Sequence as NumberSequence
from novasaas.platform.money import to_decimal

CHAIN_KEY = "acc.ledger.chain"
GENESIS = "0" * 64
# the first key of the two-key advisory locks of the ledger (``pg_advisory_xact_lock(int, int)``);
# the second is the tenant id. Source document locks use the one-key (bigint) space.
SERIAL_LOCK_CLASS = 0x4C454447  # "LEDG"


def _canon(amount: Any) -> str:
    """One text form per amount (``1000.00``), whether it came from input or from the database."""
    return format(to_decimal(amount).quantize(Decimal("0.01")), "f")


def entry_digest(prev_hash: str, entry: JournalEntry, lines: Iterable[JournalLine]) -> str:
    """SHA-256 over the previous hash and the entry's content: what ``verify_ledger`` recomputes."""
    parts = [
        prev_hash,
        str(entry.tenant_id),
        str(entry.chain_seq),
        str(entry.journal_id),
        str(entry.year),
        str(entry.number),
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
    return hashlib.sha256("|".join(parts).encode()).hexdigest()


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


def take_positions(
    tenant_id: int, counts: dict[tuple[int, int], int], chain_count: int, *, hold: Iterable[tuple[int, int]] = ()
) -> tuple[dict[tuple[int, int], int], int, str]:
    """Step 4: advance each journal × year number sequence by its count and the chain by
    ``chain_count`` in one upsert (``INSERT … ON CONFLICT DO UPDATE … RETURNING``: a journal's first
    entry of a year creates its row), locking the rows in key order — journals, then the chain — until
    COMMIT. ``hold`` lists journal × year rows to lock without taking a number (a posting that may post
    into them later in its transaction). Returns the first number per journal × year, the first chain
    position and the hash it links to. Rolled back with the posting, so numbers stay gapless."""
    table = NumberSequence._meta.db_table
    key = connection.ops.quote_name("key")
    wanted = {(f"acc.journal.{j}", str(y)): n for (j, y), n in counts.items()}
    for j, y in hold:
        wanted.setdefault((f"acc.journal.{j}", str(y)), 0)
    rows = sorted(wanted.items()) + [((CHAIN_KEY, ""), chain_count)]
    params: list[Any] = []
    for (k, p), n in rows:
        params += [tenant_id, k, p, n + 1]
    entries = JournalEntry._meta.db_table
    params.append(chain_count + 1)
    sql = (  # table and column names only are formatted in; values are parameters
        f"INSERT INTO {table} (tenant_id, {key}, period, next_value) VALUES "  # noqa: S608
        + ", ".join(["(%s, %s, %s, %s)"] * len(rows))
        + f" ON CONFLICT (tenant_id, {key}, period) DO UPDATE SET"
        + f" next_value = {table}.next_value + excluded.next_value - 1"
        + f" RETURNING {key}, period, next_value, (SELECT e.hash FROM {entries} e"  # noqa: S608
        + f" WHERE e.tenant_id = {table}.tenant_id AND e.chain_seq = {table}.next_value - %s)"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        after = {(k, p): (int(v), h) for k, p, v, h in cursor.fetchall()}
    chain_next, prev = after[(CHAIN_KEY, "")]
    seq = chain_next - chain_count
    if seq == 1:
        prev = GENESIS
    elif prev is None:
        # the lock had waited for a concurrent posting, committed after this statement's snapshot was
        # taken: read its hash in a fresh statement (chain positions are unique and posted rows
        # immutable, so a hash found is the right one; a missing link stays visible to verify_ledger)
        prev = JournalEntry.objects.filter(chain_seq=seq - 1).values_list("hash", flat=True).first() or GENESIS
    first = {(j, y): after[(f"acc.journal.{j}", str(y))][0] - n for (j, y), n in counts.items()}
    return first, seq, prev


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
