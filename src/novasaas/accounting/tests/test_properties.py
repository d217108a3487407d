"""Property tests over random sequences of postings, reversals and period closes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novasaas.accounting import actions, reports, selectors
from novasaas.accounting.integrity import verify_ledger
from novasaas.accounting.models import AccountBalance, EntryState, FiscalPeriod, JournalEntry, JournalLine
from novasaas.accounting.tests.helpers import lines, make_party, principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_tenant

ACCOUNTS = ["1111", "1121", "131", "156", "331", "33311", "4111", "5111", "632", "6422", "711", "811"]
PARTNER = {"131", "331"}
YEAR = 2030

amounts = st.decimals(min_value=Decimal("0.01"), max_value=Decimal("100000000"), places=2)
line_st = st.tuples(st.sampled_from(ACCOUNTS), amounts, st.booleans())
entry_st = st.tuples(
    st.lists(line_st, min_size=1, max_size=5),
    st.integers(min_value=1, max_value=12),  # month
    st.sampled_from(["post", "post", "post", "reverse", "close", "reopen"]),
)


@pytest.mark.django_db
@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(ops=st.lists(entry_st, min_size=1, max_size=12))
def test_ledger_invariants(ops):
    tenant = create_tenant(modules=["ACC"])
    fm = principal(tenant, "finance_manager")
    party = make_party(tenant)
    actions.ensure_chart(tenant)
    actions.create_fiscal_year(fm, dt.date(YEAR, 1, 1))
    closed: set[int] = set()
    posted: list[int] = []
    for raw_lines, month, op in ops:
        day = dt.date(YEAR, month, 15)
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
        if op == "reverse" and posted:
            try:
                actions.reverse_entry(fm, posted.pop(0), date=day)
            except ValidationError:
                assert period.pk in closed
            continue
        # balance the random lines with one offsetting line on 4111
        rows = [
            (a, amt, 0, party if a in PARTNER else None) if dr else (a, 0, amt, party if a in PARTNER else None)
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
        except ValidationError:
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
    tb = selectors.trial_balance(tenant, dt.date(YEAR, 1, 1), dt.date(YEAR, 12, 31))
    assert tb.balanced
    bs = reports.balance_sheet(tenant, dt.date(YEAR, 12, 31))
    assert bs.checks["assets_equal_sources"]
    with tenant_context(tenant):
        ar_lines = JournalLine.objects.filter(account__code="131", entry__state=EntryState.POSTED, partner_id=party)
        agg = ar_lines.aggregate(d=Sum("debit"), c=Sum("credit"))
    ar = (agg["d"] or 0) - (agg["c"] or 0)
    assert selectors.party_balance(tenant, party).receivable == ar
    assert verify_ledger(tenant).ok
