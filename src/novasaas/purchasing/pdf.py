"""The purchase order as a PDF (Vietnamese): company header, vendor, delivery warehouse and date,
lines, totals, amount in words. ``platform.pdf.PdfUnavailable`` without a Unicode font."""

from __future__ import annotations

from decimal import Decimal

from novasaas.purchasing.models import PurchaseOrder


def _vnd(amount: Decimal) -> str:
    return f"{amount:,.0f}".replace(",", ".")


def order_pdf(order: PurchaseOrder, warehouse: str = "") -> bytes:
    from novasaas.platform.pdf import new_document
    from novasaas.platform.words import amount_in_words

    tenant = order.tenant
    party = order.vendor.party
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
    pdf.cell(0, 8, "ĐƠN ĐẶT HÀNG", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 9.5)
    pdf.cell(0, 5, f"Số: {order.number}   Ngày: {order.date:%d/%m/%Y}", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.multi_cell(0, 5, f"Kính gửi: {party.name}", new_x="LMARGIN", new_y="NEXT")
    if party.tax_code:
        pdf.multi_cell(0, 5, f"Mã số thuế: {party.tax_code}", new_x="LMARGIN", new_y="NEXT")
    if warehouse:
        pdf.multi_cell(0, 5, f"Giao hàng tại: {warehouse}", new_x="LMARGIN", new_y="NEXT")
    if order.expected_date:
        pdf.multi_cell(0, 5, f"Ngày giao dự kiến: {order.expected_date:%d/%m/%Y}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    headers = ["STT", "Diễn giải", "ĐVT", "Số lượng", "Đơn giá", "CK %", "Thuế", "Thành tiền"]
    widths = [10, 56, 14, 20, 24, 12, 16, 34]
    pdf.set_font("Body", "B", 8.5)
    for h, w in zip(headers, widths, strict=True):
        pdf.cell(w, 6, h, border=1, align="C")
    pdf.ln()
    pdf.set_font("Body", "", 8.5)
    for i, li in enumerate(order.lines.all(), start=1):
        cells = [
            str(i),
            li.description[:45],
            li.unit,
            f"{li.quantity.normalize():f}".replace(".", ","),
            _vnd(li.unit_price),
            f"{li.discount_percent.normalize():f}".replace(".", ",") if li.discount_percent else "",
            li.get_vat_code_display(),
            _vnd(li.net_amount),
        ]
        for j, (c, w) in enumerate(zip(cells, widths, strict=True)):
            pdf.cell(w, 6, c, border=1, align="R" if j >= 3 else "L")
        pdf.ln()
    pdf.ln(2)
    for label, amount, bold in (
        ("Cộng tiền hàng:", order.untaxed, False),
        ("Tiền thuế GTGT:", order.vat, False),
        ("Tổng cộng:", order.total, True),
    ):
        pdf.set_font("Body", "B" if bold else "", 9.5)
        pdf.cell(sum(widths) - 40, 5.5, label, align="R")
        pdf.cell(40, 5.5, f"{_vnd(amount)} đ", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "I", 9.5)
    pdf.multi_cell(0, 5.5, f"Bằng chữ: {amount_in_words(order.total)}", new_x="LMARGIN", new_y="NEXT")
    if order.note:
        pdf.set_font("Body", "", 9.5)
        pdf.multi_cell(0, 5.5, f"Ghi chú: {order.note}", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
