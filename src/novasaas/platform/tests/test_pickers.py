"""Server-side search of the pickers (issue 10 §5): products, lots, parties and accounts are found by
typing, accent-insensitively, beyond the first page the form renders; tenant-scoped, permission-checked,
limited; what is found is accepted by the form."""

from __future__ import annotations

import re

import pytest

from novasaas.inventory import actions as inventory
from novasaas.inventory.models import Product, StockMovement
from novasaas.inventory.tests.helpers import principal, receive, setup_catalogue
from novasaas.parties import actions as parties
from novasaas.platform.search import PICKER_LIMIT, Folded, fold, matching
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user, web_client


@pytest.fixture
def s(tenant_a):
    with tenant_context(tenant_a):
        setup = setup_catalogue(tenant_a)
        for n in range(60):  # more than a page of options (50)
            inventory.save_product(setup.manager, name=f"Bánh quy {n:02d}", stock_unit_id=setup.chai.pk)
        inventory.save_product(
            setup.manager, name="Cà phê sữa đá Trung Nguyên", sku="CF-TN", stock_unit_id=setup.chai.pk
        )
        return setup


def _results(response):
    assert response.status_code == 200, response.content
    return response.json()["results"]


def test_fold_and_folded_ignore_case_and_accents(tenant_a, s):
    assert fold("Cà Phê SỮA ĐÁ") == "ca phe sua da"
    with tenant_context(tenant_a):
        folded = Product.objects.filter(sku="CF-TN").annotate(f=Folded("name")).get().f
        assert folded == "ca phe sua da trung nguyen"
        for q in ("ca phe", "CA PHE sua", "đá trung", "nguyen cf-tn", "Cà phê"):
            found = matching(Product.objects.all(), q, "sku", "name")
            assert [p.sku for p in found] == ["CF-TN"], q
        assert not matching(Product.objects.all(), "ca phe banh", "sku", "name").exists()


def test_product_picker_finds_what_the_page_did_not_render(tenant_a, tenant_b, s):
    web = web_client(tenant_a, s.staff.user)
    page = web.get("/inventory/movements/new/?kind=issue").content.decode()
    select = re.search(r'<select name="lines-0-product".*?</select>', page, re.S).group(0)
    assert 'data-picker-url="/inventory/pickers/products/"' in select
    assert select.count("<option") <= 51 and "Trung Nguyên" not in select  # a first page only
    found = _results(web.get("/inventory/pickers/products/", {"q": "ca phe trung"}))
    with tenant_context(tenant_a):
        coffee = Product.objects.get(sku="CF-TN")
    assert found == [{"value": coffee.pk, "text": "CF-TN · Cà phê sữa đá Trung Nguyên"}]
    assert len(_results(web.get("/inventory/pickers/products/", {"q": "banh"}))) == PICKER_LIMIT
    # another company's products are never offered; the search needs the stock right and the module
    with tenant_context(tenant_b):
        other = setup_catalogue(tenant_b)
        inventory.save_product(other.manager, name="Cà phê chồn", stock_unit_id=other.chai.pk)
    assert _results(web.get("/inventory/pickers/products/", {"q": "chon"})) == []
    hr = web_client(tenant_a, create_user(tenant_a, "hr_manager"))
    assert hr.get("/inventory/pickers/products/", {"q": "ca"}).status_code == 403
    # the product found (not among the rendered options) is accepted by the form
    with tenant_context(tenant_a):
        receive(s, 5, product=coffee)
    r = web.post(
        "/inventory/movements/new/?kind=issue",
        {
            "warehouse": s.wh.pk,
            "date": "01/02/2026",
            "purpose": "internal",
            "lines-TOTAL_FORMS": "1",
            "lines-INITIAL_FORMS": "0",
            "lines-0-product": coffee.pk,
            "lines-0-quantity": "2",
        },
    )
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(tenant_a):
        assert StockMovement.objects.filter(kind="issue", lines__product=coffee).exists()


def test_lot_picker_offers_the_lots_of_the_rows_product(tenant_a, s):
    with tenant_context(tenant_a):
        milk = inventory.save_product(s.manager, name="Sữa tươi", stock_unit_id=s.chai.pk, tracking="lot")
        receive(s, 3, product=milk, lot_code="LÔ-A1", expires_on="2030-01-31")
        receive(s, 2, product=milk, lot_code="B2")
    web = web_client(tenant_a, s.staff.user)
    lots = _results(web.get("/inventory/pickers/lots/", {"product": milk.pk, "q": "lo a"}))
    assert lots == [{"value": "LÔ-A1", "text": "LÔ-A1 · 31/01/2030"}]
    assert {x["value"] for x in _results(web.get("/inventory/pickers/lots/", {"product": milk.pk}))} == {"LÔ-A1", "B2"}
    assert _results(web.get("/inventory/pickers/lots/", {"product": s.beer.pk})) == []
    page = web.get("/inventory/movements/new/?kind=issue").content.decode()
    assert 'name="lines-0-lot_code"' in page and 'data-picker-url="/inventory/pickers/lots/"' in page


def test_party_picker_searches_every_party_and_the_form_accepts_it(tenant_a, tenant_b, s):
    with tenant_context(tenant_a):
        p = principal(tenant_a)
        for n in range(60):
            parties.create_party(p, name=f"Công ty An Bình {n:02d}")
        supplier = parties.create_party(p, name="Công ty TNHH Nguyễn Đức")
    with tenant_context(tenant_b):
        parties.create_party(principal(tenant_b), name="Nguyễn Văn Beta")
    web = web_client(tenant_a, s.manager.user)
    page = web.get("/inventory/movements/new/?kind=receipt").content.decode()
    assert 'data-picker-url="/parties/picker/"' in page and "Nguyễn Đức" not in page
    found = _results(web.get("/parties/picker/", {"q": "nguyen duc"}))
    assert [f["value"] for f in found] == [supplier.pk]
    assert _results(web.get("/parties/picker/", {"q": "beta"})) == []
    assert len(_results(web.get("/parties/picker/", {"q": "an binh"}))) == PICKER_LIMIT
    data = {
        "warehouse": s.wh.pk,
        "date": "01/02/2026",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": s.beer.pk,
        "lines-0-quantity": "1",
        "lines-0-unit_cost": "10000",
    }
    assert web.post("/inventory/movements/new/?kind=receipt", {**data, "partner_id": supplier.pk}).status_code == 302
    with tenant_context(tenant_a):
        assert StockMovement.objects.filter(partner_id=supplier.pk).count() == 1
    # a party id of another company is refused on the form, nothing written
    with tenant_context(tenant_b):
        foreign = parties.create_party(principal(tenant_b), name="Beta 2")
    r = web.post("/inventory/movements/new/?kind=receipt", {**data, "partner_id": foreign.pk})
    assert r.status_code == 400
    with tenant_context(tenant_a):
        assert StockMovement.objects.filter(kind="receipt").count() == 1  # only the one above


def test_account_picker_on_journal_lines(tenant_a):
    accountant = create_user(tenant_a, "accountant")
    web = web_client(tenant_a, accountant)
    page = web.get("/accounting/entries/new/").content.decode()
    assert 'list="acc-accounts"' not in page and '<datalist id="acc-accounts"' not in page
    assert 'data-picker-url="/accounting/pickers/accounts/"' in page
    by_code = _results(web.get("/accounting/pickers/accounts/", {"q": "131"}))
    assert by_code[0]["value"] == "131" and by_code[0]["text"].startswith("131 Phải thu")
    by_name = _results(web.get("/accounting/pickers/accounts/", {"q": "phai thu khach"}))
    assert "131" in [a["value"] for a in by_name]
    staff = web_client(tenant_a, create_user(tenant_a, "warehouse_staff"))
    assert staff.get("/accounting/pickers/accounts/", {"q": "131"}).status_code == 403
