"""The printed documents' common parts (Vietnamese, ``platform.pdf``): the company header and title
block shared by the quotation, the delivery note and the invoice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import Any


def vnd(amount: Decimal) -> str:
    return f"{amount:,.0f}".replace(",", ".")


def qty(value: Decimal) -> str:
    return f"{value.normalize():f}".replace(".", ",")


def start(tenant: Any, title: str, number: str, date: dt.date) -> Any:
    """A new A4 page with the company's name, address and tax code, then the centred title with the
    number and date. ``platform.pdf.PdfUnavailable`` without a Unicode font."""
    from novasaas.platform.pdf import new_document

    pdf = new_document()
    pdf.set_margins(12, 10, 12)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Body", "B", 11)
    pdf.multi_cell(0, 5, tenant.legal_name or tenant.name, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 9)
    if tenant.address:
        pdf.multi_cell(0, 4.5, f"Địa chỉ: {' '.join(tenant.address.split())}", new_x="LMARGIN", new_y="NEXT")
    if tenant.tax_code:
        pdf.multi_cell(0, 4.5, f"Mã số thuế: {tenant.tax_code}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Body", "B", 15)
    pdf.cell(0, 8, title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 9.5)
    pdf.cell(0, 5, f"Số: {number}   Ngày: {date:%d/%m/%Y}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    return pdf


def table(pdf: Any, headers: list[str], widths: Sequence[float], rows: list[list[str]], right_from: int) -> None:
    """A bordered table; columns from ``right_from`` on are right-aligned."""
    pdf.set_font("Body", "B", 8.5)
    for h, w in zip(headers, widths, strict=True):
        pdf.cell(w, 6, h, border=1, align="C")
    pdf.ln()
    pdf.set_font("Body", "", 8.5)
    for cells in rows:
        for j, (c, w) in enumerate(zip(cells, widths, strict=True)):
            pdf.cell(w, 6, c, border=1, align="R" if j >= right_from else "L")
        pdf.ln()


def signatures(pdf: Any, *roles: str) -> None:
    pdf.ln(6)
    width = (pdf.w - pdf.l_margin - pdf.r_margin) / len(roles)
    pdf.set_font("Body", "B", 9.5)
    for role in roles:
        pdf.cell(width, 5, role, align="C")
    pdf.ln()
    pdf.set_font("Body", "I", 8.5)
    for _role in roles:
        pdf.cell(width, 5, "(Ký, ghi rõ họ tên)", align="C")
    pdf.ln()


def priced_lines(pdf: Any, lines: list[Any], document: Any) -> None:
    """The lines of a priced document (quotation, invoice) with its amount before VAT, VAT, total and
    the total in words (``platform.words``)."""
    from novasaas.platform.words import amount_in_words

    headers = ["STT", "Diễn giải", "ĐVT", "Số lượng", "Đơn giá", "CK %", "Thuế", "Thành tiền"]
    widths = [10, 56, 14, 20, 24, 12, 16, 34]
    rows = [
        [
            str(i),
            li.description[:45],
            li.unit,
            qty(li.quantity),
            vnd(li.unit_price),
            qty(li.discount_percent) if li.discount_percent else "",
            li.get_vat_code_display(),
            vnd(li.net_amount),
        ]
        for i, li in enumerate(lines, start=1)
    ]
    table(pdf, headers, widths, rows, right_from=3)
    pdf.ln(2)
    for label, amount, bold in (
        ("Cộng tiền hàng:", document.untaxed, False),
        ("Tiền thuế GTGT:", document.vat, False),
        ("Tổng cộng:", document.total, True),
    ):
        pdf.set_font("Body", "B" if bold else "", 9.5)
        pdf.cell(sum(widths) - 40, 5.5, label, align="R")
        pdf.cell(40, 5.5, f"{vnd(amount)} đ", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "I", 9.5)
    pdf.multi_cell(0, 5.5, f"Bằng chữ: {amount_in_words(document.total)}", new_x="LMARGIN", new_y="NEXT")
