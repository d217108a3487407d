"""Reading an uploaded spreadsheet for an import, the same way in every module.

Every import reads its upload through ``read_upload`` (at most ``max_bytes``: a larger file is refused
with ``FileTooLarge``, which the API answers with 413) and its rows through ``table_rows`` (CSV or xlsx,
streamed: an xlsx sheet is read in openpyxl's read-only mode with its declared dimension ignored, since
it may lie either way, and reading stops at the row limit, so a 400,000-row sheet is refused after its
first ``max_rows`` rows; the sheet's shared-strings table, which cannot be streamed, is refused above
``MAX_TEXT_TABLE_BYTES`` unzipped). ``read_rows`` adds the header mapping: the first row's headers are mapped to
field keys by the module's ``key`` function, blank rows are skipped, and every problem is reported with
its line number (line 0 = the file itself, line 1 = the header row) so that a refused file writes nothing
and says where to look. Modules subclass ``LineImportError`` to catch their own imports' refusals by name.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Generator, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from openpyxl.reader.excel import SHARED_STRINGS, ExcelReader
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet._read_only import ReadOnlyWorksheet

from novasaas.platform.text import compose

MAX_BYTES = 5 * 1024 * 1024
# the unzipped shared-strings table of an xlsx (all its distinct texts), read into memory whole
MAX_TEXT_TABLE_BYTES = 40 * 1024 * 1024

Rows = list[tuple[int, dict[str, str]]]
_BRACKET_KEY = re.compile(r"\(([a-z_]+)\)\s*$")


def bracket_key(columns: Iterable[tuple[str, str]]) -> Callable[[Any], str | None]:
    """The ``key`` function of ``read_rows`` for a template of ``(key, bilingual header)`` columns: a
    header names the key in brackets at its end ("Mã số thuế (tax_code)") or is the bare key; any other
    header is None (its column is ignored)."""
    keys = {k for k, _h in columns}

    def key(header: Any) -> str | None:
        text = str(header or "").strip()
        bracket = _BRACKET_KEY.search(text)
        if bracket and bracket.group(1) in keys:
            return bracket.group(1)
        return text if text in keys else None

    return key


def cell_text(value: Any) -> str:
    """The ``cell`` function of ``read_rows`` for text fields: empty for an empty cell, a whole number
    typed into Excel (a phone, a tax code; read back as a float) without its ``.0``, stripped text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def headers(columns: Iterable[tuple[str, str]]) -> list[str]:
    """The header row of an export that is also the import template."""
    return [h for _k, h in columns]


@dataclass
class LineError:
    line: int
    messages: list[str]


class LineImportError(ValidationError):
    """The file was refused; ``lines`` says what is wrong where (line 0 = the file itself). ``status`` is
    the HTTP status the API answers (413 for a file over the size limit)."""

    status = 400

    def __init__(self, lines: list[LineError]) -> None:
        self.lines = lines
        super().__init__([f"{_('Line')} {e.line}: {m}" if e.line else m for e in lines for m in e.messages])

    @property
    def detail(self) -> str:
        """The API answer's ``detail``: what is wrong when it is the whole file's size, else a summary."""
        return " ".join(self.messages) if self.status == 413 else "import refused"

    def as_json(self) -> list[dict[str, Any]]:  # type: ignore[override]
        return [{"line": e.line, "messages": e.messages} for e in self.lines]


def messages_of(exc: ValidationError) -> list[str]:
    """A validation error as the lines of an import report (``field: message``)."""
    if hasattr(exc, "error_dict"):
        return [f"{f}: {m}" if f != "__all__" else m for f, msgs in exc.message_dict.items() for m in msgs]
    return list(exc.messages)


class FileTooLarge(LineImportError):
    """The upload is larger than the import accepts (the API answers 413)."""

    status = 413


_TOO_LARGE: dict[type[LineImportError], type[LineImportError]] = {}


def _too_large_class(error: type[LineImportError]) -> type[LineImportError]:
    # both the module's error (its page shows the message as a form error) and FileTooLarge (→ 413)
    if issubclass(error, FileTooLarge):
        return error
    if error not in _TOO_LARGE:
        _TOO_LARGE[error] = type(f"{error.__name__}TooLarge", (FileTooLarge, error), {})
    return _TOO_LARGE[error]


def read_upload(
    upload: IO[bytes], *, max_bytes: int = MAX_BYTES, error: type[LineImportError] = LineImportError
) -> bytes:
    """The upload's bytes; a file over ``max_bytes`` is refused (never cut short)."""
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise file_too_large(max_bytes, error)
    return bytes(data)


def file_too_large(max_bytes: int = MAX_BYTES, error: type[LineImportError] = LineImportError) -> LineImportError:
    """The refusal of a file over ``max_bytes``: both a ``FileTooLarge`` and an ``error``."""
    size = f"{max_bytes / (1024 * 1024):.3g} MB" if max_bytes >= 1024 * 1024 else f"{max_bytes / 1024:.3g} KB"
    return _too_large_class(error)([LineError(0, [_("The file is larger than %(size)s.") % {"size": size}])])


def too_many_rows(max_rows: int, error: type[LineImportError] = LineImportError) -> LineImportError:
    return error([LineError(0, [_("At most %(n)d rows per file.") % {"n": max_rows}])])


def table_rows(
    data: bytes,
    *,
    max_rows: int,
    csv_ok: bool = False,
    filename: str | None = None,
    error: type[LineImportError] = LineImportError,
    utf16: bool = False,
) -> Generator[Sequence[Any], None, None]:
    """The rows of the first sheet (xlsx) or of a CSV file (``csv_ok``: a ``.csv`` name or content that
    is not a zip; UTF-8, or UTF-16 with a BOM when ``utf16``; delimiter sniffed), streamed. More than
    ``max_rows`` non-blank rows after the first (the header), or more than four times as many rows in
    all, refuse the file as soon as they are read. Text cells come composed (NFC, platform/text.py)."""
    unreadable = (
        _("This is not a readable CSV or Excel file.") if csv_ok else _("This is not a readable Excel (.xlsx) file.")
    )
    if csv_ok and (str(filename or "").lower().endswith(".csv") or not data.startswith(b"PK")):
        raw: Iterator[Sequence[Any]] = iter(_csv(data, error, unreadable, utf16))
    else:
        raw = _xlsx(data, error, unreadable)
    filled = 0
    for number, row in enumerate(raw, start=1):
        if number > 1 and any(v not in (None, "") for v in row):
            filled += 1
        if filled > max_rows or number > 4 * max_rows + 1000:
            raise too_many_rows(max_rows, error)
        yield compose(row) if isinstance(row, list | tuple) else row


class _UnsizedSheet(ReadOnlyWorksheet):  # type: ignore[misc]
    """A read-only sheet that never reads its declared dimension. The <dimension> element is written by
    the producer: too small, openpyxl stops there and drops the rest silently; too large, it pads up to a
    million empty rows; missing, openpyxl parses the whole sheet to look for it before the first row."""

    def _get_size(self) -> None:
        self._min_column = self._min_row = 1
        self._max_column = self._max_row = None


class _TextTableTooLarge(Exception):
    pass


class _FirstSheetReader(ExcelReader):  # type: ignore[misc]
    """openpyxl's read-only workbook reader, opening only the first worksheet, unsized, with a bounded
    shared-strings table."""

    def read_strings(self) -> None:
        """The shared-strings table cannot be streamed (cells point into it in any order), so it is
        bounded instead: its unzipped size, declared in the zip and enforced by ``zipfile`` while reading
        (a part longer than declared fails its check), is at most ``MAX_TEXT_TABLE_BYTES``. Without the
        bound a 5 MB upload of repeated text unzips to hundreds of MB held in memory."""
        part = self.package.find(SHARED_STRINGS)
        if part is not None and self.archive.getinfo(part.PartName[1:]).file_size > MAX_TEXT_TABLE_BYTES:
            raise _TextTableTooLarge
        super().read_strings()

    def read_worksheets(self) -> None:
        for sheet, rel in self.parser.find_sheets():
            if rel.target in self.valid_files and "chartsheet" not in rel.Type:
                ws = _UnsizedSheet(self.wb, sheet.name, rel.target, self.shared_strings)
                ws.sheet_state = sheet.state
                self.wb._sheets.append(ws)
                return


def _xlsx(data: bytes, error: type[LineImportError], unreadable: str) -> Iterator[Sequence[Any]]:
    try:
        reader = _FirstSheetReader(io.BytesIO(data), read_only=True, data_only=True)
        reader.read()
        wb = reader.wb
    except _TextTableTooLarge as exc:
        message = _("The file holds more text than an import reads (at most %(mb)d MB once unzipped).")
        raise error([LineError(0, [message % {"mb": MAX_TEXT_TABLE_BYTES // 2**20}])]) from exc
    except (InvalidFileException, zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as exc:
        raise error([LineError(0, [unreadable])]) from exc
    try:
        if not wb.worksheets:
            raise error([LineError(0, [_("The workbook has no sheet.")])])
        sheet = wb.worksheets[0]
        try:
            yield from sheet.iter_rows(values_only=True)
        except (zipfile.BadZipFile, KeyError, ValueError, OSError, IndexError) as exc:
            raise error([LineError(0, [unreadable])]) from exc
    finally:
        wb.close()


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
    ``required`` key has no column. The header is checked before any data row is read."""
    data = read_upload(upload, max_bytes=max_bytes, error=error)
    rows = table_rows(data, max_rows=max_rows, csv_ok=filename is not None, filename=filename, error=error)
    keys = [key(h) for h in (next(rows, None) or [])]
    missing = [k for k in required if k not in keys]
    if missing:
        rows.close()
        message = header_message or _("Missing columns: %(cols)s.") % {"cols": ", ".join(missing)}
        raise error([LineError(1, [message])])
    result: Rows = []
    for number, values in enumerate(rows, start=2):
        record = {k: cell(v) for k, v in zip(keys, values, strict=False) if k}
        if not any(record.values()):
            continue
        result.append((number, record))
    if not result:
        raise error([LineError(0, [_("The file has no data rows.")])])
    return result


def _csv(data: bytes, error: type[LineImportError], unreadable: str, utf16: bool = False) -> Iterator[list[str]]:
    try:
        bom16 = utf16 and data.startswith((b"\xff\xfe", b"\xfe\xff"))
        text = data.decode("utf-16") if bom16 else data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise error([LineError(0, [_("A CSV file must be UTF-8 encoded.")])]) from exc
    if "\x00" in text:
        raise error([LineError(0, [unreadable])])
    dialect: Any = csv.excel
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        pass
    try:
        yield from csv.reader(io.StringIO(text), dialect)
    except csv.Error as exc:
        raise error([LineError(0, [unreadable])]) from exc
