"""Loyalty: points earned on invoices, reversed by credit notes, added by hand (audited), redeemed as a
discount before VAT on an order (taken on confirmation, given back on cancellation), expired oldest
first; the balance is the ledger's sum and never below zero (property test against an oracle)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novasaas.platform.tenancy import tenant_context
from novasaas.sales import actions, deliveries, loyalty, returns
from novasaas.sales.models import Customer, LoyaltyEntry, LoyaltyKind, SalesOrder
from novasaas.sales.subscribers import INVOICE_SOURCE
from novasaas.sales.tests.helpers import beer_line, ledger_lines, order, world

D = Decimal


@pytest.fixture(autouse=True)
def _english():
    from django.utils import translation

    with translation.override("en"):
        yield


def _programme(w, **fields):
    return loyalty.configure(w.manager, **{"is_active": True, "points_per": "10000", "point_value": "100", **fields})


def _balance(w) -> int:
    return Customer.objects.get(pk=w.customer.pk).loyalty_points


def test_earn_on_invoice_reverse_on_credit_note(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        o = order(w, beer_line(w, 7, "15000"))  # 105,000 before VAT
        actions.confirm_order(w.staff, o.pk)
        deliveries.deliver_order(w.staff, o.pk)
        before_programme = deliveries.invoice_order(w.staff, o.pk)
        assert _balance(w) == 0 and before_programme  # no programme, no points
        _programme(w, expiry_months=12)
        o = order(w, beer_line(w, 7, "15000"))
        actions.confirm_order(w.staff, o.pk)
        deliveries.deliver_order(w.staff, o.pk)
        invoice = deliveries.invoice_order(w.staff, o.pk)
        entry = LoyaltyEntry.objects.get()
        # ⌊105,000 / 10,000⌋ = 10 points, expiring 12 months after the invoice date
        assert (entry.kind, entry.points, entry.balance_after, entry.source) == (
            LoyaltyKind.EARNED,
            10,
            10,
            f"invoice:{invoice.pk}",
        )
        assert entry.expires_on == loyalty.add_months(invoice.date, 12)
        line = invoice.lines.get()
        returns.credit_invoice(w.staff, invoice.pk, lines=[{"line_id": line.pk, "quantity": "2"}])
        # 75,000 left of 105,000: keeps ⌊10 × 75/105⌋ = 7, 3 reversed
        assert _balance(w) == 7
        returns.credit_invoice(w.staff, invoice.pk, lines=[{"line_id": line.pk, "quantity": "5"}])
        assert _balance(w) == 0
        assert [e.points for e in LoyaltyEntry.objects.order_by("id")] == [10, -3, -7]


def test_manual_add_audited_and_never_negative(tenant_a):
    from novasaas.platform.models import AuditLog

    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        entry = loyalty.add_points(w.staff, w.customer.pk, points=50, reason="Khách thân thiết")
        assert (entry.kind, entry.points, entry.balance_after, entry.created_by_id) == (
            LoyaltyKind.MANUAL,
            50,
            50,
            w.staff.user.pk,
        )
        assert AuditLog.objects.filter(object_type__iendswith="loyaltyentry", object_id=str(entry.pk)).exists()
        with pytest.raises(ValidationError, match="has only 50 points"):
            loyalty.add_points(w.staff, w.customer.pk, points=-51, reason="Sai")
        with pytest.raises(ValidationError, match="Say why"):
            loyalty.add_points(w.staff, w.customer.pk, points=5, reason=" ")
        with pytest.raises(ValidationError):
            loyalty.add_points(w.staff, w.customer.pk, points="abc", reason="x")
        assert _balance(w) == 50 and LoyaltyEntry.objects.count() == 1
        with pytest.raises(PermissionDenied):
            loyalty.configure(w.staff, is_active=True)


def test_redeem_on_order_books_a_discount_and_cancel_gives_back(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        _programme(w)
        loyalty.add_points(w.manager, w.customer.pk, points=600, reason="Khuyến mãi khai trương")
        o = order(w, beer_line(w, 3, "15000"), {"description": "Lắp đặt", "quantity": "1", "unit_price": "10000"})
        with pytest.raises(ValidationError, match="has only 600 points"):
            loyalty.set_order_points(w.staff, o.pk, 601)
        with pytest.raises(ValidationError, match="more than the"):
            loyalty.set_order_points(w.staff, o.pk, 551)  # 55,100 > 55,000 before VAT
        loyalty.set_order_points(w.staff, o.pk, 100)  # 10,000 đ spread 45,000 : 10,000
        o = SalesOrder.objects.get(pk=o.pk)
        # 10,000 × 45/55 = 8,181.8 → 8,181 + remainder 1 to line 1 (.818 > .181) → 8,182 / 1,818
        assert [li.allowance for li in o.lines.all()] == [D(8182), D(1818)]
        assert (o.points_discount, o.untaxed, o.vat, o.total) == (D(10000), D(45000), D(4500), D(49500))
        assert _balance(w) == 600  # taken on confirmation
        actions.confirm_order(w.staff, o.pk)
        assert _balance(w) == 500
        actions.cancel_order(w.staff, o.pk)
        assert _balance(w) == 600
        o2 = order(w, beer_line(w, 3, "15000"))
        loyalty.set_order_points(w.staff, o2.pk, 100)
        loyalty.add_points(w.manager, w.customer.pk, points=-550, reason="Điều chỉnh")
        with pytest.raises(ValidationError, match="has only 50 points"):
            actions.confirm_order(w.staff, o2.pk)  # the balance fell meanwhile: refused, nothing changed
        assert SalesOrder.objects.get(pk=o2.pk).status == "draft" and _balance(w) == 50
        loyalty.set_order_points(w.staff, o2.pk, 50)
        actions.confirm_order(w.staff, o2.pk)
        deliveries.deliver_order(w.staff, o2.pk)
        invoice = deliveries.invoice_order(w.staff, o2.pk)
        # 45,000 − 5,000 = 40,000 revenue, VAT 4,000; the invoice earns ⌊40,000 / 10,000⌋ = 4 points
        assert ledger_lines(tenant_a, INVOICE_SOURCE, invoice.pk) == {
            "131": (D(44000), D(0)),
            "5111": (D(0), D(40000)),
            "33311": (D(0), D(4000)),
        }
        assert _balance(w) == 4


def test_expiry_takes_the_oldest_unused_points(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        _programme(w, expiry_months=1)
        customer = Customer.objects.select_for_update().get(pk=w.customer.pk)
        start = dt.date(today.year, 1, 31)
        loyalty._append(customer, LoyaltyKind.EARNED, 30, start, expires_on=loyalty.add_months(start, 1))
        loyalty._append(customer, LoyaltyKind.EARNED, 20, start, expires_on=loyalty.add_months(start, 3))
        loyalty._append(customer, LoyaltyKind.REDEEMED, -10, start)
        assert loyalty.add_months(start, 1) == dt.date(today.year, 2, 28 + (today.year % 4 == 0))
        assert loyalty.expire_points(tenant_a, loyalty.add_months(start, 1)) == 0  # not yet past
        assert loyalty.expire_points(tenant_a, dt.date(today.year, 3, 15)) == 1
        assert _balance(w) == 20  # 30 earned − 10 used = 20 expired of the first lot
        assert loyalty.expire_points(tenant_a, dt.date(today.year, 3, 15)) == 0  # idempotent
        assert loyalty.expire_points(tenant_a, dt.date(today.year + 1, 1, 1)) == 1
        assert _balance(w) == 0


def test_expire_points_command_daily_over_two_tenants(tenant_a, tenant_b, today, settings):
    """``novasaas sales_expire_points`` is one of the worker's daily jobs: it expires each company's lapsed
    points once; the same day again (the worker, or the command by hand) writes nothing."""
    from django.core.cache import cache
    from django.core.management import call_command

    from novasaas.platform import periodic

    start = today - dt.timedelta(days=90)
    worlds = {}
    for tenant, points in ((tenant_a, 30), (tenant_b, 12)):
        with tenant_context(tenant):
            w = world(tenant, 0)
            _programme(w, expiry_months=1)
            customer = Customer.objects.select_for_update().get(pk=w.customer.pk)
            loyalty._append(customer, LoyaltyKind.EARNED, points, start, expires_on=loyalty.add_months(start, 1))
            loyalty._append(customer, LoyaltyKind.EARNED, 5, start, expires_on=loyalty.add_months(start, 6))
            worlds[tenant.pk] = w
    settings.DAILY_JOBS = ("sales_expire_points",)
    settings.DAILY_JOBS_AT = "00:00"
    cache.clear()
    periodic.forget()
    try:
        assert periodic.run_daily_jobs() == {"sales_expire_points": "ok"}
        assert periodic.run_daily_jobs() == {}  # once a day
    finally:
        cache.clear()
        periodic.forget()
    call_command("sales_expire_points", "--date", today.isoformat())  # by hand the same day: nothing new
    for tenant, points in ((tenant_a, 30), (tenant_b, 12)):
        with tenant_context(tenant):
            w = worlds[tenant.pk]
            assert _balance(w) == 5
            expired = LoyaltyEntry.objects.filter(kind=LoyaltyKind.EXPIRED)
            assert [(e.points, e.date, e.customer_id) for e in expired] == [(-points, today, w.customer.pk)]


_state: dict = {}


@pytest.fixture
def fresh(db):
    _state.clear()
    yield
    _state.clear()


def _property_world():
    from novasaas.platform.testing.fixtures import create_tenant

    if "w" not in _state:
        tenant = create_tenant()
        with tenant_context(tenant):
            _state["w"] = world(tenant, 0)
            _programme(_state["w"])
        _state["tenant"] = tenant
    return _state["tenant"], _state["w"]


@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(
    ops=st.lists(
        st.tuples(st.sampled_from(["add", "take", "redeem", "cancel", "earn"]), st.integers(min_value=1, max_value=80)),
        min_size=1,
        max_size=12,
    ),
    multiplier=st.sampled_from(["1", "1.25", "1.5", "2", "0.75"]),
)
def test_balance_is_the_ledger_sum_and_never_negative(fresh, ops, multiplier):
    """Random manual adds/takes, points earned at a tier's multiplier and order redemptions/cancellations
    of a new customer against an oracle balance: a step is refused exactly when the oracle would go below
    zero (and says so), the balance equals the sum of the ledger and the last row's balance_after, never
    below zero."""
    from novasaas.sales.models import LoyaltyTier
    from novasaas.sales.tests.helpers import party

    today = dt.date(2026, 6, 1)  # any day: no invoice, so the revenue (and the tier) does not depend on it
    tenant, w = _property_world()
    with tenant_context(tenant):
        LoyaltyTier.objects.all().delete()
        loyalty.save_tier(w.manager, code="MEMBER", name="Member", min_revenue=0, multiplier=multiplier)
        _state["n"] = _state.get("n", 0) + 1
        customer = actions.create_customer(
            w.manager, party_id=party(w.manager, f"Khách {_state['n']}").pk, salesperson_id=w.staff.user.pk
        )
        oracle, confirmed, refused, done = 0, [], 0, 0
        for op, n in ops:
            try:
                if op == "add":
                    loyalty.add_points(w.staff, customer.pk, points=n, reason="+")
                    oracle += n
                elif op == "take":
                    loyalty.add_points(w.staff, customer.pk, points=-n, reason="-")
                    assert n <= oracle
                    oracle -= n
                elif op == "redeem":
                    o = actions.create_order(
                        w.staff,
                        customer_id=customer.pk,
                        lines=[{"description": "Dịch vụ", "quantity": "1", "unit_price": "1000000"}],
                    )
                    loyalty.set_order_points(w.staff, o.pk, n)
                    actions.confirm_order(w.staff, o.pk)
                    assert n <= oracle
                    oracle -= n
                    confirmed.append((o.pk, n))
                elif op == "earn":  # n × 10,000 đ before VAT at 10,000 đ a point, times the tier's rate
                    entry = loyalty.earn(w.staff, customer.pk, D(n * 10000), today, source="test", reason="HD")
                    expected = int(n * D(multiplier))
                    assert (entry.points if entry else 0) == expected
                    assert entry is None or entry.tier == "MEMBER"
                    oracle += expected
                elif confirmed:
                    pk, points = confirmed.pop()
                    actions.cancel_order(w.staff, pk)
                    oracle += points
                done += 1
            except ValidationError as exc:
                assert "has only" in str(exc) and op in ("take", "redeem") and n > oracle, str(exc)
                refused += 1
            balance = Customer.objects.get(pk=customer.pk).loyalty_points
            rows = list(LoyaltyEntry.objects.filter(customer_id=customer.pk).order_by("id"))
            assert balance == oracle == sum(r.points for r in rows) >= 0
            assert not rows or rows[-1].balance_after == balance
        assert done + refused == len(ops)
