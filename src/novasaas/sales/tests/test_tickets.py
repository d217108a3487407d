"""Support tickets: a portal contact opens a ticket and writes; Sales Staff (own customers) and the Sales
Manager answer and close it — pages and API; refusals (empty message, closed ticket) 400 with nothing
written; another customer's ticket 404 on the portal, another salesperson's customer 404 for staff;
two tenants."""

from __future__ import annotations

import pytest
from django.core import mail

from novasaas.inventory.tests.helpers import principal
from novasaas.platform.models import Notification
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.sales import actions
from novasaas.sales.models import SupportTicket, TicketMessage
from novasaas.sales.tests.helpers import party
from novasaas.sales.tests.test_portal import API, build

STAFF_API = "/api/v1/sales"


@pytest.fixture
def scene(tenant_a, django_capture_on_commit_callbacks):
    mail.outbox.clear()
    return build(tenant_a, django_capture_on_commit_callbacks)


def test_open_answer_close_through_the_api(tenant_a, scene):
    w = scene.w
    customer_api = ApiClient(tenant_a, scene.user)
    r = customer_api.post(f"{API}/tickets", {"subject": "Giao thiếu hàng", "body": "Đơn giao thiếu 2 chai."})
    assert r.status_code == 201, r.content
    ticket = r.json()
    assert (ticket["status"], [m["from_customer"] for m in ticket["messages"]]) == ("open", [True])
    with tenant_context(tenant_a):  # the salesperson is told
        assert Notification.objects.filter(recipient=w.staff.user, url=f"/sales/tickets/{ticket['id']}/").exists()
    staff_api = ApiClient(tenant_a, w.staff.user)
    assert [t["subject"] for t in staff_api.get(f"{STAFF_API}/tickets").json()] == ["Giao thiếu hàng"]
    url = f"{STAFF_API}/tickets/{ticket['id']}"
    r = staff_api.post(f"{url}/messages", {"body": "Chúng tôi sẽ giao bù ngày mai."})
    assert r.status_code == 201 and r.json()["status"] == "answered"
    r = customer_api.post(f"{API}/tickets/{ticket['id']}/messages", {"body": "Cảm ơn."})
    assert r.status_code == 201 and r.json()["status"] == "open" and len(r.json()["messages"]) == 3
    # the customer cannot close nor use the staff API
    assert customer_api.post(f"{url}/close").status_code == 403
    manager_api = ApiClient(tenant_a, w.manager.user)
    r = manager_api.post(f"{url}/close")
    assert r.status_code == 200 and r.json()["status"] == "closed" and r.json()["closed_at"]
    # nobody writes on a closed ticket; closing twice is refused
    assert customer_api.post(f"{API}/tickets/{ticket['id']}/messages", {"body": "Còn nữa"}).status_code == 400
    assert staff_api.post(f"{url}/messages", {"body": "x"}).status_code == 400
    assert manager_api.post(f"{url}/close").status_code == 400
    # bad input: 422 / 400, nothing written
    assert customer_api.post(f"{API}/tickets", {"subject": "", "body": "x"}).status_code == 422
    assert customer_api.post(f"{API}/tickets", {"subject": "x", "body": "   "}).status_code == 400
    assert customer_api.post(f"{API}/tickets", {"subject": "x"}).status_code == 422
    with tenant_context(tenant_a):
        assert SupportTicket.objects.count() == 1 and TicketMessage.objects.count() == 3


def test_isolation_between_customers_salespeople_and_roles(tenant_a, scene):
    w = scene.w
    with tenant_context(tenant_a):
        other_customer_ticket = SupportTicket.objects.create(
            customer_id=scene.other["customer"], subject="Của khách khác", opened_by=w.staff.user
        )
        # a customer of another salesperson
        other_staff = principal(tenant_a, "sales_staff")
        foreign = actions.create_customer(
            w.manager, party_id=party(w.manager, "Công ty Xa Lạ").pk, salesperson_id=other_staff.user.pk
        )
        foreign_ticket = SupportTicket.objects.create(customer=foreign, subject="Xa lạ", opened_by=w.staff.user)
    customer_api = ApiClient(tenant_a, scene.user)
    web = web_client(tenant_a, scene.user)
    assert customer_api.get(f"{API}/tickets/{other_customer_ticket.pk}").status_code == 404
    assert customer_api.post(f"{API}/tickets/{other_customer_ticket.pk}/messages", {"body": "x"}).status_code == 404
    assert web.get(f"/portal/tickets/{other_customer_ticket.pk}/").status_code == 404
    assert customer_api.get(f"{API}/tickets").json()["items"] == []
    staff_api = ApiClient(tenant_a, w.staff.user)
    assert staff_api.get(f"{STAFF_API}/tickets/{foreign_ticket.pk}").status_code == 404
    assert staff_api.post(f"{STAFF_API}/tickets/{foreign_ticket.pk}/close").status_code == 404
    assert web_client(tenant_a, w.staff.user).get(f"/sales/tickets/{foreign_ticket.pk}/").status_code == 404
    manager_api = ApiClient(tenant_a, w.manager.user)
    assert {t["subject"] for t in manager_api.get(f"{STAFF_API}/tickets").json()} == {"Của khách khác", "Xa lạ"}
    # staff have no portal tickets; a member without CRM rights has no staff tickets
    assert staff_api.get(f"{API}/tickets").status_code == 403
    with tenant_context(tenant_a):
        accountant = principal(tenant_a, "accountant")
    assert ApiClient(tenant_a, accountant.user).get(f"{STAFF_API}/tickets").status_code == 403
    with tenant_context(tenant_a):
        assert TicketMessage.objects.count() == 0


def test_pages(tenant_a, scene):
    w = scene.w
    web = web_client(tenant_a, scene.user)
    assert "Phiếu hỗ trợ" in web.get("/portal/tickets/").content.decode()
    r = web.post("/portal/tickets/", {"subject": "", "body": ""})
    assert r.status_code == 400
    r = web.post("/portal/tickets/", {"subject": "Xin hoá đơn bản giấy", "body": "Gửi giúp bản giấy."})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        ticket_id = SupportTicket.objects.get().pk
    assert "Gửi giúp bản giấy." in web.get(f"/portal/tickets/{ticket_id}/").content.decode()
    sweb = web_client(tenant_a, w.staff.user)
    assert "Xin hoá đơn bản giấy" in sweb.get("/sales/tickets/?status=open").content.decode()
    assert "Xin hoá đơn bản giấy" not in sweb.get("/sales/tickets/?status=closed").content.decode()
    assert sweb.post(f"/sales/tickets/{ticket_id}/", {"do": "answer", "body": " "}).status_code == 400
    assert sweb.post(f"/sales/tickets/{ticket_id}/", {"do": "answer", "body": "Đã gửi."}).status_code == 302
    assert "Đã gửi." in web.get(f"/portal/tickets/{ticket_id}/").content.decode()
    assert sweb.post(f"/sales/tickets/{ticket_id}/", {"do": "close"}).status_code == 302
    page = web.get(f"/portal/tickets/{ticket_id}/").content.decode()
    assert 'id="ticket-reply-form"' not in page
    assert web.post(f"/portal/tickets/{ticket_id}/", {"body": "Nữa"}).status_code == 400
    with tenant_context(tenant_a):
        assert [m.from_customer for m in TicketMessage.objects.order_by("id")] == [True, False]


def test_two_tenants(tenant_a, tenant_b, scene):
    r = ApiClient(tenant_a, scene.user).post(f"{API}/tickets", {"subject": "A", "body": "a"})
    assert r.status_code == 201
    ticket_id = r.json()["id"]
    from novasaas.sales.tests.helpers import world

    with tenant_context(tenant_b):
        wb = world(tenant_b, 0)
    manager_b = ApiClient(tenant_b, wb.manager.user)
    assert manager_b.get(f"{STAFF_API}/tickets").json() == []
    assert manager_b.get(f"{STAFF_API}/tickets/{ticket_id}").status_code == 404
    assert manager_b.post(f"{STAFF_API}/tickets/{ticket_id}/close").status_code == 404
    assert web_client(tenant_b, wb.manager.user).get(f"/sales/tickets/{ticket_id}/").status_code == 404
