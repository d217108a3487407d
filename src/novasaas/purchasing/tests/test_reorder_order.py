"""Low stock with the company setting "draft purchase order": the crossing creates an automatic
requisition ordered at once as a draft order to the product's last vendor (else the cheapest listing
it) at its price-list price, once per crossing, the Purchase Manager notified; no vendor listing the
product: a draft requisition as before. The setting through action, API and page, roles, two tenants."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.inventory import actions as inventory
from novasaas.inventory.tests.helpers import issue, receive
from novasaas.platform.notifications import Notification
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.purchasing import actions, selectors
from novasaas.purchasing.models import OrderStatus, PurchaseOrder, PurchaseRequisition, RequisitionStatus
from novasaas.purchasing.tests.helpers import approved, beer_line, party, world

D = Decimal
URL = "/api/v1/purchasing"


def test_low_stock_drafts_an_order_to_the_last_vendor(tenant_a, tenant_b, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, price="10000")
        # a cheaper vendor, and the usual one (last ordered from) with a quantity break and a lead time
        cheap = actions.create_vendor(w.manager, party_id=party(w.manager, "Công ty Bia Rẻ").pk)
        actions.save_price(w.manager, cheap.pk, product_id=w.inv.beer.pk, price="9000", valid_from="2020-01-01")
        actions.save_price(
            w.manager, w.vendor.pk, product_id=w.inv.beer.pk, price="9500", min_quantity="48",
            lead_time_days=4, valid_from="2020-01-01",
        )  # fmt: skip
        with pytest.raises(PermissionDenied):
            actions.update_settings(w.staff, reorder_action="order")
        with pytest.raises(ValidationError):
            actions.update_settings(w.manager, reorder_action="telepathy")
        assert selectors.get_settings(tenant_a).reorder_action == "requisition"
        actions.update_settings(w.manager, reorder_action="order")
        # no order yet: the cheapest listing vendor
        assert selectors.reorder_vendor(tenant_a, w.inv.beer.pk, D(48), today)[0] == cheap
        approved(w, beer_line(w, 1), date=today - dt.timedelta(days=10))  # the usual vendor, last ordered
        assert selectors.reorder_vendor(tenant_a, w.inv.beer.pk, D(48), today)[0] == w.vendor

        inventory.set_reorder_rule(
            w.inv.manager, product_id=w.inv.beer.pk, warehouse_id=w.inv.wh.pk, reorder_level="10", reorder_quantity="48"
        )
        receive(w.inv, 20)
        issue(w.inv, 12)  # 8 < 10: crossing
        req = PurchaseRequisition.objects.get()
        assert (req.is_automatic, req.status, req.quantity) == (True, RequisitionStatus.ORDERED, D(48))
        order = PurchaseOrder.objects.get(requisition=req)
        line = order.lines.get()
        assert (order.vendor, order.status, order.warehouse_id) == (w.vendor, OrderStatus.DRAFT, w.inv.wh.pk)
        assert (line.quantity, line.unit_price, order.untaxed) == (D(48), D(9500), D(456000))
        assert order.expected_date == req.date + dt.timedelta(days=4)
        assert Notification.objects.filter(recipient=w.manager.user, url=f"/purchasing/orders/{order.pk}/").exists()
        issue(w.inv, 2)  # same crossing
        receive(w.inv, 30)
        issue(w.inv, 30)  # a new crossing while the draft order is still a draft: no second one
        assert PurchaseOrder.objects.filter(requisition__isnull=False).count() == 1
        actions.cancel_order(w.manager, order.pk)
        receive(w.inv, 30)
        issue(w.inv, 30)
        assert PurchaseOrder.objects.filter(requisition__isnull=False, status=OrderStatus.DRAFT).count() == 1
        # a buyer issues the draft like any other order
        second = PurchaseOrder.objects.get(requisition__isnull=False, status=OrderStatus.DRAFT)
        assert actions.submit_order(w.staff, second.pk).status == OrderStatus.APPROVED

    with tenant_context(tenant_b):
        wb = world(tenant_b)
        assert selectors.get_settings(tenant_b).reorder_action == "requisition"  # tenant A's setting only
        actions.update_settings(wb.manager, reorder_action="order")
        # nobody lists the wine: a draft requisition as before
        inventory.set_reorder_rule(
            wb.inv.manager, product_id=wb.inv.beer.pk, warehouse_id=wb.inv.wh.pk, reorder_level="10"
        )
        for price in selectors.list_prices(tenant_b, wb.vendor.pk):
            actions.delete_price(wb.manager, wb.vendor.pk, price.pk)
        receive(wb.inv, 20)
        issue(wb.inv, 15)
        req = PurchaseRequisition.objects.get()
        assert req.status == RequisitionStatus.DRAFT and not PurchaseOrder.objects.exists()
        assert Notification.objects.filter(
            recipient=wb.manager.user, url=f"/purchasing/requisitions/{req.pk}/"
        ).exists()


def test_reorder_setting_through_api_and_page(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
    api = ApiClient(tenant_a, w.manager.user)
    assert api.get(f"{URL}/settings").json()["reorder_action"] == "requisition"
    assert api.patch(f"{URL}/settings", {"reorder_action": "nonsense"}).status_code in (400, 422)
    r = api.patch(f"{URL}/settings", {"reorder_action": "order"})
    assert r.status_code == 200 and r.json()["reorder_action"] == "order"
    assert ApiClient(tenant_a, w.staff.user).patch(f"{URL}/settings", {"reorder_action": "order"}).status_code == 403
    web = web_client(tenant_a, w.manager.user)
    page = web.get("/purchasing/settings/").content.decode()
    assert 'name="reorder_action"' in page
    data = {
        "approval_limit": "50000000",
        "receipt_tolerance_percent": "0",
        "quantity_tolerance_percent": "0",
        "price_tolerance_percent": "1",
        "reorder_action": "requisition",
    }
    assert web.post("/purchasing/settings/", data).status_code == 302
    with tenant_context(tenant_a):
        assert selectors.get_settings(tenant_a).reorder_action == "requisition"
    assert web.post("/purchasing/settings/", {**data, "reorder_action": "x"}).status_code == 400
