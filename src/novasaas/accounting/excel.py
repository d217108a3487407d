"""CSV/Excel import of journal entries (all or nothing, line-by-line errors) and Excel report export."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.accounting import actions
from novasaas.accounting.models import JournalEntry
from novasaas.identity.access import Principal
from novasaas.parties.text import unaccent
from novasaas.platform import excel as platform_excel
from novasaas.platform.excel import XLSX_TYPE as XLSX_TYPE
from novasaas.platform.imports import LineError, LineImportError, read_rows

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20000
# (key, header): a column is recognised by the key in brackets, the Vietnamese words, or the key.
COLUMNS: list[tuple[str, str]] = [
    ("entry", "Số chứng từ (entry)"),
    ("date", "Ngày (date)"),
    ("journal", "Sổ (journal)"),
    ("account", "Tài khoản (account)"),
    ("debit", "Nợ (debit)"),
    ("credit", "Có (credit)"),
    ("partner", "Đối tượng (partner)"),
    ("memo", "Diễn giải (memo)"),
    # optional: a foreign-currency line gives its amounts in the currency (rate default: the rate table)
    ("currency", "Loại tiền (currency)"),
    ("exchange_rate", "Tỷ giá (exchange_rate)"),
]
KEYS = {k for k, _h in COLUMNS}
_ALIASES = {unaccent(h.split(" (")[0]): k for k, h in COLUMNS} | {"tk": "account", "so ct": "entry"}


class EntryImportError(LineImportError):
    """A refused entry, statement or rate import (``lines``: what is wrong where)."""


def _key(header: Any) -> str | None:
    text = str(header or "").strip()
    bracket = re.search(r"\(([a-z_]+)\)\s*$", text)
    if bracket and bracket.group(1) in KEYS:
        return bracket.group(1)
    plain = unaccent(text)
    return plain if plain in KEYS else _ALIASES.get(plain)


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.date().isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float):
        # Excel stores numbers as floats: go through repr, which round-trips, then Decimal
        return format(Decimal(repr(value)), "f") if value == value else ""
    return str(value).strip()


def _rows(
    upload: IO[bytes],
    filename: str,
    required: tuple[str, ...] = ("date", "account", "debit", "credit"),
    key: Any = None,
) -> list[tuple[int, dict[str, str]]]:
    """CSV (UTF-8) or .xlsx rows keyed by the header row."""
    return read_rows(
        upload,
        key=key or _key,
        cell=_cell,
        required=required,
        max_rows=MAX_ROWS,
        max_bytes=MAX_BYTES,
        filename=filename or "",
        error=EntryImportError,
    )


def _date(text: str) -> dt.date:
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"):
        try:
            return dt.datetime.strptime(text[:10], fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    raise ValueError(text)


def _partner(principal: Principal, text: str, cache: dict[str, int | None]) -> int | None:
    from novasaas.parties import selectors as parties

    if text not in cache:
        found: int | None = None
        if text.isdigit() and len(text) < 19:
            found = parties.resolve_party_id(principal.tenant, int(text))
        if found is None:
            match = [p.pk for p in parties.search_parties(principal.tenant, text)[:20] if p.code == text.upper()]
            found = match[0] if match else None
        cache[text] = found
    return cache[text]


def import_entries(
    principal: Principal, upload: IO[bytes], filename: str = "", *, post: bool = True
) -> list[JournalEntry]:
    """One entry per value of the ``entry`` column (or per date + journal when absent), lines in file
    order. All or nothing: when any line is bad, ``EntryImportError`` lists every bad line with its
    messages and nothing is written. ``post`` posts each entry (approval rules apply)."""
    principal.require("acc.entry.import")
    principal.require("acc.entry.create")
    actions.ensure_chart(principal.tenant)
    rows = _rows(upload, filename)
    errors: dict[int, list[str]] = {}
    groups: dict[tuple[str, str, str], list[tuple[int, dict[str, Any]]]] = {}
    partners: dict[str, int | None] = {}
    for number, record in rows:
        msgs: list[str] = []
        try:
            day = _date(record.get("date", ""))
        except ValueError:
            msgs.append(_("date: enter a date like 2026-01-31 or 31/01/2026."))
            day = None
        amounts: dict[str, Decimal] = {}
        for field in ("debit", "credit"):
            text = (record.get(field) or "0").replace(" ", "").replace("\u00a0", "")
            try:
                amounts[field] = Decimal(text.replace(",", "")) if text else Decimal(0)
                if not amounts[field].is_finite():
                    raise ValueError
            except (ArithmeticError, ValueError):
                msgs.append(_("%(field)s: not a number.") % {"field": field})
        partner_id = None
        if record.get("partner"):
            partner_id = _partner(principal, record["partner"], partners)
            if partner_id is None:
                msgs.append(_("partner: unknown party “%(p)s”.") % {"p": record["partner"][:40]})
        if not record.get("account"):
            msgs.append(_("account: required."))
        if msgs:
            errors[number] = msgs
            continue
        if day is None:  # pragma: no cover - reported above
            continue
        key = (record.get("entry", "") or day.isoformat(), day.isoformat(), (record.get("journal") or "GEN").upper())
        groups.setdefault(key, []).append(
            (
                number,
                {
                    "account": record["account"],
                    "debit": amounts["debit"],
                    "credit": amounts["credit"],
                    "partner_id": partner_id,
                    "memo": record.get("memo", ""),
                    "currency": record.get("currency", ""),
                    "exchange_rate": (record.get("exchange_rate") or "").replace(",", "") or None,
                },
            )
        )
    created: list[JournalEntry] = []
    with transaction.atomic():
        for (ref, day_text, journal), lines in groups.items():
            try:
                with transaction.atomic():
                    entry = actions.create_entry(
                        principal,
                        journal_id=journal,
                        date=dt.date.fromisoformat(day_text),
                        lines=[line for _n, line in lines],
                        memo=lines[0][1]["memo"] or ref,
                        source_reference=ref,
                    )
                    if post:
                        entry = actions.post_entry(principal, entry.pk)
                    created.append(entry)
            except ValidationError as exc:
                _attach(errors, exc, [n for n, _line in lines])
        if errors:  # raising inside the atomic block rolls every created entry back
            raise EntryImportError([LineError(n, errors[n]) for n in sorted(errors)])
    return created


def _attach(errors: dict[int, list[str]], exc: ValidationError, numbers: list[int]) -> None:
    if not hasattr(exc, "error_dict"):
        errors.setdefault(numbers[0], []).extend(exc.messages)
        return
    for key, msgs in exc.message_dict.items():
        match = re.match(r"lines\[(\d+)\]\.(\w+)", key)
        if match and int(match.group(1)) < len(numbers):
            errors.setdefault(numbers[int(match.group(1))], []).extend(f"{match.group(2)}: {m}" for m in msgs)
        else:
            errors.setdefault(numbers[0], []).extend(msgs)


def import_template() -> bytes:
    rows = [
        ["PT001", "2026-01-05", "CASH", "1111", 5000000, 0, "", "Rút tiền gửi về quỹ", "", ""],
        ["PT001", "2026-01-05", "CASH", "1121", 0, 5000000, "", "Rút tiền gửi về quỹ", "", ""],
        ["NH002", "2026-01-06", "BANK", "1122", 1000, 0, "", "Mua ngoại tệ", "USD", 25400],
        ["NH002", "2026-01-06", "BANK", "1121", 0, 25400000, "", "Mua ngoại tệ", "", ""],
    ]
    # the header stays the first row: the template is read back by the import
    return workbook(
        _("Entries"),
        [h for _k, h in COLUMNS],
        [[Decimal(v) if isinstance(v, int) else v for v in row] for row in rows],
        heading=False,
    )


# --- export -----------------------------------------------------------------------------------------------


def workbook(
    title: str, headers: list[str], rows: Iterable[Sequence[Any]], *, subtitle: str = "", heading: bool = True
) -> bytes:
    """A one-sheet xlsx report (the platform's one writer): title and subtitle above a bold header row,
    amounts as numbers with a thousands format, columns sized to their content."""
    return platform_excel.workbook(title, headers, rows, subtitle, heading=heading)
