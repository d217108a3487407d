"""Every import: a file over its size limit is refused whole (413 on the API, a form error on the page),
rows are counted while streaming (the sheet's declared dimension is not trusted) and reading stops at the
row limit. Limits are lowered here so the generated files stay small."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import translation
from openpyxl import Workbook

from novasaas.accounting import excel as accounting_excel
from novasaas.accounting import fx
from novasaas.accounting.models import ExchangeRate, JournalEntry
from novasaas.inventory import excel as inventory_excel
from novasaas.inventory.models import Product
from novasaas.parties import excel as parties_excel
from novasaas.parties.models import Party
from novasaas.platform.imports import LineImportError, read_rows
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client


def _xlsx(
    header: list[str], rows: list[list[object]], name: str = "f.xlsx", dimension: str | None = None
) -> io.BytesIO:
    wb = Workbook()
    wb.active.append(header)
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    if dimension is not None:  # a producer that writes a wrong <dimension>
        src = zipfile.ZipFile(io.BytesIO(data))
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as dst:
            for item in src.namelist():
                content = src.read(item)
                if item == "xl/worksheets/sheet1.xml":
                    start = content.index(b"<dimension ref=")
                    end = content.index(b"/>", start) + 2
                    content = content[:start] + f'<dimension ref="{dimension}"/>'.encode() + content[end:]
                dst.writestr(item, content)
        data = out.getvalue()
    f = io.BytesIO(data)
    f.name = name
    return f


def _post_file(api: ApiClient, url: str, f: object) -> object:
    api.client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return api.client.post(url, {"file": f}, HTTP_AUTHORIZATION=f"Bearer {api.token}")


PARTIES = (["Tên (name)"], [[f"Công ty {i}"] for i in range(30)])


def test_oversize_files_are_413_with_a_clear_message_and_nothing_written(api_a, tenant_a, monkeypatch):
    for module in (parties_excel, inventory_excel, accounting_excel, fx):
        monkeypatch.setattr(module, "MAX_BYTES", 2000)
    big = _xlsx(*PARTIES)
    assert len(big.getvalue()) > 2000
    fm = ApiClient(tenant_a, create_user(tenant_a, "finance_manager"))
    for api, url, f in (
        (api_a, "/api/v1/parties/import", big),
        (
            api_a,
            "/api/v1/inventory/products/import",
            _xlsx(["Tên hàng (name)", "ĐVT tồn kho (stock_unit)"], [["x", "cai"]] * 200),
        ),
        (fm, "/api/v1/accounting/entries/import", SimpleUploadedFile("e.csv", b"date,account,debit,credit\n" * 200)),
        (fm, "/api/v1/accounting/exchange-rates/import", SimpleUploadedFile("r.csv", b"currency,date,rate\n" * 200)),
    ):
        f.seek(0) if hasattr(f, "seek") else None
        r = _post_file(api, url, f)
        assert r.status_code == 413, (url, r.content)
        assert r.json()["detail"] == "The file is larger than 1.95 KB.", r.json()
    with tenant_context(tenant_a):
        assert Party.objects.count() == Product.objects.count() == 0
        assert JournalEntry.objects.count() == ExchangeRate.objects.count() == 0


def test_oversize_file_on_the_pages_is_a_form_error(tenant_a, monkeypatch):
    monkeypatch.setattr(parties_excel, "MAX_BYTES", 2000)
    monkeypatch.setattr(fx, "MAX_BYTES", 100)
    manager = web_client(tenant_a, create_user(tenant_a, "purchase_manager"))
    manager.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    r = manager.post("/parties/import/", {"file": _xlsx(*PARTIES)})
    assert r.status_code == 400 and "The file is larger than" in r.content.decode()
    fm = web_client(tenant_a, create_user(tenant_a, "finance_manager"))
    fm.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    rates = SimpleUploadedFile("r.csv", b"currency,date,rate\n" + b"USD,2026-01-02,25000\n" * 10)
    r = fm.post("/accounting/exchange-rates/", {"op": "import", "file": rates})
    assert r.status_code == 400 and "The file is larger than" in r.content.decode()
    with tenant_context(tenant_a):
        assert Party.objects.count() == ExchangeRate.objects.count() == 0


def _read(f: io.BytesIO, max_rows: int) -> list[tuple[int, dict[str, str]]]:
    return read_rows(
        f, key=lambda h: str(h or "") or None, cell=lambda v: str(v or ""), required=("name",), max_rows=max_rows
    )


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


def test_the_declared_sheet_dimension_is_not_trusted():
    rows = [[f"n{i}"] for i in range(50)]
    # the sheet says it ends at row 3: every row is still read …
    assert len(_read(_xlsx(["name"], rows, dimension="A1:A3"), max_rows=100)) == 50
    # … and counted against the limit
    with pytest.raises(LineImportError, match="At most 10 rows"):
        _read(_xlsx(["name"], rows, dimension="A1:A3"), max_rows=10)
    # a sheet claiming a million rows is not padded with empty ones
    assert len(_read(_xlsx(["name"], rows[:2], dimension="A1:A1048576"), max_rows=10)) == 2


def test_reading_stops_at_the_row_limit(monkeypatch):
    """A generator of rows that would never end: the limit stops the reading (the old reader listed the
    whole sheet first)."""
    from novasaas.platform import imports

    read = []

    def endless(*_args, **_kwargs):
        yield ["name"]
        n = 0
        while True:
            n += 1
            read.append(n)
            yield [f"row {n}"]

    monkeypatch.setattr(imports, "_xlsx", endless)
    with pytest.raises(LineImportError, match="At most 100 rows"):
        _read(_xlsx(["name"], []), max_rows=100)
    assert len(read) == 101


def test_exchange_rates_keep_every_row_or_refuse_the_file(tenant_a, monkeypatch, today):
    """The rate import used to cut the file at 5 MB and drop the rates after it, with no row limit."""
    monkeypatch.setattr(fx, "MAX_ROWS", 5)
    fm = ApiClient(tenant_a, create_user(tenant_a, "finance_manager"))
    lines = [f"USD,{(today.replace(day=1)).isoformat()[:8]}{d:02d},{25000 + d}" for d in range(1, 7)]
    r = _post_file(
        fm,
        "/api/v1/accounting/exchange-rates/import",
        SimpleUploadedFile("r.csv", ("currency,date,rate\n" + "\n".join(lines)).encode()),
    )
    assert r.status_code == 400 and "At most 5 rows" in str(r.json()), r.json()
    r = _post_file(
        fm,
        "/api/v1/accounting/exchange-rates/import",
        SimpleUploadedFile("r.csv", ("currency,date,rate\n" + "\n".join(lines[:5])).encode()),
    )
    assert r.status_code == 200 and r.json()["created"] == 5
    with tenant_context(tenant_a):
        assert ExchangeRate.objects.count() == 5
