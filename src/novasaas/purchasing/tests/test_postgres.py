"""PostgreSQL only: row-level security on every purchasing table, and two users billing (or receiving)
the same receipt at once — the order lines' row locks decide, never a check-then-act."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.apps import apps
from django.db import connection

from novasaas.inventory.models import Stock
from novasaas.inventory.tests.test_postgres import _race
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.purchasing import actions, bills
from novasaas.purchasing.models import BillStatus, PurchaseOrderLine, VendorBill
from novasaas.purchasing.tests.helpers import approved, balance, beer_line, world
from novasaas.purchasing.tests.test_isolation import _fill

pytestmark = pytest.mark.postgres_only


def test_raw_sql_sees_only_the_current_tenants_rows(tenant_a, tenant_b):
    _fill(tenant_a)
    _fill(tenant_b)
    models = list(apps.get_app_config("purchasing").get_models())
    with platform_context():
        both = {m for m in models if all(m.objects.filter(tenant=t).exists() for t in (tenant_a, tenant_b))}
    assert len(both) == len(models)
    with tenant_context(tenant_a), connection.cursor() as cur:
        for model in models:
            cur.execute(f"SELECT DISTINCT tenant_id FROM {model._meta.db_table}")  # noqa: S608
            assert {row[0] for row in cur.fetchall()} == {tenant_a.pk}, model.__name__


def test_two_users_billing_the_same_receipt_one_succeeds(transactional_db, tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 10))
        actions.receive_order(w.keeper, o.pk)
        ids = iter([bills.create_bill(w.staff, order_id=o.pk, vendor_invoice_no=f"HD{i}").pk for i in range(2)])
        staff2 = w.manager  # the second user (a Purchase Manager has not approved any mismatch)

    users = iter([w.staff, staff2])
    outcomes = _race(tenant_a, 2, 1, lambda: bills.post_bill(next(users), next(ids)))
    assert sorted(outcomes) == ["ok", "refused"]
    with tenant_context(tenant_a):
        assert VendorBill.objects.filter(status=BillStatus.UNPAID).count() == 1
        line = PurchaseOrderLine.objects.get(order=o)
        assert (line.billed_quantity, line.billed_value) == (Decimal(10), Decimal(100000))
        assert balance(tenant_a, "3388") == 0


def test_ten_users_receiving_the_same_order_never_over_receive(transactional_db, tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 10))
        line_id = o.lines.get().pk

    outcomes = _race(
        tenant_a, 10, 1, lambda: actions.receive_order(w.keeper, o.pk, lines=[{"line_id": line_id, "quantity": "3"}])
    )
    assert sorted(outcomes) == ["ok"] * 3 + ["refused"] * 7
    with tenant_context(tenant_a):
        assert PurchaseOrderLine.objects.get(pk=line_id).received_quantity == Decimal(9)
        assert Stock.objects.get(product=w.inv.beer, warehouse=w.inv.wh).on_hand == Decimal(9)
        assert balance(tenant_a, "3388") == -Decimal(90000)
