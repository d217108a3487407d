"""Who may do what (spec §6.2): Warehouse Manager everything, Warehouse Staff the floor work only."""

from __future__ import annotations

import pytest

from novasaas.inventory.models import Stock, StockAdjustment
from novasaas.inventory.tests.helpers import receive, setup_catalogue
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_tenant, create_user, web_client

URL = "/api/v1/inventory"


@pytest.fixture
def s(tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        receive(s, 10)
        return s


def client(tenant, role):
    return ApiClient(tenant, create_user(tenant, role))


def test_staff_does_floor_work_but_not_management(tenant_a, s):
    c = client(tenant_a, "warehouse_staff")
    assert c.get(f"{URL}/products").status_code == 200
    assert c.get(f"{URL}/products/{s.beer.pk}/stock").status_code == 200
    assert c.post(f"{URL}/products", {"name": "X", "stock_unit_id": s.chai.pk}).status_code == 403
    assert c.post(f"{URL}/warehouses", {"code": "X", "name": "X"}).status_code == 403
    assert (
        c.post(
            f"{URL}/adjustments",
            {"warehouse_id": s.wh.pk, "reason": "x", "lines": [{"product_id": s.beer.pk, "quantity_change": "5"}]},
        ).status_code
        == 403
    )
    assert (
        c.post(
            f"{URL}/transfers",
            {
                "from_warehouse_id": s.wh.pk,
                "to_warehouse_id": s.wh2.pk,
                "lines": [{"product_id": s.beer.pk, "quantity": "1"}],
            },
        ).status_code
        == 403
    )
    assert c.post(f"{URL}/counts", {"warehouse_id": s.wh.pk}).status_code == 403
    assert c.get(f"{URL}/reports/valuation").status_code == 403
    r = c.post(
        f"{URL}/movements",
        {"kind": "issue", "warehouse_id": s.wh.pk, "lines": [{"product_id": s.beer.pk, "quantity": "3"}]},
    )
    assert r.status_code == 201
    assert c.post(f"{URL}/movements/{r.json()['id']}/validate").json()["status"] == "done"
    with tenant_context(tenant_a):
        assert Stock.objects.get(product=s.beer, warehouse=s.wh).on_hand == 7


def test_thresholds_send_staff_movements_to_the_manager(tenant_a, s):
    manager = client(tenant_a, "warehouse_manager")
    assert manager.put(f"{URL}/settings", {"approval_quantity_threshold": "5"}).status_code == 200
    staff = client(tenant_a, "warehouse_staff")
    doc = staff.post(
        f"{URL}/movements",
        {"kind": "issue", "warehouse_id": s.wh.pk, "lines": [{"product_id": s.beer.pk, "quantity": "6"}]},
    ).json()
    assert staff.post(f"{URL}/movements/{doc['id']}/validate").json()["status"] == "pending"
    assert staff.post(f"{URL}/movements/{doc['id']}/approve").status_code == 403
    with tenant_context(tenant_a):
        assert Stock.objects.get(product=s.beer, warehouse=s.wh).on_hand == 10
    assert manager.post(f"{URL}/movements/{doc['id']}/approve").json()["status"] == "done"


def test_manager_creates_and_approves_adjustments_transfers_counts(tenant_a, s):
    m = client(tenant_a, "warehouse_manager")
    staff = client(tenant_a, "warehouse_staff")
    adj = m.post(
        f"{URL}/adjustments",
        {"warehouse_id": s.wh.pk, "reason": "Hàng vỡ", "lines": [{"product_id": s.beer.pk, "quantity_change": "-1"}]},
    ).json()
    assert adj["status"] == "pending"
    assert staff.post(f"{URL}/adjustments/{adj['id']}/approve").status_code == 403
    assert m.post(f"{URL}/adjustments/{adj['id']}/approve").json()["status"] == "done"
    t = m.post(
        f"{URL}/transfers",
        {
            "from_warehouse_id": s.wh.pk,
            "to_warehouse_id": s.wh2.pk,
            "lines": [{"product_id": s.beer.pk, "quantity": "2"}],
        },
    ).json()
    assert staff.post(f"{URL}/transfers/{t['id']}/approve").status_code == 403
    assert m.post(f"{URL}/transfers/{t['id']}/approve").status_code == 200
    assert staff.post(f"{URL}/transfers/{t['id']}/ship").json()["status"] == "in_transit"
    assert staff.post(f"{URL}/transfers/{t['id']}/receive", {}).json()["status"] == "done"
    c = m.post(f"{URL}/counts", {"warehouse_id": s.wh.pk}).json()
    line = c["lines"][0]
    assert (
        staff.post(
            f"{URL}/counts/{c['id']}/entries", {"entries": [{"line_id": line["id"], "counted": "6"}]}
        ).status_code
        == 200
    )
    assert staff.post(f"{URL}/counts/{c['id']}/scan", {"code": s.beer.barcode or s.beer.sku}).status_code == 200
    assert staff.post(f"{URL}/counts/{c['id']}/submit").status_code == 200
    assert staff.post(f"{URL}/counts/{c['id']}/approve").status_code == 403
    done = m.post(f"{URL}/counts/{c['id']}/approve").json()
    assert done["status"] == "done"
    with tenant_context(tenant_a):
        assert Stock.objects.get(product=s.beer, warehouse=s.wh).on_hand == 7


@pytest.mark.parametrize("role", ["sales_staff", "accountant", "employee"])
def test_roles_without_inventory_rights(tenant_a, s, role):
    c = client(tenant_a, role)
    assert c.get(f"{URL}/products").status_code == 403
    assert (
        c.post(
            f"{URL}/adjustments",
            {"warehouse_id": s.wh.pk, "reason": "x", "lines": [{"product_id": s.beer.pk, "quantity_change": "1"}]},
        ).status_code
        == 403
    )
    with tenant_context(tenant_a):
        assert not StockAdjustment.objects.exists()
    assert web_client(tenant_a, c.user).get("/inventory/").status_code == 403


def test_pages_follow_the_same_permissions(tenant_a, s):
    staff = web_client(tenant_a, create_user(tenant_a, "warehouse_staff"))
    assert staff.get("/inventory/").status_code == 200
    assert staff.get("/inventory/movements/new/?kind=receipt").status_code == 200
    for path in (
        "/inventory/products/new/",
        "/inventory/adjustments/",
        "/inventory/transfers/new/",
        "/inventory/counts/new/",
        "/inventory/reports/",
        "/inventory/warehouses/new/",
    ):
        assert staff.get(path).status_code == 403, path


def test_module_gate(db):
    tenant = create_tenant(modules=[])
    c = ApiClient(tenant, create_user(tenant, "warehouse_manager"))
    assert c.get(f"{URL}/products").status_code == 403


def test_anonymous(client):
    assert client.get(f"{URL}/products").status_code == 401
    r = client.get("/inventory/")
    assert r.status_code == 302 and "/login/" in r["Location"]


def test_validate_true_above_the_threshold_waits_numbered_and_the_manager_posts_it(tenant_a, s):
    """``validate: true`` numbers the document late (issue 11): a document that goes to approval instead
    is numbered then, in sequence with the others, and keeps its number when the manager posts it."""
    manager = client(tenant_a, "warehouse_manager")
    assert manager.put(f"{URL}/settings", {"approval_quantity_threshold": "5"}).status_code == 200
    staff = client(tenant_a, "warehouse_staff")

    def issue(qty):
        body = {
            "kind": "issue",
            "warehouse_id": s.wh.pk,
            "validate": True,
            "lines": [{"product_id": s.beer.pk, "quantity": qty}],
        }
        return staff.post(f"{URL}/movements", body)

    small = issue("1").json()
    big = issue("6").json()
    after = issue("1").json()
    assert (small["status"], big["status"], after["status"]) == ("done", "pending", "done")
    numbers = [d["number"] for d in (small, big, after)]
    assert [int(n.rsplit("-", 1)[1]) for n in numbers] == [1, 2, 3] and all(n.startswith("XK-") for n in numbers)
    with tenant_context(tenant_a):
        assert Stock.objects.get(product=s.beer, warehouse=s.wh).on_hand == 8
    approved = manager.post(f"{URL}/movements/{big['id']}/approve").json()
    assert approved["status"] == "done" and approved["number"] == big["number"]
    with tenant_context(tenant_a):
        assert Stock.objects.get(product=s.beer, warehouse=s.wh).on_hand == 2
