"""Catalogue Excel: formula-safe export, all-or-nothing import with line errors, malformed files 400."""

from __future__ import annotations

import io

from openpyxl import Workbook, load_workbook

from novasaas.inventory.models import Category, Product
from novasaas.inventory.tests.helpers import setup_catalogue
from novasaas.platform.tenancy import tenant_context

URL = "/api/v1/inventory/products"
HEADER = [
    "Mã hàng (sku)",
    "Tên hàng (name)",
    "ĐVT tồn kho (stock_unit)",
    "Danh mục (category)",
    "Giá bán (sale_price)",
    "Mã vạch (barcode)",
    "Theo dõi (tracking)",
]


def xlsx(rows, header=HEADER):
    wb = Workbook()
    ws = wb.active
    ws.append(header)
    for row in rows:
        ws.append(row)
    out = io.BytesIO()
    wb.save(out)
    out.seek(0)
    out.name = "products.xlsx"
    return out


def upload(api, f):
    return api.client.post(f"{URL}/import", {"file": f}, HTTP_AUTHORIZATION=f"Bearer {api.token}")


def test_import_creates_and_updates_and_export_round_trips(api_a, tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
    r = upload(
        api_a,
        xlsx(
            [
                ["", "Nước mắm Nam Ngư 500ml", "chai", "Thực phẩm / Gia vị", 36000, "", "none"],
                [s.beer.sku, "Bia Sài Gòn (đổi tên)", "chai", "", 14000, "", ""],
            ]
        ),
    )
    assert r.status_code == 200, r.content
    assert r.json() == {"created": 1, "updated": 1}
    with tenant_context(tenant_a):
        assert Product.objects.get(pk=s.beer.pk).name == "Bia Sài Gòn (đổi tên)"
        sauce = Product.objects.get(name="Nước mắm Nam Ngư 500ml")
        assert sauce.category.path() == "Thực phẩm / Gia vị" and sauce.sale_price == 36000
    book = load_workbook(io.BytesIO(api_a.get(f"{URL}/export").content))
    rows = list(book.active.iter_rows(values_only=True))
    assert rows[0][0] == "Mã hàng (sku)" and len(rows) == 3
    again = upload(api_a, io.BytesIO(api_a.get(f"{URL}/export").content))
    assert again.status_code == 200 and again.json()["created"] == 0


def test_import_is_all_or_nothing_with_line_errors(api_a, tenant_a):
    with tenant_context(tenant_a):
        setup_catalogue(tenant_a)
        before = Product.objects.count()
    r = upload(
        api_a,
        xlsx(
            [
                ["", "Hàng tốt", "chai", "Mới", 1000, "", ""],
                ["", "Đơn vị lạ", "hộp-không-có", "", 1000, "", ""],
                ["", "Mã vạch sai", "chai", "", 1000, "8934822101331", ""],
                ["", "", "chai", "", 1000, "", ""],
            ]
        ),
    )
    assert r.status_code == 400
    lines = {e["line"] for e in r.json()["errors"]}
    assert lines == {3, 4, 5}
    with tenant_context(tenant_a):
        assert Product.objects.count() == before
        assert not Category.objects.filter(name="Mới").exists()


def test_malformed_files_are_400(api_a, tenant_a):
    with tenant_context(tenant_a):
        setup_catalogue(tenant_a)
    bad = io.BytesIO(b"not a zip file")
    bad.name = "x.xlsx"
    assert upload(api_a, bad).status_code == 400
    assert upload(api_a, xlsx([["x"]], header=["foo"])).status_code == 400
    assert upload(api_a, xlsx([])).status_code == 400


def test_export_is_formula_safe(api_a, tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
    api_a.patch(f"{URL}/{s.beer.pk}", {"name": '=HYPERLINK("http://evil","x")'})
    book = load_workbook(io.BytesIO(api_a.get(f"{URL}/export").content))
    cell = book.active.cell(row=2, column=2)
    assert cell.data_type == "s" and cell.value.startswith("=HYPERLINK")


def test_product_image_upload(api_a, tenant_a):
    from PIL import Image

    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, "PNG")
    buf.seek(0)
    buf.name = "beer.png"
    r = api_a.client.post(f"{URL}/{s.beer.pk}/image", {"file": buf}, HTTP_AUTHORIZATION=f"Bearer {api_a.token}")
    assert r.status_code == 200 and r.json()["image"].endswith(".png")
    junk = io.BytesIO(b"not an image")
    junk.name = "x.png"
    r = api_a.client.post(f"{URL}/{s.beer.pk}/image", {"file": junk}, HTTP_AUTHORIZATION=f"Bearer {api_a.token}")
    assert r.status_code == 400


def _openpyxl_workbook(title, header, rows, subtitle=""):
    """The report workbook as openpyxl's write-only mode wrote it before the streamed writer (reference)."""
    import datetime as dt
    from decimal import Decimal

    from openpyxl.cell import WriteOnlyCell

    def cell(ws, value):
        if isinstance(value, Decimal):
            return WriteOnlyCell(ws, value=value)
        if isinstance(value, dt.date):
            c = WriteOnlyCell(ws, value=value)
            c.number_format = "DD/MM/YYYY"
            return c
        c = WriteOnlyCell(ws, value="" if value is None else str(value))
        c.data_type = "s"
        return c

    wb = Workbook(write_only=True)
    wb.properties.title = title
    wb.properties.subject = subtitle or None
    ws = wb.create_sheet(title[:31])
    ws.append([cell(ws, h) for h in header])
    for row in rows:
        ws.append([cell(ws, v) for v in row])
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_report_workbook_holds_the_same_cells_as_openpyxl_wrote():
    """The streamed report writer gives the same cells as openpyxl's write-only mode (value and type) for
    every kind of cell the reports write, with thousands formats on numbers (decimals only when there are
    any), a bold frozen header and columns wide enough for Vietnamese names."""
    import datetime as dt
    import zipfile
    from decimal import Decimal

    from novasaas.inventory import excel

    header = ["Kho", "Mã hàng", "Sản phẩm", "Số lượng", "Giá vốn bình quân", "Giá trị", "Ngày", "  Ghi chú "]
    rows = [
        [
            "HN",
            "B000001",
            'Bia Hà Nội <chai> & "lon"',
            Decimal("12.5000"),
            Decimal("10000.00"),
            Decimal("125000.00"),
            dt.date(2026, 11, 3),
            "  lề  ",
        ],
        [
            "HCM",
            '=HYPERLINK("http://evil","x")',
            None,
            Decimal("-3.0001"),
            Decimal("0.00"),
            Decimal("0E-2"),
            dt.datetime(2026, 1, 2, 3, 4, 5),
            7,
        ],
        [
            "",
            "   ",
            "dòng\nmới",
            Decimal("1E+3"),
            Decimal("123456789012.34"),
            Decimal("0.1"),
            dt.date(1900, 1, 15),
            True,
        ],
        ["Tổng cộng", "", "", "", "", Decimal("125000.00"), None, ""],
        *[
            [
                f"K{i}",
                f"B{i:06d}",
                f"Hàng {i}",
                Decimal(i).scaleb(-4),
                Decimal(i),
                Decimal(i * 7).scaleb(-2),
                dt.date(2026, 1, 1) + dt.timedelta(days=i),
                "",
            ]
            for i in range(300)
        ],
    ]
    ours = excel.workbook("Giá trị tồn kho", header, rows, subtitle="30/11/2026 · HN")
    ref = _openpyxl_workbook("Giá trị tồn kho", header, rows, subtitle="30/11/2026 · HN")
    assert zipfile.ZipFile(io.BytesIO(ours)).testzip() is None
    a, b = (load_workbook(io.BytesIO(content)) for content in (ours, ref))
    assert a.sheetnames == b.sheetnames == ["Giá trị tồn kho"]
    assert a.properties.title == b.properties.title and a.properties.subject == b.properties.subject
    cells = [[(c.value, c.data_type) for c in row] for row in a.active.iter_rows()]
    reference = [[(c.value, c.data_type) for c in row] for row in b.active.iter_rows()]
    # the reference wrote Python's True and 7 as text; the writer now writes whole numbers as numbers
    reference[2][7] = (7, "n")
    assert cells == reference
    assert len(cells) == len(rows) + 1 and cells[1][6] == (dt.datetime(2026, 11, 3), "d")
    ws = a.active
    assert ws["F2"].number_format == "#,##0" and ws["D2"].number_format == "#,##0.0#####"
    assert ws["E4"].number_format == "#,##0.0#####" and ws["G2"].number_format == "DD/MM/YYYY"
    assert ws["A1"].font.b and not ws["A2"].font.b
    assert ws.freeze_panes == "A2"
    assert len('Bia Hà Nội <chai> & "lon"') <= ws.column_dimensions["C"].width <= 62
    streamed = load_workbook(io.BytesIO(ours), read_only=True)
    assert [list(r) for r in streamed.active.iter_rows(values_only=True)] == [[c[0] for c in row] for row in cells]


def test_export_writes_labels_and_unit_names_not_raw_values(api_a, tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
    rows = list(load_workbook(io.BytesIO(api_a.get(f"{URL}/export").content)).active.iter_rows(values_only=True))
    header, beer = rows[0], next(r for r in rows if r[0] == s.beer.sku)
    cell = dict(zip(header, beer, strict=False))
    assert cell["ĐVT tồn kho (stock_unit)"] == "Chai" and cell["ĐVT mua (purchase_unit)"] == "Thùng"
    assert cell["Loại (kind)"] in ("Hàng hóa", "Goods")
    assert cell["Theo dõi (tracking)"] in ("Không theo dõi", "No tracking")
    assert "goods" not in beer and "none" not in beer and "vat10" not in beer
    assert isinstance(cell["Giá bán (sale_price)"], int | float) and cell["Giá bán (sale_price)"] == 15000
