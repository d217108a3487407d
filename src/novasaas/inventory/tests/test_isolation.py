"""Two tenants: every inventory table keeps each tenant's rows to itself, ids of the other are 404."""

from __future__ import annotations

import pytest

from novasaas.inventory import actions, ledger
from novasaas.inventory.tests.helpers import receive, setup_catalogue
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.platform.testing.isolation import assert_every_table_isolated

URL = "/api/v1/inventory"


def _fill(tenant):
    """One row in every inventory table."""
    with tenant_context(tenant):
        s = setup_catalogue(tenant)
        cat = actions.save_category(s.manager, name="Đồ uống", valuation_method="fifo")
        actions.save_product(s.manager, s.beer.pk, category_id=cat.pk)
        actions.save_variant(s.manager, s.beer.pk, attributes={"size": "500ml"})
        lot_product = actions.save_product(s.manager, name="Sữa", stock_unit_id=s.chai.pk, tracking="lot")
        serial_product = actions.save_product(s.manager, name="Máy", stock_unit_id=s.chai.pk, tracking="serial")
        doc = receive(s, 20)
        actions.add_landed_cost(s.manager, doc.pk, amount="5000", description="Cước")
        receive(s, 5, product=lot_product, lot_code="L1")
        receive(s, 2, product=serial_product, serials=["S1", "S2"])
        actions.save_location(s.manager, warehouse_id=s.wh.pk, code="A1", name="A1")
        actions.set_my_warehouse(s.manager, s.wh2.pk)
        actions.set_reorder_rule(s.manager, product_id=s.beer.pk, warehouse_id=s.wh.pk, reorder_level="3")
        actions.save_settings(s.manager, approval_value_threshold="100000000")
        ledger.reserve(tenant, s.beer, s.wh, 2, "crm.salesorder:1")
        actions.create_adjustment(
            s.manager, warehouse_id=s.wh.pk, reason="x", lines=[{"product_id": s.beer.pk, "quantity_change": "1"}]
        )
        t = actions.create_transfer(
            s.manager,
            from_warehouse_id=s.wh.pk,
            to_warehouse_id=s.wh2.pk,
            lines=[{"product_id": s.beer.pk, "quantity": "1"}],
        )
        c = actions.create_count(s.manager, warehouse_id=s.wh.pk)
        return s, t, c


def test_every_table_is_isolated(tenant_a, tenant_b):
    _fill(tenant_a)
    _fill(tenant_b)
    assert_every_table_isolated("inventory", tenant_a, tenant_b, min_models=20)
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            assert ledger.ledger_differences() == []


@pytest.mark.parametrize(
    "path",
    [
        "products/{beer}",
        "products/{beer}/stock",
        "warehouses/{wh}",
        "transfers/{t}",
        "counts/{c}",
        "units/{chai}",
    ],
)
def test_other_tenants_ids_are_404(tenant_a, tenant_b, admin_a, path):
    _fill(tenant_a)
    s, t, c = _fill(tenant_b)
    ids = {"beer": s.beer.pk, "wh": s.wh.pk, "t": t.pk, "c": c.pk, "chai": s.chai.pk}
    api = ApiClient(tenant_a, admin_a)
    url = f"{URL}/{path.format(**ids)}"
    method = "patch" if path in ("warehouses/{wh}", "units/{chai}") else "get"
    r = getattr(api, method)(url, {} if method == "patch" else None)
    assert r.status_code == 404, (url, r.status_code)


def test_other_tenants_ids_in_actions_and_pages(tenant_a, tenant_b, admin_a):
    sa, _t, _c = _fill(tenant_a)
    sb, tb, cb = _fill(tenant_b)
    api = ApiClient(tenant_a, admin_a)
    r = api.post(
        f"{URL}/movements",
        {"kind": "receipt", "warehouse_id": sb.wh.pk, "lines": [{"product_id": sa.beer.pk, "quantity": "1"}]},
    )
    assert r.status_code == 400
    r = api.post(
        f"{URL}/movements",
        {"kind": "receipt", "warehouse_id": sa.wh.pk, "lines": [{"product_id": sb.beer.pk, "quantity": "1"}]},
    )
    assert r.status_code == 400
    assert api.post(f"{URL}/transfers/{tb.pk}/approve").status_code == 404
    assert api.post(f"{URL}/counts/{cb.pk}/submit").status_code == 404
    assert (
        api.post(
            f"{URL}/reservations",
            {"product_id": sb.beer.pk, "warehouse_id": sb.wh.pk, "quantity": "1", "for_document": "x"},
        ).status_code
        == 404
    )
    web = web_client(tenant_a, admin_a)
    for path in (
        f"/inventory/products/{sb.beer.pk}/",
        f"/inventory/stock/{sb.beer.pk}/",
        f"/inventory/warehouses/{sb.wh.pk}/",
        f"/inventory/transfers/{tb.pk}/",
        f"/inventory/counts/{cb.pk}/",
    ):
        assert web.get(path).status_code == 404, path
    names = [p["name"] for p in api.get(f"{URL}/products").json()["items"]]
    assert len(names) == 3
    with tenant_context(tenant_b):
        assert ledger.ledger_differences() == []
