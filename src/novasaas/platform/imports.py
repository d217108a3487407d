"""Reading an uploaded spreadsheet for an import, the same way in every module.

The file is read whole (bounded by ``max_bytes``), the first row's headers are mapped to field keys by
the module's ``key`` function, blank rows are skipped, at most ``max_rows`` rows are accepted, and every
problem is reported with its line number (line 0 = the file itself, line 1 = the header row) so that a
refused file writes nothing and says where to look. Modules subclass ``LineImportError`` to catch their
own imports' refusals by name.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException

MAX_BYTES = 5 * 1024 * 1024

Rows = list[tuple[int, dict[str, str]]]


@dataclass
class LineError:
    line: int
    messages: list[str]


class LineImportError(ValidationError):
    """The file was refused; ``lines`` says what is wrong where (line 0 = the file itself)."""

    def __init__(self, lines: list[LineError]) -> None:
        self.lines = lines
        super().__init__([f"{_('Line')} {e.line}: {m}" if e.line else m for e in lines for m in e.messages])

    def as_json(self) -> list[dict[str, Any]]:  # type: ignore[override]
        return [{"line": e.line, "messages": e.messages} for e in self.lines]


def messages_of(exc: ValidationError) -> list[str]:
    """A validation error as the lines of an import report (``field: message``)."""
    if hasattr(exc, "error_dict"):
        return [f"{f}: {m}" if f != "__all__" else m for f, msgs in exc.message_dict.items() for m in msgs]
    return list(exc.messages)


def read_rows(
    upload: IO[bytes],
    *,
    key: Callable[[Any], str | None],
    cell: Callable[[Any], str],
    required: Sequence[str],
    header_message: str | None = None,
    max_rows: int,
    max_bytes: int = MAX_BYTES,
    filename: str | None = None,
    error: type[LineImportError] = LineImportError,
) -> Rows:
    """``(line number, {key: text})`` for every non-blank data row of the first sheet.

    ``filename`` given: a ``.csv`` name or content that is not a zip is read as UTF-8 CSV (delimiter
    sniffed), otherwise only .xlsx is accepted. ``header_message`` replaces "Missing columns: …" when a
    ``required`` key has no column."""
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise error([LineError(0, [_("The file is larger than 5 MB.")])])
    csv_ok = filename is not None
    unreadable = (
        _("This is not a readable CSV or Excel file.") if csv_ok else _("This is not a readable Excel (.xlsx) file.")
    )
    raw: Iterable[Sequence[Any]]
    if csv_ok and (str(filename).lower().endswith(".csv") or not data.startswith(b"PK")):
        raw = _csv(data, error, unreadable)
    else:
        try:
            wb = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise error([LineError(0, [unreadable])]) from exc
        if not wb.worksheets:
            raise error([LineError(0, [_("The workbook has no sheet.")])])
        try:
            raw = list(wb.worksheets[0].iter_rows(values_only=True))
        except (zipfile.BadZipFile, KeyError, ValueError, OSError) as exc:
            raise error([LineError(0, [unreadable])]) from exc
        finally:
            wb.close()
    rows = iter(raw)
    keys = [key(h) for h in (next(rows, None) or [])]
    missing = [k for k in required if k not in keys]
    if missing:
        message = header_message or _("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)}
        raise error([LineError(1, [message])])
    result: Rows = []
    for number, values in enumerate(rows, start=2):
        record = {k: cell(v) for k, v in zip(keys, values, strict=False) if k}
        if not any(record.values()):
            continue
        if len(result) >= max_rows:
            raise error([LineError(0, [_("At most %(n)d rows per file.") % {"n": max_rows}])])
        result.append((number, record))
    if not result:
        raise error([LineError(0, [_("The file has no data rows.")])])
    return result


def _csv(data: bytes, error: type[LineImportError], unreadable: str) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error([LineError(0, [_("A CSV file must be UTF-8 encoded.")])]) from exc
    if "\x00" in text:
        raise error([LineError(0, [unreadable])])
    dialect: Any = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t")
    except csv.Error:
        pass
    return list(csv.reader(io.StringIO(text), dialect))
