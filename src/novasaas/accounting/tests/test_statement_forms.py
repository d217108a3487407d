"""Each regime has its own statement lines: a Circular 133 tenant gets B01a-DNN/B02-DNN lines, a Circular
99 tenant B01-DN/B02-DN lines (codes, captions, note references, account mapping), with figures computed
by hand below; the page (in Vietnamese and English), the Excel file, the PDF and the API show one
definition."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.utils import timezone

from novasaas.accounting import actions, reports
from novasaas.accounting.statement_forms import REGIMES
from novasaas.accounting.tests.helpers import make_party, post, principal
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

M = 1_000_000


def _year() -> int:
    return timezone.localdate().year


def _ledger(tenant, template: str):
    """A small shop's first month, the same facts in both charts:
    capital 100M cash; goods 40M + VAT 4M bought on credit; sold for 30M + VAT 3M on credit (cost 20M);
    expenses 5M paid in cash (TT99: 2M selling, 3M administration); a second customer pays 10M in advance.
    """
    p = principal(tenant, "finance_manager")
    if template == "tt99":
        actions.apply_chart_template(p, "tt99")
    capital = "4111" if template == "tt133" else "411"
    vendor, customer, other = (
        make_party(tenant, "NCC Phú Thái"),
        make_party(tenant, "KH Minh Anh"),
        make_party(tenant, "KH Bình An"),
    )
    day = dt.date(_year(), 1, 10)
    post(p, ("1111", 100 * M, 0), (capital, 0, 100 * M), day=day)
    post(p, ("156", 40 * M, 0), ("1331", 4 * M, 0), ("331", 0, 44 * M, vendor), day=day)
    post(p, ("131", 33 * M, 0, customer), ("5111", 0, 30 * M), ("33311", 0, 3 * M), day=day)
    post(p, ("632", 20 * M, 0), ("156", 0, 20 * M), day=day)
    if template == "tt133":
        post(p, ("6421", 2 * M, 0), ("6422", 3 * M, 0), ("1111", 0, 5 * M), day=day)
    else:
        post(p, ("641", 2 * M, 0), ("642", 3 * M, 0), ("1111", 0, 5 * M), day=day)
    post(p, ("1111", 10 * M, 0), ("131", 0, 10 * M, other), day=day)
    return p


def _by_code(st) -> dict[str, int]:
    return {line.code: int(line.current) for line in st.lines}


def test_circular_133_balance_sheet_and_income_statement(tenant_a):
    _ledger(tenant_a, "tt133")
    end = dt.date(_year(), 12, 31)
    b01 = reports.balance_sheet(tenant_a, end)
    assert b01.regime == "tt133"
    v = _by_code(b01)
    assert [line.code for line in b01.lines] == [line.code for line in REGIMES["tt133"].b01]
    assert v["110"] == 105 * M  # 100 + 10 − 5
    assert (v["131"], v["312"]) == (33 * M, 10 * M)  # gross per customer
    assert (v["141"], v["181"]) == (20 * M, 4 * M)
    assert v["200"] == v["500"] == 162 * M
    assert (v["311"], v["313"], v["300"]) == (44 * M, 3 * M, 57 * M)
    assert (v["411"], v["417"], v["400"]) == (100 * M, 5 * M, 105 * M)
    assert "100" not in v and "270" not in v  # no short/long-term split in B01a-DNN
    notes = {line.code: line.note for line in b01.lines}
    assert (notes["110"], notes["130"], notes["140"], notes["200"]) == ("V.01", "V.03", "V.04", "")
    b02 = _by_code(reports.income_statement(tenant_a, dt.date(_year(), 1, 1), end))
    assert (b02["01"], b02["10"], b02["11"], b02["20"]) == (30 * M, 30 * M, 20 * M, 10 * M)
    assert b02["24"] == 5 * M and "25" not in b02 and "26" not in b02  # one "Chi phí quản lý kinh doanh" line
    assert b02["30"] == b02["50"] == b02["60"] == 5 * M


def test_circular_99_balance_sheet_and_income_statement(tenant_a):
    _ledger(tenant_a, "tt99")
    end = dt.date(_year(), 12, 31)
    b01 = reports.balance_sheet(tenant_a, end)
    assert b01.regime == "tt99" and b01.checks == {"assets_equal_sources": True, "previous_assets_equal_sources": True}
    v = _by_code(b01)
    assert [line.code for line in b01.lines] == [line.code for line in REGIMES["tt99"].b01]
    assert v["111"] == v["110"] == 105 * M
    assert (v["131"], v["130"], v["312"]) == (33 * M, 33 * M, 10 * M)
    assert (v["141"], v["140"]) == (20 * M, 20 * M)
    assert (v["152"], v["150"]) == (4 * M, 4 * M)  # deductible VAT is "Tài sản ngắn hạn khác" in B01-DN
    assert v["100"] == 162 * M and v["200"] == 0
    assert v["270"] == v["440"] == 162 * M
    assert (v["311"], v["313"], v["310"], v["330"], v["300"]) == (44 * M, 3 * M, 57 * M, 0, 57 * M)
    assert (v["411"], v["421"], v["410"], v["400"]) == (100 * M, 5 * M, 105 * M, 105 * M)
    labels = {line.code: line.label for line in b01.lines}
    assert labels["100"] == "A - TÀI SẢN NGẮN HẠN" and labels["131"] == "1. Phải thu ngắn hạn của khách hàng"
    assert labels["440"] == "TỔNG CỘNG NGUỒN VỐN" and "500" not in labels
    notes = {line.code: line.note for line in b01.lines}
    assert (notes["110"], notes["131"], notes["311"], notes["410"]) == ("V.01", "V.03", "V.16", "V.25")
    b02 = reports.income_statement(tenant_a, dt.date(_year(), 1, 1), end)
    f = _by_code(b02)
    assert (f["01"], f["10"], f["11"], f["20"]) == (30 * M, 30 * M, 20 * M, 10 * M)
    assert (f["25"], f["26"]) == (2 * M, 3 * M) and "24" not in f  # selling and administration apart
    assert f["30"] == f["50"] == f["60"] == 5 * M
    assert {line.code: line.note for line in b02.lines}["01"] == "VI.1"


@pytest.fixture
def tt99_company(tenant_a):
    tenant_a.legal_name = "Công ty CP Thương mại Sao Mai"
    tenant_a.tax_code = "0109876543"
    tenant_a.save()
    _ledger(tenant_a, "tt99")
    return web_client(tenant_a, create_user(tenant_a, "finance_manager"))


def _rows(content: bytes) -> dict[str, tuple]:
    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(content)).active
    return {str(r[1].value): (r[0].value, r[2].value, r[3].value) for r in ws.iter_rows() if r[1].value}


def test_one_definition_for_page_excel_pdf_and_api(tenant_a, tt99_company):
    year = _year()
    query = f"date_from={year}-01-01&date_to={year}-12-31"
    xlsx = tt99_company.get(f"/accounting/reports/balance-sheet/?format=xlsx&{query}")
    assert xlsx.status_code == 200
    rows = _rows(xlsx.content)
    assert rows["131"] == ("1. Phải thu ngắn hạn của khách hàng", "V.03", 33 * M)
    assert rows["270"][2] == rows["440"][2] == 162 * M
    api = ApiClient(tenant_a, create_user(tenant_a, "finance_manager"))
    data = api.get(f"/api/v1/accounting/reports/balance-sheet?{query}").json()
    assert (data["number"], data["regime"]) == ("B01-DN", "tt99")
    for line in data["lines"]:
        label, note, amount = rows[line["code"]]
        assert (line["label"], line["note"]) == (label, note or "")
        assert int(float(line["current"])) == (amount or 0)
    by_code = {line["code"]: line for line in data["lines"]}
    assert by_code["131"]["label_en"] == "1. Short-term trade receivables"
    page = tt99_company.get(f"/accounting/reports/balance-sheet/?{query}", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    for expected in ["Mẫu số B01-DN", "A - TÀI SẢN NGẮN HẠN", "V.03", "162.000.000"]:
        assert expected in page, expected
    assert "Short-term trade receivables" not in page
    b02 = _rows(tt99_company.get(f"/accounting/reports/income-statement/?format=xlsx&{query}").content)
    assert b02["25"][0] == "8. Chi phí bán hàng" and b02["26"][2] == 3 * M


def test_statement_page_in_english(tenant_a, tt99_company):
    year = _year()
    tt99_company.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = tt99_company.get(f"/accounting/reports/balance-sheet/?date_from={year}-01-01&date_to={year}-12-31")
    page = page.content.decode()
    # the filed form stays Vietnamese; each line carries its English caption, amounts in English format
    for expected in [
        "1. Phải thu ngắn hạn của khách hàng",
        "1. Short-term trade receivables",
        "TOTAL ASSETS",
        "End of year",
        "162,000,000",
        "33,000,000",
        "Balance sheet",
    ]:
        assert expected in page, expected
    assert "162.000.000" not in page


def test_pdf_prints_the_circular_99_lines_and_notes(tt99_company):
    from novasaas.platform.pdf import font_path

    if font_path() is None:
        pytest.skip("no Unicode TTF font on this machine")
    from pypdf import PdfReader

    r = tt99_company.get(f"/accounting/reports/balance-sheet/?format=pdf&date_to={_year()}-12-31")
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(r.content)).pages)
    for expected in [
        "Mẫu số B01-DN",
        "99/2025/TT-BTC",
        "A - TÀI SẢN NGẮN HẠN",
        "B - TÀI SẢN DÀI HẠN",
        "V.01",
        "162.000.000",
    ]:
        assert expected in text, expected
    assert "B01a-DNN" not in text


def test_form_numbers_per_regime(tenant_a, tenant_b):
    """Circular 133: B01a-DNN (going concern, no short/long-term split) — never "B01-DNN", which is no
    Circular 133 number; Circular 99: B01-DN, B02-DN, B03-DN."""
    from novasaas.accounting import statutory

    _ledger(tenant_a, "tt133")
    _ledger(tenant_b, "tt99")
    day = dt.date(_year(), 12, 31)
    start = dt.date(_year(), 1, 1)
    numbers = {}
    for tenant in (tenant_a, tenant_b):
        for st in (
            reports.balance_sheet(tenant, day),
            reports.income_statement(tenant, start, day),
            reports.cash_flow(tenant, start, day),
        ):
            form = statutory.build(tenant, st)
            numbers[(st.regime, st.form)] = form.form_line
    assert numbers == {
        ("tt133", "B01-DNN"): "Mẫu số B01a-DNN",
        ("tt133", "B02-DNN"): "Mẫu số B02-DNN",
        ("tt133", "B03-DNN"): "Mẫu số B03-DNN",
        ("tt99", "B01-DNN"): "Mẫu số B01-DN",
        ("tt99", "B02-DNN"): "Mẫu số B02-DN",
        ("tt99", "B03-DNN"): "Mẫu số B03-DN",
    }


def test_every_chart_account_lands_on_a_balance_sheet_line():
    """No account of either template falls off its regime's balance sheet (the totals would not tie)."""
    from novasaas.accounting.charts import TEMPLATES

    for regime, (_name, rows) in TEMPLATES.items():
        prefixes = {p for line in REGIMES[regime].b01 for p, _rule in line.sources}
        codes = {r.code for r in rows}
        leaves = [c for c in codes if not any(o != c and o.startswith(c) for o in codes)]
        missing = [c for c in leaves if not any(c.startswith(p) for p in prefixes)]
        assert missing == [], (regime, missing)
