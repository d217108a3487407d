"""PO → approve → receive (partial, then the rest) → bill (three-way matched) → pay, with the journal
entries checked to the đồng against figures worked out by hand and 3388 back to zero."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.inventory.models import Stock
from novasaas.platform.tenancy import tenant_context
from novasaas.purchasing import actions, bills
from novasaas.purchasing.models import BillStatus, MatchStatus, OrderStatus
from novasaas.purchasing.subscribers import BILL_SOURCE
from novasaas.purchasing.tests.helpers import approved, balance, beer_line, ledger_lines, order, world

D = Decimal


def test_procure_to_pay_books_to_the_dong_and_clears_grni(tenant_a):
    from novasaas.accounting.selectors import party_balance

    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = order(w, beer_line(w, 10), beer_line(w, 5, "12345", discount_percent="2", vat_code="VAT5"))
        # 10 × 10,000 (price list) = 100,000 + VAT 10,000; 5 × 12,345 − 2% = 60,490.5 → 60,491 + VAT 3,024.55 → 3,025
        assert (o.untaxed, o.vat, o.total) == (D(160491), D(13025), D(173516))
        assert o.number.startswith(f"DMH-{o.date.year}-")
        o = actions.submit_order(w.staff, o.pk)  # below the 50,000,000 limit: approved at once
        assert o.status == OrderStatus.APPROVED
        lines = list(o.lines.all())

        r1 = actions.receive_order(w.keeper, o.pk, lines=[{"line_id": lines[0].pk, "quantity": "6"}])
        o.refresh_from_db()
        assert o.status == OrderStatus.PARTIAL and r1.value == D(60000)
        r2 = actions.receive_order(w.keeper, o.pk)  # the rest: 4 beers + 5 beers at 12,098.1 net
        o.refresh_from_db()
        assert o.status == OrderStatus.RECEIVED
        assert r2.value == D(40000) + D(60491)  # 5 × 12,098.1 = 60,490.5 → 60,491
        assert Stock.objects.get(product=w.inv.beer, warehouse=w.inv.wh).on_hand == D(15)
        assert balance(tenant_a, "3388") == -D(160491)
        assert balance(tenant_a, "156") == D(160491)

        bill = bills.create_bill(w.staff, order_id=o.pk, vendor_invoice_no="0000123")
        assert bill.match_status == MatchStatus.MATCHED
        assert (bill.untaxed, bill.vat, bill.total) == (D(160491), D(13025), D(173516))
        bills.post_bill(w.staff, bill.pk)
        assert ledger_lines(tenant_a, BILL_SOURCE, bill.pk) == {
            "3388": (D(160491), D(0)),
            "1331": (D(13025), D(0)),
            "331": (D(0), D(173516)),
        }
        assert balance(tenant_a, "3388") == 0
        assert party_balance(tenant_a, w.vendor.party_id).payable == D(173516)

        bills.pay_bill(w.admin, bill.pk, amount="73516")
        bill.refresh_from_db()
        assert bill.status == BillStatus.PARTIAL and bill.paid == D(73516)
        bills.pay_bill(w.admin, bill.pk)
        bill.refresh_from_db()
        assert bill.status == BillStatus.PAID
        assert party_balance(tenant_a, w.vendor.party_id).payable == 0
        assert balance(tenant_a, "1121") == -D(173516)
        actions.close_order(w.staff, o.pk)
        o.refresh_from_db()
        assert o.status == OrderStatus.CLOSED


def test_price_above_tolerance_waits_for_the_manager_and_goes_to_stock(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 10))
        actions.receive_order(w.keeper, o.pk)
        bill = bills.create_bill(
            w.staff,
            order_id=o.pk,
            vendor_invoice_no="77",
            lines=[{"order_line_id": o.lines.get().pk, "unit_price": "10500"}],
        )
        assert bill.match_status == MatchStatus.MISMATCH and "10.500" in bill.match_notes
        with pytest.raises(ValidationError):
            bills.post_bill(w.staff, bill.pk)
        with pytest.raises(PermissionDenied):
            bills.approve_match(w.staff, bill.pk)
        bills.approve_match(w.manager, bill.pk)
        bills.post_bill(w.staff, bill.pk)
        # 5,000 more than received: a landed cost on the receipt (Dr 156 / Cr 3388), all still in stock
        assert ledger_lines(tenant_a, BILL_SOURCE, bill.pk) == {
            "3388": (D(105000), D(0)),
            "1331": (D(10500), D(0)),
            "331": (D(0), D(115500)),
        }
        assert balance(tenant_a, "3388") == 0
        assert balance(tenant_a, "156") == D(105000)
        stock = Stock.objects.get(product=w.inv.beer, warehouse=w.inv.wh)
        assert stock.value == D(105000)


def test_lower_price_within_tolerance_goes_to_cogs(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 10))
        actions.receive_order(w.keeper, o.pk)
        line = o.lines.get()
        bill = bills.create_bill(
            w.staff, order_id=o.pk, vendor_invoice_no="78", lines=[{"order_line_id": line.pk, "unit_price": "9950"}]
        )
        assert bill.match_status == MatchStatus.MATCHED  # 0.5% below, tolerance 1%
        bills.post_bill(w.staff, bill.pk)
        assert ledger_lines(tenant_a, BILL_SOURCE, bill.pk) == {
            "3388": (D(100000), D(0)),
            "1331": (D(9950), D(0)),
            "632": (D(0), D(500)),
            "331": (D(0), D(109450)),
        }
        assert balance(tenant_a, "3388") == 0


def test_partial_bills_clear_grni_exactly(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, price="3333")
        o = approved(w, beer_line(w, 3, discount_percent="1"))  # 3,299.67 a beer
        actions.receive_order(w.keeper, o.pk)
        line = o.lines.get()
        assert line.received_value == D(9899)
        b1 = bills.create_bill(
            w.staff, order_id=o.pk, vendor_invoice_no="1", lines=[{"order_line_id": line.pk, "quantity": "1"}]
        )
        bills.post_bill(w.staff, b1.pk)
        b2 = bills.create_bill(w.staff, order_id=o.pk, vendor_invoice_no="2")
        assert b2.lines.get().quantity == D(2)
        bills.post_bill(w.staff, b2.pk)
        assert [b1.lines.get().grni_value, b2.lines.get().grni_value] == [D(3300), D(6599)]
        assert balance(tenant_a, "3388") == 0


def test_over_receipt_is_refused_beyond_the_tolerance(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 10))
        line = o.lines.get()
        with pytest.raises(ValidationError, match=r"lines\[0\]\.quantity"):
            actions.receive_order(w.keeper, o.pk, lines=[{"line_id": line.pk, "quantity": "11"}])
        assert (
            not Stock.objects.filter(product=w.inv.beer).exists()
            or Stock.objects.get(product=w.inv.beer, warehouse=w.inv.wh).on_hand == 0
        )
        actions.update_settings(w.manager, receipt_tolerance_percent="10")
        actions.receive_order(w.keeper, o.pk, lines=[{"line_id": line.pk, "quantity": "11"}])
        o.refresh_from_db()
        assert o.status == OrderStatus.RECEIVED


def test_approval_limit_sends_staff_orders_to_the_manager(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        actions.update_settings(w.manager, approval_limit="100000")
        small = actions.submit_order(w.staff, order(w, beer_line(w, 9)).pk)  # 99,000: within the limit
        assert small.status == OrderStatus.APPROVED
        big = actions.submit_order(w.staff, order(w, beer_line(w, 10)).pk)  # 110,000
        assert big.status == OrderStatus.WAITING
        with pytest.raises(ValidationError):
            actions.receive_order(w.keeper, big.pk)
        with pytest.raises(PermissionDenied):
            actions.approve_order(w.staff, big.pk)
        assert actions.approve_order(w.manager, big.pk).status == OrderStatus.APPROVED
        by_manager = actions.submit_order(w.manager, order(w, beer_line(w, 100), p=w.manager).pk)
        assert by_manager.status == OrderStatus.APPROVED
        rejected = actions.submit_order(w.staff, order(w, beer_line(w, 20)).pk)
        assert actions.reject_order(w.manager, rejected.pk).status == OrderStatus.DRAFT
        assert actions.cancel_order(w.staff, rejected.pk).status == OrderStatus.CANCELLED


def test_close_short_and_cancel(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 10))
        line = o.lines.get()
        actions.receive_order(w.keeper, o.pk, lines=[{"line_id": line.pk, "quantity": "4"}])
        with pytest.raises(ValidationError):
            actions.cancel_order(w.staff, o.pk)  # something was received
        assert actions.close_order(w.staff, o.pk).status == OrderStatus.CLOSED
        with pytest.raises(ValidationError):
            actions.receive_order(w.keeper, o.pk)


def test_expense_bill_without_order_and_cash_rule(tenant_a):
    """A bill paid in cash of 5,000,000 đ or more: its VAT is not deductible and moves to the cost."""
    with tenant_context(tenant_a):
        w = world(tenant_a)
        bill = bills.create_bill(
            w.staff,
            vendor_id=w.vendor.pk,
            vendor_invoice_no="DV-1",
            payment_method="cash",
            lines=[{"description": "Thuê kho tháng 12", "unit_price": "5000000", "expense_role": "admin_expense"}],
        )
        assert bill.match_status == MatchStatus.NONE and bill.total == D(5500000)
        bills.post_bill(w.staff, bill.pk)
        assert balance(tenant_a, "1331") == 0
        assert balance(tenant_a, "6422") == D(5500000)
        assert balance(tenant_a, "331") == -D(5500000)
        small = bills.create_bill(
            w.staff,
            vendor_id=w.vendor.pk,
            vendor_invoice_no="DV-2",
            date="2026-01-05",
            lines=[{"description": "Văn phòng phẩm", "unit_price": "100000", "expense_role": "admin_expense"}],
        )
        bills.post_bill(w.staff, small.pk)
        assert balance(tenant_a, "1331") == D(10000)


def test_return_to_vendor_keeps_grni_equal_to_received_minus_billed(tenant_a):
    from novasaas.inventory.tests.helpers import receive

    with tenant_context(tenant_a):
        w = world(tenant_a)
        receive(w.inv, 10, "7000")  # older stock without an order: Cr 3388 70,000 (inventory's rule)
        base = balance(tenant_a, "3388")
        o = approved(w, beer_line(w, 10))
        actions.receive_order(w.keeper, o.pk)  # average cost now 8,500
        line = o.lines.get()
        with pytest.raises(ValidationError):
            actions.return_to_vendor(w.keeper, o.pk, lines=[{"line_id": line.pk, "quantity": "11"}])
        with pytest.raises(PermissionDenied):
            actions.return_to_vendor(w.staff, o.pk, lines=[{"line_id": line.pk, "quantity": "1"}])
        movement = actions.return_to_vendor(w.keeper, o.pk, lines=[{"line_id": line.pk, "quantity": "4"}], reason="vỡ")
        # the issue: Dr 3388 / Cr 156 at cost 4 × 8,500 = 34,000; the price difference 6,000 to COGS
        assert ledger_lines(tenant_a, "scm.vendorreturn", movement.pk) == {
            "3388": (D(6000), D(0)),
            "632": (D(0), D(6000)),
        }
        line.refresh_from_db()
        o.refresh_from_db()
        assert (line.received_quantity, line.received_value, o.status) == (D(6), D(60000), OrderStatus.PARTIAL)
        assert balance(tenant_a, "3388") - base == -D(60000)
        stock = Stock.objects.get(product=w.inv.beer, warehouse=w.inv.wh)
        assert (stock.on_hand, stock.value) == (D(16), D(136000)) and balance(tenant_a, "156") == D(136000)
        bills.post_bill(w.staff, bills.create_bill(w.staff, order_id=o.pk, vendor_invoice_no="9").pk)
        assert balance(tenant_a, "3388") == base
        with pytest.raises(ValidationError):  # billed goods are not returned through the order
            actions.return_to_vendor(w.keeper, o.pk, lines=[{"line_id": line.pk, "quantity": "1"}])
