"""Charges from other apps (``actions.add_charge``: pending until the next invoice, or a one-off invoice at
once; idempotent by reference) and refunds of paid invoices (numbered credit notes through the payment
gateway, never more than paid less refunded, VAT in proportion to the đồng; page, PDF and API)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.test import Client

from novasaas.billing import actions, invoicing
from novasaas.billing.models import Charge, PaymentMethod, PlatformInvoice, PlatformRefund
from novasaas.billing.refunds import refund_invoice
from novasaas.billing.tests.helpers import D0, master_client, subscribe
from novasaas.platform.models import AuditLog
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import admin_of, create_tenant, create_user, web_client

D = Decimal


def _invoices(tenant):
    with tenant_context(tenant):
        return list(PlatformInvoice.objects.filter(tenant_id=tenant.pk).prefetch_related("lines").order_by("id"))


def _lines(tenant, invoice):
    with tenant_context(tenant):
        return [(line.kind, line.amount) for line in invoice.lines.all()]


def test_a_pending_charge_goes_on_the_next_invoice_with_the_plan(db):
    a = create_tenant(modules=["CRM"])
    subscribe(a, "starter")  # 500,000 charged on D0, not invoiced yet
    r = actions.add_charge(a, "ai_byok", "AI BYOK Basic", 200_000, D0, "ai-byok:x")
    assert r.created and r.invoice is None and r.charge.subscription_id is not None
    again = actions.add_charge(a, "ai_byok", "AI BYOK Basic", 999, D0, "ai-byok:x")  # a retry: nothing new
    assert (again.created, again.charge.pk, again.charge.amount) == (False, r.charge.pk, D(200_000))
    invoice = invoicing.invoice_charges(a, on=D0)
    assert _lines(a, invoice) == [("plan", D(500_000)), ("ai_byok", D(200_000))]
    assert (invoice.subtotal, invoice.vat, invoice.total) == (D(700_000), D(70_000), D(770_000))
    after = actions.add_charge(a, "ai_byok", "AI BYOK Basic", 200_000, D0, "ai-byok:x")
    assert after.invoice.pk == invoice.pk and len(_invoices(a)) == 1


def test_an_immediate_charge_is_a_one_off_invoice_of_its_own(db):
    a = create_tenant(modules=["CRM"])
    subscribe(a, "starter")
    r = actions.add_charge(a, "ai_credits", "AI credits: Small", 250_000, D0, "ai-pack:1", invoice_now=True)
    assert _lines(a, r.invoice) == [("ai_credits", D(250_000))]
    assert (r.invoice.total, r.invoice.due_on) == (D(275_000), D0 + dt.timedelta(days=7))
    with tenant_context(a):  # the plan's charge waits for the next run
        assert Charge.objects.filter(invoiced=False).values_list("kind", flat=True).get() == "plan"
    # a tenant without subscription is invoiced for what it buys, and dunned by the daily run
    b = create_tenant(modules=["CRM"])
    rb = actions.add_charge(b, "ai_credits", "AI credits: Small", 250_000, D0, "ai-pack:1", invoice_now=True)
    assert rb.invoice.tenant_id == b.pk and rb.charge.subscription_id is None
    counts = invoicing.run_billing_day(D0 + dt.timedelta(days=7))
    assert counts["reminded"] >= 1 and _invoices(b)[0].reminders_sent == 1


@pytest.mark.parametrize(
    ("kind", "amount", "ref", "field"),
    [
        ("plan", 1, "r", "kind"),
        ("ai_credits", 0, "r", "amount"),
        ("ai_credits", -5, "r", "amount"),
        ("ai_credits", "1.5", "r", "amount"),
        ("ai_credits", "abc", "r", "amount"),
        ("ai_credits", 1, "", "source_ref"),
        ("ai_credits", 1, "x" * 121, "source_ref"),
    ],
)
def test_bad_charges_are_refused_and_write_nothing(db, kind, amount, ref, field):
    a = create_tenant(modules=["CRM"])
    with pytest.raises(ValidationError) as exc:
        actions.add_charge(a, kind, "x", amount, D0, ref, invoice_now=True)
    assert field in exc.value.message_dict
    with tenant_context(a):
        assert not Charge.objects.exists() and not PlatformInvoice.objects.exists()


@pytest.fixture
def paid(db, today):
    """Tenant A's invoice of 550,000 (500,000 + VAT 50,000) paid through the gateway; tenant B's of
    2,200,000 unpaid. Issued
    today: the refund page and API date a refund today (its number carries the year), never before its
    invoice."""
    a = create_tenant(modules=["CRM", "INV"])
    b = create_tenant(modules=["CRM", "INV"])
    subscribe(a, "starter", on=today)
    subscribe(b, "business", on=today)
    inv_a = invoicing.invoice_charges(a, on=today)
    inv_b = invoicing.invoice_charges(b, on=today)
    c, master = master_client()
    invoicing.record_payment(inv_a.pk, amount=550_000, reference="GW-1", method=PaymentMethod.GATEWAY)
    return a, b, inv_a, inv_b, (c, master)


def test_partial_refunds_then_the_rest_never_more_than_paid(paid, today):
    a, _b, inv_a, inv_b, (_c, master) = paid
    gw = invoicing.FakeGateway()
    with mock.patch.object(invoicing, "gateway", return_value=gw):
        first = refund_invoice(master, inv_a.pk, amount=100_001, reason="Service outage", on=today)
        with pytest.raises(ValidationError):  # 449,999 left: one đồng more is refused
            refund_invoice(master, inv_a.pk, amount=450_000, reason="x", on=today)
        rest = refund_invoice(master, inv_a.pk, amount=449_999, reason="Cancelled", on=today)
        with pytest.raises(ValidationError):
            refund_invoice(master, inv_a.pk, amount=1, reason="x", on=today)
        with pytest.raises(ValidationError):  # nothing paid on B's invoice
            refund_invoice(master, inv_b.pk, amount=1, reason="x", on=today)
        with pytest.raises(ValidationError):
            refund_invoice(master, inv_a.pk, amount=0, reason="x", on=today)
    y = today.year
    assert (first.number, rest.number) == (f"NSR-{y}-00001", f"NSR-{y}-00002")  # gapless: refusals take none
    # VAT in proportion, cumulatively: round(50,000 × 100,001 / 550,000) = 9,091; the rest 40,909
    assert (first.subtotal, first.vat, first.total) == (D(90_910), D(9_091), D(100_001))
    assert (rest.subtotal, rest.vat, rest.total) == (D(409_090), D(40_909), D(449_999))
    assert first.vat + rest.vat == inv_a.vat and first.subtotal + rest.subtotal == inv_a.subtotal
    assert [(n, amount) for n, amount, _r in gw.refunds] == [(inv_a.number, D(100_001)), (inv_a.number, D(449_999))]
    assert first.provider_ref == f"fake-refund-NSR-{y}-00001"
    with tenant_context(a):
        inv = PlatformInvoice.objects.get(pk=inv_a.pk)
        assert (inv.status, inv.paid, inv.refunded) == ("paid", D(550_000), D(550_000))
        assert AuditLog.objects.filter(object_type__iendswith="platformrefund").count() == 2


def test_refund_page_pdf_api_and_roles(paid, unicode_font, today):
    a, b, inv_a, _ib, (c, _m) = paid
    r = c.post(f"/platform/billing/invoices/{inv_a.pk}/refund/", {"amount": "600000", "reason": "x"})
    assert r.status_code == 302  # refused with a message: more than paid
    r = c.post(f"/platform/billing/invoices/{inv_a.pk}/refund/", {"amount": "55000", "reason": "Goodwill"})
    assert r.status_code == 302
    with platform_context():
        refund = PlatformRefund.objects.get()
    assert (refund.total, refund.vat) == (D(55_000), D(5_000))
    assert refund.number in c.get(f"/platform/billing/tenants/{a.pk}/").content.decode()
    assert refund.number in c.get("/platform/billing/").content.decode()
    assert c.get(f"/platform/billing/refunds/{refund.pk}/pdf/").content.startswith(b"%PDF")
    # API: Master Admin refunds; 400 over the rest, 404 unknown, support staff 403
    api = c.post(
        f"/api/v1/platform/billing/invoices/{inv_a.pk}/refunds",
        json.dumps({"amount": 495_000, "reason": "Closing the account"}),
        content_type="application/json",
    )
    assert api.status_code == 201 and api.json()["vat"] == "45000" and api.json()["invoice_number"] == inv_a.number
    over = c.post(
        f"/api/v1/platform/billing/invoices/{inv_a.pk}/refunds",
        json.dumps({"amount": 1, "reason": "x"}),
        content_type="application/json",
    )
    assert over.status_code == 400
    missing = c.post(
        "/api/v1/platform/billing/invoices/999999/refunds",
        json.dumps({"amount": 1, "reason": "x"}),
        content_type="application/json",
    )
    assert missing.status_code == 404
    support, _s = master_client("support")
    assert support.get("/api/v1/platform/billing/refunds").status_code == 200
    assert (
        support.post(
            f"/api/v1/platform/billing/invoices/{inv_a.pk}/refunds",
            json.dumps({"amount": 1, "reason": "x"}),
            content_type="application/json",
        ).status_code
        == 403
    )
    assert len(c.get("/api/v1/platform/billing/refunds").json()) == 2
    # the tenant sees its refunds (page, PDF, API); the other tenant sees none of them
    web_a = web_client(a, admin_of(a))
    assert refund.number in web_a.get("/billing/").content.decode()
    assert web_a.get(f"/billing/refunds/{refund.pk}/pdf/").content.startswith(b"%PDF")
    from novasaas.platform.testing.fixtures import ApiClient

    assert [r["number"] for r in ApiClient(a, admin_of(a)).get("/api/v1/billing/refunds").json()] == [
        f"NSR-{today.year}-00002",
        f"NSR-{today.year}-00001",
    ]
    assert ApiClient(b, admin_of(b)).get("/api/v1/billing/refunds").json() == []
    assert web_client(b, admin_of(b)).get(f"/billing/refunds/{refund.pk}/pdf/").status_code == 404
    assert web_client(a, create_user(a, "sales_staff")).get(f"/billing/refunds/{refund.pk}/pdf/").status_code == 403
    assert (
        web_a.post(f"/platform/billing/invoices/{inv_a.pk}/refund/", {"amount": "1", "reason": "x"}).status_code == 403
    )
    assert Client().get("/api/v1/platform/billing/refunds").status_code == 403


def test_a_bank_transfer_is_refunded_by_recording_the_bank_refund(db, today):
    """Money paid by bank transfer goes back by bank: the Master Admin records the refund with the bank's
    reference (credit note NSR-, no gateway call, audited); the gateway refunds only what it took."""
    a = create_tenant(modules=["CRM", "INV"])
    b = create_tenant(modules=["CRM", "INV"])
    subscribe(a, "starter", on=today)
    inv = invoicing.invoice_charges(a, on=today)  # 550,000
    c, master = master_client()
    invoicing.record_payment(inv.pk, amount=300_000, reference="VCB-1", actor=master)  # bank transfer
    invoicing.record_payment(inv.pk, amount=250_000, reference="GW-1", method=PaymentMethod.GATEWAY)
    url = f"/platform/billing/invoices/{inv.pk}/refund/"
    with mock.patch.object(invoicing, "gateway", side_effect=AssertionError("no gateway for a bank refund")) as gw:
        # refused with a message, nothing written: no bank reference; more than was paid by bank
        assert c.post(url, {"amount": "1000", "reason": "x", "method": "bank"}).status_code == 302
        assert c.post(url, {"amount": "300001", "reason": "x", "method": "bank", "reference": "R"}).status_code == 302
        assert c.post(url, {"amount": "1", "reason": "x", "method": "cash", "reference": "R"}).status_code == 302
        with platform_context():
            assert not PlatformRefund.objects.exists()
        r = c.post(url, {"amount": "300000", "reason": "Paid twice", "method": "bank", "reference": "VCB-OUT-7"})
        assert r.status_code == 302
        gw.assert_not_called()
    with platform_context():
        refund = PlatformRefund.objects.get()
        assert PlatformInvoice.objects.get(pk=inv.pk).refunded == D(300_000)
    # VAT in proportion: round(50,000 × 300,000 / 550,000) = 27,273
    assert (refund.number, refund.method, refund.provider_ref) == (f"NSR-{today.year}-00001", "bank", "VCB-OUT-7")
    assert (refund.subtotal, refund.vat, refund.total, refund.issued_on) == (D(272_727), D(27_273), D(300_000), today)
    with platform_context():
        entry = AuditLog.objects.get(object_type__iendswith="platformrefund")
    assert (entry.tenant_id, entry.actor_id, entry.message) == (a.pk, master.pk, "refund recorded (bank transfer)")
    assert entry.after["reference"] == "VCB-OUT-7" and entry.after["method"] == "bank"
    page = c.get(f"/platform/billing/tenants/{a.pk}/").content.decode()
    assert "VCB-OUT-7" in page and 'name="method"' in page
    # API: nothing left paid by bank; the gateway pays back its own 250,000 (and no more)
    gw = invoicing.FakeGateway()

    def api(body):
        return c.post(f"/api/v1/platform/billing/invoices/{inv.pk}/refunds", json.dumps(body), "application/json")

    with mock.patch.object(invoicing, "gateway", return_value=gw):
        assert api({"amount": 1, "reason": "x", "method": "bank", "reference": "VCB-2"}).status_code == 400
        assert api({"amount": 1, "reason": "x", "method": "cheque"}).status_code == 422
        assert api({"amount": 250_001, "reason": "x"}).status_code == 400
        done = api({"amount": 250_000, "reason": "Cancelled"})
        assert done.status_code == 201, done.content
        assert (done.json()["method"], done.json()["provider_ref"]) == (
            "gateway",
            f"fake-refund-NSR-{today.year}-00002",
        )
        assert api({"amount": 1, "reason": "x"}).status_code == 400
    assert [(n, amount) for n, amount, _r in gw.refunds] == [(inv.number, D(250_000))]
    support, _s = master_client("support")
    r = support.post(
        f"/api/v1/platform/billing/invoices/{inv.pk}/refunds",
        json.dumps({"amount": 1, "reason": "x", "method": "bank", "reference": "x"}),
        content_type="application/json",
    )
    assert r.status_code == 403
    # the tenant sees how each refund was paid back; the other tenant sees none
    from novasaas.platform.testing.fixtures import ApiClient

    rows = ApiClient(a, admin_of(a)).get("/api/v1/billing/refunds").json()
    assert sorted((x["method"], x["total"]) for x in rows) == [("bank", "300000"), ("gateway", "250000")]
    assert ApiClient(b, admin_of(b)).get("/api/v1/billing/refunds").json() == []
    assert "VCB-OUT-7" not in web_client(b, admin_of(b)).get("/billing/").content.decode()


def test_a_refund_is_never_dated_before_its_invoice_and_a_gateway_refusal_writes_nothing(paid, today):
    a, _b, inv_a, _ib, (_c, master) = paid
    with pytest.raises(ValidationError, match=f"{inv_a.issued_on:%d/%m/%Y}"):  # names the invoice's date
        refund_invoice(master, inv_a.pk, amount=1, reason="x", on=today - dt.timedelta(days=1))

    class Refusing(invoicing.FakeGateway):
        def refund(self, invoice, amount, reference):
            raise invoicing.GatewayError("card expired")

    with mock.patch.object(invoicing, "gateway", return_value=Refusing()), pytest.raises(ValidationError):
        refund_invoice(master, inv_a.pk, amount=1000, reason="x", on=today)
    with platform_context():
        assert not PlatformRefund.objects.exists() and PlatformInvoice.objects.get(pk=inv_a.pk).refunded == 0
    with mock.patch.object(invoicing, "gateway", return_value=invoicing.FakeGateway()):
        assert refund_invoice(master, inv_a.pk, amount=1000, reason="x", on=today).number.endswith("-00001")
