"""The events of inventory/events.py are published with the right values (the accounting contract),
and low-stock alerts fire once per crossing."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from novasaas.inventory import actions, events, ledger
from novasaas.inventory.tests.helpers import issue, receive, setup_catalogue
from novasaas.platform.events import subscriber
from novasaas.platform.models import Notification
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client

got: list = []


for _event in (
    events.GoodsReceived,
    events.GoodsIssued,
    events.StockAdjusted,
    events.CountVariancePosted,
    events.StockBelowReorderLevel,
):
    subscriber(_event, module="INV")(lambda e: got.append(e))


@pytest.fixture
def s(tenant_a):
    got.clear()
    with tenant_context(tenant_a):
        yield setup_catalogue(tenant_a)


def of(kind):
    return [e for e in got if isinstance(e, kind)]


def test_valued_events(s):
    r = receive(s, 10, "12000")
    (received,) = of(events.GoodsReceived)
    assert (received.value, received.document_id, received.reference, received.warehouse_id) == (
        "120000",
        r.pk,
        r.number,
        s.wh.pk,
    )
    i = issue(s, 3, source_document="crm.salesorder:7")
    (issued,) = of(events.GoodsIssued)
    assert issued.value == "36000" and issued.sales_order_id == 7 and issued.purpose == "sale"
    assert issued.document_id == i.pk
    adj = actions.create_adjustment(
        s.manager, warehouse_id=s.wh.pk, reason="Hỏng", lines=[{"product_id": s.beer.pk, "quantity_change": "-1"}]
    )
    actions.approve_adjustment(s.manager, adj.pk)
    assert of(events.StockAdjusted)[0].value == "-12000"
    c = actions.create_count(s.manager, warehouse_id=s.wh.pk)
    actions.record_counts(s.manager, c.pk, [{"line_id": c.lines.get().pk, "counted": "8"}])
    actions.submit_count(s.manager, c.pk)
    actions.approve_count(s.manager, c.pk)
    (variance,) = of(events.CountVariancePosted)
    assert (variance.value, variance.gain_value, variance.loss_value) == ("24000", "24000", "0")


def test_transfers_publish_only_stock_transferred(s):
    subscriber(events.StockTransferred, module="INV")(_collect_transferred)
    receive(s, 5)
    got.clear()
    t = actions.create_transfer(
        s.manager,
        from_warehouse_id=s.wh.pk,
        to_warehouse_id=s.wh2.pk,
        lines=[{"product_id": s.beer.pk, "quantity": "5"}],
    )
    actions.approve_transfer(s.manager, t.pk)
    actions.ship_transfer(s.manager, t.pk)
    actions.receive_transfer(s.manager, t.pk)
    assert not [e for e in got if isinstance(e, events.StockValueEvent) and not isinstance(e, events.StockTransferred)]
    assert [(e.stage, e.value, e.warehouse_id) for e in of(events.StockTransferred)] == [
        ("shipped", "50000", s.wh.pk),
        ("received", "50000", s.wh2.pk),
    ]


def _collect_transferred(e):
    got.append(e)


def test_reorder_alert_once_per_crossing(s, tenant_a):
    actions.save_product(s.manager, s.beer.pk, reorder_level="10", reorder_quantity="48")
    receive(s, 20)
    issue(s, 11)  # available 9 < 10: alert
    issue(s, 1)  # still below: no second alert
    assert len(of(events.StockBelowReorderLevel)) == 1
    assert of(events.StockBelowReorderLevel)[0].available == "9.0000"
    assert Notification.objects.filter(kind="inventory.low_stock", recipient=s.manager.user).count() == 1
    receive(s, 10)  # back above: re-armed
    ledger.reserve(tenant_a, s.beer, s.wh, Decimal(9), "crm.salesorder:1")  # a reservation also crosses
    assert len(of(events.StockBelowReorderLevel)) == 2


def test_stock_list_query_count_does_not_grow(s, tenant_a):
    receive(s, 5)
    client = web_client(tenant_a, s.manager.user)
    client.get("/inventory/")
    with CaptureQueriesContext(connection) as few:
        client.get("/inventory/")
    with tenant_context(tenant_a):
        for i in range(15):
            p = actions.save_product(s.manager, name=f"Hàng {i}", stock_unit_id=s.chai.pk)
            receive(s, 1, product=p)
    with CaptureQueriesContext(connection) as many:
        client.get("/inventory/")
    assert len(many) == len(few)


def test_reorder_rule_per_warehouse(s, tenant_a, api_a):
    receive(s, 20)
    staff = web_client(tenant_a, s.staff.user)
    assert (
        staff.post(
            f"/inventory/products/{s.beer.pk}/reorder/",
            {"warehouse": s.wh.pk, "reorder_level": "15", "reorder_quantity": "24"},
        ).status_code
        == 403
    )
    manager = web_client(tenant_a, s.manager.user)
    r = manager.post(
        f"/inventory/products/{s.beer.pk}/reorder/",
        {"warehouse": s.wh.pk, "reorder_level": "15", "reorder_quantity": "24"},
    )
    assert r.status_code == 302
    issue(s, 6)  # 14 < 15 in this warehouse only
    assert [e.warehouse_id for e in of(events.StockBelowReorderLevel)] == [s.wh.pk]
    rules = api_a.get("/api/v1/inventory/reorder-rules", {"product_id": s.beer.pk}).json()
    assert rules[0]["reorder_level"] == "15.0000"
    r = api_a.put(
        "/api/v1/inventory/reorder-rules",
        {"product_id": s.beer.pk, "warehouse_id": s.wh.pk, "reorder_level": "0", "reorder_quantity": "0"},
    )
    assert r.status_code == 200 and api_a.get("/api/v1/inventory/reorder-rules").json() == []
    assert "Mức đặt hàng lại" in manager.get(f"/inventory/products/{s.beer.pk}/").content.decode()


def test_product_list_query_count_does_not_grow(s, tenant_a, api_a):
    client = web_client(tenant_a, s.manager.user)
    client.get("/inventory/products/")
    with CaptureQueriesContext(connection) as few:
        client.get("/inventory/products/")
        api_a.get("/api/v1/inventory/products")
    with tenant_context(tenant_a):
        cat = actions.save_category(s.manager, name="Đồ uống")
        for i in range(12):
            actions.save_product(s.manager, name=f"Hàng {i}", stock_unit_id=s.chai.pk, category_id=cat.pk)
    with CaptureQueriesContext(connection) as many:
        client.get("/inventory/products/")
        api_a.get("/api/v1/inventory/products")
    assert len(many) == len(few)
    r = api_a.get(
        "/api/v1/inventory/reports/stock-card",
        {"product_id": s.beer.pk, "warehouse_id": s.wh.pk, "date_from": "2020-01-01", "date_to": "2099-12-31"},
    )
    assert r.status_code == 200 and r.json()["opening_quantity"] == "0"
