"""Preferred vendor per product (a purchasing-side setting) and the grouping of low-stock crossings.

The low-stock draft order goes to the product's preferred vendor first, then the last vendor, then the
cheapest listing; a crossing for a vendor that already has a draft reorder order for the warehouse adds
a line to it (or increases the product's line) instead of opening another order. Action, API and page,
roles, two tenants, bad input refused with nothing changed."""

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
from novasaas.purchasing.models import (
    OrderStatus,
    PreferredVendor,
    PurchaseOrder,
    PurchaseRequisition,
    RequisitionStatus,
)
from novasaas.purchasing.tests.helpers import approved, beer_line, party, world

D = Decimal
URL = "/api/v1/purchasing"


def _wine(w):  # a second product of the catalogue
    return inventory.save_product(
        w.inv.manager, name="Rượu vang đỏ", stock_unit_id=w.inv.chai.pk, cost_price=D(90000), sale_price=D(150000)
    )


def test_preferred_vendor_comes_before_last_and_cheapest(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, price="10000")
        cheap = actions.create_vendor(w.manager, party_id=party(w.manager, "Công ty Bia Rẻ").pk)
        actions.save_price(w.manager, cheap.pk, product_id=w.inv.beer.pk, price="9000", valid_from="2020-01-01")
        usual = actions.create_vendor(w.manager, party_id=party(w.manager, "Công ty Bia Quen").pk)
        actions.save_price(w.manager, usual.pk, product_id=w.inv.beer.pk, price="9800", valid_from="2020-01-01")
        approved(w, beer_line(w, 1), date=today - dt.timedelta(days=5))  # w.vendor: the last ordered from
        assert selectors.reorder_vendor(tenant_a, w.inv.beer.pk, D(10), today)[0] == w.vendor
        with pytest.raises(PermissionDenied):
            actions.set_preferred_vendor(w.staff, w.inv.beer.pk, usual.pk)
        wine = _wine(w)
        with pytest.raises(ValidationError):  # the vendor does not list the wine
            actions.set_preferred_vendor(w.manager, wine.pk, usual.pk)
        with pytest.raises(ValidationError):
            actions.set_preferred_vendor(w.manager, 999999, usual.pk)
        assert not PreferredVendor.objects.exists()
        actions.set_preferred_vendor(w.manager, w.inv.beer.pk, usual.pk)
        vendor, price = selectors.reorder_vendor(tenant_a, w.inv.beer.pk, D(10), today)
        assert (vendor, price.price) == (usual, D(9800))
        # changing it keeps one row; an inactive preferred vendor falls back to the last vendor
        actions.set_preferred_vendor(w.manager, w.inv.beer.pk, cheap.pk)
        assert PreferredVendor.objects.get().vendor == cheap
        actions.update_vendor(w.manager, cheap.pk, is_active=False)
        assert selectors.reorder_vendor(tenant_a, w.inv.beer.pk, D(10), today)[0] == w.vendor
        actions.update_vendor(w.manager, cheap.pk, is_active=True)
        # a preferred vendor without a valid price for the quantity is passed over
        price_line = selectors.list_prices(tenant_a, cheap.pk).get()
        actions.save_price(w.manager, cheap.pk, price_line.pk, min_quantity="100")
        assert selectors.reorder_vendor(tenant_a, w.inv.beer.pk, D(10), today)[0] == w.vendor
        assert selectors.reorder_vendor(tenant_a, w.inv.beer.pk, D(100), today)[0] == cheap
        actions.clear_preferred_vendor(w.manager, w.inv.beer.pk)
        assert selectors.reorder_vendor(tenant_a, w.inv.beer.pk, D(100), today)[0] == w.vendor


def test_low_stock_order_goes_to_the_preferred_vendor(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, price="10000")
        usual = actions.create_vendor(w.manager, party_id=party(w.manager, "Công ty Bia Quen").pk)
        actions.save_price(w.manager, usual.pk, product_id=w.inv.beer.pk, price="9800", valid_from="2020-01-01")
        actions.set_preferred_vendor(w.manager, w.inv.beer.pk, usual.pk)
        actions.update_settings(w.manager, reorder_action="order")
        inventory.set_reorder_rule(
            w.inv.manager, product_id=w.inv.beer.pk, warehouse_id=w.inv.wh.pk, reorder_level="10", reorder_quantity="48"
        )
        receive(w.inv, 20)
        issue(w.inv, 12)
        order = PurchaseOrder.objects.get()
        assert order.vendor == usual and order.lines.get().unit_price == D(9800)


def test_crossings_of_one_vendor_group_into_one_draft_order(tenant_a, tenant_b, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, price="10000")
        wine = _wine(w)
        actions.save_price(
            w.manager, w.vendor.pk, product_id=wine.pk, price="80000", lead_time_days=7, valid_from="2020-01-01"
        )
        actions.update_settings(w.manager, reorder_action="order")
        for product, qty in ((w.inv.beer, "48"), (wine, "12")):
            inventory.set_reorder_rule(
                w.inv.manager, product_id=product.pk, warehouse_id=w.inv.wh.pk, reorder_level="10", reorder_quantity=qty
            )
        receive(w.inv, 20)
        receive(w.inv, 20, cost="90000", product=wine)
        issue(w.inv, 12)  # beer crosses: a draft reorder order
        order = PurchaseOrder.objects.get()
        assert order.expected_date == today
        issue(w.inv, 15, product=wine)  # wine crosses: a line on the same order
        assert PurchaseOrder.objects.count() == 1
        order.refresh_from_db()
        lines = {li.product_id: li for li in order.lines.all()}
        assert (lines[w.inv.beer.pk].quantity, lines[wine.pk].quantity) == (D(48), D(12))
        assert lines[wine.pk].unit_price == D(80000)
        assert order.untaxed == D(48) * 10000 + D(12) * 80000
        assert order.total == order.untaxed + order.vat and order.vat > 0
        assert order.expected_date == today + dt.timedelta(days=7)  # the later lead time
        reqs = list(PurchaseRequisition.objects.order_by("id"))
        assert [r.status for r in reqs] == [RequisitionStatus.ORDERED, RequisitionStatus.ORDERED]
        assert lines[wine.pk].requisition == reqs[1] and order.requisition == reqs[0]
        assert reqs[1].number in order.note
        assert Notification.objects.filter(recipient=w.manager.user, url=f"/purchasing/orders/{order.pk}/").count() == 2
        # a new wine crossing while it is on the draft: nothing more
        receive(w.inv, 30, cost="90000", product=wine)
        issue(w.inv, 30, product=wine)
        assert PurchaseRequisition.objects.count() == 2 and order.lines.count() == 2
        # a buyer's edit of the draft keeps the lines' requisitions (still grouped afterwards)
        actions.update_order(w.staff, order.pk, note="edited")
        assert order.lines.get(product_id=wine.pk).requisition == reqs[1]
        receive(w.inv, 30, cost="90000", product=wine)
        issue(w.inv, 30, product=wine)
        assert PurchaseRequisition.objects.count() == 2
        # a product the buyer put on the draft by hand: its crossing increases that line
        actions.update_order(w.staff, order.pk, lines=[beer_line(w, 48, 10000)])  # the wine line dropped
        assert order.lines.count() == 1
        rows = [beer_line(w, 48, 10000), {"product_id": wine.pk, "quantity": "5", "unit_price": "79000"}]
        actions.update_order(w.staff, order.pk, lines=rows)
        receive(w.inv, 30, cost="90000", product=wine)
        issue(w.inv, 30, product=wine)  # a new crossing, the wine's requisition line is gone
        order.refresh_from_db()
        wine_line = order.lines.get(product_id=wine.pk)
        assert (wine_line.quantity, wine_line.unit_price) == (D(17), D(79000))
        assert PurchaseOrder.objects.count() == 1
        # once the order is issued, the next crossing opens a new draft order
        actions.submit_order(w.staff, order.pk)
        receive(w.inv, 60)
        issue(w.inv, 60)
        assert PurchaseOrder.objects.filter(status=OrderStatus.DRAFT).count() == 1

    with tenant_context(tenant_b):
        wb = world(tenant_b)
        actions.update_settings(wb.manager, reorder_action="order")
        inventory.set_reorder_rule(
            wb.inv.manager, product_id=wb.inv.beer.pk, warehouse_id=wb.inv.wh.pk, reorder_level="10"
        )
        receive(wb.inv, 20)
        issue(wb.inv, 15)
        # tenant A's draft order is not tenant B's: B gets its own
        order_b = PurchaseOrder.objects.get()
        assert order_b.vendor == wb.vendor and order_b.lines.count() == 1


def test_preferred_vendor_api_and_page(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        wine = _wine(w)
    with tenant_context(tenant_b):
        wb = world(tenant_b)
    api = ApiClient(tenant_a, w.manager.user)
    beer = w.inv.beer.pk
    assert api.get(f"{URL}/preferred-vendors").json() == []
    assert api.get(f"{URL}/preferred-vendors/{beer}").status_code == 404
    assert api.put(f"{URL}/preferred-vendors/{beer}", {"vendor_id": "x"}).status_code in (400, 422)
    assert api.put(f"{URL}/preferred-vendors/{wine.pk}", {"vendor_id": w.vendor.pk}).status_code == 400
    assert api.put(f"{URL}/preferred-vendors/{beer}", {"vendor_id": wb.vendor.pk}).status_code == 400  # B's
    assert api.put(f"{URL}/preferred-vendors/{wb.inv.beer.pk}", {"vendor_id": w.vendor.pk}).status_code == 400
    staff = ApiClient(tenant_a, w.staff.user)
    assert staff.put(f"{URL}/preferred-vendors/{beer}", {"vendor_id": w.vendor.pk}).status_code == 403
    with tenant_context(tenant_a):
        assert not PreferredVendor.objects.exists()
    r = api.put(f"{URL}/preferred-vendors/{beer}", {"vendor_id": w.vendor.pk})
    assert r.status_code == 200, r.content
    assert r.json()["vendor_code"] == w.vendor.code and r.json()["product_id"] == beer
    assert [row["product_id"] for row in staff.get(f"{URL}/preferred-vendors").json()] == [beer]
    assert staff.get(f"{URL}/preferred-vendors?vendor_id={w.vendor.pk}").json()[0]["vendor_id"] == w.vendor.pk
    assert staff.delete(f"{URL}/preferred-vendors/{beer}").status_code == 403
    # tenant B sees none of it
    api_b = ApiClient(tenant_b, wb.manager.user)
    assert api_b.get(f"{URL}/preferred-vendors").json() == []
    assert api_b.delete(f"{URL}/preferred-vendors/{beer}").status_code == 404
    assert api.delete(f"{URL}/preferred-vendors/{beer}").status_code == 204
    assert api.delete(f"{URL}/preferred-vendors/{beer}").status_code == 404

    # page: the vendor's price list marks and sets the preferred vendor (Purchase Manager)
    web = web_client(tenant_a, w.manager.user)
    page = f"/purchasing/vendors/{w.vendor.pk}/"
    assert 'name="prefer"' in web.get(page).content.decode()
    assert web.post(f"{page}prices/", {"prefer": str(beer)}).status_code == 302
    with tenant_context(tenant_a):
        assert PreferredVendor.objects.get().vendor == w.vendor
    assert 'name="unprefer"' in web.get(page).content.decode()
    assert web.post(f"{page}prices/", {"prefer": str(wine.pk)}).status_code == 400  # not listed
    assert web.post(f"{page}prices/", {"prefer": "abc"}).status_code == 400
    assert web.post(f"{page}prices/", {"unprefer": "9" * 30}).status_code == 404
    assert api.put(f"{URL}/preferred-vendors/{'9' * 30}", {"vendor_id": w.vendor.pk}).status_code in (400, 404, 422)
    staff_web = web_client(tenant_a, w.staff.user)
    body = staff_web.get(page).content.decode()
    assert 'name="prefer"' not in body and 'name="unprefer"' not in body
    assert staff_web.post(f"{page}prices/", {"unprefer": str(beer)}).status_code == 403
    web_b = web_client(tenant_b, wb.manager.user)
    assert web_b.post(f"{page}prices/", {"unprefer": str(beer)}).status_code == 404  # A's vendor
    assert web.post(f"{page}prices/", {"unprefer": str(beer)}).status_code == 302
    with tenant_context(tenant_a):
        assert not PreferredVendor.objects.exists()
