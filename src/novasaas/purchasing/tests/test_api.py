"""The Purchasing API: vendor and price list CRUD, the order flow through HTTP with each role, and
refusals with 4xx and nothing changed."""

from __future__ import annotations

from decimal import Decimal

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user
from novasaas.purchasing.models import PurchaseOrder, Vendor
from novasaas.purchasing.tests.helpers import party, world

URL = "/api/v1/purchasing"
D = Decimal


def test_vendor_and_price_list_crud(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        other = party(w.manager, "Công ty TNHH Bao bì Việt")
    api = ApiClient(tenant_a, w.manager.user)
    r = api.post(
        f"{URL}/vendors", {"party_id": other.pk, "payment_terms_days": 45, "bank_name": "VCB", "bank_account": "0011"}
    )
    assert r.status_code == 201, r.json()
    vendor = r.json()
    assert vendor["code"].startswith("NCC-") and vendor["name"] == "Công ty TNHH Bao bì Việt"
    assert api.post(f"{URL}/vendors", {"party_id": other.pk}).status_code == 400  # already a vendor
    assert api.post(f"{URL}/vendors", {"party_id": 999999}).status_code == 400
    assert api.post(f"{URL}/vendors", {"party_id": other.pk, "currency": "usd"}).status_code == 422
    r = api.patch(f"{URL}/vendors/{vendor['id']}", {"payment_terms_days": 7, "currency": "USD"})
    assert r.status_code == 200 and r.json()["payment_terms_days"] == 7 and r.json()["currency"] == "USD"
    assert api.patch(f"{URL}/vendors/{vendor['id']}", {"payment_terms_days": -1}).status_code == 422
    assert api.patch(f"{URL}/vendors/{vendor['id']}", {"currency": "XYZ"}).status_code == 400
    r = api.post(
        f"{URL}/vendors/{vendor['id']}/prices",
        {
            "product_id": w.inv.beer.pk,
            "price": "9500",
            "min_quantity": "100",
            "lead_time_days": 5,
            "valid_from": "2026-01-01",
        },
    )
    assert r.status_code == 201, r.json()
    price = r.json()
    assert D(price["price"]) == 9500 and price["unit"] == "Chai"
    bad = {"product_id": w.inv.beer.pk, "price": "1", "valid_from": "2026-02-01", "valid_to": "2026-01-01"}
    assert api.post(f"{URL}/vendors/{vendor['id']}/prices", bad).status_code == 400
    assert api.post(f"{URL}/vendors/{vendor['id']}/prices", {"product_id": 999999, "price": "1"}).status_code == 400
    assert api.post(
        f"{URL}/vendors/{vendor['id']}/prices", {"product_id": w.inv.beer.pk, "price": "1.5"}
    ).status_code in (400, 422)
    assert [p["id"] for p in api.get(f"{URL}/vendors/{vendor['id']}/prices").json()] == [price["id"]]
    assert api.delete(f"{URL}/vendors/{vendor['id']}/prices/{price['id']}").status_code == 204
    assert api.get(f"{URL}/vendors/{vendor['id']}/prices").json() == []
    assert api.delete(f"{URL}/vendors/{vendor['id']}").status_code == 204
    assert api.get(f"{URL}/vendors").json()["count"] == 1  # the inactive one is hidden
    assert api.get(f"{URL}/vendors?include_inactive=true").json()["count"] == 2
    with tenant_context(tenant_a):
        assert Vendor.objects.get(pk=vendor["id"]).is_active is False
    staff = ApiClient(tenant_a, w.staff.user)
    assert staff.get(f"{URL}/vendors/{vendor['id']}").status_code == 200
    assert staff.post(f"{URL}/vendors", {"party_id": other.pk}).status_code == 403
    assert staff.patch(f"{URL}/vendors/{vendor['id']}", {"payment_terms_days": 1}).status_code == 403
    assert (
        staff.post(f"{URL}/vendors/{vendor['id']}/prices", {"product_id": w.inv.beer.pk, "price": "1"}).status_code
        == 403
    )


def test_order_flow_over_http_with_each_role(tenant_a, admin_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
    staff = ApiClient(tenant_a, w.staff.user)
    manager = ApiClient(tenant_a, w.manager.user)
    keeper = ApiClient(tenant_a, w.keeper.user)
    admin = ApiClient(tenant_a, admin_a)
    assert manager.patch(f"{URL}/settings", {"approval_limit": "500000"}).status_code == 200
    assert staff.patch(f"{URL}/settings", {"approval_limit": "1"}).status_code == 403
    body = {
        "vendor_id": w.vendor.pk,
        "warehouse_id": w.inv.wh.pk,
        "expected_date": "2100-01-01",
        "lines": [{"product_id": w.inv.beer.pk, "quantity": "100"}],
    }
    assert keeper.post(f"{URL}/orders", body).status_code == 403
    r = staff.post(f"{URL}/orders", body)
    assert r.status_code == 201, r.json()
    o = r.json()
    assert D(o["total"]) == D(1100000) and o["status"] == "draft"
    r = staff.patch(
        f"{URL}/orders/{o['id']}", {"lines": [{"product_id": w.inv.beer.pk, "quantity": "60", "unit_price": "10000"}]}
    )
    assert r.status_code == 200 and D(r.json()["total"]) == D(660000)
    o = r.json()  # the lines were replaced
    assert staff.post(f"{URL}/orders/{o['id']}/submit").json()["status"] == "waiting"
    assert staff.post(f"{URL}/orders/{o['id']}/approve").status_code == 403
    assert keeper.post(f"{URL}/orders/{o['id']}/receive", {}).status_code == 400  # not approved yet
    assert manager.post(f"{URL}/orders/{o['id']}/approve").json()["status"] == "approved"
    assert staff.post(f"{URL}/orders/{o['id']}/receive", {}).status_code == 403
    line_id = o["lines"][0]["id"]
    r = keeper.post(f"{URL}/orders/{o['id']}/receive", {"lines": [{"line_id": line_id, "quantity": "61"}]})
    assert r.status_code == 400
    r = keeper.post(f"{URL}/orders/{o['id']}/receive", {"lines": [{"line_id": line_id, "quantity": "60"}]})
    assert r.status_code == 201, r.json()
    assert D(r.json()["value"]) == D(600000)
    assert staff.get(f"{URL}/orders/{o['id']}").json()["status"] == "received"
    assert len(staff.get(f"{URL}/orders/{o['id']}/receipts").json()) == 1
    assert staff.get(f"{URL}/orders?status=received").json()["count"] == 1
    assert staff.get(f"{URL}/orders?status=nonsense").json()["count"] == 1

    r = staff.post(f"{URL}/bills", {"order_id": o["id"], "vendor_invoice_no": "0000999"})
    assert r.status_code == 201, r.json()
    bill = r.json()
    assert bill["match_status"] == "matched" and D(bill["total"]) == D(660000)
    assert keeper.post(f"{URL}/bills/{bill['id']}/post").status_code == 403
    assert staff.post(f"{URL}/bills/{bill['id']}/post").json()["status"] == "unpaid"
    assert staff.post(f"{URL}/bills/{bill['id']}/post").status_code == 400  # twice
    assert staff.post(f"{URL}/bills/{bill['id']}/payments", {"amount": "1"}).status_code == 403  # not an accountant
    assert admin.post(f"{URL}/bills/{bill['id']}/payments", {"amount": "660001"}).status_code == 400
    r = admin.post(f"{URL}/bills/{bill['id']}/payments", {"amount": "660000", "method": "bank"})
    assert r.status_code == 201, r.json()
    assert staff.get(f"{URL}/bills/{bill['id']}").json()["status"] == "paid"
    assert manager.get(f"{URL}/reports/grni").json() == []
    assert staff.get(f"{URL}/reports/grni").status_code == 403
    assert staff.post(f"{URL}/orders/{o['id']}/close").json()["status"] == "closed"


def test_nonsense_is_4xx_and_changes_nothing(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
    api = ApiClient(tenant_a, w.manager.user)
    line = {"product_id": w.inv.beer.pk, "quantity": "1"}
    cases = [
        {"vendor_id": w.vendor.pk, "warehouse_id": w.inv.wh.pk, "lines": []},
        {"vendor_id": w.vendor.pk, "warehouse_id": w.inv.wh.pk, "lines": [{**line, "quantity": "0"}]},
        {"vendor_id": w.vendor.pk, "warehouse_id": w.inv.wh.pk, "lines": [{**line, "vat_code": "VAT99"}]},
        {"vendor_id": w.vendor.pk, "warehouse_id": w.inv.wh.pk, "lines": [line], "extra": 1},
        {"vendor_id": w.vendor.pk, "warehouse_id": 999999, "lines": [line]},
        {"vendor_id": 999999, "warehouse_id": w.inv.wh.pk, "lines": [line]},
        {
            "vendor_id": w.vendor.pk,
            "warehouse_id": w.inv.wh.pk,
            "lines": [line],
            "date": "2026-05-01",
            "expected_date": "2026-04-01",
        },
        {"vendor_id": w.vendor.pk, "warehouse_id": w.inv.wh.pk, "lines": [{**line, "discount_percent": "101"}]},
    ]
    for body in cases:
        r = api.post(f"{URL}/orders", body)
        assert r.status_code in (400, 422), (body, r.status_code)
    with tenant_context(tenant_a):
        assert PurchaseOrder.objects.count() == 0
    assert (
        api.post(
            f"{URL}/bills", {"vendor_invoice_no": "1", "lines": [{"description": "x", "unit_price": "1"}]}
        ).status_code
        == 400
    )
    assert (
        api.post(
            f"{URL}/requisitions", {"product_id": 999999, "warehouse_id": w.inv.wh.pk, "quantity": "1"}
        ).status_code
        == 400
    )
    assert api.get(f"{URL}/orders/999999").status_code == 404
    sales = create_user(tenant_a, "sales_staff")
    assert ApiClient(tenant_a, sales).get(f"{URL}/orders").status_code == 403


def test_order_pdf_page_and_api(tenant_a):
    from novasaas.platform.testing.fixtures import web_client
    from novasaas.purchasing.tests.helpers import order

    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = order(w)
    r = ApiClient(tenant_a, w.staff.user).get(f"{URL}/orders/{o.pk}/pdf")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    from io import BytesIO

    from pypdf import PdfReader

    text = PdfReader(BytesIO(r.content)).pages[0].extract_text()
    assert "ĐƠN ĐẶT HÀNG" in text and o.number in text and "110.000" in text
    page = web_client(tenant_a, w.staff.user).get(f"/purchasing/orders/{o.pk}/pdf/")
    assert page.status_code == 200 and page["Content-Type"] == "application/pdf"
