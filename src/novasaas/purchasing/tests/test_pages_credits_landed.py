"""Credit notes and landed-cost bills through the pages (CSRF enforced): the roles that may record them,
refusals shown with their reason (400, nothing changed)."""

from __future__ import annotations

from decimal import Decimal

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client
from novasaas.purchasing import actions, bills
from novasaas.purchasing.models import VendorBill, VendorCreditNote
from novasaas.purchasing.tests.helpers import approved, beer_line, party, world

D = Decimal


def test_credit_note_through_the_bill_page(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 10))
        actions.receive_order(w.keeper, o.pk)
        bill = bills.create_bill(w.staff, order_id=o.pk, vendor_invoice_no="1")
        bills.post_bill(w.staff, bill.pk)
        line = bill.lines.get()
    manager, staff = web_client(tenant_a, w.manager.user), web_client(tenant_a, w.staff.user)
    page = manager.get(f"/purchasing/bills/{bill.pk}/").content.decode()
    assert f'name="cn_qty_{line.pk}"' in page
    url = f"/purchasing/bills/{bill.pk}/credit-notes/"
    r = manager.post(url, {"kind": "return", "vendor_credit_no": "TL-1", f"cn_qty_{line.pk}": "99"})
    assert r.status_code == 400 and "alert-danger" in r.content.decode()
    r = staff.post(url, {"kind": "return", "vendor_credit_no": "TL-1", f"cn_qty_{line.pk}": "2"})
    assert r.status_code == 403
    with tenant_context(tenant_a):
        assert VendorCreditNote.objects.count() == 0
    r = manager.post(url, {"kind": "return", "vendor_credit_no": "TL-1", "reason": "vỡ", f"cn_qty_{line.pk}": "2"})
    assert r.status_code == 302, r.content.decode()[:2000]
    r = staff.post(
        url, {"kind": "price", "vendor_credit_no": "GG-1", f"cn_qty_{line.pk}": "8", f"cn_price_{line.pk}": "1.000"}
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(tenant_a):
        totals = sorted(VendorCreditNote.objects.values_list("kind", "total"))
        bill.refresh_from_db()
    assert totals == [("price", D(8800)), ("return", D(22000))]
    assert bill.credited == D(30800)
    page = manager.get(f"/purchasing/bills/{bill.pk}/").content.decode()
    assert "TL-1" in page and "GG-1" in page
    keeper = web_client(tenant_a, w.keeper.user)
    assert keeper.post(url, {"kind": "price"}).status_code == 403


def test_landed_cost_bill_through_the_pages(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        fw = actions.create_vendor(w.manager, party_id=party(w.manager, "Công ty Giao nhận Sao Mai").pk)
        o = approved(w, beer_line(w, 10))
        receipt = actions.receive_order(w.keeper, o.pk)
    staff = web_client(tenant_a, w.staff.user)
    page = staff.get("/purchasing/bills/new-landed-cost/").content.decode()
    assert receipt.number in page
    data = {"vendor_id": fw.pk, "vendor_invoice_no": "GN-1", "split": "value", "payment_method": "bank"}
    r = staff.post("/purchasing/bills/new-landed-cost/", {**data, "amount_freight": "10.000", "vat_freight": "VAT10"})
    assert r.status_code == 400 and "alert-danger" in r.content.decode()  # no receipt chosen
    with tenant_context(tenant_a):
        assert VendorBill.objects.filter(kind="landed_cost").count() == 0
    r = staff.post(
        "/purchasing/bills/new-landed-cost/",
        {**data, "receipt_ids": [receipt.pk], "amount_freight": "10.000", "vat_freight": "VAT10"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(tenant_a):
        bill = VendorBill.objects.get(kind="landed_cost")
    assert bill.total == D(11000)
    r = staff.post(f"/purchasing/bills/{bill.pk}/post/")
    assert r.status_code == 302
    page = staff.get(f"/purchasing/bills/{bill.pk}/").content.decode()
    assert receipt.number in page
    assert web_client(tenant_a, w.keeper.user).get("/purchasing/bills/new-landed-cost/").status_code == 403
