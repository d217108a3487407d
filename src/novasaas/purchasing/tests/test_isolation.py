"""Two tenants: every purchasing table keeps each tenant's rows to itself; ids of the other are 404 on
every page and API operation, and in request bodies they are refused."""

from __future__ import annotations

import pytest

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.platform.testing.isolation import assert_every_table_isolated
from novasaas.purchasing import actions, bills, credits, landed, requisitions, rfqs
from novasaas.purchasing.tests.helpers import approved, beer_line, order, party, world

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
        credits.create_credit_note(
            w.manager,
            bill.pk,
            kind="return",
            vendor_credit_no="TL",
            lines=[{"bill_line_id": bill.lines.get().pk, "quantity": "1"}],
        )
        landed_bill = landed.create_landed_bill(
            w.staff,
            vendor_id=w.vendor.pk,
            vendor_invoice_no="VC",
            receipt_ids=[receipt.pk],
            lines=[{"cost_kind": "freight", "amount": "1000"}],
        )
        draft_bill = bills.create_bill(
            w.staff, vendor_id=w.vendor.pk, vendor_invoice_no="2", lines=[{"description": "x", "unit_price": "1000"}]
        )
        other = actions.create_vendor(w.manager, party_id=party(w.manager, "Công ty TNHH Bao bì Việt").pk)
        rfq = rfqs.create_rfq(
            w.staff,
            warehouse_id=w.inv.wh.pk,
            vendor_ids=[w.vendor.pk, other.pk],
            lines=[{"product_id": w.inv.beer.pk, "quantity": "5"}],
        )
        rfqs.enter_quote(
            w.staff, rfq.pk, vendor_id=other.pk, prices=[{"line_id": rfq.lines.get().pk, "unit_price": "1"}]
        )
        draft = order(w, beer_line(w, 1))
        waiting = actions.submit_order(w.staff, order(w, beer_line(w, 1000)).pk)
        req = requisitions.create_requisition(w.staff, product_id=w.inv.beer.pk, warehouse_id=w.inv.wh.pk, quantity="5")
        price = w.vendor.prices.get()
        actions.set_preferred_vendor(w.manager, w.inv.beer.pk, w.vendor.pk)
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
            "landed_bill": landed_bill.pk,
            "rfq": rfq.pk,
            "other_vendor": other.pk,
            "bill_line": bill.lines.get().pk,
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
    ("post", "orders/{order}/send"),
    ("get", "bills/{bill}"),
    ("delete", "bills/{draft_bill}"),
    ("post", "bills/{draft_bill}/post"),
    ("post", "bills/{draft_bill}/approve-match"),
    ("post", "bills/{bill}/payments"),
    ("get", "bills/{bill}/credit-notes"),
    ("post", "bills/{bill}/credit-notes"),
    ("get", "bills/{landed_bill}"),
    ("get", "rfqs/{rfq}"),
    ("post", "rfqs/{rfq}/quotes"),
    ("post", "rfqs/{rfq}/award"),
    ("post", "rfqs/{rfq}/cancel"),
    ("get", "requisitions/{req}"),
    ("get", "preferred-vendors/{product}"),
    ("delete", "preferred-vendors/{product}"),
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
        "quotes": {"vendor_id": 1, "prices": [{"line_id": 1, "unit_price": "1"}]},
        "award": {"vendor_id": 1},
        "credit-notes": {"kind": "price", "vendor_credit_no": "x", "lines": [{"bill_line_id": 1, "quantity": "1"}]},
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
    r = api.post(
        f"{URL}/bills/{mine['bill']}/credit-notes",
        {"kind": "return", "vendor_credit_no": "x", "lines": [{"bill_line_id": ids["bill_line"], "quantity": "1"}]},
    )
    assert r.status_code == 400
    with tenant_context(tenant_a):
        from novasaas.purchasing.models import PurchaseReceipt

        theirs = PurchaseReceipt.objects.count()
    body = {
        "vendor_id": mine["vendor"],
        "vendor_invoice_no": "x",
        "receipt_ids": [mine["receipt"], ids["receipt"]],
        "lines": [{"cost_kind": "freight", "amount": "1"}],
    }
    assert api.post(f"{URL}/landed-cost-bills", body).status_code == 400 and theirs == 1
    rfq_line = {"product_id": mine["product"], "quantity": "1"}
    rfq = {"warehouse_id": mine["wh"], "vendor_ids": [mine["vendor"], ids["vendor"]], "lines": [rfq_line]}
    assert api.post(f"{URL}/rfqs", rfq).status_code == 400
    web = web_client(tenant_a, admin_a)
    for path in (
        f"/purchasing/vendors/{ids['vendor']}/",
        f"/purchasing/vendors/{ids['vendor']}/edit/",
        f"/purchasing/orders/{ids['order']}/",
        f"/purchasing/orders/{ids['draft']}/edit/",
        f"/purchasing/orders/{ids['order']}/pdf/",
        f"/purchasing/bills/{ids['bill']}/",
        f"/purchasing/requisitions/{ids['req']}/",
        f"/purchasing/rfqs/{ids['rfq']}/",
    ):
        assert web.get(path).status_code == 404, path
    for path in (
        f"/purchasing/orders/{ids['draft']}/submit/",
        f"/purchasing/orders/{ids['order']}/receive/",
        f"/purchasing/orders/{ids['order']}/return/",
        f"/purchasing/orders/{ids['order']}/send/",
        f"/purchasing/vendors/{ids['vendor']}/prices/",
        f"/purchasing/bills/{ids['draft_bill']}/post/",
        f"/purchasing/bills/{ids['bill']}/",
        f"/purchasing/bills/{ids['bill']}/credit-notes/",
        f"/purchasing/rfqs/{ids['rfq']}/award/",
        f"/purchasing/requisitions/{ids['req']}/approve/",
    ):
        assert web.post(path, {}).status_code == 404, path
    assert sorted(o["id"] for o in api.get(f"{URL}/orders").json()["items"]) == sorted(
        [mine["order"], mine["draft"], mine["waiting"]]
    )


@pytest.mark.parametrize(
    "page",
    [
        "/purchasing/",
        "/purchasing/vendors/",
        "/purchasing/bills/",
        "/purchasing/requisitions/",
        "/purchasing/grni/",
        "/purchasing/rfqs/",
        "/purchasing/reports/spend_vendor/",
        "/purchasing/reports/ap_aging/",
        "/purchasing/reports/open_orders/",
        "/purchasing/reports/late_deliveries/",
    ],
)
def test_lists_show_only_own_rows(tenant_a, tenant_b, admin_a, page):
    _fill(tenant_b)
    with tenant_context(tenant_b):
        from novasaas.purchasing.models import PurchaseOrder, Vendor, VendorBill

        numbers = [o.number for o in PurchaseOrder.objects.all()] + [v.code for v in Vendor.objects.all()]
        numbers += [b.number for b in VendorBill.objects.all()]
        from novasaas.purchasing.models import RequestForQuotation

        numbers += [r.number for r in RequestForQuotation.objects.all()]
    body = web_client(tenant_a, admin_a).get(page).content.decode()
    assert not any(n in body for n in numbers)
