"""Units carry an English name (issue 10 §4): edited on the unit form and the API, shown on English
pages, reports and exports, read back by the catalogue import; Vietnamese pages keep the Vietnamese."""

from __future__ import annotations

import io

import openpyxl
import pytest

from novasaas.inventory import actions
from novasaas.inventory.models import Product, Unit
from novasaas.inventory.tests.helpers import receive, setup_catalogue
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import web_client


@pytest.fixture
def s(tenant_a):
    with tenant_context(tenant_a):
        setup = setup_catalogue(tenant_a)
        actions.save_unit(setup.manager, setup.chai.pk, name_en="Bottle")
        actions.save_unit(setup.manager, setup.thung.pk, name_en="Case (24 bottles)")
        receive(setup, 7)
        return setup


def _web(tenant, principal, lang):
    user = principal.user
    with platform_context():
        user.locale = lang
        user.save(update_fields=["locale"])
    return web_client(tenant, user)


def test_api_creates_and_edits_the_english_name(tenant_a, api_a):
    r = api_a.post("/api/v1/inventory/units", {"code": "hop", "name": "Hộp", "name_en": " Box "})
    assert r.status_code == 201 and r.json()["name_en"] == "Box"
    unit_id = r.json()["id"]
    assert api_a.patch(f"/api/v1/inventory/units/{unit_id}", {"name_en": "Carton"}).json()["name_en"] == "Carton"
    listed = {u["code"]: u for u in api_a.get("/api/v1/inventory/units").json()}
    assert listed["hop"]["name"] == "Hộp" and listed["hop"]["name_en"] == "Carton"
    too_long = api_a.patch(f"/api/v1/inventory/units/{unit_id}", {"name_en": "x" * 101})
    assert too_long.status_code == 422
    with tenant_context(tenant_a):
        assert Unit.objects.get(pk=unit_id).name_en == "Carton"


def test_unit_form_edits_the_english_name(tenant_a, s):
    web = _web(tenant_a, s.manager, "vi")
    r = web.post("/inventory/units/new/", {"code": "kg", "name": "Ki-lô-gam", "name_en": "Kilogram", "factor": "1"})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        kg = Unit.objects.get(code="kg")
    assert kg.name_en == "Kilogram"
    assert 'value="Kilogram"' in web.get(f"/inventory/units/{kg.pk}/edit/").content.decode()
    assert "<td>Kilogram</td>" in web.get("/inventory/categories/").content.decode()


def test_english_pages_show_the_english_unit_name(tenant_a, s):
    en, vi = _web(tenant_a, s.manager, "en"), _web(tenant_a, s.staff, "vi")
    product_en = en.get(f"/inventory/products/{s.beer.pk}/").content.decode()
    assert "Bottle" in product_en and "Case (24 bottles)" in product_en
    product_vi = vi.get(f"/inventory/stock/{s.beer.pk}/").content.decode()
    assert "Chai" in product_vi and "Bottle" not in product_vi
    assert "Bottle" in en.get(f"/inventory/stock/{s.beer.pk}/").content.decode()
    # the stock on hand report (page and its rows), the stock hint, and pickers
    assert "<td>Bottle</td>" in en.get("/inventory/").content.decode()
    hint = en.get(f"/inventory/stock-hint/?product={s.beer.pk}&warehouse={s.wh.pk}").json()
    assert hint["text"] == "On hand: 7 Bottle"
    issue_form = en.get("/inventory/movements/new/?kind=issue").content.decode()
    assert ">Case (24 bottles)</option>" in issue_form
    # the receipt's detail page lists its lines with their unit
    with tenant_context(tenant_a):
        receipt_id = actions.receive_goods(
            s.manager,
            warehouse_id=s.wh.pk,
            lines=[{"product_id": s.beer.pk, "quantity": "1", "unit_id": s.thung.pk, "unit_cost": "240000"}],
        ).pk
    assert "<td>Case (24 bottles)</td>" in en.get(f"/inventory/movements/{receipt_id}/").content.decode()
    assert "<td>Thùng</td>" in vi.get(f"/inventory/movements/{receipt_id}/").content.decode()


def test_catalogue_export_writes_the_users_language_and_import_reads_both(tenant_a, s):
    en = _web(tenant_a, s.manager, "en")
    sheet = openpyxl.load_workbook(io.BytesIO(en.get("/inventory/products/export/").content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = [str(h) for h in rows[0]]
    beer = next(r for r in rows[1:] if r[1] == "Bia Sài Gòn 330ml")
    unit_cells = [beer[i] for i, h in enumerate(header) if "unit" in h.lower()]
    assert unit_cells == ["Bottle", "Case (24 bottles)"]
    # the English file is read back unchanged: units found by their English names
    with tenant_context(tenant_a):
        from novasaas.inventory import excel

        buffer = io.BytesIO(en.get("/inventory/products/export/").content)
        buffer.name = "products.xlsx"
        assert excel.import_catalogue(s.manager, buffer) == (0, 1)  # (created, updated)
        beer_now = Product.objects.get(pk=s.beer.pk)
    assert (beer_now.stock_unit_id, beer_now.purchase_unit_id) == (s.chai.pk, s.thung.pk)
