"""B01/B02/B03 in the legal layout of their circular: the page, the PDF text and the Excel cells carry
the reporting entity, the form number and circular, the title, the date or period, the unit, the form's
columns, the headings, the figures and the signature block."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.utils import timezone

from novasaas.accounting.tests.helpers import post, principal
from novasaas.platform.testing.fixtures import create_user, web_client


def _year() -> int:
    """The current year, read when a test runs (the clock may be pinned)."""
    return timezone.localdate().year


@pytest.fixture
def company(tenant_a):
    tenant_a.legal_name = "Công ty TNHH Thương mại Hoàng Long"
    tenant_a.address = "12 Nguyễn Trãi, Phường Bến Thành, TP. Hồ Chí Minh"
    tenant_a.tax_code = "0312345678"
    tenant_a.save()
    p = principal(tenant_a, "finance_manager")
    post(p, ("1111", 1_500_000, 0), ("4111", 0, 1_500_000), day=dt.date(_year(), 1, 1))
    post(p, ("1111", 33_000_000, 0), ("5111", 0, 33_000_000), day=dt.date(_year(), 1, 1))
    return web_client(tenant_a, create_user(tenant_a, "finance_manager"))


def _pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    # wrapped lines joined back: the test reads the text, not where a long address wraps
    return " ".join(" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(content)).pages)


def _sheet(content: bytes):
    from openpyxl import load_workbook

    return load_workbook(io.BytesIO(content)).active


def _cells(ws) -> list[str]:
    return [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]


@pytest.mark.usefixtures("unicode_font")  # fails in CI when the font is missing, skips elsewhere
def test_balance_sheet_pdf_has_the_legal_layout(company):
    end = dt.date(_year(), 12, 31)
    r = company.get(f"/accounting/reports/balance-sheet/?format=pdf&date_from={_year()}-01-01&date_to={end}")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = _pdf_text(r.content)
    for expected in [
        "Đơn vị báo cáo: Công ty TNHH Thương mại Hoàng Long",
        "Địa chỉ: 12 Nguyễn Trãi, Phường Bến Thành, TP. Hồ Chí Minh",
        "Mã số thuế: 0312345678",
        "Mẫu số B01a-DNN",
        "Thông tư số 133/2016/TT-BTC ngày 26/8/2016 của Bộ Tài chính",
        "BÁO CÁO TÌNH HÌNH TÀI CHÍNH",
        f"Tại ngày 31 tháng 12 năm {_year()}",
        "Đơn vị tính: Đồng",
        "CHỈ TIÊU",
        "Thuyết minh",
        "Số cuối năm",
        "Số đầu năm",
        "TÀI SẢN",
        "NGUỒN VỐN",
        "TỔNG CỘNG TÀI SẢN",
        "34.500.000",  # cash 110 and total assets: 1.500.000 capital + 33.000.000 revenue
        "NGƯỜI LẬP BIỂU",
        "KẾ TOÁN TRƯỞNG",
        "GIÁM ĐỐC",
        "(Ký, họ tên, đóng dấu)",
        f"Lập, {_date_words(timezone.localdate())}",
    ]:
        assert expected in text, expected
    assert "Năm nay" not in text


def _date_words(day: dt.date) -> str:
    return f"ngày {day:%d} tháng {day:%m} năm {day.year}"


def test_income_statement_excel_cells(company):
    r = company.get(
        f"/accounting/reports/income-statement/?format=xlsx&date_from={_year()}-01-01&date_to={_year()}-12-31"
    )
    assert r.status_code == 200
    ws = _sheet(r.content)
    assert ws["A1"].value == "Đơn vị báo cáo: Công ty TNHH Thương mại Hoàng Long"
    assert ws["A3"].value == "Mã số thuế: 0312345678"
    assert ws["C1"].value == "Mẫu số B02-DNN"
    assert "133/2016/TT-BTC" in ws["C2"].value
    cells = _cells(ws)
    assert "BÁO CÁO KẾT QUẢ HOẠT ĐỘNG KINH DOANH" in cells
    assert f"Năm {_year()}" in cells
    assert "Đơn vị tính: Đồng" in cells
    header = next(row for row in ws.iter_rows() if row[0].value == "CHỈ TIÊU")
    assert [c.value for c in header] == ["CHỈ TIÊU", "Mã số", "Thuyết minh", "Năm nay", "Năm trước"]
    revenue = next(row for row in ws.iter_rows() if row[1].value == "01")
    assert revenue[0].value.startswith("1. Doanh thu bán hàng")
    assert revenue[3].value == 33_000_000 and revenue[3].number_format.startswith("#,##0")
    profit = next(row for row in ws.iter_rows() if row[1].value == "60")
    assert profit[3].value == 33_000_000 and profit[0].font.bold
    assert not revenue[0].font.bold
    assert ws.column_dimensions["A"].width >= 50
    assert "NGƯỜI LẬP BIỂU" in cells and "(Ký, họ tên, đóng dấu)" in cells


def test_partial_period_and_cash_flow_headings(company):
    r = company.get(f"/accounting/reports/cash-flow/?format=xlsx&date_from={_year()}-01-01&date_to={_year()}-06-30")
    cells = _cells(_sheet(r.content))
    assert "BÁO CÁO LƯU CHUYỂN TIỀN TỆ" in cells
    assert "(Theo phương pháp gián tiếp)" in cells
    assert f"Từ ngày 01/01/{_year()} đến ngày 30/06/{_year()}" in cells
    assert "I. Lưu chuyển tiền từ hoạt động kinh doanh" in cells
    assert "III. Lưu chuyển tiền từ hoạt động tài chính" in cells


def test_page_shows_the_same_form(company):
    page = company.get(
        f"/accounting/reports/balance-sheet/?date_from={_year()}-01-01&date_to={_year()}-12-31"
    ).content.decode()
    for expected in ["Mẫu số B01a-DNN", "Mã số thuế: 0312345678", "Đơn vị tính: Đồng", "Số đầu năm", "NGƯỜI LẬP BIỂU"]:
        assert expected in page
    assert "34.500.000" in page  # Vietnamese number format: dots between thousands


def test_circular_99_tenant_gets_the_b01_dn_header(tenant_a, company):
    from novasaas.accounting.models import ChartOfAccount
    from novasaas.platform.tenancy import tenant_context

    with tenant_context(tenant_a):
        ChartOfAccount.objects.filter(tenant=tenant_a).update(template="tt99")
    ws = _sheet(company.get("/accounting/reports/balance-sheet/?format=xlsx").content)
    assert ws["C1"].value == "Mẫu số B01-DN"
    assert "99/2025/TT-BTC ngày 27/10/2025" in ws["C2"].value


def test_negative_amounts_in_brackets():
    from novasaas.accounting.statutory import amount_text

    assert amount_text(Decimal("-1500000")) == "(1.500.000)"
    assert amount_text(Decimal(0)) == ""
    assert amount_text(Decimal("1234567")) == "1.234.567"


def test_api_file_is_the_legal_form(company, api_a):
    r = api_a.get("/api/v1/accounting/reports/balance-sheet?format=xlsx")
    assert r.status_code == 200
    assert _sheet(r.content)["C1"].value == "Mẫu số B01a-DNN"


@pytest.mark.usefixtures("unicode_font")
def test_cash_receipt_voucher_prints_the_amount_in_words(tenant_a, company, today):
    from novasaas.accounting import receivables
    from novasaas.accounting.tests.helpers import make_party

    fm = principal(tenant_a, "finance_manager")
    customer = make_party(tenant_a, "Công ty TNHH Minh Anh")
    post(fm, ("131", 1_500_000, 0, customer), ("5111", 0, 1_500_000))
    pay = receivables.record_payment(
        fm, kind="receipt", party_id=customer, date=today, amount="1500000", method="cash", memo="Thu tiền hàng"
    )
    bank = receivables.record_payment(fm, kind="receipt", party_id=customer, date=today, amount="1000")
    page = company.get("/accounting/payments/").content.decode()
    assert f"/accounting/payments/{pay.pk}/voucher/" in page and f"/accounting/payments/{bank.pk}/voucher/" not in page
    r = company.get(f"/accounting/payments/{pay.pk}/voucher/")
    assert r.status_code == 200 and r["Content-Type"] == "application/pdf"
    text = _pdf_text(r.content)
    for expected in [
        "Mẫu số 01-TT",
        "PHIẾU THU",
        "Đơn vị báo cáo: Công ty TNHH Thương mại Hoàng Long",
        f"Ngày {today:%d} tháng {today:%m} năm {today.year}",
        "Nợ: 1111",
        "Có: 131",
        "Họ và tên người nộp tiền: Công ty TNHH Minh Anh",
        "Lý do nộp: Thu tiền hàng",
        "Số tiền: 1.500.000 đồng",
        "(Viết bằng chữ): Một triệu năm trăm nghìn đồng chẵn",
        "THỦ QUỸ",
    ]:
        assert expected in text, expected
    refused = company.get(f"/accounting/payments/{bank.pk}/voucher/")
    assert refused.status_code == 400 and "tiền mặt" in refused.content.decode()
