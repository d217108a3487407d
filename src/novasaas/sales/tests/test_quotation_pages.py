"""Quotation pages as a Sales Staff member uses them (CSRF enforced): create with lines, list with
filters and "Hết hạn", send by email, accept → the order page, refusals shown with their reason (400)."""

from __future__ import annotations

import datetime as dt

from django.core import mail

from novasaas.platform.events import deliver_pending
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client
from novasaas.sales import quotations
from novasaas.sales.models import Quotation, QuotationStatus, SalesOrder
from novasaas.sales.tests.helpers import world
from novasaas.sales.tests.test_pages import _lines


def test_staff_quotes_through_the_pages(tenant_a, today, unicode_font):
    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
    web = web_client(tenant_a, w.staff.user)
    assert web.get("/sales/quotations/new/").status_code == 200
    data = _lines(**{"lines-0-description": "Tư vấn", "lines-0-quantity": "2", "lines-0-unit_price": "500000"})
    r = web.post("/sales/quotations/new/", {"customer_id": w.customer.pk, **data})
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(tenant_a):
        q = Quotation.objects.get()
    assert q.total == 1_100_000 and q.valid_until == today + dt.timedelta(days=30)
    page = web.get(f"/sales/quotations/{q.pk}/").content.decode()
    assert q.number in page and "1.100.000" in page
    # edit: bad line → 400 with the reason, nothing changed
    bad = _lines(**{"lines-0-description": "Tư vấn", "lines-0-quantity": "0", "lines-0-unit_price": "1"})
    r = web.post(f"/sales/quotations/{q.pk}/edit/", {"customer_id": w.customer.pk, **bad})
    assert r.status_code == 400
    with tenant_context(tenant_a):
        assert Quotation.objects.get().total == 1_100_000
    listing = web.get("/sales/quotations/", {"status": "draft", "customer": w.customer.pk}).content.decode()
    assert q.number in listing
    assert q.number not in web.get("/sales/quotations/", {"status": "sent"}).content.decode()
    assert web.get(f"/sales/quotations/{q.pk}/pdf/")["Content-Type"] == "application/pdf"
    mail.outbox.clear()
    r = web.post(f"/sales/quotations/{q.pk}/send/", {"to": "khach@vd.vn"})
    assert r.status_code == 302
    deliver_pending()
    assert [m.to for m in mail.outbox] == [["khach@vd.vn"]] and mail.outbox[0].attachments
    r = web.post(f"/sales/quotations/{q.pk}/accept/")
    assert r.status_code == 302
    with tenant_context(tenant_a):
        order = SalesOrder.objects.get()
        assert order.total == q.total and Quotation.objects.get().order_id == order.pk
    assert r["Location"] == f"/sales/orders/{order.pk}/"
    assert q.number in web.get(r["Location"]).content.decode()  # the order links back
    r = web.post(f"/sales/quotations/{q.pk}/decline/")
    assert r.status_code == 400 and "Đã chấp nhận" in r.content.decode()


def test_expired_quotation_is_shown_and_refused(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        q = quotations.create_quotation(
            w.staff,
            customer_id=w.customer.pk,
            date=today - dt.timedelta(days=31),
            lines=[{"description": "A", "quantity": "1", "unit_price": "100"}],
        )
    web = web_client(tenant_a, w.staff.user)
    listing = web.get("/sales/quotations/").content.decode()
    assert "Hết hạn" in listing
    assert q.number in web.get("/sales/quotations/", {"status": "expired"}).content.decode()
    r = web.post(f"/sales/quotations/{q.pk}/accept/")
    assert r.status_code == 400 and "hết hạn" in r.content.decode()
    with tenant_context(tenant_a):
        assert Quotation.objects.get().status == QuotationStatus.DRAFT and SalesOrder.objects.count() == 0
