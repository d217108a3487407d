"""Drafts of receipts and issues are editable until they are picked, validated or posted (page and
API PATCH); after that nothing changes."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from novasaas.inventory import actions
from novasaas.inventory.models import StockMovement
from novasaas.inventory.tests.helpers import principal, setup_catalogue
from novasaas.parties import actions as parties
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client

URL = "/api/v1/inventory"


@pytest.fixture
def s(tenant_a):
    with tenant_context(tenant_a):
        return setup_catalogue(tenant_a)


def _draft(s, qty="2"):
    return actions.create_movement(
        s.staff,
        kind="receipt",
        warehouse_id=s.wh.pk,
        lines=[{"product_id": s.beer.pk, "quantity": qty, "unit_cost": "10000"}],
    )


def test_api_patch_changes_a_draft_and_refuses_a_validated_one(tenant_a, tenant_b, s):
    with tenant_context(tenant_a):
        doc = _draft(s)
        supplier = parties.create_party(principal(tenant_a), name="Công ty Bia Sài Gòn", role="supplier")
    api = ApiClient(tenant_a, s.staff.user)
    day = timezone.localdate()
    r = api.patch(
        f"{URL}/movements/{doc.pk}",
        {
            "date": day.isoformat(),
            "partner_id": supplier.pk,
            "note": "Giao thiếu 1 thùng",
            "lines": [{"product_id": s.beer.pk, "quantity": "1", "unit_id": s.thung.pk, "unit_cost": "240000"}],
        },
    )
    assert r.status_code == 200, r.content
    body = r.json()
    assert body["partner_id"] == supplier.pk and body["note"] == "Giao thiếu 1 thùng"
    assert [(Decimal(ln["quantity"]), Decimal(ln["stock_quantity"])) for ln in body["lines"]] == [(1, 24)]
    # only the fields sent change
    assert (
        api.patch(f"{URL}/movements/{doc.pk}", {"source_document": "HĐ 0001234"}).json()["note"] == "Giao thiếu 1 thùng"
    )
    # bad input: 4xx, nothing changed
    negative = {"lines": [{"product_id": s.beer.pk, "quantity": "-3"}]}
    assert api.patch(f"{URL}/movements/{doc.pk}", negative).status_code == 422  # the schema: quantity > 0
    assert api.patch(f"{URL}/movements/{doc.pk}", {"kind": "issue"}).status_code == 422  # not an editable field
    with tenant_context(tenant_b):
        foreign = parties.create_party(principal(tenant_b), name="Của công ty khác")
    assert api.patch(f"{URL}/movements/{doc.pk}", {"partner_id": foreign.pk}).status_code == 400
    with tenant_context(tenant_a):
        doc.refresh_from_db()
        assert doc.partner_id == supplier.pk and doc.lines.get().quantity == 1
    web = web_client(tenant_a, s.manager.user)
    web.post(f"/inventory/movements/{doc.pk}/validate/")
    with tenant_context(tenant_a):
        doc.refresh_from_db()
    assert doc.status != "draft"
    refused = api.patch(f"{URL}/movements/{doc.pk}", {"note": "sửa sau khi ghi sổ"})
    assert refused.status_code == 400
    with tenant_context(tenant_a):
        doc.refresh_from_db()
        assert doc.note == "Giao thiếu 1 thùng"
    # another company's document is not found
    with tenant_context(tenant_b):
        other_staff = principal(tenant_b, "warehouse_staff").user
    assert ApiClient(tenant_b, other_staff).patch(f"{URL}/movements/{doc.pk}", {"note": "x"}).status_code == 404


def test_draft_edit_page(tenant_a, s):
    with tenant_context(tenant_a):
        doc = _draft(s, "3")
    web = web_client(tenant_a, s.staff.user)
    detail = web.get(f"/inventory/movements/{doc.pk}/").content.decode()
    assert f'href="/inventory/movements/{doc.pk}/edit/"' in detail and "Sửa phiếu nháp" in detail, detail.split("<h1")[
        1
    ][:900]
    page = web.get(f"/inventory/movements/{doc.pk}/edit/").content.decode()
    assert f"Sửa {doc.number}" in page and 'name="lines-0-quantity" value="3"' in page
    data = {
        "warehouse": s.wh.pk,
        "date": timezone.localdate().strftime("%d/%m/%Y"),
        "note": "Đã đếm lại",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "1",
        "lines-0-product": s.beer.pk,
        "lines-0-quantity": "5",
        "lines-0-unit_cost": "11000",
    }
    r = web.post(f"/inventory/movements/{doc.pk}/edit/", data)
    assert r.status_code == 302, r.content.decode()[:3000]
    with tenant_context(tenant_a):
        doc.refresh_from_db()
        line = doc.lines.get()
        assert doc.note == "Đã đếm lại" and line.quantity == 5 and line.unit_cost == 11000
    # once validated, the page sends the user back with a message and changes nothing
    web_client(tenant_a, s.manager.user).post(f"/inventory/movements/{doc.pk}/validate/")
    r = web.post(f"/inventory/movements/{doc.pk}/edit/", {**data, "lines-0-quantity": "50"}, follow=True)
    assert "Chỉ sửa được phiếu nháp" in r.content.decode()
    with tenant_context(tenant_a):
        assert StockMovement.objects.get(pk=doc.pk).lines.get().quantity == 5
