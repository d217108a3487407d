"""Closing the back-order of a partly delivered order releases its reservation and ends the order;
due activity reminders notify each owner once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from novasaas.platform.models import Notification
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client
from novasaas.sales import actions, deliveries, pipeline, selectors
from novasaas.sales.models import Activity, OrderStatus
from novasaas.sales.tests.helpers import beer_line, order, stock_row, world

D = Decimal
URL = "/api/v1/sales"


def _partial(w, qty=5, delivered="2"):
    o = order(w, beer_line(w, qty))
    actions.confirm_order(w.staff, o.pk)
    deliveries.deliver_order(w.staff, o.pk, lines=[{"line_id": o.lines.get().pk, "quantity": delivered}])
    return o


def test_close_releases_the_rest_and_invoicing_ends_the_order(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        o = _partial(w)
        assert (stock_row(w).on_hand, stock_row(w).reserved) == (D(18), D(3))
        exposure = selectors.credit_exposure(tenant_a, w.customer)
        deliveries.close_backorder(w.staff, o.pk)
        o.refresh_from_db()
        line = o.lines.get()
        # 5 × 15,000 + 10 % = 82,500; the 3 not delivered: 49,500
        assert (o.status, line.closed_quantity, line.remaining, o.closed_amount) == (
            OrderStatus.DELIVERED,
            D(3),
            D(0),
            D(49500),
        )
        assert (stock_row(w).on_hand, stock_row(w).reserved) == (D(18), D(0))
        assert selectors.credit_exposure(tenant_a, w.customer) == exposure - D(49500)
        with pytest.raises(ValidationError):
            deliveries.deliver_order(w.staff, o.pk)
        invoice = deliveries.invoice_order(w.staff, o.pk)
        o.refresh_from_db()
        assert (invoice.total, o.status, o.invoiced_amount) == (D(33000), OrderStatus.INVOICED, D(33000))
        assert selectors.credit_exposure(tenant_a, w.customer) == D(33000)  # the open invoice only


def test_close_after_invoicing_the_delivered_part_ends_invoiced(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        o = _partial(w)
        deliveries.invoice_order(w.staff, o.pk)
        deliveries.close_backorder(w.staff, o.pk)
        o.refresh_from_db()
        assert o.status == OrderStatus.INVOICED and stock_row(w).reserved == D(0)


@pytest.mark.parametrize("state", ["draft", "confirmed", "delivered"])
def test_close_refused_unless_partly_delivered(tenant_a, state):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        o = order(w, beer_line(w, 2))
        if state != "draft":
            actions.confirm_order(w.staff, o.pk)
        if state == "delivered":
            deliveries.deliver_order(w.staff, o.pk)
        reserved = stock_row(w).reserved
        with pytest.raises(ValidationError):
            deliveries.close_backorder(w.staff, o.pk)
        o.refresh_from_db()
        assert o.status == state and o.lines.get().closed_quantity == 0 and stock_row(w).reserved == reserved


def test_close_through_api_and_page_with_roles(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        first, second = _partial(w), _partial(w)
        draft = order(w, beer_line(w, 1))
    staff = ApiClient(tenant_a, w.staff.user)
    r = staff.post(f"{URL}/orders/{first.pk}/close-backorder")
    assert r.status_code == 200 and r.json()["status"] == "delivered" and D(r.json()["closed_amount"]) == D(49500)
    assert D(r.json()["lines"][0]["closed_quantity"]) == D(3)
    assert staff.post(f"{URL}/orders/{first.pk}/close-backorder").status_code == 400
    assert staff.post(f"{URL}/orders/{draft.pk}/close-backorder").status_code == 400
    assert staff.post(f"{URL}/orders/999999/close-backorder").status_code == 404
    accountant = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert accountant.post(f"{URL}/orders/{second.pk}/close-backorder").status_code == 403
    web = web_client(tenant_a, w.staff.user)
    assert "Đóng phần còn nợ giao" in web.get(f"/sales/orders/{second.pk}/").content.decode()
    assert web.post(f"/sales/orders/{second.pk}/close/").status_code == 302
    assert web.post(f"/sales/orders/{second.pk}/close/").status_code == 400
    with tenant_context(tenant_a):
        second.refresh_from_db()
        assert second.status == OrderStatus.DELIVERED and stock_row(w).reserved == D(0)


def test_due_activities_notify_their_owner_once(tenant_a, tenant_b, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        due = pipeline.log_activity(
            w.staff, subject="Gọi lại khách", customer_id=w.customer.pk, due_date=today - dt.timedelta(days=1)
        )
        pipeline.log_activity(
            w.staff, subject="Sau này", customer_id=w.customer.pk, due_date=today + dt.timedelta(days=3)
        )
        done = pipeline.log_activity(w.staff, subject="Xong", customer_id=w.customer.pk, due_date=today)
        pipeline.complete_activity(w.staff, done.pk)
    with tenant_context(tenant_b):
        wb = world(tenant_b, 0)
        pipeline.log_activity(wb.staff, subject="B", customer_id=wb.customer.pk, due_date=today)
    assert pipeline.remind_due_activities(tenant_a, today) == 1
    assert pipeline.remind_due_activities(tenant_a, today) == 0  # once per activity
    with tenant_context(tenant_a):
        notes = list(Notification.objects.filter(kind="sales"))
        assert [(n.recipient_id, n.url) for n in notes] == [(w.staff.user.pk, f"/sales/customers/{w.customer.pk}/")]
        assert "Gọi lại khách" in notes[0].title
        assert Activity.objects.get(pk=due.pk).reminded_at is not None
    # three days later the second falls due; the command covers every tenant (B's too, once)
    call_command("sales_remind_activities", "--date", (today + dt.timedelta(days=3)).isoformat())
    with tenant_context(tenant_a):
        assert Notification.objects.filter(kind="sales").count() == 2
    with tenant_context(tenant_b):
        assert Notification.objects.filter(kind="sales", recipient=wb.staff.user).count() == 1
