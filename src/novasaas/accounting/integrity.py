"""Ledger integrity checks: the hash chain, entry balance, maintained balances and open items vs lines."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Sum

from novasaas.accounting.actions import GENESIS, entry_digest
from novasaas.accounting.models import (
    AccountBalance,
    Allocation,
    ChainHead,
    DimensionBalance,
    EntryState,
    JournalEntry,
    JournalLine,
    OpenItem,
)
from novasaas.accounting.scope import in_tenant
from novasaas.platform.models import Tenant


@dataclass
class LedgerReport:
    entries: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify_ledger(tenant: Tenant, *, batch: int = 2000) -> LedgerReport:
    """Walk the tenant's posted entries in chain order: each links to the previous hash, its hash matches
    its content, it balances; then compare every AccountBalance with the sum of its posted lines, and
    every open item with its partner line less the allocations on it."""
    report = LedgerReport()
    with in_tenant(tenant):
        prev_hash, expected_seq = GENESIS, 1
        last_id = 0
        while True:
            entries = list(
                JournalEntry.objects.filter(
                    tenant=tenant, state=EntryState.POSTED, chain_seq__gte=expected_seq
                ).order_by("chain_seq")[:batch]
            )
            if not entries:
                break
            lines: dict[int, list[JournalLine]] = defaultdict(list)
            for line in JournalLine.objects.filter(entry__in=entries):
                lines[line.entry_id].append(line)
            for entry in entries:
                report.entries += 1
                if entry.chain_seq != expected_seq:
                    report.problems.append(f"chain gap before {entry.reference} (seq {entry.chain_seq})")
                if entry.prev_hash != prev_hash:
                    report.problems.append(f"{entry.reference}: previous hash does not match")
                if entry_digest(entry.prev_hash, entry, lines[entry.pk]) != entry.hash:
                    report.problems.append(f"{entry.reference}: content does not match its hash")
                d = sum((x.debit for x in lines[entry.pk]), Decimal(0))
                c = sum((x.credit for x in lines[entry.pk]), Decimal(0))
                if d != c or d != entry.total:
                    report.problems.append(f"{entry.reference}: not balanced (debit {d}, credit {c})")
                prev_hash, expected_seq = entry.hash, (entry.chain_seq or 0) + 1
                last_id = entry.pk
        del last_id
        # the head row is where the next posting links: it must name the last entry walked
        head = ChainHead.objects.filter(tenant=tenant).values_list("seq", "hash").first()
        if head is not None and head != (expected_seq - 1, prev_hash if expected_seq > 1 else head[1]):
            report.problems.append(f"chain head (seq {head[0]}) does not match the last entry (seq {expected_seq - 1})")
        sums = {
            (r["account_id"], r["entry__period_id"]): (r["d"], r["c"])
            for r in JournalLine.objects.filter(tenant=tenant, entry__state=EntryState.POSTED)
            .values("account_id", "entry__period_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        }
        kept: dict[tuple[int, int], tuple[Decimal, Decimal]] = {}
        for row in AccountBalance.objects.filter(tenant=tenant):
            d0, c0 = kept.get((row.account_id, row.period_id), (Decimal(0), Decimal(0)))
            kept[(row.account_id, row.period_id)] = (d0 + row.debit, c0 + row.credit)
        for key in set(sums) | set(kept):
            from_lines = sums.get(key, (Decimal(0), Decimal(0)))
            maintained = kept.get(key, (Decimal(0), Decimal(0)))
            if from_lines != maintained:
                report.problems.append(
                    f"balance of account {key[0]} in period {key[1]}: lines {from_lines}, kept {maintained}"
                )
        dim_sums: dict[tuple[int, int, int], tuple[Decimal, Decimal]] = {
            (r["account_id"], r["entry__period_id"], r["dimension_id"]): (r["d"], r["c"])
            for r in JournalLine.objects.filter(tenant=tenant, entry__state=EntryState.POSTED, dimension__isnull=False)
            .values("account_id", "entry__period_id", "dimension_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        }
        dim_kept: dict[tuple[int, int, int], tuple[Decimal, Decimal]] = {
            (r.account_id, r.period_id, r.dimension_id): (r.debit, r.credit)
            for r in DimensionBalance.objects.filter(tenant=tenant)
        }
        for dim_key in set(dim_sums) | set(dim_kept):
            from_lines = dim_sums.get(dim_key, (Decimal(0), Decimal(0)))
            maintained = dim_kept.get(dim_key, (Decimal(0), Decimal(0)))
            if from_lines != maintained:
                report.problems.append(
                    f"balance of account {dim_key[0]} in period {dim_key[1]}, dimension {dim_key[2]}: "
                    f"lines {from_lines}, kept {maintained}"
                )
        _check_open_items(tenant, report)
    return report


def _check_open_items(tenant: Tenant, report: LedgerReport) -> None:
    expected: dict[int, Decimal] = {}
    for pk, debit, credit in JournalLine.objects.filter(
        tenant=tenant, entry__state=EntryState.POSTED, partner_id__isnull=False
    ).values_list("pk", "debit", "credit"):
        expected[pk] = Decimal(debit) + Decimal(credit)  # MoneyField: Decimal at run time
    for side in ("invoice_line_id", "payment_line_id"):
        sums = Allocation.objects.filter(tenant=tenant).values(side).annotate(s=Sum("amount")).values_list(side, "s")
        for line_id, amount in sums:
            if line_id in expected:
                expected[line_id] -= amount
    # FX adjustment lines are not items: they move the item they adjust (up on its side, down on the other)
    adjusted = JournalLine.objects.filter(tenant=tenant, entry__state=EntryState.POSTED, fx_adjusts__isnull=False)
    for target, debit, credit, t_debit in adjusted.values_list("fx_adjusts_id", "debit", "credit", "fx_adjusts__debit"):
        if target in expected:
            delta = Decimal(debit) - Decimal(credit)
            expected[target] += delta if t_debit > 0 else -delta
    for pk in adjusted.values_list("pk", flat=True):
        expected.pop(pk, None)
    kept = dict(OpenItem.objects.filter(tenant=tenant).values_list("line_id", "open"))
    for line_id in sorted(set(expected) | set(kept)):
        if expected.get(line_id) != kept.get(line_id):
            report.problems.append(
                f"open item of line {line_id}: lines and allocations {expected.get(line_id)}, kept {kept.get(line_id)}"
            )
