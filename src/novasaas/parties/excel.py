"""Excel (xlsx) export and all-or-nothing import of parties."""

from __future__ import annotations

import re
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.parties import actions
from novasaas.parties.models import ContactKind, Party, PartyKind
from novasaas.parties.selectors import export_rows
from novasaas.parties.text import unaccent
from novasaas.platform.excel import XLSX_TYPE as XLSX_TYPE
from novasaas.platform.excel import workbook
from novasaas.platform.imports import LineError, LineImportError, messages_of, read_rows

# (key, header). Headers are bilingual; on import a column is recognised by the key in brackets,
# by the Vietnamese words, or by the key itself.
COLUMNS: list[tuple[str, str]] = [
    ("code", "Mã (code)"),
    ("name", "Tên (name)"),
    ("kind", "Loại (kind)"),
    ("tax_code", "Mã số thuế (tax_code)"),
    ("id_number", "CCCD/Hộ chiếu (id_number)"),
    ("website", "Website (website)"),
    ("phone", "Điện thoại (phone)"),
    ("email", "Email (email)"),
    ("address", "Địa chỉ (address)"),
    ("ward", "Phường/Xã (ward)"),
    ("district", "Quận/Huyện (district)"),
    ("province", "Tỉnh/Thành phố (province)"),
    ("tags", "Nhãn (tags)"),
    ("note", "Ghi chú (note)"),
]
KEYS = {k for k, _h in COLUMNS}
_ALIASES = {unaccent(h.split(" (")[0]): k for k, h in COLUMNS} | {"mst": "tax_code", "ten": "name"}
_KIND_WORDS = {
    "company": PartyKind.COMPANY,
    "cong ty": PartyKind.COMPANY,
    "doanh nghiep": PartyKind.COMPANY,
    "to chuc": PartyKind.COMPANY,
    "person": PartyKind.PERSON,
    "ca nhan": PartyKind.PERSON,
}
MAX_ROWS = 5000
MAX_BYTES = 5 * 1024 * 1024


def export_workbook(tenant: Any) -> bytes:
    """All active parties of ``tenant`` as an xlsx file (every cell text, never a formula)."""
    rows = ([row[k] for k, _h in COLUMNS] for row in export_rows(tenant))
    return workbook(_("Parties"), [h for _k, h in COLUMNS], rows)


class PartyImportError(LineImportError):
    """A refused party import (``lines``: what is wrong where)."""


def _column_key(header: Any) -> str | None:
    text = str(header or "").strip()
    bracket = re.search(r"\(([a-z_]+)\)\s*$", text)
    if bracket and bracket.group(1) in KEYS:
        return bracket.group(1)
    plain = unaccent(text)
    if plain in KEYS:
        return plain
    return _ALIASES.get(plain)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # numbers typed into Excel (phones, tax codes) come back as floats
    return str(value).strip()


def _read_rows(upload: IO[bytes]) -> list[tuple[int, dict[str, str]]]:
    return read_rows(
        upload,
        key=_column_key,
        cell=_cell,
        required=("name",),
        header_message=_("The first row must hold the column headers, with a name column."),
        max_rows=MAX_ROWS,
        max_bytes=MAX_BYTES,
        error=PartyImportError,
    )


def _kwargs(record: dict[str, str]) -> dict[str, Any]:
    kind_text = unaccent(record.get("kind", "")) or "company"
    kind = _KIND_WORDS.get(kind_text, kind_text)
    contacts = []
    if record.get("phone"):
        contacts.append({"kind": ContactKind.PHONE, "value": record["phone"], "is_primary": True})
    if record.get("email"):
        contacts.append({"kind": ContactKind.EMAIL, "value": record["email"], "is_primary": True})
    addresses = []
    if any(record.get(k) for k in ("address", "ward", "district", "province")):
        addresses.append(
            {
                "line": record.get("address", ""),
                "ward": record.get("ward", ""),
                "district": record.get("district", ""),
                "province": record.get("province", ""),
                "is_default": True,
            }
        )
    return {
        "name": record.get("name", ""),
        "kind": kind,
        "tax_code": record.get("tax_code", ""),
        "id_number": record.get("id_number", ""),
        "website": record.get("website", ""),
        "note": record.get("note", ""),
        "contacts": contacts,
        "addresses": addresses,
        "tags": [t for t in re.split(r"[,;]", record.get("tags", "")) if t.strip()],
    }


@transaction.atomic
def import_parties(principal: Principal, upload: IO[bytes]) -> list[Party]:
    """Create one party per data row of the first sheet. All or nothing: when any line is bad,
    ``PartyImportError`` lists every bad line and nothing is written (the transaction rolls back).
    Codes are always generated; a row whose code already exists is refused (re-importing an export
    would otherwise double the directory)."""
    principal.require("core.parties.import")
    principal.require("core.parties.edit")
    rows = _read_rows(upload)
    existing_codes = set(
        Party.objects.filter(code__in=[r.get("code") for _n, r in rows if r.get("code")]).values_list("code", flat=True)
    )
    errors: list[LineError] = []
    created: list[Party] = []
    for number, record in rows:
        if record.get("code") in existing_codes:
            errors.append(
                LineError(
                    number,
                    [
                        _("Code %(code)s already exists; remove existing parties from the file.")
                        % {"code": record["code"]}
                    ],
                )
            )
            continue
        try:
            with transaction.atomic():
                created.append(actions.create_party(principal, **_kwargs(record)))
        except ValidationError as exc:
            errors.append(LineError(number, messages_of(exc)))
    if errors:
        raise PartyImportError(errors)
    return created


# --- shared by the imports and exports of a role on a party (customers, vendors) -------------------


def party_cells(party: Any, summary: Any) -> list[Any]:
    """The directory columns of a role's export row: party code, name, tax code, primary phone and
    email (``summary``: the party's ``selectors.party_summaries`` entry, or None)."""
    return [
        party.code,
        party.name,
        party.tax_code,
        getattr(summary, "phone", "") or "",
        getattr(summary, "email", "") or "",
    ]


def party_for_row(p: Principal, record: dict[str, str], *, role: str) -> int:
    """The party a role's import row names: the directory's party of ``party_code`` or, when that is
    empty, the only one of ``tax_code``; with neither found and a ``name`` given, a new party created
    through ``actions.create_party`` (``role``: customer or supplier) with the row's phone, email and
    address. ``ValidationError`` keyed by the column at fault."""
    from novasaas.parties.selectors import search_parties

    code, tax = record.get("party_code", ""), record.get("tax_code", "")
    if code:
        found = [x.pk for x in search_parties(p.tenant, code) if x.code == code]
        if not found:
            raise ValidationError({"party_code": [_("No party of the directory has the code %(c)s.") % {"c": code}]})
        return int(found[0])
    if tax:
        found = [x.pk for x in search_parties(p.tenant, tax) if x.tax_code == tax]
        if len(found) > 1:
            raise ValidationError({"tax_code": [_("Several parties have this tax code; give the party code.")]})
        if found:
            return int(found[0])
    if not record.get("name"):
        raise ValidationError({"name": [_("Give a party code, a tax code of the directory or a name.")]})
    contacts = [
        {"kind": kind, "value": record[kind], "is_primary": True} for kind in ("phone", "email") if record.get(kind)
    ]
    addresses = [{"line": record["address"], "is_default": True}] if record.get("address") else []
    party = actions.create_party(
        p, name=record["name"], tax_code=tax, contacts=contacts, addresses=addresses, role=role
    )
    return int(party.pk)
