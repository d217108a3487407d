"""Bank statement import with a column mapping: preview, mapping (titles or numbers, date format,
separators, header row, footers, running balance), saved profiles per bank account, page flow, roles,
isolation, bad files and mappings (4xx with line errors, nothing imported)."""

from __future__ import annotations

import datetime as dt
import io
import json
import re
from decimal import Decimal

import pytest
from openpyxl import Workbook

from novasaas.accounting import statements
from novasaas.accounting.models import Account, BankTransaction, StatementProfile
from novasaas.accounting.tests.test_api import URL, fm_client
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

VCB = """SAO KÊ TÀI KHOẢN;;;;;
Số TK: 0071000123;;;;;
Ngày GD;Số CT;Diễn giải;Ghi nợ;Ghi có;Số dư
02/01/2026 08:15:00;FT001;KH Hoàng Long thanh toán HĐ 12;;1.234.567;11.234.567
03/01/2026;FT002;Phí SMS;11.000;;11.223.567
05/01/2026;FT003;Chuyển tiền NCC;2.500.000,50;;8.723.566,50
Tổng cộng;;;2.511.000,50;1.234.567;
""".encode()

MAPPING = {
    "columns": {
        "date": "Ngày GD",
        "reference": "Số CT",
        "description": "Diễn giải",
        "debit": "Ghi nợ",
        "credit": "Ghi có",
        "balance": "Số dư",
    },
    "date_format": "dd/mm/yyyy",
    "decimal_separator": ",",
    "thousands_separator": ".",
    "header_row": 3,
    "skip_undated": True,
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _bank(tenant, number="0071000123"):
    c = fm_client(tenant)
    c.get(f"{URL}/accounts")
    with tenant_context(tenant):
        acc_1121 = Account.objects.get(code="1121").pk
    return c.post(f"{URL}/bank-accounts", {"name": "VCB", "number": number, "account_id": acc_1121}).json()["id"]


def _post(client, path, content, name, **form):
    f = io.BytesIO(content)
    f.name = name
    return client.client.post(path, {"file": f, **form}, HTTP_AUTHORIZATION=f"Bearer {client.token}")


def _count(tenant):
    with tenant_context(tenant):
        return BankTransaction.objects.count()


def test_parsing_rules():
    assert statements.parse_amount("1.234.567", ",", ".") == Decimal(1234567)
    assert statements.parse_amount("(2.500.000,50) VND", ",", ".") == Decimal("-2500000.50")
    assert statements.parse_amount("1,234.5-", ".", ",") == Decimal("-1234.5")
    assert statements.parse_amount(Decimal("1234.5"), ",", ".") == Decimal("1234.5")  # native Excel number
    for bad in ("1.5", "12.34.567", "abc", "1,2,3", "1.234,567", "", "1e5"):
        with pytest.raises(ValueError):
            statements.parse_amount(bad, ",", ".")
    assert statements.parse_date("31/01/2026 10:00", "dd/mm/yyyy") == dt.date(2026, 1, 31)
    assert statements.parse_date("2026-01-31", "mm/dd/yyyy") == dt.date(2026, 1, 31)  # ISO always
    assert statements.parse_date("01/31/2026", "mm/dd/yyyy") == dt.date(2026, 1, 31)
    with pytest.raises(ValueError):
        statements.parse_date("31/01/2026", "mm/dd/yyyy")
    table = statements.read_table(VCB)
    assert statements.guess_header_row(table) == 3
    guess = statements.guess_mapping(table, 3)
    assert guess["columns"] == MAPPING["columns"]
    assert (guess["decimal_separator"], guess["thousands_separator"]) == (",", ".")


def test_api_mapping_profiles_and_bad_input(tenant_a, tenant_b):
    bank = _bank(tenant_a)
    acc = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    path = f"{URL}/bank-accounts/{bank}/statements"
    # preview: titles, first rows, suggested mapping; nothing written
    r = _post(acc, f"{path}/preview", VCB, "vcb.csv")
    assert r.status_code == 200, r.content
    pv = r.json()
    assert pv["header_row"] == 3 and pv["columns"][0] == {"number": 1, "title": "Ngày GD"}
    assert pv["rows"][0]["line"] == 4 and pv["rows"][0]["cells"][4] == "1.234.567"
    assert pv["mapping"]["columns"]["credit"] == "Ghi có" and pv["profiles"] == []
    assert _count(tenant_a) == 0

    # bad mappings: 400 with the problems (in the user's language, Vietnamese by default), nothing imported
    for bad, fragment in (
        ("not json", "JSON"),
        (json.dumps({**MAPPING, "columns": {"date": "Ngày GD"}}), "chọn cột số tiền"),
        (json.dumps({**MAPPING, "columns": {**MAPPING["columns"], "amount": 4}}), "không chọn cả hai"),
        (json.dumps({**MAPPING, "decimal_separator": "."}), "phải khác nhau"),
        (json.dumps({**MAPPING, "date_format": "dd/mm"}), "định dạng ngày"),
        (json.dumps({**MAPPING, "colour": "red"}), "khóa không hợp lệ: colour"),
        (json.dumps({**MAPPING, "columns": {**MAPPING["columns"], "reference": "Không có"}}), "Không tìm thấy"),
    ):
        r = _post(acc, path, VCB, "vcb.csv", mapping=bad)
        assert r.status_code == 400, (bad, r.content)
        assert fragment in json.dumps(r.json()["errors"], ensure_ascii=False), r.json()
    # wrong separators: every amount row reported by its file line
    wrong = json.dumps({**MAPPING, "decimal_separator": ".", "thousands_separator": ","})
    r = _post(acc, path, VCB, "vcb.csv", mapping=wrong)
    assert r.status_code == 400 and [e["line"] for e in r.json()["errors"]] == [4, 5, 6]
    # footer without skip_undated: an error on its line
    r = _post(acc, path, VCB, "vcb.csv", mapping=json.dumps({**MAPPING, "skip_undated": False}))
    assert r.status_code == 400 and [e["line"] for e in r.json()["errors"]] == [7]
    # a broken running balance is reported on the row where the chain breaks
    broken = VCB.replace(b"11.223.567", b"11.223.568")
    r = _post(acc, path, broken, "vcb.csv", mapping=json.dumps(MAPPING))
    assert r.status_code == 400 and {e["line"] for e in r.json()["errors"]} <= {5, 6}
    assert _count(tenant_a) == 0

    # the good mapping imports, checks balances and saves a profile
    r = _post(acc, path, VCB, "vcb.csv", mapping=json.dumps(MAPPING), save_profile="VCB CSV")
    assert r.status_code == 200, r.content
    assert r.json() == {
        "created": 3,
        "skipped": 0,
        "opening_balance": "10000000.00",
        "closing_balance": "8723566.50",
    }
    txs = acc.get(f"{URL}/bank-accounts/{bank}/transactions").json()["items"]
    assert sorted((t["date"], t["amount"], t["reference"]) for t in txs) == [
        ("2026-01-02", "1234567.00", "FT001"),
        ("2026-01-03", "-11000.00", "FT002"),
        ("2026-01-05", "-2500000.50", "FT003"),
    ]
    profiles = acc.get(f"{URL}/bank-accounts/{bank}/statement-profiles").json()
    assert [p["name"] for p in profiles] == ["VCB CSV"] and profiles[0]["mapping"]["header_row"] == 3
    # re-import with the saved profile: everything already there
    r = _post(acc, path, VCB, "vcb.csv", profile_id=str(profiles[0]["id"]))
    assert r.json()["created"] == 0 and r.json()["skipped"] == 3
    # the preview with a profile suggests the profile's mapping
    pv = _post(acc, f"{path}/preview", VCB, "vcb.csv", profile_id=str(profiles[0]["id"])).json()
    assert pv["mapping"]["columns"] == MAPPING["columns"] and pv["header_row"] == 3

    # Excel with native numbers and dates, columns by number, no header row
    wb = Workbook()
    ws = wb.active
    ws.append([dt.date(2026, 2, 1), "Lãi tiền gửi", 15000.5, "INT01"])
    ws.append([dt.datetime(2026, 2, 2, 9, 30), "Phí", -2200, "FEE02"])
    out = io.BytesIO()
    wb.save(out)
    numbers = {
        "columns": {"date": 1, "description": 2, "amount": 3, "reference": 4},
        "header_row": 0,
        "date_format": "mm/dd/yyyy",
    }
    r = _post(acc, path, out.getvalue(), "s.xlsx", mapping=json.dumps(numbers))
    assert r.status_code == 200 and r.json()["created"] == 2, r.content
    assert _count(tenant_a) == 5

    # profiles through the API: validated, replaced by name, deleted
    profiles_path = f"{URL}/bank-accounts/{bank}/statement-profiles"
    assert acc.post(profiles_path, {"name": "x", "mapping": {"columns": {}}}).status_code == 400
    made = acc.post(profiles_path, {"name": "Excel", "mapping": numbers})
    assert made.status_code == 201 and made.json()["mapping"]["columns"]["amount"] == 3
    assert acc.delete(f"{URL}/statement-profiles/{made.json()['id']}").status_code == 204

    # roles and isolation
    sales = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    assert _post(sales, f"{path}/preview", VCB, "vcb.csv").status_code == 403
    assert sales.get(profiles_path).status_code == 403
    assert _post(sales, path, VCB, "vcb.csv", mapping=json.dumps(MAPPING)).status_code == 403
    other = fm_client(tenant_b)
    assert _post(other, f"{path}/preview", VCB, "vcb.csv").status_code == 404
    assert other.get(profiles_path).status_code == 404
    assert other.delete(f"{URL}/statement-profiles/{profiles[0]['id']}").status_code == 404
    own = _bank(tenant_b, "999")
    r = _post(other, f"{URL}/bank-accounts/{own}/statements", VCB, "vcb.csv", profile_id=str(profiles[0]["id"]))
    assert r.status_code == 400  # another tenant's (or bank account's) profile is unknown here
    assert _count(tenant_b) == 0
    with tenant_context(tenant_b):
        assert StatementProfile.objects.count() == 0


def test_page_preview_map_import_and_profile(tenant_a, tenant_b, media):
    bank = _bank(tenant_a)
    user = create_user(tenant_a, "accountant")
    web = web_client(tenant_a, user)
    page = f"/accounting/bank/{bank}/"

    def upload(action, content=VCB, **extra):
        f = io.BytesIO(content)
        f.name = "vcb.csv"
        return web.post(page, {"action": action, "file": f, **extra})

    r = upload("preview", profile="")
    assert r.status_code == 200
    html = r.content.decode()
    token = re.search(r'name="token" value="([0-9a-f]{32})"', html).group(1)
    assert "KH Hoàng Long thanh toán HĐ 12" in html and 'value="3"' in html
    assert _count(tenant_a) == 0
    form = {
        "token": token,
        "header_row": "3",
        "col_date": "1",
        "col_reference": "2",
        "col_description": "3",
        "col_debit": "4",
        "col_credit": "5",
        "col_balance": "6",
        "date_format": "dd/mm/yyyy",
        "decimal_separator": ",",
        "thousands_separator": ".",
        "skip_undated": "1",
        "save_profile": "Vietcombank CSV",
    }
    # wrong separators: 400 with line errors, nothing imported, the file kept for another try
    r = web.post(page, {**form, "action": "import_mapped", "decimal_separator": ".", "thousands_separator": "none"})
    assert r.status_code == 400 and _count(tenant_a) == 0
    with tenant_context(tenant_a):
        assert StatementProfile.objects.count() == 0
    assert web.post(page, {**form, "action": "repreview", "header_row": "1"}).status_code == 200
    # another tenant cannot use the token
    outsider = web_client(tenant_b, create_user(tenant_b, "finance_manager"))
    own = _bank(tenant_b, "555")
    r = outsider.post(f"/accounting/bank/{own}/", {**form, "action": "import_mapped"})
    assert r.status_code == 400
    with tenant_context(tenant_b):
        assert BankTransaction.objects.count() == 0
    r = web.post(page, {**form, "action": "import_mapped"})
    assert r.status_code == 302, r.content.decode()[:3000]
    assert _count(tenant_a) == 3
    with tenant_context(tenant_a):
        profile = StatementProfile.objects.get()
        assert profile.name == "Vietcombank CSV" and profile.mapping["columns"]["debit"] == "Ghi nợ"
    assert not list(media.rglob("statement-uploads/*"))  # the kept upload is gone after the import
    # abandoned previews older than a day are removed at the next preview of the tenant
    import os

    stale = statements.stash_upload(tenant_a.pk, b"x")
    path = media / "acc" / str(tenant_a.pk) / "statement-uploads" / stale
    os.utime(path, (path.stat().st_atime - 2 * 86400, path.stat().st_mtime - 2 * 86400))
    fresh = statements.stash_upload(tenant_a.pk, b"y")
    assert not path.exists() and (path.parent / fresh).exists()
    statements.drop_stash(tenant_a.pk, fresh)
    # next time the profile is offered first and imports directly
    html = web.get(page).content.decode()
    assert f'<option value="{profile.pk}" selected>Vietcombank CSV</option>' in html
    assert upload("import", profile=str(profile.pk)).status_code == 302
    assert _count(tenant_a) == 3  # all already there
    # default import (no profile) still recognises titles; this file's titles are on row 3 → refused
    assert upload("import", profile="").status_code == 400
    sales = web_client(tenant_a, create_user(tenant_a, "sales_staff"))
    f = io.BytesIO(VCB)
    f.name = "vcb.csv"
    assert sales.post(page, {"action": "preview", "file": f}).status_code == 403
    assert web.post(page, {"action": "delete_profile", "profile": str(profile.pk)}).status_code == 302
    with tenant_context(tenant_a):
        assert StatementProfile.objects.count() == 0
