"""VAT: effective-dated rates, tax transactions per taxed line, cash rule, listings and 01/GTGT."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from novasaas.accounting import actions, selectors, taxes
from novasaas.accounting.models import TaxTransaction
from novasaas.accounting.tests.helpers import make_party, principal
from novasaas.accounting.tests.test_api import URL, fm_client
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.html import table_rows

pytestmark = pytest.mark.date_sensitive  # VAT periods, filing only after a period ends


def L(account, debit, credit, partner=None, **tax):  # noqa: N802
    return {"account": account, "debit": Decimal(debit), "credit": Decimal(credit), "partner_id": partner, **tax}


def test_rates_are_effective_dated(tenant_a):
    actions.ensure_chart(tenant_a)
    with tenant_context(tenant_a):
        assert taxes.rate_for("VAT8", dt.date(2026, 12, 31)) is not None
        assert taxes.rate_for("VAT8", dt.date(2027, 1, 1)) is None
        assert taxes.rate_for("VAT8", dt.date(2025, 6, 30)) is None
        assert taxes.rate_for("VAT10", dt.date(2027, 1, 1)).rate == 10


def test_sale_and_purchases_make_tax_transactions_and_return(tenant_a, today):
    fm = principal(tenant_a, "finance_manager")
    customer, vendor = make_party(tenant_a, "KH"), make_party(tenant_a, "NCC")
    day = today
    sale = actions.create_entry(
        fm,
        journal_id="SAL",
        date=day,
        lines=[
            L("131", "11000000", "0", customer),
            L("5111", "0", "10000000"),
            L("33311", "0", "1000000", tax_rate="VAT10", tax_base="10000000"),
        ],
    )
    actions.post_entry(fm, sale.pk)
    exempt = actions.create_entry(
        fm,
        journal_id="SAL",
        date=day,
        lines=[
            L("1111", "2000000", "0"),
            L("5113", "0", "2000000", tax_rate="EXEMPT"),
        ],
    )
    actions.post_entry(fm, exempt.pk)
    cash_buy = actions.create_entry(
        fm,
        journal_id="PUR",
        date=day,
        lines=[
            L("156", "5000000", "0"),
            L("1331", "500000", "0", tax_rate="VAT10", tax_base="5000000", paid_in_cash=True),
            L("1111", "0", "5500000"),
        ],
    )
    actions.post_entry(fm, cash_buy.pk)
    bank_buy = actions.create_entry(
        fm,
        journal_id="PUR",
        date=day,
        lines=[
            L("156", "4000000", "0"),
            L("1331", "400000", "0", tax_rate="VAT10", tax_base="4000000"),
            L("331", "0", "4400000", vendor),
        ],
    )
    actions.post_entry(fm, bank_buy.pk)
    with tenant_context(tenant_a):
        txs = list(TaxTransaction.objects.order_by("id"))
    assert [(t.direction, t.base, t.tax, t.deductible) for t in txs] == [
        ("output", Decimal(10000000), Decimal(1000000), True),
        ("output", Decimal(2000000), Decimal(0), True),
        ("input", Decimal(5000000), Decimal(500000), False),
        ("input", Decimal(4000000), Decimal(400000), True),
    ]
    f = taxes.vat_return(tenant_a, dt.date(day.year, day.month, 1), day)
    assert f["26"] == Decimal(2000000) and f["32"] == Decimal(10000000) and f["33"] == Decimal(1000000)
    assert f["24"] == Decimal(900000) and f["25"] == Decimal(400000) and f["40a"] == Decimal(600000)
    # a reversal cancels the transaction in the listing
    actions.reverse_entry(fm, sale.pk)
    f = taxes.vat_return(tenant_a, dt.date(day.year, day.month, 1), day)
    assert f["33"] == 0


def test_rate_not_valid_on_the_date_is_refused(tenant_a, today):
    fm = principal(tenant_a, "finance_manager")
    actions.create_fiscal_year(fm, dt.date(2027, 1, 1)) if today.year != 2027 else None
    with pytest.raises(ValidationError, match="tax rate"):
        actions.create_entry(
            fm,
            journal_id="SAL",
            date=dt.date(2027, 2, 1),
            lines=[
                L("1111", "108", "0"),
                L("5111", "0", "100"),
                L("33311", "0", "8", tax_rate="VAT8", tax_base="100"),
            ],
        )


def test_tax_api_and_pages(tenant_a, today):
    c = fm_client(tenant_a)
    rates = c.get(f"{URL}/tax-rates").json()
    assert {r["code"] for r in rates} >= {"VAT0", "VAT5", "VAT8", "VAT10", "EXEMPT"}
    r = c.post(
        f"{URL}/entries",
        {
            "journal": "SAL",
            "date": today.isoformat(),
            "post": True,
            "lines": [
                {"account": "1111", "debit": "1100"},
                {"account": "5111", "credit": "1000"},
                {"account": "33311", "credit": "100", "tax_rate": "VAT10", "tax_base": "1000"},
            ],
        },
    )
    assert r.status_code == 201, r.json()
    ret = c.get(f"{URL}/reports/vat-return").json()
    assert ret["figures"]["33"] == "100.00"
    listing = c.get(f"{URL}/reports/vat-listing", {"direction": "output"}).json()
    assert listing["total_tax"] == "100.00" and len(listing["rows"]) == 1
    assert c.get(f"{URL}/reports/vat-listing", {"direction": "output", "format": "xlsx"}).status_code == 200
    next_year = f"{today.year + 1}-01-01"  # a rate announced for next year
    new = c.post(f"{URL}/tax-rates", {"code": "VAT7", "name": "GTGT 7%", "rate": "7", "valid_from": next_year})
    assert new.status_code == 201
    from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

    acc = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert acc.get(f"{URL}/reports/vat-return").status_code == 403
    assert (
        acc.post(f"{URL}/tax-rates", {"code": "X", "name": "x", "rate": "1", "valid_from": next_year}).status_code
        == 403
    )
    web = web_client(tenant_a, c.user)
    from novasaas.platform.testing.html import body_rows

    rates = {(r[0], r[2], r[3]) for r in body_rows(web.get("/accounting/taxes/").content) if len(r) >= 4}
    assert ("VAT7", "7", f"01/01/{today.year + 1}") in rates and ("VAT10", "10", "01/01/2000") in rates
    rows = table_rows(web.get("/accounting/reports/vat/").content)
    boxes = {r[0]: r[2] for r in rows if r[0].startswith("[")}
    # the return's boxes: the sale's base and output VAT at 10 %, payable; nothing bought
    assert {k: boxes[k] for k in ("[23]", "[24]", "[32]", "[33]", "[34]", "[35]", "[40a]", "[43]")} == {
        "[23]": "0",
        "[24]": "0",
        "[32]": "1.000",
        "[33]": "100",
        "[34]": "1.000",
        "[35]": "100",
        "[40a]": "100",
        "[43]": "0",
    }, boxes
    # sales by rate: one invoice at 10 %, and the total; purchases: nothing
    assert ["GTGT 10%", "1", "1.000", "100"] in rows and ["Tổng cộng", "", "1.000", "100"] in rows, rows
    assert ["Tổng cộng", "", "0", "0"] in rows, rows
    xlsx = web.get("/accounting/reports/vat/?format=xlsx&direction=input")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxmlformats")


# --- [22] carried forward from the previous filing period -----------------------------------------------


@pytest.fixture
def year(today):
    return today.year


def _sale(fm, day, tax):
    e = actions.create_entry(
        fm,
        journal_id="SAL",
        date=day,
        lines=[
            L("1111", str(tax * 11), "0"),
            L("5111", "0", str(tax * 10)),
            L("33311", "0", str(tax), tax_rate="VAT10", tax_base=str(tax * 10)),
        ],
    )
    return actions.post_entry(fm, e.pk)


def _purchase(fm, day, tax, seller=None, cash=False, seller_on="vat"):
    credit = L("1111", "0", str(tax * 11), seller if seller_on == "cash" else None) if cash else None
    if not cash:
        credit = L("331", "0", str(tax * 11), seller)
    e = actions.create_entry(
        fm,
        journal_id="PUR",
        date=day,
        lines=[
            L("156", str(tax * 10), "0"),
            L(
                "1331",
                str(tax),
                "0",
                seller if seller_on == "vat" else None,
                tax_rate="VAT10",
                tax_base=str(tax * 10),
                paid_in_cash=cash,
            ),
            credit,
        ],
    )
    return actions.post_entry(fm, e.pk)


def _month(m, year=None):
    year = year or timezone.localdate().year
    start = dt.date(year, m, 1)
    end = (dt.date(year, m + 1, 1) if m < 12 else dt.date(year + 1, 1, 1)) - dt.timedelta(days=1)
    return start, end


def test_carried_forward_credit_chains_month_to_month(tenant_a, year):
    fm = principal(tenant_a, "finance_manager")
    vendor = make_party(tenant_a, "NCC")
    _purchase(fm, dt.date(year, 1, 10), 1000000, vendor)  # input 1,000,000
    _sale(fm, dt.date(year, 1, 20), 300000)  # output 300,000 → credit 700,000
    _sale(fm, dt.date(year, 3, 5), 500000)  # February empty; March uses 500,000 of the credit
    _sale(fm, dt.date(year, 4, 5), 1000000)  # April: 200,000 left, 800,000 to pay
    got = {m: taxes.vat_return(tenant_a, *_month(m)) for m in range(1, 6)}
    assert [(got[m]["22"], got[m]["40a"], got[m]["43"]) for m in range(1, 6)] == [
        (0, 0, Decimal(700000)),
        (Decimal(700000), 0, Decimal(700000)),
        (Decimal(700000), 0, Decimal(200000)),
        (Decimal(200000), Decimal(800000), 0),
        (0, 0, 0),
    ]
    for m in range(1, 5):  # [22] of a period is [43] of the one before
        assert got[m + 1]["22"] == got[m]["43"] == got[m]["41"] - got[m]["42"]
    # a purchase of February posted late changes the chain from February on
    _purchase(fm, dt.date(year, 2, 28), 600000, vendor)
    assert taxes.vat_return(tenant_a, *_month(4))["22"] == Decimal(800000)
    assert taxes.vat_return(tenant_a, *_month(4))["40a"] == Decimal(200000)


def test_carried_forward_credit_quarterly_and_api(tenant_a, tenant_b, year):
    from novasaas.platform.testing.fixtures import web_client

    fm = principal(tenant_a, "finance_manager")
    vendor = make_party(tenant_a, "NCC")
    _purchase(fm, dt.date(year, 1, 10), 1000000, vendor)
    _sale(fm, dt.date(year, 2, 10), 900000)
    _sale(fm, dt.date(year, 3, 10), 300000)
    c = fm_client(tenant_a)
    q2 = {"date_from": f"{year}-04-01", "date_to": f"{year}-06-30"}
    # monthly: January credit 1,000,000, February leaves 100,000, March pays 200,000
    assert Decimal(c.get(f"{URL}/reports/vat-return", q2).json()["figures"]["22"]) == 0
    r = c.patch(f"{URL}/settings", {"vat_period": "quarter"})
    assert r.status_code == 200 and r.json()["vat_period"] == "quarter"
    assert c.patch(f"{URL}/settings", {"vat_period": "year"}).status_code == 422
    # quarterly: Q1 input 1,000,000 − output 1,200,000 → 200,000 to pay, nothing carried
    ret = c.get(f"{URL}/reports/vat-return", q2).json()["figures"]
    assert Decimal(ret["22"]) == Decimal("0.00")
    _purchase(fm, dt.date(year, 3, 31), 500000, vendor)  # now Q1 ends with a credit of 300,000
    ret = c.get(f"{URL}/reports/vat-return", q2).json()["figures"]
    assert Decimal(ret["22"]) == Decimal("300000.00") and Decimal(ret["43"]) == Decimal("300000.00")
    q1 = c.get(f"{URL}/reports/vat-return", {"date_from": f"{year}-01-01", "date_to": f"{year}-03-31"}).json()
    assert Decimal(q1["figures"]["41"]) == Decimal(q1["figures"]["43"]) == Decimal(300000)
    # the other tenant carries nothing
    assert Decimal(fm_client(tenant_b).get(f"{URL}/reports/vat-return", q2).json()["figures"]["22"]) == 0
    page = web_client(tenant_a, c.user).get(f"/accounting/reports/vat/?date_from={year}-04-01&date_to={year}-06-30")
    boxes = {r[0]: r[2] for r in table_rows(page.content) if r[0].startswith("[")}
    assert (boxes["[22]"], boxes["[43]"]) == ("300.000", "300.000"), boxes  # carried in, carried on
    web = web_client(tenant_a, c.user)
    assert web.post("/accounting/settings/", {"approval_threshold": "5", "vat_period": "month"}).status_code == 302
    assert selectors.get_settings(tenant_a).vat_period == "month"


# --- cash rule: same-day invoices of one seller are added up ----------------------------------------------


def _flags(tenant, *entries):
    with tenant_context(tenant):
        return [
            TaxTransaction.objects.get(entry=e, direction="input", tax__gt=0).deductible
            if not e.reversal_of_id
            else TaxTransaction.objects.get(entry=e, direction="input", tax__lt=0).deductible
            for e in entries
        ]


def test_cash_rule_adds_up_same_day_invoices_of_one_seller(tenant_a, year):
    fm = principal(tenant_a, "finance_manager")
    seller, other = make_party(tenant_a, "NCC A"), make_party(tenant_a, "NCC B")
    day = dt.date(year, 5, 12)
    a = _purchase(fm, day, 200000, seller, cash=True)  # 2,200,000 VAT included
    assert _flags(tenant_a, a) == [True]
    b = _purchase(fm, day, 300000, seller, cash=True)  # same seller, same day: 5,500,000 in all
    assert _flags(tenant_a, a, b) == [False, False]
    c = _purchase(fm, day, 300000, other, cash=True)  # another seller
    d = _purchase(fm, day + dt.timedelta(days=1), 300000, seller, cash=True)  # another day
    assert _flags(tenant_a, c, d) == [True, True]
    e = _purchase(fm, day, 200000, other, cash=True, seller_on="cash")  # seller named on the cash line
    assert _flags(tenant_a, c, d, e) == [False, True, False]  # the other seller: 3,300,000 + 2,200,000
    f = taxes.vat_return(tenant_a, *_month(5))
    assert f["24"] == Decimal(1300000) and f["25"] == Decimal(300000)
    # the reversal of B takes it out of the total: A is deductible again; B and its mirror cancel out
    rev = actions.reverse_entry(fm, b.pk, date=day)
    assert _flags(tenant_a, a, b, rev) == [True, False, False]
    f = taxes.vat_return(tenant_a, *_month(5))
    assert f["24"] == Decimal(1000000) and f["25"] == Decimal(500000)


def test_cash_rule_counts_non_cash_invoices_and_entries_without_seller(tenant_a, year):
    fm = principal(tenant_a, "finance_manager")
    seller = make_party(tenant_a, "NCC")
    day = dt.date(year, 6, 3)
    bank = _purchase(fm, day, 400000, seller)  # 4,400,000 on credit (331)
    cash = _purchase(fm, day, 100000, seller, cash=True)  # 1,100,000 in cash: 5,500,000 that day
    assert _flags(tenant_a, bank, cash) == [True, False]
    # no seller named: the entry is one invoice (two VAT lines of 2,750,000 each)
    e = actions.create_entry(
        fm,
        journal_id="PUR",
        date=day,
        lines=[
            L("156", "5000000", "0"),
            L("1331", "250000", "0", tax_rate="VAT10", tax_base="2500000", paid_in_cash=True),
            L("1331", "250000", "0", tax_rate="VAT10", tax_base="2500000", paid_in_cash=True),
            L("1111", "0", "5500000"),
        ],
    )
    actions.post_entry(fm, e.pk)
    with tenant_context(tenant_a):
        assert list(TaxTransaction.objects.filter(entry=e).values_list("deductible", flat=True)) == [False, False]


def test_quick_expenses_in_cash_add_up_per_supplier(tenant_a, year):
    from novasaas.accounting import quick

    fm = principal(tenant_a, "accountant", "finance_manager")
    seller = make_party(tenant_a, "NCC")
    day = dt.date(year, 7, 1)
    first = quick.record_expense(fm, date=day, amount="3000000", settlement="cash", partner_id=seller)
    assert _flags(tenant_a, first) == [True]
    second = quick.record_expense(fm, date=day, amount="2000000", settlement="cash", partner_id=seller)
    assert _flags(tenant_a, first, second) == [False, False]


# --- filing the return (kê khai) ---------------------------------------------------------------------------


def test_filed_return_with_refund_sets_next_periods_carried_credit(tenant_a, tenant_b, today):
    from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

    year = today.year - 1  # last year's first quarter has ended whatever the day (was skipped January–March)
    fm = principal(tenant_a, "finance_manager")
    actions.create_fiscal_year(fm, dt.date(year, 1, 1))
    vendor = make_party(tenant_a, "NCC")
    _purchase(fm, dt.date(year, 1, 10), 1000000, vendor)  # January: credit 1,000,000
    _sale(fm, dt.date(year, 3, 10), 100000)
    c = fm_client(tenant_a)
    jan, feb = _month(1, year), _month(2, year)
    # refund over [41] refused, nothing written
    r = c.post(f"{URL}/vat-filings", {"date_from": jan[0].isoformat(), "refund_requested": "1000001"})
    assert r.status_code == 400 and c.get(f"{URL}/vat-filings").json() == []
    assert c.post(f"{URL}/vat-filings", {"date_from": f"{year}-01-02"}).status_code == 400  # not a period start
    r = c.post(f"{URL}/vat-filings", {"date_from": jan[0].isoformat(), "refund_requested": "600000"})
    assert r.status_code == 201, r.json()
    filed = r.json()
    assert Decimal(filed["figures"]["42"]) == 600000 and Decimal(filed["figures"]["43"]) == 400000
    assert c.post(f"{URL}/vat-filings", {"date_from": jan[0].isoformat()}).status_code == 400  # once
    # February carries the declared [43], March uses it up
    assert taxes.vat_return(tenant_a, *feb)["22"] == Decimal(400000)
    march = taxes.vat_return(tenant_a, *_month(3, year))
    assert march["22"] == Decimal(400000) and march["43"] == Decimal(300000)
    ret = c.get(f"{URL}/reports/vat-return", {"date_from": jan[0].isoformat(), "date_to": jan[1].isoformat()})
    assert ret.json()["filing_id"] == filed["id"] and Decimal(ret.json()["figures"]["42"]) == 600000
    # a later filing blocks an earlier one; the other tenant sees none; an Accountant is refused
    assert c.post(f"{URL}/vat-filings", {"date_from": _month(3, year)[0].isoformat()}).status_code == 201
    assert c.post(f"{URL}/vat-filings", {"date_from": feb[0].isoformat()}).status_code == 400
    assert fm_client(tenant_b).get(f"{URL}/vat-filings").json() == []
    acc = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert acc.get(f"{URL}/vat-filings").status_code == 403
    assert acc.post(f"{URL}/vat-filings", {"date_from": feb[0].isoformat()}).status_code == 403
    # the page shows the filing and files through a form
    web = web_client(tenant_a, c.user)
    page = web.get(
        f"/accounting/reports/vat/?date_from={jan[0]}&date_to={jan[1]}", HTTP_ACCEPT_LANGUAGE="vi"
    ).content.decode()
    assert "Đã kê khai" in page and "400.000" in page
    assert web.post("/accounting/reports/vat/file/", {"date_from": "x"}).status_code == 302
    assert len(c.get(f"{URL}/vat-filings").json()) == 2


def test_filing_an_unfinished_period_is_refused(tenant_a, today):
    fm = principal(tenant_a, "finance_manager")
    actions.ensure_chart(tenant_a)
    with pytest.raises(ValidationError, match="not ended"):
        taxes.file_vat_return(fm, today.replace(day=1))
    with pytest.raises(ValidationError, match="amount"):
        taxes.file_vat_return(fm, dt.date(today.year - 1, 1, 1), "NaN")
