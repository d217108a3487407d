"""The financial statements in the legal layout of their circular, defined once for the page, Excel and
PDF.

``build(tenant, statement)`` turns a :class:`reports.Statement` (whose lines the reports module
computes) into a :class:`StatutoryForm`: the reporting entity at the top left, the form number and the
circular that issued it at the top right, the title, the date or period line, "Đơn vị tính: Đồng", the
form's columns, section headings, bold totals and the signature block. ``to_pdf`` and ``to_xlsx``
write that one definition; the page template renders the same object.

The forms are filed in Vietnamese, so their texts are Vietnamese whatever the user's language (the
page adds each line's English caption in English). The lines, their codes and note references are the
regime's own (``statement_forms``); the tenant's chart template decides the regime.

Form numbers. Circular 133/2016 (SME regime) gives the statement of financial position two layouts for
an SME that meets the going-concern assumption — B01a-DNN (the SME layout without a short/long-term
split, printed here) and B01b-DNN (the alternative split into short and long term, not offered) — and
B01-DNNKLT for one that does not (not offered); "B01-DNN" is no Circular 133 number (it was Decision
48/2006's). The other statements are B02-DNN and B03-DNN. Circular 99/2025 (which replaces Circular
200) names them B01-DN, B02-DN, B03-DN. The API and file names keep the keys B01-DNN, B02-DNN, B03-DNN.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils import timezone

from novasaas.accounting.reports import Statement
from novasaas.accounting.statement_forms import regime_of
from novasaas.platform.models import Tenant

ZERO = Decimal(0)

CIRCULARS = {
    "tt133": "Ban hành theo Thông tư số 133/2016/TT-BTC ngày 26/8/2016 của Bộ Tài chính",
    "tt99": "Ban hành theo Thông tư số 99/2025/TT-BTC ngày 27/10/2025 của Bộ Tài chính",
}
# (statement form computed by reports) → per circular: (form number, title)
FORMS: dict[str, dict[str, tuple[str, str]]] = {
    "B01-DNN": {
        "tt133": ("B01a-DNN", "BÁO CÁO TÌNH HÌNH TÀI CHÍNH"),
        "tt99": ("B01-DN", "BÁO CÁO TÌNH HÌNH TÀI CHÍNH"),
    },
    "B02-DNN": {
        "tt133": ("B02-DNN", "BÁO CÁO KẾT QUẢ HOẠT ĐỘNG KINH DOANH"),
        "tt99": ("B02-DN", "BÁO CÁO KẾT QUẢ HOẠT ĐỘNG KINH DOANH"),
    },
    "B03-DNN": {
        "tt133": ("B03-DNN", "BÁO CÁO LƯU CHUYỂN TIỀN TỆ"),
        "tt99": ("B03-DN", "BÁO CÁO LƯU CHUYỂN TIỀN TỆ"),
    },
}
SUBTITLES = {"B03-DNN": "(Theo phương pháp gián tiếp)"}
COLUMNS = {
    "B01-DNN": ("CHỈ TIÊU", "Mã số", "Thuyết minh", "Số cuối năm", "Số đầu năm"),
    "B02-DNN": ("CHỈ TIÊU", "Mã số", "Thuyết minh", "Năm nay", "Năm trước"),
    "B03-DNN": ("Chỉ tiêu", "Mã số", "Thuyết minh", "Năm nay", "Năm trước"),
}
COLUMNS_EN = {
    "B01-DNN": ("Item", "Code", "Notes", "End of year", "Beginning of year"),
    "B02-DNN": ("Item", "Code", "Notes", "This year", "Last year"),
    "B03-DNN": ("Item", "Code", "Notes", "This year", "Last year"),
}
# section headings printed before the line with that code
# section headings printed before the line with that code, per regime: (Vietnamese, English)
_ASSETS, _SOURCES = ("TÀI SẢN", "ASSETS"), ("NGUỒN VỐN", "LIABILITIES AND EQUITY")
_CASH_FLOW_SECTIONS = {
    "01": ("I. Lưu chuyển tiền từ hoạt động kinh doanh", "I. Cash flows from operating activities"),
    "21": ("II. Lưu chuyển tiền từ hoạt động đầu tư", "II. Cash flows from investing activities"),
    "31": ("III. Lưu chuyển tiền từ hoạt động tài chính", "III. Cash flows from financing activities"),
}
SECTIONS: dict[str, dict[str, dict[str, tuple[str, str]]]] = {
    "B01-DNN": {"tt133": {"110": _ASSETS, "300": _SOURCES}, "tt99": {"100": _ASSETS, "300": _SOURCES}},
    "B03-DNN": {"tt133": _CASH_FLOW_SECTIONS, "tt99": _CASH_FLOW_SECTIONS},
}
SIGNERS = (
    ("NGƯỜI LẬP BIỂU", "(Ký, họ tên)"),
    ("KẾ TOÁN TRƯỞNG", "(Ký, họ tên)"),
    ("GIÁM ĐỐC", "(Ký, họ tên, đóng dấu)"),
)
UNIT_LINE = "Đơn vị tính: Đồng"


@dataclass
class Row:
    label: str
    code: str = ""
    note: str = ""
    current: Decimal | None = None
    previous: Decimal | None = None
    bold: bool = False
    level: int = 2
    section: bool = False  # a heading without figures
    label_en: str = ""  # shown beside the form's caption on the page in English


@dataclass
class StatutoryForm:
    form: str  # the statement's key (B01-DNN …), also the file name
    number: str  # the number the circular gives the form (B01a-DNN, B01-DN …)
    circular: str
    title: str
    subtitle: str
    period_line: str
    company: list[str]
    columns: tuple[str, ...]
    rows: list[Row]
    date_line: str
    signers: tuple[tuple[str, str], ...] = SIGNERS
    checks: dict[str, bool] = field(default_factory=dict)

    @property
    def columns_en(self) -> tuple[str, ...]:
        return COLUMNS_EN[self.form]

    @property
    def form_line(self) -> str:
        return f"Mẫu số {self.number}"


def chart_template(tenant: Tenant) -> str:
    """The tenant's regime (``tt133`` or ``tt99``)."""
    return regime_of(tenant)


def date_words(day: dt.date) -> str:
    return f"ngày {day:%d} tháng {day:%m} năm {day.year}"


def period_line(st: Statement) -> str:
    if st.form == "B01-DNN":
        return f"Tại {date_words(st.date_to)}"
    if st.date_from == dt.date(st.date_to.year, 1, 1) and st.date_to == dt.date(st.date_to.year, 12, 31):
        return f"Năm {st.date_to.year}"
    return f"Từ ngày {st.date_from:%d/%m/%Y} đến ngày {st.date_to:%d/%m/%Y}"


def company_lines(tenant: Tenant) -> list[str]:
    return [
        f"Đơn vị báo cáo: {tenant.legal_name or tenant.name}",
        f"Địa chỉ: {' '.join((tenant.address or '').split())}",
        f"Mã số thuế: {tenant.tax_code}",
    ]


def build(tenant: Tenant, st: Statement, *, today: dt.date | None = None) -> StatutoryForm:
    """The statement in its circular's layout (lines as ``reports`` computed them, none added or
    removed; headings are inserted before the lines they introduce)."""
    circular = st.regime if st.regime in CIRCULARS else chart_template(tenant)
    number, title = FORMS[st.form][circular]
    sections = SECTIONS.get(st.form, {}).get(circular, {})
    rows: list[Row] = []
    for line in st.lines:
        if line.code in sections:
            vi, en = sections[line.code]
            rows.append(Row(vi, label_en=en, bold=True, level=0, section=True))
        rows.append(
            Row(
                line.label,
                line.code,
                line.note,
                line.current,
                None if st.form == "B03-DNN" and line.previous == ZERO else line.previous,
                label_en=line.label_en,
                bold=line.level < 2,
                level=line.level,
            )
        )
    return StatutoryForm(
        form=st.form,
        number=number,
        circular=f"({CIRCULARS[circular]})",
        title=title,
        subtitle=SUBTITLES.get(st.form, ""),
        period_line=period_line(st),
        company=company_lines(tenant),
        columns=COLUMNS[st.form],
        rows=rows,
        date_line=f"Lập, {date_words(today or timezone.localdate())}",
        checks=dict(st.checks),
    )


def amount_text(value: Decimal | None, language: str = "vi") -> str:
    """Statement style: 1.234.567 (Vietnamese, the filed forms) or 1,234,567 (the page in English),
    negatives in brackets, zero blank."""
    if value is None or value == 0:
        return ""
    text = f"{abs(value):,.0f}"
    if not language.startswith("en"):
        text = text.replace(",", ".")
    return f"({text})" if value < 0 else text


# --- PDF ---------------------------------------------------------------------------------------------------


def to_pdf(form: StatutoryForm) -> bytes:
    """A4 portrait; labels wrap inside their column (never cut), the header repeats on each page."""
    from fpdf.fonts import FontFace

    from novasaas.platform.pdf import new_document

    pdf = new_document("P", "A4")
    pdf.set_margins(15, 12, 12)
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    half = pdf.epw / 2
    top = pdf.get_y()
    pdf.set_font("Body", "B", 9)
    for text in form.company:
        pdf.multi_cell(half, 4.5, text, new_x="LMARGIN", new_y="NEXT")
    left_bottom = pdf.get_y()
    pdf.set_xy(pdf.l_margin + half, top)
    pdf.multi_cell(half, 4.5, form.form_line, align="C", new_x="LEFT", new_y="NEXT")
    pdf.set_font("Body", "I", 8)
    pdf.multi_cell(half, 4, form.circular, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_y(max(left_bottom, pdf.get_y()) + 4)
    pdf.set_font("Body", "B", 13)
    pdf.cell(0, 7, form.title, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "I", 9)
    if form.subtitle:
        pdf.cell(0, 5, form.subtitle, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, form.period_line, align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.cell(0, 5, UNIT_LINE, align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 8.5)
    widths = (88, 14, 18, 31, 31)
    scale = pdf.epw / sum(widths)
    with pdf.table(
        col_widths=tuple(w * scale for w in widths),
        text_align=("LEFT", "CENTER", "CENTER", "RIGHT", "RIGHT"),
        headings_style=FontFace(emphasis="BOLD"),
        line_height=4.6,
        repeat_headings=1,
        first_row_as_headings=True,
    ) as table:
        head = table.row()
        for title in form.columns:
            head.cell(title, align="CENTER")
        for r in form.rows:
            row = table.row()
            style = FontFace(emphasis="BOLD") if r.bold else None
            indent = "  " * max(r.level - 1, 0)
            if r.section:
                row.cell(r.label, style=style, colspan=5, align="CENTER")
                continue
            row.cell(indent + r.label, style=style)
            row.cell(r.code, style=style)
            row.cell(r.note, style=style)
            row.cell(amount_text(r.current), style=style)
            row.cell(amount_text(r.previous), style=style)
    pdf.ln(4)
    if pdf.will_page_break(32):
        pdf.add_page()
    third = pdf.epw / 3
    pdf.set_font("Body", "I", 9)
    pdf.set_x(pdf.l_margin + 2 * third)
    pdf.cell(third, 5, form.date_line, align="C", new_x="LMARGIN", new_y="NEXT")
    y = pdf.get_y()
    for i, (role, hint) in enumerate(form.signers):
        pdf.set_xy(pdf.l_margin + i * third, y)
        pdf.set_font("Body", "B", 9)
        pdf.cell(third, 5, role, align="C")
        pdf.set_xy(pdf.l_margin + i * third, y + 5)
        pdf.set_font("Body", "I", 8)
        pdf.cell(third, 5, hint, align="C")
    return bytes(pdf.output())


# --- Excel -------------------------------------------------------------------------------------------------

AMOUNT_FORMAT = "#,##0;(#,##0);"


def to_xlsx(form: StatutoryForm) -> bytes:
    """One sheet laid out as the printed form: header blocks merged over the columns, amounts as numbers
    with a thousands format (negatives in brackets), column widths that fit the labels, print setup A4."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, Side

    wb = Workbook()
    ws = wb.active
    ws.title = form.number
    widths = {"A": 62, "B": 9, "C": 12, "D": 20, "E": 20}
    for letter, width in widths.items():
        ws.column_dimensions[letter].width = width
    bold, italic = Font(bold=True), Font(italic=True)
    center = Alignment(horizontal="center", vertical="center", wrap_text=True)

    def put(row: int, col: int, value: Any, **style: Any) -> Any:
        cell = ws.cell(row=row, column=col, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # never a formula
        for key, val in style.items():
            setattr(cell, key, val)
        return cell

    for i, text in enumerate(form.company, start=1):
        put(i, 1, text, font=bold)
    put(1, 3, form.form_line, font=bold, alignment=center)
    ws.merge_cells(start_row=1, start_column=3, end_row=1, end_column=5)
    put(2, 3, form.circular, font=italic, alignment=center)
    ws.merge_cells(start_row=2, start_column=3, end_row=3, end_column=5)
    row = 5
    for text, font in ((form.title, Font(bold=True, size=13)), (form.subtitle, italic), (form.period_line, italic)):
        if text:
            put(row, 1, text, font=font, alignment=center)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
            row += 1
    put(row, 5, UNIT_LINE, font=italic, alignment=Alignment(horizontal="right"))
    row += 1
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    for col, title in enumerate(form.columns, start=1):
        put(row, col, title, font=bold, alignment=center, border=box)
    ws.print_title_rows = f"{row}:{row}"
    for col, number in enumerate(("1", "2", "3", "4", "5"), start=1):
        put(row + 1, col, number, font=italic, alignment=center, border=box)
    row += 2
    for r in form.rows:
        font = bold if r.bold else Font()
        if r.section:
            put(row, 1, r.label, font=bold, alignment=center, border=box)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=5)
        else:
            put(row, 1, r.label, font=font, border=box, alignment=Alignment(wrap_text=True, indent=max(r.level - 1, 0)))
            put(row, 2, r.code, font=font, border=box, alignment=Alignment(horizontal="center"))
            put(row, 3, r.note or None, border=box)
            for col, value in ((4, r.current), (5, r.previous)):
                put(row, col, value, font=font, border=box, number_format=AMOUNT_FORMAT)
        row += 1
    row += 1
    put(row, 4, form.date_line, font=italic, alignment=center)
    ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=5)
    row += 1
    for col, (role, hint) in zip((1, 3, 4), form.signers, strict=True):
        put(row, col, role, font=bold, alignment=center)
        put(row + 1, col, hint, font=italic, alignment=center)
    ws.merge_cells(start_row=row, start_column=4, end_row=row, end_column=5)
    ws.merge_cells(start_row=row + 1, start_column=4, end_row=row + 1, end_column=5)
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def export(tenant: Tenant, st: Statement, fmt: str) -> bytes:
    form = build(tenant, st)
    return to_pdf(form) if fmt == "pdf" else to_xlsx(form)
