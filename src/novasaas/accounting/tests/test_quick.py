"""Confirm revenue and record expenses (Accountant shortcuts)."""

from __future__ import annotations

from decimal import Decimal

from novasaas.accounting.models import JournalEntry, TaxTransaction
from novasaas.accounting.tests.helpers import make_party
from novasaas.accounting.tests.test_api import URL
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user


def test_revenue_and_expense(tenant_a, today):
    acc = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    customer, vendor = make_party(tenant_a, "KH"), make_party(tenant_a, "NCC")
    r = acc.post(
        f"{URL}/revenues", {"date": today.isoformat(), "amount": "1000000", "partner_id": customer, "tax_rate": "VAT10"}
    )
    assert r.status_code == 201, r.json()
    lines = {(ln["account_code"], ln["debit"], ln["credit"]) for ln in r.json()["lines"]}
    assert lines == {("131", "1100000.00", "0.00"), ("5111", "0.00", "1000000.00"), ("33311", "0.00", "100000.00")}
    r = acc.post(
        f"{URL}/expenses", {"date": today.isoformat(), "amount": "6000000", "settlement": "cash", "tax_rate": "VAT10"}
    )
    assert r.status_code == 201, r.json()
    with tenant_context(tenant_a):
        tx = TaxTransaction.objects.get(direction="input")
        assert tx.tax == Decimal(600000) and not tx.deductible  # >= 5M paid in cash
        assert (
            JournalEntry.objects.filter(state="posted").exclude(source_type="accounting.vat_nondeductible").count() == 2
        )
        # the non-deductible VAT left 1331 for the expense
        move = JournalEntry.objects.get(source_type="accounting.vat_nondeductible")
        assert move.total == Decimal(600000)
    r = acc.post(f"{URL}/expenses", {"date": today.isoformat(), "amount": "1", "settlement": "payable"})
    assert r.status_code == 400  # payable needs the supplier
    r = acc.post(
        f"{URL}/expenses",
        {"date": today.isoformat(), "amount": "100", "partner_id": vendor, "tax_rate": None, "expense_account": "6421"},
    )
    assert r.status_code == 201
    sales = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    assert sales.post(f"{URL}/revenues", {"date": today.isoformat(), "amount": "1"}).status_code == 403


def test_daily_page(tenant_a, today):
    from novasaas.platform.testing.fixtures import web_client

    web = web_client(tenant_a, create_user(tenant_a, "accountant"))
    page = web.get("/accounting/daily/").content.decode()
    # both forms, dated today and proposing the 10% VAT rate
    assert "Xác nhận doanh thu" in page and "Ghi nhận chi phí" in page, page[:2000]
    assert page.count(f'value="{today:%d/%m/%Y}"') == 2
    assert 'name="revenue-amount"' in page and 'name="expense-amount"' in page
    assert page.count('<option value="VAT10" selected>') == 2
    r = web.post(
        "/accounting/daily/",
        {
            "kind": "expense",
            "expense-date": today.isoformat(),
            "expense-amount": "500000",
            "expense-tax_rate": "VAT10",
            "expense-settlement": "bank",
        },
    )
    assert r.status_code == 302, r.content.decode()[:500]
    with tenant_context(tenant_a):
        entry = JournalEntry.objects.get()
        lines = {(ln.account.code, ln.debit, ln.credit) for ln in entry.lines.select_related("account")}
    assert entry.state == "posted" and entry.date == today
    assert lines == {("6422", 500000, 0), ("1331", 50000, 0), ("1121", 0, 550000)}, lines
    shown = web.get(r["Location"]).content.decode()
    assert entry.reference in shown and "550.000" in shown  # the entry posted, as the accountant reads it
    r = web.post(
        "/accounting/daily/",
        {
            "kind": "revenue",
            "revenue-date": today.isoformat(),
            "revenue-amount": "500",
            "revenue-settlement": "receivable",
        },
    )
    assert r.status_code == 400  # a receivable needs the customer: said on the form, nothing posted
    assert "Tài khoản 131 cần chọn đối tượng." in r.content.decode(), r.content.decode()[-3000:]
    assert 'value="500"' in r.content.decode()  # what was typed stays in the form
    with tenant_context(tenant_a):
        assert JournalEntry.objects.count() == 1
    other = web_client(tenant_a, create_user(tenant_a, "sales_staff"))
    assert other.get("/accounting/daily/").status_code == 403
