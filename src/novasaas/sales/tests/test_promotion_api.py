"""Coupons, campaigns and loyalty through the API and the pages: CRUD by the Sales Manager, Sales Staff
applying coupons and points and adding points, refusals as 400 with the reason and nothing written,
roles without the rights (403), Vietnamese texts."""

from __future__ import annotations

from decimal import Decimal

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.sales.models import Coupon, Customer, LoyaltyEntry, SalesOrder
from novasaas.sales.tests.helpers import beer_line, order, world

D = Decimal
URL = "/api/v1/sales"


def _setup(tenant):
    with tenant_context(tenant):
        w = world(tenant, 20)
        o = order(w, beer_line(w, 3, "15000"), {"description": "Lắp đặt", "quantity": "1", "unit_price": "10000"})
    return w, o


def test_coupon_crud_and_apply_through_the_api(tenant_a):
    w, o = _setup(tenant_a)
    manager, staff = ApiClient(tenant_a, w.manager.user), ApiClient(tenant_a, w.staff.user)
    body = {"code": "he2026", "kind": "amount", "value": "5500", "min_order_amount": "50000", "usage_limit": 5}
    assert staff.post(f"{URL}/coupons", body).status_code == 403
    r = manager.post(f"{URL}/coupons", body)
    assert r.status_code == 201, r.content
    coupon = r.json()
    assert (coupon["code"], D(coupon["value"]), coupon["used_count"]) == ("HE2026", D(5500), 0)
    assert manager.post(f"{URL}/coupons", body).status_code == 400  # the code is taken
    assert manager.post(f"{URL}/coupons", {**body, "code": "X1", "kind": "percent", "value": "150"}).status_code in (
        400,
        422,
    )
    assert manager.patch(f"{URL}/coupons/{coupon['id']}", {"usage_limit": 1}).json()["usage_limit"] == 1
    assert [c["code"] for c in staff.get(f"{URL}/coupons").json()] == ["HE2026"]
    assert staff.get(f"{URL}/coupons/{coupon['id']}").status_code == 200
    assert staff.patch(f"{URL}/coupons/{coupon['id']}", {"usage_limit": 9}).status_code == 403

    r = staff.post(f"{URL}/orders/{o.pk}/coupon", {"code": "HE2026"})
    assert r.status_code == 200, r.content
    out = r.json()
    # 5,500 spread 45,000 : 10,000 → 4,500 / 1,000; 40,500 + 9,000 = 49,500, VAT 4,950
    assert [D(li["allowance"]) for li in out["lines"]] == [D(4500), D(1000)]
    assert (out["coupon_code"], *(D(out[k]) for k in ("coupon_discount", "untaxed", "vat", "total"))) == (
        "HE2026",
        D(5500),
        D(49500),
        D(4950),
        D(54450),
    )
    assert staff.post(f"{URL}/orders/{o.pk}/confirm").status_code == 200
    with tenant_context(tenant_a):
        assert Coupon.objects.get().used_count == 1
        o2 = order(w, beer_line(w, 4, "15000"))
    r = staff.post(f"{URL}/orders/{o2.pk}/coupon", {"code": "HE2026"})
    assert r.status_code == 400 and "limit" in str(r.json()["detail"]).lower() or "giới hạn" in str(r.json())
    with tenant_context(tenant_a):
        assert SalesOrder.objects.get(pk=o2.pk).coupon_id is None
    assert staff.post(f"{URL}/orders/{o2.pk}/coupon", {"code": "NOPE"}).status_code == 400
    assert staff.post(f"{URL}/orders/{o2.pk}/coupon", {"code": "bad code!"}).status_code == 422
    assert staff.delete(f"{URL}/orders/{o.pk}/coupon").status_code == 400  # confirmed: no longer a draft


def test_loyalty_through_the_api(tenant_a):
    w, o = _setup(tenant_a)
    manager, staff = ApiClient(tenant_a, w.manager.user), ApiClient(tenant_a, w.staff.user)
    assert staff.patch(f"{URL}/loyalty-programme", {"is_active": True}).status_code == 403
    r = manager.patch(f"{URL}/loyalty-programme", {"is_active": True, "points_per": "10000", "point_value": "200"})
    assert r.status_code == 200 and D(r.json()["point_value"]) == D(200)
    assert manager.patch(f"{URL}/loyalty-programme", {"point_value": "0"}).status_code == 422
    assert staff.get(f"{URL}/loyalty-programme").json()["is_active"] is True
    r = staff.post(f"{URL}/customers/{w.customer.pk}/loyalty", {"points": 40, "reason": "Sinh nhật khách"})
    assert r.status_code == 201 and r.json()["balance_after"] == 40
    r = staff.post(f"{URL}/customers/{w.customer.pk}/loyalty", {"points": -41, "reason": "x"})
    assert r.status_code == 400
    assert staff.post(f"{URL}/customers/{w.customer.pk}/loyalty", {"points": 5}).status_code == 422
    r = staff.post(f"{URL}/orders/{o.pk}/points", {"points": 30})  # 6,000 đ
    assert r.status_code == 200 and (D(r.json()["points_discount"]), D(r.json()["untaxed"])) == (D(6000), D(49000))
    assert staff.post(f"{URL}/orders/{o.pk}/points", {"points": 41}).status_code == 400
    assert staff.post(f"{URL}/orders/{o.pk}/confirm").status_code == 200
    body = staff.get(f"{URL}/customers/{w.customer.pk}/loyalty").json()
    assert (body["balance"], D(body["value"])) == (10, D(2000))
    assert [(e["kind"], e["points"]) for e in body["entries"]] == [("redeemed", -30), ("manual", 40)]


def test_campaign_api_is_the_managers(tenant_a):
    w, _o = _setup(tenant_a)
    manager, staff = ApiClient(tenant_a, w.manager.user), ApiClient(tenant_a, w.staff.user)
    body = {"name": "Tết 2027", "starts_on": "2027-01-15", "ends_on": "2027-02-15", "target_tag": "vip"}
    assert staff.post(f"{URL}/campaigns", body).status_code == 403
    assert staff.get(f"{URL}/campaigns").status_code == 403
    r = manager.post(f"{URL}/campaigns", body)
    assert r.status_code == 201 and (r.json()["order_count"], D(r.json()["revenue"])) == (0, D(0))
    cid = r.json()["id"]
    assert manager.patch(f"{URL}/campaigns/{cid}", {"ends_on": "2027-01-01"}).status_code == 400
    assert manager.post(f"{URL}/coupons", {"code": "TET", "value": "5", "campaign_id": cid}).status_code == 201
    assert manager.get(f"{URL}/campaigns/{cid}").json()["coupon_codes"] == ["TET"]


def test_pages(tenant_a):
    w, o = _setup(tenant_a)
    mweb, sweb = web_client(tenant_a, w.manager.user), web_client(tenant_a, w.staff.user)
    r = mweb.post(
        "/sales/coupons/",
        {"code": "web10", "kind": "percent", "value": "10", "min_order_amount": "", "is_active": "on"},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(tenant_a):
        coupon = Coupon.objects.get()
    assert "WEB10" in mweb.get("/sales/coupons/").content.decode()
    assert mweb.get(f"/sales/coupons/{coupon.pk}/").status_code == 200
    page = sweb.get("/sales/coupons/").content.decode()
    assert "WEB10" in page and 'name="code"' not in page  # Sales Staff see, do not edit
    assert sweb.post("/sales/coupons/", {"code": "X", "value": "1", "kind": "percent"}).status_code == 403
    r = mweb.post("/sales/coupons/", {"code": "web10", "kind": "percent", "value": "10"})
    assert r.status_code == 400  # the code is taken: the form again, nothing written

    assert "Áp dụng mã" in sweb.get(f"/sales/orders/{o.pk}/").content.decode()
    r = sweb.post(f"/sales/orders/{o.pk}/promotion/", {"do": "coupon", "code": "web10"})
    assert r.status_code == 302
    page = sweb.get(f"/sales/orders/{o.pk}/").content.decode()
    assert 'id="coupon-discount"' in page and "5.500" in page  # 10 % of 55,000
    r = sweb.post(f"/sales/orders/{o.pk}/promotion/", {"do": "coupon", "code": "KHONGCO"})
    assert r.status_code == 400 and "KHONGCO" in r.content.decode()
    assert sweb.post(f"/sales/orders/{o.pk}/promotion/", {"do": "remove"}).status_code == 302
    with tenant_context(tenant_a):
        assert SalesOrder.objects.get(pk=o.pk).coupon_id is None

    # loyalty: the manager configures, staff add points on the customer page
    assert (
        sweb.post("/sales/loyalty/", {"is_active": "on", "points_per": "1000", "point_value": "1"}).status_code == 403
    )
    r = mweb.post("/sales/loyalty/", {"is_active": "on", "points_per": "10000", "point_value": "100"})
    assert r.status_code == 302
    assert "10.000" in sweb.get("/sales/loyalty/").content.decode()
    r = sweb.post(f"/sales/customers/{w.customer.pk}/loyalty/", {"points": "25", "reason": "Tặng"})
    assert r.status_code == 302
    r = sweb.post(f"/sales/customers/{w.customer.pk}/loyalty/", {"points": "-26", "reason": "Trừ"})
    assert r.status_code == 400
    page = sweb.get(f"/sales/customers/{w.customer.pk}/").content.decode()
    assert 'id="customer-loyalty"' in page and "Tặng" in page and "Điểm tích lũy" in page
    r = sweb.post(f"/sales/orders/{o.pk}/promotion/", {"do": "points", "points": "20"})
    assert r.status_code == 302
    assert 'id="points-discount"' in sweb.get(f"/sales/orders/{o.pk}/").content.decode()
    with tenant_context(tenant_a):
        assert Customer.objects.get(pk=w.customer.pk).loyalty_points == 25
        assert LoyaltyEntry.objects.count() == 1

    # campaigns: manager only
    assert sweb.get("/sales/campaigns/").status_code == 403
    r = mweb.post("/sales/campaigns/", {"name": "Hè", "starts_on": "2026-06-01", "ends_on": "2026-08-31"})
    assert r.status_code == 302
    assert "Hè" in mweb.get("/sales/campaigns/").content.decode()


def test_quotation_page_coupon(tenant_a):
    from novasaas.sales import promotions, quotations
    from novasaas.sales.models import Quotation

    w, _o = _setup(tenant_a)
    with tenant_context(tenant_a):
        promotions.save_coupon(w.manager, code="BG5", kind="percent", value="5")
        q = quotations.create_quotation(w.staff, customer_id=w.customer.pk, lines=[beer_line(w, 2, "15000")])
    sweb = web_client(tenant_a, w.staff.user)
    assert "Áp dụng mã" in sweb.get(f"/sales/quotations/{q.pk}/").content.decode()
    assert sweb.post(f"/sales/quotations/{q.pk}/promotion/", {"code": "bg5"}).status_code == 302
    with tenant_context(tenant_a):
        q.refresh_from_db()
        assert (q.coupon_discount, q.untaxed) == (D(1500), D(28500))  # 5 % of 30,000
    r = sweb.post(f"/sales/quotations/{q.pk}/promotion/", {"code": "KHONG"}, follow=True)
    assert "KHONG" in r.content.decode()  # the reason, as a message on the quotation page
    with tenant_context(tenant_a):
        assert Quotation.objects.get(pk=q.pk).coupon_discount == D(1500)
