"""Two tenants: every purchasing table keeps each tenant's rows to itself; ids of the other are 404 on
every page and API operation, and in request bodies they are refused."""

from __future__ import annotations

import pytest

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.platform.testing.isolation import assert_every_table_isolated
from novasaas.purchasing import actions, bills, requisitions
from novasaas.purchasing.tests.helpers import approved, beer_line, order, world

URL = "/api/v1/purchasing"


def _fill(tenant):
    """One row in every purchasing table."""
    with tenant_context(tenant):
        w = world(tenant)
        actions.update_settings(w.manager, approval_limit="1000000")
        o = approved(w, beer_line(w, 10))
        receipt = actions.receive_order(w.keeper, o.pk)
        bill = bills.create_bill(w.staff, order_id=o.pk, vendor_invoice_no="1")
        bills.post_bill(w.staff, bill.pk)
        bills.pay_bill(w.admin, bill.pk, amount="1000")
        draft_bill = bills.create_bill(
            w.staff, vendor_id=w.vendor.pk, vendor_invoice_no="2", lines=[{"description": "x", "unit_price": "1000"}]
        )
        draft = order(w, beer_line(w, 1))
        waiting = actions.submit_order(w.staff, order(w, beer_line(w, 1000)).pk)
        req = requisitions.create_requisition(w.staff, product_id=w.inv.beer.pk, warehouse_id=w.inv.wh.pk, quantity="5")
        price = w.vendor.prices.get()
        return {
            "vendor": w.vendor.pk,
            "price": price.pk,
            "order": o.pk,
            "draft": draft.pk,
            "waiting": waiting.pk,
            "receipt": receipt.pk,
            "bill": bill.pk,
            "draft_bill": draft_bill.pk,
            "req": req.pk,
            "product": w.inv.beer.pk,
            "wh": w.inv.wh.pk,
            "line": o.lines.get().pk,
        }


def test_every_table_is_isolated(tenant_a, tenant_b):
    _fill(tenant_a)
    _fill(tenant_b)
    assert_every_table_isolated("purchasing", tenant_a, tenant_b, min_models=10)


API_PATHS = [
    ("get", "vendors/{vendor}"),
    ("patch", "vendors/{vendor}"),
    ("delete", "vendors/{vendor}"),
    ("get", "vendors/{vendor}/prices"),
    ("post", "vendors/{vendor}/prices"),
    ("delete", "vendors/{vendor}/prices/{price}"),
    ("get", "orders/{order}"),
    ("patch", "orders/{draft}"),
    ("post", "orders/{draft}/submit"),
    ("post", "orders/{waiting}/approve"),
    ("post", "orders/{waiting}/reject"),
    ("post", "orders/{draft}/cancel"),
    ("post", "orders/{order}/close"),
    ("post", "orders/{order}/receive"),
    ("get", "orders/{order}/receipts"),
    ("get", "orders/{order}/pdf"),
    ("post", "orders/{order}/return"),
    ("get", "bills/{bill}"),
    ("delete", "bills/{draft_bill}"),
    ("post", "bills/{draft_bill}/post"),
    ("post", "bills/{draft_bill}/approve-match"),
    ("post", "bills/{bill}/payments"),
    ("get", "requisitions/{req}"),
    ("post", "requisitions/{req}/approve"),
    ("post", "requisitions/{req}/reject"),
    ("post", "requisitions/{req}/order"),
]


def test_other_tenants_ids_are_404(tenant_a, tenant_b, admin_a):
    _fill(tenant_a)
    ids = _fill(tenant_b)
    api = ApiClient(tenant_a, admin_a)
    bodies = {
        "prices": {"product_id": 1, "price": "1"},
        "payments": {"amount": "1"},
        "order": {"vendor_id": 1},
        "return": {"lines": [{"line_id": 1, "quantity": "1"}]},
    }
    for method, path in API_PATHS:
        body = next((b for k, b in bodies.items() if path.endswith(k)), {})
        r = getattr(api, method)(f"{URL}/{path.format(**ids)}", None if method in ("get", "delete") else body)
        assert r.status_code == 404, (path, r.status_code, r.content[:300])


def test_other_tenants_ids_in_bodies_and_pages(tenant_a, tenant_b, admin_a):
    mine = _fill(tenant_a)
    ids = _fill(tenant_b)
    api = ApiClient(tenant_a, admin_a)
    line = {"product_id": ids["product"], "quantity": "1", "unit_price": "1"}
    assert (
        api.post(f"{URL}/orders", {"vendor_id": ids["vendor"], "warehouse_id": mine["wh"], "lines": [line]}).status_code
        == 400
    )
    mine_line = {"product_id": mine["product"], "quantity": "1", "unit_price": "1"}
    r = api.post(f"{URL}/orders", {"vendor_id": mine["vendor"], "warehouse_id": ids["wh"], "lines": [mine_line]})
    assert r.status_code == 400
    r = api.post(f"{URL}/orders", {"vendor_id": mine["vendor"], "warehouse_id": mine["wh"], "lines": [line]})
    assert r.status_code == 400
    assert api.post(f"{URL}/bills", {"order_id": ids["order"], "vendor_invoice_no": "x"}).status_code == 400
    r = api.post(f"{URL}/orders/{mine['order']}/receive", {"lines": [{"line_id": ids["line"], "quantity": "1"}]})
    assert r.status_code == 400
    web = web_client(tenant_a, admin_a)
    for path in (
        f"/purchasing/vendors/{ids['vendor']}/",
        f"/purchasing/vendors/{ids['vendor']}/edit/",
        f"/purchasing/orders/{ids['order']}/",
        f"/purchasing/orders/{ids['draft']}/edit/",
        f"/purchasing/orders/{ids['order']}/pdf/",
        f"/purchasing/bills/{ids['bill']}/",
        f"/purchasing/requisitions/{ids['req']}/",
    ):
        assert web.get(path).status_code == 404, path
    for path in (
        f"/purchasing/orders/{ids['draft']}/submit/",
        f"/purchasing/orders/{ids['order']}/receive/",
        f"/purchasing/orders/{ids['order']}/return/",
        f"/purchasing/vendors/{ids['vendor']}/prices/",
        f"/purchasing/bills/{ids['draft_bill']}/post/",
        f"/purchasing/bills/{ids['bill']}/",
        f"/purchasing/requisitions/{ids['req']}/approve/",
    ):
        assert web.post(path, {}).status_code == 404, path
    assert sorted(o["id"] for o in api.get(f"{URL}/orders").json()["items"]) == sorted(
        [mine["order"], mine["draft"], mine["waiting"]]
    )


@pytest.mark.parametrize(
    "page",
    ["/purchasing/", "/purchasing/vendors/", "/purchasing/bills/", "/purchasing/requisitions/", "/purchasing/grni/"],
)
def test_lists_show_only_own_rows(tenant_a, tenant_b, admin_a, page):
    _fill(tenant_b)
    with tenant_context(tenant_b):
        from novasaas.purchasing.models import PurchaseOrder, Vendor, VendorBill

        numbers = [o.number for o in PurchaseOrder.objects.all()] + [v.code for v in Vendor.objects.all()]
        numbers += [b.number for b in VendorBill.objects.all()]
    body = web_client(tenant_a, admin_a).get(page).content.decode()
    assert not any(n in body for n in numbers)
