"""Purchasing reports (spend by vendor / product / month, price history, best vendor) against figures
worked out by hand, through the builder, the API (JSON and Excel) and the page, with the roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.purchasing import actions, bills, credits, reports
from novasaas.purchasing.tests.helpers import beer_line, order, party, world

D = Decimal
URL = "/api/v1/purchasing"


def _scenario(tenant, today):
    """Vendor A: two orders of beer (10 at 10,000, late; 10 at 9,000, on time); vendor B: 5 at 12,000
    on time. A's first order and B's are billed; A credits 500 a beer on its bill."""
    w = world(tenant)
    b = actions.create_vendor(w.manager, party_id=party(w.manager, "Công ty TNHH Bia Miền Nam").pk)
    placed, late = today - dt.timedelta(days=10), today - dt.timedelta(days=5)
    o1 = order(w, beer_line(w, 10, "10000"), date=placed, expected_date=late)
    o2 = order(w, beer_line(w, 10, "9000"), date=placed, expected_date=today)
    o3 = actions.create_order(
        w.staff,
        vendor_id=b.pk,
        warehouse_id=w.inv.wh.pk,
        lines=[beer_line(w, 5, "12000")],
        date=placed,
        expected_date=today,
    )
    for o in (o1, o2, o3):
        actions.submit_order(w.manager, o.pk)
        actions.receive_order(w.keeper, o.pk, date=today)
    bill_a = bills.create_bill(w.staff, order_id=o1.pk, vendor_invoice_no="A1", date=today)
    bills.post_bill(w.staff, bill_a.pk)
    bill_b = bills.create_bill(w.staff, order_id=o3.pk, vendor_invoice_no="B1", date=today)
    bills.post_bill(w.staff, bill_b.pk)
    credits.create_credit_note(
        w.staff,
        bill_a.pk,
        kind="price",
        vendor_credit_no="GG",
        date=today,
        lines=[{"bill_line_id": bill_a.lines.get().pk, "quantity": "10", "unit_price": "500"}],
    )
    return w, b


def test_report_figures(tenant_a, today):
    start = today - dt.timedelta(days=30)
    with tenant_context(tenant_a):
        w, b = _scenario(tenant_a, today)
        beer = w.inv.beer.pk
        r = reports.build(tenant_a, "spend_vendor", start, today)
        assert [(x["code"], x["bills"], x["untaxed"], x["credited"], x["spend"]) for x in r.rows] == [
            (w.vendor.code, 1, D(100000), D(5000), D(95000)),
            (b.code, 1, D(60000), D(0), D(60000)),
        ]
        assert r.totals["spend"] == D(155000)
        r = reports.build(tenant_a, "spend_product", start, today)
        # 15 beers billed for 160,000, less the 5,000 credit: 155,000, 10,333 a beer
        assert [(x["quantity"], x["net"], x["average"]) for x in r.rows] == [(D(15), D(155000), D(10333))]
        r = reports.build(tenant_a, "spend_month", start, today)
        assert [(x["bills"], x["untaxed"], x["vat"], x["credited"], x["spend"]) for x in r.rows][-1] == (
            2,
            D(160000),
            D(16000),
            D(5000),
            D(155000),
        )
        r = reports.build(tenant_a, "price_history", start, today, beer)
        assert [x["unit_price"] for x in r.rows] == [D(10000), D(9000), D(12000)]
        r = reports.build(tenant_a, "best_vendor", start, today, beer)
        # A: average (100,000 + 90,000) / 20 = 9,500, one of two orders on time; B: 12,000, on time
        assert [(x["code"], x["average_price"], x["on_time_rate"]) for x in r.rows] == [
            (w.vendor.code, D(9500), D("50.0")),
            (b.code, D(12000), D("100.0")),
        ]
        r = reports.build(tenant_a, "best_vendor", start, today)
        assert [x["code"] for x in r.rows] == [b.code, w.vendor.code]  # without a product: on-time rate first


def test_report_api_and_pages(tenant_a, today):
    start = today - dt.timedelta(days=30)
    with tenant_context(tenant_a):
        w, _b = _scenario(tenant_a, today)
    manager, staff = ApiClient(tenant_a, w.manager.user), ApiClient(tenant_a, w.staff.user)
    query = f"date_from={start.isoformat()}&date_to={today.isoformat()}"
    r = manager.get(f"{URL}/reports/spend_vendor?{query}")
    assert r.status_code == 200, r.json()
    assert [D(x["spend"]) for x in r.json()["rows"]] == [D(95000), D(60000)]
    r = manager.get(f"{URL}/reports/best_vendor?{query}&product_id={w.inv.beer.pk}&format=xlsx")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('.xlsx"')
    assert manager.get(f"{URL}/reports/nothing").status_code == 422
    assert staff.get(f"{URL}/reports/spend_vendor").status_code == 403
    page = web_client(tenant_a, w.manager.user).get(
        f"/purchasing/reports/spend_vendor/?from={start.isoformat()}&to={today.isoformat()}"
    )
    assert page.status_code == 200 and "95.000" in page.content.decode()
    xlsx = web_client(tenant_a, w.manager.user).get("/purchasing/reports/spend_month/?format=xlsx")
    assert xlsx.status_code == 200
    assert web_client(tenant_a, w.manager.user).get("/purchasing/reports/nothing/").status_code == 404
    assert web_client(tenant_a, w.staff.user).get("/purchasing/reports/spend_vendor/").status_code == 403
