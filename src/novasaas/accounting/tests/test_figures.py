"""Figures users see: balances "as of today" include today's postings, and every page that shows one
agrees with the trial balance. Expected figures are computed by hand in each test."""

from __future__ import annotations

from decimal import Decimal

from novasaas.accounting import actions, reports, selectors
from novasaas.accounting.dashboard import widget_context
from novasaas.accounting.tests.helpers import TODAY, make_party, post, principal


def test_dashboard_and_balances_include_todays_postings(tenant_a):
    fm = principal(tenant_a, "finance_manager")
    actions.ensure_chart(tenant_a)
    customer = make_party(tenant_a)
    post(fm, ("1111", 5_000_000, 0), ("4111", 0, 5_000_000))
    post(fm, ("131", 2_200_000, 0, customer), ("5111", 0, 2_000_000), ("33311", 0, 200_000))
    post(fm, ("6422", 300_000, 0), ("1111", 0, 300_000))
    figures = {str(label): value for label, value in widget_context(fm)["figures"]}
    assert figures["Cash and bank"] == Decimal(4_700_000)
    assert figures["Receivables (131)"] == Decimal(2_200_000)
    assert figures["Revenue this month"] == Decimal(2_000_000)
    assert figures["Expenses this month"] == Decimal(300_000)
    tb = {r.account.code: r.closing_debit - r.closing_credit for r in selectors.trial_balance(tenant_a).rows}
    assert tb["1111"] == figures["Cash and bank"] and tb["131"] == figures["Receivables (131)"]
    bs = {ln.code: ln.current for ln in reports.balance_sheet(tenant_a, TODAY).lines}
    assert bs["110"] == Decimal(4_700_000) and bs["131"] == Decimal(2_200_000)
    assert bs["417"] == Decimal(1_700_000)
    assert reports.current_result(tenant_a, TODAY) == Decimal(1_700_000)
    assert reports.totals_by_prefix(tenant_a, ["111"], end=TODAY) == {"111": Decimal(4_700_000)}
