"""Payables aging as of a chosen day (payments and credit notes counted only up to that day; page, API,
Excel, PDF from the one definition) and the dashboard widget "Late deliveries" (Purchase Staff and
Manager, same figure as the report it opens, two tenants)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from novasaas.platform.dashboard import widgets_for
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.purchasing import actions, bills, credits, reports
from novasaas.purchasing.tests.helpers import approved, beer_line, world

D = Decimal
URL = "/api/v1/purchasing"


def _bill(w, today):
    """10 beers at 10,000 received 40 days ago, billed 30 days ago (110,000 with VAT) due 10 days ago;
    40,000 paid 5 days ago, a 22,000 price credit (20,000 + VAT) 2 days ago."""
    placed = today - dt.timedelta(days=40)
    o = approved(w, beer_line(w, 10), date=placed)
    actions.receive_order(w.keeper, o.pk, date=placed)
    bill = bills.create_bill(
        w.staff,
        order_id=o.pk,
        vendor_invoice_no="INV-1",
        date=today - dt.timedelta(days=30),
        due_date=today - dt.timedelta(days=10),
    )
    bills.post_bill(w.staff, bill.pk)
    bills.pay_bill(w.admin, bill.pk, amount="40000", date=today - dt.timedelta(days=5))
    line = bill.lines.get()
    credits.create_credit_note(
        w.manager,
        bill.pk,
        kind="price",
        vendor_credit_no="CN-1",
        lines=[{"bill_line_id": line.pk, "quantity": "10", "unit_price": "2000"}],
        date=today - dt.timedelta(days=2),
    )
    return bill


def test_aging_counts_payments_and_credits_up_to_the_chosen_day(tenant_a, tenant_b, today):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        _bill(w, today)
        code = w.vendor.code

        def aging(on):
            r = reports.build(tenant_a, "ap_aging", None, on)
            return [(x["code"], x["current"], x["d1_30"], x["total"]) for x in r.rows]

        # before the bill's date: nothing; on its date: 110,000 not yet due
        assert aging(today - dt.timedelta(days=31)) == []
        assert aging(today - dt.timedelta(days=30)) == [(code, D(110000), D(0), D(110000))]
        # 6 days ago: 4 days overdue, the payment made 5 days ago is not counted yet
        assert aging(today - dt.timedelta(days=6)) == [(code, D(0), D(110000), D(110000))]
        # 3 days ago: 40,000 paid, the credit note (2 days ago) not yet
        assert aging(today - dt.timedelta(days=3)) == [(code, D(0), D(70000), D(70000))]
        # today: 110,000 − 40,000 − 22,000
        assert aging(today) == [(code, D(0), D(48000), D(48000))]
    with tenant_context(tenant_b):
        assert reports.build(tenant_b, "ap_aging", None, today).rows == []

    as_of = (today - dt.timedelta(days=6)).isoformat()
    manager = ApiClient(tenant_a, w.manager.user)
    r = manager.get(f"{URL}/reports/ap_aging?date_to={as_of}")
    assert r.status_code == 200 and D(r.json()["totals"]["d1_30"]) == D(110000)
    for fmt, suffix in (("xlsx", '.xlsx"'), ("pdf", '.pdf"')):
        r = manager.get(f"{URL}/reports/ap_aging?date_to={as_of}&format={fmt}")
        assert r.status_code in (200, 503)  # 503: the PDF renderer is not installed
        if r.status_code == 200:
            assert r["Content-Disposition"].endswith(suffix)
    r = manager.get(f"{URL}/reports/ap_aging?date_to=nonsense")
    assert r.status_code in (400, 422)

    page = web_client(tenant_a, w.manager.user).get(f"/purchasing/reports/ap_aging/?to={as_of}")
    body = page.content.decode()
    assert page.status_code == 200 and "110.000" in body and 'name="from"' not in body
    xlsx = web_client(tenant_a, w.manager.user).get(f"/purchasing/reports/ap_aging/?to={as_of}&format=xlsx")
    assert xlsx.status_code == 200
    import io

    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    values = [c for row in sheet.iter_rows(values_only=True) for c in row]
    assert 110000 in values or D(110000) in values or "110.000" in values
    assert web_client(tenant_a, w.staff.user).get(f"/purchasing/reports/ap_aging/?to={as_of}").status_code == 403


def _late_widget(principal):
    return {w.key: ctx for w, ctx in widgets_for(principal)}.get("scm.late_deliveries")


def test_late_deliveries_widget(tenant_a, tenant_b, today):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        placed = today - dt.timedelta(days=20)
        late = approved(w, beer_line(w, 10), date=placed, expected_date=today - dt.timedelta(days=3))
        approved(w, beer_line(w, 5), date=placed, expected_date=today + dt.timedelta(days=3))  # not late
        approved(w, beer_line(w, 5), date=placed, expected_date=today)  # due today: not late yet
        done = approved(w, beer_line(w, 2), date=placed, expected_date=today - dt.timedelta(days=9))
        actions.receive_order(w.keeper, done.pk, date=today)  # received in full: not open
        assert _late_widget(w.staff) == {"value": 1, "hint": _late_widget(w.staff)["hint"]}
        assert _late_widget(w.manager)["value"] == 1
        assert _late_widget(w.keeper) is None  # Warehouse Staff do not track orders
        assert reports.build(tenant_a, "late_deliveries", None, today).rows[0]["order"] == late.number
    with tenant_context(tenant_b):
        wb = world(tenant_b)
        assert _late_widget(wb.staff)["value"] == 0

    home = web_client(tenant_a, w.staff.user).get("/")
    body = home.content.decode()
    assert home.status_code == 200 and "/purchasing/late-deliveries/" in body
    page = web_client(tenant_a, w.staff.user).get("/purchasing/late-deliveries/")
    assert page.status_code == 200 and late.number in page.content.decode()
    assert web_client(tenant_a, w.keeper.user).get("/purchasing/late-deliveries/").status_code == 403
