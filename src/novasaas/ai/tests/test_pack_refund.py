"""A refund of an AI pack's invoice (billing's ``InvoiceRefunded``) takes the refunded share of the pack's
credits back out of the wallet, never more than is left of the pack: what was spent, is held or has expired
stays spent; the wallet is the ledger's sum and never negative (property test against a unit-by-unit
oracle)."""

from __future__ import annotations

import datetime as dt
import json
from unittest import mock

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from django.test import Client
from django.utils import timezone
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from novasaas.ai import credits
from novasaas.ai.models import CreditEntry, CreditPack
from novasaas.ai.tests.helpers import master_admin
from novasaas.billing import invoicing
from novasaas.billing.models import PaymentMethod, PlatformInvoice
from novasaas.billing.refunds import refund_invoice
from novasaas.platform.models import AuditLog
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_user, web_client

DAY = dt.timedelta(days=1)


def _spend(tenant, n):
    """A request that used ``n`` credits: reserve then settle (what the gateway does)."""
    with tenant_context(tenant), transaction.atomic():
        if not credits.reserve(tenant, None, n):
            return False
        credits.settle(tenant, None, n, n)
    return True


def _buy_and_pay(tenant, pack="small"):
    """The Tenant Admin buys a pack (API); the gateway's payment of its invoice comes in. Returns the
    purchase entry's id and the invoice."""
    r = ApiClient(tenant, admin_of(tenant)).post("/api/v1/ai/wallet/purchase", {"pack": pack})
    assert r.status_code == 201, r.content
    with platform_context():
        invoice = PlatformInvoice.objects.get(number=r.json()["invoice"])
    invoicing.record_payment(invoice.pk, amount=invoice.total, reference=f"GW-{invoice.number}", method="gateway")
    return r.json()["id"], invoice


def _pack_refunds(tenant):
    with tenant_context(tenant):
        return [(e.credits, e.lot_id, e.note) for e in CreditEntry.objects.filter(kind="pack_refund").order_by("pk")]


@pytest.fixture
def master_api():
    web = Client()
    web.force_login(master_admin(), backend="django.contrib.auth.backends.ModelBackend")

    def refund(invoice, amount, **extra):
        return web.post(
            f"/api/v1/platform/billing/invoices/{invoice.pk}/refunds",
            json.dumps({"amount": amount, "reason": "Customer asked", **extra}),
            content_type="application/json",
        )

    return refund


def test_a_refunded_pack_leaves_the_wallet_but_what_was_spent_stays_spent(tenant_a, tenant_b, master_api):
    credits.add_credits(master_admin(), tenant_a, credits=1_000)  # a grant without expiry: spent last
    pack_id, invoice = _buy_and_pay(tenant_a)  # Small: 25,000 credits, 275,000 đ with VAT
    _pid_b, invoice_b = _buy_and_pay(tenant_b)
    assert _spend(tenant_a, 5_000)  # from the pack (it expires first): 20,000 of it left
    with mock.patch.object(invoicing, "gateway", return_value=invoicing.FakeGateway()):
        half = master_api(invoice, 137_500)  # half the money: half the pack, 12,500 credits
        assert half.status_code == 201, half.content
        assert credits.balance(tenant_a) == credits.ledger_sum(tenant_a) == 26_000 - 5_000 - 12_500
        rest = master_api(invoice, 137_500)  # the other half: 12,500 more, but only 7,500 are left
        assert rest.status_code == 201
    assert _pack_refunds(tenant_a) == [
        (-12_500, pack_id, half.json()["number"]),
        (-7_500, pack_id, rest.json()["number"]),
    ]
    assert credits.balance(tenant_a) == credits.ledger_sum(tenant_a) == 1_000  # the grant is untouched
    # the other tenant's pack and wallet are untouched
    assert credits.balance(tenant_b) == 25_000 and _pack_refunds(tenant_b) == []
    with platform_context():
        assert PlatformInvoice.objects.get(pk=invoice_b.pk).refunded == 0
        assert AuditLog.objects.filter(tenant=tenant_a, message__startswith="AI credits removed").count() == 2
    # the Tenant Admin sees it in the ledger (API and page); a member without AI management does not
    ledger = ApiClient(tenant_a, admin_of(tenant_a)).get("/api/v1/ai/ledger").json()["items"]
    assert [(e["kind"], e["credits"], e["note"]) for e in ledger[:2]] == [
        ("pack_refund", -7_500, rest.json()["number"]),
        ("pack_refund", -12_500, half.json()["number"]),
    ]
    other = ApiClient(tenant_b, admin_of(tenant_b)).get("/api/v1/ai/ledger").json()["items"]
    assert other and all(e["kind"] != "pack_refund" for e in other)
    page = web_client(tenant_a, admin_of(tenant_a)).get("/ai/tokens/").content.decode()
    assert rest.json()["number"] in page
    assert ApiClient(tenant_a, create_user(tenant_a, "sales_staff")).get("/api/v1/ai/ledger").status_code == 403


def test_a_refund_of_a_pack_spent_or_expired_removes_nothing_and_a_refused_refund_keeps_the_credits(
    tenant_a, master_api
):
    pack_id, invoice = _buy_and_pay(tenant_a)
    assert _spend(tenant_a, 25_000)  # all spent

    class Refusing(invoicing.FakeGateway):
        def refund(self, invoice, amount, reference):
            raise invoicing.GatewayError("refused")

    second_id, second = _buy_and_pay(tenant_a)
    with mock.patch.object(invoicing, "gateway", return_value=Refusing()):
        assert master_api(second, 275_000).status_code == 400  # the provider refused: credits stay
    assert credits.balance(tenant_a) == 25_000 and _pack_refunds(tenant_a) == []
    with mock.patch.object(invoicing, "gateway", return_value=invoicing.FakeGateway()):
        r = master_api(invoice, 275_000)  # nothing left of the first pack: a 0 entry records the refund
        assert r.status_code == 201
    assert _pack_refunds(tenant_a) == [(0, pack_id, r.json()["number"])]
    assert credits.balance(tenant_a) == credits.ledger_sum(tenant_a) == 25_000
    # the second pack expires unused, then its invoice is refunded: nothing is left to take
    later = timezone.now() + dt.timedelta(days=CreditPack.objects.get(code="small").valid_days + 1)
    assert credits.expire_credits(later) == {tenant_a.pk: 25_000}
    with mock.patch.object(invoicing, "gateway", return_value=invoicing.FakeGateway()):
        r2 = master_api(second, 275_000)
    assert _pack_refunds(tenant_a)[-1] == (0, second_id, r2.json()["number"])
    assert credits.balance(tenant_a) == credits.ledger_sum(tenant_a) == 0
    # a bank-paid pack refunded by bank: same removal, no gateway
    r = ApiClient(tenant_a, admin_of(tenant_a)).post("/api/v1/ai/wallet/purchase", {"pack": "small"})
    with platform_context():
        third = PlatformInvoice.objects.get(number=r.json()["invoice"])
    invoicing.record_payment(third.pk, amount=third.total, reference="VCB-PACK", actor=master_admin())
    with mock.patch.object(invoicing, "gateway", side_effect=AssertionError("no gateway")):
        assert master_api(third, 275_000, method="bank", reference="VCB-BACK").status_code == 201
    assert _pack_refunds(tenant_a)[-1][0] == -25_000 and credits.balance(tenant_a) == 0


def _oracle_left(lots, gone):
    """Unit by unit: every credit still in a lot (its size less what its refunds removed), in spending
    order (expires first, never last, oldest first); the first ``gone`` units were used. Lot → units left."""
    units = []
    order = sorted(range(len(lots)), key=lambda i: (lots[i]["day"] is None, lots[i]["day"] or 0, i))
    for i in order:
        units += [i] * (lots[i]["credits"] - lots[i]["removed"])
    left = [0] * len(lots)
    for i in units[gone:]:
        left[i] += 1
    return left


PACK = 25_000  # Small
TOTAL = 275_000  # its invoice, VAT included

BUY = st.tuples(st.just("buy"), st.just(0), st.none())
REFUND = st.tuples(st.just("refund"), st.integers(1, TOTAL), st.integers(0, 5))
OPS = st.lists(
    st.one_of(  # a refund first and twice: Hypothesis leans to the first branch, most sequences refund
        REFUND,
        st.tuples(st.just("spend"), st.integers(1, 30_000), st.none()),
        BUY,
        st.tuples(st.just("grant"), st.integers(1, 20_000), st.one_of(st.none(), st.integers(1, 30))),
        REFUND,
        st.tuples(st.just("expire"), st.integers(1, 40), st.none()),
    ),
    min_size=3,
    max_size=10,
).map(lambda ops: [("buy", 0, None), *ops])  # a pack to refund from the start


@settings(max_examples=20, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_property_pack_refunds_never_overspend_nor_go_negative(tenant_a, ops):
    admin = master_admin()
    small = CreditPack.objects.get(code="small")
    base = timezone.now()
    with transaction.atomic(), mock.patch.object(invoicing, "gateway", return_value=invoicing.FakeGateway()):
        lots: list[dict] = []  # oracle: credits, expiry day (from base), removed by refunds, invoice
        gone, clock, expired = 0, 0, set()
        refunds_done = 0
        for kind, n, extra in ops:
            with time_machine.travel(base + clock * DAY, tick=False):
                if kind == "buy":
                    entry = credits.record_purchase(tenant_a, small)
                    with platform_context():
                        invoice = PlatformInvoice.objects.get(number=entry.invoice_number)
                    invoicing.record_payment(
                        invoice.pk, amount=invoice.total, reference=f"GW-{invoice.pk}", method=PaymentMethod.GATEWAY
                    )
                    lots.append({"credits": PACK, "day": clock + small.valid_days, "removed": 0, "invoice": invoice})
                    lots[-1]["refunded"] = 0
                elif kind == "grant":
                    credits.add_credits(admin, tenant_a, credits=n, valid_days=extra)
                    lots.append({"credits": n, "day": None if extra is None else clock + extra, "removed": 0})
                elif kind == "spend":
                    balance = sum(lot["credits"] - lot["removed"] for lot in lots) - gone
                    ok = _spend(tenant_a, n)
                    assert ok == (balance >= n), "refused only when the balance cannot pay"
                    gone += n if ok else 0
                elif kind == "refund":
                    packs = [i for i, lot in enumerate(lots) if "invoice" in lot]
                    if not packs:
                        continue
                    i = packs[extra % len(packs)]
                    lot = lots[i]
                    amount = min(n, TOTAL - lot["refunded"])
                    if amount <= 0:
                        with pytest.raises(ValidationError), transaction.atomic():
                            refund_invoice(admin, lot["invoice"].pk, amount=n, reason="x", on=timezone.localdate())
                        continue
                    left = _oracle_left(lots, gone)[i]
                    refund_invoice(admin, lot["invoice"].pk, amount=amount, reason="x", on=timezone.localdate())
                    lot["refunded"] += amount
                    target = (2 * PACK * lot["refunded"] + TOTAL) // (2 * TOTAL)
                    expected = max(0, min(target - lot["removed"], left))
                    removed = -[c for c, _lot, _n in _pack_refunds(tenant_a)][-1]
                    assert removed == expected, "the refunded share, at most what is left of the pack"
                    lot["removed"] += removed
                    refunds_done += 1
                else:
                    clock += n
            if kind == "expire":
                left = _oracle_left(lots, gone)
                due = [i for i, lot in enumerate(lots) if lot["day"] is not None and lot["day"] <= clock]
                due = [i for i in due if i not in expired]
                taken = credits.expire_credits(base + clock * DAY).get(tenant_a.pk, 0)
                assert taken == sum(left[i] for i in due)
                expired.update(due)
                gone += taken
            balance = sum(lot["credits"] - lot["removed"] for lot in lots) - gone
            assert credits.balance(tenant_a) == credits.ledger_sum(tenant_a) == balance >= 0
        for lot in lots:  # a pack never loses more than its credits, nor more than its refunded share
            if "invoice" in lot:
                assert 0 <= lot["removed"] <= (2 * PACK * lot["refunded"] + TOTAL) // (2 * TOTAL) <= PACK
        assert len(_pack_refunds(tenant_a)) == refunds_done
        event(f"pack refunds: {min(refunds_done, 2)}+")
        transaction.set_rollback(True)
