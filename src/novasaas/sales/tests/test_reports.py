"""Sales reports from one definition (page, Excel, PDF, API): revenue by customer / product /
salesperson / month net of credit notes, AR aging per customer from accounting — to the đồng."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client
from novasaas.sales import actions, deliveries, reports, returns
from novasaas.sales.tests.helpers import beer_line, order, world

D = Decimal
URL = "/api/v1/sales"


def _sales(tenant, today):
    w = world(tenant, 50)
    invoices = []
    for qty in (2, 3):
        o = order(w, beer_line(w, qty, "10000"), {"description": "Lắp đặt", "quantity": "1", "unit_price": "5000"})
        actions.confirm_order(w.staff, o.pk)
        deliveries.deliver_order(w.staff, o.pk)
        invoices.append(deliveries.invoice_order(w.staff, o.pk))
    returns.credit_invoice(w.staff, invoices[0].pk, lines=[{"line_id": invoices[0].lines.first().pk, "quantity": "1"}])
    return w, invoices


def test_sales_by_each_dimension_nets_credit_notes(tenant_a, today):
    with tenant_context(tenant_a):
        w, _invoices = _sales(tenant_a, today)
        start = today.replace(day=1)
        by_customer = reports.sales_by(w.manager, "customer", start, today)
        # 2×10,000 + 5,000 + 3×10,000 + 5,000 − 10,000 credited = 50,000 net; VAT 10 %: 5,000
        assert [(r["net"], r["vat"], r["invoices"]) for r in by_customer.rows] == [(D(50000), D(5000), 2)]
        assert by_customer.totals["total"] == D(55000)
        by_product = {r["key"]: r["net"] for r in reports.sales_by(w.manager, "product", start, today).rows}
        assert by_product == {f"{w.inv.beer.sku} {w.inv.beer.name}": D(40000), "(no product)": D(10000)} or sorted(
            by_product.values()
        ) == [D(10000), D(40000)]
        months = reports.sales_by(w.manager, "month", start, today).rows
        assert len(months) == 1 and months[0]["total"] == D(55000)
        people = reports.sales_by(w.manager, "salesperson", start, today).rows
        assert people[0]["key"] == w.staff.user.email
        assert (
            reports.sales_by(w.manager, "customer", today + dt.timedelta(days=1), today + dt.timedelta(days=2)).rows
            == []
        )


def test_ar_aging_from_accounting_and_files(tenant_a, admin_a, today):
    with tenant_context(tenant_a):
        w, invoices = _sales(tenant_a, today)
        actions.receive_payment(w.staff, invoices[1].pk, amount="10000")
        aging = reports.ar_aging(w.manager, today + dt.timedelta(days=45))
        row = aging.rows[0]
        # open: 27,500 − 11,000 credited = 16,500 and 38,500 − 10,000 = 28,500, overdue 45 days after
        # the invoices (less accounting's payment terms): nothing is "not yet due" any more
        assert row["total"] == D(45000) and row["current"] == 0
        assert sum((row[b] for b in reports.BUCKETS), D(0)) == D(45000) and row["unapplied"] == 0
    api = ApiClient(tenant_a, admin_a)
    r = api.get(f"{URL}/reports/sales?date_from={today:%Y-%m-01}&date_to={today:%Y-%m-%d}&by=customer")
    assert r.status_code == 200 and r.json()["totals"]["total"] in ("55000", "55000.00", 55000)
    r = api.get(f"{URL}/reports/sales?date_from={today:%Y-%m-01}&date_to={today:%Y-%m-%d}&format=xlsx")
    assert r.status_code == 200
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(r.content)).active.max_row >= 2
    assert api.get(f"{URL}/reports/sales?date_from=2026-02-01&date_to=2026-01-01").status_code == 400
    assert api.get(f"{URL}/reports/ar-aging").status_code == 200
    staff = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    assert staff.get(f"{URL}/reports/ar-aging").status_code == 403
    web = web_client(tenant_a, admin_a)
    assert web.get("/sales/reports/?report=sales&by=product").status_code == 200
    assert web.get("/sales/reports/?report=aging").status_code == 200
    assert web.get("/sales/reports/?report=sales&format=xlsx").status_code == 200
    assert web_client(tenant_a, create_user(tenant_a, "sales_staff")).get("/sales/reports/").status_code == 403
