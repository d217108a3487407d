"""Quotations: the company's default validity (order settings, API and page, Sales Manager only) and the
expiry notice to the salesperson (once per quotation, within the notice period, over every tenant)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from novasaas.platform.models import Notification
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.sales import policy, quotations
from novasaas.sales.models import Quotation, QuotationStatus, SalesSettings
from novasaas.sales.tests.helpers import beer_line, world

URL = "/api/v1/sales"


def test_default_validity_from_the_settings(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
    manager = ApiClient(tenant_a, w.manager.user)
    body = {"customer_id": w.customer.pk, "date": today.isoformat(), "lines": [beer_line(w, 1)]}
    first = manager.post(f"{URL}/quotations", body).json()
    assert first["valid_until"] == (today + dt.timedelta(days=30)).isoformat()
    r = manager.patch(f"{URL}/order-settings", {"quotation_validity_days": 10, "quotation_expiry_notice_days": 0})
    assert r.status_code == 200 and r.json()["quotation_validity_days"] == 10
    second = manager.post(f"{URL}/quotations", body).json()
    assert second["valid_until"] == (today + dt.timedelta(days=10)).isoformat()
    explicit = manager.post(f"{URL}/quotations", {**body, "valid_until": (today + dt.timedelta(days=2)).isoformat()})
    assert explicit.json()["valid_until"] == (today + dt.timedelta(days=2)).isoformat()
    # refusals: out of range, and Sales Staff cannot change the policy; nothing written
    for bad in ({"quotation_validity_days": 0}, {"quotation_validity_days": 366}, {"quotation_expiry_notice_days": -1}):
        assert manager.patch(f"{URL}/order-settings", bad).status_code in (400, 422), bad
    staff = ApiClient(tenant_a, w.staff.user)
    assert staff.patch(f"{URL}/order-settings", {"quotation_validity_days": 5}).status_code == 403
    with tenant_context(tenant_a):
        row = SalesSettings.objects.get()
        assert (row.quotation_validity_days, row.quotation_expiry_notice_days) == (10, 0)
    # the page
    web = web_client(tenant_a, w.manager.user)
    assert 'name="quotation_validity_days"' in web.get("/sales/settings/").content.decode()
    r = web.post("/sales/settings/", {"stock_check": "refuse", "quotation_validity_days": "45"})
    assert r.status_code == 302
    r = web.post("/sales/settings/", {"stock_check": "refuse", "quotation_validity_days": "0"})
    assert r.status_code == 400
    with tenant_context(tenant_a):
        row = SalesSettings.objects.get()
        assert (row.quotation_validity_days, row.quotation_expiry_notice_days) == (45, 0)
    assert web_client(tenant_a, w.staff.user).post("/sales/settings/", {"stock_check": "warn"}).status_code == 403
    with tenant_context(tenant_a), pytest.raises(ValidationError) as err:
        policy.save_settings(w.manager, quotation_validity_days="abc")
    assert "quotation_validity_days" in err.value.message_dict


def _quote(w, today, days, status=QuotationStatus.SENT):
    q = quotations.create_quotation(
        w.staff,
        customer_id=w.customer.pk,
        date=today - dt.timedelta(days=40),
        lines=[beer_line(w, 1)],
        valid_until=today + dt.timedelta(days=days),
    )
    Quotation.objects.filter(pk=q.pk).update(status=status)
    return q


def test_expiry_notice_once_within_the_notice_period(tenant_a, tenant_b, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        soon = _quote(w, today, 2)  # within the 3 days' notice
        expired = _quote(w, today, -1)  # expired unanswered
        _quote(w, today, 10)  # later
        _quote(w, today, 1, QuotationStatus.DRAFT)  # never sent: no notice
        _quote(w, today, 1, QuotationStatus.ACCEPTED)
    with tenant_context(tenant_b):
        wb = world(tenant_b, 0)
        _quote(wb, today, 0)
    # the Sales Staff dashboard counts the sent quotations expiring within the week (soon)
    assert "Báo giá sắp hết hạn" in web_client(tenant_a, w.staff.user).get("/").content.decode()
    assert quotations.notify_expiring(tenant_a, today) == 2
    assert quotations.notify_expiring(tenant_a, today) == 0  # once per quotation
    with tenant_context(tenant_a):
        notes = {n.url: n for n in Notification.objects.filter(kind="sales")}
        assert set(notes) == {f"/sales/quotations/{soon.pk}/", f"/sales/quotations/{expired.pk}/"}
        assert all(n.recipient_id == w.staff.user.pk for n in notes.values())
        assert soon.number in notes[f"/sales/quotations/{soon.pk}/"].title
        assert Quotation.objects.get(pk=soon.pk).expiry_notified_at is not None
    # a week later the third one is within the notice; the command covers tenant B too (once)
    call_command("sales_quotation_expiry", "--date", (today + dt.timedelta(days=7)).isoformat())
    with tenant_context(tenant_a):
        assert Notification.objects.filter(kind="sales").count() == 3
    with tenant_context(tenant_b):
        assert Notification.objects.filter(kind="sales", recipient=wb.staff.user).count() == 1
