"""What AI sells goes through billing's ``add_charge``: a pack bought (Master Admin, Tenant Admin, the
automatic top-up) is invoiced at once, to the đồng, in the ledger entry's transaction; BYOK plan fees are
charged with each paid period and pro-rata within one; never twice, never to another tenant."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client

from novasaas.ai import charges, credits
from novasaas.ai.models import CreditEntry, CreditPack
from novasaas.ai.tests.helpers import ask, master_admin, principal
from novasaas.billing import invoicing
from novasaas.billing.models import Charge, PlatformInvoice
from novasaas.billing.pricing import add_months
from novasaas.billing.tests.helpers import subscribe
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant

D = Decimal


def _invoices(tenant):
    with tenant_context(tenant):
        return list(PlatformInvoice.objects.filter(tenant_id=tenant.pk).prefetch_related("lines").order_by("id"))


def _charges(tenant):
    with tenant_context(tenant):
        return list(Charge.objects.filter(tenant_id=tenant.pk).order_by("id"))


def test_automatic_top_up_is_invoiced_at_once_to_the_dong(tenant_a, tenant_b, fake):
    ApiClient(tenant_a, admin_of(tenant_a)).patch("/api/v1/ai/wallet", {"topup_threshold": 500, "topup_pack": "small"})
    credits.add_credits(master_admin(), tenant_a, credits=501)
    fake.behaviour.prompt_tokens, fake.behaviour.completion_tokens = 1000, 1000  # 2 credits
    ask(principal(tenant_a))  # 501 → 499: one Small pack bought
    [entry] = [e for e in _entries(tenant_a) if e.kind == "purchase"]
    [invoice] = _invoices(tenant_a)
    assert [(line.kind, line.amount) for line in invoice.lines.all()] == [("ai_credits", D(250_000))]
    assert "Small" in invoice.lines.all()[0].description
    assert (invoice.subtotal, invoice.vat, invoice.total, invoice.status) == (
        D(250_000),
        D(25_000),
        D(275_000),
        "issued",
    )
    [charge] = _charges(tenant_a)
    assert (charge.source_ref, charge.invoice_id, charge.subscription_id) == (f"ai-pack:{entry.pk}", invoice.pk, None)
    # a retry of the same purchase's charge changes nothing: one charge, one invoice
    with tenant_context(tenant_a):
        again = charges.charge_pack(tenant_a, entry, entry.pack)
    assert (again.created, again.invoice.pk) == (False, invoice.pk)
    assert len(_charges(tenant_a)) == 1 and len(_invoices(tenant_a)) == 1
    # the other tenant has nothing, and cannot read tenant A's invoice
    assert _invoices(tenant_b) == [] and _charges(tenant_b) == []
    assert ApiClient(tenant_b, admin_of(tenant_b)).get(f"/api/v1/billing/invoices/{invoice.pk}").status_code == 404


def _entries(tenant):
    with tenant_context(tenant):
        return list(CreditEntry.objects.select_related("pack").order_by("pk"))


def test_master_admin_pack_purchase_is_invoiced_and_answers_the_invoice_number(tenant_a, tenant_b):
    web = Client()
    web.force_login(master_admin(), backend="django.contrib.auth.backends.ModelBackend")

    def post(body):
        return web.post("/api/v1/ai/platform/credits", json.dumps(body), content_type="application/json")

    r = post({"tenant": tenant_a.slug, "pack": "medium"})
    assert r.status_code == 201, r.content
    [invoice] = _invoices(tenant_a)
    assert r.json()["invoice"] == invoice.number
    assert (invoice.subtotal, invoice.vat, invoice.total) == (D(800_000), D(80_000), D(880_000))
    grant = post({"tenant": tenant_a.slug, "credits": 100})
    assert grant.status_code == 201 and grant.json()["invoice"] == ""  # a grant is free: no invoice
    assert len(_invoices(tenant_a)) == 1 and _invoices(tenant_b) == []
    assert credits.balance(tenant_a) == credits.ledger_sum(tenant_a) == 100_100


def test_ledger_entry_and_charge_are_one_transaction(tenant_a):
    small = CreditPack.objects.get(code="small")
    with (
        mock.patch.object(invoicing, "_next_number", side_effect=ValidationError("billing is down")),
        pytest.raises(ValidationError),
        transaction.atomic(),  # the test's own savepoint (an error through tenant_context ends a transaction)
    ):
        credits.record_purchase(tenant_a, small)
    assert _entries(tenant_a) == [] and _charges(tenant_a) == [] and credits.balance(tenant_a) == 0


def test_tenant_admin_buys_a_pack_on_page_and_api_manager_cannot(tenant_a):
    from novasaas.identity.catalogue import MANAGER
    from novasaas.platform.testing.fixtures import create_user, web_client

    manager = create_user(tenant_a, MANAGER)
    assert ApiClient(tenant_a, manager).post("/api/v1/ai/wallet/purchase", {"pack": "small"}).status_code == 403
    api = ApiClient(tenant_a, admin_of(tenant_a))
    assert api.post("/api/v1/ai/wallet/purchase", {"pack": "nope"}).status_code == 400
    assert _invoices(tenant_a) == []
    r = api.post("/api/v1/ai/wallet/purchase", {"pack": "small"})
    assert r.status_code == 201 and r.json()["credits"] == 25_000
    assert r.json()["invoice"] == _invoices(tenant_a)[0].number
    client = web_client(tenant_a, admin_of(tenant_a))
    assert client.post("/ai/tokens/purchase/", {"pack": "large"}).status_code == 302
    assert [i.subtotal for i in _invoices(tenant_a)] == [D(250_000), D(3_500_000)]
    assert client.post("/ai/tokens/purchase/", {"pack": "nope"}).status_code == 400
    assert web_client(tenant_a, manager).post("/ai/tokens/purchase/", {"pack": "small"}).status_code == 403
    assert credits.balance(tenant_a) == credits.ledger_sum(tenant_a) == 525_000


@pytest.mark.date_sensitive
def test_byok_plan_fee_is_charged_pro_rata_then_with_each_period(db, today):
    a = create_tenant(modules=["CRM"])
    b = create_tenant(modules=["CRM"])
    start = today.replace(day=1)
    subscribe(a, "professional", on=start)
    subscribe(b, "professional", on=start)
    end = add_months(start, 1)
    api = ApiClient(a, admin_of(a))
    assert api.patch("/api/v1/ai/wallet", {"byok_plan": "basic"}).status_code == 200
    days, left = (end - start).days, (end - today).days
    basic = (D(200_000) * left / days).quantize(D(1), rounding="ROUND_HALF_UP")
    premium = (D(800_000) * left / days).quantize(D(1), rounding="ROUND_HALF_UP")
    api.patch("/api/v1/ai/wallet", {"byok_plan": "premium"})  # raised: the difference for the days left
    api.patch("/api/v1/ai/wallet", {"byok_plan": "basic"})  # lowered: no refund
    api.patch("/api/v1/ai/wallet", {"byok_plan": "premium"})  # already paid for this period: nothing more
    assert [(c.kind, c.amount) for c in _charges(a) if c.kind == "ai_byok"] == [
        ("ai_byok", basic),
        ("ai_byok", premium),
    ]
    # the renewal charges the plan held (Premium) for the whole next period, on the period's invoice
    with tenant_context(a):
        invoicing.run_billing_day(end)
    [invoice] = _invoices(a)  # one invoice: both periods' plan fees and every BYOK charge
    byok = [line.amount for line in invoice.lines.all() if line.kind == "ai_byok"]
    assert byok == [basic, premium, D(1_000_000)]
    assert invoice.subtotal == D(10_000_000) + basic + premium + D(1_000_000)
    assert invoice.vat == (invoice.subtotal / 10).quantize(D(1), rounding="ROUND_HALF_UP")
    # run again the same day: nothing charged twice
    with tenant_context(a):
        invoicing.run_billing_day(end)
    assert sum(1 for c in _charges(a) if c.source_ref == f"ai-byok:{end.isoformat()}") == 1
    # tenant B chose no BYOK plan: no BYOK charge
    assert [c for c in _charges(b) if c.kind == "ai_byok"] == []


def test_no_byok_fee_without_subscription_or_during_a_trial(db, today):
    free_of_billing = create_tenant(modules=["CRM"])
    ApiClient(free_of_billing, admin_of(free_of_billing)).patch("/api/v1/ai/wallet", {"byok_plan": "standard"})
    trial = create_tenant(modules=["CRM"])
    with tenant_context(trial):
        from novasaas.billing import actions

        actions.start_subscription(trial, "business", on=today)
    ApiClient(trial, admin_of(trial)).patch("/api/v1/ai/wallet", {"byok_plan": "standard"})
    assert _charges(free_of_billing) == [] and _charges(trial) == []
    assert charges.charge_byok_change(trial, "", "standard", on=today + dt.timedelta(days=1)) is None
