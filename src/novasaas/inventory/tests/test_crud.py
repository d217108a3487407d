"""CRUD through the API for categories, units, warehouses, locations, variants, settings and the
member's default warehouse; deactivation instead of deletion."""

from __future__ import annotations

from decimal import Decimal

from novasaas.inventory.models import Location
from novasaas.platform.tenancy import tenant_context

URL = "/api/v1/inventory"


def test_category_tree_crud(api_a):
    drinks = api_a.post(f"{URL}/categories", {"name": "Đồ uống"}).json()
    beer = api_a.post(f"{URL}/categories", {"name": "Bia", "parent_id": drinks["id"], "valuation_method": "fifo"})
    assert beer.status_code == 201 and beer.json()["path"] == "Đồ uống / Bia"
    assert api_a.post(f"{URL}/categories", {"name": "bia", "parent_id": drinks["id"]}).status_code == 400
    assert api_a.patch(f"{URL}/categories/{drinks['id']}", {"parent_id": beer.json()["id"]}).status_code == 400
    assert api_a.patch(f"{URL}/categories/{drinks['id']}", {"name": "Nước uống"}).json()["name"] == "Nước uống"
    assert api_a.delete(f"{URL}/categories/{drinks['id']}").status_code == 204
    assert [c["name"] for c in api_a.get(f"{URL}/categories").json()] == ["Bia"]


def test_units_and_conversions(api_a):
    chai = api_a.post(f"{URL}/units", {"code": "chai", "name": "Chai"}).json()
    thung = api_a.post(f"{URL}/units", {"code": "thung", "name": "Thùng", "base_id": chai["id"], "factor": "24"}).json()
    assert Decimal(thung["factor"]) == 24
    assert api_a.post(f"{URL}/units", {"code": "chai", "name": "Trùng"}).status_code == 400
    assert api_a.patch(f"{URL}/units/{chai['id']}", {"base_id": thung["id"]}).status_code == 400  # cycle
    p = api_a.post(f"{URL}/products", {"name": "Bia", "stock_unit_id": chai["id"], "purchase_unit_id": thung["id"]})
    assert p.status_code == 201
    assert api_a.patch(f"{URL}/units/{thung['id']}", {"factor": "20"}).status_code == 400  # used by a product
    kg = api_a.post(f"{URL}/units", {"code": "kg", "name": "Kg"}).json()
    r = api_a.post(f"{URL}/products", {"name": "Gạo", "stock_unit_id": chai["id"], "purchase_unit_id": kg["id"]})
    assert r.status_code == 400 and "purchase_unit_id" in r.json()["detail"]
    assert api_a.delete(f"{URL}/units/{kg['id']}").status_code == 204


def test_warehouses_locations_and_defaults(api_a, tenant_a):
    hn = api_a.post(f"{URL}/warehouses", {"code": "HN", "name": "Kho Hà Nội"}).json()
    hcm = api_a.post(f"{URL}/warehouses", {"code": "HCM", "name": "Kho HCM", "is_default": True}).json()
    listed = {w["code"]: w["is_default"] for w in api_a.get(f"{URL}/warehouses").json()}
    assert listed == {"HN": False, "HCM": True} and hn["is_default"] is True
    zone = api_a.post(f"{URL}/locations", {"warehouse_id": hn["id"], "code": "A", "name": "Khu A", "level": "zone"})
    assert zone.status_code == 201
    shelf = api_a.post(
        f"{URL}/locations",
        {"warehouse_id": hn["id"], "parent_id": zone.json()["id"], "code": "A-1", "name": "Kệ A-1", "level": "shelf"},
    ).json()
    assert (
        api_a.post(
            f"{URL}/locations", {"warehouse_id": hcm["id"], "parent_id": zone.json()["id"], "code": "X", "name": "X"}
        ).status_code
        == 400
    )
    assert api_a.patch(f"{URL}/locations/{zone.json()['id']}", {"parent_id": shelf["id"]}).status_code == 400
    assert api_a.delete(f"{URL}/locations/{shelf['id']}").status_code == 204
    with tenant_context(tenant_a):
        assert set(Location.objects.exclude(usage="internal").values_list("usage", flat=True)) == {
            "supplier",
            "customer",
            "loss",
            "transit",
        }
    assert api_a.put(f"{URL}/warehouses/mine", {"warehouse_id": hn["id"]}).json()["code"] == "HN"
    assert (
        api_a.put(f"{URL}/settings", {"approval_value_threshold": "5000000"}).json()["approval_value_threshold"]
        == "5000000"
    )
    assert api_a.delete(f"{URL}/warehouses/{hcm['id']}").status_code == 204
    assert api_a.put(f"{URL}/warehouses/mine", {"warehouse_id": hcm["id"]}).status_code == 400


def test_variants_have_their_own_sku_and_barcode(api_a):
    chai = api_a.post(f"{URL}/units", {"code": "cai", "name": "Cái"}).json()
    shirt = api_a.post(f"{URL}/products", {"name": "Áo thun", "stock_unit_id": chai["id"]}).json()
    red = api_a.post(
        f"{URL}/products/{shirt['id']}/variants",
        {"sku": "AO-DO-L", "barcode": "4006381333931", "attributes": {"màu": "Đỏ", "size": "L"}},
    )
    assert red.status_code == 201
    dup = api_a.post(f"{URL}/products/{shirt['id']}/variants", {"sku": "AO-XANH", "barcode": "4006381333931"})
    assert dup.status_code == 400
    assert api_a.patch(f"{URL}/variants/{red.json()['id']}", {"attributes": {"màu": "Đỏ đô"}}).status_code == 200
    assert api_a.get(f"{URL}/products", {"q": "AO-DO-L"}).json()["count"] == 1
    assert api_a.delete(f"{URL}/variants/{red.json()['id']}").status_code == 204
