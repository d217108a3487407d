"""The purchasing pages as their roles use them (CSRF enforced): vendor and price list, order with
lines → issue → receive → bill → pay, refusals shown with their reason (400, nothing changed), and the
pages each role may or may not open."""

from __future__ import annotations

from decimal import Decimal

import pytest

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client
from novasaas.purchasing.models import BillStatus, OrderStatus, PurchaseOrder, Vendor, VendorBill, VendorPrice
from novasaas.purchasing.tests.helpers import approved, beer_line, party, world

D = Decimal


def _lines(**rows):
    data = {
        "lines-TOTAL_FORMS": "5",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
    }
    data.update(rows)
    return data


def test_procure_to_pay_through_the_pages(tenant_a, admin_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        new_party = party(w.manager, "Công ty CP Nước giải khát Tân Hiệp")
    manager = web_client(tenant_a, w.manager.user)
    r = manager.post(
        "/purchasing/vendors/new/",
        {"party_id": new_party.pk, "payment_terms_days": "15", "currency": "VND", "bank_account": "999"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(tenant_a):
        vendor = Vendor.objects.get(party=new_party)
    assert vendor.code.startswith("NCC-") and vendor.payment_terms_days == 15
    r = manager.post(
        f"/purchasing/vendors/{vendor.pk}/prices/",
        {
            "product_id": w.inv.beer.pk,
            "price": "9000",
            "min_quantity": "0",
            "lead_time_days": "3",
            "valid_from": "2020-01-01",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    page = manager.get(f"/purchasing/vendors/{vendor.pk}/").content.decode()
    assert "9.000" in page and "Công ty CP Nước giải khát Tân Hiệp" in page

    staff = web_client(tenant_a, w.staff.user)
    r = staff.post(
        "/purchasing/orders/new/",
        {
            "vendor_id": vendor.pk,
            "warehouse_id": w.inv.wh.pk,
            "date": "",
            "expected_date": "",
            "note": "",
            **_lines(**{"lines-0-product_id": w.inv.beer.pk, "lines-0-quantity": "20"}),
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(tenant_a):
        o = PurchaseOrder.objects.get(vendor=vendor)
    assert o.total == D(198000)  # 20 × 9,000 from the price list + 10% VAT
    assert staff.post(f"/purchasing/orders/{o.pk}/submit/").status_code == 302
    keeper = web_client(tenant_a, w.keeper.user)
    with tenant_context(tenant_a):
        line_id = o.lines.get().pk
    r = keeper.post(f"/purchasing/orders/{o.pk}/receive/", {f"qty_{line_id}": "25", "date": ""})
    assert r.status_code == 400
    r = keeper.post(f"/purchasing/orders/{o.pk}/receive/", {f"qty_{line_id}": "20", "date": ""})
    assert r.status_code == 302
    assert "ret_" in keeper.get(f"/purchasing/orders/{o.pk}/").content.decode()
    assert keeper.post(f"/purchasing/orders/{o.pk}/return/", {f"ret_{line_id}": "21"}).status_code == 400
    r = keeper.post(f"/purchasing/orders/{o.pk}/return/", {f"ret_{line_id}": "2", "reason": "Vỡ chai"})
    assert r.status_code == 302
    r = keeper.post(f"/purchasing/orders/{o.pk}/receive/", {f"qty_{line_id}": "2", "date": ""})
    assert r.status_code == 302  # the replacement
    with tenant_context(tenant_a):
        o.refresh_from_db()
    assert o.status == OrderStatus.RECEIVED

    r = staff.post(
        "/purchasing/bills/new/",
        {"order_id": o.pk, "vendor_invoice_no": "0001234", "payment_method": "bank", "vat_code": "VAT10"},
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(tenant_a):
        bill = VendorBill.objects.get(order=o)
    assert staff.post(f"/purchasing/bills/{bill.pk}/post/").status_code == 302
    page = manager.get(f"/purchasing/vendors/{vendor.pk}/").content.decode()
    assert page.count("198.000") >= 3  # payable balance, aging "current" and total, the bill row
    from novasaas.platform.testing.fixtures import create_user

    admin = web_client(tenant_a, create_user(tenant_a, "accountant"))  # an accountant pays from the bill page
    assert "198.000" in admin.get(f"/purchasing/bills/{bill.pk}/").content.decode()
    r = admin.post(f"/purchasing/bills/{bill.pk}/", {"amount": "198000", "method": "bank", "date": ""})
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(tenant_a):
        bill.refresh_from_db()
    assert bill.status == BillStatus.PAID
    assert "198.000" in admin.get("/purchasing/bills/").content.decode()
    with tenant_context(tenant_a):
        from novasaas.accounting.receivables import list_payments

        assert [pay.state for pay in list_payments(tenant_a)] == ["pending"]  # waits for a Finance Manager
    # a payment above what is open is refused with its reason, nothing changed
    r = admin.post(f"/purchasing/bills/{bill.pk}/", {"amount": "1", "method": "bank", "date": ""})
    assert r.status_code == 400


def test_refusals_and_the_forms(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 10))
    staff = web_client(tenant_a, w.staff.user)
    assert staff.get("/purchasing/orders/new/").status_code == 200
    r = staff.post("/purchasing/orders/new/", {"vendor_id": w.vendor.pk, "warehouse_id": w.inv.wh.pk, **_lines()})
    assert r.status_code == 400  # no lines
    r = staff.post(f"/purchasing/orders/{o.pk}/submit/")
    assert r.status_code == 400 and o.number in r.content.decode()
    assert staff.get(f"/purchasing/orders/{o.pk}/edit/").status_code == 302  # not a draft
    r = staff.post(
        "/purchasing/bills/new/",
        {"order_id": o.pk, "vendor_invoice_no": "1", "payment_method": "bank", "vat_code": "VAT10"},
    )
    assert r.status_code == 400  # nothing received yet
    assert staff.post(f"/purchasing/orders/{o.pk}/explode/").status_code == 404
    with tenant_context(tenant_a):
        assert VendorBill.objects.count() == 0


def test_settings_requisition_and_grni_pages(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
    manager = web_client(tenant_a, w.manager.user)
    r = manager.post(
        "/purchasing/settings/",
        {
            "approval_limit": "2000000",
            "receipt_tolerance_percent": "5",
            "quantity_tolerance_percent": "0",
            "price_tolerance_percent": "2",
            "reorder_action": "requisition",
        },
    )
    assert r.status_code == 302
    assert manager.post("/purchasing/settings/", {"approval_limit": "-1"}).status_code == 400
    staff = web_client(tenant_a, w.staff.user)
    r = staff.post(
        "/purchasing/requisitions/", {"product_id": w.inv.beer.pk, "warehouse_id": w.inv.wh.pk, "quantity": "12"}
    )
    assert r.status_code == 302
    req_url = r["Location"]
    assert staff.post(req_url + "approve/").status_code == 403  # staff cannot approve
    assert manager.post(req_url + "approve/").status_code == 302
    r = staff.post(req_url + "order/", {"vendor_id": w.vendor.pk})
    assert r.status_code == 302 and "/purchasing/orders/" in r["Location"]
    with tenant_context(tenant_a):
        o = PurchaseOrder.objects.get()
    assert o.total == D(132000) and o.requisition_id is not None
    assert manager.get("/purchasing/grni/").status_code == 200
    assert VendorPrice  # the model is wired


@pytest.mark.parametrize(
    ("role", "allowed", "refused"),
    [
        (
            "purchase_manager",
            [
                "/purchasing/",
                "/purchasing/vendors/new/",
                "/purchasing/settings/",
                "/purchasing/grni/",
                "/purchasing/requisitions/",
            ],
            [],
        ),
        (
            "purchase_staff",
            [
                "/purchasing/",
                "/purchasing/orders/new/",
                "/purchasing/vendors/",
                "/purchasing/requisitions/",
                "/purchasing/bills/new/",
            ],
            ["/purchasing/vendors/new/", "/purchasing/settings/", "/purchasing/grni/"],
        ),
        (
            "warehouse_staff",
            ["/purchasing/"],
            [
                "/purchasing/orders/new/",
                "/purchasing/vendors/",
                "/purchasing/bills/",
                "/purchasing/requisitions/",
                "/purchasing/settings/",
            ],
        ),
        ("accountant", ["/purchasing/bills/"], ["/purchasing/", "/purchasing/vendors/", "/purchasing/orders/new/"]),
        ("sales_staff", [], ["/purchasing/", "/purchasing/vendors/"]),
    ],
)
def test_pages_per_role(tenant_a, role, allowed, refused):
    from novasaas.platform.testing.fixtures import create_user

    user = create_user(tenant_a, role)
    web = web_client(tenant_a, user)
    for url in allowed:
        assert web.get(url).status_code == 200, (role, url)
    for url in refused:
        assert web.get(url).status_code == 403, (role, url)
