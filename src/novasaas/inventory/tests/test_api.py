"""The API end to end: catalogue, documents, stock lookup, bad input answers 4xx and moves nothing."""

from __future__ import annotations

from novasaas.inventory.models import StockMove
from novasaas.platform.tenancy import tenant_context

URL = "/api/v1/inventory"


def catalogue(api):
    chai = api.post(f"{URL}/units", {"code": "chai", "name": "Chai"}).json()
    thung = api.post(f"{URL}/units", {"code": "thung", "name": "Thùng", "base_id": chai["id"], "factor": "24"})
    assert thung.status_code == 201, thung.content
    cat = api.post(f"{URL}/categories", {"name": "Đồ uống"}).json()
    r = api.post(
        f"{URL}/products",
        {
            "name": "Bia Sài Gòn 330ml",
            "stock_unit_id": chai["id"],
            "purchase_unit_id": thung.json()["id"],
            "category_id": cat["id"],
            "barcode": "8934822101336",
            "cost_price": "10000",
            "sale_price": "15000",
        },
    )
    assert r.status_code == 201, r.content
    wh = api.post(f"{URL}/warehouses", {"code": "HN", "name": "Kho Hà Nội"})
    assert wh.status_code == 201, wh.content
    return r.json(), wh.json(), thung.json()


def test_catalogue_crud(api_a):
    product, wh, _thung = catalogue(api_a)
    assert product["sku"].startswith("SP") and wh["is_default"] is True
    pid = product["id"]
    assert api_a.patch(f"{URL}/products/{pid}", {"sale_price": "16000"}).json()["sale_price"] == "16000.00"
    assert api_a.get(f"{URL}/products", {"q": "bia sai gon"}).json()["count"] == 1
    assert api_a.get(f"{URL}/products", {"q": "8934822101336"}).json()["count"] == 1
    v = api_a.post(f"{URL}/products/{pid}/variants", {"attributes": {"size": "500ml"}})
    assert v.status_code == 201 and v.json()["sku"] == product["sku"] + "-1"
    # DELETE says a product is never deleted, and changes nothing; the deactivate action says what it did
    refused = api_a.delete(f"{URL}/products/{pid}")
    assert refused.status_code == 409 and f"/products/{pid}/deactivate" in refused.json()["detail"]
    assert api_a.get(f"{URL}/products").json()["count"] == 1
    assert api_a.post(f"{URL}/products/{pid}/deactivate").json()["is_active"] is False
    assert api_a.get(f"{URL}/products").json()["count"] == 0
    assert api_a.post(f"{URL}/products/{pid}/activate").json()["is_active"] is True
    assert api_a.post(f"{URL}/products/{pid}/deactivate").json()["is_active"] is False
    gen = api_a.post(
        f"{URL}/products", {"name": "Nước suối", "stock_unit_id": product["stock_unit_id"], "generate_barcode": True}
    ).json()
    assert gen["barcode"].startswith("20") and len(gen["barcode"]) == 13


def test_bad_barcode_and_unknown_unit_are_400(api_a):
    product, _wh, _t = catalogue(api_a)
    r = api_a.post(
        f"{URL}/products", {"name": "X", "stock_unit_id": product["stock_unit_id"], "barcode": "8934822101331"}
    )
    assert r.status_code == 400 and "barcode" in r.json()["detail"]
    r = api_a.post(f"{URL}/products", {"name": "X", "stock_unit_id": 999999})
    assert r.status_code == 400


def test_receipt_issue_and_stock_lookup(api_a, tenant_a):
    product, wh, thung = catalogue(api_a)
    r = api_a.post(
        f"{URL}/movements",
        {
            "kind": "receipt",
            "warehouse_id": wh["id"],
            "lines": [{"product_id": product["id"], "quantity": "2", "unit_id": thung["id"], "unit_cost": "240000"}],
        },
    )
    assert r.status_code == 201, r.content
    rid = r.json()["id"]
    done = api_a.post(f"{URL}/movements/{rid}/validate")
    assert done.status_code == 200 and done.json()["status"] == "done"
    stock = api_a.get(f"{URL}/products/{product['id']}/stock").json()
    assert stock["levels"][0]["on_hand"] == "48.0000" and stock["levels"][0]["value"] == "480000.00"
    assert stock["locations"][0]["location_code"] == "HN"
    res = api_a.post(
        f"{URL}/reservations",
        {"product_id": product["id"], "warehouse_id": wh["id"], "quantity": "40", "for_document": "crm.salesorder:1"},
    )
    assert res.status_code == 201
    too_much = api_a.post(
        f"{URL}/movements",
        {"kind": "issue", "warehouse_id": wh["id"], "lines": [{"product_id": product["id"], "quantity": "9"}]},
    ).json()
    r = api_a.post(f"{URL}/movements/{too_much['id']}/validate")
    assert r.status_code == 400
    with tenant_context(tenant_a):
        assert StockMove.objects.count() == 1
    val = api_a.get(f"{URL}/reports/valuation").json()
    assert val["total_value"] == "480000.00"


def test_bad_input_is_4xx_and_moves_nothing(api_a, tenant_a):
    product, wh, _t = catalogue(api_a)
    # 422: refused by the request schema; 400: by the business rules
    for lines, status in (
        ([{"product_id": product["id"], "quantity": "-1"}], 422),
        ([{"product_id": product["id"], "quantity": "1.00001"}], 422),
        ([{"product_id": product["id"], "quantity": "1", "unit_id": 987654}], 400),
        ([{"product_id": 987654, "quantity": "1"}], 400),
        ([], 422),
    ):
        r = api_a.post(f"{URL}/movements", {"kind": "receipt", "warehouse_id": wh["id"], "lines": lines})
        assert r.status_code == status, (lines, r.content)
    with tenant_context(tenant_a):
        assert StockMove.objects.count() == 0
