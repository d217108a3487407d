"""Quotations: CRUD through the API, draft-only edits, send by email with the PDF (once, after commit),
accept → a draft order with the same totals to the đồng, expired refusal, decline, roles."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.core import mail

from novasaas.platform.events import deliver_pending
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user
from novasaas.sales import quotations
from novasaas.sales.models import Quotation, QuotationStatus, SalesOrder
from novasaas.sales.tests.helpers import world

URL = "/api/v1/sales"
D = Decimal


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    return " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages)


@pytest.fixture
def font(unicode_font):
    """The PDF needs a Unicode font: skipped without it on a workstation, a failure in CI."""
    return unicode_font


def _body(w, **extra):
    return {
        "customer_id": w.customer.pk,
        "lines": [
            {"product_id": w.inv.beer.pk, "quantity": "3", "unit_price": "15333", "discount_percent": "2.5"},
            {"description": "Lắp đặt", "unit": "lần", "quantity": "1", "unit_price": "1000005", "vat_code": "VAT10"},
            {"description": "Vận chuyển", "quantity": "1.5", "unit_price": "33333", "vat_code": "VAT5"},
        ],
        **extra,
    }


def _orders(tenant):
    with tenant_context(tenant):
        return SalesOrder.objects.count()


def test_quotation_crud_accept_gives_an_order_with_the_same_totals(tenant_a, admin_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
    api = ApiClient(tenant_a, admin_a)
    r = api.post(f"{URL}/quotations", _body(w))
    assert r.status_code == 201, r.json()
    q = r.json()
    assert q["number"] == f"BG-{today.year}-00001" and q["status"] == "draft" and q["expired"] is False
    assert dt.date.fromisoformat(q["valid_until"]) == today + dt.timedelta(days=30)
    assert len(q["lines"]) == 3
    assert D(q["total"]) == D(q["untaxed"]) + D(q["vat"])
    # edit while draft: lines replaced, totals recomputed
    r = api.patch(f"{URL}/quotations/{q['id']}", {"lines": _body(w)["lines"][:2], "note": "Giá tốt"})
    assert r.status_code == 200 and len(r.json()["lines"]) == 2
    q = r.json()
    # bad input: 4xx and nothing changed
    before = api.get(f"{URL}/quotations/{q['id']}").json()
    bad = api.patch(f"{URL}/quotations/{q['id']}", {"lines": [{"description": "x", "quantity": "0"}]})
    assert bad.status_code in (400, 422)
    bad = api.patch(f"{URL}/quotations/{q['id']}", {"valid_until": (today - dt.timedelta(days=1)).isoformat()})
    assert bad.status_code == 400
    assert api.get(f"{URL}/quotations/{q['id']}").json() == before
    # accept → a draft order with the same lines and totals, linked both ways
    orders_before = _orders(tenant_a)
    r = api.post(f"{URL}/quotations/{q['id']}/accept")
    assert r.status_code == 201, r.json()
    order = r.json()
    assert order["status"] == "draft" and _orders(tenant_a) == orders_before + 1
    assert [D(order[k]) for k in ("untaxed", "vat", "total")] == [D(q[k]) for k in ("untaxed", "vat", "total")]
    assert [(li["description"], D(li["total"])) for li in order["lines"]] == [
        (li["description"], D(li["total"])) for li in q["lines"]
    ]
    q = api.get(f"{URL}/quotations/{q['id']}").json()
    assert q["status"] == "accepted" and q["order_id"] == order["id"]
    with tenant_context(tenant_a):
        assert SalesOrder.objects.get(pk=order["id"]).quotations.get().pk == q["id"]
    # no edit, accept or decline after acceptance
    assert api.patch(f"{URL}/quotations/{q['id']}", {"note": "x"}).status_code == 400
    assert api.post(f"{URL}/quotations/{q['id']}/accept").status_code == 400
    assert api.post(f"{URL}/quotations/{q['id']}/decline").status_code == 400
    assert _orders(tenant_a) == orders_before + 1
    # list with filters
    r = api.post(f"{URL}/quotations", _body(w))
    second = r.json()
    assert api.post(f"{URL}/quotations/{second['id']}/decline").json()["status"] == "declined"
    listed = api.get(f"{URL}/quotations", {"status": "declined"}).json()["items"]
    assert [x["id"] for x in listed] == [second["id"]]
    assert api.get(f"{URL}/quotations", {"customer_id": w.customer.pk}).json()["count"] == 2


def test_an_expired_quotation_cannot_be_sent_or_accepted(tenant_a, admin_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
    api = ApiClient(tenant_a, admin_a)
    old = today - dt.timedelta(days=40)
    body = _body(w, date=old.isoformat())
    body["lines"] = body["lines"][1:2]
    q = api.post(f"{URL}/quotations", body).json()
    assert q["expired"] is True and q["status"] == "draft"
    r = api.post(f"{URL}/quotations/{q['id']}/accept")
    assert r.status_code == 400
    assert "expired" in str(r.json()["detail"]) or "hết hạn" in str(r.json()["detail"]).lower()
    assert api.post(f"{URL}/quotations/{q['id']}/send?to=a@b.vn").status_code == 400
    assert api.get(f"{URL}/quotations/{q['id']}").json()["status"] == "draft"
    assert _orders(tenant_a) == 0
    assert [x["id"] for x in api.get(f"{URL}/quotations", {"status": "expired"}).json()["items"]] == [q["id"]]
    assert api.get(f"{URL}/quotations", {"status": "draft"}).json()["count"] == 0
    # extending the validity date of the draft makes it acceptable again
    r = api.patch(f"{URL}/quotations/{q['id']}", {"valid_until": today.isoformat()})
    assert r.status_code == 200 and r.json()["expired"] is False
    assert api.post(f"{URL}/quotations/{q['id']}/accept").status_code == 201


def test_send_emails_the_pdf_once_after_commit(tenant_a, admin_a, today, font):
    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
        tenant_a.legal_name = "Công ty Cổ phần Nova"
        tenant_a.address = "12 Lê Lợi, Quận 1, TP HCM"
        tenant_a.tax_code = "0312345678"
        tenant_a.save()
    api = ApiClient(tenant_a, admin_a)
    body = _body(w)
    body["lines"] = [{"description": "Tư vấn", "quantity": "1", "unit_price": "1500000", "vat_code": "VAT10"}]
    q = api.post(f"{URL}/quotations", body).json()
    # the customer has no email: one must be typed
    assert api.post(f"{URL}/quotations/{q['id']}/send").status_code == 400
    assert api.post(f"{URL}/quotations/{q['id']}/send?to=not-an-email").status_code == 400
    assert api.get(f"{URL}/quotations/{q['id']}").json()["status"] == "draft"
    mail.outbox.clear()
    r = api.post(f"{URL}/quotations/{q['id']}/send?to=mua@khach.vn")
    assert r.status_code == 200 and r.json()["status"] == "sent" and r.json()["sent_to"] == "mua@khach.vn"
    assert mail.outbox == []  # only through the outbox
    deliver_pending()
    deliver_pending()
    assert len(mail.outbox) == 1
    email = mail.outbox[0]
    assert email.to == ["mua@khach.vn"] and q["number"] in email.subject
    assert email.extra_headers["Message-ID"].startswith("<outbox-")
    ((name, content, mimetype),) = email.attachments
    assert name == f"{q['number']}.pdf" and mimetype == "application/pdf"
    text = pdf_text(content)
    for expected in (
        "BÁO GIÁ",
        q["number"],
        "Công ty Cổ phần Nova",
        "12 Lê Lợi",
        "0312345678",
        "Tư vấn",
        "1.650.000",
        "Một triệu sáu trăm năm mươi nghìn đồng chẵn",
        (today + dt.timedelta(days=30)).strftime("%d/%m/%Y"),
    ):
        assert expected in text, expected
    # a sent quotation can no longer be edited; the PDF endpoint answers the same document
    assert api.patch(f"{URL}/quotations/{q['id']}", {"note": "x"}).status_code == 400
    r = api.get(f"{URL}/quotations/{q['id']}/pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    assert "BÁO GIÁ" in pdf_text(r.content)


def test_email_handler_sends_once_per_outbox_message(tenant_a, today, font):
    from novasaas.sales.events import QuotationSent

    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        q = quotations.create_quotation(
            w.staff, customer_id=w.customer.pk, lines=[{"description": "A", "quantity": "1", "unit_price": "100"}]
        )
        mail.outbox.clear()
        event = QuotationSent(tenant_id=tenant_a.pk, quotation_id=q.pk, to="x@y.vn")
        quotations.email_quotation(event, message_id=77)
        quotations.email_quotation(event, message_id=77)  # a redelivery: the EffectMarker stops it
    assert len(mail.outbox) == 1


def test_sales_staff_see_only_their_customers_quotations(tenant_a, admin_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        q = quotations.create_quotation(
            w.staff, customer_id=w.customer.pk, lines=[{"description": "A", "quantity": "1", "unit_price": "100"}]
        )
    other = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    assert other.get(f"{URL}/quotations/{q.pk}").status_code == 404
    assert other.post(f"{URL}/quotations/{q.pk}/accept").status_code == 404
    assert other.get(f"{URL}/quotations").json()["count"] == 0
    assert (
        other.post(
            f"{URL}/quotations",
            {"customer_id": w.customer.pk, "lines": [{"description": "x", "quantity": "1", "unit_price": "1"}]},
        ).status_code
        == 400
    )
    owner = ApiClient(tenant_a, w.staff.user)
    assert owner.get(f"{URL}/quotations").json()["count"] == 1
    accountant = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert accountant.get(f"{URL}/quotations").status_code == 403
    assert accountant.post(f"{URL}/quotations/{q.pk}/decline").status_code == 403
    with tenant_context(tenant_a):
        assert Quotation.objects.get(pk=q.pk).status == QuotationStatus.DRAFT


def test_send_without_an_address_uses_the_customers_email(tenant_a, today, font):
    from novasaas.inventory.tests.helpers import principal
    from novasaas.parties.actions import create_party
    from novasaas.sales import actions

    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        party = create_party(
            principal(tenant_a), name="Công ty An Bình", contacts=[{"kind": "email", "value": "ketoan@anbinh.vn"}]
        )
        customer = actions.create_customer(w.manager, party_id=party.pk, salesperson_id=w.staff.user.pk)
        q = quotations.create_quotation(
            w.staff, customer_id=customer.pk, lines=[{"description": "A", "quantity": "1", "unit_price": "100"}]
        )
    api = ApiClient(tenant_a, w.staff.user)
    mail.outbox.clear()
    r = api.post(f"{URL}/quotations/{q.pk}/send")
    assert r.status_code == 200, r.json()
    assert r.json()["sent_to"] == "ketoan@anbinh.vn"
    deliver_pending()
    assert [m.to for m in mail.outbox] == [["ketoan@anbinh.vn"]]


def test_quotation_writes_need_the_quotation_right_not_the_order_right(tenant_a, admin_a, today):
    """``crm.quotation.manage`` (catalogue) guards every quotation write; the order right alone is not
    enough, and accepting (which makes an order) needs both."""
    import dataclasses

    from django.core.exceptions import PermissionDenied

    with tenant_context(tenant_a):
        w = world(tenant_a)
        q = quotations.create_quotation(w.staff, **_body(w))
        orders_only = dataclasses.replace(w.staff, permissions=w.staff.permissions - {"crm.quotation.manage"})
        quotes_only = dataclasses.replace(w.staff, permissions=w.staff.permissions - {"crm.order.create"})
        for call in (
            lambda: quotations.create_quotation(orders_only, **_body(w)),
            lambda: quotations.update_quotation(orders_only, q.pk, note="x"),
            lambda: quotations.decline_quotation(orders_only, q.pk),
            lambda: quotations.accept_quotation(orders_only, q.pk),
            lambda: quotations.accept_quotation(quotes_only, q.pk),
        ):
            with pytest.raises(PermissionDenied):
                call()
        assert Quotation.objects.get(pk=q.pk).status == QuotationStatus.DRAFT
        quotations.update_quotation(quotes_only, q.pk, note="ok")
