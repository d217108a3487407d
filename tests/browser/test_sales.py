"""Sales in a real browser, as Sales Staff: quotation → accepted order → confirmed → delivered →
invoiced → paid, every step through the pages (the customer picked by typing)."""

import re
from decimal import Decimal

import pytest

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import PASSWORD
from novasaas.sales import actions
from novasaas.sales.models import InvoiceStatus, OrderStatus, Quotation, SalesInvoice, SalesOrder
from novasaas.sales.tests.helpers import stock_row, world

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_quotation_to_payment_through_the_pages(page, tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        customer_name = w.customer.party.name
    page.set_default_timeout(60000)  # eight sessions share two cores: the first pages render slowly
    sign_in(page, w.staff.user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))

    page.goto("/sales/quotations/new/")
    page.locator("#id_customer_id-ts-control").focus()
    page.keyboard.type("Minh Phat", delay=40)
    page.locator(".ts-dropdown .option", has_text=customer_name).wait_for()
    page.keyboard.press("Enter")
    page.select_option("select[name=lines-0-product_id]", str(w.inv.beer.pk))
    page.fill("input[name=lines-0-quantity]", "4")
    page.fill("input[name=lines-0-unit_price]", "15000")
    page.click("form button.btn-primary")
    page.wait_for_url(re.compile(r"/sales/quotations/\d+/$"))

    page.get_by_role("button", name="Khách đồng ý: tạo đơn bán hàng").click()
    page.wait_for_url(re.compile(r"/sales/orders/\d+/$"))
    order_id = int(re.search(r"/orders/(\d+)/", page.url).group(1))
    # accepting on the page names no warehouse: it is set here (the edit page is tested in
    # sales/tests/test_order_edit_form.py), then the order is confirmed on its page
    with tenant_context(tenant_a):
        actions.update_order(w.staff, order_id, warehouse_id=w.inv.wh.pk)
    page.reload()
    page.get_by_role("button", name="Xác nhận", exact=True).click()
    page.wait_for_url(re.compile(rf"/sales/orders/{order_id}/$"))
    with tenant_context(tenant_a):
        assert SalesOrder.objects.get(pk=order_id).status == OrderStatus.CONFIRMED
        assert stock_row(w).reserved == Decimal(4)

    page.click("button:has-text('Ghi nhận giao hàng')")
    page.wait_for_url(re.compile(rf"/sales/orders/{order_id}/$"))
    page.click("button:has-text('Xuất hóa đơn')")
    page.wait_for_url(re.compile(r"/sales/invoices/\d+/$"))
    invoice_id = int(re.search(r"/invoices/(\d+)/", page.url).group(1))
    # 4 × 15,000 + 10 % VAT = 66,000, the payment form holds what is open
    assert page.locator("input[name=amount]").input_value().replace(".", "") == "66000"
    page.click("button:has-text('Ghi nhận thanh toán')")
    page.wait_for_url(re.compile(rf"/sales/invoices/{invoice_id}/$"))
    with tenant_context(tenant_a):
        invoice = SalesInvoice.objects.get(pk=invoice_id)
        assert (invoice.total, invoice.paid, invoice.status) == (Decimal(66000), Decimal(66000), InvoiceStatus.PAID)
        assert SalesOrder.objects.get(pk=order_id).status == OrderStatus.INVOICED
        assert Quotation.objects.get().order_id == order_id
        assert (stock_row(w).on_hand, stock_row(w).reserved) == (Decimal(16), Decimal(0))
