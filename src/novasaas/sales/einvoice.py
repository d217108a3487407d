"""The sales invoice as an e-invoice XML (Decree 123/2020 as amended by Decree 70/2025; data format of
the General Department of Taxation for Circular 78/2021, kept by Circular 32/2025) and as a PDF with a
VietQR payment code.

Only the **data part** (``DLHDon``) is built; ``DSCKS/NBan`` is left empty for the signature a provider
adds (signing and sending to the tax authority are not built). ``ELEMENTS`` is the element list the XML
is validated against (``validate``); docs/sales.md repeats it.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from decimal import Decimal
from typing import Any

from novasaas.platform.money import round_money
from novasaas.sales.models import SalesInvoice

FORMAT_VERSION = "2.0.1"
TAX_RATE_TEXT = {"VAT0": "0%", "VAT5": "5%", "VAT8": "8%", "VAT10": "10%", "EXEMPT": "KCT"}
INT = r"-?\d+"
DEC = r"-?\d+(\.\d+)?"
TAX_CODE = r"\d{10}(-\d{3})?"

# path (under HDon) → (required, pattern or None, repeats): the documented structure
ELEMENTS: list[tuple[str, bool, str | None]] = [
    ("DLHDon/TTChung/PBan", True, re.escape(FORMAT_VERSION)),
    ("DLHDon/TTChung/THDon", True, r".+"),  # invoice name, e.g. "Hóa đơn giá trị gia tăng"
    ("DLHDon/TTChung/KHMSHDon", True, r"[1-9]"),  # template number: 1 VAT invoice, 2 sales invoice…
    ("DLHDon/TTChung/KHHDon", True, r"[CK]\d{2}[A-Z][A-Z0-9]{2}"),  # symbol, e.g. C26TAA
    ("DLHDon/TTChung/SHDon", True, r"\d{1,8}"),  # number in the series
    ("DLHDon/TTChung/NLap", True, r"\d{4}-\d{2}-\d{2}"),  # date
    ("DLHDon/TTChung/DVTTe", True, r"[A-Z]{3}"),  # currency
    ("DLHDon/TTChung/TGia", True, DEC),  # exchange rate (1 for VND)
    ("DLHDon/TTChung/HTTToan", True, r".+"),  # payment method
    ("DLHDon/NDHDon/NBan/Ten", True, r".+"),  # seller
    ("DLHDon/NDHDon/NBan/MST", True, TAX_CODE),
    ("DLHDon/NDHDon/NBan/DChi", True, r".+"),
    ("DLHDon/NDHDon/NBan/STKNHang", False, r"[0-9A-Za-z]{1,19}"),
    ("DLHDon/NDHDon/NMua/Ten", True, r".+"),  # buyer
    ("DLHDon/NDHDon/NMua/MST", False, TAX_CODE),
    ("DLHDon/NDHDon/NMua/DChi", False, r".*"),
    ("DLHDon/NDHDon/NMua/MKHang", False, r".+"),  # customer code
    ("DLHDon/NDHDon/TToan/TgTCThue", True, INT),  # total before VAT
    ("DLHDon/NDHDon/TToan/TgTThue", True, INT),  # total VAT
    ("DLHDon/NDHDon/TToan/TgTTTBSo", True, INT),  # total payable, in figures
    ("DLHDon/NDHDon/TToan/TgTTTBChu", True, r".+"),  # … in words
]
LINE_ELEMENTS: list[tuple[str, bool, str | None]] = [  # each DLHDon/NDHDon/DSHHDVu/HHDVu (at least one)
    ("TChat", True, r"[1-4]"),  # 1 goods/service, 2 promotion, 3 discount, 4 note
    ("STT", True, r"\d+"),
    ("MHHDVu", False, r".*"),  # product code
    ("THHDVu", True, r".+"),  # name
    ("DVTinh", False, r".*"),  # unit
    ("SLuong", True, DEC),
    ("DGia", True, DEC),
    ("TLCKhau", False, DEC),  # discount %
    ("STCKhau", False, INT),  # discount amount (written when a coupon / points discount is on the line)
    ("ThTien", True, INT),  # amount before VAT
    ("TSuat", True, r"0%|5%|8%|10%|KCT|KKKNT"),
]
RATE_ELEMENTS: list[tuple[str, bool, str | None]] = [  # each …/TToan/THTTLTSuat/LTSuat (VAT per rate)
    ("TSuat", True, r"0%|5%|8%|10%|KCT|KKKNT"),
    ("ThTien", True, INT),
    ("TThue", True, INT),
]


def _sub(parent: ET.Element, tag: str, text: Any = None) -> ET.Element:
    el = ET.SubElement(parent, tag)
    if text is not None:
        el.text = str(text)
    return el


def _num(value: Decimal) -> str:
    text = f"{value.normalize():f}"
    return text if "." in text else str(int(value))


def invoice_xml(invoice: SalesInvoice) -> bytes:
    """The invoice's e-invoice XML (UTF-8). Lines, VAT per rate and totals are the invoice's own
    figures, so they add up exactly as the invoice does."""
    from novasaas.platform.words import amount_in_words
    from novasaas.sales.policy import get_settings

    tenant = invoice.tenant
    party = invoice.customer.party
    symbol, _sep, serial = invoice.number.partition("-")
    root = ET.Element("HDon")
    data = _sub(root, "DLHDon", None)
    data.set("Id", f"data-{invoice.pk}")
    general = _sub(data, "TTChung")
    _sub(general, "PBan", FORMAT_VERSION)
    _sub(general, "THDon", "Hóa đơn giá trị gia tăng")
    _sub(general, "KHMSHDon", symbol[:1])
    _sub(general, "KHHDon", symbol[1:])
    _sub(general, "SHDon", int(serial or 0))
    _sub(general, "NLap", invoice.date.isoformat())
    _sub(general, "DVTTe", invoice.order.currency if invoice.order is not None else "VND")
    _sub(general, "TGia", "1")
    _sub(general, "HTTToan", "TM/CK")
    content = _sub(data, "NDHDon")
    seller = _sub(content, "NBan")
    _sub(seller, "Ten", tenant.legal_name or tenant.name)
    _sub(seller, "MST", tenant.tax_code or "")
    _sub(seller, "DChi", " ".join((tenant.address or "").split()))
    payee = get_settings(tenant)
    if payee.payee_account:
        _sub(seller, "STKNHang", payee.payee_account)
    buyer = _sub(content, "NMua")
    _sub(buyer, "Ten", party.name)
    if party.tax_code:
        _sub(buyer, "MST", party.tax_code)
    address = party.addresses.first()
    if address is not None:
        _sub(buyer, "DChi", str(address))
    _sub(buyer, "MKHang", invoice.customer.code)
    items = _sub(content, "DSHHDVu")
    rates: dict[str, list[Decimal]] = {}
    for i, line in enumerate(invoice.lines.all(), start=1):
        item = _sub(items, "HHDVu")
        _sub(item, "TChat", 1)
        _sub(item, "STT", i)
        if line.product_id:
            _sub(item, "MHHDVu", line.product_id)
        _sub(item, "THHDVu", line.description)
        _sub(item, "DVTinh", line.unit)
        _sub(item, "SLuong", _num(line.quantity))
        _sub(item, "DGia", _num(line.unit_price))
        if line.discount_percent:
            _sub(item, "TLCKhau", _num(line.discount_percent))
        if line.allowance:  # SLuong × DGia − ThTien: the line discount and its share of the promotion
            _sub(item, "STCKhau", int(round_money(line.quantity * line.unit_price) - line.net_amount))
        _sub(item, "ThTien", int(line.net_amount))
        rate = TAX_RATE_TEXT[line.vat_code]
        _sub(item, "TSuat", rate)
        net_vat = rates.setdefault(rate, [Decimal(0), Decimal(0)])
        net_vat[0] += line.net_amount
        net_vat[1] += line.vat_amount
    totals = _sub(content, "TToan")
    per_rate = _sub(totals, "THTTLTSuat")
    for rate, (net, vat) in rates.items():
        group = _sub(per_rate, "LTSuat")
        _sub(group, "TSuat", rate)
        _sub(group, "ThTien", int(net))
        _sub(group, "TThue", int(vat))
    _sub(totals, "TgTCThue", int(invoice.untaxed))
    _sub(totals, "TgTThue", int(invoice.vat))
    _sub(totals, "TgTTTBSo", int(invoice.total))
    _sub(totals, "TgTTTBChu", amount_in_words(invoice.total))
    signatures = _sub(root, "DSCKS")
    _sub(signatures, "NBan")
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)


def _check(parent: ET.Element, spec: list[tuple[str, bool, str | None]], where: str, errors: list[str]) -> None:
    for path, required, pattern in spec:
        found = parent.findall(path)
        if not found:
            if required:
                errors.append(f"{where}{path}: missing")
            continue
        for el in found:
            if pattern is not None and not re.fullmatch(pattern, el.text or ""):
                errors.append(f"{where}{path}: {el.text!r} is not valid")


def validate(xml: bytes) -> list[str]:
    """What does not match ``ELEMENTS`` (required elements, their formats, at least one line and one VAT
    group, and the sums: lines = total before VAT, VAT groups = total VAT, before VAT + VAT = total)."""
    try:
        root = ET.fromstring(xml)  # noqa: S314 - only XML this module built (no external entities)
    except ET.ParseError as exc:
        return [f"not XML: {exc}"]
    if root.tag != "HDon":
        return ["the root element is not HDon"]
    errors: list[str] = []
    _check(root, ELEMENTS, "", errors)
    lines = root.findall("DLHDon/NDHDon/DSHHDVu/HHDVu")
    groups = root.findall("DLHDon/NDHDon/TToan/THTTLTSuat/LTSuat")
    if not lines:
        errors.append("DLHDon/NDHDon/DSHHDVu/HHDVu: missing")
    if not groups:
        errors.append("DLHDon/NDHDon/TToan/THTTLTSuat/LTSuat: missing")
    for i, line in enumerate(lines, start=1):
        _check(line, LINE_ELEMENTS, f"HHDVu[{i}]/", errors)
    for i, group in enumerate(groups, start=1):
        _check(group, RATE_ELEMENTS, f"LTSuat[{i}]/", errors)
    if errors:
        return errors

    def total(path: str) -> int:
        return int(root.findtext(f"DLHDon/NDHDon/TToan/{path}") or 0)

    if sum(int(line.findtext("ThTien") or 0) for line in lines) != total("TgTCThue"):
        errors.append("the lines do not add up to TgTCThue")
    if sum(int(g.findtext("ThTien") or 0) for g in groups) != total("TgTCThue"):
        errors.append("the VAT groups' amounts do not add up to TgTCThue")
    if sum(int(g.findtext("TThue") or 0) for g in groups) != total("TgTThue"):
        errors.append("the VAT groups do not add up to TgTThue")
    if total("TgTCThue") + total("TgTThue") != total("TgTTTBSo"):
        errors.append("TgTCThue + TgTThue is not TgTTTBSo")
    return errors


# --- PDF with VietQR --------------------------------------------------------------------------------


def vietqr_payload(invoice: SalesInvoice) -> str:
    """The VietQR string paying what is open on the invoice, its number as the reference ("" when the
    company has no payee account in its order settings or nothing is open)."""
    from novasaas.sales import vietqr
    from novasaas.sales.policy import get_settings

    payee = get_settings(invoice.tenant)
    open_amount = invoice.total - invoice.credited - invoice.paid
    if not payee.payee_bank_bin or not payee.payee_account or open_amount <= 0:
        return ""
    return vietqr.payload(payee.payee_bank_bin, payee.payee_account, open_amount, invoice.number)


def invoice_pdf(invoice: SalesInvoice) -> bytes:
    """The invoice (display copy of the e-invoice): seller, symbol and number, buyer, lines, totals, the
    amount in words and a VietQR code of what is open. ``PdfUnavailable`` without a Unicode font."""
    import qrcode

    from novasaas.sales import printing

    symbol, _sep, serial = invoice.number.partition("-")
    pdf = printing.start(invoice.tenant, "HÓA ĐƠN GIÁ TRỊ GIA TĂNG", serial, invoice.date)
    pdf.set_font("Body", "", 9)
    pdf.cell(0, 5, f"Mẫu số: {symbol[:1]}   Ký hiệu: {symbol[1:]}", align="C", new_x="LMARGIN", new_y="NEXT")
    party = invoice.customer.party
    pdf.set_font("Body", "", 9.5)
    pdf.multi_cell(0, 5, f"Người mua: {party.name}  (mã {invoice.customer.code})", new_x="LMARGIN", new_y="NEXT")
    if party.tax_code:
        pdf.multi_cell(0, 5, f"Mã số thuế: {party.tax_code}", new_x="LMARGIN", new_y="NEXT")
    address = party.addresses.first()
    if address is not None:
        pdf.multi_cell(0, 5, f"Địa chỉ: {address}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(0, 5, f"Hạn thanh toán: {invoice.due_date:%d/%m/%Y}", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    printing.priced_lines(pdf, list(invoice.lines.all()), invoice)
    payload = vietqr_payload(invoice)
    if payload:
        pdf.ln(3)
        y = pdf.get_y()
        pdf.image(qrcode.make(payload, border=2).get_image(), x=pdf.l_margin, y=y, w=32, h=32)
        pdf.set_xy(pdf.l_margin + 36, y + 4)
        pdf.set_font("Body", "", 9)
        open_amount = invoice.total - invoice.credited - invoice.paid
        pdf.multi_cell(
            0,
            5,
            f"Quét mã VietQR để chuyển khoản {printing.vnd(open_amount)} đ, nội dung: {invoice.number}",
            new_x="LMARGIN",
            new_y="NEXT",
        )
        pdf.set_y(y + 34)
    printing.signatures(pdf, "Người mua hàng", "Người bán hàng")
    return bytes(pdf.output())
