"""Excel export and all-or-nothing import of vendors and vendor price lists: round trip, line-numbered
refusals with nothing written, page and API, the Purchase Manager only, two tenants."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook, load_workbook

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.purchasing import excel
from novasaas.purchasing.models import Vendor, VendorPrice
from novasaas.purchasing.tests.helpers import world

D = Decimal
URL = "/api/v1/purchasing"


def _xlsx(header: list[str], *rows: list[object]) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _upload(content: bytes, name: str = "file.xlsx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, content)


def _post_file(api: ApiClient, path: str, upload: SimpleUploadedFile) -> Any:
    return api.client.post(path, {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {api.token}")


VENDOR_HEADER = ["code", "party_code", "name", "tax_code", "email", "payment_terms_days", "bank_account", "active"]
PRICE_HEADER = ["vendor", "sku", "min_quantity", "price", "lead_time_days", "valid_from", "valid_to"]


def test_vendor_import_creates_changes_and_refuses_by_line(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        good = _xlsx(
            VENDOR_HEADER,
            [w.vendor.code, "", "", "", "", 45, "999-888", "có"],
            ["", "", "Công ty TNHH Bao bì Việt", "", "ban@baobi.vn", 10, "", ""],
        )
        bad = _xlsx(
            VENDOR_HEADER,
            ["NCC-99999", "", "", "", "", 1, "", ""],  # line 2: unknown code
            ["", "", "Công ty Mới", "", "", -3, "", ""],  # line 3: bad terms
            ["", "", "", "", "", "", "", ""],  # blank: skipped
            ["", "", "", "", "", 5, "", ""],  # line 5: no party
        )
        try:
            excel.import_vendors(w.manager, _upload(bad))
            raise AssertionError("refused")
        except excel.VendorImportError as exc:
            assert [e.line for e in exc.lines] == [2, 3, 5]
        assert Vendor.objects.count() == 1
        assert excel.import_vendors(w.manager, _upload(good)) == (1, 1)
        w.vendor.refresh_from_db()
        assert (w.vendor.payment_terms_days, w.vendor.bank_account, w.vendor.is_active) == (45, "999-888", True)
        new = Vendor.objects.get(party__name="Công ty TNHH Bao bì Việt")
        assert new.payment_terms_days == 10 and new.code.startswith("NCC-")
        # round trip: the export imported again changes the two vendors, creates none
        exported = excel.export_vendors(w.manager)
        sheet = load_workbook(io.BytesIO(exported)).active
        assert sheet.max_row == 3 and "(code)" in str(sheet.cell(1, 1).value)
        assert excel.import_vendors(w.manager, _upload(exported)) == (0, 2)
        assert Vendor.objects.count() == 2


def test_price_import_adds_changes_and_refuses_by_line(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)  # one price line: beer at 10,000
        sku = w.inv.beer.sku
        bad = _xlsx(
            PRICE_HEADER,
            [w.vendor.code, sku, 100, 9500, 3, "2026-01-01", ""],  # fine, but the file is refused
            ["NCC-77777", sku, 0, 1, 0, "", ""],  # line 3: unknown vendor
            [w.vendor.code, "NOPE", 0, 1, 0, "", ""],  # line 4: unknown product
            [w.vendor.code, sku, 0, "abc", 0, "", ""],  # line 5: bad price
            [w.vendor.code, sku, 0, 1, 0, "2026-02-01", "2026-01-01"],  # line 6: ends before it starts
        )
        try:
            excel.import_prices(w.manager, _upload(bad))
            raise AssertionError("refused")
        except excel.VendorImportError as exc:
            assert [e.line for e in exc.lines] == [3, 4, 5, 6]
        assert VendorPrice.objects.count() == 1
        good = _xlsx(PRICE_HEADER, [w.vendor.code.lower(), sku, 100, 9500, 3, "2026-01-01", "2026-12-31"])
        assert excel.import_prices(w.manager, _upload(good)) == (1, 0)
        line = VendorPrice.objects.get(min_quantity=100)
        assert (line.price, line.lead_time_days, str(line.valid_to)) == (D(9500), 3, "2026-12-31")
        exported = excel.export_prices(w.manager)
        sheet = load_workbook(io.BytesIO(exported)).active
        rows = list(sheet.iter_rows(min_row=2, values_only=True))
        assert len(rows) == 2 and {r[3] for r in rows} == {sku}
        # the export with a price changed: the lines named by id change, nothing is added
        book = load_workbook(io.BytesIO(exported))
        book.active.cell(2, 8).value = 11000
        out = io.BytesIO()
        book.save(out)
        assert excel.import_prices(w.manager, _upload(out.getvalue())) == (0, 2)
        assert VendorPrice.objects.count() == 2 and VendorPrice.objects.filter(price=11000).count() == 1


def test_excel_api_and_page_with_roles_and_tenants(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        w = world(tenant_a)
    with tenant_context(tenant_b):
        wb = world(tenant_b)
    manager, staff = ApiClient(tenant_a, w.manager.user), ApiClient(tenant_a, w.staff.user)
    r = manager.get(f"{URL}/vendors/export")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('vendors.xlsx"')
    assert manager.get(f"{URL}/prices/export").status_code == 200
    assert staff.get(f"{URL}/vendors/export").status_code == 403
    content = _xlsx(PRICE_HEADER, [w.vendor.code, "NOPE", 0, 1, 0, "", ""])
    # the other company's vendor code is unknown here
    r = _post_file(
        manager, f"{URL}/prices/import", _upload(_xlsx(PRICE_HEADER, [wb.vendor.code, "X", 0, 1, 0, "", ""]))
    )
    assert r.status_code == 400 and r.json()["errors"][0]["line"] == 2
    r = _post_file(
        manager, f"{URL}/vendors/import", _upload(_xlsx(VENDOR_HEADER, ["", "", "Công ty Gỗ Xanh", "", "", 7, "", ""]))
    )
    assert r.status_code == 200 and r.json() == {"created": 1, "changed": 0}
    assert _post_file(staff, f"{URL}/vendors/import", _upload(content)).status_code == 403

    page = web_client(tenant_a, w.manager.user)
    assert page.get("/purchasing/vendors/excel/").status_code == 200
    r = page.get("/purchasing/vendors/excel/?export=prices")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('vendor-prices.xlsx"')
    r = page.post("/purchasing/vendors/excel/", {"kind": "prices", "file": _upload(content)})
    assert r.status_code == 400 and "NOPE" in r.content.decode()
    good = _xlsx(PRICE_HEADER, [w.vendor.code, w.inv.beer.sku, 50, 9000, 2, "", ""])
    r = page.post("/purchasing/vendors/excel/", {"kind": "prices", "file": _upload(good)})
    assert r.status_code == 302
    assert page.post("/purchasing/vendors/excel/", {"kind": "prices"}).status_code == 400
    assert web_client(tenant_a, w.staff.user).get("/purchasing/vendors/excel/").status_code == 403
    with tenant_context(tenant_a):
        assert VendorPrice.objects.filter(min_quantity=50).count() == 1
    with tenant_context(tenant_b):
        assert not VendorPrice.objects.filter(min_quantity=50).exists()
        assert not Vendor.objects.filter(party__name="Công ty Gỗ Xanh").exists()
