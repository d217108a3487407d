"""PDF versions of report tables for every module (fpdf2, pure Python) with a Unicode TrueType font so
that Vietnamese prints correctly. The font is looked up on the machine (DejaVu Sans from fonts-dejavu by
default, or ``settings.ACC_PDF_FONT`` / its alias ``settings.PDF_FONT``); without one, PDF export answers
"unavailable" (the views answer 503) instead of printing broken text."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings

FONT_CANDIDATES = [
    "/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/dejavu/DejaVuSans.ttf",
    "/usr/share/fonts/TTF/DejaVuSans.ttf",
    "/usr/share/fonts/truetype/noto/NotoSans-Regular.ttf",
]


class PdfUnavailable(RuntimeError):
    pass


def font_path() -> Path | None:
    configured = [getattr(settings, "ACC_PDF_FONT", ""), getattr(settings, "PDF_FONT", "")]
    for candidate in [*configured, *FONT_CANDIDATES]:
        if candidate and Path(candidate).is_file():
            return Path(candidate)
    return None


def _text(value: Any) -> str:
    """A cell as printed: numbers with Vietnamese separators (``1.234.567``, ``2,5``), zero blank."""
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if value == 0:
            return ""
        text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value.normalize():,f}"
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return str(value)


def _widths(headers: Sequence[str], rows: list[list[str]], numeric: list[bool], total: float) -> list[float]:
    """Column widths from their content: numbers get what their longest figure needs, text columns share
    the rest by their typical length (long product names get the most room and wrap, never cut)."""
    count = len(headers)
    longest = [
        max([len(str(headers[i])) // 2, *(len(r[i]) for r in rows[:500] if i < len(r))], default=4)
        for i in range(count)
    ]
    need = [max(longest[i], 4) * 1.7 + 3 if numeric[i] else 0.0 for i in range(count)]
    fixed = sum(need)
    text_cols = [i for i in range(count) if not numeric[i]]
    if not text_cols or fixed >= total * 0.8:
        return [total / count] * count
    weights = {i: min(max(longest[i], 6), 60) for i in text_cols}
    room = total - fixed
    share = sum(weights.values())
    return [need[i] if numeric[i] else room * weights[i] / share for i in range(count)]


def render_table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], subtitle: str = "") -> bytes:
    """A report table as PDF: landscape when it has more than five columns, the header repeated on each
    page, numbers right-aligned, and text wrapped inside its cell (a Vietnamese product name is never
    cut)."""
    from fpdf.fonts import FontFace

    pdf = new_document("L" if len(headers) > 5 else "P")
    raw = [list(r) for r in rows]
    numeric = [any(isinstance(r[i], Decimal) for r in raw if i < len(r)) for i in range(len(headers))]
    cells = [[_text(r[i]) if i < len(r) else "" for i in range(len(headers))] for r in raw]
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Body", "B", 13)
    pdf.multi_cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
    if subtitle:
        pdf.set_font("Body", "", 9)
        pdf.multi_cell(0, 5, subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    if not headers:
        return bytes(pdf.output())
    pdf.set_font("Body", "", 8)
    widths = _widths([str(h) for h in headers], cells, numeric, pdf.epw)
    with pdf.table(
        col_widths=tuple(widths),
        width=pdf.epw,
        text_align=tuple("RIGHT" if n else "LEFT" for n in numeric),
        headings_style=FontFace(emphasis="BOLD"),
        line_height=4.2,
        repeat_headings=1,
    ) as table:
        head = table.row()
        for h in headers:
            head.cell(str(h), align="CENTER")
        for row in cells:
            line = table.row()
            for text in row:
                line.cell(text)
    return bytes(pdf.output())


def new_document(orientation: str = "P", page_format: Any = "A4") -> Any:
    """An fpdf2 document with the Unicode font registered as "Body" (regular, bold "B" and italic "I" where
    the font family has them): the one place every PDF of the app starts from."""
    from fpdf import FPDF

    path = font_path()
    if path is None:
        raise PdfUnavailable("no Unicode font found for PDF (install fonts-dejavu or set ACC_PDF_FONT)")
    pdf = FPDF(orientation=orientation, unit="mm", format=page_format)
    pdf.add_font("Body", "", str(path))
    for style, suffix in (("B", "-Bold"), ("I", "-Oblique")):
        variant = path.with_name(path.stem + suffix + path.suffix)
        pdf.add_font("Body", style, str(variant if variant.is_file() else path))
    return pdf
