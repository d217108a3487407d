"""Property tests over random sequences of postings, reversals, payments, currency lines, FX
settlements, revaluations and period closes."""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from django.utils import timezone
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from novasaas.accounting import actions, fx, receivables, reports, selectors
from novasaas.accounting.integrity import verify_ledger
from novasaas.accounting.models import AccountBalance, EntryState, FiscalPeriod, JournalEntry, JournalLine
from novasaas.accounting.tests.helpers import lines, make_party, principal
from novasaas.platform.money import round_money
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_tenant

pytestmark = pytest.mark.date_sensitive  # a fiscal year relative to the current one

ACCOUNTS = ["1111", "1121", "131", "156", "331", "33311", "4111", "5111", "632", "6422", "711", "811"]
PARTNER = {"131", "331"}

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000000"), places=2)
# the day in the month: the first, the middle, or its last day (31 January, 30 April, 29 February: the
# fiscal year is a leap year)
day_st = st.sampled_from(["first", "mid", "last", "last"])
# several parties, their names typed decomposed (NFD), as macOS or a copy from a PDF sends them
PARTIES = ["Công ty TNHH Hoàng Long", "Cửa hàng Điện máy Bà Tư", "Hợp tác xã Nông nghiệp Phước Hưng"]


def vnd(amount):
    """VND amounts are whole đồng (money.decimals_error); the cents stay for the USD lines."""
    return max(amount.quantize(Decimal(1)), Decimal(1))


rates = st.decimals(min_value=Decimal("20000"), max_value=Decimal("30000"), places=3)
line_st = st.tuples(st.sampled_from(ACCOUNTS), amounts, st.booleans())
entry_st = st.tuples(
    st.lists(line_st, min_size=1, max_size=5),
    st.integers(min_value=1, max_value=12),  # month
    st.sampled_from(
        ["post", "post", "post", "reverse", "close", "reopen", "receipt", "payout"]
        + ["fx_post", "fx_invoice", "fx_bill", "fx_receipt", "fx_payout", "revalue"]
    ),
    rates,
    day_st,
    st.integers(min_value=0, max_value=len(PARTIES) - 1),
)


def _op(op, month, which, party=0, amount="1500000.50", account="131", debit=True):
    return ([(account, Decimal(amount), debit)], month, op, Decimal("25000"), which, party)


# always tried: postings, a payment and a reversal on 29 February and on 31 March, around a close of
# February (its last day belongs to it: refused while it is closed, accepted once reopened)
LEAP_DAY = [
    _op("post", 2, "last", 1),
    _op("post", 3, "first", 2, account="331", debit=False),
    _op("close", 2, "mid"),
    _op("post", 2, "last", 2),
    _op("receipt", 2, "last", 1),
    _op("post", 3, "last", 0),
    _op("reopen", 2, "first"),
    _op("receipt", 2, "last", 1, amount="700000"),
    _op("reverse", 2, "last"),
    _op("payout", 3, "last", 2, amount="300000"),
]


def leap_year_after(year):
    while not calendar.isleap(year):
        year += 1
    return year


def on(year, month, which):
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, {"first": 1, "mid": 15, "last": last}[which])


def test_ledger_invariants(db):
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=25,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(ops=st.lists(entry_st, min_size=3, max_size=12))
    @example(ops=LEAP_DAY)
    def run(ops):
        _ledger_invariants(ops, outcomes)

    run()
    # a run where (nearly) everything was refused proves nothing; month ends were drawn and posted to
    assert outcomes["ok"] >= 2 * outcomes["refused"] and outcomes["ok"] >= 30, outcomes
    assert outcomes["ok:last_day"] >= 10 and outcomes["ok:29_feb"] >= 1, outcomes


def _ledger_invariants(ops, outcomes):
    tenant = create_tenant(modules=["ACC"])
    fm = principal(tenant, "finance_manager")
    parties = [make_party(tenant, unicodedata.normalize("NFD", name)) for name in PARTIES]
    actions.ensure_chart(tenant)
    # a later year than the current one (never overlaps it), and a leap year: 29 February is drawn
    year = leap_year_after(timezone.localdate().year + 4)
    actions.create_fiscal_year(fm, dt.date(year, 1, 1))
    closed: set[int] = set()
    posted: list[int] = []
    ops_done: list[str] = []
    fx.create_rate(fm, currency="USD", date=dt.date(year, 1, 1), rate="25000")

    def succeeded(day):
        outcomes["ok"] += 1
        outcomes["ok:last_day"] += day.day == calendar.monthrange(day.year, day.month)[1]
        outcomes["ok:29_feb"] += (day.month, day.day) == (2, 29)

    for raw_lines, month, op, rate, which, party_i in ops:
        day = on(year, month, which)
        party = parties[party_i]
        with tenant_context(tenant):
            period = FiscalPeriod.objects.get(start_date__lte=day, end_date__gte=day)
        if op == "close" and period.pk not in closed:
            actions.close_period(fm, period.pk)
            closed.add(period.pk)
            continue
        if op == "reopen" and period.pk in closed:
            actions.reopen_period(fm, period.pk)
            closed.discard(period.pk)
            continue
        if op in ("receipt", "payout"):
            try:
                receivables.record_payment(
                    fm,
                    kind="receipt" if op == "receipt" else "payment",
                    party_id=party,
                    date=day,
                    amount=vnd(raw_lines[0][1]),
                )
                assert period.pk not in closed
                succeeded(day)
            except ValidationError:
                outcomes["refused"] += 1
                assert period.pk in closed
            continue
        if op in ("fx_receipt", "fx_payout"):
            try:
                receivables.record_payment(
                    fm,
                    kind="receipt" if op == "fx_receipt" else "payment",
                    party_id=party,
                    date=day,
                    amount=raw_lines[0][1],
                    currency="USD",
                    exchange_rate=rate,
                )
                assert period.pk not in closed
                succeeded(day)
            except ValidationError:
                outcomes["refused"] += 1
                # the payment's period, or that of a later item it settles (realised FX is dated then)
                assert closed
            continue
        if op in ("fx_invoice", "fx_bill"):
            amount = str(raw_lines[0][1])
            usd = {"currency": "USD", "exchange_rate": rate}
            rows = (
                [
                    {"account": "131", "debit": amount, "credit": "0", "partner_id": party, **usd},
                    {"account": "5111", "debit": "0", "credit": amount, **usd},
                ]
                if op == "fx_invoice"
                else [
                    {"account": "156", "debit": amount, "credit": "0", **usd},
                    {"account": "331", "debit": "0", "credit": amount, "partner_id": party, **usd},
                ]
            )
            try:
                entry = actions.post_source_document(tenant, "test.fx", len(ops_done), day, rows)
                posted.append(entry.pk)
                assert period.pk not in closed
                succeeded(day)
            except ValidationError:
                outcomes["refused"] += 1
                assert period.pk in closed
            ops_done.append(op)
            continue
        if op == "revalue":
            with tenant_context(tenant):
                found = fx.get_rate(tenant, "USD", day)
            if found is None or found.date != day:
                fx.create_rate(fm, currency="USD", date=day, rate=rate)
            try:
                fx.revalue(fm, day)
                assert period.pk not in closed
                succeeded(day)
            except ValidationError as exc:
                outcomes["refused"] += 1
                assert period.pk in closed or "Nothing to revalue" in str(exc)
            continue
        if op == "fx_post":
            # random USD lines at one rate, balanced by a VND line on 4111 (the VND amounts balance)
            rows = [
                {
                    "account": a,
                    "debit": amt if dr else 0,
                    "credit": 0 if dr else amt,
                    "partner_id": party if a in PARTNER else None,
                    "currency": "USD",
                    "exchange_rate": rate,
                }
                for a, amt, dr in raw_lines
            ]
            net = sum((round_money(amt * rate) * (1 if dr else -1) for _a, amt, dr in raw_lines), Decimal(0))
            if net == 0:
                continue
            rows.append({"account": "4111", "debit": -net if net < 0 else 0, "credit": net if net > 0 else 0})
            entry = actions.create_entry(fm, journal_id="GEN", date=day, lines=rows)
            try:
                entry = actions.post_entry(fm, entry.pk)
                posted.append(entry.pk)
                assert period.pk not in closed
                succeeded(day)
            except ValidationError:
                outcomes["refused"] += 1
                assert period.pk in closed
            continue
        if op == "reverse" and posted:
            try:
                actions.reverse_entry(fm, posted.pop(0), date=day)
                succeeded(day)
            except ValidationError:
                outcomes["refused"] += 1
                assert period.pk in closed
            continue
        # balance the random lines with one offsetting line on 4111
        rows = [
            (a, vnd(amt), 0, party if a in PARTNER else None)
            if dr
            else (a, 0, vnd(amt), party if a in PARTNER else None)
            for a, amt, dr in raw_lines
        ]
        net = sum((Decimal(r[1]) - Decimal(r[2]) for r in rows), Decimal(0))
        if net == 0:
            continue
        rows.append(("4111", 0, net) if net > 0 else ("4111", -net, 0))
        entry = actions.create_entry(fm, journal_id="GEN", date=day, lines=lines(*rows))
        try:
            entry = actions.post_entry(fm, entry.pk)
            posted.append(entry.pk)
            assert period.pk not in closed
            succeeded(day)
        except ValidationError:
            outcomes["refused"] += 1
            assert period.pk in closed  # the only reason a balanced entry is refused here
    with tenant_context(tenant):
        for entry in JournalEntry.objects.filter(state=EntryState.POSTED):
            agg = entry.lines.aggregate(d=Sum("debit"), c=Sum("credit"))
            assert agg["d"] == agg["c"] == entry.total
        sums = {
            (r["account_id"], r["entry__period_id"]): (r["d"], r["c"])
            for r in JournalLine.objects.filter(entry__state=EntryState.POSTED)
            .values("account_id", "entry__period_id")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        }
        kept = {(b.account_id, b.period_id): (b.debit, b.credit) for b in AccountBalance.objects.all()}
        assert sums == {k: v for k, v in kept.items() if v != (0, 0) or k in sums}
    tb = selectors.trial_balance(tenant, dt.date(year, 1, 1), dt.date(year, 12, 31))
    assert tb.balanced
    bs = reports.balance_sheet(tenant, dt.date(year, 12, 31))
    assert bs.checks["assets_equal_sources"]
    receivable = payable = Decimal(0)
    for party in parties:
        with tenant_context(tenant):
            ar_lines = JournalLine.objects.filter(account__code="131", entry__state=EntryState.POSTED, partner_id=party)
            agg = ar_lines.aggregate(d=Sum("debit"), c=Sum("credit"))
        ar = (agg["d"] or 0) - (agg["c"] or 0)
        balance = selectors.party_balance(tenant, party)
        assert balance.receivable == ar
        with tenant_context(tenant):
            ap_agg = JournalLine.objects.filter(
                account__code="331", entry__state=EntryState.POSTED, partner_id=party
            ).aggregate(d=Sum("debit"), c=Sum("credit"))
        assert balance.payable == (ap_agg["c"] or 0) - (ap_agg["d"] or 0)
        receivable, payable = receivable + balance.receivable, payable + balance.payable
        # every foreign-currency item still open in currency has a VND book value of the same sign
        for kind in ("receivable", "payable"):
            for item in receivables.open_items(tenant, kind, party_id=party):
                if item.currency and item.open_currency:
                    assert (item.open > 0) == (item.open_currency > 0)
        assert sum(i.open for i in receivables.open_items(tenant, "receivable", party_id=party)) == balance.receivable
        assert sum(i.open for i in receivables.open_items(tenant, "payable", party_id=party)) == balance.payable
    # each party's balance holds its own items only: together they are the whole of 131 and 331
    with tenant_context(tenant):
        total = {
            r["account__code"]: r["d"] - r["c"]
            for r in JournalLine.objects.filter(entry__state=EntryState.POSTED, account__code__in=["131", "331"])
            .values("account__code")
            .annotate(d=Sum("debit"), c=Sum("credit"))
        }
    assert (receivable, payable) == (total.get("131", 0), -total.get("331", 0))
    assert verify_ledger(tenant).ok
