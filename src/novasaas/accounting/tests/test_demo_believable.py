"""The demo's ledger looks like a real Vietnamese shop's year (issue 10 §6): cash and bank never below
zero on any day, nothing left parked on 3388, a normal gross margin and net result, and a balance sheet
without a negative line. Dates come from the clock (the demo covers the twelve months up to today)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from novasaas.accounting import reports, selectors
from novasaas.accounting.demo import demo_start
from novasaas.accounting.models import EntryState, JournalLine
from novasaas.platform import demo
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_tenant


def _seed(tenant):
    from novasaas.parties.demo import load_demo_parties

    load_demo_parties(tenant)
    demo.load_module_data(tenant)


def _daily_cash(tenant) -> dict[str, Decimal]:
    """Lowest end-of-day balance of every cash and bank account, from the posted lines (an oracle
    independent of the maintained balances)."""
    with tenant_context(tenant):
        rows = (
            JournalLine.objects.filter(entry__state=EntryState.POSTED, account__code__regex=r"^11[12]")
            .values_list("account__code", "entry__date", "debit", "credit")
            .order_by("entry__date")
        )
        moves: dict[str, dict[dt.date, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
        for code, day, d, c in rows:
            moves[code][day] += d - c
    lowest = {}
    for code, by_day in moves.items():
        running, low = Decimal(0), Decimal(0)
        for day in sorted(by_day):
            running += by_day[day]
            low = min(low, running)
        lowest[code] = low
    return lowest


def test_demo_year_is_believable(db, today):
    # The trading year of the demo (sales, stock, purchasing, accounting) without HR: the salaries are
    # accounting's general entries (with HR: the next test).
    tenant_a = create_tenant("alpha", name="Công ty Alpha", modules=["ACC", "INV", "CRM", "SCM"])
    assert tenant_a.has_module("ACC") and tenant_a.has_module("INV")
    _seed(tenant_a)
    lowest = _daily_cash(tenant_a)
    assert lowest and all(v >= 0 for v in lowest.values()), lowest
    tb = {r.account.code: r.closing_credit - r.closing_debit for r in selectors.trial_balance(tenant_a).rows}
    income = {ln.code: ln.current for ln in reports.income_statement(tenant_a, demo_start(today), today).lines}
    revenue, gross, result = income["10"], income["20"], income["60"]
    # 3388 holds only what the warehouse received and is not invoiced yet: nothing, here
    assert abs(tb.get("3388", 0)) <= revenue / 100, (tb.get("3388"), revenue)
    assert revenue > 0 and Decimal("0.15") <= gross / revenue <= Decimal("0.40"), (gross, revenue)
    assert Decimal("-0.05") <= result / revenue <= Decimal("0.20"), (result, revenue)
    bs = reports.balance_sheet(tenant_a, today)
    negative = {
        ln.code: ln.current
        for ln in bs.lines
        if ln.current < 0 and ln.code not in ("124", "136", "142", "152", "162", "414")
    }
    assert negative == {} and bs.checks["assets_equal_sources"] and bs.warnings == []
    loaded = selectors.trial_balance(tenant_a).totals
    demo.load_module_data(tenant_a)  # idempotent
    assert selectors.trial_balance(tenant_a).totals == loaded


def test_demo_year_with_every_module_is_profitable(db, today):
    # Every module on, HR included: the payroll of six people from 2026 (hrm/demo.py) replaces the general
    # salary entries, and the year still ends with a profit; the ledger balances and stock equals its ledger.
    from novasaas.accounting.integrity import verify_ledger
    from novasaas.inventory import ledger
    from novasaas.platform.modules import OPTIONAL_MODULES, modules_with_screens

    modules = [code for code in OPTIONAL_MODULES if code in modules_with_screens()]
    assert {"ACC", "INV", "CRM", "SCM", "HRM"} <= set(modules)
    tenant = create_tenant("omega", name="Công ty Omega", modules=modules)
    _seed(tenant)
    income = {ln.code: ln.current for ln in reports.income_statement(tenant, demo_start(today), today).lines}
    revenue, result = income["10"], income["60"]
    assert revenue > 0 and Decimal(0) < result / revenue <= Decimal("0.20"), (result, revenue)
    assert all(v >= 0 for v in _daily_cash(tenant).values())
    assert selectors.trial_balance(tenant).balanced and verify_ledger(tenant).ok
    with tenant_context(tenant):
        assert ledger.ledger_differences() == []
        # the CRM demo's pipeline, quotations, portal account, coupon and loyalty points are there
        from novasaas.sales.models import Quotation
        from novasaas.sales.pipeline_models import Lead, Opportunity
        from novasaas.sales.portal_models import PortalAccount
        from novasaas.sales.promotion_models import Coupon, LoyaltyEntry

        assert all(m.objects.exists() for m in (Lead, Opportunity, Quotation, Coupon, LoyaltyEntry))
        assert PortalAccount.objects.filter(user__isnull=False).count() == 1
