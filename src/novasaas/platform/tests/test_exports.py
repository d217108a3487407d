"""The shared export writers: the PDF table wraps long Vietnamese names instead of cutting them and
prints numbers with Vietnamese separators; the Excel writer gives numbers a thousands format (decimals
only when needed), a bold header and column widths."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from novasaas.platform import excel, pdf

LONG = "Sữa tươi tiệt trùng Vinamilk có đường hộp giấy 180ml thùng 48 hộp loại đặc biệt dành cho trẻ em"


@pytest.mark.usefixtures("unicode_font")  # fails in CI when the font is missing, skips elsewhere
def test_pdf_wraps_long_names_and_formats_numbers():
    from pypdf import PdfReader

    rows = [["SUA-1", LONG, "HN", "Hộp", Decimal("1200.5000"), Decimal("12345678.00"), "ghi chú"]] * 3
    content = pdf.render_table("Tồn kho", ["Mã", "Tên hàng", "Kho", "ĐVT", "SL", "Giá trị", "Ghi chú"], rows)
    text = " ".join(" ".join(p.extract_text().split()) for p in PdfReader(io.BytesIO(content)).pages)
    assert text.count(LONG) == 3  # every word of every name is printed
    assert "1.200,5" in text and "12.345.678" in text
    assert "1200.5000" not in text


def test_excel_numbers_have_thousands_formats_and_columns_fit():
    content = excel.workbook(
        "Tồn kho",
        ["Tên hàng", "Số lượng", "Giá trị"],
        [[LONG, Decimal("2.5000"), Decimal("1500000.00")], ["Bia", Decimal("1200"), Decimal(0)]],
        "30/11/2026",
        heading=True,
    )
    ws = load_workbook(io.BytesIO(content)).active
    assert ws["A1"].value == "Tồn kho" and ws["A1"].font.b and ws["A2"].value == "30/11/2026"
    assert [c.value for c in ws[4]] == ["Tên hàng", "Số lượng", "Giá trị"] and ws["B4"].font.b
    assert ws["B5"].value == 2.5 and ws["B5"].number_format == "#,##0.0#####"
    assert ws["B6"].value == 1200 and ws["B6"].number_format == "#,##0"
    assert ws["C5"].value == 1500000 and ws["C5"].number_format == "#,##0"
    assert 50 <= ws.column_dimensions["A"].width <= 62
    assert ws.column_dimensions["C"].width >= len("1,500,000")
    assert ws.freeze_panes == "A5"
