"""Spec §6.2 function by function: each works through a page and an API endpoint for the roles the spec
names (Warehouse Manager, Warehouse Staff) and is refused for the others. Writes are covered in
test_permissions/test_pages; this file checks the reads of every function and the pieces the audit of
2026-11-30 added (scanner API for receipts/issues, variant deactivation, location edit, put-away page,
receiving a transfer into a chosen location)."""

from __future__ import annotations

import html
from typing import Any

import pytest
from django.utils import translation
from django.utils.translation import gettext

from novasaas.inventory import actions
from novasaas.inventory.barcodes import internal_barcode
from novasaas.inventory.models import ProductVariant, SerialNumber, StockMovement, StockQuant
from novasaas.inventory.tests.helpers import receive, setup_catalogue
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

URL = "/api/v1/inventory"
BOTH, MANAGER = "both", "manager"


@pytest.fixture
def s(tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        receive(s, 10)
        s.variant = actions.save_variant(s.manager, s.beer.pk, sku="BIA-LON", attributes={"size": "330ml"})
        s.fan = actions.save_product(s.manager, name="Quạt điện", stock_unit_id=s.chai.pk, tracking="serial")
        receive(s, 2, product=s.fan, serials=["SN1", "SN2"])
        s.count = actions.create_count(s.manager, warehouse_id=s.wh.pk)
        return s


def functions(s: Any) -> list[tuple[str, str | None, str | None, str]]:
    """(§6.2 function, page, API read, who): the page and the API read that serve it."""
    beer = s.beer.pk
    return [
        ("CRUD Sản phẩm (view)", "/inventory/products/", f"{URL}/products", BOTH),
        ("CRUD Sản phẩm (create)", "/inventory/products/new/", None, MANAGER),
        ("CRUD Sản phẩm (export)", "/inventory/products/export/", f"{URL}/products/export", MANAGER),
        ("CRUD Danh mục", "/inventory/categories/", f"{URL}/categories", BOTH),
        ("CRUD Danh mục (create)", "/inventory/categories/new/", None, MANAGER),
        ("CRUD Đơn vị (view)", None, f"{URL}/units", BOTH),
        ("CRUD Đơn vị (create)", "/inventory/units/new/", None, MANAGER),
        ("Quản lý biến thể", f"/inventory/products/{beer}/", f"{URL}/products/{beer}", BOTH),
        ("Quản lý biến thể (SKU, mã vạch)", f"/inventory/variants/{s.variant.pk}/edit/", None, MANAGER),
        ("CRUD Kho", "/inventory/warehouses/new/", None, MANAGER),
        ("Cấu hình vị trí", f"/inventory/warehouses/{s.wh.pk}/", f"{URL}/locations", BOTH),
        ("Thiết lập kho mặc định / ngưỡng duyệt", None, f"{URL}/settings", MANAGER),
        ("Xem tồn kho tổng hợp", "/inventory/", f"{URL}/stock", BOTH),
        ("Thiết lập ngưỡng cảnh báo", "/inventory/reports/below-reorder/", f"{URL}/reorder-rules", BOTH),
        ("Điều chỉnh tồn kho", "/inventory/adjustments/new/", f"{URL}/adjustments", MANAGER),
        ("Tạo lệnh kiểm kê", "/inventory/counts/new/", None, MANAGER),
        ("Thực hiện đếm", "/inventory/counts/", f"{URL}/counts", BOTH),
        ("Thực hiện đếm (quét serial)", f"/inventory/counts/{s.count.pk}/", f"{URL}/counts/{s.count.pk}", BOTH),
        ("Báo cáo chênh lệch kiểm kê", None, f"{URL}/counts/{s.count.pk}/variance", BOTH),
        ("Tạo lệnh chuyển kho", "/inventory/transfers/new/", None, MANAGER),
        ("Thực hiện chuyển", "/inventory/transfers/", f"{URL}/transfers", BOTH),
        ("Báo cáo tồn kho", "/inventory/reports/", f"{URL}/reports/valuation", MANAGER),
        ("Báo cáo xuất/nhập", "/inventory/reports/in-out/", f"{URL}/reports/movements", MANAGER),
        ("ABC Analysis", "/inventory/reports/abc/", f"{URL}/reports/slow-moving", MANAGER),
        ("Nhận hàng / Tạo phiếu nhập", "/inventory/movements/new/?kind=receipt", f"{URL}/movements", BOTH),
        ("Tạo phiếu xuất", "/inventory/movements/new/?kind=issue", f"{URL}/moves", BOTH),
        ("Đặt hàng vào vị trí", "/inventory/putaway/", None, BOTH),
        ("Đặt hàng vào vị trí (một kho)", f"/inventory/putaway/?warehouse={s.wh2.pk}&product={beer}", None, BOTH),
        ("Tìm vị trí hàng", f"/inventory/stock/{beer}/", f"{URL}/products/{beer}/stock", BOTH),
    ]


@pytest.mark.parametrize("role", ["warehouse_manager", "warehouse_staff", "sales_staff", "accountant"])
def test_every_function_has_a_page_and_an_api_for_the_right_roles(tenant_a, s, role):
    user = create_user(tenant_a, role)
    web, api = web_client(tenant_a, user), ApiClient(tenant_a, user)
    for name, page, read, who in functions(s):
        allowed = role == "warehouse_manager" or (role == "warehouse_staff" and who == BOTH)
        expected = 200 if allowed else 403
        if page:
            assert web.get(page).status_code == expected, (role, name, page)
        if read:
            assert api.get(read).status_code == expected, (role, name, read)


def test_scanner_api_for_receipts_and_issues(tenant_a, s):
    staff = ApiClient(tenant_a, s.staff.user)
    empty = staff.post(f"{URL}/movements", {"kind": "receipt", "warehouse_id": s.wh.pk, "lines": []})
    assert empty.status_code == 422 and "lines" in str(empty.json()["detail"]), (
        empty.content
    )  # a receipt needs a line: start with one, scan more
    doc = staff.post(
        f"{URL}/movements",
        {"kind": "receipt", "warehouse_id": s.wh.pk, "lines": [{"product_id": s.beer.pk, "quantity": "1"}]},
    )
    assert doc.status_code == 201, doc.content
    doc_id = doc.json()["id"]
    code = s.beer.barcode or s.beer.sku
    for _ in range(3):
        r = staff.post(f"{URL}/movements/{doc_id}/scan", {"code": code})
        assert r.status_code == 200, r.content
    with tenant_context(tenant_a):
        total = sum(ln.stock_quantity for ln in StockMovement.objects.get(pk=doc_id).lines.all())
    assert total == 4  # the first line's unit and three scans of the stock unit's code, one unit each
    assert staff.post(f"{URL}/movements/{doc_id}/scan", {"code": "KHONGCO"}).status_code == 400
    r = staff.post(f"{URL}/movements/{doc_id}/scan", {"code": code, "quantity": "-1"})
    assert r.status_code == 422, r.content
    sales = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    assert sales.post(f"{URL}/movements/{doc_id}/scan", {"code": code}).status_code == 403
    with tenant_context(tenant_a):
        assert sum(ln.stock_quantity for ln in StockMovement.objects.get(pk=doc_id).lines.all()) == total
    # the page shows the scan field with the focus on it
    page = web_client(tenant_a, s.staff.user).get(f"/inventory/movements/{doc_id}/").content.decode()
    assert "autofocus" in page and f"/inventory/movements/{doc_id}/scan/" in page


def test_variant_deactivation_on_the_page(tenant_a, s):
    with tenant_context(tenant_a):
        v = actions.save_variant(s.manager, s.beer.pk, attributes={"size": "500ml"})
    staff = web_client(tenant_a, s.staff.user)
    assert staff.post(f"/inventory/variants/{v.pk}/toggle/").status_code == 403
    manager = web_client(tenant_a, s.manager.user)
    assert f"/inventory/variants/{v.pk}/toggle/" in manager.get(f"/inventory/products/{s.beer.pk}/").content.decode()
    assert manager.post(f"/inventory/variants/{v.pk}/toggle/").status_code == 302
    with tenant_context(tenant_a):
        assert not ProductVariant.objects.get(pk=v.pk).is_active


def test_location_edit_on_the_page(tenant_a, s):
    with tenant_context(tenant_a):
        zone = actions.save_location(s.manager, warehouse_id=s.wh.pk, code="A", name="Khu A", level="zone")
    manager = web_client(tenant_a, s.manager.user)
    assert manager.get(f"/inventory/locations/{zone.pk}/edit/").status_code == 200
    r = manager.post(f"/inventory/locations/{zone.pk}/edit/", {"code": "A1", "name": "Khu A mới", "level": "zone"})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        zone.refresh_from_db()
        assert (zone.code, zone.name) == ("A1", "Khu A mới")
    assert manager.post(f"/inventory/locations/{zone.pk}/edit/", {"code": "", "name": ""}).status_code == 400
    staff = web_client(tenant_a, s.staff.user)
    assert staff.get(f"/inventory/locations/{zone.pk}/edit/").status_code == 403


def test_put_away_page_and_transfer_received_into_a_location(tenant_a, s):
    with tenant_context(tenant_a):
        shelf = actions.save_location(s.manager, warehouse_id=s.wh2.pk, code="K1", name="Kệ 1", level="shelf")
        t = actions.create_transfer(
            s.manager,
            from_warehouse_id=s.wh.pk,
            to_warehouse_id=s.wh2.pk,
            lines=[{"product_id": s.beer.pk, "quantity": "4"}],
        )
        if t.status == "pending":
            actions.approve_transfer(s.manager, t.pk)
        actions.ship_transfer(s.staff, t.pk)
    staff = web_client(tenant_a, s.staff.user)
    page = staff.get(f"/inventory/transfers/{t.pk}/").content.decode()
    assert 'name="location"' in page and "K1" in page
    assert staff.post(f"/inventory/transfers/{t.pk}/", {"step": "receive", "location": shelf.pk}).status_code == 302
    with tenant_context(tenant_a):
        assert StockQuant.objects.get(product=s.beer, location=shelf).on_hand == 4
        root = shelf.parent
    # put-away back to the warehouse's root on its own page
    assert staff.get(f"/inventory/putaway/?product={s.beer.pk}").status_code == 200
    r = staff.post(
        "/inventory/putaway/",
        {"product": s.beer.pk, "from_location": shelf.pk, "to_location": root.pk, "quantity": "1"},
    )
    assert r.status_code == 302
    r = staff.post(
        "/inventory/putaway/",
        {"product": s.beer.pk, "from_location": shelf.pk, "to_location": root.pk, "quantity": "99"},
    )
    assert r.status_code == 400
    with tenant_context(tenant_a):
        assert StockQuant.objects.get(product=s.beer, location=shelf).on_hand == 3
    sales = web_client(tenant_a, create_user(tenant_a, "sales_staff"))
    assert sales.get("/inventory/putaway/").status_code == 403


def test_manager_finds_the_movements_waiting_for_approval(tenant_a, s):
    manager = ApiClient(tenant_a, s.manager.user)
    assert manager.put(f"{URL}/settings", {"approval_quantity_threshold": "5"}).status_code == 200
    staff = ApiClient(tenant_a, s.staff.user)
    doc = staff.post(
        f"{URL}/movements",
        {"kind": "issue", "warehouse_id": s.wh.pk, "lines": [{"product_id": s.beer.pk, "quantity": "6"}]},
    ).json()
    assert staff.post(f"{URL}/movements/{doc['id']}/validate").json()["status"] == "pending"
    assert [d["id"] for d in manager.get(f"{URL}/movements", {"status": "pending"}).json()["items"]] == [doc["id"]]
    web = web_client(tenant_a, s.manager.user)
    assert "?status=pending" in web.get("/inventory/movements/").content.decode()
    page = web.get("/inventory/movements/?status=pending").content.decode()
    assert doc["number"] in page
    assert "?status=pending" not in web_client(tenant_a, s.staff.user).get("/inventory/movements/").content.decode()


def test_serial_count_scanned_by_staff_and_approved_by_the_manager_only(tenant_a, s):
    """Counting serial-tracked goods, page and API, with the spec's roles (details: test_count_serials)."""
    with tenant_context(tenant_a):
        line = s.count.lines.get(product=s.fan)
    staff_api, manager_api = ApiClient(tenant_a, s.staff.user), ApiClient(tenant_a, s.manager.user)
    sales_api = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    assert staff_api.post(f"{URL}/counts/{s.count.pk}/scan", {"code": "SN1"}).status_code == 200
    assert sales_api.post(f"{URL}/counts/{s.count.pk}/scan", {"code": "SN2"}).status_code == 403
    entries = {"entries": [{"line_id": line.pk, "serials": ["SN1", "SN9"]}]}
    assert sales_api.post(f"{URL}/counts/{s.count.pk}/entries", entries).status_code == 403
    staff = web_client(tenant_a, s.staff.user)
    page = staff.get(f"/inventory/counts/{s.count.pk}/").content.decode()
    assert f'name="serials-{line.pk}"' in page and 'name="serial"' in page
    r = staff.post(f"/inventory/counts/{s.count.pk}/", {"step": "save", f"serials-{line.pk}": "SN1\nSN9"})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        line.refresh_from_db()
        assert (line.missing_serials, line.found_serials) == (["SN2"], ["SN9"])
        for other in s.count.lines.exclude(pk=line.pk):
            actions.record_counts(s.staff, s.count.pk, [{"line_id": other.pk, "counted": str(other.expected)}])
    assert staff_api.post(f"{URL}/counts/{s.count.pk}/submit").status_code == 200
    assert staff_api.post(f"{URL}/counts/{s.count.pk}/approve").status_code == 403
    assert manager_api.post(f"{URL}/counts/{s.count.pk}/approve").status_code == 200
    with tenant_context(tenant_a):
        where = dict(SerialNumber.objects.values_list("code", "location__warehouse__code"))
    assert where == {"SN1": "HN", "SN2": None, "SN9": "HN"}


def test_variant_sku_and_barcode_edited_on_the_page(tenant_a, s):
    with tenant_context(tenant_a):
        v = actions.save_variant(s.manager, s.beer.pk, sku="BIA-CHAI", attributes={"size": "500ml", "vỏ": "thủy tinh"})
        other = actions.save_variant(s.manager, s.beer.pk, sku="BIA-KHAC", barcode=internal_barcode(900))
    url = f"/inventory/variants/{v.pk}/edit/"
    manager = web_client(tenant_a, s.manager.user)
    assert url in manager.get(f"/inventory/products/{s.beer.pk}/").content.decode()
    page = manager.get(url).content.decode()
    assert 'value="BIA-CHAI"' in page and 'value="500ml"' in page
    good = {"sku": "bia-chai-500", "barcode": "036000291452", "size": "500 ml", "colour": ""}  # a valid UPC-A
    assert manager.post(url, good).status_code == 302
    with tenant_context(tenant_a):
        v.refresh_from_db()
        assert (v.sku, v.barcode) == ("BIA-CHAI-500", "036000291452")
        assert v.attributes == {"size": "500 ml", "vỏ": "thủy tinh"}  # other attributes are kept
    bad = [
        ({"barcode": "036000291453"}, "The barcode's check digit is wrong."),
        ({"barcode": "12345"}, "A barcode is 8, 12 (UPC) or 13 (EAN) digits."),
        ({"barcode": internal_barcode(900)}, "Another product already has this barcode."),  # the other variant's
        ({"sku": "BIA-KHAC"}, "Another variant already has this SKU or barcode."),
        ({"sku": s.beer.sku}, "A product already has this SKU."),
        ({"sku": ""}, "This field is required."),
        ({"sku": "BIA CHAI?"}, "Letters, digits and . _ / - only."),
    ]
    for change, message in bad:
        r = manager.post(url, {**good, **change})
        assert r.status_code == 400, change
        with translation.override("vi"):  # the member's language
            shown = html.escape(gettext(message))
        assert shown in r.content.decode(), (change, shown)
    with tenant_context(tenant_a):
        v.refresh_from_db()
        other.refresh_from_db()
        assert (v.sku, v.barcode, other.sku) == ("BIA-CHAI-500", "036000291452", "BIA-KHAC")
    staff = web_client(tenant_a, s.staff.user)
    assert staff.get(url).status_code == 403
    assert staff.post(url, {**good, "sku": "X"}).status_code == 403
    # the API answers the same checks
    api = ApiClient(tenant_a, s.manager.user)
    assert api.patch(f"{URL}/variants/{v.pk}", {"barcode": "036000291453"}).status_code == 400
    assert api.patch(f"{URL}/variants/{v.pk}", {"sku": "BIA-KHAC"}).status_code == 400
    assert ApiClient(tenant_a, s.staff.user).patch(f"{URL}/variants/{v.pk}", {"sku": "Y"}).status_code == 403


def test_put_away_page_lists_only_the_warehouse_locations(tenant_a, s):
    with tenant_context(tenant_a):
        hn_bin = actions.save_location(s.manager, warehouse_id=s.wh.pk, code="HN-B1", name="Ô 1", level="bin")
        hcm_bin = actions.save_location(s.manager, warehouse_id=s.wh2.pk, code="HCM-B1", name="Ô 1", level="bin")
        hn_root = hn_bin.parent
        actions.set_my_warehouse(s.staff, s.wh2.pk)
    staff = web_client(tenant_a, s.staff.user)
    page = staff.get(f"/inventory/putaway/?warehouse={s.wh.pk}&product={s.beer.pk}").content.decode()
    assert "HN-B1" in page and "HCM-B1" not in page
    page = staff.get("/inventory/putaway/").content.decode()  # the member's own default warehouse
    assert "HCM-B1" in page and "HN-B1" not in page
    # the stock lookup links the put-away of each warehouse
    assert (
        f"/inventory/putaway/?product={s.beer.pk}&amp;warehouse={s.wh.pk}"
        in staff.get(f"/inventory/stock/{s.beer.pk}/").content.decode()
    )
    # a location of another warehouse is not a choice: 400, nothing moves
    r = staff.post(
        "/inventory/putaway/",
        {
            "warehouse": s.wh.pk,
            "product": s.beer.pk,
            "from_location": hn_root.pk,
            "to_location": hcm_bin.pk,
            "quantity": "1",
        },
    )
    assert r.status_code == 400 and "HCM-B1" not in r.content.decode()
    r = staff.post(
        "/inventory/putaway/",
        {
            "warehouse": s.wh.pk,
            "product": s.beer.pk,
            "from_location": hn_root.pk,
            "to_location": hn_bin.pk,
            "quantity": "4",
        },
    )
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert StockQuant.objects.get(product=s.beer, location=hn_bin).on_hand == 4
        assert not StockQuant.objects.filter(location=hcm_bin).exists()
    # a receipt's put-away lists its own warehouse's locations only
    with tenant_context(tenant_a):
        doc = receive(s, 1, wh=s.wh2)
    page = staff.get(f"/inventory/movements/{doc.pk}/").content.decode()
    assert "HCM-B1" in page and "HN-B1" not in page
