"""Receivables and payables: open items, allocation, approval, aging, reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from novasaas.accounting import actions, receivables, selectors
from novasaas.accounting.tests.helpers import lines, make_party, principal
from novasaas.accounting.tests.test_api import URL, fm_client
from novasaas.platform.models import OutboxMessage
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client
from novasaas.platform.testing.html import body_rows


def invoice(p, party, amount, day=None, due=None):
    rows = lines(("131", amount, 0, party), ("5111", 0, amount))
    rows[0]["due_date"] = due
    entry = actions.create_entry(p, journal_id="SAL", date=day or timezone.localdate(), lines=rows)
    return actions.post_entry(p, entry.pk)


def test_partial_and_fifo_allocation_keep_open_items_equal_to_balance(tenant_a, today):
    fm = principal(tenant_a, "finance_manager")
    c = make_party(tenant_a)
    first = invoice(fm, c, 1000)
    invoice(fm, c, 500)
    with tenant_context(tenant_a):
        first_line = first.lines.get(account__code="131")
    receivables.record_payment(
        fm, kind="receipt", party_id=c, date=today, amount="300", allocations=[(first_line.pk, "300")]
    )
    items = receivables.open_items(tenant_a, "receivable", party_id=c)
    assert [i.open for i in items] == [Decimal(700), Decimal(500)]
    receivables.record_payment(fm, kind="receipt", party_id=c, date=today, amount="900")  # FIFO
    items = receivables.open_items(tenant_a, "receivable", party_id=c)
    assert [i.open for i in items] == [Decimal(300)]
    receivables.record_payment(fm, kind="receipt", party_id=c, date=today, amount="400")  # overpays by 100
    items = receivables.open_items(tenant_a, "receivable", party_id=c)
    assert sum(i.open for i in items) == selectors.party_balance(tenant_a, c).receivable == Decimal(-100)
    with pytest.raises(ValidationError):
        receivables.record_payment(
            fm, kind="receipt", party_id=c, date=today, amount="10", allocations=[(first_line.pk, "10")]
        )  # already settled


def test_supplier_payment_needs_approval(tenant_a, today):
    fm, acc = principal(tenant_a, "finance_manager"), principal(tenant_a, "accountant")
    v = make_party(tenant_a)
    bill = actions.create_entry(fm, journal_id="PUR", date=today, lines=lines(("156", 800, 0), ("331", 0, 800, v)))
    actions.post_entry(fm, bill.pk)
    pay = receivables.record_payment(acc, kind="payment", party_id=v, date=today, amount="800")
    assert pay.state == "pending" and pay.entry_id is None
    with pytest.raises(PermissionDenied):
        receivables.approve_payment(acc, pay.pk)
    pay = receivables.approve_payment(fm, pay.pk)
    assert pay.state == "posted" and selectors.party_balance(tenant_a, v).payable == 0
    assert receivables.open_items(tenant_a, "payable", party_id=v) == []


def test_aging_buckets_and_reminders(tenant_a, today):
    fm = principal(tenant_a, "finance_manager")
    actions.create_fiscal_year(fm, dt.date(today.year - 1, 1, 1))
    c = make_party(tenant_a, "Khách nợ")
    with tenant_context(tenant_a):
        from novasaas.parties.models import PartyContact

        PartyContact.objects.create(party_id=c, kind="email", value="ketoan@khach.vn", is_primary=True)
    as_of = today
    for days, amount in [(-5, 1), (10, 2), (45, 4), (75, 8), (200, 16)]:
        due = as_of - dt.timedelta(days=days)
        invoice(fm, c, amount, day=min(due, as_of), due=due)
    rows, total = receivables.aging(tenant_a, "receivable", as_of)
    assert total.buckets == {"current": 1, "1_30": 2, "31_60": 4, "61_90": 8, "over_90": 16}
    assert rows[0].party_id == c and rows[0].total == 31
    acc = principal(tenant_a, "accountant")
    reminded = receivables.send_reminders(acc)
    assert reminded == [c]
    with tenant_context(tenant_a):
        msg = OutboxMessage.objects.filter(payload__to="ketoan@khach.vn").get()
    assert "30" in msg.payload["body"], msg.payload["body"]  # overdue: 2 + 4 + 8 + 16, not the current 1


def test_ar_ap_api_and_pages(tenant_a, today):
    c = fm_client(tenant_a)
    party = make_party(tenant_a)
    fm = principal(tenant_a, "finance_manager")
    invoice(fm, party, 1000)
    items = c.get(f"{URL}/open-items", {"kind": "receivable", "party_id": party}).json()
    assert items[0]["open"] == "1000.00"
    r = c.post(
        f"{URL}/payments",
        {
            "kind": "receipt",
            "party_id": party,
            "date": today.isoformat(),
            "amount": "400",
            "allocations": [{"line_id": items[0]["line_id"], "amount": "400"}],
        },
    )
    assert r.status_code == 201 and r.json()["state"] == "posted"
    aging = c.get(f"{URL}/reports/aging").json()
    assert aging["total"]["total"] == "600.00"
    assert c.get(f"{URL}/reports/aging", {"kind": "payable", "format": "xlsx"}).status_code == 200
    assert (
        c.post(
            f"{URL}/payments",
            {
                "kind": "receipt",
                "party_id": party,
                "date": today.isoformat(),
                "amount": "1",
                "allocations": [{"line_id": 999999, "amount": "1"}],
            },
        ).status_code
        == 400
    )
    assert c.post(f"{URL}/reminders", {}).status_code == 200
    outsider = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    assert outsider.get(f"{URL}/reports/aging").status_code == 403
    assert (
        outsider.post(
            f"{URL}/payments", {"kind": "receipt", "party_id": party, "date": today.isoformat(), "amount": "1"}
        ).status_code
        == 403
    )
    web = web_client(tenant_a, c.user)
    # the customer still owes 600 of the 1.000 invoiced, 400 having been received
    aging_rows = body_rows(web.get("/accounting/aging/").content)
    owed = [r for r in aging_rows if any("Hoàng Long" in cell for cell in r)]
    assert len(owed) == 1 and "600" in owed[0], aging_rows
    items = body_rows(web.get(f"/accounting/aging/?kind=receivable&party={party}").content)
    assert any("1.000" in r and "600" in r for r in items), items  # the invoice, open for 600
    xlsx = web.get("/accounting/aging/?format=xlsx")
    assert xlsx.status_code == 200 and xlsx["Content-Type"].startswith("application/vnd.openxml")
    payments = body_rows(web.get("/accounting/payments/").content)
    assert [r for r in payments if "400" in r and any("Hoàng Long" in cell for cell in r)], payments
    r = web.post(
        "/accounting/payments/",
        {
            "kind": "receipt",
            "party_id": party,
            "date": today.isoformat(),
            "amount": "100",
            "method": "cash",
            "memo": "",
        },
    )
    assert r.status_code == 302
    assert web.post("/accounting/aging/reminders/").status_code == 302


def test_payments_are_per_tenant(tenant_a, tenant_b, today):
    fm_b = principal(tenant_b, "finance_manager")
    pb = make_party(tenant_b)
    invoice(fm_b, pb, 10)
    pay = receivables.record_payment(
        principal(tenant_b, "accountant"), kind="payment", party_id=pb, date=today, amount="5"
    )
    a = fm_client(tenant_a)
    assert a.post(f"{URL}/payments/{pay.pk}/approve").status_code == 404
    assert a.get(f"{URL}/payments").json()["count"] == 0
    assert a.get(f"{URL}/open-items", {"party_id": pb}).status_code == 404  # no party of this company
    assert (
        a.post(
            f"{URL}/payments", {"kind": "receipt", "party_id": pb, "date": today.isoformat(), "amount": "1"}
        ).status_code
        == 400
    )


def test_manual_reconciliation(tenant_a, today):
    fm = principal(tenant_a, "finance_manager")
    c = make_party(tenant_a)
    first = invoice(fm, c, 100)
    second = invoice(fm, c, 200)
    # a receipt posted elsewhere (e.g. by a bank import) without allocation
    actions.post_source_document(
        tenant_a, "x.receipt", 1, today, [("bank", 150, 0, None, ""), ("receivable", 0, 150, c, "")]
    )
    items = receivables.open_items(tenant_a, "receivable", party_id=c)
    pay_line = next(i for i in items if i.open < 0).line_id
    with tenant_context(tenant_a):
        second_line = second.lines.get(account__code="131").pk
        first_line = first.lines.get(account__code="131").pk
    api = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    r = api.post(f"{URL}/allocations", {"payment_line_id": pay_line, "invoice_line_id": second_line, "amount": "150"})
    assert r.status_code == 201, r.json()
    assert [i.open for i in receivables.open_items(tenant_a, "receivable", party_id=c)] == [Decimal(100), Decimal(50)]
    r = api.post(f"{URL}/allocations", {"payment_line_id": pay_line, "invoice_line_id": first_line, "amount": "1"})
    assert r.status_code == 400  # nothing left to apply
    assert (
        ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
        .post(f"{URL}/allocations", {"payment_line_id": pay_line, "invoice_line_id": first_line, "amount": "1"})
        .status_code
        == 403
    )


def test_manual_reconciliation_page(tenant_a, today):
    fm = principal(tenant_a, "finance_manager")
    c = make_party(tenant_a)
    inv = invoice(fm, c, 100)
    actions.post_source_document(
        tenant_a, "x.receipt", 2, today, [("bank", 60, 0, None, ""), ("receivable", 0, 60, c, "")]
    )
    web = web_client(tenant_a, create_user(tenant_a, "accountant"))
    page = web.get(f"/accounting/aging/?kind=receivable&party={c}").content.decode()
    assert 'name="payment_line"' in page
    pay = next(i for i in receivables.open_items(tenant_a, "receivable", party_id=c) if i.open < 0)
    with tenant_context(tenant_a):
        inv_line = inv.lines.get(account__code="131").pk
    r = web.post(
        "/accounting/aging/allocate/",
        {
            "payment_line": pay.line_id,
            "invoice_line": inv_line,
            "amount": "60",
            "back": f"/accounting/aging/?party={c}",
        },
    )
    assert r.status_code == 302
    assert [i.open for i in receivables.open_items(tenant_a, "receivable", party_id=c)] == [Decimal(40)]
