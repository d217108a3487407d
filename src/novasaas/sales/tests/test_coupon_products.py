"""Coupons restricted to products or product categories: the discount goes only to the matching lines
(a category covers its sub-categories), through the one totals path (allowance per line before VAT) to
the invoice; refused with the reason and nothing changed when no line matches; API and page with roles;
another company's products or categories refused."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from novasaas.inventory.actions.catalogue import save_category, save_product
from novasaas.inventory.tests.helpers import receive
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.sales import actions, deliveries, loyalty, promotions
from novasaas.sales.models import Coupon, SalesOrder
from novasaas.sales.tests.helpers import beer_line, order, world

D = Decimal
URL = "/api/v1/sales"


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _catalogue(w):
    drinks = save_category(w.inv.manager, name="Đồ uống")
    soft = save_category(w.inv.manager, name="Nước ngọt", parent_id=drinks.pk)
    coca = save_product(
        w.inv.manager,
        name="Coca-Cola 330ml",
        stock_unit_id=w.inv.chai.pk,
        category_id=soft.pk,
        cost_price=D(6000),
        sale_price=D(10000),
    )
    receive(w.inv, 10, "6000", product=coca)
    return drinks, soft, coca


def _lines(w, coca):
    return [
        beer_line(w, 3, "15000", vat_code="VAT10"),  # 45,000, no category
        {"product_id": coca.pk, "quantity": "2", "unit_price": "10000", "vat_code": "VAT10"},  # 20,000
        {"description": "Phí giao hàng", "quantity": "1", "unit_price": "30000", "vat_code": "VAT10"},  # 30,000
    ]


def test_category_coupon_discounts_only_its_lines_through_to_the_invoice(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        drinks, _soft, coca = _catalogue(w)
        promotions.save_coupon(w.manager, code="DOUONG", kind="percent", value="10", category_ids=[drinks.pk])
        o = order(w, *_lines(w, coca))
        promotions.apply_coupon(w.staff, "order", o.pk, "douong")
        o = SalesOrder.objects.get(pk=o.pk)
        lines = list(o.lines.order_by("position"))
        # 10 % of the soft drink's 20,000 (a sub-category of "Đồ uống") only
        assert o.coupon_discount == D(2000)
        assert [li.allowance for li in lines] == [D(0), D(2000), D(0)]
        assert [li.net_amount for li in lines] == [D(45000), D(18000), D(30000)]
        assert (o.untaxed, o.vat, o.total) == (D(93000), D(9300), D(102300))
        actions.confirm_order(w.staff, o.pk)
        deliveries.deliver_order(w.staff, o.pk)
        invoice = deliveries.invoice_order(w.staff, o.pk)
        assert (invoice.untaxed, invoice.vat, invoice.total) == (D(93000), D(9300), D(102300))
        assert sorted(li.allowance for li in invoice.lines.all()) == [D(0), D(0), D(2000)]
        assert Coupon.objects.get(code="DOUONG").used_count == 1


def test_product_coupon_with_points_and_the_refusal_when_no_line_matches(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        _drinks, _soft, coca = _catalogue(w)
        promotions.save_coupon(w.manager, code="BIA", kind="amount", value="5000", product_ids=[w.inv.beer.pk])
        promotions.save_coupon(w.manager, code="COCA", kind="percent", value="50", product_ids=[coca.pk])
        loyalty.configure(w.manager, is_active=True, points_per="10000", point_value="100")
        loyalty.add_points(w.manager, w.customer.pk, points=100, reason="Khai trương")
        o = order(w, *_lines(w, coca))
        promotions.apply_coupon(w.staff, "order", o.pk, "BIA")
        loyalty.set_order_points(w.staff, o.pk, 100)  # 10,000 over what is left of every line
        o = SalesOrder.objects.get(pk=o.pk)
        lines = list(o.lines.order_by("position"))
        bases = [D(45000), D(20000), D(30000)]
        assert (o.coupon_discount, o.points_discount) == (D(5000), D(10000))
        assert sum(li.allowance for li in lines) == D(15000)
        assert all(li.allowance <= b for li, b in zip(lines, bases, strict=True))
        # the coupon's 5,000 on the beer; the points over 40,000 / 20,000 / 30,000: 4,444.4 / 2,222.2 /
        # 3,333.3, the đồng left to the largest remainder (the first line)
        assert [li.allowance for li in lines] == [D(5000) + D(4445), D(2222), D(3333)]
        assert o.untaxed == D(80000)
        # only beer on this one: COCA refused with the reason, nothing changed
        only_beer = order(w, beer_line(w, 1))
        with pytest.raises(ValidationError, match="no line of this document"):
            promotions.apply_coupon(w.staff, "order", only_beer.pk, "COCA")
        only_beer = SalesOrder.objects.get(pk=only_beer.pk)
        assert only_beer.coupon_id is None and only_beer.coupon_discount == 0
        # editing the lines so that none matches any more: refused, nothing changed
        with_coca = order(w, {"product_id": coca.pk, "quantity": "1", "unit_price": "10000"}, beer_line(w, 1))
        promotions.apply_coupon(w.staff, "order", with_coca.pk, "COCA")
        with pytest.raises(ValidationError):
            actions.update_order(w.staff, with_coca.pk, lines=[beer_line(w, 2)])
        assert SalesOrder.objects.get(pk=with_coca.pk).coupon_discount == D(5000)


def test_restriction_through_the_api_and_the_page_with_roles(tenant_a, tenant_b):
    with tenant_context(tenant_b):
        wb = world(tenant_b, 0)
        other_category = save_category(wb.inv.manager, name="Khác")
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        drinks, _soft, coca = _catalogue(w)
        o = order(w, *_lines(w, coca))
        beer_sku = w.inv.beer.sku
    manager, staff = ApiClient(tenant_a, w.manager.user), ApiClient(tenant_a, w.staff.user)
    body = {"code": "nuoc", "kind": "amount", "value": "3000", "category_ids": [drinks.pk]}
    assert staff.post(f"{URL}/coupons", body).status_code == 403
    r = manager.post(f"{URL}/coupons", body)
    assert r.status_code == 201 and r.json()["category_ids"] == [drinks.pk] and r.json()["product_ids"] == []
    coupon_id = r.json()["id"]
    # unknown / another company's ids: 400 with the reason, nothing written
    r = manager.post(f"{URL}/coupons", {**body, "code": "x1", "category_ids": [other_category.pk]})
    assert r.status_code == 400 and "category" in str(r.json())
    r = manager.post(f"{URL}/coupons", {**body, "code": "x2", "category_ids": [], "product_ids": [999999]})
    assert r.status_code == 400 and "product" in str(r.json())
    assert manager.post(f"{URL}/coupons", {**body, "code": "x3", "product_ids": ["abc"]}).status_code == 422
    with tenant_context(tenant_a):
        assert Coupon.objects.count() == 1
    r = staff.post(f"{URL}/orders/{o.pk}/coupon", {"code": "NUOC"})
    assert r.status_code == 200
    assert [D(li["allowance"]) for li in sorted(r.json()["lines"], key=lambda x: x["position"])] == [
        D(0),
        D(3000),
        D(0),
    ]
    r = manager.patch(f"{URL}/coupons/{coupon_id}", {"category_ids": [], "product_ids": [w.inv.beer.pk]})
    assert r.status_code == 200 and r.json()["product_ids"] == [w.inv.beer.pk]
    # the page: SKUs and categories; an unknown SKU is refused (400), nothing written
    mweb, sweb = web_client(tenant_a, w.manager.user), web_client(tenant_a, w.staff.user)
    form = {"code": "web", "kind": "percent", "value": "5", "product_skus": beer_sku, "category_ids": [drinks.pk]}
    assert sweb.post("/sales/coupons/", form).status_code == 403
    r = mweb.post("/sales/coupons/", {**form, "product_skus": "KHONG-CO"})
    assert r.status_code == 400 and "KHONG-CO" in r.content.decode()
    r = mweb.post("/sales/coupons/", form)
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(tenant_a):
        web = Coupon.objects.get(code="WEB")
        assert (web.product_ids, web.category_ids) == ([w.inv.beer.pk], [drinks.pk])
    page = sweb.get(f"/sales/coupons/{web.pk}/").content.decode()
    assert 'id="coupon-restriction"' in page and beer_sku in page and "Đồ uống" in page
