"""Excel (xlsx): catalogue export and all-or-nothing import (reports are written by platform.excel).

Every text cell is written as text (never a formula), so a product called "=HYPERLINK(…)" cannot run
in the reader's Excel.
"""

from __future__ import annotations

import re
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import translation
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.inventory import actions
from novasaas.inventory.models import Category, Product, ProductKind, TaxCategory, Tracking, Unit
from novasaas.platform.excel import XLSX_TYPE, workbook
from novasaas.platform.imports import LineError, LineImportError, messages_of, read_rows

__all__ = ["XLSX_TYPE", "CatalogueImportError", "export_catalogue", "import_catalogue", "workbook"]

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


def export_catalogue(tenant: Any) -> bytes:
    products = Product.objects.filter(tenant=tenant, is_active=True).select_related(
        "category", "stock_unit", "purchase_unit"
    )
    rows = (
        [
            p.sku,
            p.name,
            p.get_kind_display(),
            p.category.path() if p.category else "",
            str(p.stock_unit),  # the page's language: the English name in English
            str(p.purchase_unit) if p.purchase_unit else "",
            p.barcode,
            p.sale_price,
            p.cost_price,
            p.get_tax_category_display(),
            p.get_tracking_display(),
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


def _choice_values(choices: Any) -> dict[str, str]:
    """Lower-cased value, Vietnamese label and English label → the stored value (the export writes the
    labels of the user's language; files from the other language or with raw values import too)."""
    out: dict[str, str] = {}
    for value, label in choices.choices:
        out[value] = value
        for lang in ("vi", "en"):
            with translation.override(lang):
                out[str(label).strip().lower()] = value
    return out


@transaction.atomic
def import_catalogue(p: Principal, upload: IO[bytes]) -> tuple[int, int]:
    """Create or update (by SKU) one product per row. All or nothing: any bad line refuses the file
    with the list of bad lines, and nothing is written."""
    p.require("inv.product.manage")
    rows = _read(upload)
    # a unit by its code, its name or its English name (the export writes names in the user's language:
    # "Hộp", "Thùng (24 chai)"; "Box", "Case (24 bottles)")
    all_units = list(Unit.objects.all())
    units = {u.name_en.strip().lower(): u.pk for u in all_units if u.name_en.strip()}
    units |= {u.name.strip().lower(): u.pk for u in all_units if u.name.strip()}
    units |= {u.code.lower(): u.pk for u in all_units}
    choices = {"kind": ProductKind, "tracking": Tracking, "tax_category": TaxCategory}
    known = {name: _choice_values(cls) for name, cls in choices.items()}
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
                for choice, cls in choices.items():
                    if choice in data:
                        value = known[choice].get(str(data[choice]).strip().lower())
                        if value is None:
                            labels = [str(label) for _v, label in cls.choices]
                            raise ValidationError({choice: _("Choose one of: %s") % ", ".join(labels)})
                        data[choice] = value
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
