"""The accounting API: chart, periods, journals, entries, import, reports."""

from __future__ import annotations

import io
from decimal import Decimal

from django.utils import timezone
from openpyxl import Workbook, load_workbook

from novasaas.accounting.models import EntryState, JournalEntry
from novasaas.accounting.tests.helpers import make_party
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user

URL = "/api/v1/accounting"


def fm_client(tenant):
    return ApiClient(tenant, create_user(tenant, "finance_manager"))


def entry_payload(amount="1000000", **extra):
    data = {
        "journal": "GEN",
        "date": timezone.localdate().isoformat(),
        "memo": "Góp vốn",
        "lines": [
            {"account": "1111", "debit": amount},
            {"account": "4111", "credit": amount},
        ],
        "post": True,
    }
    data.update(extra)
    return data


def test_chart_listing_and_sub_account_crud(tenant_a):
    c = fm_client(tenant_a)
    accounts = c.get(f"{URL}/accounts").json()
    codes = {a["code"]: a for a in accounts}
    assert {"111", "1111", "131", "33311", "911"} <= set(codes)
    r = c.post(f"{URL}/accounts", {"parent_id": codes["1121"]["id"], "code": "11211", "name_vi": "VCB"})
    assert r.status_code == 201, r.json()
    sub = r.json()
    assert c.patch(f"{URL}/accounts/{sub['id']}", {"name_vi": "Vietcombank"}).json()["name_vi"] == "Vietcombank"
    assert c.post(f"{URL}/accounts/{sub['id']}/deactivate").json()["is_active"] is False
    assert c.post(f"{URL}/accounts/{sub['id']}/activate").json()["is_active"] is True
    assert c.delete(f"{URL}/accounts/{codes['1111']['id']}").status_code == 400  # template account
    assert c.delete(f"{URL}/accounts/{sub['id']}").status_code == 204
    bad = c.post(f"{URL}/accounts", {"parent_id": codes["1121"]["id"], "code": "999", "name_vi": "x"})
    assert bad.status_code == 400


def test_entry_lifecycle_and_reports(tenant_a):
    c = fm_client(tenant_a)
    r = c.post(f"{URL}/entries", entry_payload())
    assert r.status_code == 201, r.json()
    entry = r.json()
    assert entry["state"] == "posted" and entry["reference"].startswith("GEN-")
    assert entry["lines"][0]["debit"] == "1000000.00"
    party = make_party(tenant_a)
    sale = c.post(
        f"{URL}/entries",
        entry_payload(
            "500000",
            lines=[
                {"account": "131", "debit": "550000", "partner_id": party},
                {"account": "5111", "credit": "500000"},
                {"account": "33311", "credit": "50000"},
            ],
        ),
    ).json()
    listing = c.get(f"{URL}/entries", {"state": "posted"}).json()
    assert listing["count"] == 2
    tb = c.get(f"{URL}/reports/trial-balance").json()
    assert tb["balanced"] and tb["totals"]["debit"] == "1550000.00"
    bs = c.get(f"{URL}/reports/balance-sheet").json()
    assert bs["checks"]["assets_equal_sources"]
    lines = {line["code"]: line for line in bs["lines"]}
    assert lines["200"]["current"] == "1550000.00" and lines["417"]["current"] == "500000.00"
    inc = c.get(f"{URL}/reports/income-statement").json()
    assert {line["code"]: line["current"] for line in inc["lines"]}["60"] == "500000.00"
    xlsx = c.get(f"{URL}/reports/trial-balance", {"format": "xlsx"})
    assert xlsx.status_code == 200
    cells = [v for row in load_workbook(io.BytesIO(xlsx.content)).active.iter_rows(values_only=True) for v in row]
    assert "33311" in cells
    ledger = c.get(f"{URL}/accounts/{sale['lines'][0]['account_id']}/ledger").json()
    assert ledger["closing"] == "550000.00" and ledger["rows"][0]["balance"] == "550000.00"
    assert c.get(f"{URL}/parties/{party}/balance").json()["receivable"] == "550000.00"
    rev = c.post(f"{URL}/entries/{sale['id']}/reverse", {})
    assert rev.status_code == 201 and rev.json()["reversal_of_id"] == sale["id"]
    assert c.get(f"{URL}/entries/{sale['id']}").json()["reversed_by_id"] == rev.json()["id"]
    assert c.post(f"{URL}/entries/{sale['id']}/reverse", {}).status_code == 400


def test_bad_input_is_4xx_and_posts_nothing(tenant_a, today):
    c = fm_client(tenant_a)
    cases = [
        entry_payload(lines=[{"account": "1111", "debit": "10"}, {"account": "4111", "credit": "9"}]),
        entry_payload(lines=[{"account": "1111", "debit": 1.5}, {"account": "4111", "credit": 1.5}]),
        entry_payload(lines=[{"account": "9999", "debit": "1"}, {"account": "4111", "credit": "1"}]),
        entry_payload(lines=[{"account": "1111", "debit": "-1"}, {"account": "4111", "credit": "-1"}]),
        entry_payload(date="1800-01-01"),
        entry_payload(date=f"{today.year + 5}-01-01"),
        entry_payload(journal="NOPE"),
        entry_payload(lines=[{"account": "1111", "debit": "1"}]),
        entry_payload(lines=[{"account": "1111", "debit": "0.001"}, {"account": "4111", "credit": "0.001"}]),
        {**entry_payload(), "unknown": 1},
    ]
    for payload in cases:
        r = c.post(f"{URL}/entries", payload)
        assert 400 <= r.status_code < 500, (payload, r.status_code, r.content)
    with tenant_context(tenant_a):
        assert not JournalEntry.objects.exists()


def test_accountant_entry_above_threshold_waits_for_approval(tenant_a):
    fm = fm_client(tenant_a)
    assert fm.patch(f"{URL}/settings", {"approval_threshold": "1000"}).status_code == 200
    acc = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    r = acc.post(f"{URL}/entries", entry_payload("5000")).json()
    assert r["state"] == "pending"
    assert acc.post(f"{URL}/entries/{r['id']}/approve").status_code == 403
    assert fm.post(f"{URL}/entries/{r['id']}/approve").json()["state"] == "posted"
    r2 = acc.post(f"{URL}/entries", entry_payload("5000")).json()
    assert fm.post(f"{URL}/entries/{r2['id']}/reject", {"reason": "sai"}).json()["state"] == "draft"
    assert acc.delete(f"{URL}/entries/{r2['id']}").status_code == 204


def test_periods_close_reopen_lock(tenant_a, today):
    c = fm_client(tenant_a)
    years = c.get(f"{URL}/fiscal-years").json()
    period = next(p for p in years[0]["periods"] if p["start_date"] <= today.isoformat() <= p["end_date"])
    assert c.post(f"{URL}/periods/{period['id']}/close").json()["state"] == "closed"
    assert c.post(f"{URL}/entries", entry_payload()).status_code == 400
    assert c.post(f"{URL}/periods/{period['id']}/reopen").json()["state"] == "open"
    c.post(f"{URL}/periods/{period['id']}/close")
    assert c.post(f"{URL}/periods/{period['id']}/lock").json()["state"] == "locked"
    assert c.post(f"{URL}/periods/{period['id']}/reopen").status_code == 400
    r = c.post(f"{URL}/fiscal-years", {"start_date": f"{today.year + 1}-01-01"})
    assert r.status_code == 201 and len(r.json()["periods"]) == 12
    assert c.post(f"{URL}/fiscal-years", {"start_date": f"{today.year + 1}-06-01"}).status_code == 400


def test_journals_and_mappings(tenant_a):
    c = fm_client(tenant_a)
    assert c.post(f"{URL}/journals", {"code": "SAL2", "name": "Bán lẻ", "kind": "sales"}).status_code == 201
    assert c.post(f"{URL}/journals", {"code": "SAL2", "name": "x"}).status_code == 400
    maps = {m["role"]: m for m in c.get(f"{URL}/mappings").json()}
    assert maps["receivable"]["account_code"] == "131" and not maps["receivable"]["explicit"]
    accounts = {a["code"]: a["id"] for a in c.get(f"{URL}/accounts").json()}
    r = c.put(f"{URL}/mappings/revenue", {"account_id": accounts["5113"]})
    assert r.status_code == 200 and r.json()["account_code"] == "5113"
    assert c.put(f"{URL}/mappings/revenue", {"account_id": accounts["511"]}).status_code == 400
    assert c.put(f"{URL}/mappings/nonsense", {"account_id": accounts["5113"]}).status_code == 404


def _xlsx(rows):
    wb = Workbook()
    ws = wb.active
    ws.append(
        [
            "Số chứng từ (entry)",
            "Ngày (date)",
            "Sổ (journal)",
            "Tài khoản (account)",
            "Nợ (debit)",
            "Có (credit)",
            "Đối tượng (partner)",
            "Diễn giải (memo)",
        ]
    )
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "entries.xlsx"
    return out


def test_import_all_or_nothing_with_line_errors(tenant_a, today):
    c = fm_client(tenant_a)
    d = today.strftime("%d/%m/%Y")
    bad = _xlsx(
        [
            ["A1", d, "GEN", "1111", 100, 0, "", "ok"],
            ["A1", d, "GEN", "4111", 0, 100, "", "ok"],
            ["A2", d, "GEN", "1111", 50, 0, "", "unbalanced"],
            ["A2", d, "GEN", "4111", 0, 40, "", "unbalanced"],
            ["A3", "not a date", "GEN", "1111", 5, 0, "", ""],
            ["A4", d, "GEN", "131", 5, 0, "", "needs partner"],
            ["A4", d, "GEN", "5111", 0, 5, "", ""],
        ]
    )
    r = c.client.post(f"{URL}/entries/import", {"file": bad}, HTTP_AUTHORIZATION=f"Bearer {c.token}")
    assert r.status_code == 400
    errors = {e["line"]: e["messages"] for e in r.json()["errors"]}
    assert set(errors) == {4, 6, 7}, errors
    with tenant_context(tenant_a):
        assert not JournalEntry.objects.exists()
    party = make_party(tenant_a)
    good = _xlsx(
        [
            ["A1", d, "GEN", "1111", 100, 0, "", "ok"],
            ["A1", d, "GEN", "4111", 0, 100, "", "ok"],
            ["A4", d, "GEN", "131", "5500", 0, str(party), "với đối tượng"],
            ["A4", d, "GEN", "5111", 0, 5500, "", ""],
        ]
    )
    r = c.client.post(f"{URL}/entries/import", {"file": good}, HTTP_AUTHORIZATION=f"Bearer {c.token}")
    assert r.status_code == 200, r.json()
    assert r.json()["created"] == 2
    with tenant_context(tenant_a):
        assert JournalEntry.objects.filter(state=EntryState.POSTED).count() == 2
        assert JournalEntry.objects.get(source_reference="A4").total == Decimal("5500")
    csv_file = io.BytesIO(
        f"date;account;debit;credit\n{today.isoformat()};1111;7;0\n{today.isoformat()};4111;0;7\n".encode()
    )
    csv_file.name = "e.csv"
    r = c.client.post(f"{URL}/entries/import", {"file": csv_file}, HTTP_AUTHORIZATION=f"Bearer {c.token}")
    assert r.status_code == 200, r.json()
    junk = io.BytesIO(b"PK\x03\x04garbage")
    junk.name = "x.xlsx"
    r = c.client.post(f"{URL}/entries/import", {"file": junk}, HTTP_AUTHORIZATION=f"Bearer {c.token}")
    assert r.status_code == 400 and r.json()["errors"][0]["line"] == 0
