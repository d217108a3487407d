"""Figures users see: balances "as of today" include today's postings, and every page that shows one
agrees with the trial balance. Expected figures are computed by hand in each test."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from novasaas.accounting import actions, reports, selectors
from novasaas.accounting.dashboard import widget_context
from novasaas.accounting.tests.helpers import make_party, post, principal


def test_dashboard_and_balances_include_todays_postings(tenant_a, today):
    fm = principal(tenant_a, "finance_manager")
    actions.ensure_chart(tenant_a)
    customer = make_party(tenant_a)
    post(fm, ("1111", 5_000_000, 0), ("4111", 0, 5_000_000))
    post(fm, ("131", 2_200_000, 0, customer), ("5111", 0, 2_000_000), ("33311", 0, 200_000))
    post(fm, ("6422", 300_000, 0), ("1111", 0, 300_000))
    figures = {str(label): value for label, value in widget_context(fm)["figures"]}
    assert figures["Cash and bank"] == Decimal(4_700_000)
    assert figures["Receivables (131)"] == Decimal(2_200_000)
    assert figures["Revenue this month"] == Decimal(2_000_000)
    assert figures["Expenses this month"] == Decimal(300_000)
    tb = {r.account.code: r.closing_debit - r.closing_credit for r in selectors.trial_balance(tenant_a).rows}
    assert tb["1111"] == figures["Cash and bank"] and tb["131"] == figures["Receivables (131)"]
    bs = {ln.code: ln.current for ln in reports.balance_sheet(tenant_a, today).lines}
    assert bs["110"] == Decimal(4_700_000) and bs["131"] == Decimal(2_200_000)
    assert bs["417"] == Decimal(1_700_000)
    assert reports.current_result(tenant_a, today) == Decimal(1_700_000)
    assert reports.totals_by_prefix(tenant_a, ["111"], end=today) == {"111": Decimal(4_700_000)}


def test_unbalanced_draft_shows_real_totals_and_the_difference(tenant_a, today):
    from django.core.exceptions import ValidationError
    from django.utils import translation

    from novasaas.accounting.tests.helpers import lines
    from novasaas.platform.testing.fixtures import create_user, web_client

    fm = principal(tenant_a, "finance_manager")
    draft = actions.create_entry(
        fm, journal_id="GEN", date=today, lines=lines(("1111", 1_500_000, 0), ("5111", 0, 1_200_000))
    )
    page = web_client(tenant_a, create_user(tenant_a, "finance_manager")).get(f"/accounting/entries/{draft.pk}/")
    text = page.content.decode()
    assert "1.500.000" in text and "1.200.000" in text
    assert "Chưa cân: chênh lệch" in text and ">300.000<" in text
    with translation.override("vi"), pytest.raises(ValidationError) as refused:
        actions.post_entry(fm, draft.pk)
    assert "Nợ 1.500.000, Có 1.200.000" in str(refused.value)
    with translation.override("en"), pytest.raises(ValidationError) as refused_en:
        actions.post_entry(fm, draft.pk)
    assert "debit 1,500,000, credit 1,200,000" in str(refused_en.value)


def test_entry_form_carries_the_live_totals(tenant_a):
    from novasaas.platform.testing.fixtures import create_user, web_client

    page = web_client(tenant_a, create_user(tenant_a, "finance_manager")).get("/accounting/entries/new/")
    text = page.content.decode()
    assert "data-entry-totals" in text and 'data-total="difference"' in text and "entry-totals.js" in text


def test_format_amount_follows_the_language():
    from novasaas.platform.money import format_amount

    assert format_amount(Decimal("100000.00"), locale="vi") == "100.000"
    assert format_amount(Decimal("100000.00"), locale="en") == "100,000"
    assert format_amount(Decimal("12000.50"), "USD", locale="vi") == "12.000,50"
    assert format_amount(Decimal("-2500"), locale="en") == "-2,500"


def test_balance_sheet_shows_wrong_side_balances_gross(tenant_a, today):
    """Circular 133: receivables and payables gross per partner, 333/338 per sub-account, negative cash
    flagged. Netting would give 131 = 90M, 311 = 25M, 313 = 3M and a negative 315 (−4M)."""
    fm = principal(tenant_a, "finance_manager")
    actions.ensure_chart(tenant_a)
    a, b = make_party(tenant_a, "Cửa hàng An"), make_party(tenant_a, "Công ty Bình")
    x, y = make_party(tenant_a, "NCC Xuân"), make_party(tenant_a, "NCC Yến")
    post(fm, ("1121", 1_000_000_000, 0), ("4111", 0, 1_000_000_000))
    post(fm, ("131", 110_000_000, 0, a), ("5111", 0, 100_000_000), ("33311", 0, 10_000_000))
    post(fm, ("1121", 20_000_000, 0), ("131", 0, 20_000_000, b))  # B pays in advance
    post(fm, ("156", 50_000_000, 0), ("1331", 5_000_000, 0), ("331", 0, 55_000_000, x))
    post(fm, ("331", 30_000_000, 0, y), ("1121", 0, 30_000_000))  # advance to vendor Y
    post(fm, ("3334", 7_000_000, 0), ("1121", 0, 7_000_000))  # CIT paid before any is due
    post(fm, ("3388", 4_000_000, 0), ("1111", 0, 4_000_000))  # cash lent out: 1111 goes below zero
    st = reports.balance_sheet(tenant_a, today)
    bs = {ln.code: ln.current for ln in st.lines}
    m = Decimal(1_000_000)
    expected = {
        "110": 979 * m,
        "131": 110 * m,
        "132": 30 * m,
        "134": 4 * m,
        "141": 50 * m,
        "181": 5 * m,
        "182": 7 * m,
        "200": 1185 * m,
        "311": 55 * m,
        "312": 20 * m,
        "313": 10 * m,
        "315": 0,
        "300": 85 * m,
        "411": 1000 * m,
        "417": 100 * m,
        "500": 1185 * m,
    }
    assert {k: bs[k] for k in expected} == expected
    assert st.checks["assets_equal_sources"]
    assert len(st.warnings) == 1 and "1111" in st.warnings[0]
    assert all(ln.current >= 0 for ln in st.lines if ln.code not in ("110",))


def test_income_statement_reversals_are_not_deductions_and_interest_is_shown(tenant_a, today):
    from novasaas.accounting.models import Account
    from novasaas.platform.tenancy import tenant_context

    fm = principal(tenant_a, "finance_manager")
    actions.ensure_chart(tenant_a)
    customer = make_party(tenant_a)
    m = Decimal(1_000_000)
    post(fm, ("131", 100 * m, 0, customer), ("5111", 0, 100 * m))
    wrong = post(fm, ("131", 30 * m, 0, customer), ("5111", 0, 30 * m), memo="entered twice")
    actions.reverse_entry(fm, wrong.pk, date=today)
    post(fm, ("5111", 5 * m, 0), ("131", 0, 5 * m, customer), memo="trade discount")  # a real deduction
    with tenant_context(tenant_a):
        parent = Account.objects.get(code="635")
    actions.create_account(fm, parent_id=parent.pk, code="6351", name_vi="Chi phí lãi vay")
    actions.create_account(fm, parent_id=parent.pk, code="6358", name_vi="Chi phí tài chính khác")
    post(fm, ("6351", 2 * m, 0), ("1121", 0, 2 * m))
    post(fm, ("6358", 3 * m, 0), ("1121", 0, 3 * m))
    inc = {ln.code: ln.current for ln in reports.income_statement(tenant_a, today, today).lines}
    assert (inc["01"], inc["02"], inc["10"]) == (100 * m, 5 * m, 95 * m)
    assert (inc["22"], inc["23"]) == (5 * m, 2 * m)
    assert inc["30"] == 90 * m and inc["60"] == 90 * m


def test_non_deductible_input_vat_moves_into_the_cost(tenant_a, today):
    """Two cash invoices of one seller on one day: 2,200,000 + 3,300,000 ≥ 5,000,000, so neither VAT is
    deductible and both leave 1331 for stock; reversing the second makes the first deductible again."""
    from novasaas.accounting.tests.test_taxes import _purchase

    fm = principal(tenant_a, "finance_manager")
    seller = make_party(tenant_a, "NCC Tiền mặt")

    def balances():
        tb = {r.account.code: r.closing_debit - r.closing_credit for r in selectors.trial_balance(tenant_a).rows}
        bs = {ln.code: ln.current for ln in reports.balance_sheet(tenant_a, timezone.localdate()).lines}
        return tb.get("1331", 0), tb.get("156", 0), bs["181"]

    a = _purchase(fm, today, 200_000, seller, cash=True)
    assert balances() == (200_000, 2_000_000, 200_000)
    b = _purchase(fm, today, 300_000, seller, cash=True)
    assert balances() == (0, 5_500_000, 0)
    actions.reverse_entry(fm, b.pk, date=today)
    assert balances() == (200_000, 2_000_000, 200_000)
    assert a.reference
    from novasaas.accounting.integrity import verify_ledger

    assert verify_ledger(tenant_a).ok


def test_vnd_amounts_are_whole_dong_everywhere(tenant_a, today):
    from novasaas.accounting.models import JournalEntry, Payment
    from novasaas.accounting.tests.test_api import URL, entry_payload
    from novasaas.accounting.tests.test_pages import lines_data
    from novasaas.platform.tenancy import tenant_context
    from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

    party = make_party(tenant_a)
    api = ApiClient(tenant_a, create_user(tenant_a, "accountant", "finance_manager"))
    r = api.post(f"{URL}/entries", entry_payload("33333.50"))
    assert r.status_code == 400 and "số nguyên" in str(r.json())
    for path, body in [
        ("revenues", {"date": today.isoformat(), "amount": "33333.50", "partner_id": party, "tax_rate": None}),
        ("expenses", {"date": today.isoformat(), "amount": "33333.50", "settlement": "cash", "tax_rate": None}),
        ("payments", {"kind": "receipt", "party_id": party, "date": today.isoformat(), "amount": "33333.50"}),
    ]:
        r = api.post(f"{URL}/{path}", body)
        assert r.status_code == 400 and "số nguyên" in str(r.json()), (path, r.json())
    web = web_client(tenant_a, create_user(tenant_a, "finance_manager"))
    page = web.post(
        "/accounting/entries/new/",
        {
            "journal": "GEN",
            "date": today.isoformat(),
            "memo": "x",
            **lines_data(("1111", "33333.50", "", None), ("4111", "", "33333.50", None)),
            "save": "1",
        },
    )
    assert page.status_code == 400 and "số nguyên" in page.content.decode()
    with tenant_context(tenant_a):
        assert JournalEntry.objects.count() == 0 and Payment.objects.count() == 0
    # a foreign currency keeps its minor unit
    fm = principal(tenant_a, "finance_manager")
    assert actions.create_entry(
        fm,
        journal_id="GEN",
        date=today,
        lines=[
            {"account": "1122", "debit": "100.50", "credit": 0, "currency": "USD", "exchange_rate": "25000"},
            {"account": "4111", "debit": 0, "credit": "2512500"},
        ],
    )


def test_vat_line_must_match_base_times_rate_and_untaxed_vat_lines_are_flagged(tenant_a, today):
    from django.core.exceptions import ValidationError

    from novasaas.accounting import taxes

    fm = principal(tenant_a, "finance_manager")
    customer = make_party(tenant_a)

    def sale(vat, base, **tax):
        rows = [
            {"account": "131", "debit": Decimal(base + vat), "credit": 0, "partner_id": customer},
            {"account": "5111", "debit": 0, "credit": Decimal(base)},
            {"account": "33311", "debit": 0, "credit": Decimal(vat), "tax_base": Decimal(base), **tax},
        ]
        return actions.create_entry(fm, journal_id="SAL", date=timezone.localdate(), lines=rows)

    with pytest.raises(ValidationError) as refused:
        sale(150_000, 1_000_000, tax_rate="VAT10")  # 10% of 1,000,000 is 100,000
    assert "100,000" in str(refused.value) and "lines[2].tax_base" in refused.value.message_dict
    assert sale(100_005, 1_000_050, tax_rate="VAT10")  # rounding: 100,005 exactly
    assert sale(100_008, 1_000_000, tax_rate="VAT10")  # within the 10 đồng tolerance
    untaxed = actions.post_entry(fm, sale(100_000, 1_000_000).pk)  # VAT line without a rate
    flagged = taxes.untaxed_vat_lines(tenant_a, today, today)
    assert [(f["reference"], f["account"], f["amount"]) for f in flagged] == [
        (untaxed.reference, "33311", Decimal(100_000))
    ]
    post(fm, ("33311", 100_000, 0), ("1121", 0, 100_000))  # paying VAT is no invoice: not flagged
    assert len(taxes.untaxed_vat_lines(tenant_a, today, today)) == 1


def test_accountant_has_no_statements_and_the_refusal_says_why(tenant_a):
    """Spec 7.2: statements and tax reports are Finance Manager functions (docs/accounting.md)."""
    from novasaas.accounting.tests.test_api import URL
    from novasaas.identity.catalogue import PERMISSIONS_BY_CODE
    from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

    acc = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    for path in ("reports/balance-sheet", "reports/income-statement", "reports/cash-flow", "reports/vat-return"):
        r = acc.get(f"{URL}/{path}")
        assert r.status_code == 403, path
        text = str(r.json())
        assert "Quản lý tài chính" in text and "CRUD" not in text and "acc." not in text, text
    assert "Báo cáo tài chính" in str(acc.get(f"{URL}/reports/balance-sheet").json())
    assert acc.get(f"{URL}/reports/trial-balance").status_code == 200  # "Xem sổ sách" stays open
    page = web_client(tenant_a, create_user(tenant_a, "accountant")).get("/accounting/reports/balance-sheet/")
    assert page.status_code == 403
    assert PERMISSIONS_BY_CODE["inv.product.manage"].display("vi").startswith("Quản lý sản phẩm")
    assert PERMISSIONS_BY_CODE["acc.statement.view"].display("en") == "Financial statements"
