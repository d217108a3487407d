"""Order → confirm (reserve) → deliver (goods issue, COGS) → invoice (Dr 131 / Cr 511x / Cr 33311) →
payment, with stock, reservation and the journal entries checked to the đồng against figures worked
out by hand."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from novasaas.inventory import ledger
from novasaas.inventory.models import Reservation
from novasaas.platform.tenancy import tenant_context
from novasaas.sales import actions, deliveries
from novasaas.sales.models import InvoiceStatus, OrderStatus, SalesInvoice, SalesOrder
from novasaas.sales.subscribers import INVOICE_SOURCE
from novasaas.sales.tests.helpers import beer_line, ledger_lines, order, stock_row, world

D = Decimal


def test_order_to_cash_moves_stock_and_books_to_the_dong(tenant_a):
    from novasaas.accounting.receivables import list_payments, open_items
    from novasaas.accounting.selectors import party_balance

    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        o = order(
            w,
            beer_line(w, 3, "15333", vat_code="VAT10"),  # 45,999 + VAT 4,599.9 → 4,600
            {"description": "Phí giao hàng", "quantity": "1", "unit_price": "30000", "vat_code": "VAT10"},
            beer_line(w, 2, "15000", discount_percent="5", vat_code="VAT5"),  # 28,500 + VAT 1,425
        )
        assert (o.untaxed, o.vat, o.total) == (D(104499), D(9025), D(113524))
        assert o.number.startswith(f"DH-{o.date.year}-")
        assert stock_row(w).reserved == 0  # a draft reserves nothing

        actions.confirm_order(w.staff, o.pk)
        st = stock_row(w)
        assert (st.on_hand, st.reserved, st.available) == (D(20), D(5), D(15))
        assert Reservation.objects.get(for_document=f"crm.salesorder:{o.pk}").quantity == D(5)

        deliveries.deliver_order(w.staff, o.pk)
        o.refresh_from_db()
        st = stock_row(w)
        assert o.status == OrderStatus.DELIVERED and o.issue_id
        assert (st.on_hand, st.reserved) == (D(15), D(0))
        assert Reservation.objects.get(for_document=f"crm.salesorder:{o.pk}").quantity == 0
        # 5 beers at 10,000: cost of goods sold booked by accounting's GoodsIssued subscriber
        assert ledger_lines(tenant_a, "inventory.issue", o.issue_id) == {
            "632": (D(50000), D(0)),
            "156": (D(0), D(50000)),
        }

        invoice = deliveries.invoice_order(w.staff, o.pk)
        assert invoice.number.startswith(f"1C{invoice.date.year % 100:02d}TAA-")
        assert ledger_lines(tenant_a, INVOICE_SOURCE, invoice.pk) == {
            "131": (D(113524), D(0)),
            "5111": (D(0), D(74499)),
            "5113": (D(0), D(30000)),
            "33311": (D(0), D(9025)),
        }
        assert party_balance(tenant_a, w.customer.party_id).receivable == D(113524)

        actions.receive_payment(w.staff, invoice.pk, amount="100000", method="bank")
        actions.receive_payment(w.staff, invoice.pk, amount="13524", method="cash")
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.PAID and invoice.paid == D(113524)
        assert party_balance(tenant_a, w.customer.party_id).receivable == 0
        receipts = sorted(
            (ledger_lines(tenant_a, "accounting.payment", pay.pk) for pay in list_payments(tenant_a)),
            key=lambda lines: sorted(lines),
        )
        assert receipts == [
            {"1111": (D(13524), D(0)), "131": (D(0), D(13524))},
            {"1121": (D(100000), D(0)), "131": (D(0), D(100000))},
        ]
        assert not open_items(tenant_a, "receivable", party_id=w.customer.party_id)
        assert ledger.ledger_differences() == []


def test_cancel_releases_the_reservation(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
        o = order(w, beer_line(w, 4))
        actions.confirm_order(w.staff, o.pk)
        assert stock_row(w).reserved == D(4)
        actions.cancel_order(w.staff, o.pk)
        assert stock_row(w).reserved == 0
        assert SalesOrder.objects.get(pk=o.pk).status == OrderStatus.CANCELLED
        with pytest.raises(ValidationError):
            deliveries.deliver_order(w.staff, o.pk)


def test_confirm_without_enough_stock_is_refused_and_changes_nothing(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 3)
        o = order(w, beer_line(w, 2), beer_line(w, 2))  # 4 wanted, 3 on hand
        with pytest.raises(ValidationError, match="Not enough|Không đủ"):
            actions.confirm_order(w.staff, o.pk)
        assert SalesOrder.objects.get(pk=o.pk).status == OrderStatus.DRAFT
        assert stock_row(w).reserved == 0


def test_steps_out_of_order_are_refused(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 10)
        o = order(w)
        for step in (deliveries.deliver_order, deliveries.invoice_order):
            with pytest.raises(ValidationError):
                step(w.staff, o.pk)
        actions.confirm_order(w.staff, o.pk)
        with pytest.raises(ValidationError):
            actions.confirm_order(w.staff, o.pk)  # the second confirmation of the same order
        assert stock_row(w).reserved == D(2)
        with pytest.raises(ValidationError):
            deliveries.invoice_order(w.staff, o.pk)
        deliveries.deliver_order(w.staff, o.pk)
        with pytest.raises(ValidationError):
            actions.cancel_order(w.staff, o.pk)
        invoice = deliveries.invoice_order(w.staff, o.pk)
        for bad in ("0", "-1", "0.5"):
            with pytest.raises(ValidationError):
                actions.receive_payment(w.staff, invoice.pk, amount=bad)
        actions.receive_payment(w.staff, invoice.pk, amount=str(invoice.total))
        with pytest.raises(ValidationError):
            actions.receive_payment(w.staff, invoice.pk, amount="1")
        assert SalesInvoice.objects.count() == 1


def test_credit_limit_refuses_confirmation_unless_a_manager_approves(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20, credit_limit="60000")
        first = order(w, beer_line(w, 2, "15000", vat_code="VAT10"))  # 33,000
        actions.confirm_order(w.staff, first.pk)
        second = order(w, beer_line(w, 2, "15000", vat_code="VAT10"))  # 33,000 more: 66,000 > 60,000
        with pytest.raises(ValidationError, match="66"):
            actions.confirm_order(w.staff, second.pk)
        with pytest.raises(ValidationError):  # staff cannot approve over the limit
            actions.confirm_order(w.staff, second.pk, approve_over_credit_limit=True)
        assert SalesOrder.objects.get(pk=second.pk).status == OrderStatus.DRAFT
        assert stock_row(w).reserved == D(2)
        actions.confirm_order(w.manager, second.pk, approve_over_credit_limit=True)
        assert stock_row(w).reserved == D(4)


def test_without_inventory_and_accounting_the_flow_is_documents_only(db):
    from novasaas.accounting.models import JournalEntry
    from novasaas.inventory.tests.helpers import principal
    from novasaas.platform.testing.fixtures import create_tenant
    from novasaas.sales.tests.helpers import party

    tenant = create_tenant("crm-only", modules=["CRM"])
    with tenant_context(tenant):
        staff = principal(tenant, "sales_staff")
        customer = actions.create_customer(staff, party_id=party(staff).pk)
        assert customer.salesperson_id == staff.user.pk and customer.code.startswith("KH-")
        with pytest.raises(ValidationError, match="Inventory|Kho"):
            actions.create_order(staff, customer_id=customer.pk, lines=[{"product_id": 1, "quantity": "1"}])
        o = actions.create_order(
            staff,
            customer_id=customer.pk,
            lines=[{"description": "Tư vấn", "quantity": "2", "unit_price": "500000", "vat_code": "VAT10"}],
        )
        actions.confirm_order(staff, o.pk)
        deliveries.deliver_order(staff, o.pk)
        invoice = deliveries.invoice_order(staff, o.pk)
        assert invoice.total == D(1100000)
        actions.receive_payment(staff, invoice.pk, amount="1100000")
        assert not JournalEntry.objects.exists()


def test_merging_parties_moves_the_customer_role(tenant_a):
    from novasaas.inventory.tests.helpers import principal
    from novasaas.parties.actions import merge_parties
    from novasaas.sales.models import Customer
    from novasaas.sales.tests.helpers import party

    with tenant_context(tenant_a):
        w = world(tenant_a, 0)
        admin = principal(tenant_a)
        duplicate = party(w.manager, "Minh Phát (trùng)")
        merge_parties(admin, duplicate.pk, [w.customer.party_id])  # the customer's party merged away
        assert Customer.objects.get(pk=w.customer.pk).party_id == duplicate.pk
        other = actions.create_customer(w.manager, party_id=party(w.manager, "Hoa Mai").pk)
        with pytest.raises(ValidationError, match="KH-"):
            merge_parties(admin, duplicate.pk, [other.party_id])  # both are customers
        assert Customer.objects.get(pk=other.pk).party_id == other.party_id
