"""Partial deliveries and back-orders, invoices of one or several deliveries, the order policy (stock
check warn/refuse, approval above an amount), with stock, reservations and entries to the đồng."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from novasaas.inventory import ledger
from novasaas.inventory.models import Reservation
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.sales import actions, deliveries, policy
from novasaas.sales.models import OrderStatus, SalesDelivery, SalesInvoice, SalesOrder
from novasaas.sales.subscribers import INVOICE_SOURCE
from novasaas.sales.tests.helpers import beer_line, ledger_lines, order, party, stock_row, world

D = Decimal
URL = "/api/v1/sales"


def _reserved(o):
    return Reservation.objects.get(for_document=f"crm.salesorder:{o.pk}").quantity


def test_partial_deliveries_back_order_and_invoices_add_up_to_the_order(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        o = order(
            w,
            beer_line(w, 5, "15333", vat_code="VAT10"),  # 76,665 + VAT 7,666.5 → 7,667
            {"description": "Lắp đặt", "quantity": "1", "unit_price": "30000", "vat_code": "VAT10"},
        )
        assert (o.untaxed, o.vat, o.total) == (D(106665), D(10667), D(117332))
        actions.confirm_order(w.staff, o.pk)
        beer, service = list(o.lines.all())

        first = deliveries.deliver_order(w.staff, o.pk, lines=[{"line_id": beer.pk, "quantity": "2"}])
        o.refresh_from_db()
        assert o.status == OrderStatus.PARTIAL and first.number.startswith(f"GH-{first.date.year}-")
        st = stock_row(w)
        assert (st.on_hand, st.reserved, _reserved(o)) == (D(18), D(3), D(3))  # the back-order stays reserved
        first.refresh_from_db()
        assert first.issue_id and o.issue_id == first.issue_id
        assert ledger_lines(tenant_a, "inventory.issue", first.issue_id) == {"632": (D(20000), 0), "156": (0, D(20000))}

        inv1 = deliveries.invoice_order(w.staff, o.pk)  # bills the first delivery only
        # 2 × 15,333 = 30,666; VAT 3,066.6 → 3,067
        assert (inv1.untaxed, inv1.vat, inv1.total) == (D(30666), D(3067), D(33733))
        assert ledger_lines(tenant_a, INVOICE_SOURCE, inv1.pk) == {
            "131": (D(33733), 0),
            "5111": (0, D(30666)),
            "33311": (0, D(3067)),
        }
        with pytest.raises(ValidationError, match="invoiced|hóa đơn"):
            deliveries.invoice_order(w.staff, o.pk)  # nothing delivered is left to bill

        second = deliveries.deliver_order(w.staff, o.pk)  # everything that remains: 3 beers + the service
        o.refresh_from_db()
        assert o.status == OrderStatus.DELIVERED
        assert {(dl.order_line_id, dl.quantity) for dl in second.lines.all()} == {(beer.pk, D(3)), (service.pk, D(1))}
        assert (stock_row(w).on_hand, stock_row(w).reserved, _reserved(o)) == (D(15), D(0), D(0))

        inv2 = deliveries.invoice_order(w.staff, o.pk)
        o.refresh_from_db()
        assert o.status == OrderStatus.INVOICED
        # the last invoice of a line takes what is left of it: the invoices add up to the order to the đồng
        assert inv1.total + inv2.total == o.total == o.invoiced_amount
        assert inv1.vat + inv2.vat == o.vat
        assert ledger_lines(tenant_a, INVOICE_SOURCE, inv2.pk)["5113"] == (0, D(30000))
        from novasaas.accounting.selectors import party_balance

        assert party_balance(tenant_a, w.customer.party_id).receivable == o.total
        assert ledger.ledger_differences() == []


def test_rounding_of_split_lines_last_piece_takes_the_rest(tenant_a):
    """3 × 5 đ at 10 %: the order line is 15 + VAT 2 (1.5 half up); one by one each piece would be
    5 + 1, so the third invoice's line gets VAT 0 and the three add up to 17."""
    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
        o = order(w, beer_line(w, 3, "5", vat_code="VAT10"))
        assert o.total == D(17)
        actions.confirm_order(w.staff, o.pk)
        line = o.lines.get()
        totals = []
        for _ in range(3):
            deliveries.deliver_order(w.staff, o.pk, lines=[{"line_id": line.pk, "quantity": "1"}])
            totals.append(deliveries.invoice_order(w.staff, o.pk).total)
        assert totals == [D(6), D(6), D(5)]
        o.refresh_from_db()
        assert o.status == OrderStatus.INVOICED and o.invoiced_amount == D(17)


def test_one_invoice_for_deliveries_of_two_orders(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        a, b = order(w, beer_line(w, 2, "10000")), order(w, beer_line(w, 3, "10000"))
        for o in (a, b):
            actions.confirm_order(w.staff, o.pk)
        da, db = deliveries.deliver_order(w.staff, a.pk), deliveries.deliver_order(w.staff, b.pk)
        invoice = deliveries.invoice_deliveries(w.staff, [da.pk, db.pk])
        assert invoice.order_id is None and invoice.total == a.total + b.total == D(55000)
        assert sorted(invoice.deliveries.values_list("pk", flat=True)) == sorted([da.pk, db.pk])
        assert set(SalesOrder.objects.values_list("status", flat=True)) == {OrderStatus.INVOICED}
        assert ledger_lines(tenant_a, INVOICE_SOURCE, invoice.pk)["131"] == (D(55000), 0)
        with pytest.raises(ValidationError, match="Already invoiced|Đã"):
            deliveries.invoice_deliveries(w.staff, [da.pk])


def test_refusals_change_nothing(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        o = order(w, beer_line(w, 2))
        other = order(w, beer_line(w, 1))
        with pytest.raises(ValidationError):
            deliveries.deliver_order(w.staff, o.pk)  # a draft is not delivered
        actions.confirm_order(w.staff, o.pk)
        line = o.lines.get()
        for rows in (
            [{"line_id": line.pk, "quantity": "3"}],  # more than ordered
            [{"line_id": other.lines.get().pk, "quantity": "1"}],  # a line of another order
            [{"line_id": line.pk, "quantity": "1"}, {"line_id": line.pk, "quantity": "1"}],  # twice
            [{"line_id": line.pk, "quantity": "-1"}],
            [{"line_id": line.pk, "quantity": "0.00001"}],
            [{"line_id": line.pk, "quantity": "0"}],  # nothing to deliver
        ):
            with pytest.raises(ValidationError):
                deliveries.deliver_order(w.staff, o.pk, lines=rows)
        assert not SalesDelivery.objects.exists()
        assert (stock_row(w).on_hand, stock_row(w).reserved) == (D(20), D(2))
        # a customer's deliveries only: another customer's delivery cannot share an invoice
        from novasaas.sales.actions import create_customer

        c2 = create_customer(w.manager, party_id=party(w.manager, "Công ty B").pk, salesperson_id=w.staff.user.pk)
        o2 = actions.create_order(w.staff, customer_id=c2.pk, warehouse_id=w.inv.wh.pk, lines=[beer_line(w, 1)])
        actions.confirm_order(w.staff, o2.pk)
        d1, d2 = deliveries.deliver_order(w.staff, o.pk), deliveries.deliver_order(w.staff, o2.pk)
        with pytest.raises(ValidationError):
            deliveries.invoice_deliveries(w.staff, [d1.pk, d2.pk])
        assert not SalesInvoice.objects.exists()


def test_stock_check_warn_reserves_what_is_available_and_back_orders_the_rest(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 3)
        o = order(w, beer_line(w, 5))
        with pytest.raises(ValidationError):
            actions.confirm_order(w.staff, o.pk)  # default: refuse
        assert SalesOrder.objects.get(pk=o.pk).status == OrderStatus.DRAFT
        policy.save_settings(w.manager, stock_check="warn")
        confirmed = actions.confirm_order(w.staff, o.pk)
        assert confirmed.status == OrderStatus.CONFIRMED and len(confirmed.warnings) == 1
        assert (stock_row(w).reserved, _reserved(o)) == (D(3), D(3))
        deliveries.deliver_order(w.staff, o.pk, lines=[{"line_id": o.lines.get().pk, "quantity": "3"}])
        with pytest.raises(ValidationError):
            deliveries.deliver_order(w.staff, o.pk)  # the 2 back-ordered are not in stock
        o.refresh_from_db()
        assert o.status == OrderStatus.PARTIAL and stock_row(w).on_hand == 0


def test_orders_above_the_approval_limit_wait_for_a_sales_manager(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        with pytest.raises(Exception, match="quyền|right"):
            policy.save_settings(w.staff, approval_limit="20000")
        policy.save_settings(w.manager, approval_limit="20000")
        small, big = order(w, beer_line(w, 1, "15000")), order(w, beer_line(w, 2, "15000"))  # 16,500 · 33,000
        assert actions.confirm_order(w.staff, small.pk).status == OrderStatus.CONFIRMED
        assert actions.confirm_order(w.staff, big.pk).status == OrderStatus.TO_APPROVE
        assert stock_row(w).reserved == D(1)  # nothing reserved while it waits
        with pytest.raises(ValidationError, match="Sales Manager|Quản lý"):
            actions.confirm_order(w.staff, big.pk)
        assert actions.confirm_order(w.manager, big.pk).status == OrderStatus.CONFIRMED
        assert stock_row(w).reserved == D(3)


def test_api_deliveries_invoices_and_settings(tenant_a, admin_a, today):
    from novasaas.platform.testing.fixtures import create_user

    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        o = order(w, beer_line(w, 4, "10000"))
        actions.confirm_order(w.staff, o.pk)
        line_id = o.lines.get().pk
    api = ApiClient(tenant_a, admin_a)
    r = api.post(f"{URL}/orders/{o.pk}/deliveries", {"lines": [{"line_id": line_id, "quantity": "1.5"}]})
    assert r.status_code == 201, r.content
    first = r.json()
    assert [(ln["order_line_id"], D(ln["quantity"])) for ln in first["lines"]] == [(line_id, D("1.5"))]
    order_json = api.get(f"{URL}/orders/{o.pk}").json()
    assert order_json["status"] == "partial" and D(order_json["lines"][0]["delivered_quantity"]) == D("1.5")
    assert (
        api.post(f"{URL}/orders/{o.pk}/deliveries", {"lines": [{"line_id": line_id, "quantity": "3"}]}).status_code
        == 400
    )
    assert (
        api.post(f"{URL}/orders/{o.pk}/deliveries", {"lines": [{"line_id": 10**9, "quantity": "1"}]}).status_code == 400
    )
    assert api.post(f"{URL}/orders/{o.pk}/deliveries", {"lines": []}).status_code in (400, 422)
    second = api.post(f"{URL}/orders/{o.pk}/deliveries", {}).json()
    assert api.get(f"{URL}/deliveries?uninvoiced=true").json()["count"] == 2
    r = api.post(f"{URL}/invoices", {"delivery_ids": [first["id"], second["id"]]})
    assert r.status_code == 201, r.content
    invoice = r.json()
    assert D(invoice["total"]) == D(44000) and sorted(invoice["delivery_ids"]) == sorted([first["id"], second["id"]])
    assert api.post(f"{URL}/invoices", {"delivery_ids": [first["id"]]}).status_code == 400
    assert api.post(f"{URL}/invoices", {"delivery_ids": [10**9]}).status_code == 404
    assert api.get(f"{URL}/order-settings").json() == {
        "stock_check": "refuse",
        "approval_limit": None,
        "payee_bank_bin": "",
        "payee_account": "",
        "quotation_validity_days": 30,
        "quotation_expiry_notice_days": 3,
    }
    assert api.patch(f"{URL}/order-settings", {"stock_check": "warn", "approval_limit": "5000000"}).status_code == 200
    assert api.patch(f"{URL}/order-settings", {"stock_check": "maybe"}).status_code in (400, 422)
    staff = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    assert staff.get(f"{URL}/order-settings").json()["stock_check"] == "warn"
    assert staff.patch(f"{URL}/order-settings", {"stock_check": "refuse"}).status_code == 403
    assert staff.get(f"{URL}/deliveries/{first['id']}").status_code == 404  # not their customer's
    accountant = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert accountant.get(f"{URL}/deliveries").status_code == 403


def test_pages_deliver_part_print_and_invoice_selected(tenant_a, admin_a, unicode_font):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        o = order(w, beer_line(w, 4, "10000"))
        actions.confirm_order(w.staff, o.pk)
        line_id = o.lines.get().pk
    web = web_client(tenant_a, admin_a)
    page = web.get(f"/sales/orders/{o.pk}/")
    assert page.status_code == 200 and f'name="qty_{line_id}"' in page.content.decode()
    r = web.post(f"/sales/orders/{o.pk}/deliver/", {f"qty_{line_id}": "9", "date": ""})
    assert r.status_code == 400
    r = web.post(f"/sales/orders/{o.pk}/deliver/", {f"qty_{line_id}": "1", "date": ""})
    assert r.status_code == 302
    r = web.post(f"/sales/orders/{o.pk}/deliver/", {f"qty_{line_id}": "3", "date": ""})
    with tenant_context(tenant_a):
        ids = list(SalesDelivery.objects.order_by("pk").values_list("pk", flat=True))
        assert SalesOrder.objects.get(pk=o.pk).status == OrderStatus.DELIVERED
    assert len(ids) == 2
    assert web.get("/sales/deliveries/?uninvoiced=1").status_code == 200
    detail = web.get(f"/sales/deliveries/{ids[0]}/")
    assert detail.status_code == 200
    pdf = web.get(f"/sales/deliveries/{ids[0]}/pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    r = web.post("/sales/deliveries/invoice/", {"delivery": ids})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        invoice = SalesInvoice.objects.get()
        assert invoice.total == D(44000) and invoice.deliveries.count() == 2
    assert web.get(f"/sales/invoices/{invoice.pk}/").status_code == 200
    assert web.post("/sales/deliveries/invoice/", {"delivery": ids}).status_code == 400
    assert web.get("/sales/settings/").status_code == 200
    assert web.post("/sales/settings/", {"stock_check": "warn", "approval_limit": "1.000.000"}).status_code == 302
    with tenant_context(tenant_a):
        assert policy.get_settings(tenant_a).approval_limit == D(1000000)
