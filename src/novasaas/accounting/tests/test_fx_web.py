"""Multi-currency through the API and the pages: roles, two-tenant isolation, bad input."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from novasaas.accounting.models import EntryState, ExchangeRate, JournalEntry
from novasaas.accounting.tests.helpers import make_party
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

URL = "/api/v1/accounting"


@pytest.fixture
def day(today):
    return today.replace(day=1)


def _api(tenant, role="finance_manager"):
    return ApiClient(tenant, create_user(tenant, role))


def _usd_entry(party, amount="100", **extra):
    return {
        "journal": "GEN",
        "date": timezone.localdate().replace(day=1).isoformat(),
        "lines": [
            {"account": "131", "debit": amount, "partner_id": party, "currency": "USD", **extra},
            {"account": "5111", "credit": amount, "currency": "USD", **extra},
        ],
        "post": True,
    }


def test_rate_crud_api_roles_and_isolation(tenant_a, tenant_b, day):
    fm, accountant = _api(tenant_a), _api(tenant_a, "accountant")
    r = fm.post(f"{URL}/exchange-rates", {"currency": "USD", "date": day.isoformat(), "rate": "25400.5"})
    assert r.status_code == 201, r.json()
    rate_id = r.json()["id"]
    assert r.json()["rate"] == "25400.5"
    assert accountant.get(f"{URL}/exchange-rates").json()["items"][0]["currency"] == "USD"
    look = accountant.get(
        f"{URL}/exchange-rates/lookup", {"currency": "USD", "date": (day + dt.timedelta(5)).isoformat()}
    )
    assert look.status_code == 200 and Decimal(look.json()["rate"]) == Decimal("25400.5")
    assert (
        accountant.get(f"{URL}/exchange-rates/lookup", {"currency": "EUR", "date": day.isoformat()}).status_code == 404
    )
    # the Accountant reads, only the Finance Manager maintains
    assert (
        accountant.post(f"{URL}/exchange-rates", {"currency": "EUR", "date": day.isoformat(), "rate": "1"}).status_code
        == 403
    )
    assert accountant.patch(f"{URL}/exchange-rates/{rate_id}", {"rate": "1"}).status_code == 403
    assert accountant.delete(f"{URL}/exchange-rates/{rate_id}").status_code == 403
    assert fm.patch(f"{URL}/exchange-rates/{rate_id}", {"rate": "25500"}).json()["rate"].startswith("25500")
    # another tenant sees nothing and cannot touch the row
    other = _api(tenant_b)
    assert other.get(f"{URL}/exchange-rates").json()["items"] == []
    assert other.get(f"{URL}/exchange-rates/{rate_id}").status_code == 404
    assert other.patch(f"{URL}/exchange-rates/{rate_id}", {"rate": "1"}).status_code == 404
    assert other.delete(f"{URL}/exchange-rates/{rate_id}").status_code == 404
    assert fm.delete(f"{URL}/exchange-rates/{rate_id}").status_code == 204


def test_rate_bad_input_is_4xx_and_writes_nothing(tenant_a, day):
    fm = _api(tenant_a)
    for payload in (
        {"currency": "XYZ", "date": day.isoformat(), "rate": "1"},
        {"currency": "VND", "date": day.isoformat(), "rate": "1"},
        {"currency": "USD", "date": day.isoformat(), "rate": "-1"},
        {"currency": "USD", "date": day.isoformat(), "rate": "0"},
        {"currency": "USD", "date": day.isoformat(), "rate": 25000.5},  # a float
        {"currency": "USD", "date": "2026-13-01", "rate": "1"},
    ):
        r = fm.post(f"{URL}/exchange-rates", payload)
        assert 400 <= r.status_code < 500, (payload, r.status_code)
    with tenant_context(tenant_a):
        assert not ExchangeRate.objects.exists()


def test_rate_import_csv(tenant_a):
    fm = _api(tenant_a)
    content = "currency,date,rate\nUSD,2026-01-02,25000\nEUR,02/01/2026,27000.25\n"
    r = fm.client.post(
        f"{URL}/exchange-rates/import",
        {"file": _upload("rates.csv", content)},
        HTTP_AUTHORIZATION=f"Bearer {fm.token}",
    )
    assert r.status_code == 200, r.json()
    assert r.json()["created"] == 2
    bad = "currency,date,rate\nUSD,2026-01-03,25000\nXYZ,2026-01-03,1\n"
    r = fm.client.post(
        f"{URL}/exchange-rates/import", {"file": _upload("r.csv", bad)}, HTTP_AUTHORIZATION=f"Bearer {fm.token}"
    )
    assert r.status_code == 400
    with tenant_context(tenant_a):
        assert ExchangeRate.objects.count() == 2


def _upload(name, text):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_currency_entry_api_and_bad_input(tenant_a, day):
    fm = _api(tenant_a)
    party = make_party(tenant_a)
    # no rate in the table: clear 400 naming the line, nothing written
    r = fm.post(f"{URL}/entries", _usd_entry(party))
    assert r.status_code == 400 and "lines[0].exchange_rate" in r.json()["detail"]
    for extra, status in (
        ({"currency": "XYZ"}, 400),
        ({"exchange_rate": "-1"}, 422),
        ({"exchange_rate": "25000", "amount_base": "1"}, 400),
    ):
        payload = _usd_entry(party)
        payload["lines"][0].update(extra)
        r = fm.post(f"{URL}/entries", payload)
        assert r.status_code == status, (extra, r.json())
        detail = str(r.json()["detail"])
        # the first line is named: by the schema (its location) or by the business rule (its field key)
        assert ("'lines', 0" if status == 422 else "lines[0]") in detail, (extra, r.json())
    with tenant_context(tenant_a):
        assert not JournalEntry.objects.exists()
    fm.post(f"{URL}/exchange-rates", {"currency": "USD", "date": day.isoformat(), "rate": "25000"})
    r = fm.post(f"{URL}/entries", _usd_entry(party, amount_base="2500000"))
    assert r.status_code == 201, r.json()
    line = r.json()["lines"][0]
    assert (line["currency"], line["amount_currency"], line["debit"]) == ("USD", "100.00", "2500000.00")
    account_131 = line["account_id"]
    ledger = fm.get(f"{URL}/accounts/{account_131}/ledger", {"date_from": day.isoformat()}).json()
    assert ledger["rows"][0]["currency"] == "USD" and ledger["rows"][0]["amount_currency"] == "100.00"
    items = fm.get(f"{URL}/open-items", {"kind": "receivable", "party_id": party}).json()
    assert items[0]["open_currency"] == "100.00" and items[0]["currency"] == "USD"
    # a receipt at another rate: the realised difference is booked, the item is settled
    r = fm.post(
        f"{URL}/payments",
        {
            "kind": "receipt",
            "party_id": party,
            "date": day.isoformat(),
            "amount": "100",
            "currency": "USD",
            "exchange_rate": "25100",
            "allocations": [{"line_id": line["id"], "amount": "100"}],
        },
    )
    assert r.status_code == 201, r.json()
    assert Decimal(r.json()["amount"]) == Decimal("2510000") and r.json()["currency"] == "USD"
    assert fm.get(f"{URL}/open-items", {"kind": "receivable", "party_id": party}).json() == []
    with tenant_context(tenant_a):
        fx_entry = JournalEntry.objects.get(source_type="accounting.fx_settlement")
        assert {ln.account.code: ln.credit for ln in fx_entry.lines.select_related("account")}["515"] == 10000


def test_revaluation_api_roles_and_idempotence(tenant_a, tenant_b, day):
    fm, accountant = _api(tenant_a), _api(tenant_a, "accountant")
    party = make_party(tenant_a)
    fm.post(f"{URL}/exchange-rates", {"currency": "USD", "date": day.isoformat(), "rate": "25000"})
    assert fm.post(f"{URL}/entries", _usd_entry(party)).status_code == 201
    end = day + dt.timedelta(days=10)
    fm.post(f"{URL}/exchange-rates", {"currency": "USD", "date": end.isoformat(), "rate": "25300"})
    assert accountant.get(f"{URL}/fx-revaluation", {"date": end.isoformat()}).status_code == 403
    assert accountant.post(f"{URL}/fx-revaluation", {"date": end.isoformat()}).status_code == 403
    preview = fm.get(f"{URL}/fx-revaluation", {"date": end.isoformat()}).json()
    assert Decimal(preview["net"]) == 30000 and preview["entry_id"] is None
    assert Decimal(preview["rows"][0]["difference"]) == 30000
    r = fm.post(f"{URL}/fx-revaluation", {"date": end.isoformat()})
    assert r.status_code == 201, r.json()
    again = fm.post(f"{URL}/fx-revaluation", {"date": end.isoformat()})
    assert again.json()["id"] == r.json()["id"]
    assert fm.get(f"{URL}/fx-revaluation", {"date": end.isoformat()}).json()["entry_id"] == r.json()["id"]
    # nothing to revalue in the other tenant
    assert _api(tenant_b).post(f"{URL}/fx-revaluation", {"date": end.isoformat()}).status_code == 400
    r = fm.post(f"{URL}/fx-revaluation", {"date": "not-a-date"})
    assert r.status_code == 422 and "date" in str(r.json()["detail"]), r.json()


def test_pages(tenant_a, tenant_b, day):
    fm = web_client(tenant_a, create_user(tenant_a, "finance_manager"))
    accountant = web_client(tenant_a, create_user(tenant_a, "accountant"))
    party = make_party(tenant_a)
    r = fm.post("/accounting/exchange-rates/", {"currency": "USD", "date": day.isoformat(), "rate": "25000"})
    assert r.status_code == 302
    assert (
        fm.post("/accounting/exchange-rates/", {"currency": "USD", "date": day.isoformat(), "rate": "-3"}).status_code
        == 400
    )
    page = accountant.get("/accounting/exchange-rates/").content.decode()
    assert "25.000" in page and 'name="op" value="delete"' not in page  # formatted as the page shows numbers
    assert (
        accountant.post(
            "/accounting/exchange-rates/", {"currency": "EUR", "date": day.isoformat(), "rate": "1"}
        ).status_code
        == 403
    )
    assert (
        "25.000"
        not in web_client(tenant_b, create_user(tenant_b, "finance_manager"))
        .get("/accounting/exchange-rates/")
        .content.decode()
    )
    # a USD line in the multi-line form (the rate from the table)
    data = {
        "journal": "GEN",
        "date": day.isoformat(),
        "memo": "USD",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "200",
        "lines-0-account": "131",
        "lines-0-debit": "100",
        "lines-0-partner_id": str(party),
        "lines-0-currency": "USD",
        "lines-1-account": "5111",
        "lines-1-credit": "100",
        "lines-1-currency": "USD",
        "post": "1",
    }
    r = fm.post("/accounting/entries/new/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(tenant_a):
        entry = JournalEntry.objects.get()
    assert entry.state == EntryState.POSTED and entry.total == Decimal("2500000")
    detail = fm.get(r["Location"]).content.decode()
    assert "100,00 USD" in detail  # Vietnamese number format
    # a posted entry cannot be edited: its edit page sends back to the entry
    r = fm.get(f"/accounting/entries/{entry.pk}/edit/")
    assert r.status_code == 302 and r["Location"].endswith(f"/accounting/entries/{entry.pk}/")
    bad = dict(data, **{"lines-0-currency": "XYZ", "lines-1-currency": "XYZ"})
    assert fm.post("/accounting/entries/new/", bad).status_code == 400
    # revaluation: computation first, then posting; the Accountant has no access
    end = day + dt.timedelta(days=3)
    fm.post("/accounting/exchange-rates/", {"currency": "USD", "date": end.isoformat(), "rate": "24900"})
    assert accountant.get("/accounting/fx-revaluation/").status_code == 403
    preview = fm.get("/accounting/fx-revaluation/", {"date": end.isoformat()}).content.decode()
    assert "24.900" in preview and "-10.000" in preview.replace("−", "-").replace(",", ".")
    r = fm.post("/accounting/fx-revaluation/", {"date": end.isoformat()})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert JournalEntry.objects.filter(source_type="accounting.fx_revaluation").count() == 1
    assert fm.post("/accounting/fx-revaluation/", {"date": "x"}).status_code == 400
    # payments page accepts a currency
    r = fm.post(
        "/accounting/payments/",
        {
            "kind": "receipt",
            "party_id": party,
            "date": end.isoformat(),
            "amount": "100",
            "method": "bank",
            "currency": "USD",
        },
    )
    assert r.status_code == 302
    assert "USD" in fm.get("/accounting/payments/").content.decode()


def test_entry_import_with_currency_columns(tenant_a, day):
    fm = _api(tenant_a)
    day = day.isoformat()
    good = (
        "entry,date,journal,account,debit,credit,partner,memo,currency,exchange_rate\n"
        f"NH1,{day},BANK,1122,1000,0,,Mua USD,USD,25400\n"
        f"NH1,{day},BANK,1121,0,25400000,,Mua USD,,\n"
    )
    r = fm.client.post(
        f"{URL}/entries/import", {"file": _upload("e.csv", good)}, HTTP_AUTHORIZATION=f"Bearer {fm.token}"
    )
    assert r.status_code == 200, r.json()
    # no rate in the table and none in the file: refused with the line number, nothing written
    bad = (
        "entry,date,journal,account,debit,credit,partner,memo,currency,exchange_rate\n"
        f"NH2,{day},BANK,1122,10,0,,x,EUR,\n"
        f"NH2,{day},BANK,1121,0,270000,,x,,\n"
    )
    r = fm.client.post(
        f"{URL}/entries/import", {"file": _upload("e.csv", bad)}, HTTP_AUTHORIZATION=f"Bearer {fm.token}"
    )
    assert r.status_code == 400 and r.json()["errors"][0]["line"] == 2
    with tenant_context(tenant_a):
        assert JournalEntry.objects.count() == 1
        line = JournalEntry.objects.get().lines.get(account__code="1122")
        assert (line.currency, line.amount_currency, line.debit) == ("USD", Decimal(1000), Decimal(25400000))
