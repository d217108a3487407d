"""The path to Citus (docs/scale-out.md): every table has a Citus role, nothing blocks distribution,
and the conversion to composite keys applies on PostgreSQL with the app still working on top of it."""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection

from novasaas.accounting import actions as acc
from novasaas.accounting.tests.helpers import make_party, principal
from novasaas.platform import scaleout
from novasaas.platform.testing.fixtures import create_tenant


def test_every_table_has_a_citus_role_and_nothing_blocks_distribution(db):
    reports = scaleout.readiness()
    assert [r.table for r in reports if not r.kind] == []
    assert scaleout.blockers(reports) == []
    distributed = [r for r in reports if r.kind == scaleout.DISTRIBUTED]
    assert len(distributed) > 100
    # The conversion has work to do today: no primary key holds tenant_id yet.
    assert all(any(c.startswith("primary key") for c in r.convert) for r in distributed)


def test_a_table_nobody_classified_is_a_blocker(db, monkeypatch):
    monkeypatch.delitem(scaleout.LOCAL_MODELS, "platform.WorkerHeartbeat")
    found = scaleout.blockers(scaleout.readiness(only={"platform_workerheartbeat", "platform_tenant"}))
    assert found == [
        "platform_workerheartbeat: unclassified: add it to platform/scaleout.py (distributed, reference or local)"
    ]


def test_a_unique_key_without_tenant_on_a_distributed_table_is_a_blocker(db, monkeypatch):
    # The billing tables are numbered platform-wide: distributing them would break their unique keys.
    monkeypatch.delitem(scaleout.LOCAL_MODELS, "billing.PlatformInvoice")
    monkeypatch.setitem(scaleout.TENANT_KEYED, "billing.PlatformInvoice", "test")
    found = scaleout.blockers(scaleout.readiness(only={"billing_platforminvoice"}))
    assert "billing_platforminvoice: unique (number) without tenant_id" in found


def test_command_prints_the_summary_and_the_sql(db):
    out = StringIO()
    call_command("citus_readiness", "--tables", stdout=out)
    text = out.getvalue()
    assert "0 unclassified" in text and "blockers (need a decision): 0" in text
    assert "accounting_journalentry" in text
    out = StringIO()
    call_command("citus_readiness", "--sql", stdout=out)
    sql = out.getvalue()
    assert "SELECT create_reference_table('platform_tenant');" in sql
    assert "SELECT create_distributed_table('accounting_journalentry', 'tenant_id', colocate_with =>" in sql


@pytest.mark.postgres_only
def test_conversion_to_composite_keys_applies_and_the_app_works_on_it(db):
    statements = scaleout.conversion_sql()
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)
        cursor.execute("SELECT count(*) FROM pg_constraint WHERE contype = 'p' AND array_length(conkey, 1) = 2")
        assert cursor.fetchone()[0] >= len([r for r in scaleout.readiness() if r.kind == scaleout.DISTRIBUTED])
    # A company signs up (chart of accounts, journals, stock locations: rows that reference each other)
    # and posts an entry with a partner; every composite foreign key is checked at once.
    tenant = create_tenant()
    fm = principal(tenant, "finance_manager")
    customer = make_party(tenant, "KH")
    line = {"partner_id": None}
    entry = acc.create_entry(
        fm,
        journal_id="GEN",
        date=tenant.created_at.date(),
        lines=[
            {**line, "account": "131", "debit": Decimal("1100000"), "credit": Decimal("0"), "partner_id": customer},
            {**line, "account": "5111", "debit": Decimal("0"), "credit": Decimal("1100000")},
        ],
    )
    acc.post_entry(fm, entry.pk)
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
