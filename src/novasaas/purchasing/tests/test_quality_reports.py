"""Quality check at receipt (accepted and rejected quantities: rejected goods are not stocked, stay open
on the order and count in the vendor's rejection rate) and the payables aging / open orders / late
deliveries reports (builder, API with JSON and Excel, pages, roles, two tenants)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from novasaas.inventory.models import Stock
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.purchasing import actions, bills, reports
from novasaas.purchasing.models import OrderStatus, PurchaseReceipt
from novasaas.purchasing.tests.helpers import approved, balance, beer_line, party, world

D = Decimal
URL = "/api/v1/purchasing"


def test_rejected_goods_are_not_stocked_and_stay_open(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 10), date=today - dt.timedelta(days=3))
        line = o.lines.get()
        with pytest.raises(ValidationError) as exc:  # a rejection needs its reason
            actions.receive_order(
                w.keeper, o.pk, lines=[{"line_id": line.pk, "quantity": "8", "rejected_quantity": "2"}]
            )
        assert "rejection_reason" in exc.value.message_dict
        with pytest.raises(ValidationError):  # nothing accepted, nothing rejected: nothing to receive
            actions.receive_order(
                w.keeper,
                o.pk,
                lines=[{"line_id": line.pk, "quantity": "0", "rejected_quantity": "0"}],
                rejection_reason="vỡ",
            )
        with pytest.raises(ValidationError):
            actions.receive_order(
                w.keeper,
                o.pk,
                lines=[{"line_id": line.pk, "quantity": "8", "rejected_quantity": "-1"}],
                rejection_reason="vỡ",
            )
        assert not PurchaseReceipt.objects.exists() and not Stock.objects.filter(product=w.inv.beer).exists()

        r = actions.receive_order(
            w.keeper,
            o.pk,
            lines=[{"line_id": line.pk, "quantity": "8", "rejected_quantity": "2"}],
            rejection_reason="  2 chai   vỡ ",
            date=today,
        )
        assert (r.quantity, r.rejected_quantity, r.rejection_reason, r.value) == (D(8), D(2), "2 chai vỡ", D(80000))
        line.refresh_from_db()
        o.refresh_from_db()
        assert (line.received_quantity, line.rejected_quantity, line.open_quantity) == (D(8), D(2), D(2))
        assert o.status == OrderStatus.PARTIAL
        assert Stock.objects.get(product=w.inv.beer, warehouse=w.inv.wh).on_hand == D(8)
        assert balance(tenant_a, "3388") == -D(80000)  # only the accepted goods are owed
        # the replacement arrives: the rest is received, the rejection stays on record
        actions.receive_order(w.keeper, o.pk, date=today)
        o.refresh_from_db()
        assert o.status == OrderStatus.RECEIVED
        # quality in the best vendor report: 2 rejected of 12 delivered
        rep = reports.build(tenant_a, "best_vendor", today - dt.timedelta(days=30), today)
        assert [(x["code"], x["rejected_rate"]) for x in rep.rows] == [(w.vendor.code, D("16.7"))]


def test_quality_check_through_the_api_and_the_page(tenant_a, today):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 10), beer_line(w, 4))
        first, second = o.lines.order_by("position")
    api = ApiClient(tenant_a, w.keeper.user)
    body = {"lines": [{"line_id": first.pk, "quantity": "9", "rejected_quantity": "1"}]}
    r = api.post(f"{URL}/orders/{o.pk}/receive", body)
    assert r.status_code == 400 and "rejection_reason" in str(r.json())
    r = api.post(f"{URL}/orders/{o.pk}/receive", {**body, "rejection_reason": "móp"})
    assert r.status_code == 201, r.json()
    assert (D(r.json()["quantity"]), D(r.json()["rejected_quantity"]), r.json()["rejection_reason"]) == (
        D(9),
        D(1),
        "móp",
    )
    got = ApiClient(tenant_a, w.staff.user).get(f"{URL}/orders/{o.pk}").json()
    assert [D(li["rejected_quantity"]) for li in got["lines"]] == [D(1), D(0)]

    keeper = web_client(tenant_a, w.keeper.user)
    r = keeper.post(f"/purchasing/orders/{o.pk}/receive/", {f"qty_{second.pk}": "3", f"rej_{second.pk}": "1"})
    assert r.status_code == 400  # no reason
    r = keeper.post(
        f"/purchasing/orders/{o.pk}/receive/",
        {f"qty_{first.pk}": "", f"qty_{second.pk}": "3", f"rej_{second.pk}": "1", "rejection_reason": "hết hạn"},
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    page = keeper.get(f"/purchasing/orders/{o.pk}/").content.decode()
    assert "hết hạn" in page and "móp" in page
    with tenant_context(tenant_a):
        second.refresh_from_db()
        assert (second.received_quantity, second.rejected_quantity) == (D(3), D(1))


def _payables(tenant, today):
    """Bill 1: 100,000 + VAT, due 40 days ago, 10,000 paid; bill 2: 50,000 + VAT, due in 30 days. An
    approved order (expected 5 days ago, 10 beers) and a partially received one (expected in 10 days)."""
    w = world(tenant)
    b = actions.create_vendor(w.manager, party_id=party(w.manager, "Công ty TNHH Bia Miền Nam").pk)
    placed = today - dt.timedelta(days=60)
    o1 = approved(w, beer_line(w, 10), beer_line(w, 5), date=placed)
    actions.receive_order(w.keeper, o1.pk, date=placed)
    bill1 = bills.create_bill(
        w.staff,
        order_id=o1.pk,
        vendor_invoice_no="A1",
        lines=[{"order_line_id": o1.lines.get(position=1).pk}],
        date=placed,
        due_date=today - dt.timedelta(days=40),
    )
    bills.post_bill(w.staff, bill1.pk)
    bills.pay_bill(w.admin, bill1.pk, amount="10000", date=placed)
    bill2 = bills.create_bill(
        w.staff,
        order_id=o1.pk,
        vendor_invoice_no="A2",
        date=today,
        due_date=today + dt.timedelta(days=30),
    )
    bills.post_bill(w.staff, bill2.pk)
    late = approved(w, beer_line(w, 10), date=placed, expected_date=today - dt.timedelta(days=5))
    later = actions.create_order(
        w.staff,
        vendor_id=b.pk,
        warehouse_id=w.inv.wh.pk,
        lines=[beer_line(w, 4, "12000", discount_percent="10")],
        date=today - dt.timedelta(days=2),
        expected_date=today + dt.timedelta(days=10),
    )
    actions.submit_order(w.staff, later.pk)
    line = later.lines.get()
    actions.receive_order(w.keeper, later.pk, lines=[{"line_id": line.pk, "quantity": "1"}], date=today)
    return w, b, late, later


def test_aging_open_orders_and_late_deliveries(tenant_a, tenant_b, today):
    with tenant_context(tenant_a):
        w, b, late, later = _payables(tenant_a, today)
        r = reports.build(tenant_a, "ap_aging", None, today)
        # bill 1: 110,000 − 10,000 paid, 40 days overdue; bill 2: 5 × 10,000 + VAT = 55,000, not due
        assert [(x["code"], x["current"], x["d31_60"], x["total"]) for x in r.rows] == [
            (w.vendor.code, D(55000), D(100000), D(155000))
        ]
        assert r.totals["total"] == D(155000) and r.totals["over_90"] == 0
        # as of 50 days ago bill 2 did not exist and bill 1 was not due; the payment is counted (now)
        r = reports.build(tenant_a, "ap_aging", None, today - dt.timedelta(days=50))
        assert [(x["current"], x["total"]) for x in r.rows] == [(D(100000), D(100000))]

        r = reports.build(tenant_a, "open_orders", None, today)
        assert [(x["order"], x["to_receive"], x["value"], x["days_late"]) for x in r.rows] == [
            (late.number, D(10), D(100000), 5),
            (later.number, D(3), D(32400), 0),  # 3 × 12,000 − 10 %
        ]
        r = reports.build(tenant_a, "late_deliveries", None, today)
        assert [(x["order"], x["days_late"]) for x in r.rows] == [(late.number, 5)]
    with tenant_context(tenant_b):
        for name in ("ap_aging", "open_orders", "late_deliveries"):
            assert reports.build(tenant_b, name, None, today).rows == []

    manager, staff = ApiClient(tenant_a, w.manager.user), ApiClient(tenant_a, w.staff.user)
    q = f"date_to={today.isoformat()}"
    r = manager.get(f"{URL}/reports/ap_aging?{q}")
    assert r.status_code == 200 and D(r.json()["totals"]["total"]) == D(155000)
    assert staff.get(f"{URL}/reports/ap_aging").status_code == 403
    r = staff.get(f"{URL}/reports/late_deliveries?{q}")
    assert r.status_code == 200 and [x["order"] for x in r.json()["rows"]] == [late.number]
    r = staff.get(f"{URL}/reports/open_orders?{q}&format=xlsx")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('.xlsx"')
    assert ApiClient(tenant_a, w.keeper.user).get(f"{URL}/reports/open_orders").status_code == 403

    page = web_client(tenant_a, w.staff.user).get(f"/purchasing/reports/late_deliveries/?to={today.isoformat()}")
    body = page.content.decode()
    assert page.status_code == 200 and late.number in body and later.number not in body
    assert "spend_vendor" not in body  # the staff's tabs are the order lists only
    assert web_client(tenant_a, w.staff.user).get("/purchasing/reports/ap_aging/").status_code == 403
    page = web_client(tenant_a, w.manager.user).get(f"/purchasing/reports/ap_aging/?to={today.isoformat()}")
    assert page.status_code == 200 and "155.000" in page.content.decode()
    xlsx = web_client(tenant_a, w.manager.user).get("/purchasing/reports/ap_aging/?format=xlsx")
    assert xlsx.status_code == 200
    assert web_client(tenant_a, w.keeper.user).get("/purchasing/reports/late_deliveries/").status_code == 403
    # GRNI as Excel: vendor B's one beer received, not billed (12,000 − 10 %)
    with tenant_context(tenant_a):
        grni = reports.grni(tenant_a)
        assert [(x["code"], x["open"]) for x in grni.rows] == [(b.code, D(10800))]
    r = manager.get(f"{URL}/reports/grni?format=xlsx")
    assert r.status_code == 200 and r["Content-Disposition"].endswith('.xlsx"')
    assert [D(x["open"]) for x in manager.get(f"{URL}/reports/grni").json()] == [D(10800)]
    xlsx = web_client(tenant_a, w.manager.user).get("/purchasing/grni/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Disposition"].endswith('.xlsx"')
