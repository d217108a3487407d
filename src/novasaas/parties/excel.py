"""Excel (xlsx) export and all-or-nothing import of parties."""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.utils.exceptions import InvalidFileException

from novasaas.identity.access import Principal
from novasaas.parties import actions
from novasaas.parties.models import ContactKind, Party, PartyKind
from novasaas.parties.selectors import export_rows
from novasaas.parties.text import unaccent

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
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _text_cell(ws: Any, value: str) -> Any:
    """A cell that is always text: openpyxl would store a value starting with "=" as a formula,
    letting a party name run as a formula in the reader's Excel (formula injection)."""
    cell = WriteOnlyCell(ws, value=value)
    cell.data_type = "s"
    return cell


def export_workbook(tenant: Any) -> bytes:
    """All active parties of ``tenant`` as an xlsx file."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(_("Parties"))
    ws.append([h for _k, h in COLUMNS])
    for row in export_rows(tenant):
        ws.append([_text_cell(ws, row[k]) for k, _h in COLUMNS])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass
class LineError:
    line: int
    messages: list[str]


class PartyImportError(ValidationError):
    """The file was refused; ``lines`` says what is wrong where (line 0 = the file itself)."""

    def __init__(self, lines: list[LineError]) -> None:
        self.lines = lines
        super().__init__([f"{_('Line')} {e.line}: {m}" if e.line else m for e in lines for m in e.messages])

    def as_json(self) -> list[dict[str, Any]]:  # type: ignore[override]
        return [{"line": e.line, "messages": e.messages} for e in self.lines]


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
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise PartyImportError([LineError(0, [_("The file is larger than 5 MB.")])])
    try:
        wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
        raise PartyImportError([LineError(0, [_("This is not a readable Excel (.xlsx) file.")])]) from exc
    ws = wb.worksheets[0] if wb.worksheets else None
    if ws is None:
        raise PartyImportError([LineError(0, [_("The workbook has no sheet.")])])
    rows = ws.iter_rows(values_only=True)
    header = next(rows, None)
    keys = [_column_key(h) for h in (header or [])]
    if "name" not in keys:
        raise PartyImportError(
            [LineError(1, [_("The first row must hold the column headers, with a name column.")])]
        )
    result: list[tuple[int, dict[str, str]]] = []
    for number, values in enumerate(rows, start=2):
        record = {k: _cell(v) for k, v in zip(keys, values, strict=False) if k}
        if not any(record.values()):
            continue
        if len(result) >= MAX_ROWS:
            raise PartyImportError([LineError(0, [_("At most %(n)d rows per file.") % {"n": MAX_ROWS}])])
        result.append((number, record))
    wb.close()
    if not result:
        raise PartyImportError([LineError(0, [_("The file has no data rows.")])])
    return result


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


def _messages(exc: ValidationError) -> list[str]:
    if hasattr(exc, "error_dict"):
        return [
            f"{field}: {m}" if field != "__all__" else m
            for field, msgs in exc.message_dict.items()
            for m in msgs
        ]
    return list(exc.messages)


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
        Party.objects.filter(code__in=[r.get("code") for _n, r in rows if r.get("code")]).values_list(
            "code", flat=True
        )
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
            errors.append(LineError(number, _messages(exc)))
    if errors:
        raise PartyImportError(errors)
    return created
