"""Vendor credit notes: goods returned after billing (out of stock through inventory, payable and input
VAT reversed) and lower prices; entries checked to the đồng against figures worked out by hand; refusals
leave nothing changed; the API and the roles."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.inventory.models import Stock
from novasaas.inventory.tests.helpers import receive
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient
from novasaas.purchasing import actions, bills, credits
from novasaas.purchasing.models import BillStatus, OrderStatus, VendorCreditNote
from novasaas.purchasing.subscribers import CREDIT_SOURCE
from novasaas.purchasing.tests.helpers import approved, balance, beer_line, ledger_lines, world

D = Decimal
URL = "/api/v1/purchasing"


def _billed(w, qty=10):
    o = approved(w, beer_line(w, qty))
    actions.receive_order(w.keeper, o.pk)
    bill = bills.create_bill(w.staff, order_id=o.pk, vendor_invoice_no="0000123")
    bills.post_bill(w.staff, bill.pk)
    return o, bill


def test_return_of_billed_goods_reverses_payable_vat_and_stock(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        receive(w.inv, 10, cost="7000")  # stock before the order: average cost becomes 8,500
        o, bill = _billed(w)  # 10 × 10,000 + VAT 10 % = 110,000
        line = bill.lines.get()
        stock_before = balance(tenant_a, "156")  # 70,000 + 100,000
        grni_before = balance(tenant_a, "3388")
        note = credits.create_credit_note(
            w.manager,
            bill.pk,
            kind="return",
            vendor_credit_no="TL-01",
            reason="vỡ chai",
            lines=[{"bill_line_id": line.pk, "quantity": "3"}],
        )
        # 3 × 10,000 = 30,000 + VAT 3,000; the goods cost 3 × 8,500 = 25,500 (inventory: Dr 3388 / Cr 156)
        assert (note.untaxed, note.vat, note.total, note.cost) == (D(30000), D(3000), D(33000), D(25500))
        assert note.number.startswith(f"TLM-{note.date.year}-")
        assert ledger_lines(tenant_a, CREDIT_SOURCE, note.pk) == {
            "331": (D(33000), D(0)),
            "1331": (D(0), D(3000)),
            "3388": (D(0), D(25500)),
            "632": (D(0), D(4500)),
        }
        assert balance(tenant_a, "156") == stock_before - D(25500)
        assert balance(tenant_a, "3388") == grni_before  # inventory's Dr and the note's Cr cancel
        assert Stock.objects.get(product=w.inv.beer, warehouse=w.inv.wh).on_hand == D(17)
        po = o.lines.get()
        assert (po.received_quantity, po.billed_quantity) == (D(7), D(7))
        assert (po.received_value, po.billed_value) == (D(70000), D(70000))
        o.refresh_from_db()
        assert o.status == OrderStatus.PARTIAL  # a replacement may be received
        bill.refresh_from_db()
        assert (bill.credited, bill.status) == (D(33000), BillStatus.UNPAID)
        # more than is left to return on the bill line: refused, nothing written
        with pytest.raises(ValidationError):
            credits.create_credit_note(
                w.manager,
                bill.pk,
                kind="return",
                vendor_credit_no="TL-02",
                lines=[{"bill_line_id": line.pk, "quantity": "8"}],
            )
        assert VendorCreditNote.objects.count() == 1
        # the rest is paid: the bill is settled by payment + credit, the payable is zero
        bills.pay_bill(w.admin, bill.pk)
        bill.refresh_from_db()
        assert (bill.paid, bill.status) == (D(77000), BillStatus.PAID)
        assert balance(tenant_a, "331") == 0
        with pytest.raises(ValidationError):  # nothing left open to credit
            credits.create_credit_note(
                w.manager,
                bill.pk,
                kind="price",
                vendor_credit_no="GG-1",
                lines=[{"bill_line_id": line.pk, "quantity": "1", "unit_price": "100"}],
            )


def test_lower_price_credit_note_and_expense_credit(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        _o, bill = _billed(w)
        line = bill.lines.get()
        note = credits.create_credit_note(
            w.staff,
            bill.pk,
            kind="price",
            vendor_credit_no="GG-01",
            lines=[{"bill_line_id": line.pk, "quantity": "10", "unit_price": "500"}],
        )
        # 10 × 500 = 5,000 + VAT 500
        assert ledger_lines(tenant_a, CREDIT_SOURCE, note.pk) == {
            "331": (D(5500), D(0)),
            "1331": (D(0), D(500)),
            "632": (D(0), D(5000)),
        }
        with pytest.raises(ValidationError):  # more than what is left of the line (100,000 − 5,000)
            credits.create_credit_note(
                w.staff,
                bill.pk,
                kind="price",
                vendor_credit_no="GG-02",
                lines=[{"bill_line_id": line.pk, "quantity": "10", "unit_price": "9501"}],
            )
        expense = bills.create_bill(
            w.staff,
            vendor_id=w.vendor.pk,
            vendor_invoice_no="DV-1",
            lines=[{"description": "Thuê kho", "unit_price": "2000000", "expense_role": "admin_expense"}],
        )
        bills.post_bill(w.staff, expense.pk)
        note = credits.create_credit_note(
            w.staff,
            expense.pk,
            kind="price",
            vendor_credit_no="GG-03",
            lines=[{"bill_line_id": expense.lines.get().pk, "quantity": "1", "unit_price": "200000"}],
        )
        assert ledger_lines(tenant_a, CREDIT_SOURCE, note.pk) == {
            "331": (D(220000), D(0)),
            "1331": (D(0), D(20000)),
            "6422": (D(0), D(200000)),
        }
        with pytest.raises(ValidationError):  # an expense has no goods to send back
            credits.create_credit_note(
                w.manager,
                expense.pk,
                kind="return",
                vendor_credit_no="TL-9",
                lines=[{"bill_line_id": expense.lines.get().pk, "quantity": "1"}],
            )


def test_credit_note_refusals_and_roles(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        o = approved(w, beer_line(w, 10))
        actions.receive_order(w.keeper, o.pk)
        draft = bills.create_bill(w.staff, order_id=o.pk, vendor_invoice_no="1")
        row = [{"bill_line_id": draft.lines.get().pk, "quantity": "1"}]
        with pytest.raises(ValidationError):  # a draft bill is not credited
            credits.create_credit_note(w.manager, draft.pk, kind="return", vendor_credit_no="x", lines=row)
        bills.post_bill(w.staff, draft.pk)
        with pytest.raises(PermissionDenied):  # returns: Purchase Manager (Purchase Staff has no returns right)
            credits.create_credit_note(w.staff, draft.pk, kind="return", vendor_credit_no="x", lines=row)
        with pytest.raises(PermissionDenied):  # Warehouse Staff returns goods but records no credit note
            credits.create_credit_note(w.keeper, draft.pk, kind="return", vendor_credit_no="x", lines=row)
        with pytest.raises(ValidationError):
            credits.create_credit_note(w.manager, draft.pk, kind="gift", vendor_credit_no="x", lines=row)
        with pytest.raises(ValidationError):
            credits.create_credit_note(w.manager, draft.pk, kind="return", vendor_credit_no="", lines=row)
        with pytest.raises(ValidationError):
            credits.create_credit_note(
                w.manager, draft.pk, kind="return", vendor_credit_no="x", lines=[{"bill_line_id": 0, "quantity": "1"}]
            )
        assert VendorCreditNote.objects.count() == 0


def test_credit_note_api(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        _o, bill = _billed(w)
        line_id = bill.lines.get().pk
    manager, staff = ApiClient(tenant_a, w.manager.user), ApiClient(tenant_a, w.staff.user)
    body = {"kind": "return", "vendor_credit_no": "TL-1", "lines": [{"bill_line_id": line_id, "quantity": "2"}]}
    assert staff.post(f"{URL}/bills/{bill.pk}/credit-notes", body).status_code == 403
    r = manager.post(f"{URL}/bills/{bill.pk}/credit-notes", body)
    assert r.status_code == 201, r.json()
    assert D(r.json()["total"]) == D(22000) and r.json()["kind"] == "return"
    bad = {**body, "lines": [{"bill_line_id": line_id, "quantity": "99"}]}
    assert manager.post(f"{URL}/bills/{bill.pk}/credit-notes", bad).status_code == 400
    assert manager.post(f"{URL}/bills/{bill.pk}/credit-notes", {**body, "kind": "x"}).status_code == 422
    assert manager.post(f"{URL}/bills/999999/credit-notes", body).status_code == 404
    price = {
        "kind": "price",
        "vendor_credit_no": "GG",
        "lines": [{"bill_line_id": line_id, "quantity": "8", "unit_price": "100"}],
    }
    assert staff.post(f"{URL}/bills/{bill.pk}/credit-notes", price).status_code == 201
    notes = staff.get(f"{URL}/bills/{bill.pk}/credit-notes").json()
    assert [n["kind"] for n in notes] == ["return", "price"]
    got = staff.get(f"{URL}/bills/{bill.pk}").json()
    assert D(got["credited"]) == D(22000) + D(880)
