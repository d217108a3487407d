"""The one xlsx writer of every report export (inventory, accounting, …).

The workbook is written directly as SpreadsheetML, streamed row by row into the zip: openpyxl's
write-only mode builds a cell object and an XML element per cell (~0.5 ms a row, 25 s for 50,000 rows).

Cells: text is always text (never a formula, so a product called "=HYPERLINK(…)" cannot run in the
reader's Excel), dates are dates (DD/MM/YYYY), numbers are numbers with a thousands format — whole
numbers ``#,##0`` (VND, most quantities), others ``#,##0.0#####`` (decimals only when there are any).
The header row is bold and frozen; column widths follow the longest text of the header and the first
rows (capped), so Vietnamese product names are readable without resizing.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

from django.utils import timezone
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.writer.theme import theme_xml

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

_MAIN_NS = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PKG_REL = "http://schemas.openxmlformats.org/package/2006/relationships"
_CONTENT_TYPES = (
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />'
    '<Default Extension="xml" ContentType="application/xml" />'
    '<Override PartName="/xl/styles.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml" />'
    '<Override PartName="/xl/theme/theme1.xml" ContentType="application/vnd.openxmlformats-officedocument.theme+xml" />'
    '<Override PartName="/docProps/core.xml"'
    ' ContentType="application/vnd.openxmlformats-package.core-properties+xml" />'
    '<Override PartName="/docProps/app.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml" />'
    '<Override PartName="/xl/worksheets/sheet1.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml" />'
    '<Override PartName="/xl/workbook.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml" />'
    "</Types>"
)
_ROOT_RELS = (
    f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Type="{_REL}/officeDocument" Target="xl/workbook.xml" Id="rId1" />'
    f'<Relationship Type="{_PKG_REL}/metadata/core-properties" Target="docProps/core.xml" Id="rId2" />'
    f'<Relationship Type="{_REL}/extended-properties" Target="docProps/app.xml" Id="rId3" />'
    "</Relationships>"
)
_WORKBOOK_RELS = (
    f'<Relationships xmlns="{_PKG_REL}">'
    f'<Relationship Type="{_REL}/worksheet" Target="/xl/worksheets/sheet1.xml" Id="rId1" />'
    f'<Relationship Type="{_REL}/styles" Target="styles.xml" Id="rId2" />'
    f'<Relationship Type="{_REL}/theme" Target="theme/theme1.xml" Id="rId3" />'
    "</Relationships>"
)
_APP = (
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    "<Application>NovaSaaS</Application></Properties>"
)
# cell styles: 1 date, 2 whole number, 3 number with decimals, 4 bold (header), 5 bold and large (title)
WHOLE_FORMAT = "#,##0"
DECIMAL_FORMAT = "#,##0.0#####"
_FONT = '<name val="Calibri" /><family val="2" /><color theme="1" />'
_STYLES = (
    f'<styleSheet xmlns="{_MAIN_NS}"><numFmts count="3"><numFmt numFmtId="164" formatCode="DD/MM/YYYY" />'
    f'<numFmt numFmtId="165" formatCode="{WHOLE_FORMAT}" /><numFmt numFmtId="166" formatCode="{DECIMAL_FORMAT}" />'
    "</numFmts>"
    f'<fonts count="3"><font>{_FONT}<sz val="11" /><scheme val="minor" /></font>'
    f'<font><b val="1" />{_FONT}<sz val="11" /><scheme val="minor" /></font>'
    f'<font><b val="1" />{_FONT}<sz val="13" /><scheme val="minor" /></font></fonts>'
    '<fills count="2"><fill><patternFill /></fill><fill><patternFill patternType="gray125" /></fill></fills>'
    '<borders count="1"><border><left /><right /><top /><bottom /><diagonal /></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" /></cellStyleXfs>'
    '<cellXfs count="6"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" />'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" xfId="0" />'
    '<xf numFmtId="165" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" xfId="0" />'
    '<xf numFmtId="166" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" xfId="0" />'
    '<xf numFmtId="0" fontId="1" fillId="0" borderId="0" applyFont="1" xfId="0" />'
    '<xf numFmtId="0" fontId="2" fillId="0" borderId="0" applyFont="1" xfId="0" /></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" /></cellStyles>'
    "</styleSheet>"
)
_SHEET_HEAD = (
    f'<worksheet xmlns="{_MAIN_NS}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1" /><pageSetUpPr />'
    '</sheetPr><sheetViews><sheetView workbookViewId="0">{pane}</sheetView>'
    '</sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15" />{cols}<sheetData>'
)
WIDTH_SAMPLE = 500  # rows read to size the columns
MAX_WIDTH = 60
_SHEET_TAIL = (
    '</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5" /></worksheet>'
)
_SHEET_TITLE_BAD = re.compile(r"[\\*?:/\[\]]")
MAX_TEXT = 32767  # Excel's limit on a cell's text


def clean_text(text: str) -> str:
    """``text`` without the characters an xlsx file cannot hold (XML 1.0 forbids U+0000–U+001F but tab,
    newline and carriage return), so a name or memo holding one never breaks an export."""
    return ILLEGAL_CHARACTERS_RE.sub("", text)


def _text_xml(text: str) -> str:
    return clean_text(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr_xml(text: str) -> str:
    return _text_xml(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#09;")


def _cell_xml(ref: str, value: Any, style: int = 0) -> str:
    """One cell: Decimal as a number (style 2 whole, 3 with decimals), date as a date (style 1), anything
    else as text (never a formula); ``style`` 4/5 makes a text bold (header, title)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = Decimal(value)
    if isinstance(value, Decimal) and value.is_finite():
        fmt = 2 if value == value.to_integral_value() else 3
        return f'<c r="{ref}" s="{fmt}" t="n"><v>{"%.16g" % value}</v></c>'  # noqa: UP031 - openpyxl's format
    if isinstance(value, dt.date):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            raise TypeError("Excel does not support timezones in datetimes")
        return f'<c r="{ref}" s="1" t="n"><v>{"%.16g" % to_excel(value)}</v></c>'  # noqa: UP031
    text = "" if value is None or isinstance(value, Decimal) else str(value)
    s = f' s="{style}"' if style else ""
    if not text:
        return f'<c r="{ref}"{s} t="inlineStr" />'
    text = clean_text(text[:MAX_TEXT])
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{_text_xml(text)}</t></is></c>'


def _width(value: Any) -> int:
    if isinstance(value, Decimal):
        return len(f"{value:,.2f}") if value != value.to_integral_value() else len(f"{value:,.0f}")
    if isinstance(value, dt.date):
        return 10
    return max((len(line) for line in str(value or "").split("\n")), default=0)


def workbook(
    title: str,
    header: Sequence[str],
    rows: Iterable[Sequence[Any]],
    subtitle: str = "",
    *,
    heading: bool = False,
) -> bytes:
    """A one-sheet xlsx: the header row (bold, frozen), then the rows — text as text (formula-safe),
    numbers as numbers with a thousands format, dates as dates. The title and subtitle (period,
    warehouse) are the document's properties; ``heading`` also prints them above the header. Rows are
    written to the (compressed) file as they come, a few thousand at a time, after the first
    ``WIDTH_SAMPLE`` rows have sized the columns."""
    now = timezone.now().astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    subject = f"<dc:subject>{_text_xml(subtitle)}</dc:subject>" if subtitle else ""
    core = (
        '<cp:coreProperties xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><dc:creator>NovaSaaS</dc:creator>'
        f"<dc:title>{_text_xml(title)}</dc:title>{subject}"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{now}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{now}</dcterms:modified></cp:coreProperties>'
    )
    sheet_name = _SHEET_TITLE_BAD.sub("-", title)[:31] or "Sheet"
    book = (
        f'<workbook xmlns:r="{_REL}" xmlns="{_MAIN_NS}"><workbookPr /><bookViews><workbookView activeTab="0" />'
        f'</bookViews><sheets><sheet name="{_attr_xml(sheet_name)}" sheetId="1" state="visible" r:id="rId1" />'
        '</sheets><calcPr calcId="124519" fullCalcOnLoad="1" /></workbook>'
    )
    top: list[tuple[list[Any], int]] = []
    if heading:
        top.append(([title], 5))
        if subtitle:
            top.append(([subtitle], 0))
        top.append(([], 0))
    top.append((list(header), 4))
    head_row = len(top)
    rest = iter(rows)
    sample = list(itertools.islice(rest, WIDTH_SAMPLE))
    widths = [_width(h) for h in header]
    for row in sample:
        for i, value in enumerate(row):
            if i >= len(widths):
                widths.append(0)
            widths[i] = max(widths[i], _width(value))
    cols = "".join(
        f'<col min="{i}" max="{i}" width="{min(max(w, 6) + 2, MAX_WIDTH)}" customWidth="1" />'
        for i, w in enumerate(widths, start=1)
    )
    pane = (
        f'<pane ySplit="{head_row}" topLeftCell="A{head_row + 1}" activePane="bottomLeft" state="frozen" />'
        f'<selection pane="bottomLeft" activeCell="A{head_row + 1}" sqref="A{head_row + 1}" />'
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("docProps/app.xml", _APP)
        zf.writestr("docProps/core.xml", core)
        zf.writestr("xl/theme/theme1.xml", theme_xml)
        with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD.format(pane=pane, cols=f"<cols>{cols}</cols>" if cols else "").encode())
            letters: list[str] = []
            chunk: list[str] = []
            styled = itertools.chain(top, ((row, 0) for row in itertools.chain(sample, rest)))
            for number, (row, style) in enumerate(styled, start=1):
                while len(letters) < len(row):
                    letters.append(get_column_letter(len(letters) + 1))
                n = str(number)
                chunk.append(f'<row r="{n}">')
                chunk.extend([_cell_xml(col + n, v, style) for col, v in zip(letters, row, strict=False)])
                chunk.append("</row>")
                if len(chunk) > 20000:
                    sheet.write("".join(chunk).encode())
                    chunk.clear()
            chunk.append(_SHEET_TAIL)
            sheet.write("".join(chunk).encode())
        zf.writestr("xl/styles.xml", _STYLES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("xl/workbook.xml", book)
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
    return out.getvalue()
