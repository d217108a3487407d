"""PostgreSQL only: row-level security on the parties tables and concurrent writers."""

from __future__ import annotations

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections

from novasaas.parties import actions
from novasaas.parties.models import Party
from novasaas.parties.tests.helpers import make_mst, party_payload, principal
from novasaas.platform.tenancy import tenant_context

pytestmark = pytest.mark.postgres_only
TABLES = [
    "parties_party",
    "parties_partyaddress",
    "parties_partycontact",
    "parties_partybankaccount",
    "parties_tag",
    "parties_partytag",
]


def test_raw_sql_sees_only_the_current_tenants_rows(api_a, api_b, tenant_a):
    api_a.post("/api/v1/parties/", party_payload("A"))
    api_b.post("/api/v1/parties/", party_payload("B"))
    with tenant_context(tenant_a), connection.cursor() as cur:
        for table in TABLES:
            cur.execute(f"SELECT DISTINCT tenant_id FROM {table}")  # noqa: S608 - fixed table names
            assert {row[0] for row in cur.fetchall()} == {tenant_a.pk}, table


def test_concurrent_creates_with_one_tax_code_leave_one_party(transactional_db, tenant_a):
    with tenant_context(tenant_a):
        p = principal(tenant_a, "sales_staff")
    mst = make_mst()
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def create(name: str) -> None:
        try:
            with tenant_context(tenant_a):
                barrier.wait(timeout=10)
                actions.create_party(p, name=name, tax_code=mst)
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=create, args=(f"Công ty {i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    with tenant_context(tenant_a):
        assert Party.objects.filter(tax_code=mst).count() == 1
