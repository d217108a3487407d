"""Accounting throughput and report timings (issue 3 "Prove it"). Prints figures; asserts nothing.

    DJANGO_SETTINGS_MODULE=novasaas.config.settings .venv/bin/python benchmarks/accounting.py [--lines N]
    DATABASE_URL=postgres://novasaas@127.0.0.1:5432/novasaas_bench_acc .venv/bin/python benchmarks/accounting.py

1. Posting throughput on one process: ``post_source_document`` (3 lines, by role, one transaction and
   commit per entry), ``post_source_documents`` in batches of ``--batch`` (one transaction per batch),
   and ``create_entry`` + ``post_entry``; with the statements per posting and this process's CPU time
   per entry (on a shared machine the wall-clock rate mostly measures the other sessions).
2. A generated ledger of ``--lines`` lines (default 1,000,000) over 12 monthly periods and
   ``--parties`` parties (default 5,000), bulk-inserted (draft rows, then flipped to posted so the
   PostgreSQL balance trigger still checks every entry at commit), with its maintained balances and
   open items (all left open: the worst case for aging).
3. Trial balance, balance sheet B01-DNN, income statement B02-DNN and AR aging on that ledger.

Uses a throw-away SQLite database (or DATABASE_URL; the database is created and dropped by the test
runner machinery is *not* used: point DATABASE_URL at an empty database you can discard).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import sys
import tempfile
import time
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.db.models import Sum  # noqa: E402

YEAR = 2026


def timed(label: str, fn, repeat: int = 3):  # type: ignore[no-untyped-def]
    best = None
    result = None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = fn()
        elapsed = time.perf_counter() - t0
        best = elapsed if best is None else min(best, elapsed)
    print(f"{label:<55} {best * 1000:10.1f} ms (best of {repeat})")
    return result


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--lines", type=int, default=1_000_000)
    parser.add_argument("--parties", type=int, default=5_000)
    parser.add_argument("--postings", type=int, default=2_000)
    parser.add_argument("--batch", type=int, default=100, help="documents per post_source_documents call")
    args = parser.parse_args()
    call_command("migrate", verbosity=0)

    from novasaas.accounting import actions, receivables, reports, selectors
    from novasaas.accounting.models import (
        Account,
        AccountBalance,
        FiscalPeriod,
        Journal,
        JournalEntry,
        JournalLine,
        OpenItem,
    )
    from novasaas.identity import actions as identity
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership
    from novasaas.parties.models import Party
    from novasaas.platform.tenancy import platform_context, tenant_context

    slug = f"bench{int(time.time())}"
    tenant, admin = identity.create_tenant(
        slug=slug, name="Bench", admin_email=f"a@{slug}.test", admin_password="Correct-Horse-42", modules=["ACC"]
    )
    with platform_context():
        tenant.status = "active"
        tenant.save(update_fields=["status"])
    print(f"database: {connection.vendor}; lines {args.lines:,}; parties {args.parties:,}")
    actions.ensure_chart(tenant)
    with tenant_context(tenant):
        if not FiscalPeriod.objects.filter(start_date=dt.date(YEAR, 1, 1)).exists():
            actions._create_year(dt.date(YEAR, 1, 1))
        principal = principal_for(Membership.objects.select_related("tenant", "user").get(user=admin))
        Party.objects.bulk_create(
            [Party(tenant=tenant, code=f"B{i:06d}", name=f"Khách hàng {i}") for i in range(args.parties)],
            batch_size=2000,
        )
        party_ids = list(Party.objects.values_list("pk", flat=True))

    # 1. posting throughput ---------------------------------------------------------------------------
    from django.test.utils import CaptureQueriesContext

    day = dt.date(YEAR, 3, 15)
    rng = random.Random(1)

    def invoice(i: int) -> actions.SourceDocument:
        amount = Decimal(rng.randrange(1, 10_000) * 1000)
        vat = amount / 10
        return actions.SourceDocument(
            "bench.invoice",
            i,
            day,
            [
                ("receivable", amount + vat, 0, rng.choice(party_ids), ""),
                ("revenue", 0, amount, None, ""),
                ("output_vat", 0, vat, None, ""),
            ],
            journal="SAL",
        )

    def post_one(doc: actions.SourceDocument) -> None:
        actions.post_source_document(tenant, doc.source_type, doc.source_id, doc.date, doc.lines, journal=doc.journal)

    post_one(invoice(1))  # first use: chart cache, sequences
    with CaptureQueriesContext(connection) as ctx:
        post_one(invoice(2))
    queries_single = len(ctx.captured_queries)
    docs = [invoice(i) for i in range(3, args.postings + 3)]
    t0, c0 = time.perf_counter(), time.process_time()
    for doc in docs:
        post_one(doc)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"{'post_source_document (3 lines), one process':<55} {args.postings / elapsed:10.0f} entries/s"
        f"   ({queries_single} queries each, BEGIN/COMMIT included; {cpu / args.postings * 1000:.2f} ms CPU"
        " of this process per entry)"
    )
    base = args.postings + 10
    docs = [invoice(i) for i in range(base, base + args.batch)]
    with CaptureQueriesContext(connection) as ctx:
        actions.post_source_documents(tenant, docs)
    queries_batch = len(ctx.captured_queries)
    base += args.batch
    n_batches = max(args.postings // args.batch, 1)
    batches = [[invoice(base + b * args.batch + k) for k in range(args.batch)] for b in range(n_batches)]
    t0, c0 = time.perf_counter(), time.process_time()
    for batch in batches:
        actions.post_source_documents(tenant, batch)
    elapsed, cpu = time.perf_counter() - t0, time.process_time() - c0
    print(
        f"{f'post_source_documents, batches of {args.batch}, one process':<55}"
        f" {n_batches * args.batch / elapsed:10.0f} entries/s   ({queries_batch} queries per batch;"
        f" {cpu / (n_batches * args.batch) * 1000:.2f} ms CPU per entry)"
    )
    n_manual = max(args.postings // 4, 1)
    t0 = time.perf_counter()
    for _i in range(n_manual):
        entry = actions.create_entry(
            principal,
            journal_id="GEN",
            date=day,
            lines=[
                {"account": "1111", "debit": Decimal(1000), "credit": Decimal(0)},
                {"account": "4111", "debit": Decimal(0), "credit": Decimal(1000)},
            ],
        )
        actions.post_entry(principal, entry.pk)
    elapsed = time.perf_counter() - t0
    print(f"{'create_entry + post_entry (2 lines)':<55} {n_manual / elapsed:10.0f} entries/s")

    # 2. generated ledger ----------------------------------------------------------------------------
    t0 = time.perf_counter()
    with tenant_context(tenant):
        periods = list(FiscalPeriod.objects.filter(fiscal_year__start_date=dt.date(YEAR, 1, 1)).order_by("start_date"))
        codes = ["1111", "1121", "131", "156", "331", "33311", "1331", "5111", "632", "6421", "6422", "711", "811"]
        accounts = {a.code: a.pk for a in Account.objects.filter(code__in=codes)}
        journal = Journal.objects.get(code="GEN")
        balances: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
        lines_per_entry = 4
        n_entries = args.lines // lines_per_entry
        batch = 2500
        made = 0
        while made < n_entries:
            size = min(batch, n_entries - made)
            with transaction.atomic():
                entries = []
                for k in range(size):
                    period = periods[(made + k) % 12]
                    entries.append(
                        JournalEntry(
                            tenant=tenant,
                            journal=journal,
                            year=YEAR,
                            date=period.start_date + dt.timedelta(days=(made + k) % 28),
                            period=period,
                            memo="bench",
                            total=Decimal(0),
                            state="draft",
                        )
                    )
                JournalEntry.objects.bulk_create(entries, batch_size=1000)
                rows = []
                for entry in entries:
                    a = Decimal(rng.randrange(1, 50_000) * 100)
                    b = Decimal(rng.randrange(1, 50_000) * 100)
                    party = rng.choice(party_ids)
                    spec = (
                        [("131", a, 0, party), ("5111", 0, a, None), ("632", b, 0, None), ("156", 0, b, None)]
                        if rng.random() < 0.6
                        else [("156", a, 0, None), ("331", 0, a, party), ("1121", b, 0, None), ("131", 0, b, party)]
                    )
                    for n, (code, d, c, p) in enumerate(spec, start=1):
                        rows.append(
                            JournalLine(
                                tenant=tenant,
                                entry=entry,
                                line_no=n,
                                account_id=accounts[code],
                                debit=d,
                                credit=c,
                                partner_id=p,
                            )
                        )
                        bal = balances[(accounts[code], entry.period_id)]
                        bal[0] += int(d)
                        bal[1] += int(c)
                    entry.total = a + b
                JournalLine.objects.bulk_create(rows, batch_size=5000)
                OpenItem.objects.bulk_create(
                    [
                        OpenItem(
                            tenant=tenant,
                            line_id=line.pk,
                            account_id=line.account_id,
                            partner_id=line.partner_id,
                            date=line.entry.date,
                            debit=line.debit,
                            credit=line.credit,
                            open=line.debit + line.credit,
                        )
                        for line in rows
                        if line.partner_id is not None
                    ],
                    batch_size=5000,
                )
                JournalEntry.objects.filter(pk__in=[e.pk for e in entries]).update(state="posted")
            made += size
        for (account_id, period_id), (d, c) in balances.items():
            obj = AccountBalance.objects.filter(account_id=account_id, period_id=period_id, closing=False).first()
            if obj is None:
                AccountBalance.objects.create(
                    tenant=tenant, account_id=account_id, period_id=period_id, debit=Decimal(d), credit=Decimal(c)
                )
            else:
                obj.debit += Decimal(d)
                obj.credit += Decimal(c)
                obj.save(update_fields=["debit", "credit"])
        total_lines = JournalLine.objects.count()
    print(f"{'generated ledger':<55} {time.perf_counter() - t0:10.1f} s   ({total_lines:,} lines)")

    # 3. reports -------------------------------------------------------------------------------------
    start, end = dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31)
    tb = timed("trial balance (opening, movements, closing)", lambda: selectors.trial_balance(tenant, start, end))
    print(f"{'':<55} balanced={tb.balanced}, {len(tb.rows)} rows")
    bs = timed("balance sheet B01-DNN", lambda: reports.balance_sheet(tenant, end))
    print(f"{'':<55} assets = sources: {bs.checks['assets_equal_sources']}")
    timed("income statement B02-DNN", lambda: reports.income_statement(tenant, start, end))
    rows, total = timed(
        "AR aging (all parties, from open items)", lambda: receivables.aging(tenant, "receivable", end), repeat=1
    )
    with tenant_context(tenant):
        ar = AccountBalance.objects.filter(account__code__startswith="131").aggregate(d=Sum("debit"), c=Sum("credit"))
    print(
        f"{'':<55} {len(rows):,} parties, total {total.total:,.0f}"
        f" (= balance of 131: {total.total == ar['d'] - ar['c']})"
    )
    timed("party_balance (one party)", lambda: selectors.party_balance(tenant, party_ids[0]))
    timed(
        "account ledger 131, one month",
        lambda: selectors.account_ledger(tenant, accounts["131"], dt.date(YEAR, 6, 1), dt.date(YEAR, 6, 30)),
        repeat=1,
    )


if __name__ == "__main__":
    main()
