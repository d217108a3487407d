"""Year-end closing: P&L to 911, result to 421, periods closed, balances carried forward."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from novasaas.accounting import actions, reports, selectors
from novasaas.accounting.integrity import verify_ledger
from novasaas.accounting.models import FiscalPeriod, FiscalYear
from novasaas.accounting.tests.helpers import lines, principal
from novasaas.accounting.tests.test_api import URL, fm_client
from novasaas.platform.tenancy import tenant_context

Y = 2031


def test_close_year(tenant_a):
    fm = principal(tenant_a, "finance_manager")
    actions.ensure_chart(tenant_a)
    actions.create_fiscal_year(fm, dt.date(Y, 1, 1))
    day = dt.date(Y, 6, 1)
    for rows in [
        (("1111", 1000, 0), ("4111", 0, 1000)),
        (("1111", 700, 0), ("5111", 0, 700)),
        (("632", 300, 0), ("1111", 0, 300)),
        (("6422", 100, 0), ("1111", 0, 100)),
    ]:
        e = actions.create_entry(fm, journal_id="GEN", date=day, lines=lines(*rows))
        actions.post_entry(fm, e.pk)
    with tenant_context(tenant_a):
        year = FiscalYear.objects.get(start_date=dt.date(Y, 1, 1))
    entries = actions.close_fiscal_year(fm, year.pk)
    assert len(entries) == 2
    tb = selectors.trial_balance(tenant_a, dt.date(Y, 12, 1), dt.date(Y, 12, 31))
    closing = {r.account.code: (r.closing_debit, r.closing_credit) for r in tb.rows}
    assert closing["4212"] == (0, Decimal(300)) and closing["5111"] == (0, 0) and closing["911"] == (0, 0)
    inc = {ln.code: ln.current for ln in reports.income_statement(tenant_a, dt.date(Y, 1, 1), dt.date(Y, 12, 31)).lines}
    assert inc["60"] == Decimal(300)  # closing entries do not hide the year's result
    bs = reports.balance_sheet(tenant_a, dt.date(Y, 12, 31))
    assert bs.checks["assets_equal_sources"]
    with tenant_context(tenant_a):
        assert not FiscalPeriod.objects.filter(fiscal_year=year, state="open").exists()
        assert FiscalYear.objects.filter(start_date=dt.date(Y + 1, 1, 1)).exists()
    # carried forward: next year's opening equals this year's closing
    nxt = selectors.trial_balance(tenant_a, dt.date(Y + 1, 1, 1), dt.date(Y + 1, 1, 31))
    assert {r.account.code: (r.opening_debit, r.opening_credit) for r in nxt.rows}["1111"] == (Decimal(1300), 0)
    with pytest.raises(ValidationError):
        actions.close_fiscal_year(fm, year.pk)
    e = actions.create_entry(fm, journal_id="GEN", date=day, lines=lines(("1111", 1, 0), ("4111", 0, 1)))
    with pytest.raises(ValidationError):
        actions.post_entry(fm, e.pk)
    assert verify_ledger(tenant_a).ok


def test_close_year_api_requires_finance_manager(tenant_a):
    from novasaas.platform.testing.fixtures import ApiClient, create_user

    c = fm_client(tenant_a)
    year_id = c.get(f"{URL}/fiscal-years").json()[0]["id"]
    acc = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert acc.post(f"{URL}/fiscal-years/{year_id}/close").status_code == 403
    assert c.post(f"{URL}/fiscal-years/{year_id}/close").status_code == 200


def test_cash_flow_ties_to_cash(tenant_a):
    from novasaas.accounting.demo import load_demo_accounting
    from novasaas.accounting.tests.helpers import TODAY
    from novasaas.parties.demo import load_demo_parties

    load_demo_parties(tenant_a)
    load_demo_accounting(tenant_a)
    st = reports.cash_flow(tenant_a, dt.date(TODAY.year, 1, 1), TODAY)
    assert st.checks["ties_to_cash"]
    values = {ln.code: ln.current for ln in st.lines}
    income = {ln.code: ln.current for ln in reports.income_statement(tenant_a, dt.date(TODAY.year, 1, 1), TODAY).lines}
    assert values["01"] == income["50"] and values["31"] == Decimal(2000000000)
    c = fm_client(tenant_a)
    assert c.get(f"{URL}/reports/cash-flow").json()["checks"]["ties_to_cash"]
