"""A delivery rejected in full at the quality check: nothing stocked or posted, the order stays open for
the redelivery, the rejection (quantities, reason) kept and shown on the order; action, API, page, two
tenants; a rejection record is no receipt for landed costs."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.inventory.models import Stock, StockMovement
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.purchasing import actions, landed
from novasaas.purchasing.models import OrderStatus, PurchaseReceipt
from novasaas.purchasing.tests.helpers import approved, balance, beer_line, world

D = Decimal
URL = "/api/v1/purchasing"


def test_delivery_rejected_in_full(tenant_a, tenant_b, today):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 10), beer_line(w, 4), date=today - dt.timedelta(days=2))
        first, second = o.lines.order_by("position")
        rows = [
            {"line_id": first.pk, "quantity": "0", "rejected_quantity": "10"},
            {"line_id": second.pk, "quantity": "0", "rejected_quantity": "4"},
        ]
        with pytest.raises(ValidationError) as exc:  # the reason is required
            actions.receive_order(w.keeper, o.pk, lines=rows, date=today)
        assert "rejection_reason" in exc.value.message_dict
        assert not PurchaseReceipt.objects.exists()
        with pytest.raises(PermissionDenied):  # a Purchase Staff does not receive goods
            actions.receive_order(w.staff, o.pk, lines=rows, date=today, rejection_reason="hỏng")

        r = actions.receive_order(w.keeper, o.pk, lines=rows, date=today, rejection_reason=" bia  hết hạn ")
        assert (r.movement_id, r.quantity, r.value, r.rejected_quantity) == (None, D(0), D(0), D(14))
        assert r.rejection_reason == "bia hết hạn" and r.number == f"TCH-{today.year}-00001"
        assert not StockMovement.objects.exists() and not Stock.objects.exists()
        assert balance(tenant_a, "3388") == 0 and balance(tenant_a, "156") == 0
        o.refresh_from_db()
        first.refresh_from_db()
        assert o.status == OrderStatus.APPROVED  # still open for the redelivery
        assert (first.received_quantity, first.rejected_quantity, first.open_quantity) == (D(0), D(10), D(10))
        # a rejection record carries no goods: no landed cost on it
        with pytest.raises(ValidationError) as exc:
            landed.create_landed_bill(
                w.staff,
                vendor_id=w.vendor.pk,
                vendor_invoice_no="F1",
                receipt_ids=[r.pk],
                split="value",
                lines=[{"cost_kind": "freight", "description": "Cước", "amount": "5000"}],
                date=today,
            )
        assert "receipt_ids" in exc.value.message_dict
        # the redelivery is received in full
        actions.receive_order(w.keeper, o.pk, date=today)
        o.refresh_from_db()
        assert o.status == OrderStatus.RECEIVED
        assert Stock.objects.get(product=w.inv.beer, warehouse=w.inv.wh).on_hand == D(14)
        assert balance(tenant_a, "3388") == -D(140000)

        o2 = approved(w, beer_line(w, 3))
        line2 = o2.lines.get()
    api = ApiClient(tenant_a, w.keeper.user)
    body = {"lines": [{"line_id": line2.pk, "quantity": "0", "rejected_quantity": "3"}]}
    assert api.post(f"{URL}/orders/{o2.pk}/receive", body).status_code == 400  # no reason
    got = api.post(f"{URL}/orders/{o2.pk}/receive", {**body, "rejection_reason": "vỡ"})
    assert got.status_code == 201, got.json()
    assert got.json()["movement_id"] is None and D(got.json()["rejected_quantity"]) == D(3)
    listed = ApiClient(tenant_a, w.manager.user).get(f"{URL}/orders/{o2.pk}/receipts").json()
    assert [(x["movement_id"], x["rejection_reason"]) for x in listed] == [(None, "vỡ")]
    assert ApiClient(tenant_a, w.staff.user).get(f"{URL}/orders/{o2.pk}").json()["status"] == "approved"

    keeper = web_client(tenant_a, w.keeper.user)
    r = keeper.post(
        f"/purchasing/orders/{o2.pk}/receive/",
        {f"qty_{line2.pk}": "0", f"rej_{line2.pk}": "3", "rejection_reason": "sai nhãn"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    page = keeper.get(f"/purchasing/orders/{o2.pk}/").content.decode()
    assert "sai nhãn" in page and "vỡ" in page and "TCH-" in page
    with tenant_context(tenant_a):
        line2.refresh_from_db()
        assert (line2.received_quantity, line2.rejected_quantity) == (D(0), D(6))
        assert PurchaseReceipt.objects.filter(order=o2).count() == 2
    with tenant_context(tenant_b):
        assert not PurchaseReceipt.objects.exists()
        wb = world(tenant_b)
    r = ApiClient(tenant_b, wb.keeper.user).post(f"{URL}/orders/{o2.pk}/receive", {**body, "rejection_reason": "x"})
    assert r.status_code == 404
