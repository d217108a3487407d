"""Goods receipts made directly in Inventory for a purchase order (``purchase_order_id`` / source
document ``scm.purchaseorder:<id>``) update the order through the ``GoodsReceived`` subscriber; a receipt
the order refuses (wrong state, product, warehouse, over-receipt) is not validated at all."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from novasaas.inventory import actions as inventory
from novasaas.inventory.models import StockMovement
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient
from novasaas.purchasing import actions, bills
from novasaas.purchasing.models import OrderStatus, PurchaseReceipt
from novasaas.purchasing.tests.helpers import approved, balance, beer_line, order, world

D = Decimal


def _receive(w, order_id, qty, *, warehouse=None, product=None, cost="10000"):
    return inventory.receive_goods(
        w.inv.staff,
        warehouse_id=(warehouse or w.inv.wh).pk,
        lines=[{"product_id": (product or w.inv.beer).pk, "quantity": str(qty), "unit_cost": cost}],
        partner_id=w.vendor.party_id,
        purchase_order_id=order_id,
    )


def test_an_inventory_receipt_updates_the_order_and_can_be_billed(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 10))
        movement = _receive(w, o.pk, 4)
        o.refresh_from_db()
        line = o.lines.get()
        assert o.status == OrderStatus.PARTIAL
        assert (line.received_quantity, line.received_value) == (D(4), D(40000))
        receipt = PurchaseReceipt.objects.get(movement_id=movement.pk)
        assert (receipt.number, receipt.quantity, receipt.value) == (movement.number, D(4), D(40000))
        # the order's own receipt is recorded once (not again by the subscriber)
        actions.receive_order(w.keeper, o.pk)
        o.refresh_from_db()
        line.refresh_from_db()
        assert o.status == OrderStatus.RECEIVED and line.received_quantity == D(10)
        assert PurchaseReceipt.objects.filter(order=o).count() == 2
        bill = bills.create_bill(w.staff, order_id=o.pk, vendor_invoice_no="K1")
        bills.post_bill(w.staff, bill.pk)
        assert balance(tenant_a, "3388") == 0


def test_receipts_the_order_refuses_are_not_validated(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        draft = order(w, beer_line(w, 10))
        o = approved(w, beer_line(w, 10))
        cola = inventory.save_product(w.inv.manager, name="Nước ngọt 330ml", stock_unit_id=w.inv.chai.pk)
        for kwargs in (
            {"order_id": draft.pk, "qty": 1},  # a draft order
            {"order_id": o.pk, "qty": 11},  # over-receipt (tolerance 0 %)
            {"order_id": o.pk, "qty": 1, "warehouse": w.inv.wh2},  # another warehouse
            {"order_id": o.pk, "qty": 1, "product": cola},  # not on the order
        ):
            with pytest.raises(ValidationError):
                _receive(w, **kwargs)
        assert not StockMovement.objects.exists() and not PurchaseReceipt.objects.exists()
        # an id that is no order of the company: a bare receipt, as before
        movement = _receive(w, 999999, 1)
        assert movement.status == "done" and not PurchaseReceipt.objects.exists()


def test_a_receipt_through_the_inventory_api_names_the_order(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 10))
    with tenant_context(tenant_b):
        wb = world(tenant_b)
        ob = approved(wb, beer_line(wb, 10))
    keeper = ApiClient(tenant_a, w.keeper.user)
    body = {
        "kind": "receipt",
        "warehouse_id": w.inv.wh.pk,
        "partner_id": w.vendor.party_id,
        "source_document": f"scm.purchaseorder:{o.pk}",
        "lines": [{"product_id": w.inv.beer.pk, "quantity": "3", "unit_cost": "10000"}],
        "validate": True,
    }
    r = keeper.post("/api/v1/inventory/movements", body)
    assert r.status_code == 201, r.json()
    r = keeper.post("/api/v1/inventory/movements", {**body, "lines": [{**body["lines"][0], "quantity": "8"}]})
    assert r.status_code == 400  # 3 + 8 > 10
    with tenant_context(tenant_a):
        line = o.lines.get()
        assert line.received_quantity == D(3)
    # another company's order id names nothing here: its order does not move
    r = keeper.post("/api/v1/inventory/movements", {**body, "source_document": f"scm.purchaseorder:{ob.pk}"})
    assert r.status_code == 201
    with tenant_context(tenant_b):
        assert ob.lines.get().received_quantity == 0
