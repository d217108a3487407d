"""Margin per order, ABC by margin and RFM from one definition (page, Excel, PDF, API), figures worked
by hand: beer costs 10,000, wine 50,000, coke 10,000 (FEFO cost of the goods issues)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import io
from decimal import Decimal

from novasaas.inventory import actions as inventory
from novasaas.inventory.tests.helpers import receive
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client
from novasaas.sales import actions, analytics, deliveries, returns
from novasaas.sales.tests.helpers import beer_line, party, world

D = Decimal
URL = "/api/v1/sales"


def _product(w, name, cost, sale):
    product = inventory.save_product(
        w.inv.manager, name=name, stock_unit_id=w.inv.chai.pk, cost_price=D(cost), sale_price=D(sale)
    )
    receive(w.inv, 10, cost, product=product)
    return product


def _sell(w, customer, lines, invoice_date=None):
    o = actions.create_order(w.manager, customer_id=customer.pk, warehouse_id=w.inv.wh.pk, lines=lines)
    actions.confirm_order(w.manager, o.pk)
    delivery = deliveries.deliver_order(w.manager, o.pk)
    return o, delivery, deliveries.invoice_order(w.manager, o.pk, date=invoice_date)


def _world(tenant, today):
    w = world(tenant, 50)
    wine = _product(w, "Rượu vang Đà Lạt", "50000", "100000")
    coke = _product(w, "Coca-Cola 330ml", "10000", "8000")
    a, _d, _i = _sell(
        w,
        w.customer,
        [
            beer_line(w, 3, "15000"),
            {"description": "Lắp đặt", "quantity": "1", "unit_price": "5000"},
            {"product_id": wine.pk, "quantity": "2", "unit_price": "100000"},
        ],
    )
    b, delivery, invoice = _sell(w, w.customer, [beer_line(w, 2, "12000"), {"product_id": coke.pk, "quantity": "1"}])
    beer_dl = delivery.lines.get(order_line__product_id=w.inv.beer.pk)
    ret = returns.return_goods(w.staff, delivery.pk, lines=[{"line_id": beer_dl.pk, "quantity": "1"}])
    beer_il = invoice.lines.get(product_id=w.inv.beer.pk)
    returns.credit_invoice(w.staff, invoice.pk, lines=[{"line_id": beer_il.pk, "quantity": "1"}], return_id=ret.pk)
    # a second customer, the manager's: one invoice dated 20 days later
    other = actions.create_customer(w.manager, party_id=party(w.manager, "Nhà hàng Sen Vàng").pk)
    _sell(w, other, [beer_line(w, 1, "40000")], invoice_date=today + dt.timedelta(days=20))
    return w, a, b, other


def test_margin_abc_and_rfm_to_the_dong(tenant_a, today):
    with tenant_context(tenant_a):
        w, a, b, other = _world(tenant_a, today)
        margin = analytics.order_margin(w.manager, today, today)
        rows = {r["number"]: (r["revenue"], r["cost"], r["margin"], r["margin_pct"]) for r in margin.rows}
        # A: 45,000 + 5,000 + 200,000 revenue; 3 × 10,000 + 2 × 50,000 cost
        assert rows[a.number] == (D(250000), D(130000), D(120000), D("48.00"))
        # B: 24,000 + 8,000 − 12,000 credited; 20,000 + 10,000 − 10,000 returned
        assert rows[b.number] == (D(20000), D(20000), D(0), D("0.00"))
        assert len(rows) == 3
        assert margin.totals["revenue"] == D(310000) and margin.totals["margin"] == D(150000)

        abc = analytics.abc_by_margin(w.manager, today, today)
        classes = {r["key"].split(" ", 1)[1]: (r["margin"], r["share"], r["abc"]) for r in abc.rows}
        # positive margins: wine 100,000 and beer 57,000 − 40,000 = 17,000 → 117,000
        assert classes["Rượu vang Đà Lạt"] == (D(100000), D("85.47"), "A")
        assert classes["Bia Sài Gòn 330ml"] == (D(17000), D("14.53"), "B")
        assert classes["Coca-Cola 330ml"] == (D(-2000), D(0), "C")

        rfm = analytics.rfm(w.manager, today + dt.timedelta(days=60))
        by_code = {r["_id"]: r for r in rfm.rows}
        mine, theirs = by_code[w.customer.pk], by_code[other.pk]
        # 250,000 + 32,000 − 12,000 = 270,000 net; 60 days since → R 4; 2 invoices → F 2; the larger → M 5
        assert (mine["recency"], mine["frequency"], mine["monetary"], mine["score"]) == (60, 2, D(270000), "425")
        assert (theirs["recency"], theirs["frequency"], theirs["monetary"], theirs["score"]) == (40, 1, D(40000), "413")
        assert theirs["segment"] == "New" or theirs["segment"] == "Mới"
        assert [r["_id"] for r in rfm.rows] == [w.customer.pk, other.pk]

        # Sales Staff holding the right see their own customers only
        staff = dataclasses.replace(w.staff, permissions=w.staff.permissions | {"crm.report.view"})
        assert [r["_id"] for r in analytics.rfm(staff, today + dt.timedelta(days=60)).rows] == [w.customer.pk]
        assert {r["number"] for r in analytics.order_margin(staff, today, today).rows} == {a.number, b.number}


def test_reports_through_api_and_pages_with_roles(tenant_a, admin_a, today):
    with tenant_context(tenant_a):
        w, a, _b, _other = _world(tenant_a, today)
    api = ApiClient(tenant_a, w.manager.user)
    q = f"date_from={today:%Y-%m-%d}&date_to={today:%Y-%m-%d}"
    r = api.get(f"{URL}/reports/margin?{q}")
    assert r.status_code == 200 and D(str(r.json()["totals"]["margin"])) == D(150000)
    r = api.get(f"{URL}/reports/abc-margin?{q}&format=xlsx")
    assert r.status_code == 200
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(r.content)).active
    assert sheet.max_row >= 4
    assert api.get(f"{URL}/reports/rfm?as_of={today:%Y-%m-%d}&days=30").status_code == 200
    assert api.get(f"{URL}/reports/rfm?days=0").status_code in (400, 422)
    assert api.get(f"{URL}/reports/margin?date_from=2026-02-01&date_to=2026-01-01").status_code == 400
    staff = ApiClient(tenant_a, w.staff.user)
    for path in ("margin?" + q, "abc-margin?" + q, "rfm"):
        assert staff.get(f"{URL}/reports/{path}").status_code == 403
    web = web_client(tenant_a, w.manager.user)
    for kind in ("margin", "abc", "rfm"):
        page = web.get(f"/sales/reports/?report={kind}&date_from={today:%Y-%m-%d}&date_to={today:%Y-%m-%d}")
        assert page.status_code == 200
    assert a.number in web.get(f"/sales/reports/?report=margin&date_from={today:%Y-%m-%d}").content.decode()
    assert web.get("/sales/reports/?report=rfm&format=xlsx").status_code == 200
    assert (
        web_client(tenant_a, create_user(tenant_a, "sales_staff")).get("/sales/reports/?report=rfm").status_code == 403
    )
