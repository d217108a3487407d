"""Every inventory report is also a PDF (stock on hand, movements, stock card, count variance,
valuation, ABC, slow-moving, expiring lots): the Warehouse Manager gets a PDF, a role without the permission gets
403, labels follow the request language, another tenant's data never reaches the PDF, and a machine
without a Unicode font answers 503 instead of printing broken text."""

from __future__ import annotations

from typing import Any

import pytest

from novasaas.inventory import actions
from novasaas.inventory.models import InventoryCount
from novasaas.inventory.tests.helpers import receive, setup_catalogue
from novasaas.platform import pdf
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user, web_client

needs_font = pytest.mark.usefixtures("unicode_font")  # fails in CI when the font is missing

SECRET = "Rượu Nếp Bí Mật"  # a product name only tenant A has


def _reports(tenant: Any, secret: bool = False) -> tuple[Any, list[str]]:
    """A small history in ``tenant`` and the PDF URL of each report over it."""
    with tenant_context(tenant):
        s = setup_catalogue(tenant)
        receive(s, 10)
        actions.issue_goods(s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": s.beer.pk, "quantity": "2"}])
        other = actions.save_product(
            s.manager,
            name=SECRET if secret else "Sữa tươi",
            stock_unit_id=s.chai.pk,
            tracking="lot",
            shelf_life_days=10,
        )
        receive(s, 5, product=other, lot_code="L1")
        actions.issue_goods(s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": other.pk, "quantity": "1"}])
    web = web_client(tenant, s.manager.user)
    assert web.post("/inventory/counts/new/", {"warehouse": s.wh.pk}).status_code == 302
    with tenant_context(tenant):
        count = InventoryCount.objects.get()
    urls = [
        "/inventory/?format=pdf",
        f"/inventory/reports/movements/?product={s.beer.pk}&format=pdf",
        f"/inventory/reports/stock-card/?product={s.beer.pk}&warehouse={s.wh.pk}&format=pdf",
        f"/inventory/counts/{count.pk}/?format=pdf",
        "/inventory/reports/?format=pdf",
        "/inventory/reports/abc/?format=pdf",
        "/inventory/reports/slow-moving/?days=1&format=pdf",
        "/inventory/reports/expiring/?days=30&format=pdf",
    ]
    return s, urls


@pytest.fixture
def captured(monkeypatch):
    """What the views hand to the PDF renderer (titles, headers and cells), rendered as usual."""
    calls: list[str] = []
    real = pdf.render_table

    def spy(title, headers, rows, subtitle=""):
        rows = [list(r) for r in rows]
        calls.append(" | ".join([title, subtitle, *map(str, headers), *(str(c) for r in rows for c in r)]))
        return real(title, headers, rows, subtitle=subtitle)

    monkeypatch.setattr("novasaas.platform.reports.render_table", spy)
    return calls


@needs_font
def test_every_report_as_pdf_for_the_warehouse_manager(tenant_a, captured):
    s, urls = _reports(tenant_a)
    web = web_client(tenant_a, s.manager.user)
    for url in urls:
        r = web.get(url)
        assert r.status_code == 200, (url, r.status_code)
        assert r["Content-Type"] == "application/pdf" and r.content.startswith(b"%PDF"), url
        assert r["Content-Disposition"].startswith("attachment;") and ".pdf" in r["Content-Disposition"], url
    assert len(captured) == len(urls)
    assert "Sữa tươi" in captured[-1] and "L1" in captured[-1]  # the expiring lot
    assert "Thẻ kho" in captured[2] and "Ngày" in captured[2]  # Vietnamese by default
    assert "Opening balance" not in captured[2]
    web.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert web.get(urls[2]).status_code == 200
    assert "Stock card" in captured[-1] and "Opening balance" in captured[-1]


def test_pdf_refused_without_report_permission(tenant_a):
    s, urls = _reports(tenant_a)
    sales = web_client(tenant_a, create_user(tenant_a, "sales_staff"))
    for url in urls:
        assert sales.get(url).status_code == 403, url


@needs_font
def test_pdf_shows_only_the_own_tenants_data(tenant_a, tenant_b, captured):
    _reports(tenant_a, secret=True)
    sb, urls = _reports(tenant_b)
    web = web_client(tenant_b, sb.manager.user)
    for url in urls:
        r = web.get(url)
        assert r.status_code == 200 and r.content.startswith(b"%PDF"), url
    assert len(captured) == len(urls)
    assert all(SECRET not in text for text in captured)
    assert any("Bia" in text for text in captured)  # the own data is there


def test_no_unicode_font_answers_503(tenant_a, settings, monkeypatch):
    settings.ACC_PDF_FONT = ""
    settings.PDF_FONT = ""
    monkeypatch.setattr(pdf, "FONT_CANDIDATES", [])
    s, urls = _reports(tenant_a)
    r = web_client(tenant_a, s.manager.user).get(urls[-1])
    assert r.status_code == 503 and "PDF" in r.content.decode()
    assert web_client(tenant_a, s.manager.user).get(urls[-1].replace("pdf", "xlsx")).status_code == 200


def test_report_pages_offer_pdf(tenant_a):
    s, urls = _reports(tenant_a)
    web = web_client(tenant_a, s.manager.user)
    for url in urls:
        page = web.get(url.replace("format=pdf", "").rstrip("?&")).content.decode()
        assert "format=pdf" in page and "Xuất PDF" in page, url
