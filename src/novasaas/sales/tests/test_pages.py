"""The sales pages as a Sales Staff member uses them (CSRF enforced): customer, order with lines,
confirm → deliver → invoice → payment, and a refused step shown with its reason (400, nothing changed)."""

from __future__ import annotations

from decimal import Decimal

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client
from novasaas.platform.testing.html import body_rows
from novasaas.sales.models import Customer, InvoiceStatus, OrderStatus, SalesInvoice, SalesOrder
from novasaas.sales.tests.helpers import party, stock_row, world

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


def test_staff_sells_through_the_pages(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
        new_party = party(w.staff, "Cửa hàng Bích Ngọc")
    web = web_client(tenant_a, w.staff.user)
    r = web.post("/sales/customers/new/", {"party_id": new_party.pk, "payment_terms_days": "15"})
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(tenant_a):
        created = Customer.objects.get(party=new_party)
    assert created.salesperson_id == w.staff.user.pk and created.payment_terms_days == 15
    page = web.get("/sales/customers/").content.decode()
    assert "Cửa hàng Bích Ngọc" in page and created.code in page

    r = web.post(
        "/sales/orders/new/",
        {
            "customer_id": w.customer.pk,
            "warehouse_id": w.inv.wh.pk,
            "date": "",
            "note": "",
            **_lines(
                **{
                    "lines-0-product_id": w.inv.beer.pk,
                    "lines-0-quantity": "3",
                    "lines-0-unit_price": "15.333",
                    "lines-0-vat_code": "VAT10",
                    "lines-1-description": "Phí giao hàng",
                    "lines-1-quantity": "1",
                    "lines-1-unit_price": "30.000",
                    "lines-1-vat_code": "VAT10",
                }
            ),
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(tenant_a):
        order = SalesOrder.objects.get()
    assert (order.untaxed, order.vat, order.total) == (D(75999), D(7600), D(83599))
    detail = web.get(f"/sales/orders/{order.pk}/").content
    rows = body_rows(detail)
    assert [rows[0][1], rows[0][3], rows[0][7], rows[0][8], rows[0][9]] == [
        "Bia Sài Gòn 330ml",
        "3",
        "45.999",
        "4.600",
        "50.599",
    ]
    assert "83.599" in detail.decode()

    assert web.post(f"/sales/orders/{order.pk}/confirm/").status_code == 302
    with tenant_context(tenant_a):
        assert stock_row(w).reserved == D(3)
    assert web.post(f"/sales/orders/{order.pk}/deliver/").status_code == 302
    r = web.post(f"/sales/orders/{order.pk}/invoice/")
    assert r.status_code == 302
    with tenant_context(tenant_a):
        invoice = SalesInvoice.objects.get()
        assert stock_row(w).on_hand == D(7)
    page = web.get(f"/sales/invoices/{invoice.pk}/").content.decode()
    assert invoice.number in page and "83.599" in page
    r = web.post(f"/sales/invoices/{invoice.pk}/", {"amount": "0", "method": "bank", "date": ""})
    assert r.status_code == 400
    # more than is open: the invoice is paid, the excess is the customer's credit
    r = web.post(f"/sales/invoices/{invoice.pk}/", {"amount": "90.000", "method": "bank", "date": ""})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        from novasaas.sales.returns import credit_balance

        assert SalesInvoice.objects.get().status == InvoiceStatus.PAID
        assert credit_balance(w.customer) == D(90000) - D(83599)


def test_refused_step_shows_the_reason_and_changes_nothing(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 1)
    web = web_client(tenant_a, w.staff.user)
    r = web.post(
        "/sales/orders/new/",
        {
            "customer_id": w.customer.pk,
            "warehouse_id": w.inv.wh.pk,
            **_lines(**{"lines-0-product_id": w.inv.beer.pk, "lines-0-quantity": "5"}),
        },
    )
    assert r.status_code == 302
    with tenant_context(tenant_a):
        order = SalesOrder.objects.get()
    r = web.post(f"/sales/orders/{order.pk}/confirm/")
    assert r.status_code == 400 and "HN" in r.content.decode()
    with tenant_context(tenant_a):
        assert SalesOrder.objects.get().status == OrderStatus.DRAFT and stock_row(w).reserved == 0
    r = web.post(f"/sales/orders/{order.pk}/deliver/")
    assert r.status_code == 400
    # a line with letters for a quantity: a field error, nothing written
    r = web.post(
        "/sales/orders/new/",
        {"customer_id": w.customer.pk, **_lines(**{"lines-0-description": "x", "lines-0-quantity": "abc"})},
    )
    assert r.status_code == 400
    with tenant_context(tenant_a):
        assert SalesOrder.objects.count() == 1


def test_pages_open_for_each_sales_role_and_not_for_others(tenant_a):
    from novasaas.platform.testing.fixtures import create_user

    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        accountant = create_user(tenant_a, "accountant")
    for user in (w.manager.user, w.staff.user):
        web = web_client(tenant_a, user)
        for path in (
            "/sales/",
            "/sales/customers/",
            "/sales/invoices/",
            "/sales/groups/",
            "/sales/orders/new/",
            f"/sales/customers/{w.customer.pk}/",
            f"/sales/customers/{w.customer.pk}/edit/",
        ):
            assert web.get(path).status_code == 200, (user, path)
    web = web_client(tenant_a, w.manager.user)
    assert web.post("/sales/groups/", {"code": "VIP", "name": "Khách VIP", "discount_percent": "5"}).status_code == 302
    staff_web = web_client(tenant_a, w.staff.user)
    assert staff_web.post("/sales/groups/", {"code": "X", "name": "X"}).status_code == 403
    assert web_client(tenant_a, accountant).get("/sales/").status_code == 403
