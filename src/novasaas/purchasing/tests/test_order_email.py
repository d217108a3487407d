"""Email of the purchase order's PDF to the vendor: only approved orders, the vendor's email by default,
sent once after commit through the outbox (Django's locmem backend), page and API, roles, tenants."""

from __future__ import annotations

import io

import pytest
from django.core import mail

from novasaas.platform.events import deliver_pending
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.purchasing import actions, emailing
from novasaas.purchasing.events import PurchaseOrderSent
from novasaas.purchasing.models import PurchaseOrder
from novasaas.purchasing.tests.helpers import approved, beer_line, order, world

URL = "/api/v1/purchasing"


@pytest.fixture
def font(unicode_font):
    return unicode_font


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages)


def test_email_the_order_pdf_through_the_api(tenant_a, font):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        draft = order(w, beer_line(w, 3))
        o = approved(w, beer_line(w, 10))
    api = ApiClient(tenant_a, w.staff.user)
    assert api.post(f"{URL}/orders/{draft.pk}/send", {"to": "ban@bia.vn"}).status_code == 400  # a draft
    assert api.post(f"{URL}/orders/{o.pk}/send", {}).status_code == 400  # the vendor has no email
    assert api.post(f"{URL}/orders/{o.pk}/send", {"to": "not-an-email"}).status_code == 400
    assert api.get(f"{URL}/orders/{o.pk}").json()["sent_to"] == ""
    assert ApiClient(tenant_a, w.keeper.user).post(f"{URL}/orders/{o.pk}/send", {"to": "a@b.vn"}).status_code == 403
    mail.outbox.clear()
    r = api.post(f"{URL}/orders/{o.pk}/send", {"to": "ban@bia.vn"})
    assert r.status_code == 200, r.json()
    assert r.json()["sent_to"] == "ban@bia.vn" and r.json()["sent_at"] and r.json()["status"] == "approved"
    assert mail.outbox == []  # only after commit, through the outbox
    deliver_pending()
    deliver_pending()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["ban@bia.vn"] and o.number in email.subject
    assert email.extra_headers["Message-ID"].startswith("<outbox-")
    ((name, content, mimetype),) = email.attachments
    assert name == f"{o.number}.pdf" and mimetype == "application/pdf"
    text = _pdf_text(content)
    assert "ĐƠN ĐẶT HÀNG" in text and o.number in text and "Công ty TNHH Bia Hà Nội" in text


def test_the_vendors_email_is_the_default_and_the_page_sends(tenant_a, tenant_b, font):
    from novasaas.inventory.tests.helpers import principal
    from novasaas.parties.actions import create_party

    with tenant_context(tenant_a):
        w = world(tenant_a)
        seller = create_party(
            principal(tenant_a),
            name="Công ty CP Bia Sài Gòn",
            role="supplier",
            contacts=[{"kind": "email", "value": "donhang@biahanoi.vn"}],
        )
        vendor = actions.create_vendor(w.manager, party_id=seller.pk)
        o = actions.create_order(
            w.staff, vendor_id=vendor.pk, warehouse_id=w.inv.wh.pk, lines=[beer_line(w, 10, "10000")]
        )
        o = actions.submit_order(w.staff, o.pk)
        assert emailing.vendor_email(o) == "donhang@biahanoi.vn"
    staff = web_client(tenant_a, w.staff.user)
    page = staff.get(f"/purchasing/orders/{o.pk}/").content.decode()
    assert 'value="donhang@biahanoi.vn"' in page
    mail.outbox.clear()
    r = staff.post(f"/purchasing/orders/{o.pk}/send/", {"to": ""})
    assert r.status_code == 302
    deliver_pending()
    assert [m.to for m in mail.outbox] == [["donhang@biahanoi.vn"]]
    page = staff.get(f"/purchasing/orders/{o.pk}/").content.decode()
    assert "donhang@biahanoi.vn ·" in page
    assert staff.post(f"/purchasing/orders/{o.pk}/send/", {"to": "x@"}).status_code == 400
    assert (
        web_client(tenant_a, w.keeper.user).post(f"/purchasing/orders/{o.pk}/send/", {"to": "a@b.vn"}).status_code
        == 403
    )
    # another company's order is not found
    with tenant_context(tenant_b):
        wb = world(tenant_b)
    assert ApiClient(tenant_b, wb.staff.user).post(f"{URL}/orders/{o.pk}/send", {"to": "a@b.vn"}).status_code == 404
    assert (
        web_client(tenant_b, wb.staff.user).post(f"/purchasing/orders/{o.pk}/send/", {"to": "a@b.vn"}).status_code
        == 404
    )
    with tenant_context(tenant_a):
        assert PurchaseOrder.objects.get(pk=o.pk).sent_to == "donhang@biahanoi.vn"


def test_a_redelivery_sends_nothing_twice(tenant_a, font):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 1))
        mail.outbox.clear()
        event = PurchaseOrderSent(tenant_id=tenant_a.pk, order_id=o.pk, to="x@y.vn")
        emailing.email_order(event, message_id=91)
        emailing.email_order(event, message_id=91)
    assert len(mail.outbox) == 1
