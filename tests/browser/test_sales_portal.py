"""The customer portal in a real browser: Sales Staff invite a contact person from the customer page,
the contact sets a password from the emailed link, signs in, sees the order (delivered / back-ordered)
and the invoice with what is open, and accepts a quotation online."""

import re
from decimal import Decimal

import pytest
from django.core import mail

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import PASSWORD
from novasaas.sales import actions, customers, deliveries, quotations
from novasaas.sales.models import OrderStatus, Quotation, QuotationStatus, SalesOrder
from novasaas.sales.tests.helpers import beer_line, order, world

from .conftest import sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
CONTACT_PASSWORD = "Portal-Strong-Pass-26"


def test_staff_invites_contact_who_sees_order_and_invoice_and_accepts_a_quotation(page, tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        contact = customers.save_contact(w.staff, w.customer.pk, name="Chị Hoa", email="hoa@minhphat.vn")
        o = order(w, beer_line(w, 5))
        actions.confirm_order(w.staff, o.pk)
        deliveries.deliver_order(w.staff, o.pk, lines=[{"line_id": o.lines.get().pk, "quantity": "3"}])
        invoice = deliveries.invoice_order(w.staff, o.pk)  # 3 × 15,000 + 10 % = 49,500
        quote = quotations.create_quotation(w.staff, customer_id=w.customer.pk, lines=[beer_line(w, 2)])
        actions.move_to(w.staff, quote, QuotationStatus.SENT, sent_to=contact.email)
    page.set_default_timeout(180000)  # several sessions share two cores: the first pages render slowly
    mail.outbox.clear()

    sign_in(page, w.staff.user.email, PASSWORD)
    page.wait_for_url(re.compile(r"/$"))
    page.goto(f"/sales/customers/{w.customer.pk}/")
    page.get_by_role("button", name="Mời vào cổng khách hàng").click()
    page.wait_for_url(re.compile(rf"/sales/customers/{w.customer.pk}/$"))
    assert page.locator("#customer-contacts").inner_text().count("Đã mời vào cổng") == 1
    (message,) = [m for m in mail.outbox if m.to == ["hoa@minhphat.vn"]]
    link = re.search(r"https?://\S+/invitations/\S+/", message.body).group(0)
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Đăng xuất").click()

    page.goto(link[link.index("/invitations/") :])
    page.fill("input[name=full_name]", "Nguyễn Thị Hoa")
    page.fill("input[name=password]", CONTACT_PASSWORD)
    page.click("form button.btn-primary")
    page.wait_for_url(re.compile(r"/login/"))
    sign_in(page, "hoa@minhphat.vn", CONTACT_PASSWORD)
    page.wait_for_url(re.compile(r"/portal/$"))  # a portal user lands on the portal, not the dashboard
    assert page.locator("#nova-sidebar").count() == 0
    assert "49.500" in page.locator("#portal-invoices").inner_text()

    page.click(f"#portal-orders a:has-text('{o.number}')")
    page.wait_for_url(re.compile(rf"/portal/orders/{o.pk}/$"))
    cells = page.locator("#portal-order-lines tbody td").all_inner_texts()
    assert cells[2:5] == ["5", "3", "2"]  # ordered, delivered, back-ordered

    page.goto("/portal/invoices/")
    row = page.locator("#portal-invoices tbody tr", has_text=invoice.number).inner_text()
    assert "49.500" in row

    page.goto("/portal/quotations/")
    page.click(f"#portal-quotations a:has-text('{quote.number}')")
    page.get_by_role("button", name="Đồng ý báo giá").click()
    page.wait_for_url(re.compile(rf"/portal/quotations/{quote.pk}/$"))
    assert "Đã chấp nhận" in page.locator("#portal-quotation-status").inner_text()
    with tenant_context(tenant_a):
        quote = Quotation.objects.get(pk=quote.pk)
        new = SalesOrder.objects.get(pk=quote.order_id)
        assert (quote.status, new.status, new.total) == (QuotationStatus.ACCEPTED, OrderStatus.DRAFT, Decimal(33000))
        assert new.created_by.email == "hoa@minhphat.vn"
