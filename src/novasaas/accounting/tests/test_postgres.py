"""PostgreSQL only: the database guards of the ledger, row-level security, concurrent postings."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection, connections, transaction
from django.utils import timezone

from novasaas.accounting import actions
from novasaas.accounting.integrity import verify_ledger
from novasaas.accounting.models import JournalEntry
from novasaas.accounting.tests.helpers import lines, post, principal
from novasaas.platform.tenancy import tenant_context

pytestmark = pytest.mark.postgres_only
TABLES = [
    "accounting_chartofaccount",
    "accounting_account",
    "accounting_accountingsettings",
    "accounting_fiscalyear",
    "accounting_fiscalperiod",
    "accounting_journal",
    "accounting_journalentry",
    "accounting_journalline",
    "accounting_accountbalance",
]


def _ids(tenant):
    with tenant_context(tenant):
        from novasaas.accounting.models import Account, FiscalPeriod, Journal

        return (
            Journal.objects.get(code="GEN").pk,
            FiscalPeriod.objects.get(start_date__lte=timezone.localdate(), end_date__gte=timezone.localdate()).pk,
            Account.objects.get(code="1111").pk,
            Account.objects.get(code="4111").pk,
        )


def _raw_entry(cur, tenant, journal, period, state="posted"):
    cur.execute(
        "INSERT INTO accounting_journalentry (tenant_id, journal_id, year, reference, date, period_id, memo, state,"
        " total, source_type, source_reference, created_at, prev_hash, hash)"
        " VALUES (%s, %s, %s, '', %s, %s, 'raw', %s, 100, '', '', now(), '', '') RETURNING id",
        [tenant.pk, journal, timezone.localdate().year, timezone.localdate(), period, state],
    )
    return cur.fetchone()[0]


def _raw_line(cur, tenant, entry, account, debit, credit):
    cur.execute(
        "INSERT INTO accounting_journalline (tenant_id, entry_id, line_no, account_id, debit, credit, memo,"
        " tax_base, paid_in_cash)"
        " VALUES (%s, %s, 1, %s, %s, %s, '', 0, false)",
        [tenant.pk, entry, account, debit, credit],
    )


def test_unbalanced_raw_sql_entry_is_rejected_at_commit(transactional_db, tenant_a):
    actions.ensure_chart(tenant_a)
    journal, period, cash, capital = _ids(tenant_a)
    with pytest.raises(DatabaseError, match="not balanced"):
        with transaction.atomic(), tenant_context(tenant_a), connection.cursor() as cur:
            entry = _raw_entry(cur, tenant_a, journal, period, state="draft")
            _raw_line(cur, tenant_a, entry, cash, 10000, 0)
            _raw_line(cur, tenant_a, entry, capital, 0, 9900)
            cur.execute("UPDATE accounting_journalentry SET state = 'posted' WHERE id = %s", [entry])
            # accepted here: the constraint trigger is deferred to the commit
    with tenant_context(tenant_a):
        assert not JournalEntry.objects.filter(memo="raw").exists()
    # a balanced raw entry commits (the trigger checks balance, not who wrote it)
    with transaction.atomic(), tenant_context(tenant_a), connection.cursor() as cur:
        entry = _raw_entry(cur, tenant_a, journal, period, state="draft")
        _raw_line(cur, tenant_a, entry, cash, 10000, 0)
        _raw_line(cur, tenant_a, entry, capital, 0, 10000)
        cur.execute("UPDATE accounting_journalentry SET state = 'posted' WHERE id = %s", [entry])
    # a posted entry without lines is refused too
    with pytest.raises(DatabaseError, match="not balanced"):
        with transaction.atomic(), tenant_context(tenant_a), connection.cursor() as cur:
            _raw_entry(cur, tenant_a, journal, period)


def test_posted_rows_refuse_update_and_delete(tenant_a):
    p = principal(tenant_a, "finance_manager")
    entry = post(p, ("1111", 100, 0), ("4111", 0, 100))
    for sql in (
        "UPDATE accounting_journalline SET debit = 200 WHERE entry_id = %s",
        "DELETE FROM accounting_journalline WHERE entry_id = %s",
        "UPDATE accounting_journalentry SET memo = 'x' WHERE id = %s",
        "DELETE FROM accounting_journalentry WHERE id = %s",
    ):
        with pytest.raises(DatabaseError, match="immutable"):
            with transaction.atomic(), tenant_context(tenant_a), connection.cursor() as cur:
                cur.execute(sql, [entry.pk])
    with pytest.raises(DatabaseError, match="posted"):
        with transaction.atomic(), tenant_context(tenant_a), connection.cursor() as cur:
            _raw_line(cur, tenant_a, entry.pk, _ids(tenant_a)[2], 5, 0)
    assert verify_ledger(tenant_a).ok


def test_raw_sql_sees_only_the_current_tenants_rows(tenant_a, tenant_b):
    post(principal(tenant_a, "finance_manager"), ("1111", 1, 0), ("4111", 0, 1))
    post(principal(tenant_b, "finance_manager"), ("1111", 1, 0), ("4111", 0, 1))
    with tenant_context(tenant_a), connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"SELECT DISTINCT tenant_id FROM {table}")  # noqa: S608 - fixed table names
            assert {row[0] for row in cur.fetchall()} == {tenant_a.pk}, table


def test_fifty_parallel_postings_get_gapless_numbers(transactional_db, tenant_a, today):
    p = principal(tenant_a, "finance_manager")
    actions.ensure_chart(tenant_a)
    n = 50
    drafts = [
        actions.create_entry(p, journal_id="GEN", date=today, lines=lines(("1111", i + 1, 0), ("4111", 0, i + 1)))
        for i in range(n)
    ]
    barrier = threading.Barrier(10)
    errors: list[BaseException] = []

    def worker(chunk):
        try:
            barrier.wait(timeout=20)
            for entry in chunk:
                actions.post_entry(p, entry.pk)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(drafts[i::10],)) for i in range(10)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not errors, errors
    with tenant_context(tenant_a):
        numbers = sorted(JournalEntry.objects.filter(state="posted").values_list("number", flat=True))
        seqs = sorted(JournalEntry.objects.filter(state="posted").values_list("chain_seq", flat=True))
    assert numbers == list(range(1, n + 1))
    assert seqs == list(range(1, n + 1))
    report = verify_ledger(tenant_a)
    assert report.ok, report.problems


def _race(n_threads, work):
    """Run ``work(i)`` in ``n_threads`` threads released together; every thread must report."""
    barrier = threading.Barrier(n_threads)
    outcomes: list[tuple[int, str]] = []
    lock = threading.Lock()

    def run(i):
        try:
            barrier.wait(timeout=30)
            result = work(i)
        except ValidationError as exc:
            result = f"refused: {exc.messages[0]}"
        except Exception as exc:  # noqa: BLE001 - reported, never a silently dead thread
            result = f"error: {exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append((i, result))

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not [t for t in threads if t.is_alive()]
    assert len(outcomes) == n_threads, outcomes
    return dict(outcomes)


def test_a_period_close_racing_postings(transactional_db, tenant_a, today):
    """Each posting lands wholly before the close or is refused; nothing is posted into the closed period."""
    from novasaas.accounting.models import FiscalPeriod

    p = principal(tenant_a, "finance_manager")
    actions.ensure_chart(tenant_a)
    drafts = [
        actions.create_entry(p, journal_id="GEN", date=today, lines=lines(("1111", i + 1, 0), ("4111", 0, i + 1)))
        for i in range(9)
    ]
    with tenant_context(tenant_a):
        period = FiscalPeriod.objects.get(start_date__lte=today, end_date__gte=today)

    def work(i):
        if i == 0:
            actions.close_period(p, period.pk)
            return "closed"
        actions.post_entry(p, drafts[i - 1].pk)
        return "posted"

    outcomes = _race(10, work)
    assert outcomes[0] == "closed", outcomes
    posted = [i for i in range(1, 10) if outcomes[i] == "posted"]
    refused = [i for i in range(1, 10) if outcomes[i].startswith("refused")]
    assert len(posted) + len(refused) == 9, outcomes  # no error, no deadlock
    with tenant_context(tenant_a):
        assert FiscalPeriod.objects.get(pk=period.pk).state == "closed"
        states = {e.pk: e.state for e in JournalEntry.objects.filter(pk__in=[d.pk for d in drafts])}
        numbers = sorted(JournalEntry.objects.filter(state="posted").values_list("number", flat=True))
    assert sorted(i for i in range(1, 10) if states[drafts[i - 1].pk] == "posted") == posted
    assert all(states[drafts[i - 1].pk] == "draft" for i in refused)
    assert numbers == list(range(1, len(posted) + 1))  # gapless: no number taken by a refused posting
    # after the race the period refuses every posting
    leftover = [drafts[i - 1] for i in refused] or [
        actions.create_entry(p, journal_id="GEN", date=today, lines=lines(("1111", 1, 0), ("4111", 0, 1)))
    ]
    with pytest.raises(ValidationError):
        actions.post_entry(p, leftover[0].pk)
    report = verify_ledger(tenant_a)
    assert report.ok, report.problems


def test_concurrent_first_use_creates_one_chart(transactional_db):
    from novasaas.accounting.models import Account, AccountingSettings, ChartOfAccount, Journal
    from novasaas.platform.testing.fixtures import create_tenant

    # a company gets its chart when accounting is switched on (several Master Admin requests, or a
    # company created before that rule whose pages race): created without ACC, nothing exists yet
    reference, fresh = create_tenant(), create_tenant(modules=["INV"])
    actions.ensure_chart(reference)
    with tenant_context(fresh):
        assert not ChartOfAccount.objects.exists()  # nothing created before the race
    outcomes = _race(8, lambda i: actions.ensure_chart(fresh).pk)
    assert len(set(outcomes.values())) == 1 and all(isinstance(v, int) for v in outcomes.values()), outcomes
    counts = {}
    for tenant in (reference, fresh):
        with tenant_context(tenant):
            counts[tenant.pk] = (
                ChartOfAccount.objects.count(),
                AccountingSettings.objects.count(),
                Account.objects.count(),
                sorted(Journal.objects.values_list("code", flat=True)),
            )
    assert counts[fresh.pk] == counts[reference.pk] and counts[fresh.pk][:2] == (1, 1)


def test_eight_sessions_post_a_thousand_entries_gapless_and_chained(transactional_db, tenant_a, today):
    """8 sessions post 1,000 source documents into one tenant at once (two journals, partner lines):
    every posting lands, numbers are gapless per journal, the chain verifies, the maintained balances
    equal the lines, and the PostgreSQL balance trigger never refused a commit (no error at all)."""
    from novasaas.accounting.models import AccountBalance
    from novasaas.accounting.tests.helpers import make_party

    actions.ensure_chart(tenant_a)
    party = make_party(tenant_a)
    sessions, per_session = 8, 125

    def document(session, k):
        amount = 1000 + session * per_session + k
        journal = "SAL" if k % 2 else "GEN"
        lines = [("receivable", amount, 0, party, ""), ("revenue", 0, amount, None, "")]
        return actions.SourceDocument("test.bulk", session * per_session + k + 1, today, lines, journal=journal)

    def work(session):
        for k in range(per_session):
            doc = document(session, k)
            actions.post_source_document(
                tenant_a, doc.source_type, doc.source_id, doc.date, doc.lines, journal=doc.journal
            )
        return "done"

    outcomes = _race(sessions, work)
    assert set(outcomes.values()) == {"done"}, outcomes
    with tenant_context(tenant_a):
        posted = list(JournalEntry.objects.filter(source_type="test.bulk", state="posted"))
        assert len(posted) == sessions * per_session
        for code in ("GEN", "SAL"):
            numbers = sorted(e.number for e in posted if e.reference.startswith(f"{code}-"))
            assert numbers == list(range(1, len(numbers) + 1)), code
        seqs = sorted(e.chain_seq for e in posted)
        assert seqs == list(range(1, len(posted) + 1))
        receivable = actions.resolve_role(tenant_a, "receivable")
        kept = AccountBalance.objects.get(account=receivable, period=posted[0].period)
    expected = sum(1000 + i for i in range(sessions * per_session))
    assert kept.debit == expected  # computed by hand: amounts 1000 … 1999
    report = verify_ledger(tenant_a)
    assert report.ok, report.problems


def test_one_document_posted_by_eight_sessions_at_once_gives_one_entry(transactional_db, tenant_a, today):
    actions.ensure_chart(tenant_a)
    lines_ = [("1111", 5000, 0, None, ""), ("4111", 0, 5000, None, "")]

    def work(i):
        return actions.post_source_document(tenant_a, "test.same", 7, today, lines_).pk

    outcomes = _race(8, work)
    assert len(set(outcomes.values())) == 1 and all(isinstance(v, int) for v in outcomes.values()), outcomes
    with tenant_context(tenant_a):
        assert JournalEntry.objects.filter(source_type="test.same").count() == 1
        assert sorted(JournalEntry.objects.values_list("number", flat=True)) == [1]
    report = verify_ledger(tenant_a)
    assert report.ok, report.problems


def test_taxed_and_plain_postings_racing_do_not_deadlock(transactional_db, tenant_a, today):
    """Taxed postings take the serial lock and may post a VAT move into GEN; plain ones do not: the lock
    order of ``chain`` keeps them from waiting on each other in a cycle."""
    from novasaas.accounting.tests.helpers import make_party
    from novasaas.accounting.tests.test_taxes import L

    p = principal(tenant_a, "finance_manager")
    actions.ensure_chart(tenant_a)
    seller = make_party(tenant_a, "Người bán")

    def work(i):
        if i % 2:  # a cash purchase of 22,000,000 with VAT: not deductible (cash at or above the threshold)
            rows = [
                L("156", "20000000", "0"),
                L("1331", "2000000", "0", seller, tax_rate="VAT10", tax_base="20000000", paid_in_cash=True),
                L("1111", "0", "22000000"),
            ]
        else:
            rows = [L("1111", "1000", "0"), L("4111", "0", "1000")]
        entry = actions.create_entry(p, journal_id="GEN" if i % 4 else "PUR", date=today, lines=rows, post=True)
        return entry.state

    outcomes = _race(8, work)
    assert set(outcomes.values()) == {"posted"}, outcomes
    report = verify_ledger(tenant_a)
    assert report.ok, report.problems


def test_single_postings_and_batches_racing_share_one_chain_head(transactional_db, tenant_a, today):
    """Single postings seal in one statement (the hash computed by PostgreSQL from the head row it locked);
    batches seal in Python from the head and write its hash back. 6 sessions of singles and 2 of batches
    at once: positions 1..n, numbers gapless per journal, the chain verifies, and the head row holds the
    last position and its hash. Also: a number past 99,999 is written like Python's ``05d`` (no
    truncation) and a non-ASCII source type hashes the same in SQL as in ``verify_ledger``."""
    from novasaas.accounting.chain import GENESIS, entry_digest
    from novasaas.accounting.models import ChainHead, Journal
    from novasaas.platform.models import Sequence as NumberSequence

    actions.ensure_chart(tenant_a)
    lines_ = [("1111", 1000, 0, None, ""), ("4111", 0, 1000, None, "")]
    first = actions.post_source_document(tenant_a, "test.hóa-đơn", 1, today, lines_)
    assert first.chain_seq == 1 and first.prev_hash == GENESIS and first.reference.endswith("-00001")
    with tenant_context(tenant_a):
        stored = JournalEntry.objects.get(pk=first.pk)
        assert entry_digest(GENESIS, stored, list(stored.lines.all())) == stored.hash == first.hash
        sal = Journal.objects.get(code="SAL")
        NumberSequence.objects.create(key=f"acc.journal.{sal.pk}", period=str(first.year), next_value=99_999)
    big = [actions.post_source_document(tenant_a, "test.big", k, today, lines_, journal="SAL") for k in (1, 2)]
    assert [e.reference for e in big] == [f"SAL-{first.year}-99999", f"SAL-{first.year}-100000"]
    assert [e.number for e in big] == [99_999, 100_000]

    def work(session):
        if session < 2:  # batches of 10
            for b in range(5):
                docs = [
                    actions.SourceDocument("test.batch", session * 100 + b * 10 + k, today, lines_, journal="GEN")
                    for k in range(10)
                ]
                actions.post_source_documents(tenant_a, docs)
        else:
            for k in range(25):
                journal = "PUR" if k % 2 else "GEN"
                actions.post_source_document(tenant_a, "test.single", session * 100 + k, today, lines_, journal=journal)
        return "done"

    outcomes = _race(8, work)
    assert set(outcomes.values()) == {"done"}, outcomes
    total = 1 + 2 + 2 * 50 + 6 * 25
    with tenant_context(tenant_a):
        posted = list(JournalEntry.objects.filter(state="posted").order_by("chain_seq"))
        assert [e.chain_seq for e in posted] == list(range(1, total + 1))
        for code in ("GEN", "PUR"):
            numbers = sorted(e.number for e in posted if e.reference.startswith(f"{code}-"))
            assert numbers == list(range(1, len(numbers) + 1)), code
        assert all(posted[i].prev_hash == posted[i - 1].hash for i in range(1, total))
        head = ChainHead.objects.get()
        assert (head.seq, head.hash, head.prev_hash) == (total, posted[-1].hash, posted[-2].hash)
    report = verify_ledger(tenant_a)
    assert report.ok, report.problems
