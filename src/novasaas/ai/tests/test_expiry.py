"""Credit expiry, rollover and automatic top-up: the wallet stays the ledger's sum, never negative, and an
expiry never takes more than what is left of its grant (property test against a unit-by-unit oracle)."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novasaas.ai import credits
from novasaas.ai.models import CreditEntry, CreditPack, Wallet
from novasaas.ai.tests.helpers import ask, master_admin, principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_user, web_client

DAY = dt.timedelta(days=1)


def _entries(tenant, kind):
    with tenant_context(tenant):
        return list(CreditEntry.objects.filter(kind=kind).order_by("pk"))


def _spend(tenant, n):
    """A request that used ``n`` credits: reserve then settle (what the gateway does)."""
    with tenant_context(tenant), transaction.atomic():
        if not credits.reserve(tenant, None, n):
            return False
        credits.settle(tenant, None, n, n)
    return True


def test_a_grant_expires_with_what_is_left_of_it_only(tenant_a):
    base = timezone.now()
    admin = master_admin()
    credits.add_credits(admin, tenant_a, credits=100, valid_days=30)  # A: expires first
    credits.add_credits(admin, tenant_a, credits=50)  # B: never expires
    assert _spend(tenant_a, 70)  # taken from A (expires first): 30 of A left, 50 of B
    assert credits.expire_credits(base + 29 * DAY) == {}  # not due yet
    assert credits.expire_credits(base + 31 * DAY) == {tenant_a.pk: 30}
    assert credits.balance(tenant_a) == credits.ledger_sum(tenant_a) == 50
    # idempotent: a second run takes nothing
    assert credits.expire_credits(base + 40 * DAY) == {}
    assert [e.credits for e in _entries(tenant_a, "expiry")] == [-30]


def test_a_used_up_grant_expires_nothing_and_held_credits_count_as_used(tenant_a):
    base = timezone.now()
    credits.add_credits(master_admin(), tenant_a, credits=40, valid_days=10)
    with tenant_context(tenant_a):
        assert credits.reserve(tenant_a, None, 40)  # a request in flight holds everything
    assert credits.expire_credits(base + 11 * DAY) == {tenant_a.pk: 0}
    assert [e.credits for e in _entries(tenant_a, "expiry")] == [0]
    with tenant_context(tenant_a):
        credits.settle(tenant_a, None, 40, 10)  # it used 10: 30 come back to the wallet
    assert credits.balance(tenant_a) == credits.ledger_sum(tenant_a) == 30


def test_rollover_carries_what_is_left_over_once(tenant_a):
    base = timezone.now()
    with tenant_context(tenant_a):
        credits.ensure_wallet(tenant_a)
        Wallet.objects.filter(tenant=tenant_a).update(rollover_days=30)
    credits.add_credits(master_admin(), tenant_a, credits=100, valid_days=10)
    assert _spend(tenant_a, 25)
    assert credits.expire_credits(base + 11 * DAY) == {tenant_a.pk: 0}  # 75 expired, 75 carried over
    rolled = _entries(tenant_a, "rollover")
    assert [(e.credits, e.lot_id) for e in rolled] == [(75, _entries(tenant_a, "grant")[0].pk)]
    assert rolled[0].expires_at - _entries(tenant_a, "grant")[0].expires_at == 30 * DAY
    assert credits.balance(tenant_a) == 75
    # the rollover lot itself expires for good
    assert credits.expire_credits(base + 42 * DAY) == {tenant_a.pk: 75}
    assert credits.balance(tenant_a) == credits.ledger_sum(tenant_a) == 0


def _oracle_left(lots, gone):
    """Unit by unit: every credit of every lot in spending order (expires first, never last, oldest first);
    the first ``gone`` units are used. Returns lot index → units left."""
    units = []
    for i, lot in sorted(enumerate(lots), key=lambda x: (x[1]["days"] is None, x[1]["days"] or 0, x[0])):
        units += [i] * lot["credits"]
    left = [0] * len(lots)
    for i in units[gone:]:
        left[i] += 1
    return left


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("grant"), st.integers(1, 40), st.one_of(st.none(), st.integers(1, 30))),
        st.tuples(st.just("spend"), st.integers(1, 40), st.none()),
        st.tuples(st.just("expire"), st.integers(1, 35), st.none()),
    ),
    min_size=3,
    max_size=14,
)


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=OPS)
def test_property_wallet_is_the_ledger_and_expiry_never_takes_more_than_is_left(tenant_a, ops):
    admin = master_admin()
    base = timezone.now()
    with transaction.atomic():
        lots: list[dict] = []  # oracle: credits and the day (from base) each lot expires
        balance, gone, clock, expired_lots, served = 0, 0, 0, set(), 0
        for kind, n, days in ops:
            if kind == "grant":
                with time_machine.travel(base + clock * DAY, tick=False):
                    credits.add_credits(admin, tenant_a, credits=n, valid_days=days)
                lots.append({"credits": n, "days": None if days is None else clock + days})
                balance += n
            elif kind == "spend":
                ok = _spend(tenant_a, n)
                assert ok == (balance >= n), "refused only when the balance cannot pay"
                if ok:
                    balance, gone, served = balance - n, gone + n, served + 1
            else:
                clock += n  # time only moves forward
                left = _oracle_left(lots, gone)
                due = [i for i, lot in enumerate(lots) if lot["days"] is not None and lot["days"] <= clock]
                due = [i for i in due if i not in expired_lots]
                taken = credits.expire_credits(base + clock * DAY).get(tenant_a.pk, 0)
                expected = sum(left[i] for i in due)
                assert taken == expected
                for i in due:
                    assert 0 <= left[i] <= lots[i]["credits"]
                    expired_lots.add(i)
                balance, gone = balance - expected, gone + expected
            assert credits.balance(tenant_a) == credits.ledger_sum(tenant_a) == balance >= 0
        grants = _entries(tenant_a, "grant")
        for expiry in _entries(tenant_a, "expiry"):
            lot = next(g for g in grants if g.pk == expiry.lot_id)
            assert 0 <= -expiry.credits <= lot.credits
        transaction.set_rollback(True)


def test_automatic_top_up_buys_one_pack_through_the_purchase_path(tenant_a, fake):
    small = CreditPack.objects.get(code="small")
    api = ApiClient(tenant_a, admin_of(tenant_a))
    r = api.patch("/api/v1/ai/wallet", {"topup_threshold": 500})
    assert r.status_code == 400  # a threshold needs a pack
    r = api.patch("/api/v1/ai/wallet", {"topup_threshold": 500, "topup_pack": "nope"})
    assert r.status_code == 400
    r = api.patch("/api/v1/ai/wallet", {"topup_threshold": 500, "topup_pack": "small"})
    assert r.status_code == 200 and r.json()["topup_pack"] == "small"
    credits.add_credits(master_admin(), tenant_a, credits=501)
    fake.behaviour.prompt_tokens, fake.behaviour.completion_tokens = 1000, 1000  # 2 credits
    ask(principal(tenant_a))  # 501 → 499: below the threshold → one Small pack bought
    purchases = _entries(tenant_a, "purchase")
    assert [(e.credits, e.price_vnd, e.pack_id, e.actor_id) for e in purchases] == [(25_000, 250_000, small.pk, None)]
    assert purchases[0].expires_at is not None
    assert credits.balance(tenant_a) == credits.ledger_sum(tenant_a) == 499 + 25_000
    ask(principal(tenant_a), request_id="again")  # above the threshold now: nothing bought
    assert len(_entries(tenant_a, "purchase")) == 1
    from novasaas.platform.models import Notification

    with tenant_context(tenant_a):  # the Tenant Admin is told of the purchase, once
        notes = list(Notification.objects.filter(url="/ai/tokens/").values_list("title", flat=True))
    assert len(notes) == 1 and "25,000" in notes[0]


def test_wallet_settings_are_for_the_tenant_admin_on_page_and_api(tenant_a):
    from novasaas.identity.catalogue import MANAGER

    manager = create_user(tenant_a, MANAGER)
    assert ApiClient(tenant_a, manager).patch("/api/v1/ai/wallet", {"rollover_days": 30}).status_code == 403
    admin = admin_of(tenant_a)
    client = web_client(tenant_a, admin)
    r = client.post(
        "/ai/tokens/wallet/",
        {"allow_shared": "on", "rollover_days": "30", "topup_threshold": "100", "topup_pack": "medium"},
    )
    assert r.status_code == 302
    with tenant_context(tenant_a):
        wallet = Wallet.objects.get()
    assert (wallet.rollover_days, wallet.topup_threshold, wallet.topup_pack.code) == (30, 100, "medium")
    bad = client.post("/ai/tokens/wallet/", {"rollover_days": "-1", "topup_threshold": "0"})
    assert bad.status_code == 400
    with tenant_context(tenant_a):
        assert Wallet.objects.get().rollover_days == 30
