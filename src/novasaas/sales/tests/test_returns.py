"""Customer returns (stock back at the cost it left, COGS reversed), credit notes (revenue, VAT and the
receivable reversed), over-payment kept as customer credit and used on the next invoice — to the đồng."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from novasaas.inventory import ledger
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client
from novasaas.sales import actions, deliveries, returns
from novasaas.sales.models import CustomerCreditEntry, InvoiceStatus, SalesCreditNote, SalesReturn
from novasaas.sales.subscribers import CREDIT_NOTE_SOURCE
from novasaas.sales.tests.helpers import beer_line, ledger_lines, order, stock_row, world

D = Decimal
URL = "/api/v1/sales"


def _sold(w, qty=4, price="15000"):
    o = order(w, beer_line(w, qty, price, vat_code="VAT10"))
    actions.confirm_order(w.staff, o.pk)
    delivery = deliveries.deliver_order(w.staff, o.pk)
    invoice = deliveries.invoice_order(w.staff, o.pk)
    return o, delivery, invoice


def test_return_brings_stock_back_at_its_cost_and_credit_note_reverses_the_sale(tenant_a):
    from novasaas.accounting.selectors import party_balance

    with tenant_context(tenant_a):
        w = world(tenant_a, 20)  # at 10,000 each
        o, delivery, invoice = _sold(w)  # 4 × 15,000 = 60,000 + 6,000 VAT
        assert invoice.total == D(66000) and stock_row(w).on_hand == D(16)
        dline = delivery.lines.get()
        ret = returns.return_goods(w.staff, delivery.pk, lines=[{"line_id": dline.pk, "quantity": "1"}])
        ret.refresh_from_db()
        assert stock_row(w).on_hand == D(17) and ret.receipt_id
        assert ret.lines.get().unit_cost == D(10000)
        assert ledger_lines(tenant_a, "inventory.receipt", ret.receipt_id) == {
            "156": (D(10000), 0),
            "632": (0, D(10000)),
        }
        with pytest.raises(ValidationError):  # 3 left to come back
            returns.return_goods(w.staff, delivery.pk, lines=[{"line_id": dline.pk, "quantity": "4"}])

        iline = invoice.lines.get()
        note = returns.credit_invoice(
            w.staff, invoice.pk, lines=[{"line_id": iline.pk, "quantity": "1"}], return_id=ret.pk
        )
        assert (note.untaxed, note.vat, note.total) == (D(15000), D(1500), D(16500))
        assert ledger_lines(tenant_a, CREDIT_NOTE_SOURCE, note.pk) == {
            "5111": (D(15000), 0),
            "33311": (D(1500), 0),
            "131": (0, D(16500)),
        }
        invoice.refresh_from_db()
        assert invoice.credited == D(16500)
        assert party_balance(tenant_a, w.customer.party_id).receivable == D(49500)
        # pay what is left; the rest of the line credited later takes what is left of it
        actions.receive_payment(w.staff, invoice.pk, amount="49500")
        invoice.refresh_from_db()
        assert invoice.status == InvoiceStatus.PAID
        rest = returns.credit_invoice(w.staff, invoice.pk)  # everything not yet credited: 3 beers
        assert rest.total == D(49500)
        invoice.refresh_from_db()
        # paid 49,500 that the invoice no longer owes: the customer's credit
        assert invoice.paid == 0 and invoice.credited == invoice.total
        assert returns.credit_balance(w.customer) == D(49500)
        assert party_balance(tenant_a, w.customer.party_id).receivable == D(-49500)
        with pytest.raises(ValidationError):
            returns.credit_invoice(w.staff, invoice.pk)  # nothing left to credit
        assert ledger.ledger_differences() == []


def test_over_payment_becomes_credit_used_on_the_next_invoice(tenant_a):
    from novasaas.accounting.selectors import party_balance

    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        _o, _d, first = _sold(w, 2)  # 33,000
        actions.receive_payment(w.staff, first.pk, amount="50000")
        first.refresh_from_db()
        assert first.status == InvoiceStatus.PAID and first.paid == D(33000)
        assert returns.credit_balance(w.customer) == D(17000)
        assert party_balance(tenant_a, w.customer.party_id).receivable == D(-17000)
        _o2, _d2, second = _sold(w, 2)  # 33,000 more
        with pytest.raises(ValidationError):
            returns.apply_credit(w.staff, second.pk, amount="17001")
        payment = returns.apply_credit(w.staff, second.pk)
        assert payment.amount == D(17000) and payment.method == "credit"
        second.refresh_from_db()
        assert second.paid == D(17000) and second.status == InvoiceStatus.POSTED
        assert returns.credit_balance(w.customer) == 0
        assert CustomerCreditEntry.objects.count() == 2
        assert party_balance(tenant_a, w.customer.party_id).receivable == D(16000)
        with pytest.raises(ValidationError):
            returns.apply_credit(w.staff, second.pk)  # no credit left


def test_api_and_pages_for_returns_and_credit_notes(tenant_a, admin_a):
    with tenant_context(tenant_a):
        w = world(tenant_a, 20)
        _o, delivery, invoice = _sold(w)
        dline, iline = delivery.lines.get().pk, invoice.lines.get().pk
    api = ApiClient(tenant_a, admin_a)
    r = api.post(f"{URL}/deliveries/{delivery.pk}/returns", {"lines": [{"line_id": dline, "quantity": "1"}]})
    assert r.status_code == 201, r.content
    back = f"{URL}/deliveries/{delivery.pk}/returns"
    assert api.post(back, {"lines": [{"line_id": dline, "quantity": "9"}]}).status_code == 400
    assert api.post(back, {"lines": [{"line_id": 10**9, "quantity": "1"}]}).status_code == 400
    r = api.post(f"{URL}/invoices/{invoice.pk}/credit-notes", {"lines": [{"line_id": iline, "quantity": "1"}]})
    assert r.status_code == 201 and D(r.json()["total"]) == D(16500)
    assert api.get(f"{URL}/credit-notes").json()["count"] == 1 and api.get(f"{URL}/returns").json()["count"] == 1
    assert D(api.get(f"{URL}/invoices/{invoice.pk}").json()["credited"]) == D(16500)
    assert api.post(f"{URL}/invoices/{invoice.pk}/apply-credit", {}).status_code == 400  # no credit
    assert api.post(f"{URL}/invoices/{invoice.pk}/payments", {"amount": "60000"}).status_code == 201
    assert D(api.get(f"{URL}/customers/{w.customer.pk}/balance").json()["credit"]) == D(10500)
    accountant = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert accountant.get(f"{URL}/credit-notes").status_code == 403
    web = web_client(tenant_a, admin_a)
    assert web.get(f"/sales/invoices/{invoice.pk}/").status_code == 200
    assert web.get(f"/sales/deliveries/{delivery.pk}/").status_code == 200
    r = web.post(f"/sales/deliveries/{delivery.pk}/return/", {f"qty_{dline}": "1", "reason": "Vỡ"})
    assert r.status_code == 302
    assert web.post(f"/sales/deliveries/{delivery.pk}/return/", {f"qty_{dline}": "9"}).status_code == 400
    r = web.post(f"/sales/invoices/{invoice.pk}/credit/", {f"qty_{iline}": "1", "reason": "Trả hàng"})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert SalesReturn.objects.count() == 2 and SalesCreditNote.objects.count() == 2
    assert web.post(f"/sales/invoices/{invoice.pk}/nonsense/").status_code == 404
