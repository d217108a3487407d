"""Excel export and all-or-nothing import of vendors and vendor price lists (``scm.vendor.manage``:
Purchase Manager), through the platform's import reader (``platform/imports.py``: line-numbered
refusals, size and row limits), like the parties and customers imports.

Vendors: one vendor per data row. A row whose ``code`` is a vendor of the company changes that vendor
(payment terms, currency, bank, active); otherwise the party is the directory's party named by
``party_code`` or, when that is empty, by ``tax_code``; with neither found and a ``name`` given, a new
party is created (``parties.actions.create_party``, role supplier, with the row's phone and email). A
party that is already a vendor is changed, not refused, so an exported file edited and imported again
updates the vendors. Writes go through ``actions.create_vendor`` / ``update_vendor``: the same rules as
the page and API.

Price lists: one price line per data row (vendor code, product SKU, minimum quantity, price, lead time,
valid from / to), created through ``actions.save_price``. Lines are added; an export's ``id`` column
names an existing line, which is then changed instead.

Any bad line refuses the whole file: every bad line is reported with its number and nothing is written.
"""

from __future__ import annotations

import datetime as dt
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.parties.excel import party_cells, party_for_row
from novasaas.platform.excel import workbook
from novasaas.platform.imports import (
    LineError,
    LineImportError,
    bracket_key,
    cell_text,
    headers,
    messages_of,
    read_rows,
)
from novasaas.purchasing import actions
from novasaas.purchasing.models import Vendor, VendorPrice

VENDOR_COLUMNS: list[tuple[str, str]] = [
    ("code", "Mã nhà cung cấp (code)"),
    ("party_code", "Mã đối tác (party_code)"),
    ("name", "Tên (name)"),
    ("tax_code", "Mã số thuế (tax_code)"),
    ("phone", "Điện thoại (phone)"),
    ("email", "Email (email)"),
    ("payment_terms_days", "Số ngày được nợ (payment_terms_days)"),
    ("currency", "Tiền tệ (currency)"),
    ("bank_name", "Ngân hàng (bank_name)"),
    ("bank_account", "Số tài khoản (bank_account)"),
    ("active", "Đang dùng (active)"),
]
PRICE_COLUMNS: list[tuple[str, str]] = [
    ("id", "Mã dòng (id)"),
    ("vendor", "Mã nhà cung cấp (vendor)"),
    ("vendor_name", "Tên nhà cung cấp (vendor_name)"),
    ("sku", "Mã hàng (sku)"),
    ("product_name", "Tên hàng (product_name)"),
    ("unit", "Đơn vị (unit)"),
    ("min_quantity", "Số lượng tối thiểu (min_quantity)"),
    ("price", "Đơn giá (price)"),
    ("lead_time_days", "Thời gian giao (ngày) (lead_time_days)"),
    ("valid_from", "Hiệu lực từ (valid_from)"),
    ("valid_to", "Hiệu lực đến (valid_to)"),
]
MAX_ROWS = 5000
NO = {"no", "n", "0", "false", "không", "khong", "k"}


class VendorImportError(LineImportError):
    """A refused vendor or price list import (``lines``: what is wrong where)."""


def _cell(value: Any) -> str:
    """``platform.imports.cell_text``, and a date cell (validity) as an ISO date."""
    if isinstance(value, dt.datetime):
        value = value.date()
    if isinstance(value, dt.date):
        return value.isoformat()
    return cell_text(value)


def _skus(tenant: Any) -> dict[int, str]:
    from novasaas.inventory import selectors as inventory

    return dict(inventory.search_products(tenant, "", include_inactive=True).values_list("pk", "sku"))


# --- export ----------------------------------------------------------------------------------------


def export_vendors(p: Principal) -> bytes:
    """Every vendor (inactive ones too) as an xlsx file, also the import template."""
    p.require("scm.vendor.manage")
    from novasaas.parties.selectors import party_summaries

    vendors = list(Vendor.objects.filter(tenant=p.tenant).select_related("party").order_by("code"))
    summaries = party_summaries(p.tenant, [v.party_id for v in vendors])
    rows = []
    for v in vendors:
        s = summaries.get(v.party_id)
        rows.append(
            [
                v.code,
                *party_cells(v.party, s),
                v.payment_terms_days,
                v.currency,
                v.bank_name,
                v.bank_account,
                _("Yes") if v.is_active else _("No"),
            ]
        )
    return workbook(_("Vendors"), headers(VENDOR_COLUMNS), rows)


def export_prices(p: Principal) -> bytes:
    """Every price list line of every vendor as an xlsx file, also the import template."""
    p.require("scm.vendor.manage")
    skus = _skus(p.tenant)
    lines = VendorPrice.objects.filter(tenant=p.tenant).select_related("vendor__party")
    rows = [
        [
            li.pk,
            li.vendor.code,
            li.vendor.party.name,
            skus.get(li.product_id, ""),
            li.product_name,
            li.unit,
            li.min_quantity,
            li.price,
            li.lead_time_days,
            li.valid_from,
            li.valid_to or "",
        ]
        for li in lines.order_by("vendor__code", "product_name", "min_quantity", "id")
    ]
    return workbook(_("Vendor price lists"), headers(PRICE_COLUMNS), rows)


# --- import ----------------------------------------------------------------------------------------


def _vendor_fields(record: dict[str, str]) -> dict[str, Any]:
    fields: dict[str, Any] = {}
    for key in ("payment_terms_days", "currency", "bank_name", "bank_account"):
        if record.get(key):
            fields[key] = record[key]
    if record.get("active"):
        fields["is_active"] = record["active"].strip().lower() not in NO
    return fields


@transaction.atomic
def import_vendors(p: Principal, upload: IO[bytes], filename: str | None = None) -> tuple[int, int]:
    """Create or change the vendors of the file, all or nothing; returns (created, changed)."""
    p.require("scm.vendor.manage")
    rows = read_rows(
        upload,
        key=bracket_key(VENDOR_COLUMNS),
        cell=_cell,
        required=(),
        max_rows=MAX_ROWS,
        filename=filename,
        error=VendorImportError,
    )
    by_code = {v.code.upper(): v.pk for v in Vendor.objects.filter(tenant=p.tenant)}
    errors: list[LineError] = []
    created = changed = 0
    for number, record in rows:
        try:
            with transaction.atomic():
                fields = _vendor_fields(record)
                code = record.get("code", "").upper()
                if code and code not in by_code:
                    raise ValidationError({"code": [_("No vendor has the code %(c)s.") % {"c": code}]})
                vendor_id = by_code.get(code) if code else None
                if vendor_id is None:
                    party_id = party_for_row(p, record, role="supplier")
                    vendor_id = Vendor.objects.filter(party_id=party_id).values_list("pk", flat=True).first()
                    if vendor_id is None:
                        vendor = actions.create_vendor(p, party_id=party_id, **fields)
                        by_code[vendor.code.upper()] = vendor.pk
                        created += 1
                        continue
                actions.update_vendor(p, vendor_id, **fields)
                changed += 1
        except ValidationError as exc:
            errors.append(LineError(number, messages_of(exc)))
    if errors:
        raise VendorImportError(errors)
    return created, changed


@transaction.atomic
def import_prices(p: Principal, upload: IO[bytes], filename: str | None = None) -> tuple[int, int]:
    """Add (or, with an ``id`` of an existing line, change) the price lines of the file, all or
    nothing; returns (created, changed)."""
    p.require("scm.vendor.manage")
    rows = read_rows(
        upload,
        key=bracket_key(PRICE_COLUMNS),
        cell=_cell,
        required=("vendor", "sku", "price"),
        max_rows=MAX_ROWS,
        filename=filename,
        error=VendorImportError,
    )
    vendors = {v.code.upper(): v.pk for v in Vendor.objects.filter(tenant=p.tenant, is_active=True)}
    products = {sku.upper(): pk for pk, sku in _skus(p.tenant).items() if sku}
    errors: list[LineError] = []
    created = changed = 0
    for number, record in rows:
        try:
            with transaction.atomic():
                vendor_id = vendors.get(record.get("vendor", "").upper())
                if vendor_id is None:
                    raise ValidationError(
                        {"vendor": [_("No active vendor has the code %(c)s.") % {"c": record.get("vendor", "")}]}
                    )
                product_id = products.get(record.get("sku", "").upper())
                if product_id is None:
                    raise ValidationError({"sku": [_("No product has the SKU %(c)s.") % {"c": record.get("sku", "")}]})
                price_id = None
                if record.get("id"):
                    try:
                        price_id = int(record["id"])
                    except ValueError:
                        price_id = 0
                    if not VendorPrice.objects.filter(pk=price_id, vendor_id=vendor_id).exists():
                        raise ValidationError({"id": [_("No price line %(n)s of this vendor.") % {"n": record["id"]}]})
                actions.save_price(
                    p,
                    vendor_id,
                    price_id,
                    product_id=product_id,
                    price=record.get("price"),
                    min_quantity=record.get("min_quantity") or "0",
                    lead_time_days=record.get("lead_time_days") or "0",
                    valid_from=record.get("valid_from") or None,
                    valid_to=record.get("valid_to") or None,
                )
                if price_id is None:
                    created += 1
                else:
                    changed += 1
        except ValidationError as exc:
            errors.append(LineError(number, messages_of(exc)))
    if errors:
        raise VendorImportError(errors)
    return created, changed
