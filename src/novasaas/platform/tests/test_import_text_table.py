"""An xlsx's shared-strings table (every distinct text of the sheet) cannot be streamed like its rows, so
an import refuses a file whose table unzips beyond ``MAX_TEXT_TABLE_BYTES`` before reading it into memory
(a 5 MB upload of repetitive text unzips to hundreds of MB). The limit is lowered here."""

from __future__ import annotations

import io
import zipfile

import pytest

from novasaas.platform import imports
from novasaas.platform.imports import LineImportError, read_rows

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/sharedStrings.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets>'
    '<sheet name="S" sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    f'<Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
}


def _workbook(texts: int) -> io.BytesIO:
    """A sheet whose cells are all shared strings (as Excel writes them): a header, then ``texts`` rows."""
    strings = ["name"] + [f"Công ty số {i:06d} " + "x" * 40 for i in range(texts)]
    rows = "".join(f'<row r="{n}"><c r="A{n}" t="s"><v>{n - 1}</v></c></row>' for n in range(1, len(strings) + 1))
    items = "".join(f"<si><t>{text}</t></si>" for text in strings)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, xml in PARTS.items():
            z.writestr(name, xml)
        z.writestr("xl/worksheets/sheet1.xml", f'<worksheet xmlns="{MAIN}"><sheetData>{rows}</sheetData></worksheet>')
        z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}" count="{len(strings)}">{items}</sst>')
    buf.seek(0)
    return buf


def _read(f: io.BytesIO) -> list:
    return read_rows(f, key=str, cell=str, required=["name"], max_rows=100_000)


def test_a_text_table_over_the_limit_is_refused_before_it_is_read(monkeypatch):
    f = _workbook(2_000)
    table = zipfile.ZipFile(f).getinfo("xl/sharedStrings.xml").file_size
    assert table > 100_000  # a table of about 150 KB
    f.seek(0)
    monkeypatch.setattr(imports, "MAX_TEXT_TABLE_BYTES", 100_000)
    with pytest.raises(LineImportError) as refused:
        _read(f)
    (line,) = refused.value.lines
    assert line.line == 0 and "MB" in line.messages[0] and "Excel" not in line.messages[0]  # not "unreadable"


def test_a_text_table_within_the_limit_is_read(monkeypatch):
    monkeypatch.setattr(imports, "MAX_TEXT_TABLE_BYTES", 100_000)
    rows = _read(_workbook(200))
    assert len(rows) == 200 and rows[-1] == (201, {"name": "Công ty số 000199 " + "x" * 40})


def test_a_table_longer_than_its_zip_entry_declares_is_unreadable(monkeypatch):
    """The bound trusts the declared size because reading past it fails the zip's own check."""
    monkeypatch.setattr(imports, "MAX_TEXT_TABLE_BYTES", 100_000)
    src = zipfile.ZipFile(_workbook(2_000))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for item in src.infolist():
            dst.writestr(item, src.read(item.filename))
    data = bytearray(out.getvalue())
    # make the central directory and the local header claim a 1,000-byte table
    info = zipfile.ZipFile(io.BytesIO(bytes(data))).getinfo("xl/sharedStrings.xml")
    real = info.file_size.to_bytes(4, "little")
    assert data.count(real) >= 2
    data = data.replace(real, (1000).to_bytes(4, "little"))
    with pytest.raises(LineImportError) as refused:
        _read(io.BytesIO(bytes(data)))
    assert refused.value.lines[0].line == 0
