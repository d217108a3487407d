"""What the accountant reads on the pages: the figures of the journal, balance sheet, income statement,
periods and tax rates, computed by hand from the entries posted here (not by the code under test)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from novasaas.accounting import actions
from novasaas.accounting.models import FiscalPeriod, PeriodState, TaxTransaction
from novasaas.accounting.tests.helpers import make_party, post, principal
from novasaas.accounting.tests.test_api import URL
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.platform.testing.html import body_rows


def _d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


@pytest.fixture
def books(tenant_a):
    """Capital of 100.000.000 paid in cash, then a cash sale of 1.000.000 + 10% VAT."""
    fm = principal(tenant_a, "finance_manager")
    capital = post(fm, ("1111", 100_000_000, 0), ("4111", 0, 100_000_000), memo="Góp vốn")
    sale = post(fm, ("1111", 1_100_000, 0), ("5111", 0, 1_000_000), ("33311", 0, 100_000), memo="Bán hàng")
    return fm, capital, sale, web_client(tenant_a, fm.user)


def test_journal_report_lists_every_line_of_every_entry(books, today):
    _fm, capital, sale, web = books
    rows = body_rows(web.get("/accounting/reports/journal/").content)
    assert rows == [
        [_d(today), capital.reference, "Góp vốn", "1111", "100.000.000", ""],
        ["", "", "Góp vốn", "4111", "", "100.000.000"],
        [_d(today), sale.reference, "Bán hàng", "1111", "1.100.000", ""],
        ["", "", "Bán hàng", "5111", "", "1.000.000"],
        ["", "", "Bán hàng", "33311", "", "100.000"],
    ]


def _by_code(rows):
    return {r[1]: r[3] for r in rows if len(r) == 5}  # Chỉ tiêu, Mã số, Thuyết minh, this year, last year


def test_balance_sheet_and_income_statement_figures(books):
    web = books[3]
    sheet = _by_code(body_rows(web.get("/accounting/reports/balance-sheet/").content))
    assert sheet["110"] == "101.100.000"  # cash
    assert sheet["200"] == "101.100.000"  # total assets
    assert sheet["313"] == "100.000" and sheet["300"] == "100.000"  # VAT owed
    assert sheet["411"] == "100.000.000" and sheet["417"] == "1.000.000" and sheet["400"] == "101.000.000"
    assert sheet["500"] == sheet["200"]  # assets = sources
    income = _by_code(body_rows(web.get("/accounting/reports/income-statement/").content))
    assert income["01"] == income["10"] == income["20"] == income["50"] == income["60"] == "1.000.000"
    assert income["11"] == ""  # no cost of sales


def test_closing_a_period_shows_on_the_periods_page_and_refuses_postings(books, tenant_a, today):
    fm, _capital, _sale, web = books
    with tenant_context(tenant_a):
        period = FiscalPeriod.objects.get(start_date__lte=today, end_date__gte=today)
    r = web.post(f"/accounting/periods/{period.pk}/close/")
    assert r.status_code == 302
    with translation.override("vi"):
        closed, open_ = str(PeriodState.CLOSED.label), str(PeriodState.OPEN.label)
    rows = {r[1]: r[3] for r in body_rows(web.get("/accounting/periods/").content)}
    assert rows[_d(period.start_date)] == closed
    assert [state for start, state in rows.items() if start != _d(period.start_date)] == [open_] * (len(rows) - 1)
    with pytest.raises(Exception, match="closed|khóa"):
        post(fm, ("1111", 1, 0), ("4111", 0, 1))


def test_a_new_rate_of_a_code_applies_from_its_date(tenant_a, today):
    """Rates change by decree: VAT10 at 8% from today on; the day before still 10%."""
    fm = principal(tenant_a, "finance_manager")
    yesterday = today - dt.timedelta(days=1)
    if yesterday.year != today.year:  # 1 January: the day before is in the previous fiscal year
        actions.create_fiscal_year(fm, dt.date(yesterday.year, 1, 1))
    api = ApiClient(tenant_a, fm.user)
    r = api.post(
        f"{URL}/tax-rates", {"code": "VAT10", "name": "GTGT giảm", "rate": "8", "valid_from": today.isoformat()}
    )
    assert r.status_code == 201, r.json()
    customer = make_party(tenant_a)
    amounts = {}
    for day in (yesterday, today):
        r = api.post(
            f"{URL}/revenues",
            {"date": day.isoformat(), "amount": "1000000", "partner_id": customer, "tax_rate": "VAT10"},
        )
        assert r.status_code == 201, r.json()
        amounts[day] = {ln["account_code"]: ln["credit"] for ln in r.json()["lines"]}["33311"]
    assert amounts == {yesterday: "100000.00", today: "80000.00"}
    with tenant_context(tenant_a):
        rates = dict(TaxTransaction.objects.values_list("date", "rate__rate"))
    assert rates == {yesterday: 10, today: 8}
    # the rates page shows both versions of the code, each with its start date
    rows = [r for r in body_rows(web_client(tenant_a, fm.user).get("/accounting/taxes/").content) if r[0] == "VAT10"]
    assert sorted((r[2], r[3]) for r in rows) == sorted([("10", "01/01/2000"), ("8", _d(today))])
    # and a posting on a day no rate of that code covers is refused with the code named
    r = api.post(f"{URL}/revenues", {"date": today.isoformat(), "amount": "1", "tax_rate": "VAT99"})
    assert r.status_code == 400 and "VAT99" in str(r.json()["detail"])
