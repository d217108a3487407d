"""Cash vouchers as printed documents: Phiếu thu (form 01-TT) for a cash receipt from a customer and
Phiếu chi (form 02-TT) for a cash payment to a supplier, in the layout of Circular 133 (or 99) with the
amount in words the form asks for ("Viết bằng chữ").

A voucher prints a recorded cash payment (``Payment`` with method cash): the accounts come from its
posted entry (debit and credit lines), the amount in words from ``platform.words``. The form is
Vietnamese whatever the user's language.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from novasaas.accounting.models import JournalLine, Payment
from novasaas.accounting.scope import in_tenant
from novasaas.accounting.statutory import CIRCULARS, chart_template, company_lines, date_words
from novasaas.platform.models import Tenant
from novasaas.platform.words import amount_in_words

FORMS = {
    "receipt": ("01-TT", "PHIẾU THU", "Họ và tên người nộp tiền", "Lý do nộp", "NGƯỜI NỘP TIỀN"),
    "payment": ("02-TT", "PHIẾU CHI", "Họ và tên người nhận tiền", "Lý do chi", "NGƯỜI NHẬN TIỀN"),
}


def voucher_lines(tenant: Tenant, payment: Payment, party: Any) -> dict[str, Any]:
    """What the voucher prints (also what the tests read)."""
    if payment.method != "cash":
        raise ValidationError(_("Only cash receipts and payments have a cash voucher."))
    form, title, person, reason, signer = FORMS[payment.kind]
    debit: list[str] = []
    credit: list[str] = []
    if payment.entry_id:
        with in_tenant(tenant):
            for code, d, c in JournalLine.objects.filter(entry_id=payment.entry_id).values_list(
                "account__code", "debit", "credit"
            ):
                if d:
                    debit.append(code)
                elif c:
                    credit.append(code)
    number = payment.entry.reference if payment.entry_id and payment.entry else str(payment.pk)
    amount = payment.amount
    return {
        "company": company_lines(tenant)[:2],
        "form_line": f"Mẫu số {form}",
        "circular": f"({CIRCULARS[chart_template(tenant)]})",
        "title": title,
        "date_line": date_words(payment.date).capitalize(),
        "number": f"Số: {number}",
        "accounts": [f"Nợ: {', '.join(sorted(set(debit)))}", f"Có: {', '.join(sorted(set(credit)))}"],
        "fields": [
            (f"{person}:", party.name if party else ""),
            ("Địa chỉ:", " ".join((getattr(party, "address", "") or "").split())),
            (f"{reason}:", payment.memo),
            ("Số tiền:", f"{amount:,.0f}".replace(",", ".") + " đồng"),
            ("(Viết bằng chữ):", amount_in_words(amount)),
            ("Kèm theo:", "…… chứng từ gốc"),
        ],
        "signers": [
            ("GIÁM ĐỐC", "(Ký, họ tên, đóng dấu)"),
            ("KẾ TOÁN TRƯỞNG", "(Ký, họ tên)"),
            (signer, "(Ký, họ tên)"),
            ("NGƯỜI LẬP PHIẾU", "(Ký, họ tên)"),
            ("THỦ QUỸ", "(Ký, họ tên)"),
        ],
    }


def voucher_pdf(tenant: Tenant, payment: Payment, party: Any) -> bytes:
    """The voucher on an A5 landscape page (the usual size of Phiếu thu/Phiếu chi)."""
    from novasaas.platform.pdf import new_document

    v = voucher_lines(tenant, payment, party)
    pdf = new_document("L", (148, 210))  # A5
    pdf.set_margins(10, 8, 10)
    pdf.set_auto_page_break(auto=True, margin=8)
    pdf.add_page()
    half = pdf.epw / 2
    top = pdf.get_y()
    pdf.set_font("Body", "B", 8.5)
    for text in v["company"]:
        pdf.multi_cell(half, 4, text, new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.multi_cell(half, 4, v["form_line"], align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Body", "I", 7.5)
    pdf.multi_cell(half, 3.6, v["circular"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 2)
    pdf.set_font("Body", "B", 14)
    pdf.cell(0, 7, v["title"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "I", 9)
    pdf.cell(0, 5, v["date_line"], align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 9)
    pdf.cell(0, 5, "   ".join([v["number"], *v["accounts"]]), align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    for label, value in v["fields"]:
        pdf.set_font("Body", "", 9.5)
        pdf.cell(pdf.get_string_width(label) + 2, 5.5, label)
        pdf.set_font("Body", "B" if label.startswith(("Số tiền", "(Viết")) else "", 9.5)
        pdf.multi_cell(0, 5.5, str(value), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    pdf.set_font("Body", "I", 9)
    pdf.cell(0, 5, v["date_line"], align="R", new_x="LMARGIN", new_y="NEXT")
    fifth = pdf.epw / len(v["signers"])
    y = pdf.get_y()
    for i, (role, hint) in enumerate(v["signers"]):
        pdf.set_xy(pdf.l_margin + i * fifth, y)
        pdf.set_font("Body", "B", 8)
        pdf.multi_cell(fifth, 4, role, align="C", new_x="LEFT", new_y="NEXT")
        pdf.set_font("Body", "I", 7.5)
        pdf.multi_cell(fifth, 4, hint, align="C")
    return bytes(pdf.output())
