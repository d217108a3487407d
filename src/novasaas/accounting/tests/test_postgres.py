"""PostgreSQL only: the database guards of the ledger, row-level security, concurrent postings."""

from __future__ import annotations

import threading

import pytest
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
