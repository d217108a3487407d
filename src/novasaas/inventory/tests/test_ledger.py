"""The stock ledger: moves, quants, stock rows, valuation, reservations, negative stock."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from novasaas.inventory import actions, ledger
from novasaas.inventory.models import Stock, StockMove, StockQuant
from novasaas.inventory.tests.helpers import issue, receive, setup_catalogue
from novasaas.platform.tenancy import tenant_context

D = Decimal


@pytest.fixture
def s(tenant_a):
    with tenant_context(tenant_a):
        yield setup_catalogue(tenant_a)


def stock(s, wh=None):
    return Stock.objects.get(product=s.beer, warehouse=wh or s.wh)


def test_receipt_in_purchase_unit_converts_to_stock_unit(s):
    r = actions.receive_goods(
        s.manager,
        warehouse_id=s.wh.pk,
        lines=[{"product_id": s.beer.pk, "quantity": "2", "unit_id": s.thung.pk, "unit_cost": "240000"}],
    )
    assert r.status == "done" and r.number.startswith("NK-")
    st = stock(s)
    assert st.on_hand == D(48) and st.value == D(480000) and st.average_cost == D(10000)
    assert ledger.ledger_differences() == []


def test_moving_average_and_issue_value(s):
    receive(s, 10, "10000")
    receive(s, 10, "13000")
    assert stock(s).average_cost == D(11500)
    doc = issue(s, 5)
    assert doc.lines.get().value == D(57500)
    st = stock(s)
    assert st.on_hand == D(15) and st.value == D(172500)
    issue(s, 15)
    st = stock(s)
    assert st.on_hand == 0 and st.value == 0
    assert ledger.ledger_differences() == []


def test_negative_stock_refused_unless_allowed(s):
    receive(s, 3)
    with pytest.raises(ValidationError):
        issue(s, 4)
    assert stock(s).on_hand == D(3)
    assert StockMove.objects.count() == 1
    actions.save_warehouse(s.manager, s.wh.pk, allow_negative_stock=True)
    issue(s, 5)
    assert stock(s).on_hand == D(-2)
    assert ledger.ledger_differences() == []


def test_reserve_release_consume(s, tenant_a):
    receive(s, 10)
    ledger.reserve(tenant_a, s.beer, s.wh, D(6), "crm.salesorder:1")
    with pytest.raises(ValidationError):
        ledger.reserve(tenant_a, s.beer, s.wh, D(5), "crm.salesorder:2")
    with pytest.raises(ValidationError):  # available is 4: an unreserved issue of 5 is refused
        issue(s, 5)
    issue(s, 4, source_document="crm.salesorder:1")
    st = stock(s)
    assert st.on_hand == D(6) and st.reserved == D(2)
    assert ledger.release(tenant_a, s.beer, s.wh, None, "crm.salesorder:1") == D(2)
    assert stock(s).reserved == 0
    assert ledger.ledger_differences() == []


def test_transfer_through_transit(s):
    receive(s, 10, "12000")
    t = actions.create_transfer(
        s.manager,
        from_warehouse_id=s.wh.pk,
        to_warehouse_id=s.wh2.pk,
        lines=[{"product_id": s.beer.pk, "quantity": "4"}],
    )
    with pytest.raises(ValidationError):
        actions.ship_transfer(s.staff, t.pk)  # not approved yet
    actions.approve_transfer(s.manager, t.pk)
    actions.ship_transfer(s.staff, t.pk)
    assert stock(s).on_hand == D(6)
    transit = ledger.virtual_location("transit")
    assert StockQuant.objects.get(location=transit).on_hand == D(4)
    actions.receive_transfer(s.staff, t.pk)
    st2 = stock(s, s.wh2)
    assert st2.on_hand == D(4) and st2.value == D(48000)
    assert StockQuant.objects.get(location=transit).on_hand == 0
    assert ledger.ledger_differences() == []


def test_adjustment_needs_approval(s):
    receive(s, 10)
    adj = actions.create_adjustment(
        s.manager, warehouse_id=s.wh.pk, reason="Vỡ chai", lines=[{"product_id": s.beer.pk, "quantity_change": "-2"}]
    )
    assert adj.status == "pending" and stock(s).on_hand == D(10)
    actions.approve_adjustment(s.manager, adj.pk)
    assert stock(s).on_hand == D(8)
    assert adj.lines.get().value == D(-20000)


def test_count_posts_variances(s):
    receive(s, 10)
    c = actions.create_count(s.manager, warehouse_id=s.wh.pk)
    line = c.lines.get()
    assert line.expected == D(10)
    actions.record_counts(s.staff, c.pk, [{"line_id": line.pk, "counted": "7"}])
    actions.scan_count(s.staff, c.pk, code=s.beer.sku)
    actions.submit_count(s.staff, c.pk)
    actions.approve_count(s.manager, c.pk)
    assert stock(s).on_hand == D(8)
    assert ledger.ledger_differences() == []


def test_count_of_one_zone_and_put_away(s):
    zone_a = actions.save_location(s.manager, warehouse_id=s.wh.pk, code="A", name="Khu A", level="zone")
    bin_a = actions.save_location(s.manager, warehouse_id=s.wh.pk, parent_id=zone_a.pk, code="A-1", name="Ô A-1")
    zone_b = actions.save_location(s.manager, warehouse_id=s.wh.pk, code="B", name="Khu B", level="zone")
    receive(s, 10, location_id=bin_a.pk)
    receive(s, 4, location_id=zone_b.pk)
    actions.put_away(s.staff, product_id=s.beer.pk, from_location_id=bin_a.pk, to_location_id=zone_b.pk, quantity="2")
    c = actions.create_count(s.manager, warehouse_id=s.wh.pk, zone_id=zone_a.pk)
    assert [(ln.location.code, ln.expected) for ln in c.lines.all()] == [("A-1", D(8))]
    with pytest.raises(ValidationError):  # zone B is outside the counted zone
        actions.scan_count(s.staff, c.pk, code=s.beer.sku, location_id=zone_b.pk)
    with pytest.raises(ValidationError):  # every line needs a count before submitting
        actions.submit_count(s.staff, c.pk)
    assert stock(s).on_hand == D(14)
    assert ledger.ledger_differences() == []
