"""Purchasing in a real browser: a purchase order is issued, received, billed (three-way matched),
posted and paid through the pages, and the ledger holds the result."""

import re

import pytest

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import PASSWORD
from novasaas.purchasing.models import BillStatus, OrderStatus, PurchaseOrder, VendorBill
from novasaas.purchasing.tests.helpers import balance, beer_line, order, world

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_order_receipt_bill_payment(page, tenant_a, admin_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = order(w, beer_line(w, 10), beer_line(w, 5, "12000"))
    page.set_default_timeout(60000)  # six pages and posts on a shared 2-core machine
    sign_in(page, admin_a.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/purchasing/orders/{o.pk}/")
    page.click("button:has-text('Phát hành')")
    page.wait_for_selector("button:has-text('Nhận hàng')")
    page.click("button:has-text('Nhận hàng')")
    page.wait_for_url(re.compile(rf"/purchasing/orders/{o.pk}/$"))
    with tenant_context(tenant_a):
        assert PurchaseOrder.objects.get(pk=o.pk).status == OrderStatus.RECEIVED
    page.goto(f"/purchasing/bills/new/?order={o.pk}")
    page.fill("input[name=vendor_invoice_no]", "0000777")
    page.click("form button.btn-primary")
    page.wait_for_url(re.compile(r"/purchasing/bills/\d+/$"))
    page.click("button:has-text('Ghi sổ')")
    page.wait_for_selector("button:has-text('Thanh toán')")
    page.click("button:has-text('Thanh toán')")
    page.wait_for_selector("text=Đã thanh toán")
    with tenant_context(tenant_a):
        bill = VendorBill.objects.get()
        # 10 × 10,000 + 5 × 12,000 = 160,000 + VAT 16,000
        assert (bill.status, bill.total, bill.paid) == (BillStatus.PAID, 176000, 176000)
        assert balance(tenant_a, "3388") == 0 and balance(tenant_a, "331") == 0
