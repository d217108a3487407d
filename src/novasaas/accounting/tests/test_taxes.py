"""VAT: effective-dated rates, tax transactions per taxed line, cash rule, listings and 01/GTGT."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from novasaas.accounting import actions, taxes
from novasaas.accounting.models import TaxTransaction
from novasaas.accounting.tests.helpers import TODAY, make_party, principal
from novasaas.accounting.tests.test_api import URL, fm_client
from novasaas.platform.tenancy import tenant_context


def L(account, debit, credit, partner=None, **tax):  # noqa: N802
    return {"account": account, "debit": Decimal(debit), "credit": Decimal(credit), "partner_id": partner, **tax}


def test_rates_are_effective_dated(tenant_a):
    actions.ensure_chart(tenant_a)
    with tenant_context(tenant_a):
        assert taxes.rate_for("VAT8", dt.date(2026, 12, 31)) is not None
        assert taxes.rate_for("VAT8", dt.date(2027, 1, 1)) is None
        assert taxes.rate_for("VAT8", dt.date(2025, 6, 30)) is None
        assert taxes.rate_for("VAT10", dt.date(2027, 1, 1)).rate == 10


def test_sale_and_purchases_make_tax_transactions_and_return(tenant_a):
    fm = principal(tenant_a, "finance_manager")
    customer, vendor = make_party(tenant_a, "KH"), make_party(tenant_a, "NCC")
    day = TODAY
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


def test_rate_not_valid_on_the_date_is_refused(tenant_a):
    fm = principal(tenant_a, "finance_manager")
    actions.create_fiscal_year(fm, dt.date(2027, 1, 1)) if TODAY.year != 2027 else None
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


def test_tax_api_and_pages(tenant_a):
    c = fm_client(tenant_a)
    rates = c.get(f"{URL}/tax-rates").json()
    assert {r["code"] for r in rates} >= {"VAT0", "VAT5", "VAT8", "VAT10", "EXEMPT"}
    r = c.post(
        f"{URL}/entries",
        {
            "journal": "SAL",
            "date": TODAY.isoformat(),
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
    new = c.post(f"{URL}/tax-rates", {"code": "VAT7", "name": "GTGT 7%", "rate": "7", "valid_from": "2027-01-01"})
    assert new.status_code == 201
    from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

    acc = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert acc.get(f"{URL}/reports/vat-return").status_code == 403
    assert (
        acc.post(f"{URL}/tax-rates", {"code": "X", "name": "x", "rate": "1", "valid_from": "2027-01-01"}).status_code
        == 403
    )
    web = web_client(tenant_a, c.user)
    assert web.get("/accounting/taxes/").status_code == 200
    assert web.get("/accounting/reports/vat/").status_code == 200
    assert web.get("/accounting/reports/vat/?format=xlsx&direction=input").status_code == 200
