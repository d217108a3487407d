"""Bank statement files with a column mapping: preview the first rows, map the columns (date, amount or
separate debit/credit, description, reference, optional running balance), choose the date format and
the decimal/thousands separators (Vietnamese banks export ``1.234.567`` and ``dd/mm/yyyy``), and save
the mapping as a ``StatementProfile`` of the bank account to reuse it.

A mapping is a small JSON object::

    {"columns": {"date": "Ngày GD", "debit": 4, "credit": "Ghi có", "description": "Nội dung",
                 "reference": "Số CT", "balance": "Số dư"},
     "date_format": "dd/mm/yyyy", "decimal_separator": ",", "thousands_separator": ".",
     "header_row": 1, "skip_undated": false}

A column is its title in the header row or its number (1 = first column). ``header_row`` is the file
row holding the titles (0: no title row, columns by number only); the rows after it are data.
``amount`` is signed (+ money in); with ``debit``/``credit`` the amount is |credit| − |debit|. With
``skip_undated`` rows whose date cell holds no digit at all (empty, or words such as "Tổng cộng" on
totals and footers) are ignored; otherwise they are errors.
When ``balance`` is mapped, each row's balance must follow from the previous one and its amount (in file
order or newest first), which catches a wrong separator or a missing row.

Everything here only reads: ``banking.import_statement`` writes, all or nothing."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils.translation import gettext as _

from novasaas.accounting.excel import MAX_BYTES, MAX_ROWS, EntryImportError, LineError
from novasaas.parties.text import unaccent
from novasaas.platform.imports import file_too_large, table_rows
from novasaas.platform.money import format_amount

FIELDS = ("date", "amount", "debit", "credit", "description", "reference", "balance")
DATE_FORMATS: dict[str, str] = {
    "dd/mm/yyyy": "%d/%m/%Y",
    "dd-mm-yyyy": "%d-%m-%Y",
    "dd.mm.yyyy": "%d.%m.%Y",
    "dd/mm/yy": "%d/%m/%y",
    "mm/dd/yyyy": "%m/%d/%Y",
    "yyyy-mm-dd": "%Y-%m-%d",
    "yyyy/mm/dd": "%Y/%m/%d",
    "yyyymmdd": "%Y%m%d",
}
DECIMAL_SEPARATORS = (",", ".")
THOUSANDS_SEPARATORS = ("", ".", ",", " ", "'")
PREVIEW_ROWS = 10
MAX_COLUMNS = 200
MAX_MAPPING_CHARS = 4000
LIMIT = Decimal("1e15")

# header words (unaccented, lower case) → field, for guessing a mapping and for the default import
HEADER_WORDS: dict[str, str] = {
    "date": "date",
    "ngay": "date",
    "ngay gd": "date",
    "ngay giao dich": "date",
    "ngay hach toan": "date",
    "ngay hieu luc": "date",
    "transaction date": "date",
    "posting date": "date",
    "amount": "amount",
    "so tien": "amount",
    "so tien giao dich": "amount",
    "debit": "debit",
    "ghi no": "debit",
    "no": "debit",
    "phat sinh no": "debit",
    "so tien ghi no": "debit",
    "rut ra": "debit",
    "withdrawal": "debit",
    "credit": "credit",
    "ghi co": "credit",
    "co": "credit",
    "phat sinh co": "credit",
    "so tien ghi co": "credit",
    "gui vao": "credit",
    "deposit": "credit",
    "description": "description",
    "noi dung": "description",
    "noi dung giao dich": "description",
    "dien giai": "description",
    "mo ta": "description",
    "reference": "reference",
    "so tham chieu": "reference",
    "so ct": "reference",
    "so but toan": "reference",
    "ma giao dich": "reference",
    "ma gd": "reference",
    "so giao dich": "reference",
    "balance": "balance",
    "so du": "balance",
    "so du cuoi": "balance",
}


def header_field(header: Any) -> str | None:
    """The field a column title names (Vietnamese or English, accents and case ignored)."""
    text = unaccent(str(header or "").strip()).strip(" :*")
    if "(" in text and text.endswith(")"):
        inner = text.rsplit("(", 1)[1].rstrip(")").strip()
        if inner in HEADER_WORDS:
            return HEADER_WORDS[inner]
        text = text.rsplit("(", 1)[0].strip()
    return HEADER_WORDS.get(text)


# --- reading the file -------------------------------------------------------------------------------


def read_table(data: bytes) -> list[list[Any]]:
    """All rows of a CSV (UTF-8 or UTF-16 with BOM; ``,`` ``;`` or tab) or xlsx file. Cells are text,
    except xlsx numbers (``Decimal``, exact) and dates (``date``)."""
    if len(data) > MAX_BYTES:
        raise file_too_large(MAX_BYTES, EntryImportError)
    # the header may sit below a bank's title rows: the limit counts them too
    table = table_rows(data, max_rows=MAX_ROWS + 100, csv_ok=True, error=EntryImportError, utf16=True)
    if data.startswith(b"PK"):
        rows = [[_xlsx_cell(v) for v in row[:MAX_COLUMNS]] for row in table]
    else:
        rows = [[c.strip() for c in row[:MAX_COLUMNS]] for row in table]
    return rows


def _xlsx_cell(value: Any) -> Any:
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        # Excel keeps numbers as binary floats: repr round-trips the shortest exact text
        return Decimal(repr(value)) if value == value and abs(value) != float("inf") else ""
    return str(value).strip()


def cell_text(value: Any) -> str:
    if isinstance(value, dt.date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


# --- the mapping ------------------------------------------------------------------------------------


@dataclass
class Mapping:
    columns: dict[str, int | str]
    date_format: str = "dd/mm/yyyy"
    decimal_separator: str = ","
    thousands_separator: str = "."
    header_row: int = 1
    skip_undated: bool = False

    def as_json(self) -> dict[str, Any]:
        return {
            "columns": dict(self.columns),
            "date_format": self.date_format,
            "decimal_separator": self.decimal_separator,
            "thousands_separator": self.thousands_separator,
            "header_row": self.header_row,
            "skip_undated": self.skip_undated,
        }


def _mapping_error(messages: list[str]) -> EntryImportError:
    prefix = _("Column mapping")
    return EntryImportError([LineError(0, [f"{prefix}: {m}" for m in messages])])


def parse_mapping(raw: Any) -> Mapping:
    """Validate a mapping (a dict, or its JSON text). Raises ``EntryImportError`` (line 0) listing every
    problem."""
    import json

    if isinstance(raw, str):
        if len(raw) > MAX_MAPPING_CHARS:
            raise _mapping_error([_("too long.")])
        try:
            raw = json.loads(raw)
        except ValueError as exc:
            raise _mapping_error([_("not valid JSON.")]) from exc
    if not isinstance(raw, dict):
        raise _mapping_error([_("expected an object with “columns”.")])
    errors: list[str] = []
    allowed = {"columns", "date_format", "decimal_separator", "thousands_separator", "header_row", "skip_undated"}
    unknown = sorted(set(raw) - allowed)
    if unknown:
        errors.append(_("unknown keys: %(k)s.") % {"k": ", ".join(str(k)[:30] for k in unknown[:10])})
    columns = raw.get("columns")
    cols: dict[str, int | str] = {}
    if not isinstance(columns, dict):
        errors.append(_("“columns” must map fields to column titles or numbers."))
    else:
        bad = sorted(str(k)[:30] for k in columns if k not in FIELDS)
        if bad:
            errors.append(
                _("unknown fields: %(f)s (use %(all)s).") % {"f": ", ".join(bad[:10]), "all": ", ".join(FIELDS)}
            )
        for name in FIELDS:
            value = columns.get(name)
            if value in (None, ""):
                continue
            if isinstance(value, bool) or not isinstance(value, int | str):
                errors.append(_("%(f)s: give a column title or number.") % {"f": name})
            elif isinstance(value, int) and not 1 <= value <= MAX_COLUMNS:
                errors.append(_("%(f)s: column numbers start at 1.") % {"f": name})
            elif isinstance(value, str) and len(value.strip()) > 100:
                errors.append(_("%(f)s: column title too long.") % {"f": name})
            else:
                cols[name] = value.strip() if isinstance(value, str) else value
        if "date" not in cols:
            errors.append(_("choose the date column."))
        if "amount" in cols and ("debit" in cols or "credit" in cols):
            errors.append(_("choose either one amount column or debit/credit columns, not both."))
        elif not ({"amount", "debit", "credit"} & set(cols)):
            errors.append(_("choose the amount column, or the debit and credit columns."))
        used: dict[Any, str] = {}
        for name, value in cols.items():
            key = value.lower() if isinstance(value, str) else value
            if key in used:
                errors.append(_("%(a)s and %(b)s use the same column.") % {"a": used[key], "b": name})
            used[key] = name
    date_format = raw.get("date_format", "dd/mm/yyyy")
    if date_format not in DATE_FORMATS:
        errors.append(_("date format must be one of %(f)s.") % {"f": ", ".join(DATE_FORMATS)})
    dec = raw.get("decimal_separator", ",")
    thousands = raw.get("thousands_separator", ".")
    if dec not in DECIMAL_SEPARATORS:
        errors.append(_("the decimal separator is “,” or “.”."))
    if thousands not in THOUSANDS_SEPARATORS:
        errors.append(_("the thousands separator is “.”, “,”, a space, “'” or nothing."))
    if dec == thousands:
        errors.append(_("the decimal and thousands separators must differ."))
    header_row = raw.get("header_row", 1)
    if isinstance(header_row, bool) or not isinstance(header_row, int) or not 0 <= header_row <= 50:
        errors.append(_("the header row is a number from 0 (no titles) to 50."))
        header_row = 1
    elif header_row == 0 and any(isinstance(v, str) for v in cols.values()):
        errors.append(_("without a header row, give columns by number."))
    skip = raw.get("skip_undated", False)
    if not isinstance(skip, bool):
        errors.append(_("“skip_undated” is true or false."))
    if errors:
        raise _mapping_error(errors)
    return Mapping(cols, str(date_format), str(dec), str(thousands), header_row, bool(skip))


def _resolve_columns(mapping: Mapping, header: list[Any]) -> dict[str, int]:
    titles: dict[str, int] = {}
    for i, h in enumerate(header):
        titles.setdefault(cell_text(h).strip().lower(), i)
    out: dict[str, int] = {}
    missing: list[str] = []
    for name, ref in mapping.columns.items():
        if isinstance(ref, int):
            out[name] = ref - 1
        elif ref.lower() in titles:
            out[name] = titles[ref.lower()]
        elif ref.isdigit() and 1 <= int(ref) <= MAX_COLUMNS:
            out[name] = int(ref) - 1
        else:
            missing.append(f"{name} “{ref[:40]}”")
    if missing:
        raise EntryImportError(
            [
                LineError(
                    mapping.header_row,
                    [_("Columns not found in the header row: %(c)s.") % {"c": ", ".join(missing)}],
                )
            ]
        )
    return out


# --- values -----------------------------------------------------------------------------------------

_CURRENCY = re.compile(r"(?i)\s*(vnd|vnđ|đ|₫|usd)\s*$|^\s*(vnd|vnđ|₫)\s*")


def parse_amount(value: Any, decimal_separator: str, thousands_separator: str) -> Decimal:
    """A signed amount from a cell: native numbers as they are; text with the chosen separators,
    ``-`` or ``+`` before or after, or in parentheses (negative), and an optional currency (VND, đ, ₫).
    Thousands groups must have three digits, so a wrong separator choice is an error, not a wrong
    amount. Raises ValueError."""
    if isinstance(value, Decimal):
        amount = value
    else:
        text = str(value).replace("\u00a0", " ").strip()
        text = _CURRENCY.sub("", text).strip()
        negative = False
        if text.startswith("(") and text.endswith(")"):
            negative, text = True, text[1:-1].strip()
        if not text:
            raise ValueError(value)
        if text[0] in "+-":
            negative, text = negative ^ (text[0] == "-"), text[1:].strip()
        elif text[-1] in "+-":
            negative, text = negative ^ (text[-1] == "-"), text[:-1].strip()
        if thousands_separator != " ":
            text = text.replace(" ", "")
        whole, sep, frac = text.partition(decimal_separator)
        if sep and (not frac.isdigit()):
            raise ValueError(text)
        if thousands_separator and thousands_separator in whole:
            groups = whole.split(thousands_separator)
            if not (1 <= len(groups[0]) <= 3 and all(len(g) == 3 for g in groups[1:])):
                raise ValueError(text)
            whole = "".join(groups)
        if not whole.isdigit() or not whole.isascii():
            raise ValueError(text)
        try:
            amount = Decimal(f"{whole}.{frac}" if sep else whole)
        except InvalidOperation as exc:
            raise ValueError(text) from exc
        if negative:
            amount = -amount
    if not amount.is_finite() or abs(amount) >= LIMIT or amount != round(amount, 2):
        raise ValueError(value)
    return amount


def parse_date(value: Any, date_format: str) -> dt.date:
    """A date cell: native Excel dates; ISO ``yyyy-mm-dd`` always; otherwise the chosen format (a time
    after the date is ignored). Raises ValueError."""
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    head = text.split("T")[0].split(" ")[0]
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", head):
        return dt.date.fromisoformat(head)
    parsed = dt.datetime.strptime(head, DATE_FORMATS[date_format]).date()  # noqa: DTZ007 - calendar date
    if not dt.date(1900, 1, 1) <= parsed <= dt.date(2999, 12, 31):
        raise ValueError(text)
    return parsed


# --- parsing with a mapping -------------------------------------------------------------------------


@dataclass
class StatementLine:
    line: int  # row number in the file
    date: dt.date
    amount: Decimal
    reference: str
    description: str
    balance: Decimal | None = None


@dataclass
class ParsedStatement:
    lines: list[StatementLine]
    opening_balance: Decimal | None = None
    closing_balance: Decimal | None = None
    notes: list[str] = field(default_factory=list)


def parse_statement(data: bytes, mapping: Mapping) -> ParsedStatement:
    """Apply ``mapping`` to the file. All or nothing: ``EntryImportError`` lists every bad row."""
    table = read_table(data)
    if mapping.header_row > len(table):
        raise EntryImportError([LineError(0, [_("The file has no row %(n)d.") % {"n": mapping.header_row}])])
    header = table[mapping.header_row - 1] if mapping.header_row else []
    cols = _resolve_columns(mapping, header)
    errors: list[LineError] = []
    out: list[StatementLine] = []

    def cell(row: list[Any], name: str) -> Any:
        i = cols.get(name)
        return row[i] if i is not None and i < len(row) else ""

    for number, row in enumerate(table[mapping.header_row :], start=mapping.header_row + 1):
        if not any(cell_text(v).strip() for v in row):
            continue
        msgs: list[str] = []
        raw_date = cell(row, "date")
        if mapping.skip_undated and not any(ch.isdigit() for ch in cell_text(raw_date)):
            continue  # a total or footer row ("Tổng cộng", "Số dư cuối kỳ") has no date
        day = None
        try:
            day = parse_date(raw_date, mapping.date_format)
        except ValueError:
            msgs.append(
                _("date: “%(v)s” is not a date in the format %(f)s.")
                % {"v": cell_text(raw_date)[:30], "f": mapping.date_format}
            )
        amount = None
        try:
            if "amount" in cols:
                amount = parse_amount(cell(row, "amount"), mapping.decimal_separator, mapping.thousands_separator)
            else:
                parts = []
                for name in ("credit", "debit"):
                    value = cell(row, name)
                    parts.append(
                        abs(parse_amount(value, mapping.decimal_separator, mapping.thousands_separator))
                        if cell_text(value).strip()
                        else Decimal(0)
                    )
                amount = parts[0] - parts[1]
            if amount == 0:
                raise ValueError
        except ValueError:
            shown = " / ".join(cell_text(cell(row, n))[:20] for n in ("amount", "credit", "debit") if n in cols)
            msgs.append(
                _(
                    "amount: “%(v)s” is not a non-zero amount with decimal separator “%(d)s” and "
                    "thousands separator “%(t)s”."
                )
                % {"v": shown, "d": mapping.decimal_separator, "t": mapping.thousands_separator or "—"}
            )
        balance = None
        if "balance" in cols and cell_text(cell(row, "balance")).strip():
            try:
                balance = parse_amount(cell(row, "balance"), mapping.decimal_separator, mapping.thousands_separator)
            except ValueError:
                msgs.append(_("balance: “%(v)s” is not an amount.") % {"v": cell_text(cell(row, "balance"))[:30]})
        if msgs:
            errors.append(LineError(number, msgs))
            continue
        assert day is not None and amount is not None  # noqa: S101 - set when no message
        out.append(
            StatementLine(
                number,
                day,
                amount,
                cell_text(cell(row, "reference")).strip()[:120],
                cell_text(cell(row, "description")).strip()[:500],
                balance,
            )
        )
    if errors:
        raise EntryImportError(errors)
    if not out:
        raise EntryImportError([LineError(0, [_("The file has no data rows.")])])
    parsed = ParsedStatement(out)
    if "balance" in cols:
        _check_balances(parsed)
    return parsed


def _check_balances(parsed: ParsedStatement) -> None:
    """Running balances must chain: in file order (oldest first) or reversed (newest first)."""
    rows = parsed.lines
    if any(r.balance is None for r in rows):
        missing = [r.line for r in rows if r.balance is None]
        raise EntryImportError([LineError(n, [_("balance: missing.")]) for n in missing[:50]])

    def breaks(seq: list[StatementLine]) -> list[tuple[StatementLine, StatementLine]]:
        return [
            (prev, cur)
            for prev, cur in zip(seq, seq[1:], strict=False)
            if prev.balance + cur.amount != cur.balance  # type: ignore[operator]
        ]

    forward = breaks(rows)
    if not forward:
        parsed.opening_balance = rows[0].balance - rows[0].amount  # type: ignore[operator]
        parsed.closing_balance = rows[-1].balance
        return
    backward = breaks(rows[::-1])
    if not backward:
        parsed.opening_balance = rows[-1].balance - rows[-1].amount  # type: ignore[operator]
        parsed.closing_balance = rows[0].balance
        return
    raise EntryImportError(
        [
            LineError(
                cur.line,
                [
                    _("balance: %(b)s does not follow from the previous row (%(p)s + %(a)s = %(e)s).")
                    % {
                        "b": format_amount(cur.balance),
                        "p": format_amount(prev.balance),
                        "a": format_amount(cur.amount),
                        "e": format_amount(prev.balance + cur.amount),  # type: ignore[operator]
                    }
                ],
            )
            for prev, cur in forward[:50]
        ]
    )


# --- preview and guessing ---------------------------------------------------------------------------


def guess_header_row(table: list[list[Any]]) -> int:
    """The first row (of the first 30) with a recognised date title and another recognised title;
    1 when none (bank exports often put the account holder and period above the titles)."""
    for i, row in enumerate(table[:30], start=1):
        fields = {header_field(cell_text(v)) for v in row} - {None}
        if "date" in fields and len(fields) >= 2:
            return i
    return 1


def guess_mapping(table: list[list[Any]], header_row: int) -> dict[str, Any]:
    """A starting mapping from the titles and the look of the amounts and dates (for the preview)."""
    header = [cell_text(h).strip() for h in (table[header_row - 1] if 0 < header_row <= len(table) else [])]
    index: dict[str, int] = {}
    for i, title in enumerate(header):
        name = header_field(title)
        if name and name not in index:
            index[name] = i
    if "amount" in index and ("debit" in index or "credit" in index):
        index.pop("amount")
    # a title used once names its column; otherwise the column number does
    columns: dict[str, int | str] = {
        name: header[i] if header.count(header[i]) == 1 else i + 1 for name, i in index.items()
    }
    sample = table[header_row : header_row + 50]

    def texts(*names: str) -> list[str]:
        return [
            cell_text(row[index[n]]).strip()
            for row in sample
            for n in names
            if n in index and index[n] < len(row) and isinstance(row[index[n]], str) and row[index[n]].strip()
        ]

    amounts = texts("amount", "debit", "credit", "balance")
    vn = sum(bool(re.fullmatch(r"[-+(]?\d{1,3}(\.\d{3})+(,\d+)?\)?", t)) for t in amounts)
    en = sum(bool(re.fullmatch(r"[-+(]?\d{1,3}(,\d{3})+(\.\d+)?\)?|[-+]?\d+\.\d{1,2}", t)) for t in amounts)
    dec, thousands = (".", ",") if en > vn else (",", ".")
    dates = texts("date")
    date_format = "dd/mm/yyyy"
    for fmt, pattern in (
        ("yyyy-mm-dd", r"\d{4}-\d{2}-\d{2}.*"),
        ("dd-mm-yyyy", r"\d{1,2}-\d{1,2}-\d{4}.*"),
        ("dd.mm.yyyy", r"\d{1,2}\.\d{1,2}\.\d{4}.*"),
        ("yyyymmdd", r"\d{8}"),
    ):
        if dates and all(re.fullmatch(pattern, d) for d in dates):
            date_format = fmt
            break
    return {
        "columns": columns,
        "date_format": date_format,
        "decimal_separator": dec,
        "thousands_separator": thousands,
        "header_row": header_row,
        "skip_undated": False,
    }


@dataclass
class Preview:
    header_row: int
    columns: list[tuple[int, str]]  # (number, title)
    rows: list[tuple[int, list[str]]]  # (file row, cells)
    mapping: dict[str, Any]


def preview(data: bytes, header_row: int | None = None, mapping: dict[str, Any] | None = None) -> Preview:
    """The titles and first rows of a file, with a suggested mapping (the given one, e.g. a saved
    profile, else guessed from the titles)."""
    table = read_table(data)
    if not table:
        raise EntryImportError([LineError(0, [_("The file has no data rows.")])])
    if header_row is None:
        header_row = int(mapping.get("header_row", 1)) if mapping else guess_header_row(table)
    header_row = max(0, min(header_row, len(table)))
    width = max((len(r) for r in table[: header_row + PREVIEW_ROWS]), default=0)
    header = table[header_row - 1] if header_row else []
    columns = [(i + 1, cell_text(header[i]).strip() if i < len(header) else "") for i in range(width)]
    rows = [
        (n, [cell_text(v) for v in row] + [""] * (width - len(row)))
        for n, row in enumerate(table[header_row:], start=header_row + 1)
        if any(cell_text(v).strip() for v in row)
    ][:PREVIEW_ROWS]
    suggested = dict(mapping) if mapping else guess_mapping(table, header_row or 1)
    suggested["header_row"] = header_row
    return Preview(header_row, columns, rows, suggested)


# --- uploads kept between the preview and the import (pages) -------------------------------------------

_TOKEN = re.compile(r"^[0-9a-f]{32}$")


def _stash_name(tenant_id: int, token: str) -> str:
    return f"acc/{tenant_id}/statement-uploads/{token}"


def stash_upload(tenant_id: int, data: bytes) -> str:
    """Keep an uploaded statement in the tenant's storage area until it is imported (page flow:
    preview, then import with the chosen mapping); returns its token."""
    import uuid

    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    _drop_stale(tenant_id)
    token = uuid.uuid4().hex
    default_storage.save(_stash_name(tenant_id, token), ContentFile(data))
    return token


def _drop_stale(tenant_id: int, hours: int = 24) -> None:
    """Remove the tenant's kept uploads older than ``hours`` (previews that were never imported)."""
    from django.core.files.storage import default_storage
    from django.utils import timezone

    folder = f"acc/{tenant_id}/statement-uploads"
    try:
        if not default_storage.exists(folder):
            return
        cutoff = timezone.now() - dt.timedelta(hours=hours)
        for name in default_storage.listdir(folder)[1]:
            if _TOKEN.match(name) and default_storage.get_modified_time(f"{folder}/{name}") < cutoff:
                default_storage.delete(f"{folder}/{name}")
    except (NotImplementedError, OSError):  # a storage without listing: leave them
        return


def stashed_upload(tenant_id: int, token: str) -> bytes:
    """The stashed file of this tenant (a token of another tenant names no file here)."""
    from django.core.files.storage import default_storage

    name = _stash_name(tenant_id, token)
    if not _TOKEN.match(token or "") or not default_storage.exists(name):
        raise EntryImportError([LineError(0, [_("The uploaded file is no longer available: choose it again.")])])
    with default_storage.open(name, "rb") as f:
        return bytes(f.read(MAX_BYTES + 1))


def drop_stash(tenant_id: int, token: str) -> None:
    from django.core.files.storage import default_storage

    if _TOKEN.match(token or ""):
        default_storage.delete(_stash_name(tenant_id, token))
