"""Excel (xlsx): catalogue export and all-or-nothing import, and report workbooks.

Every text cell is written as text (never a formula), so a product called "=HYPERLINK(…)" cannot run
in the reader's Excel.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
import re
import zipfile
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.writer.theme import theme_xml

from novasaas.identity.access import Principal
from novasaas.inventory import actions
from novasaas.inventory.models import Category, Product, Unit
from novasaas.platform.imports import LineError, LineImportError, messages_of, read_rows

COLUMNS: list[tuple[str, str]] = [
    ("sku", "Mã hàng (sku)"),
    ("name", "Tên hàng (name)"),
    ("kind", "Loại (kind)"),
    ("category", "Danh mục (category)"),
    ("stock_unit", "ĐVT tồn kho (stock_unit)"),
    ("purchase_unit", "ĐVT mua (purchase_unit)"),
    ("barcode", "Mã vạch (barcode)"),
    ("sale_price", "Giá bán (sale_price)"),
    ("cost_price", "Giá vốn (cost_price)"),
    ("tax_category", "Nhóm thuế (tax_category)"),
    ("tracking", "Theo dõi (tracking)"),
    ("shelf_life_days", "Hạn dùng ngày (shelf_life_days)"),
    ("reorder_level", "Mức đặt lại (reorder_level)"),
    ("reorder_quantity", "SL đặt lại (reorder_quantity)"),
    ("description", "Mô tả (description)"),
]
KEYS = {k for k, _h in COLUMNS}
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# The report workbook is written directly as SpreadsheetML, streamed row by row into the zip: openpyxl's
# write-only mode builds a cell object and an XML element per cell (~0.5 ms a row, 25 s for 50,000
# rows). The cells are the same as openpyxl writes them (the sheet XML is byte for byte what its
# write-only mode gives for these cell kinds; test_excel compares the two).
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
# cell style 1 is the date format (the only style the cells use)
_STYLES = (
    f'<styleSheet xmlns="{_MAIN_NS}"><numFmts count="1"><numFmt numFmtId="164" formatCode="DD/MM/YYYY" /></numFmts>'
    '<fonts count="1"><font><name val="Calibri" /><family val="2" /><color theme="1" /><sz val="11" />'
    '<scheme val="minor" /></font></fonts>'
    '<fills count="2"><fill><patternFill /></fill><fill><patternFill patternType="gray125" /></fill></fills>'
    '<borders count="1"><border><left /><right /><top /><bottom /><diagonal /></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" /></cellStyleXfs>'
    '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0" />'
    '<xf numFmtId="164" fontId="0" fillId="0" borderId="0" applyNumberFormat="1" xfId="0" /></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0" /></cellStyles>'
    "</styleSheet>"
)
_SHEET_HEAD = (
    f'<worksheet xmlns="{_MAIN_NS}"><sheetPr><outlinePr summaryBelow="1" summaryRight="1" /><pageSetUpPr />'
    '</sheetPr><sheetViews><sheetView workbookViewId="0"><selection activeCell="A1" sqref="A1" /></sheetView>'
    '</sheetViews><sheetFormatPr baseColWidth="8" defaultRowHeight="15" /><sheetData>'
)
_SHEET_TAIL = (
    '</sheetData><pageMargins left="0.75" right="0.75" top="1" bottom="1" header="0.5" footer="0.5" /></worksheet>'
)
_SHEET_TITLE_BAD = re.compile(r"[\\*?:/\[\]]")
MAX_TEXT = 32767  # Excel's limit on a cell's text


def _text_xml(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _attr_xml(text: str) -> str:
    return _text_xml(text).replace('"', "&quot;").replace("\n", "&#10;").replace("\r", "&#13;").replace("\t", "&#09;")


def _cell_xml(ref: str, value: Any) -> str:
    """One cell: Decimal as a number, date as a date (style 1), anything else as text (never a formula)."""
    if isinstance(value, Decimal) and value.is_finite():
        return f'<c r="{ref}" t="n"><v>{"%.16g" % value}</v></c>'  # noqa: UP031 - openpyxl's number format
    if isinstance(value, dt.date):
        if isinstance(value, dt.datetime) and value.tzinfo is not None:
            raise TypeError("Excel does not support timezones in datetimes")
        return f'<c r="{ref}" s="1" t="n"><v>{"%.16g" % to_excel(value)}</v></c>'  # noqa: UP031
    text = "" if value is None or isinstance(value, Decimal) else str(value)
    if not text:
        return f'<c r="{ref}" t="inlineStr" />'
    text = ILLEGAL_CHARACTERS_RE.sub("", text[:MAX_TEXT])  # control characters are not allowed in xlsx
    stripped = text.strip()
    space = ' xml:space="preserve"' if stripped and stripped != text else ""
    return f'<c r="{ref}" t="inlineStr"><is><t{space}>{_text_xml(text)}</t></is></c>'


def workbook(title: str, header: Sequence[str], rows: Iterable[Sequence[Any]], subtitle: str = "") -> bytes:
    """A one-sheet xlsx: the header in the first row, text cells as text (formula-safe), decimals as
    numbers, dates as dates. The title and subtitle (period, warehouse) are the document's properties.
    Rows are written to the (compressed) file as they come, a few thousand at a time."""
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
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        zf.writestr("docProps/app.xml", _APP)
        zf.writestr("docProps/core.xml", core)
        zf.writestr("xl/theme/theme1.xml", theme_xml)
        with zf.open("xl/worksheets/sheet1.xml", "w") as sheet:
            sheet.write(_SHEET_HEAD.encode())
            letters: list[str] = []
            chunk: list[str] = []
            for number, row in enumerate(itertools.chain([header], rows), start=1):
                while len(letters) < len(row):
                    letters.append(get_column_letter(len(letters) + 1))
                n = str(number)
                chunk.append(f'<row r="{n}">')
                chunk.extend([_cell_xml(col + n, v) for col, v in zip(letters, row, strict=False)])
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


def export_catalogue(tenant: Any) -> bytes:
    products = Product.objects.filter(tenant=tenant, is_active=True).select_related(
        "category", "stock_unit", "purchase_unit"
    )
    rows = (
        [
            p.sku,
            p.name,
            p.kind,
            p.category.path() if p.category else "",
            p.stock_unit.code,
            p.purchase_unit.code if p.purchase_unit else "",
            p.barcode,
            p.sale_price,
            p.cost_price,
            p.tax_category,
            p.tracking,
            p.shelf_life_days or "",
            p.reorder_level,
            p.reorder_quantity,
            p.description,
        ]
        for p in products.order_by("sku")
    )
    return workbook(_("Products"), [h for _k, h in COLUMNS], rows)


class CatalogueImportError(LineImportError):
    """A refused catalogue import (``lines``: what is wrong where)."""


def _key(header: Any) -> str | None:
    text = str(header or "").strip()
    m = re.search(r"\(([a-z_]+)\)\s*$", text)
    if m and m.group(1) in KEYS:
        return m.group(1)
    return text if text in KEYS else None


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        # Excel gives numbers back as floats; only whole numbers (codes, prices in đồng) are exact here
        if not value.is_integer():
            return repr(value)
        value = int(value)
    return str(value).strip()


def _read(upload: IO[bytes]) -> list[tuple[int, dict[str, str]]]:
    return read_rows(
        upload,
        key=_key,
        cell=_text,
        required=("name", "stock_unit"),
        header_message=_("The first row must hold the column headers (name, stock_unit)."),
        max_rows=MAX_ROWS,
        max_bytes=MAX_BYTES,
        error=CatalogueImportError,
    )


def _category(p: Principal, path: str, cache: dict[str, int]) -> int | None:
    """The category at ``path`` ("Đồ uống / Bia"), created when missing."""
    if not path:
        return None
    if path in cache:
        return cache[path]
    parent_id = None
    for name in [n.strip() for n in path.split("/") if n.strip()]:
        found = Category.objects.filter(parent_id=parent_id, name__iexact=name).first()
        if found is None:
            found = actions.save_category(p, name=name, parent_id=parent_id)
        parent_id = found.pk
    cache[path] = parent_id  # type: ignore[assignment]
    return parent_id


@transaction.atomic
def import_catalogue(p: Principal, upload: IO[bytes]) -> tuple[int, int]:
    """Create or update (by SKU) one product per row. All or nothing: any bad line refuses the file
    with the list of bad lines, and nothing is written."""
    p.require("inv.product.manage")
    rows = _read(upload)
    units = {u.code.lower(): u.pk for u in Unit.objects.all()}
    errors: list[LineError] = []
    created = updated = 0
    for number, record in rows:
        try:
            with transaction.atomic():
                data: dict[str, Any] = {
                    k: record[k]
                    for k in (
                        "name",
                        "kind",
                        "barcode",
                        "tax_category",
                        "tracking",
                        "description",
                    )
                    if record.get(k)
                }
                for k in ("sale_price", "cost_price", "reorder_level", "reorder_quantity"):
                    if record.get(k):
                        data[k] = record[k]
                if record.get("shelf_life_days"):
                    if not record["shelf_life_days"].isdigit():
                        raise ValidationError({"shelf_life_days": _("Enter a whole number of days.")})
                    data["shelf_life_days"] = int(record["shelf_life_days"])
                for k in ("stock_unit", "purchase_unit"):
                    code = record.get(k, "").lower()
                    if code:
                        if code not in units:
                            raise ValidationError({k: _("Unknown unit %(u)s.") % {"u": record[k]}})
                        data[f"{k}_id"] = units[code]
                for choice, model_choices in (
                    ("kind", ("goods", "service", "consumable")),
                    ("tracking", ("none", "lot", "serial")),
                    ("tax_category", ("vat10", "vat8", "vat5", "vat0", "exempt")),
                ):
                    if choice in data and data[choice] not in model_choices:
                        raise ValidationError({choice: _("Choose one of: %s") % ", ".join(model_choices)})
                data["category_id"] = _category(p, record.get("category", ""), {})
                sku = record.get("sku", "").upper()
                existing = Product.objects.filter(sku=sku).first() if sku else None
                if existing is not None:
                    actions.save_product(p, existing.pk, **data)
                    updated += 1
                else:
                    actions.save_product(p, sku=sku, **data)
                    created += 1
        except ValidationError as exc:
            errors.append(LineError(number, messages_of(exc)))
    if errors:
        raise CatalogueImportError(errors)
    return created, updated
