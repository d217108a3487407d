"""The Sales API: customer and group CRUD, the order flow through HTTP, refusals with 4xx and nothing
changed."""

from __future__ import annotations

from decimal import Decimal

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user
from novasaas.sales.models import Customer, SalesOrder
from novasaas.sales.tests.helpers import party, stock_row, world

URL = "/api/v1/sales"
D = Decimal


def test_groups_and_customers_crud(tenant_a, admin_a):
    api = ApiClient(tenant_a, admin_a)
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        other = party(w.manager, "Hộ kinh doanh Lan Anh")
    r = api.post(f"{URL}/customer-groups", {"code": "VIP", "name": "Khách VIP", "discount_percent": "5"})
    assert r.status_code == 201, r.json()
    group = r.json()
    assert D(group["discount_percent"]) == 5
    assert api.post(f"{URL}/customer-groups", {"code": "VIP", "name": "Trùng"}).status_code == 400
    assert api.post(f"{URL}/customer-groups", {"code": "X", "name": "x", "discount_percent": "101"}).status_code == 422
    r = api.post(
        f"{URL}/customers",
        {"party_id": other.pk, "group_id": group["id"], "credit_limit": "50000000", "payment_terms_days": 30},
    )
    assert r.status_code == 201, r.json()
    customer = r.json()
    assert customer["code"].startswith("KH-") and customer["name"] == "Hộ kinh doanh Lan Anh"
    assert D(customer["credit_limit"]) == 50000000 and customer["payment_terms_days"] == 30
    assert api.post(f"{URL}/customers", {"party_id": other.pk}).status_code == 400  # already a customer
    assert api.post(f"{URL}/customers", {"party_id": 999999}).status_code == 400
    r = api.patch(f"{URL}/customers/{customer['id']}", {"credit_limit": None, "payment_terms_days": 7})
    assert r.status_code == 200 and r.json()["credit_limit"] is None and r.json()["payment_terms_days"] == 7
    assert api.patch(f"{URL}/customers/{customer['id']}", {"credit_limit": "-1"}).status_code == 422
    listed = api.get(f"{URL}/customers", {"q": "Lan Anh"}).json()["items"]
    assert [c["id"] for c in listed] == [customer["id"]]
    assert api.delete(f"{URL}/customers/{customer['id']}").status_code == 204
    assert api.get(f"{URL}/customers").json()["count"] == 1  # the inactive one is hidden
    assert api.get(f"{URL}/customers/{customer['id']}").json()["is_active"] is False


def test_order_flow_through_the_api(tenant_a, admin_a):
    api = ApiClient(tenant_a, admin_a)
    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
    body = {
        "customer_id": w.customer.pk,
        "warehouse_id": w.inv.wh.pk,
        "lines": [{"product_id": w.inv.beer.pk, "quantity": "4", "vat_code": "VAT10"}],  # 4 × 15,000 sale price
    }
    r = api.post(f"{URL}/orders", body)
    assert r.status_code == 201, r.json()
    order = r.json()
    assert [D(order[k]) for k in ("untaxed", "vat", "total")] == [60000, 6000, 66000]
    assert order["lines"][0]["unit"] == "Chai" and order["status"] == "draft"
    oid = order["id"]
    r = api.patch(f"{URL}/orders/{oid}", {"lines": [{"product_id": w.inv.beer.pk, "quantity": "5"}]})
    assert r.status_code == 200 and D(r.json()["total"]) == 82500
    assert api.post(f"{URL}/orders/{oid}/confirm").json()["status"] == "confirmed"
    assert api.post(f"{URL}/orders/{oid}/confirm").status_code == 400
    assert api.patch(f"{URL}/orders/{oid}", {"note": "x"}).status_code == 400  # only drafts change
    assert api.post(f"{URL}/orders/{oid}/deliver").json()["status"] == "delivered"
    r = api.post(f"{URL}/orders/{oid}/invoice")
    assert r.status_code == 201
    invoice = r.json()
    assert D(invoice["total"]) == 82500
    assert api.post(f"{URL}/invoices/{invoice['id']}/payments", {"amount": "0.5"}).status_code == 400
    assert api.post(f"{URL}/invoices/{invoice['id']}/payments", {"amount": "0"}).status_code in (400, 422)
    r = api.post(f"{URL}/invoices/{invoice['id']}/payments", {"amount": "82501", "method": "cash"})
    assert r.status_code == 201  # 1 đ more than owed: the customer's credit
    assert D(api.get(f"{URL}/customers/{invoice['customer_id']}/balance").json()["credit"]) == 1
    assert api.get(f"{URL}/invoices/{invoice['id']}").json()["status"] == "paid"
    assert api.get(f"{URL}/orders/{oid}").json()["status"] == "invoiced"
    with tenant_context(tenant_a):
        assert stock_row(w).on_hand == D(5) and stock_row(w).reserved == 0


def test_bad_input_is_4xx_and_writes_nothing(tenant_a, admin_a):
    api = ApiClient(tenant_a, admin_a)
    with tenant_context(tenant_a):
        w = world(tenant_a, 2)
    base = {"customer_id": w.customer.pk, "warehouse_id": w.inv.wh.pk}
    bad = [
        {**base, "lines": []},
        {**base, "lines": [{"description": "", "quantity": "1"}]},
        {**base, "lines": [{"product_id": w.inv.beer.pk, "quantity": "0"}]},
        {**base, "lines": [{"product_id": w.inv.beer.pk, "quantity": "1", "unit_price": "100.5"}]},
        {**base, "lines": [{"product_id": w.inv.beer.pk, "quantity": "1", "vat_code": "VAT7"}]},
        {**base, "lines": [{"product_id": 987654, "quantity": "1"}]},
        {**base, "warehouse_id": 987654, "lines": [{"product_id": w.inv.beer.pk, "quantity": "1"}]},
        {"customer_id": 987654, "lines": [{"description": "x", "quantity": "1"}]},
        {**base, "lines": [{"description": "x", "quantity": "1"}], "surprise": 1},
    ]
    for body in bad:
        r = api.post(f"{URL}/orders", body)
        assert r.status_code in (400, 422), (body, r.status_code)
    with tenant_context(tenant_a):
        assert not SalesOrder.objects.exists()
    r = api.post(f"{URL}/orders", {**base, "lines": [{"product_id": w.inv.beer.pk, "quantity": "3"}]})
    oid = r.json()["id"]
    r = api.post(f"{URL}/orders/{oid}/confirm")
    assert r.status_code == 400 and "HN" in str(r.json())  # not enough in warehouse HN
    assert api.get(f"{URL}/orders/{oid}").json()["status"] == "draft"
    with tenant_context(tenant_a):
        assert stock_row(w).reserved == 0


def test_sales_staff_sees_only_their_own_customers_and_orders(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
        other_staff_user = create_user(tenant_a, "sales_staff")
    mine = ApiClient(tenant_a, w.staff.user)
    theirs = ApiClient(tenant_a, other_staff_user)
    manager = ApiClient(tenant_a, w.manager.user)
    r = mine.post(
        f"{URL}/orders",
        {"customer_id": w.customer.pk, "lines": [{"description": "Lắp đặt", "quantity": "1", "unit_price": "1000"}]},
    )
    assert r.status_code == 201
    oid = r.json()["id"]
    assert mine.get(f"{URL}/customers").json()["count"] == 1
    assert theirs.get(f"{URL}/customers").json()["count"] == 0
    assert theirs.get(f"{URL}/customers/{w.customer.pk}").status_code == 404
    assert theirs.get(f"{URL}/orders/{oid}").status_code == 404
    assert theirs.post(f"{URL}/orders/{oid}/confirm").status_code == 404
    assert theirs.get(f"{URL}/orders").json()["count"] == 0
    assert manager.get(f"{URL}/orders").json()["count"] == 1
    # staff create customers for themselves; a credit limit, a group or another salesperson is the manager's
    with tenant_context(tenant_a):
        p1, p2 = party(w.staff, "Cửa hàng Hoa Mai"), party(w.staff, "Cửa hàng Thu Hà")
    r = theirs.post(f"{URL}/customers", {"party_id": p1.pk})
    assert r.status_code == 201 and r.json()["salesperson_id"] == other_staff_user.pk
    assert theirs.post(f"{URL}/customers", {"party_id": p2.pk, "credit_limit": "1000"}).status_code == 403
    assert theirs.post(f"{URL}/customers", {"party_id": p2.pk, "salesperson_id": w.staff.user.pk}).status_code == 403
    assert theirs.delete(f"{URL}/customers/{r.json()['id']}").status_code == 403
    assert theirs.post(f"{URL}/customer-groups", {"code": "A", "name": "A"}).status_code == 403
    with tenant_context(tenant_a):
        assert Customer.objects.count() == 2


def test_roles_without_crm_rights_are_refused(tenant_a):
    with tenant_context(tenant_a):
        world(tenant_a, 0)
        for role in ("accountant", "warehouse_staff", "employee"):
            api = ApiClient(tenant_a, create_user(tenant_a, role))
            assert api.get(f"{URL}/customers").status_code == 403, role
            assert api.get(f"{URL}/orders").status_code == 403, role
