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
    if value is None:
        return ""
    if isinstance(value, Decimal):
        if value == 0:
            return ""
        text = f"{value:,.0f}" if value == value.to_integral_value() else f"{value:,.2f}"
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return str(value)


def render_table(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]], subtitle: str = "") -> bytes:
    from fpdf import FPDF

    path = font_path()
    if path is None:
        raise PdfUnavailable("no Unicode font found for PDF (install fonts-dejavu or set ACC_PDF_FONT)")
    rows = [list(r) for r in rows]
    pdf = FPDF(orientation="L" if len(headers) > 5 else "P", unit="mm", format="A4")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_font("Body", "", str(path))
    bold = path.with_name(path.stem + "-Bold" + path.suffix)
    pdf.add_font("Body", "B", str(bold if bold.is_file() else path))
    pdf.add_page()
    pdf.set_font("Body", "B", 13)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    if subtitle:
        pdf.set_font("Body", "", 9)
        pdf.cell(0, 6, subtitle, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    numeric = [any(isinstance(r[i], Decimal) for r in rows if i < len(r)) for i in range(len(headers))]
    width = pdf.epw
    weights = [1.0 if numeric[i] else (2.6 if i == 1 or len(headers) <= 3 else 1.2) for i in range(len(headers))]
    unit = width / sum(weights)
    widths = [w * unit for w in weights]
    pdf.set_font("Body", "B", 8)
    for i, h in enumerate(headers):
        pdf.cell(widths[i], 6, str(h)[:40], border=1, align="C")
    pdf.ln()
    pdf.set_font("Body", "", 8)
    for row in rows:
        for i in range(len(headers)):
            value = row[i] if i < len(row) else ""
            text = _text(value)
            limit = int(widths[i] / 1.6)
            pdf.cell(widths[i], 5.5, text[:limit], border=1, align="R" if numeric[i] else "L")
        pdf.ln()
    return bytes(pdf.output())
