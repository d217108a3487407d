"""Price lists: a group's default list prices product lines by quantity break within its validity
dates; a typed price overrides it unless the list forbids it (then only a Sales Manager may); API and
pages, roles, refusals that write nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client
from novasaas.sales import actions, pricing, quotations
from novasaas.sales.models import PriceList, PriceListItem, SalesOrder
from novasaas.sales.tests.helpers import world

D = Decimal
URL = "/api/v1/sales"


def _priced_world(tenant, today, **list_fields):
    w = world(tenant, 50)
    pl = pricing.save_price_list(
        w.manager,
        code="SI",
        name="Giá sỉ",
        items=[
            {"product_id": w.inv.beer.pk, "min_quantity": "1", "unit_price": "12000"},
            {"product_id": w.inv.beer.pk, "min_quantity": "10", "unit_price": "11000"},
            {"product_id": w.inv.beer.pk, "min_quantity": "100", "unit_price": "9000"},
        ],
        **list_fields,
    )
    group = actions.save_group(w.manager, code="SI", name="Khách sỉ", discount_percent="2", price_list_id=pl.pk)
    actions.update_customer(w.manager, w.customer.pk, group_id=group.pk)
    w.customer.refresh_from_db()
    return w, pl


def _order(w, qty, on=None, **line):
    return actions.create_order(
        w.staff,
        customer_id=w.customer.pk,
        warehouse_id=w.inv.wh.pk,
        date=on,
        lines=[{"product_id": w.inv.beer.pk, "quantity": str(qty), **line}],
    )


def test_quantity_breaks_and_group_discount(tenant_a, today):
    with tenant_context(tenant_a):
        w, _pl = _priced_world(tenant_a, today)
        prices = {qty: _order(w, qty).lines.get() for qty in ("9.9999", "10", "99", "100")}
        assert {q: li.unit_price for q, li in prices.items()} == {
            "9.9999": D(12000),
            "10": D(11000),
            "99": D(11000),
            "100": D(9000),
        }
        line = prices["10"]
        # 10 × 11,000 less the group's 2 % = 107,800; VAT 10 % = 10,780
        assert (line.discount_percent, line.net_amount, line.vat_amount) == (D(2), D(107800), D(10780))
        # a quotation is priced by the same rule
        q = quotations.create_quotation(
            w.staff, customer_id=w.customer.pk, lines=[{"product_id": w.inv.beer.pk, "quantity": "12"}]
        )
        assert q.lines.get().unit_price == D(11000)
        # a typed price wins when the list allows it
        assert _order(w, 10, unit_price="10500").lines.get().unit_price == D(10500)


def test_validity_dates_and_inactive_list_fall_back_to_sale_price(tenant_a, today):
    with tenant_context(tenant_a):
        w, pl = _priced_world(tenant_a, today, valid_from=today, valid_to=today + dt.timedelta(days=30))
        sale_price = w.inv.beer.sale_price
        assert _order(w, 10, on=today).lines.get().unit_price == D(11000)
        assert _order(w, 10, on=today + dt.timedelta(days=30)).lines.get().unit_price == D(11000)
        assert _order(w, 10, on=today + dt.timedelta(days=31)).lines.get().unit_price == sale_price
        pricing.save_price_list(w.manager, pl.pk, is_active=False)
        w.customer.refresh_from_db()
        assert _order(w, 10, on=today).lines.get().unit_price == sale_price
        # another product, not on the list: its own sale price
        other = actions.create_order(
            w.staff,
            customer_id=w.customer.pk,
            warehouse_id=w.inv.wh.pk,
            lines=[{"product_id": w.inv.beer.pk, "quantity": "1"}],
        )
        assert other.lines.get().unit_price == sale_price


def test_list_that_forbids_override_refuses_staff_not_manager(tenant_a, today):
    with tenant_context(tenant_a):
        w, _pl = _priced_world(tenant_a, today, allow_override=False)
        before = SalesOrder.objects.count()
        with pytest.raises(ValidationError) as exc:
            _order(w, 10, unit_price="10000")
        assert "lines[0].unit_price" in exc.value.message_dict
        assert SalesOrder.objects.count() == before
        assert _order(w, 10, unit_price="11000").lines.get().unit_price == D(11000)  # the list's own price
        o = actions.create_order(
            w.manager,
            customer_id=w.customer.pk,
            warehouse_id=w.inv.wh.pk,
            lines=[{"product_id": w.inv.beer.pk, "quantity": "10", "unit_price": "10000"}],
        )
        assert o.lines.get().unit_price == D(10000)


@pytest.mark.parametrize(
    ("fields", "key"),
    [
        ({"code": "", "name": "x"}, "code"),
        ({"code": "A", "name": ""}, "name"),
        ({"code": "A", "name": "x", "valid_from": "2026-02-01", "valid_to": "2026-01-31"}, "valid_to"),
        ({"code": "A", "name": "x", "items": [{"product_id": 999999, "unit_price": "1"}]}, "items[0].product_id"),
        ({"code": "A", "name": "x", "items": [{"product_id": "BEER", "unit_price": "1.5"}]}, "items[0].unit_price"),
        ({"code": "A", "name": "x", "items": [{"product_id": "BEER", "unit_price": "-1"}]}, "items[0].unit_price"),
        (
            {"code": "A", "name": "x", "items": [{"product_id": "BEER", "min_quantity": "0", "unit_price": "1"}]},
            "items[0].min_quantity",
        ),
        (
            {
                "code": "A",
                "name": "x",
                "items": [{"product_id": "BEER", "unit_price": "1"}, {"product_id": "BEER", "unit_price": "2"}],
            },
            "items[1].min_quantity",
        ),
    ],
)
def test_refusals_write_nothing(tenant_a, fields, key):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        beer = w.inv.beer.pk
        items = [
            {**i, "product_id": beer if i["product_id"] == "BEER" else i["product_id"]} for i in fields.get("items", [])
        ]
        with pytest.raises(ValidationError) as exc:
            pricing.save_price_list(w.manager, **{**fields, "items": items})
        assert key in exc.value.message_dict
        assert PriceList.objects.count() == 0 and PriceListItem.objects.count() == 0
        with pytest.raises(Exception) as denied:
            pricing.save_price_list(w.staff, code="B", name="b")
        assert type(denied.value).__name__ == "PermissionDenied"


def test_api_crud_and_roles(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
    manager, staff = ApiClient(tenant_a, w.manager.user), ApiClient(tenant_a, w.staff.user)
    item = {"product_id": w.inv.beer.pk, "min_quantity": "5", "unit_price": "9000"}
    body = {"code": "SI", "name": "Giá sỉ", "items": [item]}
    assert staff.post(f"{URL}/price-lists", body).status_code == 403
    r = manager.post(f"{URL}/price-lists", body)
    assert r.status_code == 201, r.content
    pl = r.json()
    assert [(D(i["min_quantity"]), D(i["unit_price"])) for i in pl["items"]] == [(D(5), D(9000))]
    assert manager.post(f"{URL}/price-lists", body).status_code == 400  # code used
    r = manager.patch(f"{URL}/price-lists/{pl['id']}", {"valid_from": "2026-03-01", "valid_to": "2026-02-01"})
    assert r.status_code == 400
    r = manager.patch(f"{URL}/price-lists/{pl['id']}", {"items": [], "name": "Giá sỉ 2"})
    assert r.status_code == 200 and r.json()["items"] == [] and r.json()["name"] == "Giá sỉ 2"
    assert staff.get(f"{URL}/price-lists/{pl['id']}").status_code == 200
    assert staff.patch(f"{URL}/price-lists/{pl['id']}", {"name": "x"}).status_code == 403
    assert manager.get(f"{URL}/price-lists/999999").status_code == 404
    group = manager.post(f"{URL}/customer-groups", {"code": "SI", "name": "Sỉ", "price_list_id": pl["id"]}).json()
    assert group["price_list_id"] == pl["id"]
    assert manager.patch(f"{URL}/customer-groups/{group['id']}", {"price_list_id": 999999}).status_code == 400
    outsider = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert outsider.get(f"{URL}/price-lists").status_code == 403


def test_pages(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
    web = web_client(tenant_a, w.manager.user)
    r = web.post("/sales/price-lists/", {"code": "le", "name": "Giá lẻ", "allow_override": "on", "is_active": "on"})
    assert r.status_code == 302, r.content.decode()[:1500]
    with tenant_context(tenant_a):
        pl = PriceList.objects.get(code="LE")
    data = {
        "code": "LE",
        "name": "Giá lẻ",
        "valid_from": "",
        "valid_to": "",
        "is_active": "on",
        "items-TOTAL_FORMS": "3",
        "items-INITIAL_FORMS": "0",
        "items-MIN_NUM_FORMS": "0",
        "items-MAX_NUM_FORMS": "1000",
        "items-0-product_id": w.inv.beer.pk,
        "items-0-min_quantity": "1",
        "items-0-unit_price": "13.000",
        "items-1-product_id": w.inv.beer.pk,
        "items-1-min_quantity": "24",
        "items-1-unit_price": "12.500",
    }
    r = web.post(f"/sales/price-lists/{pl.pk}/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(tenant_a):
        pl.refresh_from_db()
        assert not pl.allow_override
        assert [(i.min_quantity, i.unit_price) for i in pl.items.all()] == [(D(1), D(13000)), (D(24), D(12500))]
    page = web.get(f"/sales/price-lists/{pl.pk}/").content.decode()
    assert "12.500" in page and "Bảng giá" in page
    bad = {**data, "items-1-min_quantity": "1"}
    assert web.post(f"/sales/price-lists/{pl.pk}/", bad).status_code == 400
    with tenant_context(tenant_a):
        assert pl.items.count() == 2
    r = web.post("/sales/groups/", {"code": "LE", "name": "Khách lẻ", "discount_percent": "", "price_list_id": pl.pk})
    assert r.status_code == 302
    assert "LE" in web.get("/sales/groups/").content.decode()
    staff = web_client(tenant_a, w.staff.user)
    assert staff.get("/sales/price-lists/").status_code == 200
    assert staff.get(f"/sales/price-lists/{pl.pk}/").status_code == 200
    assert staff.post(f"/sales/price-lists/{pl.pk}/", data).status_code == 403
    assert staff.post("/sales/price-lists/", {"code": "X", "name": "x"}).status_code == 403
