"""Fast entry on the receipt and issue pages: searchable pickers, the stock on hand of an issue line
(with the over-issue warning shown while typing), and the supplier of a receipt."""

from __future__ import annotations

import re

import pytest

from novasaas.inventory.models import StockMovement
from novasaas.inventory.tests.helpers import principal, receive, setup_catalogue
from novasaas.parties import actions as parties
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user, web_client


@pytest.fixture
def s(tenant_a):
    with tenant_context(tenant_a):
        setup = setup_catalogue(tenant_a)
        receive(setup, 7)
        return setup


def test_entry_pages_offer_searchable_pickers(tenant_a, s):
    web = web_client(tenant_a, s.manager.user)
    for path in (
        "/inventory/movements/new/?kind=receipt",
        "/inventory/movements/new/?kind=issue",
        "/inventory/transfers/new/",
    ):
        html = web.get(path).content.decode()
        assert re.search(r'<select name="lines-0-product"[^>]*data-picker', html), path
        assert "Bia Sài Gòn 330ml" in html
    issue_page = web.get("/inventory/movements/new/?kind=issue").content.decode()
    assert 'data-stock-url="/inventory/stock-hint/"' in issue_page
    assert "data-stock-url" not in web.get("/inventory/movements/new/?kind=receipt").content.decode()


def test_stock_hint_shows_on_hand_and_warns_over_issue(tenant_a, s):
    web = web_client(tenant_a, s.staff.user)
    base = {"product": s.beer.pk, "warehouse": s.wh.pk}
    ok = web.get("/inventory/stock-hint/", {**base, "quantity": "5"}).json()
    assert ok["on_hand"] == "7" and ok["over"] is False and "7 Chai" in ok["text"]
    over = web.get("/inventory/stock-hint/", {**base, "quantity": "100"}).json()
    assert over["over"] is True
    assert over["warning"] == "Vượt tồn kho: cần 100, tồn 7 Chai của Bia Sài Gòn 330ml tại Kho Hà Nội."
    # in a bigger unit of the same base: 1 crate = 24 bottles > 7 bottles
    crate = web.get("/inventory/stock-hint/", {**base, "unit": s.thung.pk, "quantity": "1"}).json()
    assert crate["over"] is True and "Thùng" in crate["text"]
    # the other warehouse has nothing
    empty = web.get("/inventory/stock-hint/", {**base, "warehouse": s.wh2.pk, "quantity": "1"}).json()
    assert empty["on_hand"] == "0" and empty["over"] is True
    # bad input: a clear 400 or 404, never a 500
    assert web.get("/inventory/stock-hint/", {"product": "x"}).status_code == 400
    assert web.get("/inventory/stock-hint/", {**base, "quantity": "abc"}).json()["over"] is False


def test_stock_hint_is_tenant_scoped_and_permission_checked(tenant_a, tenant_b, s):
    with tenant_context(tenant_b):
        other = setup_catalogue(tenant_b)
    web = web_client(tenant_a, s.staff.user)
    assert web.get("/inventory/stock-hint/", {"product": other.beer.pk, "warehouse": s.wh.pk}).status_code == 404
    assert web.get("/inventory/stock-hint/", {"product": s.beer.pk, "warehouse": other.wh.pk}).status_code == 404
    accountant = web_client(tenant_a, create_user(tenant_a, "hr_manager"))
    assert accountant.get("/inventory/stock-hint/", {"product": s.beer.pk, "warehouse": s.wh.pk}).status_code == 403


def test_receipt_page_stores_and_shows_the_supplier(tenant_a, tenant_b, s):
    with tenant_context(tenant_a):
        supplier = parties.create_party(principal(tenant_a), name="Công ty Bia Sài Gòn")
    web = web_client(tenant_a, s.staff.user)
    form = web.get("/inventory/movements/new/?kind=receipt").content.decode()
    assert "Công ty Bia Sài Gòn" in form and "Nhà cung cấp" in form
    data = {
        "warehouse": s.wh.pk,
        "date": "01/02/2026",
        "partner_id": supplier.pk,
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-0-product": s.beer.pk,
        "lines-0-quantity": "3",
        "lines-0-unit_cost": "10000",
    }
    r = web.post("/inventory/movements/new/?kind=receipt", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(tenant_a):
        doc = StockMovement.objects.get(pk=int(r["Location"].rstrip("/").split("/")[-1]))
    assert doc.partner_id == supplier.pk and doc.date.isoformat() == "2026-02-01"
    detail = web.get(r["Location"]).content.decode()
    assert f"{supplier.code} Công ty Bia Sài Gòn" in detail
    api = web.get(f"/api/v1/inventory/movements/{doc.pk}")
    if api.status_code == 200:
        assert api.json()["partner_id"] == supplier.pk
    # another company's party is refused, nothing created
    with tenant_context(tenant_b):
        foreign = parties.create_party(principal(tenant_b), name="Không phải của mình")
    bad = web.post("/inventory/movements/new/?kind=receipt", {**data, "partner_id": foreign.pk})
    assert bad.status_code == 400
    with tenant_context(tenant_a):
        assert StockMovement.objects.filter(kind="receipt").count() == 2  # the helper's and the one above


def test_every_form_taking_stock_out_shows_the_stock_hint(tenant_a, s):
    """Issue, adjustment (a loss: negative change), transfer (from its source) and put-away (from a
    location) tell app.js where the warehouse, quantity and location fields are."""
    web = web_client(tenant_a, s.manager.user)
    pages = {
        "/inventory/movements/new/?kind=issue": ('data-stock-warehouse="warehouse"', 'data-stock-quantity="quantity"'),
        "/inventory/adjustments/new/": ('data-stock-quantity="quantity_change"', 'data-stock-outgoing="negative"'),
        "/inventory/transfers/new/": ('data-stock-warehouse="from_warehouse"', 'data-stock-quantity="quantity"'),
        f"/inventory/putaway/?warehouse={s.wh.pk}": ('data-stock-location="from_location"',),
    }
    for path, attributes in pages.items():
        html = web.get(path).content.decode()
        assert 'data-stock-url="/inventory/stock-hint/"' in html, path
        for attribute in attributes:
            assert attribute in html, (path, attribute)
    # a location of the warehouse narrows the hint to what stands there
    with tenant_context(tenant_a):
        from novasaas.inventory.models import Location

        shelf = (
            Location.objects.filter(warehouse=s.wh).exclude(parent=None).first()
            or Location.objects.filter(warehouse=s.wh).first()
        )
    hint = web.get(
        "/inventory/stock-hint/", {"product": s.beer.pk, "warehouse": s.wh.pk, "location": shelf.pk, "quantity": "8"}
    ).json()
    assert hint["over"] is True
