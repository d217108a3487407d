"""Requests for quotation: two vendors answer, the comparison marks the cheapest per line and overall
(a vendor who skipped a line is incomplete), the award makes a draft order at the quoted prices; the
API, the pages, refusals and roles."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.purchasing import actions, rfqs
from novasaas.purchasing.models import OrderStatus, PurchaseOrder, RequestForQuotation, RfqStatus
from novasaas.purchasing.tests.helpers import party, world

D = Decimal
URL = "/api/v1/purchasing"


def _setup(w):
    from novasaas.inventory import actions as inventory

    cola = inventory.save_product(w.inv.manager, name="Coca-Cola 330ml", stock_unit_id=w.inv.chai.pk)
    v2 = actions.create_vendor(w.manager, party_id=party(w.manager, "Công ty TNHH Đồ uống Phương Nam").pk)
    v3 = actions.create_vendor(w.manager, party_id=party(w.manager, "Công ty CP Thực phẩm Bắc Á").pk)
    return cola, v2, v3


def test_rfq_comparison_and_award(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        cola, v2, v3 = _setup(w)
        rfq = rfqs.create_rfq(
            w.staff,
            warehouse_id=w.inv.wh.pk,
            vendor_ids=[w.vendor.pk, v2.pk, v3.pk],
            lines=[{"product_id": w.inv.beer.pk, "quantity": "100"}, {"product_id": cola.pk, "quantity": "50"}],
        )
        assert rfq.number.startswith(f"YCBG-{rfq.date.year}-")
        beer, cola_line = list(rfq.lines.all())
        rfqs.enter_quote(
            w.staff,
            rfq.pk,
            vendor_id=w.vendor.pk,
            prices=[
                {"line_id": beer.pk, "unit_price": "9800", "lead_time_days": 5},
                {"line_id": cola_line.pk, "unit_price": "7000", "lead_time_days": 2},
            ],
        )
        rfqs.enter_quote(
            w.staff,
            rfq.pk,
            vendor_id=v2.pk,
            prices=[
                {"line_id": beer.pk, "unit_price": "9900", "lead_time_days": 1},
                {"line_id": cola_line.pk, "unit_price": "6500", "lead_time_days": 9},
            ],
        )
        rfqs.enter_quote(w.staff, rfq.pk, vendor_id=v3.pk, prices=[{"line_id": beer.pk, "unit_price": "9000"}])
        table = rfqs.comparison(rfq)
        assert [row.best for row in table.rows] == [2, 1]  # beer: v3 at 9,000; cola: v2 at 6,500
        # totals: 100 × 9,800 + 50 × 7,000 = 1,330,000; 100 × 9,900 + 50 × 6,500 = 1,315,000; v3 incomplete
        assert table.totals == [D(1330000), D(1315000), None]
        assert table.best_total == 1
        with pytest.raises(ValidationError):  # v3 did not quote the cola
            rfqs.award(w.staff, rfq.pk, vendor_id=v3.pk)
        order = rfqs.award(w.staff, rfq.pk, vendor_id=v2.pk)
        assert order.status == OrderStatus.DRAFT and order.vendor_id == v2.pk
        assert [(li.quantity, li.unit_price) for li in order.lines.all()] == [(D(100), D(9900)), (D(50), D(6500))]
        assert (order.expected_date - order.date).days == 9
        rfq.refresh_from_db()
        assert (rfq.status, rfq.order_id, rfq.awarded_vendor_id) == (RfqStatus.AWARDED, order.pk, v2.pk)
        with pytest.raises(ValidationError):  # awarded: closed to quotes and awards
            rfqs.enter_quote(w.staff, rfq.pk, vendor_id=v2.pk, prices=[{"line_id": beer.pk, "unit_price": "1"}])


def test_rfq_refusals_and_roles(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        _cola, v2, _v3 = _setup(w)
        good = {"warehouse_id": w.inv.wh.pk, "vendor_ids": [w.vendor.pk, v2.pk]}
        lines = [{"product_id": w.inv.beer.pk, "quantity": "1"}]
        with pytest.raises(PermissionDenied):
            rfqs.create_rfq(w.keeper, lines=lines, **good)
        for bad in (
            {"vendor_ids": [w.vendor.pk]},
            {"vendor_ids": [w.vendor.pk, 999999]},
            {"warehouse_id": 999999},
            {"lines": []},
            {"lines": [{"product_id": w.inv.beer.pk, "quantity": "0"}]},
        ):
            with pytest.raises(ValidationError):
                rfqs.create_rfq(w.staff, **{**good, "lines": lines, **bad})
        assert RequestForQuotation.objects.count() == 0
        rfq = rfqs.create_rfq(w.staff, lines=lines, **good)
        line = rfq.lines.get()
        with pytest.raises(ValidationError):  # not invited
            rfqs.enter_quote(w.staff, rfq.pk, vendor_id=999999, prices=[{"line_id": line.pk, "unit_price": "1"}])
        with pytest.raises(ValidationError):
            rfqs.enter_quote(w.staff, rfq.pk, vendor_id=v2.pk, prices=[{"line_id": line.pk, "unit_price": "-1"}])
        rfqs.cancel_rfq(w.staff, rfq.pk)
        with pytest.raises(ValidationError):
            rfqs.award(w.staff, rfq.pk, vendor_id=v2.pk)
        assert PurchaseOrder.objects.count() == 0


def test_rfq_api(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        cola, v2, _v3 = _setup(w)
    staff, keeper = ApiClient(tenant_a, w.staff.user), ApiClient(tenant_a, w.keeper.user)
    body = {
        "warehouse_id": w.inv.wh.pk,
        "vendor_ids": [w.vendor.pk, v2.pk],
        "lines": [{"product_id": w.inv.beer.pk, "quantity": "10"}, {"product_id": cola.pk, "quantity": "5"}],
    }
    assert keeper.post(f"{URL}/rfqs", body).status_code == 403
    assert staff.post(f"{URL}/rfqs", {**body, "vendor_ids": [w.vendor.pk]}).status_code == 422
    r = staff.post(f"{URL}/rfqs", body)
    assert r.status_code == 201, r.json()
    rfq = r.json()
    ids = [row["line"]["id"] for row in rfq["comparison"]]
    for vendor, prices in ((w.vendor.pk, ("10000", "8000")), (v2.pk, ("9500", "8100"))):
        quote = {
            "vendor_id": vendor,
            "prices": [{"line_id": i, "unit_price": p} for i, p in zip(ids, prices, strict=True)],
        }
        assert staff.post(f"{URL}/rfqs/{rfq['id']}/quotes", quote).status_code == 200
    got = staff.get(f"{URL}/rfqs/{rfq['id']}").json()
    # 10 × 10,000 + 5 × 8,000 = 140,000; 10 × 9,500 + 5 × 8,100 = 135,500
    assert [(D(v["total"]), v["best"]) for v in got["vendors"]] == [(D(140000), False), (D(135500), True)]
    assert [[q["best"] for q in row["quotes"]] for row in got["comparison"]] == [[False, True], [True, False]]
    assert staff.post(f"{URL}/rfqs/{rfq['id']}/award", {"vendor_id": 999999}).status_code == 400
    r = staff.post(f"{URL}/rfqs/{rfq['id']}/award", {"vendor_id": v2.pk})
    assert r.status_code == 201 and D(r.json()["untaxed"]) == D(135500)
    assert staff.get(f"{URL}/rfqs").json()["count"] == 1
    assert staff.get(f"{URL}/rfqs/999999").status_code == 404


def test_rfq_pages(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        _cola, v2, _v3 = _setup(w)
    staff = web_client(tenant_a, w.staff.user)
    assert staff.get("/purchasing/rfqs/").status_code == 200
    r = staff.post(
        "/purchasing/rfqs/",
        {"warehouse_id": w.inv.wh.pk, "vendor_ids": [w.vendor.pk], "product_0": w.inv.beer.pk, "qty_0": "10"},
    )
    assert r.status_code == 400 and "alert-danger" in r.content.decode()
    r = staff.post(
        "/purchasing/rfqs/",
        {"warehouse_id": w.inv.wh.pk, "vendor_ids": [w.vendor.pk, v2.pk], "product_0": w.inv.beer.pk, "qty_0": "10"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(tenant_a):
        rfq = RequestForQuotation.objects.get()
        line = rfq.lines.get()
    url = f"/purchasing/rfqs/{rfq.pk}/"
    assert (
        staff.post(
            url + "quote/", {"vendor_id": v2.pk, f"price_{line.pk}": "9.500", f"lead_{line.pk}": "3"}
        ).status_code
        == 302
    )
    page = staff.get(url).content.decode()
    assert "9.500" in page and 'id="comparison"' in page
    r = staff.post(url + "award/", {"vendor_id": v2.pk})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert PurchaseOrder.objects.get().lines.get().unit_price == D(9500)
    keeper = web_client(tenant_a, w.keeper.user)
    assert keeper.get("/purchasing/rfqs/").status_code == 403
    assert keeper.post(url + "cancel/").status_code == 403
