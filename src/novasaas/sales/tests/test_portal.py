"""The customer portal: Sales invites a contact person (identity's invitation, the email read from the
outbox), the contact sets a password and sees only their customer's orders (deliveries, back-orders),
invoices (open amount, PDF), quotations (accept / decline online, as the staff's accept, audited as the
contact) and balance — through the API and the pages. Least privilege: another customer's documents are
404, staff pages and API 403, another tenant 404; portal users are not paid users."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest
from django.core import mail

from novasaas.identity import actions as identity_actions
from novasaas.identity.models import Invitation, User
from novasaas.platform.models import AuditLog, Notification
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client
from novasaas.sales import actions, customers, deliveries, portal, quotations
from novasaas.sales.models import (
    CustomerContact,
    OrderStatus,
    PortalAccount,
    Quotation,
    QuotationStatus,
    SalesOrder,
)
from novasaas.sales.tests.helpers import beer_line, order, party, world

D = Decimal
API = "/api/v1/portal"
PASSWORD = "Portal-Strong-Pass-26"


@dataclass
class Scene:
    w: Any
    contact: Any
    user: Any  # the contact's portal user
    order: Any  # confirmed, 5 ordered, 3 delivered
    draft: Any
    invoice: Any
    quote: Any  # sent
    draft_quote: Any
    other: dict[str, int]  # another customer's documents (same tenant, same salesperson)


def _sent(p: Any, w: Any, customer_id: int, qty: Any = 2, **kw: Any) -> Quotation:
    q = quotations.create_quotation(p, customer_id=customer_id, lines=[beer_line(w, qty)], **kw)
    # what send_quotation stores (its email needs the PDF font; sending is tested in test_quotations)
    actions.move_to(p, q, QuotationStatus.SENT, sent_to="hoa@minhphat.vn")
    return q


def _token(message: Any) -> str:
    found = re.search(r"/invitations/([^/\s]+)/", message.body)
    assert found, message.body
    return found.group(1)


def invite_and_accept(tenant: Any, w: Any, contact: Any, capture: Any, email: str = "hoa@minhphat.vn") -> Any:
    with tenant_context(tenant), capture(execute=True):
        portal.invite_contact(w.staff, w.customer.pk, contact.pk, base_url="http://testserver")
    sent = [m for m in mail.outbox if m.to == [email]]
    assert len(sent) == 1 and "cổng khách hàng" in sent[0].body  # the portal's own text, the company's language
    identity_actions.accept_invitation(_token(sent[-1]), password=PASSWORD, full_name=contact.name)
    with platform_context():
        return User.objects.get(email=email)


def build(tenant: Any, capture: Any) -> Scene:
    with tenant_context(tenant):
        w = world(tenant, 20)
        contact = customers.save_contact(
            w.staff, w.customer.pk, name="Chị Hoa", email="hoa@minhphat.vn", phone="0901234567"
        )
        customers.save_contact(w.staff, w.customer.pk, name="Anh Tuấn", position="Kế toán")
        o = order(w, beer_line(w, 5))  # 5 × 15,000 + VAT 10 % = 82,500
        actions.confirm_order(w.staff, o.pk)
        line = o.lines.get()
        deliveries.deliver_order(w.staff, o.pk, lines=[{"line_id": line.pk, "quantity": "3"}])
        invoice = deliveries.invoice_order(w.staff, o.pk)  # 3 × 15,000 + 4,500 = 49,500
        actions.receive_payment(w.staff, invoice.pk, amount="10000")
        draft = order(w, beer_line(w, 1))
        quote = _sent(w.staff, w, w.customer.pk)
        draft_quote = quotations.create_quotation(w.staff, customer_id=w.customer.pk, lines=[beer_line(w, 1)])
        # another customer of the same salesperson, with documents of each kind
        other_customer = actions.create_customer(
            w.manager, party_id=party(w.manager, "Công ty Hải Đăng").pk, salesperson_id=w.staff.user.pk
        )
        other_order = actions.create_order(
            w.staff, customer_id=other_customer.pk, warehouse_id=w.inv.wh.pk, lines=[beer_line(w, 2)]
        )
        actions.confirm_order(w.staff, other_order.pk)
        deliveries.deliver_order(w.staff, other_order.pk)
        other_invoice = deliveries.invoice_order(w.staff, other_order.pk)
        other_quote = _sent(w.staff, w, other_customer.pk)
        other_contact = customers.save_contact(w.staff, other_customer.pk, name="Ông Đăng", email="dang@haidang.vn")
    user = invite_and_accept(tenant, w, contact, capture)
    other = {
        "customer": other_customer.pk,
        "order": other_order.pk,
        "invoice": other_invoice.pk,
        "quote": other_quote.pk,
        "contact": other_contact.pk,
    }
    return Scene(w, contact, user, o, draft, invoice, quote, draft_quote, other)


@pytest.fixture
def scene(tenant_a, django_capture_on_commit_callbacks) -> Scene:
    mail.outbox.clear()
    return build(tenant_a, django_capture_on_commit_callbacks)


# --- invitation -------------------------------------------------------------------------------------


def test_invitation_links_the_account_to_the_contact_with_the_customer_role_only(tenant_a, scene):
    with tenant_context(tenant_a):
        account = PortalAccount.objects.get()
        assert (account.customer_id, account.contact_id, account.user_id) == (
            scene.w.customer.pk,
            scene.contact.pk,
            scene.user.pk,
        )
        assert account.invited_by_id == scene.w.staff.user.pk
        membership = scene.user.memberships.get()
        assert sorted(membership.role_links.values_list("role__code", flat=True)) == ["customer"]
        assert AuditLog.objects.filter(object_type="sales.PortalAccount", actor_id=scene.w.staff.user.pk).exists()
    # the staff API lists the account as active
    rows = ApiClient(tenant_a, scene.w.staff.user).get(f"/api/v1/sales/customers/{scene.w.customer.pk}/portal-accounts")
    assert [(r["contact_id"], r["status"]) for r in rows.json()] == [(scene.contact.pk, "active")]


def test_invite_rights_and_refusals(tenant_a, django_capture_on_commit_callbacks):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        hoa = customers.save_contact(w.staff, w.customer.pk, name="Chị Hoa", email="hoa@minhphat.vn")
        no_email = customers.save_contact(w.staff, w.customer.pk, name="Anh Tuấn")
        other_staff = create_user(tenant_a, "sales_staff")
        accountant = create_user(tenant_a, "accountant")
    base = f"/api/v1/sales/customers/{w.customer.pk}/contacts"
    staff = ApiClient(tenant_a, w.staff.user)
    # not the staff member's customer: 404; a role without crm.customer.edit: 403; nothing written
    assert ApiClient(tenant_a, other_staff).post(f"{base}/{hoa.pk}/portal-invite").status_code == 404
    assert ApiClient(tenant_a, accountant).post(f"{base}/{hoa.pk}/portal-invite").status_code == 403
    # no email on the contact: 400
    r = staff.post(f"{base}/{no_email.pk}/portal-invite")
    assert r.status_code == 400 and "email" in r.content.decode()
    with tenant_context(tenant_a):
        assert not PortalAccount.objects.exists() and not Invitation.objects.exists()
    # invited twice: the first link stops working, one account
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(f"{base}/{hoa.pk}/portal-invite").json()["status"] == "invited"
    with django_capture_on_commit_callbacks(execute=True):
        assert staff.post(f"{base}/{hoa.pk}/portal-invite").status_code == 201
    first, second = (_token(m) for m in mail.outbox)
    assert identity_actions.find_invitation(first) is None
    with tenant_context(tenant_a):
        assert PortalAccount.objects.count() == 1
    identity_actions.accept_invitation(second, password=PASSWORD)
    # once signed in, inviting again is refused
    r = staff.post(f"{base}/{hoa.pk}/portal-invite")
    assert r.status_code == 400 and "Chị Hoa" in r.json()["detail"][0]
    # the manager invites on the customer page (button per contact)
    with tenant_context(tenant_a):
        lan = customers.save_contact(w.staff, w.customer.pk, name="Chị Lan", email="lan@minhphat.vn")
    page = web_client(tenant_a, w.manager.user)
    html = page.get(f"/sales/customers/{w.customer.pk}/").content.decode()
    assert f"/contacts/{lan.pk}/portal/invite/" in html and f"/contacts/{no_email.pk}/portal/invite/" not in html
    with django_capture_on_commit_callbacks(execute=True):
        r = page.post(f"/sales/customers/{w.customer.pk}/contacts/{lan.pk}/portal/invite/")
    assert r.status_code == 302 and mail.outbox[-1].to == ["lan@minhphat.vn"]
    r = page.post(f"/sales/customers/{w.customer.pk}/contacts/{no_email.pk}/portal/invite/")
    assert r.status_code == 400
    assert (
        web_client(tenant_a, accountant)
        .post(f"/sales/customers/{w.customer.pk}/contacts/{lan.pk}/portal/invite/")
        .status_code
        == 403
    )


def test_portal_users_are_not_paid_users(tenant_a, django_capture_on_commit_callbacks):
    from novasaas.billing import limits

    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        hoa = customers.save_contact(w.staff, w.customer.pk, name="Chị Hoa", email="hoa@minhphat.vn")
        before = limits.usage("users")
        identity_actions.invite_user(_admin(tenant_a), email="new.staff@example.com", role_codes=["employee"])
        assert limits.usage("users") == before + 1  # a staff invitation counts
    invite_and_accept(tenant_a, w, hoa, django_capture_on_commit_callbacks)
    with tenant_context(tenant_a):
        assert limits.usage("users") == before + 1  # the portal invitation and membership do not


def _admin(tenant: Any) -> Any:
    from novasaas.inventory.tests.helpers import principal

    return principal(tenant)


# --- what the contact sees (API) --------------------------------------------------------------------


def test_api_shows_the_customer_own_documents_to_the_dong(tenant_a, scene):
    api = ApiClient(tenant_a, scene.user)
    info = api.get(f"{API}/account").json()
    assert info["name"] == "Công ty TNHH Minh Phát" and info["me"]["id"] == scene.contact.pk
    assert sorted(c["name"] for c in info["contacts"]) == ["Anh Tuấn", "Chị Hoa"]
    orders = api.get(f"{API}/orders").json()
    assert [o["number"] for o in orders["items"]] == [scene.order.number]  # no draft, no other customer's
    detail = api.get(f"{API}/orders/{scene.order.pk}").json()
    assert detail["status"] == OrderStatus.PARTIAL and D(detail["total"]) == D(82500)
    (line,) = detail["lines"]
    assert (D(line["quantity"]), D(line["delivered_quantity"]), D(line["backordered_quantity"])) == (5, 3, 2)
    (delivery,) = detail["deliveries"]
    assert D(delivery["lines"][0]["quantity"]) == 3 and delivery["date"] == scene.invoice.date.isoformat()
    assert "warehouse_id" not in detail and "salesperson_id" not in detail
    invoices = api.get(f"{API}/invoices").json()["items"]
    assert [(i["number"], D(i["total"]), D(i["paid"]), D(i["open_amount"])) for i in invoices] == [
        (scene.invoice.number, D(49500), D(10000), D(39500))
    ]
    assert D(api.get(f"{API}/invoices/{scene.invoice.pk}").json()["lines"][0]["net_amount"]) == D(45000)
    balance = api.get(f"{API}/balance").json()
    assert D(balance["total"]) == D(39500)
    quotes = api.get(f"{API}/quotations").json()["items"]
    assert [q["number"] for q in quotes] == [scene.quote.number]  # the draft quotation is not theirs yet


def test_invoice_pdf_with_vietqr(tenant_a, scene, unicode_font):
    api = ApiClient(tenant_a, scene.user)
    r = api.get(f"{API}/invoices/{scene.invoice.pk}/pdf")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf" and r.content[:4] == b"%PDF"
    page = web_client(tenant_a, scene.user).get(f"/portal/invoices/{scene.invoice.pk}/pdf/")
    assert page.status_code == 200 and page.content[:4] == b"%PDF"


def test_accepting_online_is_the_staff_accept_audited_as_the_contact(tenant_a, scene):
    api = ApiClient(tenant_a, scene.user)
    r = api.post(f"{API}/quotations/{scene.quote.pk}/accept")
    assert r.status_code == 201, r.content
    with tenant_context(tenant_a):
        quote = Quotation.objects.get(pk=scene.quote.pk)
        new = SalesOrder.objects.get(pk=quote.order_id)
        assert quote.status == QuotationStatus.ACCEPTED and new.status == OrderStatus.DRAFT
        assert (new.total, new.untaxed, new.vat, new.customer_id) == (D(33000), D(30000), D(3000), scene.w.customer.pk)
        assert new.created_by_id == scene.user.pk
        assert AuditLog.objects.filter(actor_id=scene.user.pk, object_id=str(quote.pk)).exists()
        assert Notification.objects.filter(recipient_id=scene.w.staff.user.pk, title__contains=quote.number).exists()
    assert api.get(f"{API}/quotations/{scene.quote.pk}").json()["order_number"] == new.number
    # answered already: 400, nothing changes
    assert api.post(f"{API}/quotations/{scene.quote.pk}/accept").status_code == 400
    assert api.post(f"{API}/quotations/{scene.quote.pk}/decline").status_code == 400
    with tenant_context(tenant_a):
        assert SalesOrder.objects.filter(customer=scene.w.customer).count() == 3


def test_declining_and_an_expired_quotation(tenant_a, scene, today):
    with tenant_context(tenant_a):
        w = scene.w
        old = _sent(
            w.staff, w, w.customer.pk, date=today - dt.timedelta(days=40), valid_until=today - dt.timedelta(days=1)
        )
        to_decline = _sent(w.staff, w, w.customer.pk)
    api = ApiClient(tenant_a, scene.user)
    r = api.post(f"{API}/quotations/{old.pk}/accept")
    assert r.status_code == 400 and "valid_until" in r.json()["detail"]
    assert api.get(f"{API}/quotations/{old.pk}").json()["expired"] is True
    assert api.post(f"{API}/quotations/{to_decline.pk}/decline").json()["status"] == QuotationStatus.DECLINED
    with tenant_context(tenant_a):
        assert Quotation.objects.get(pk=old.pk).status == QuotationStatus.SENT
        assert SalesOrder.objects.filter(customer=w.customer).count() == 2


def test_contact_edits_own_phone_and_email_only(tenant_a, scene):
    api = ApiClient(tenant_a, scene.user)
    r = api.patch(f"{API}/account/contact", {"phone": "0912 345 678", "email": "hoa.nguyen@minhphat.vn"})
    assert r.status_code == 200 and r.json()["phone"] == "0912 345 678"
    for body in ({"phone": "abc"}, {"email": "not-an-email"}):
        assert api.patch(f"{API}/account/contact", body).status_code == 400, body
    assert api.patch(f"{API}/account/contact", {"name": "X"}).status_code == 422
    with tenant_context(tenant_a):
        contact = CustomerContact.objects.get(pk=scene.contact.pk)
        assert (contact.name, contact.phone, contact.email) == ("Chị Hoa", "0912 345 678", "hoa.nguyen@minhphat.vn")
    # the page form
    web = web_client(tenant_a, scene.user)
    assert web.post("/portal/", {"phone": "0987654321", "email": "hoa@minhphat.vn"}).status_code == 302
    r = web.post("/portal/", {"phone": "xyz", "email": "hoa@minhphat.vn"})
    assert r.status_code == 400
    with tenant_context(tenant_a):
        assert CustomerContact.objects.get(pk=scene.contact.pk).phone == "0987654321"


# --- pages ------------------------------------------------------------------------------------------


def test_pages_show_the_customer_own_documents(tenant_a, scene):
    web = web_client(tenant_a, scene.user)
    assert web.get("/").url == "/portal/"  # the staff dashboard sends a portal user to the portal
    home = web.get("/portal/").content.decode()
    assert "Công ty TNHH Minh Phát" in home and scene.order.number in home and scene.quote.number in home
    assert "39.500" in home or "39,500" in home  # the balance
    assert "/sales/" not in home and "nova-sidebar" not in home  # no staff menu
    order_page = web.get(f"/portal/orders/{scene.order.pk}/").content.decode()
    assert scene.order.number in order_page and ("Back-ordered" in order_page or "Còn nợ giao" in order_page)
    invoices = web.get("/portal/invoices/").content.decode()
    assert scene.invoice.number in invoices and ("39.500" in invoices or "39,500" in invoices)
    assert scene.quote.number in web.get("/portal/quotations/").content.decode()
    r = web.post(f"/portal/quotations/{scene.quote.pk}/accept/")
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert Quotation.objects.get(pk=scene.quote.pk).status == QuotationStatus.ACCEPTED
    r = web.post(f"/portal/quotations/{scene.quote.pk}/accept/")
    assert r.status_code == 400
    assert web.get(f"/portal/quotations/{scene.quote.pk}/accept/").status_code == 405


# --- least privilege ----------------------------------------------------------------------------------


def test_another_customer_documents_are_404(tenant_a, scene):
    api = ApiClient(tenant_a, scene.user)
    web = web_client(tenant_a, scene.user)
    o = scene.other
    for path in (
        f"orders/{o['order']}",
        f"orders/{scene.draft.pk}",
        f"invoices/{o['invoice']}",
        f"invoices/{o['invoice']}/pdf",
        f"quotations/{o['quote']}",
        f"quotations/{o['quote']}/pdf",
        f"quotations/{scene.draft_quote.pk}",
    ):
        assert api.get(f"{API}/{path}").status_code == 404, path
        assert web.get(f"/portal/{path}/").status_code == 404, path
    for action in ("accept", "decline"):
        assert api.post(f"{API}/quotations/{o['quote']}/{action}").status_code == 404
        assert web.post(f"/portal/quotations/{o['quote']}/{action}/").status_code == 404
        assert api.post(f"{API}/quotations/{scene.draft_quote.pk}/{action}").status_code == 404
    with tenant_context(tenant_a):
        assert Quotation.objects.get(pk=o["quote"]).status == QuotationStatus.SENT


def test_a_portal_user_gets_no_staff_page_or_api(tenant_a, scene):
    api = ApiClient(tenant_a, scene.user)
    web = web_client(tenant_a, scene.user)
    w = scene.w
    for path in (
        "/api/v1/sales/orders",
        f"/api/v1/sales/orders/{scene.order.pk}",
        f"/api/v1/sales/customers/{w.customer.pk}",
        f"/api/v1/sales/invoices/{scene.invoice.pk}/pdf",
        "/api/v1/sales/quotations",
        "/api/v1/parties/",
        "/api/v1/inventory/products",
        "/api/v1/accounting/accounts",
    ):
        assert api.get(path).status_code == 403, path
    assert api.post(f"/api/v1/sales/quotations/{scene.quote.pk}/accept").status_code == 403
    assert (
        api.post(f"/api/v1/sales/customers/{w.customer.pk}/contacts/{scene.contact.pk}/portal-invite").status_code
        == 403
    )
    for path in (
        "/sales/",
        f"/sales/orders/{scene.order.pk}/",
        f"/sales/customers/{w.customer.pk}/",
        "/sales/invoices/",
        "/parties/",
        "/inventory/",
        "/settings/users/",
    ):
        assert web.get(path).status_code == 403, path


def test_staff_have_no_portal_and_a_stopped_account_sees_nothing(tenant_a, scene):
    for user in (scene.w.staff.user, scene.w.manager.user):
        assert ApiClient(tenant_a, user).get(f"{API}/orders").status_code == 403
        assert web_client(tenant_a, user).get("/portal/").status_code == 403
    staff = ApiClient(tenant_a, scene.w.staff.user)
    base = f"/api/v1/sales/customers/{scene.w.customer.pk}/portal-accounts"
    (row,) = staff.get(base).json()
    assert staff.patch(f"{base}/{row['id']}", {"is_active": False}).json()["status"] == "inactive"
    api = ApiClient(tenant_a, scene.user)
    assert api.get(f"{API}/orders").status_code == 403
    assert web_client(tenant_a, scene.user).get("/portal/").status_code == 403
    assert staff.patch(f"{base}/{row['id']}", {"is_active": True}).json()["status"] == "active"
    assert api.get(f"{API}/orders").status_code == 200
    # a deactivated customer: nothing either
    with tenant_context(tenant_a):
        actions.update_customer(scene.w.manager, scene.w.customer.pk, is_active=False)
    assert api.get(f"{API}/account").status_code == 403


def test_two_tenants(tenant_a, tenant_b, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    a = build(tenant_a, django_capture_on_commit_callbacks)
    with tenant_context(tenant_b):
        w = world(tenant_b, 20)
        contact = customers.save_contact(w.staff, w.customer.pk, name="Chị Mai", email="mai@b.test")
        o = order(w, beer_line(w, 2))
        actions.confirm_order(w.staff, o.pk)
        q = _sent(w.staff, w, w.customer.pk)
    user_b = invite_and_accept(tenant_b, w, contact, django_capture_on_commit_callbacks, email="mai@b.test")
    api_a = ApiClient(tenant_a, a.user)
    api_b = ApiClient(tenant_b, user_b)
    assert [x["number"] for x in api_b.get(f"{API}/orders").json()["items"]] == [o.number]
    for path in (f"orders/{a.order.pk}", f"invoices/{a.invoice.pk}", f"quotations/{a.quote.pk}"):
        assert api_b.get(f"{API}/{path}").status_code == 404
    assert api_a.get(f"{API}/quotations/{q.pk}").status_code == 404
    assert api_b.post(f"{API}/quotations/{a.quote.pk}/accept").status_code == 404
    with tenant_context(tenant_a):
        assert PortalAccount.objects.count() == 1
    with tenant_context(tenant_b):
        assert list(PortalAccount.objects.values_list("user_id", flat=True)) == [user_b.pk]
