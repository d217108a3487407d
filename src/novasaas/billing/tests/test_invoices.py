"""Platform invoices: gapless numbers, VAT, pages and PDF, payments (Master Admin, signed gateway
callback, idempotent), and the daily run with a controllable clock: trial end, reminders at the due
date, +3 and +7 days, read-only after the grace period, reactivation on payment."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.test import Client

from novasaas.billing import invoicing
from novasaas.billing.models import PlatformInvoice, PlatformPayment, Subscription
from novasaas.billing.tests.helpers import D0, master_client, subscribe
from novasaas.platform.models import Notification
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import admin_of, create_tenant, create_user, web_client

D = Decimal


def _invoices(tenant):
    with tenant_context(tenant):
        return list(PlatformInvoice.objects.filter(tenant_id=tenant.pk).order_by("id"))


def _status(tenant):
    with tenant_context(tenant):
        return Subscription.objects.get(tenant_id=tenant.pk).status


@pytest.fixture
def two(db):
    a = create_tenant(modules=["CRM", "INV"])
    b = create_tenant(modules=["CRM", "INV"])
    subscribe(a, "starter")
    subscribe(b, "business")
    inv_a = invoicing.invoice_charges(a, on=D0)
    inv_b = invoicing.invoice_charges(b, on=D0)
    return a, b, inv_a, inv_b


def test_invoices_are_numbered_gaplessly_with_vat(two):
    a, _b, inv_a, inv_b = two
    assert (inv_a.number, inv_b.number) == ("NS-2026-00001", "NS-2026-00002")
    assert (inv_a.subtotal, inv_a.vat, inv_a.total) == (D(500_000), D(50_000), D(550_000))
    assert (inv_b.subtotal, inv_b.vat, inv_b.total) == (D(2_000_000), D(200_000), D(2_200_000))
    assert inv_a.due_on == D0 + dt.timedelta(days=7)
    assert invoicing.invoice_charges(a, on=D0) is None  # nothing left to invoice
    with tenant_context(a):
        assert [line.amount for line in inv_a.lines.all()] == [D(500_000)]
        assert Notification.objects.filter(kind="billing").exists()


def test_tenant_sees_its_invoice_and_never_anothers(two):
    a, _b, inv_a, inv_b = two
    c = web_client(a, admin_of(a))
    assert inv_a.number in c.get("/billing/").content.decode()
    assert c.get(f"/billing/invoices/{inv_a.pk}/").status_code == 200
    assert c.get(f"/billing/invoices/{inv_b.pk}/").status_code == 404
    assert c.get(f"/billing/invoices/{inv_b.pk}/pdf/").status_code == 404
    assert web_client(a, create_user(a, "sales_staff")).get(f"/billing/invoices/{inv_a.pk}/").status_code == 403


def test_invoice_pdf(two, unicode_font):
    a, _b, inv_a, _ib = two
    r = web_client(a, admin_of(a)).get(f"/billing/invoices/{inv_a.pk}/pdf/")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")


def test_master_admin_records_a_bank_transfer(two, time_machine):
    a, _b, inv_a, _ib = two
    # the console charts the last twelve months: look at it within a year of the invoices (D0)
    time_machine.move_to(dt.datetime.combine(D0 + dt.timedelta(days=30), dt.time(12)), tick=False)
    c, _m = master_client()
    body = c.get("/platform/billing/").content.decode()
    assert inv_a.number in body and "2.500.000" in body  # MRR 500,000 + 2,000,000
    assert "1.250.000" in body  # ARPU over 2 paying tenants
    assert 'id="billing-revenue-data"' in body and "<script>" not in body  # chart data, no inline script
    assert "2500000" in body  # March 2026's invoiced revenue in the chart data
    r = c.post(f"/platform/billing/invoices/{inv_a.pk}/payment/", {"amount": "600000", "reference": "VCB1"})
    assert r.status_code == 302
    assert _invoices(a)[0].status == "issued"  # more than due: refused
    c.post(f"/platform/billing/invoices/{inv_a.pk}/payment/", {"amount": "550000", "reference": "VCB1"})
    assert (_invoices(a)[0].status, _invoices(a)[0].paid) == ("paid", D(550_000))


def test_support_staff_and_tenants_cannot_record_payments(two):
    a, _b, inv_a, _ib = two
    support, _u = master_client("support")
    assert support.get("/platform/billing/").status_code == 200
    assert (
        support.post(
            f"/platform/billing/invoices/{inv_a.pk}/payment/", {"amount": "550000", "reference": "X"}
        ).status_code
        == 403
    )
    assert web_client(a, admin_of(a)).get("/platform/billing/").status_code == 403
    with platform_context():
        assert not PlatformPayment.objects.exists()


def test_gateway_callback_is_verified_and_idempotent(two):
    a, _b, inv_a, _ib = two
    gw = invoicing.FakeGateway()
    body = json.dumps({"invoice": inv_a.number, "amount": "550000", "transaction": "GW-1"}).encode()
    c = Client()
    url = "/billing/gateway/callback/"
    assert c.post(url, body, content_type="application/json", HTTP_X_SIGNATURE="bad").status_code == 400
    assert _invoices(a)[0].status == "issued"
    for expected in (True, False):  # the provider retries: recorded once
        r = c.post(url, body, content_type="application/json", HTTP_X_SIGNATURE=gw.sign(body))
        assert r.status_code == 200 and r.json() == {"recorded": expected}
    with platform_context():
        assert PlatformPayment.objects.filter(reference="GW-1").count() == 1
    assert _invoices(a)[0].status == "paid"
    forged = json.dumps({"invoice": inv_a.number, "amount": "1", "transaction": "GW-2"}).encode()
    assert c.post(url, forged, content_type="application/json", HTTP_X_SIGNATURE=gw.sign(body)).status_code == 400


def test_trial_end_reminders_read_only_and_reactivation(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter", trial=True)  # trial 1 → 15 March 2026
    admin = admin_of(t)
    create_user(t, "manager")  # two users: the data does not fit Free Forever

    def day(n):
        return invoicing.run_billing_day(D0 + dt.timedelta(days=n))

    def reminders():
        with tenant_context(t):
            return Notification.objects.filter(recipient=admin, kind="billing").count()

    # the first run is on the trial's last day: one trial reminder for the 7/3/1-day thresholds passed
    assert day(13) == {"renewed": 0, "invoiced": 0, "reminded": 0, "read_only": 0, "trial_reminded": 1}
    assert day(14)["invoiced"] == 1  # trial over: first period charged and invoiced, due 22 March
    (invoice,) = _invoices(t)
    assert (invoice.issued_on, invoice.due_on, invoice.total) == (
        dt.date(2026, 3, 15),
        dt.date(2026, 3, 22),
        D(550_000),
    )
    assert _status(t) == "active" and reminders() == 2  # the trial reminder, the invoice itself
    assert day(20)["reminded"] == 0
    assert day(21)["reminded"] == 1 and _status(t) == "past_due"  # due date
    assert day(21)["reminded"] == 0  # the same day again: nothing twice
    assert day(24)["reminded"] == 1  # +3
    assert day(28)["reminded"] == 1  # +7
    assert day(34)["read_only"] == 0 and _status(t) == "past_due"
    assert day(35)["read_only"] == 1 and _status(t) == "read_only"  # due + 14 days of grace
    assert reminders() == 5
    body = web_client(t, admin).get("/billing/").content.decode()
    assert "overdue" in body or "quá hạn" in body
    _c, master = master_client()
    invoicing.record_payment(invoice.pk, amount="550000", reference="VCB-77", actor=master)
    assert _status(t) == "active"


def test_read_only_workspace_refuses_writes_on_pages_and_api_but_reads(db):
    from novasaas.platform.testing.fixtures import ApiClient

    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter")
    with tenant_context(t):
        Subscription.objects.filter(tenant_id=t.pk).update(status="read_only")
    admin = admin_of(t)
    api = ApiClient(t, admin)
    r = api.post("/api/v1/inventory/warehouses", {"code": "DN", "name": "Kho Đà Nẵng"})
    assert r.status_code == 403 and r.json()["upgrade_url"] == "/billing/"
    assert api.get("/api/v1/inventory/warehouses").status_code == 200
    c = web_client(t, admin)
    assert c.post("/inventory/warehouses/new/", {"code": "DN", "name": "Kho Đà Nẵng"}).status_code == 403
    assert c.get("/inventory/warehouses/").status_code == 200
    assert c.get("/billing/").status_code == 200
    with tenant_context(t):
        from novasaas.inventory.models import Warehouse

        assert not Warehouse.objects.filter(code="DN").exists()


def test_invoice_api_for_the_tenant_and_the_master_admin(two):
    from novasaas.platform.testing.fixtures import ApiClient

    a, b, inv_a, inv_b = two
    api = ApiClient(a, admin_of(a))
    listed = api.get("/api/v1/billing/invoices").json()
    assert [i["number"] for i in listed] == [inv_a.number]
    assert api.get(f"/api/v1/billing/invoices/{inv_a.pk}").json()["lines"][0]["amount"] == "500000"
    assert api.get(f"/api/v1/billing/invoices/{inv_b.pk}").status_code == 404
    assert (
        api.post(
            f"/api/v1/platform/billing/invoices/{inv_a.pk}/payments", {"amount": "550000", "reference": "X"}
        ).status_code
        == 403
    )
    c, _m = master_client()
    subs = c.get("/api/v1/platform/billing/subscriptions").json()
    assert {(s["tenant_slug"], s["mrr"]) for s in subs} == {(a.slug, "500000"), (b.slug, "2000000")}
    assert len(c.get("/api/v1/platform/billing/invoices?unpaid=true").json()) == 2
    r = c.post(
        f"/api/v1/platform/billing/invoices/{inv_a.pk}/payments",
        {"amount": "550000", "reference": "VCB9"},
        content_type="application/json",
    )
    assert r.status_code == 201 and r.json()["status"] == "paid"
    r = c.post(
        f"/api/v1/platform/billing/invoices/{inv_b.pk}/payments",
        {"amount": "1", "reference": ""},
        content_type="application/json",
    )
    assert r.status_code == 422
    assert (
        c.post(
            "/api/v1/platform/billing/invoices/999999/payments",
            {"amount": "1", "reference": "z"},
            content_type="application/json",
        ).status_code
        == 404
    )


def test_an_unpaid_trial_whose_data_fits_falls_back_to_free_forever(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter", trial=True)
    for n in (14, 21, 24, 28):
        invoicing.run_billing_day(D0 + dt.timedelta(days=n))
    assert _status(t) == "past_due"
    assert invoicing.run_billing_day(D0 + dt.timedelta(days=35))["read_only"] == 0
    with tenant_context(t):
        sub = Subscription.objects.select_related("plan").get(tenant_id=t.pk)
        assert (sub.plan.code, sub.status) == ("free", "active")
    assert [i.status for i in _invoices(t)] == ["void"]
    with platform_context():
        from novasaas.platform.models import Tenant

        assert sorted(Tenant.objects.get(pk=t.pk).enabled_modules) == ["CRM", "INV"]
