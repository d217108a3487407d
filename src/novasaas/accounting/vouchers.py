"""Cash vouchers as printed documents: Phiếu thu (form 01-TT) when cash comes in and Phiếu chi (form
02-TT) when it goes out, in the layout of Circular 133 (or 99) with the amount in words the form asks
for ("Viết bằng chữ").

Wherever cash moves there is a voucher:

- a recorded payment with method cash (``Payment``: a receipt from a customer, a payment to a supplier,
  a refund either way) — ``payment_voucher``;
- any posted journal entry whose lines touch cash on hand (111x): a cash sale, an expense paid in cash,
  a quick entry, cash withdrawn from or deposited at the bank, a refund booked by hand —
  ``entry_voucher``. Cash coming in (Σ debit − Σ credit of the 111x lines > 0) is a Phiếu thu, going
  out a Phiếu chi.

Bank movements (112x only) have no cash voucher: the bank's statement (giấy báo Nợ/Có) is their
document. The accounts (Nợ/Có) come from the posted entry, the amount in words from
``platform.words``. The form is Vietnamese whatever the user's language.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from novasaas.accounting.models import EntryState, JournalEntry, JournalLine, Payment
from novasaas.accounting.scope import in_tenant
from novasaas.accounting.statutory import CIRCULARS, chart_template, company_lines, date_words
from novasaas.platform.models import Tenant
from novasaas.platform.words import amount_in_words

ZERO = Decimal(0)
CASH = "111"
FORMS = {
    "receipt": ("01-TT", "PHIẾU THU", "Họ và tên người nộp tiền", "Lý do nộp", "NGƯỜI NỘP TIỀN"),
    "payment": ("02-TT", "PHIẾU CHI", "Họ và tên người nhận tiền", "Lý do chi", "NGƯỜI NHẬN TIỀN"),
}
FILE_NAMES = {"receipt": "phieu-thu", "payment": "phieu-chi"}


def _entry_lines(tenant: Tenant, entry_id: int) -> list[tuple[str, Decimal, Decimal, int | None]]:
    with in_tenant(tenant):
        rows = (
            JournalLine.objects.filter(entry_id=entry_id)
            .order_by("line_no", "id")
            .values_list("account__code", "debit", "credit", "partner_id")
        )
        return [(code, Decimal(d), Decimal(c), partner) for code, d, c, partner in rows]


def cash_movement(lines: list[tuple[str, Decimal, Decimal, int | None]]) -> Decimal:
    """Cash on hand in (+) or out (−) by these lines: Σ debit − Σ credit of the 111x lines."""
    return sum((d - c for code, d, c, _p in lines if code.startswith(CASH)), ZERO)


def _accounts(lines: list[tuple[str, Decimal, Decimal, int | None]], kind: str) -> tuple[list[str], list[str]]:
    """Nợ/Có of the voucher: the cash accounts on their side, the counterparts on the other (cash
    lines on the other side, e.g. a cash-to-cash transfer, are counterparts too)."""
    debit = {code for code, d, _c, _p in lines if d}
    credit = {code for code, _d, c, _p in lines if c}
    if kind == "receipt":
        debit = {c for c in debit if c.startswith(CASH)}
    else:
        credit = {c for c in credit if c.startswith(CASH)}
    return sorted(debit), sorted(credit)


def _document(
    tenant: Tenant,
    *,
    kind: str,
    day: dt.date,
    number: str,
    debit: list[str],
    credit: list[str],
    party: Any,
    memo: str,
    amount: Decimal,
) -> dict[str, Any]:
    form, title, person, reason, signer = FORMS[kind]
    return {
        "kind": kind,
        "company": company_lines(tenant)[:2],
        "form_line": f"Mẫu số {form}",
        "circular": f"({CIRCULARS[chart_template(tenant)]})",
        "title": title,
        "date_line": date_words(day).capitalize(),
        "number": f"Số: {number}",
        "accounts": [f"Nợ: {', '.join(debit)}", f"Có: {', '.join(credit)}"],
        "fields": [
            (f"{person}:", party.name if party else ""),
            ("Địa chỉ:", " ".join((getattr(party, "address", "") or "").split())),
            (f"{reason}:", memo),
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


def voucher_lines(tenant: Tenant, payment: Payment, party: Any) -> dict[str, Any]:
    """What the voucher of a recorded cash payment prints (also what the tests read)."""
    if payment.method != "cash":
        raise ValidationError(_("Only cash receipts and payments have a cash voucher."))
    lines = _entry_lines(tenant, payment.entry_id) if payment.entry_id else []
    debit, credit = _accounts(lines, payment.kind)
    number = payment.entry.reference if payment.entry_id and payment.entry else str(payment.pk)
    return _document(
        tenant,
        kind=payment.kind,
        day=payment.date,
        number=number,
        debit=debit,
        credit=credit,
        party=party,
        memo=payment.memo,
        amount=payment.amount,
    )


payment_voucher = voucher_lines


def has_cash_voucher(tenant: Tenant, entry: JournalEntry) -> bool:
    """Whether the entry's page offers a cash voucher: posted, and moving cash on hand."""
    return entry.state == EntryState.POSTED and cash_movement(_entry_lines(tenant, entry.pk)) != 0


def entry_voucher(tenant: Tenant, entry: JournalEntry) -> dict[str, Any]:
    """What the voucher of a posted journal entry that moves cash on hand prints. Raises
    ValidationError for a draft, an entry without cash (a bank movement) or one whose cash lines net
    to zero."""
    if entry.state != EntryState.POSTED:
        raise ValidationError(_("Post the entry before printing its cash voucher."))
    lines = _entry_lines(tenant, entry.pk)
    if not any(code.startswith(CASH) for code, *_rest in lines):
        raise ValidationError(
            _("Only entries that move cash on hand (111) have a cash voucher; a bank movement has none.")
        )
    net = cash_movement(lines)
    if net == 0:
        raise ValidationError(_("The cash lines of this entry cancel out: there is no cash voucher to print."))
    kind = "receipt" if net > 0 else "payment"
    debit, credit = _accounts(lines, kind)
    party = None
    partner = next((p for _c, _d, _cr, p in lines if p), None)
    if partner:
        from novasaas.parties import selectors as parties

        party = parties.party_summaries(tenant, [partner]).get(partner)
    return _document(
        tenant,
        kind=kind,
        day=entry.date,
        number=entry.reference or str(entry.pk),
        debit=debit,
        credit=credit,
        party=party,
        memo=entry.memo,
        amount=abs(net),
    )


def to_pdf(v: dict[str, Any]) -> bytes:
    """The voucher on an A5 landscape page (the usual size of Phiếu thu/Phiếu chi)."""
    from novasaas.platform.pdf import new_document

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


def voucher_pdf(tenant: Tenant, payment: Payment, party: Any) -> bytes:
    """The PDF voucher of a recorded cash payment."""
    return to_pdf(voucher_lines(tenant, payment, party))


def entry_voucher_pdf(tenant: Tenant, entry: JournalEntry) -> tuple[str, bytes]:
    """(file name, PDF) of a posted journal entry's cash voucher."""
    v = entry_voucher(tenant, entry)
    reference = re.sub(r"[^0-9A-Za-z_-]+", "-", entry.reference or "").strip("-") or str(entry.pk)
    return f"{FILE_NAMES[v['kind']]}-{reference}.pdf", to_pdf(v)
