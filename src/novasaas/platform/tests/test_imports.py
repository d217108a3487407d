"""The shared spreadsheet reader of every import: limits, header mapping, blank rows, line numbers."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import Workbook

from novasaas.platform.imports import LineImportError, read_rows


def _xlsx(rows):
    wb = Workbook()
    for r in rows:
        wb.active.append(r)
    out = io.BytesIO()
    wb.save(out)
    return io.BytesIO(out.getvalue())


def _read(upload, **kw):
    args = {"key": lambda h: str(h or "").strip().lower() or None, "cell": lambda v: "" if v is None else str(v)}
    return read_rows(upload, required=("name",), max_rows=3, **(args | kw))


def test_rows_are_keyed_by_header_with_line_numbers_and_blank_rows_skipped():
    rows = _read(_xlsx([["Name", "Code"], ["Bia", "B1"], [None, None], ["Nước", "N1"]]))
    assert rows == [(2, {"name": "Bia", "code": "B1"}), (4, {"name": "Nước", "code": "N1"})]


def test_csv_with_a_sniffed_delimiter_when_a_filename_is_given():
    data = io.BytesIO("name;code\nBia;B1\n".encode("utf-8-sig"))
    assert _read(data, filename="x.csv") == [(2, {"name": "Bia", "code": "B1"})]


@pytest.mark.parametrize(
    ("upload", "kw", "line", "text"),
    [
        (io.BytesIO(b"not a zip"), {}, 0, "xlsx"),
        (io.BytesIO(b"\xff\xfe\x00bad"), {"filename": "a.csv"}, 0, "UTF-8"),
        (io.BytesIO(b"x" * 101), {"max_bytes": 100}, 0, "larger than 0.0977 KB"),  # the limit given
        (_xlsx([["Code"], ["B1"]]), {}, 1, "name"),
        (_xlsx([["Name"]]), {}, 0, "no data rows"),
        (_xlsx([["Name"], ["a"], ["b"], ["c"], ["d"]]), {}, 0, "3"),
    ],
)
def test_refusals_say_where(upload, kw, line, text):
    with translation.override("en"), pytest.raises(LineImportError) as refused:
        _read(upload, **kw)
    [err] = refused.value.as_json()
    assert err["line"] == line and text in " ".join(err["messages"]), err


def test_template_helpers_shared_by_the_role_imports():
    """``bracket_key`` / ``cell_text`` / ``headers``: the customer and vendor imports' column and cell
    reading (sales/customer_excel.py, purchasing/excel.py)."""
    from novasaas.platform.imports import bracket_key, cell_text, headers

    columns = [("code", "Mã (code)"), ("tax_code", "Mã số thuế (tax_code)")]
    key = bracket_key(columns)
    assert [key(h) for h in ("Mã số thuế (tax_code)", " Tax (code) ", "code", "Mã", None, "x (other)")] == [
        "tax_code",
        "code",
        "code",
        None,
        None,
        None,
    ]
    assert headers(columns) == ["Mã (code)", "Mã số thuế (tax_code)"]
    assert [cell_text(v) for v in (None, 912345678.0, 1.5, "  a b ", 0)] == ["", "912345678", "1.5", "a b", "0"]
