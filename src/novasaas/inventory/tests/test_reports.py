"""Every inventory report is one table (inventory/reports.py) served as page, Excel and PDF by the pages
and as JSON, Excel and PDF by the API (``format=json|xlsx|pdf``): the files hold the same cells either
way, with the roles of the pages; in/out/balance by period reconciles; products below reorder level are
listed once per product × warehouse, as they stand now."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from novasaas.inventory import actions, ledger
from novasaas.inventory.models import InventoryCount
from novasaas.inventory.tests.helpers import issue, receive, setup_catalogue
from novasaas.platform import pdf
from novasaas.platform.models import Notification
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client
from novasaas.platform.testing.html import body_rows

pytestmark = pytest.mark.date_sensitive  # report periods default to this month / year

URL = "/api/v1/inventory"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
needs_font = pytest.mark.usefixtures("unicode_font")  # fails in CI when the font is missing


def _history(tenant: Any, name: str = "Sữa tươi Vinamilk") -> tuple[Any, Any, InventoryCount]:
    """Receipts, issues, a lot near expiry, a transfer, a landed cost and a draft count in ``tenant``."""
    with tenant_context(tenant):
        s = setup_catalogue(tenant)
        first = receive(s, 10)
        issue(s, 2)
        milk = actions.save_product(s.manager, name=name, stock_unit_id=s.chai.pk, tracking="lot", shelf_life_days=10)
        receive(s, 5, cost="20000", product=milk, lot_code="L1")
        actions.add_landed_cost(s.manager, first.pk, amount="8000", description="Cước vận chuyển")
        t = actions.create_transfer(
            s.manager,
            from_warehouse_id=s.wh.pk,
            to_warehouse_id=s.wh2.pk,
            lines=[{"product_id": s.beer.pk, "quantity": "3"}],
        )
        if t.status == "pending":
            actions.approve_transfer(s.manager, t.pk)
        actions.ship_transfer(s.manager, t.pk)
        actions.receive_transfer(s.manager, t.pk)
        count = actions.create_count(s.manager, warehouse_id=s.wh.pk)
    return s, milk, count


def _endpoints(s: Any, count: InventoryCount) -> list[tuple[str, dict[str, Any], str]]:
    """(API path, API query, page URL) of every report, over the same data."""
    today = timezone.localdate()
    start = today - dt.timedelta(days=30)
    return [
        (f"{URL}/reports/stock-on-hand", {}, "/inventory/"),
        (f"{URL}/reports/movements", {"product_id": s.beer.pk}, f"/inventory/reports/movements/?product={s.beer.pk}"),
        (
            f"{URL}/reports/in-out",
            {"date_from": start, "date_to": today},
            f"/inventory/reports/in-out/?from={start}&to={today}",
        ),
        (
            f"{URL}/reports/stock-card",
            {"product_id": s.beer.pk, "warehouse_id": s.wh.pk, "date_from": start, "date_to": today},
            f"/inventory/reports/stock-card/?product={s.beer.pk}&warehouse={s.wh.pk}&from={start}&to={today}",
        ),
        (f"{URL}/counts/{count.pk}/variance", {}, f"/inventory/counts/{count.pk}/"),
        (f"{URL}/reports/valuation", {}, "/inventory/reports/"),
        (
            f"{URL}/reports/abc",
            {"date_from": start, "date_to": today},
            f"/inventory/reports/abc/?from={start}&to={today}",
        ),
        (f"{URL}/reports/slow-moving", {"days": 1}, "/inventory/reports/slow-moving/?days=1"),
        (f"{URL}/reports/expiring", {"days": 30}, "/inventory/reports/expiring/?days=30"),
        (f"{URL}/reports/below-reorder", {}, "/inventory/reports/below-reorder/"),
    ]


def _sheet(content: bytes) -> list[list[Any]]:
    book = load_workbook(io.BytesIO(content), read_only=True)
    return [list(r) for r in book.worksheets[0].iter_rows(values_only=True)]


def _with(url: str, fmt: str) -> str:
    return url + ("&" if "?" in url else "?") + f"format={fmt}"


def test_api_and_page_give_the_same_excel_for_every_report(tenant_a):
    s, _milk, count = _history(tenant_a)
    with tenant_context(tenant_a):
        actions.set_reorder_rule(s.manager, product_id=s.beer.pk, warehouse_id=s.wh.pk, reorder_level="100")
    api = ApiClient(tenant_a, s.manager.user)
    web = web_client(tenant_a, s.manager.user)
    for path, query, page in _endpoints(s, count):
        assert api.get(path, query).status_code == 200, path
        r = api.get(path, {**query, "format": "xlsx"})
        assert r.status_code == 200, (path, r.content[:200])
        assert r["Content-Type"] == XLSX and r["Content-Disposition"].startswith("attachment;"), path
        assert '.xlsx"' in r["Content-Disposition"], path
        from_api = _sheet(r.content)
        from_page = _sheet(web.get(_with(page, "xlsx")).content)
        assert from_api == from_page, path
        assert len(from_api) >= 2, path  # header and at least one row
        # the page shows the same report: its first row starts with the file's first row's text cells
        shown = body_rows(web.get(page).content)
        first = [str(v) for v in from_api[1] if isinstance(v, str) and v.strip()][:2]
        assert shown and first and all(any(v in cell for cell in shown[0]) for v in first), (page, first, shown[:2])


def test_excel_cells_are_numbers_dates_and_totals(tenant_a, api_a):
    s, milk, _count = _history(tenant_a)
    rows = _sheet(api_a.get(f"{URL}/reports/valuation", {"format": "xlsx"}).content)
    assert rows[0] == ["Kho", "Mã hàng", "Sản phẩm", "Số lượng", "Giá vốn bình quân", "Giá trị"]
    beer_hn = next(r for r in rows if r[0] == "HN" and r[2] == s.beer.name)
    assert beer_hn[3] == 5  # 10 in − 2 issued − 3 transferred
    # value: 100,000 + 8,000 landed cost − the issue and the transfer at average cost
    assert rows[-1][0] == "Tổng cộng" and rows[-1][5] == sum(r[5] for r in rows[1:-1])
    card = _sheet(
        api_a.get(
            f"{URL}/reports/stock-card",
            {
                "product_id": s.beer.pk,
                "warehouse_id": s.wh.pk,
                "date_from": "2000-01-01",
                "date_to": timezone.localdate(),
                "format": "xlsx",
            },
        ).content
    )
    assert isinstance(card[2][0], dt.datetime | dt.date)  # a date cell, not text
    assert card[-1][0] == "Tổng cộng" and card[-1][2] == 10 and card[-1][3] == 5 and card[-1][4] == 5


@needs_font
def test_api_pdf_of_every_report(tenant_a):
    from pypdf import PdfReader

    s, _milk, count = _history(tenant_a)
    api = ApiClient(tenant_a, s.manager.user)
    for path, query, _page in _endpoints(s, count):
        r = api.get(path, {**query, "format": "pdf"})
        assert r.status_code == 200, path
        assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF"), path
        assert '.pdf"' in r["Content-Disposition"], path
    r = api.get(f"{URL}/reports/expiring", {"days": 30, "format": "pdf"})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "Sữa tươi Vinamilk" in text and "L1" in text
    r = api.get(f"{URL}/reports/in-out", {"date_from": "2000-01-01", "date_to": timezone.localdate(), "format": "pdf"})
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "Bia Sài Gòn 330ml" in text and "HCM" in text


def test_api_pdf_without_font_is_503_and_writes_nothing(tenant_a, api_a, settings, monkeypatch):
    settings.ACC_PDF_FONT = ""
    settings.PDF_FONT = ""
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [])
    _history(tenant_a)
    r = api_a.get(f"{URL}/reports/valuation", {"format": "pdf"})
    assert r.status_code == 503 and "PDF" in r.json()["detail"]
    assert api_a.get(f"{URL}/reports/valuation", {"format": "xlsx"}).status_code == 200


def test_unknown_format_is_refused(tenant_a, api_a):
    _history(tenant_a)
    assert api_a.get(f"{URL}/reports/valuation", {"format": "csv"}).status_code == 422


def test_json_shapes(tenant_a, api_a):
    s, milk, count = _history(tenant_a)
    val = api_a.get(f"{URL}/reports/valuation").json()
    assert {"as_of", "rows", "total_value", "in_transit_value"} <= set(val)
    assert {"product_id", "sku", "name", "warehouse_id", "quantity", "value"} <= set(val["rows"][0])
    card = api_a.get(
        f"{URL}/reports/stock-card",
        {"product_id": s.beer.pk, "warehouse_id": s.wh.pk, "date_from": "2000-01-01", "date_to": "2099-01-01"},
    ).json()
    assert card["opening_quantity"] == "0" or Decimal(card["opening_quantity"]) == 0
    assert [Decimal(ln["balance"]) for ln in card["lines"] if ln["qty_in"] != "0.0000" or ln["qty_out"]][-1] == 5
    table = api_a.get(f"{URL}/reports/expiring").json()
    assert [c["key"] for c in table["columns"]] == ["sku", "name", "lot", "expires_on", "on_hand"]
    assert table["rows"][0]["lot"] == "L1" and table["rows"][0]["product_id"] == milk.pk
    assert "_warn" not in table["rows"][0]
    variance = api_a.get(f"{URL}/counts/{count.pk}/variance").json()
    assert variance["summary"]["estimated"] is True and variance["rows"]


def test_valuation_as_of_a_date_counts_goods_in_transit_on_that_date(tenant_a, api_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        receive(s, 10, "10000")
        t = actions.create_transfer(
            s.manager,
            from_warehouse_id=s.wh.pk,
            to_warehouse_id=s.wh2.pk,
            lines=[{"product_id": s.beer.pk, "quantity": "4"}],
        )
        actions.approve_transfer(s.manager, t.pk)
        actions.ship_transfer(s.manager, t.pk)  # shipped today
    today = timezone.localdate()
    yesterday = today - dt.timedelta(days=1)
    now = api_a.get(f"{URL}/reports/valuation", {"as_of": today.isoformat()}).json()
    before = api_a.get(f"{URL}/reports/valuation", {"as_of": yesterday.isoformat()}).json()
    assert Decimal(now["in_transit_value"]) == 40000 and Decimal(before["in_transit_value"]) == 0
    page = web_client(tenant_a, s.manager.user).get("/inventory/reports/", {"as_of": yesterday.isoformat()})
    assert page.status_code == 200
    assert "Hàng đang chuyển giữa các kho" in page.content.decode()


def test_in_out_balance_reconciles(tenant_a, api_a):
    s, milk, _count = _history(tenant_a)
    today = timezone.localdate()
    with tenant_context(tenant_a):
        # a backdated receipt before the period: part of the opening balance
        actions.receive_goods(
            s.manager,
            warehouse_id=s.wh.pk,
            date=today - dt.timedelta(days=40),
            lines=[{"product_id": s.beer.pk, "quantity": "4", "unit_cost": "9000"}],
        )
    table = api_a.get(f"{URL}/reports/in-out", {"date_from": today - dt.timedelta(days=30), "date_to": today}).json()
    rows = {(r["sku"], r["warehouse"]): r for r in table["rows"]}
    hn = rows[(s.beer.sku, "HN")]
    before = api_a.get(f"{URL}/reports/valuation", {"as_of": today - dt.timedelta(days=31)}).json()
    assert Decimal(hn["opening_quantity"]) == 4
    assert Decimal(hn["opening_value"]) == Decimal(before["total_value"]) > 0  # as the valuation at that date
    assert Decimal(hn["in_quantity"]) == 10 and Decimal(hn["out_quantity"]) == 5  # 2 issued, 3 transferred
    hcm = rows[(s.beer.sku, "HCM")]
    assert Decimal(hcm["in_quantity"]) == 3 and Decimal(hcm["closing_quantity"]) == 3
    for r in table["rows"]:
        for what in ("quantity", "value"):
            opening, closing = Decimal(r[f"opening_{what}"]), Decimal(r[f"closing_{what}"])
            assert opening + Decimal(r[f"in_{what}"]) - Decimal(r[f"out_{what}"]) == closing, (r, what)
    val = api_a.get(f"{URL}/reports/valuation").json()
    assert Decimal(table["totals"]["closing_value"]) == Decimal(val["total_value"])
    backwards = {"date_from": today, "date_to": today - dt.timedelta(1)}
    assert api_a.get(f"{URL}/reports/in-out", backwards).status_code == 400


def test_report_roles(tenant_a):
    s, _milk, count = _history(tenant_a)
    staff = ApiClient(tenant_a, s.staff.user)
    staff_web = web_client(tenant_a, s.staff.user)
    allowed = {"/reports/stock-on-hand", f"/counts/{count.pk}/variance", "/reports/below-reorder"}
    from novasaas.platform.pdf import font_path

    # without the Unicode font a PDF is refused with 503 (test_pdf.py); CI installs the font
    pdf_status = 200 if font_path() is not None else 503
    for path, query, page in _endpoints(s, count):
        ok = path.removeprefix(URL) in allowed
        for fmt in ("json", "xlsx", "pdf"):
            status = staff.get(path, {**query, "format": fmt}).status_code
            expected = (pdf_status if fmt == "pdf" else 200) if ok else 403
            assert status == expected, (path, fmt, status)
        assert staff_web.get(_with(page, "xlsx")).status_code == (200 if ok else 403), page
    # the staff's stock on hand has no value column, in JSON and in the files
    table = staff.get(f"{URL}/reports/stock-on-hand").json()
    assert "value" not in [c["key"] for c in table["columns"]] and "value" not in table["rows"][0]
    assert "Giá trị" not in _sheet(staff.get(f"{URL}/reports/stock-on-hand", {"format": "xlsx"}).content)[0]
    manager = ApiClient(tenant_a, s.manager.user)
    assert "Giá trị" in _sheet(manager.get(f"{URL}/reports/stock-on-hand", {"format": "xlsx"}).content)[0]
    for role in ("sales_staff", "accountant"):
        other = ApiClient(tenant_a, create_user(tenant_a, role))
        other_web = web_client(tenant_a, other.user)
        for path, query, page in _endpoints(s, count):
            assert other.get(path, {**query, "format": "xlsx"}).status_code == 403, (role, path)
            assert other_web.get(_with(page, "pdf")).status_code == 403, (role, page)


def test_reports_show_only_the_own_tenant(tenant_a, tenant_b):
    _history(tenant_a, name="Rượu Nếp Bí Mật")
    sb, _milk, count = _history(tenant_b)
    api = ApiClient(tenant_b, sb.manager.user)
    for path, query, _page in _endpoints(sb, count):
        r = api.get(path, {**query, "format": "xlsx"})
        assert r.status_code == 200 and "Rượu Nếp Bí Mật" not in str(_sheet(r.content)), path
        assert "Rượu Nếp Bí Mật" not in api.get(path, query).content.decode(), path
    with tenant_context(tenant_b):
        other_count = count.pk
    sa = ApiClient(tenant_a, create_user(tenant_a, "warehouse_manager"))
    assert sa.get(f"{URL}/counts/{other_count}/variance").status_code == 404


# --- below reorder level ---------------------------------------------------------------------------


def test_below_reorder_lists_each_product_and_warehouse_once(tenant_a, api_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        v1 = actions.save_variant(s.manager, s.beer.pk, attributes={"size": "330ml"})
        v2 = actions.save_variant(s.manager, s.beer.pk, attributes={"size": "500ml"})
        actions.save_product(s.manager, s.beer.pk, reorder_level="10", reorder_quantity="48")
        for v in (v1, v2):
            receive(s, 20, variant_id=v.pk)
        for v in (v1, v2):  # each variant falls; together 8 < 10
            actions.issue_goods(
                s.manager,
                warehouse_id=s.wh.pk,
                lines=[{"product_id": s.beer.pk, "variant_id": v.pk, "quantity": "16"}],
            )
        receive(s, 30, wh=s.wh2)  # HCM: 30 ≥ 10, not listed
        # a per-warehouse rule for a product never received there is listed (nothing available)
        water = actions.save_product(s.manager, name="Nước suối Lavie", stock_unit_id=s.chai.pk)
        actions.set_reorder_rule(s.manager, product_id=water.pk, warehouse_id=s.wh2.pk, reorder_level="5")
    table = api_a.get(f"{URL}/reports/below-reorder").json()
    pairs = [(r["sku"], r["warehouse"]) for r in table["rows"]]
    assert sorted(pairs) == sorted([(water.sku, "HCM"), (s.beer.sku, "HN")])
    beer = next(r for r in table["rows"] if r["sku"] == s.beer.sku)
    assert Decimal(beer["available"]) == 8 and Decimal(beer["reorder_level"]) == 10
    assert Decimal(beer["reorder_quantity"]) == 48
    web = web_client(tenant_a, create_user(tenant_a, "warehouse_manager"))
    page = web.get("/inventory/reports/below-reorder/").content.decode()
    assert page.count(s.beer.name) == 1 and "Nước suối Lavie" in page
    assert "format=pdf" in page and "format=xlsx" in page
    rows = _sheet(web.get("/inventory/reports/below-reorder/?format=xlsx").content)
    assert len(rows) == 3
    # one alert for the pair although two variant rows fell; the dashboard lists it once
    with tenant_context(tenant_a):
        alerts = Notification.objects.filter(kind="inventory.low_stock", recipient=s.manager.user)
        assert [n.title for n in alerts] == [f"Sắp hết hàng: {s.beer.name} tại HN"]
    dash = web_client(tenant_a, s.manager.user).get("/").content.decode()
    assert dash.count(f"{s.beer.name} tại HN") == 1


def test_crossing_twice_leaves_one_unread_alert(tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        actions.save_product(s.manager, s.beer.pk, reorder_level="10")
        receive(s, 20)
        issue(s, 12)  # 8 < 10: alert
        receive(s, 5)  # 13: back above, the alert is no longer current
        issue(s, 6)  # 7 < 10: alert again
        user = s.manager.user
        assert Notification.objects.filter(kind="inventory.low_stock", recipient=user).count() == 2
        unread = Notification.objects.filter(kind="inventory.low_stock", recipient=user, read_at__isnull=True)
        assert unread.count() == 1
        ledger.reserve(tenant_a, s.beer, s.wh, Decimal(1), "crm.salesorder:1")  # still below: nothing new
        assert Notification.objects.filter(kind="inventory.low_stock", recipient=user).count() == 2
    dash = web_client(tenant_a, user).get("/").content.decode()
    assert dash.count(f"{s.beer.name} tại HN") == 1


def test_below_reorder_roles(tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
    staff = ApiClient(tenant_a, s.staff.user)
    assert staff.get(f"{URL}/reports/below-reorder").status_code == 200
    assert web_client(tenant_a, s.staff.user).get("/inventory/reports/below-reorder/").status_code == 200
    sales = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    assert sales.get(f"{URL}/reports/below-reorder").status_code == 403
    assert web_client(tenant_a, sales.user).get("/inventory/reports/below-reorder/").status_code == 403


def test_valuation_page_shows_one_page_of_rows_with_the_whole_total_and_files_hold_every_row(tenant_a, monkeypatch):
    from novasaas.inventory import views

    s, milk, _count = _history(tenant_a)
    monkeypatch.setattr(views, "VALUATION_PAGE_SIZE", 2)
    web = web_client(tenant_a, s.manager.user)
    api = ApiClient(tenant_a, s.manager.user).get(f"{URL}/reports/valuation").json()
    assert [(r["warehouse_id"], r["name"]) for r in api["rows"]] == [
        (s.wh2.pk, s.beer.name),
        (s.wh.pk, s.beer.name),
        (s.wh.pk, milk.name),  # HCM before HN
    ]
    pages = [web.get(url).content.decode() for url in ("/inventory/reports/", "/inventory/reports/?page=2")]
    bodies = [p.split("<tbody>", 1)[1].split("</tbody>", 1)[0] for p in pages]
    assert bodies[0].count("<tr>") == 2 and milk.name not in bodies[0]
    assert bodies[1].count("<tr>") == 1 and milk.name in bodies[1] and s.beer.name not in bodies[1]
    assert "1 / 2" in pages[0] and "2 / 2" in pages[1]
    feet = [p.split("<tfoot>", 1)[1].split("</tfoot>", 1)[0] for p in pages]
    assert feet[0] == feet[1]  # the total of every row, on every page
    assert 'href="?&page=2"' in pages[0]
    assert len(_sheet(web.get("/inventory/reports/?page=2&format=xlsx").content)) == 1 + 3 + 1  # all rows
