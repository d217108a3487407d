"""Bonuses and deductions in the month's pay (figures by hand from the 2026 reference), the payment of an
approved month through accounting (Dr 334 / Cr 112|111), and the un-approval of an unpaid month (its
accrual reversed). Alice: 20,000,000 gross, no dependant (insurance 2,100,000); Bob: 30,000,000, two
dependants (insurance 3,150,000, family deductions 15,500,000 + 2 × 6,200,000 = 27,900,000)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.hrm import bonuses, payroll, reports, selectors
from novasaas.hrm.models import PayrollLine
from novasaas.hrm.tests.helpers import hire, world
from novasaas.inventory.tests.helpers import principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_tenant, create_user, web_client
from novasaas.sales.tests.helpers import ledger_lines

D = Decimal
URL = "/api/v1/hrm"
ZERO = D(0)


def _adjust(hr, employee, kind, amount, *, month=3, taxable=True, reason="Lý do"):
    return bonuses.create_adjustment(
        hr,
        employee_id=employee.pk,
        year=2026,
        month=month,
        kind=kind,
        amount=str(amount),
        taxable=taxable,
        reason=reason,
    )


def _month_with_adjustments(w):
    """March 2026: Alice a taxable bonus of 10 M, an advance repaid 1 M, another deduction 0.5 M; Bob a
    taxable bonus of 3 M and a non-taxable one of 2 M."""
    _adjust(w.hr, w.alice, "bonus", 10_000_000)
    _adjust(w.hr, w.alice, "advance", 1_000_000)
    _adjust(w.hr, w.alice, "deduction", 500_000)
    _adjust(w.hr, w.bob, "bonus", 3_000_000)
    _adjust(w.hr, w.bob, "bonus", 2_000_000, taxable=False)
    return payroll.generate_payroll(w.hr, 2026, 3)


def _sum(tenant, sources, period_id, code):
    debit = credit = ZERO
    for source in sources:
        d, c = ledger_lines(tenant, source, period_id).get(code, (ZERO, ZERO))
        debit, credit = debit + d, credit + c
    return debit, credit


def test_bonuses_and_deductions_to_the_dong(in_tenant_a):
    w = world(in_tenant_a)
    period = _month_with_adjustments(w)
    alice = PayrollLine.objects.get(period=period, employee=w.alice)
    # gross 30 M; insurance on the salary only: 2,100,000; taxable 30 M − 2.1 M = 27.9 M; income taxed
    # 27.9 M − 15.5 M = 12.4 M → 5 % × 10 M + 10 % × 2.4 M = 740,000; net 30 M − 2.1 M − 0.74 M − 1.5 M
    assert (alice.gross, alice.bonus_taxable, alice.insurance_base, alice.employee_insurance) == (
        D(30_000_000),
        D(10_000_000),
        D(20_000_000),
        D(2_100_000),
    )
    assert (alice.taxable_income, alice.assessable_income, alice.pit) == (D(27_900_000), D(12_400_000), D(740_000))
    assert (alice.deductions, alice.advance_repaid, alice.net) == (D(1_500_000), D(1_000_000), D(25_660_000))
    bob = PayrollLine.objects.get(period=period, employee=w.bob)
    # gross 35 M; taxable 30 M + 3 M − 3.15 M = 29.85 M; − 27.9 M = 1.95 M → 97,500; the 2 M is not taxed
    assert (bob.gross, bob.taxable_income, bob.assessable_income, bob.pit, bob.net) == (
        D(35_000_000),
        D(29_850_000),
        D(1_950_000),
        D(97_500),
        D(31_752_500),
    )
    assert bob.employer_total == D(7_050_000)  # 23.5 % of 30 M: the bonuses are not insured
    rows = dict(reports.payslip_rows(alice))
    assert rows["Thưởng chịu thuế"] == D(10_000_000) and rows["Hoàn ứng"] == D(1_000_000)
    assert rows["Khấu trừ khác"] == D(500_000) and rows["Thực lĩnh"] == D(25_660_000)
    register = reports.payroll_register(period)
    assert register.totals["bonuses"] == D(15_000_000) and register.totals["deductions"] == D(1_500_000)
    assert register.totals["net"] == D(25_660_000 + 31_752_500)

    payroll.approve_payroll(w.hr, period.pk)
    ledger = ledger_lines(in_tenant_a, "hrm.payroll.0", period.pk)
    assert ledger["6422"] == (D(30_000_000 + 4_700_000), ZERO)
    assert ledger["6421"] == (D(35_000_000 + 7_050_000), ZERO)
    assert ledger["334"] == (D(2_840_000 + 1_500_000 + 3_247_500), D(65_000_000))
    assert ledger["141"] == (ZERO, D(1_000_000)) and ledger["1388"] == (ZERO, D(500_000))
    assert ledger["3335"] == (ZERO, D(837_500))
    assert sum(d for d, _c in ledger.values()) == sum(c for _d, c in ledger.values())
    assert ledger["334"][1] - ledger["334"][0] == register.totals["net"]


def test_an_approved_month_refuses_bonuses_and_a_change_makes_the_draft_stale(in_tenant_a):
    w = world(in_tenant_a)
    period = payroll.generate_payroll(w.hr, 2026, 3)
    row = _adjust(w.hr, w.alice, "bonus", 1_000_000)
    with pytest.raises(ValidationError, match="lại"):  # "generate again"
        payroll.approve_payroll(w.hr, period.pk)
    period = payroll.generate_payroll(w.hr, 2026, 3)
    assert PayrollLine.objects.get(period=period, employee=w.alice).gross == D(21_000_000)
    payroll.approve_payroll(w.hr, period.pk)
    with pytest.raises(ValidationError) as refused:
        _adjust(w.hr, w.bob, "bonus", 1_000_000)
    assert "month" in refused.value.message_dict
    with pytest.raises(ValidationError):
        bonuses.update_adjustment(w.hr, row.pk, amount="2000000")
    with pytest.raises(ValidationError):
        bonuses.update_adjustment(w.hr, row.pk, month=4)  # moving it out of an approved month too
    with pytest.raises(ValidationError):
        bonuses.delete_adjustment(w.hr, row.pk)
    row.refresh_from_db()
    assert (row.amount, row.month) == (D(1_000_000), 3)
    # another month is open
    _adjust(w.hr, w.bob, "bonus", 1_000_000, month=4)


def test_bad_adjustments_are_refused_and_deductions_above_the_pay_too(in_tenant_a):
    w = world(in_tenant_a)
    for bad in (
        {"amount": "0"},
        {"amount": "-5"},
        {"amount": "abc"},
        {"kind": "gift"},
        {"reason": "  "},
        {"month": 13},
        {"employee_id": 10**9},
    ):
        data = {"employee_id": w.alice.pk, "year": 2026, "month": 3, "kind": "bonus", "amount": "1", "reason": "x"}
        with pytest.raises(ValidationError):
            bonuses.create_adjustment(w.hr, **{**data, **bad})
    assert not selectors.list_adjustments(in_tenant_a).exists()
    _adjust(w.hr, w.alice, "deduction", 25_000_000)
    with pytest.raises(ValidationError, match="Alice"):
        payroll.generate_payroll(w.hr, 2026, 3)
    assert not PayrollLine.objects.filter(period__year=2026, period__month=3).exists()
    with pytest.raises(PermissionDenied):
        _adjust(principal(in_tenant_a, "hr_staff"), w.alice, "bonus", 1)


def test_paying_an_approved_month_posts_334_to_112_once(in_tenant_a):
    w = world(in_tenant_a)
    period = _month_with_adjustments(w)
    with pytest.raises(ValidationError):  # a draft is not paid
        payroll.pay_payroll(w.hr, period.pk, date="2026-04-05", account="bank")
    payroll.approve_payroll(w.hr, period.pk)
    admin = principal(in_tenant_a)
    from novasaas.accounting import banking
    from novasaas.accounting import selectors as ledger

    account = ledger.list_accounts(in_tenant_a).get(code="1121")
    bank = banking.create_bank_account(
        admin, name="VCB lương", bank_name="Vietcombank", number="0071", account_id=account.pk
    )
    assert (f"bank:{bank.pk}", str(bank)) in payroll.payment_accounts(in_tenant_a)
    with pytest.raises(ValidationError):
        payroll.pay_payroll(w.hr, period.pk, date="2026-02-28", account="bank")  # before the month
    with pytest.raises(ValidationError):
        payroll.pay_payroll(w.hr, period.pk, date="2026-04-05", account="bank:999999")
    accountant = principal(in_tenant_a, "accountant")
    paid = payroll.pay_payroll(accountant, period.pk, date="2026-04-05", account=f"bank:{bank.pk}")
    assert (paid.paid_on, paid.payment_method, paid.payment_account) == (dt.date(2026, 4, 5), "bank", str(bank))
    net = D(25_660_000 + 31_752_500)
    payment = ledger_lines(in_tenant_a, "hrm.payroll.pay.0", period.pk)
    assert payment == {"334": (net, ZERO), "1121": (ZERO, net)}
    entry = ledger.entries_for_source(in_tenant_a, "hrm.payroll.pay.0", period.pk)[0]
    assert (entry.date, entry.journal.code) == (dt.date(2026, 4, 5), "BANK")
    # 334 of the month is settled: accrual + payment
    debit, credit = _sum(in_tenant_a, ["hrm.payroll.0", "hrm.payroll.pay.0"], period.pk, "334")
    assert debit == credit == D(65_000_000)
    # per employee (partner) too
    from novasaas.accounting.models import JournalLine

    for emp in (w.alice, w.bob):
        lines = JournalLine.objects.filter(tenant=in_tenant_a, account__code="334", partner_id=emp.party_id)
        assert sum(ln.debit - ln.credit for ln in lines) == ZERO
    with pytest.raises(ValidationError, match="05/04/2026"):
        payroll.pay_payroll(w.hr, period.pk, date="2026-04-06", account="cash")
    assert len(ledger.entries_for_source(in_tenant_a, "hrm.payroll.pay.0", period.pk)) == 1
    with pytest.raises(ValidationError):  # paid: no un-approval
        payroll.unapprove_payroll(w.hr, period.pk, reason="Sai")
    for role in ("hr_staff", "employee", "manager"):
        with pytest.raises(PermissionDenied):
            payroll.pay_payroll(principal(in_tenant_a, role), period.pk, date="2026-04-05", account="cash")


def test_cash_payment_and_without_accounting_the_month_is_only_marked_paid(db, tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        period = payroll.generate_payroll(w.hr, 2026, 3)
        payroll.approve_payroll(w.hr, period.pk)
        payroll.pay_payroll(w.hr, period.pk, date="2026-03-31", account="cash")
        assert ledger_lines(tenant_a, "hrm.payroll.pay.0", period.pk) == {
            "334": (D(44_630_000), ZERO),
            "1111": (ZERO, D(44_630_000)),
        }
    tenant = create_tenant("no-acc-pay", modules=["HRM"])
    with tenant_context(tenant):
        hr = principal(tenant, "hr_manager")
        from novasaas.hrm import actions

        dept = actions.save_department(hr, code="HC", name="HC")
        hire(hr, "Một", dept, 10_000_000)
        period = payroll.generate_payroll(hr, 2026, 3)
        payroll.approve_payroll(hr, period.pk)
        assert [v for v, _l in payroll.payment_accounts(tenant)] == ["bank", "cash"]
        period = payroll.pay_payroll(hr, period.pk, date="2026-04-01", account="bank")
        assert period.paid_on == dt.date(2026, 4, 1)
        from novasaas.accounting.models import JournalEntry
        from novasaas.platform.tenancy import platform_context

        with platform_context():
            assert not JournalEntry.objects.filter(tenant=tenant).exists()


def test_unapprove_reverses_the_accrual_and_the_next_approval_posts_anew(in_tenant_a):
    w = world(in_tenant_a)
    period = payroll.generate_payroll(w.hr, 2026, 3)
    payroll.approve_payroll(w.hr, period.pk)
    with pytest.raises(ValidationError):
        payroll.unapprove_payroll(w.hr, period.pk, reason="  ")
    with pytest.raises(PermissionDenied):
        payroll.unapprove_payroll(principal(in_tenant_a, "hr_staff"), period.pk, reason="Sai")
    with pytest.raises(PermissionDenied):
        payroll.unapprove_payroll(principal(in_tenant_a, "accountant"), period.pk, reason="Sai")
    period = payroll.unapprove_payroll(w.hr, period.pk, reason="Thiếu thưởng tháng 3")
    assert (period.status, period.revision, period.approved_at) == ("draft", 1, None)
    from novasaas.accounting import selectors as ledger
    from novasaas.platform.audit import list_entries

    original = ledger.entries_for_source(in_tenant_a, "hrm.payroll.0", period.pk)[0]
    reversal = ledger.reversals_of(in_tenant_a, original.pk)[0]
    assert reversal.date == dt.date(2026, 3, 31) and "Thiếu thưởng tháng 3" in reversal.memo
    payable = [ln for ln in ledger.entry_lines(in_tenant_a, reversal) if ln.account.code == "334"]
    debit, credit = sum(ln.debit for ln in payable), sum(ln.credit for ln in payable)
    assert (debit, credit) == (D(50_000_000), D(2_100_000 + 120_000 + 3_150_000))  # the mirror image
    assert any("Thiếu thưởng tháng 3" in e.message for e in list_entries(in_tenant_a))
    with pytest.raises(ValidationError):  # a draft is not un-approved
        payroll.unapprove_payroll(w.hr, period.pk, reason="Lại")
    # the month is open again: a bonus, generate, approve → a new entry; the ledger holds only it
    _adjust(w.hr, w.alice, "bonus", 1_000_000)
    period = payroll.generate_payroll(w.hr, 2026, 3)
    payroll.approve_payroll(w.hr, period.pk)
    again = ledger_lines(in_tenant_a, "hrm.payroll.r1.0", period.pk)
    assert again["334"][1] == D(51_000_000)
    debit, credit = ZERO, ZERO
    for entry in (original, reversal):
        for ln in ledger.entry_lines(in_tenant_a, entry):
            if ln.account.code == "334":
                debit, credit = debit + ln.debit, credit + ln.credit
    assert debit == credit  # original and reversal cancel out
    from novasaas.hrm.subscribers import payroll_entries

    assert len(payroll_entries(in_tenant_a, period.pk)) == 3


def test_unapprove_is_refused_in_a_closed_accounting_period(in_tenant_a):
    w = world(in_tenant_a)
    period = payroll.generate_payroll(w.hr, 2026, 3)
    payroll.approve_payroll(w.hr, period.pk)
    from novasaas.accounting import actions as accounting
    from novasaas.accounting.models import FiscalPeriod

    march = FiscalPeriod.objects.get(start_date__lte=dt.date(2026, 3, 31), end_date__gte=dt.date(2026, 3, 31))
    accounting.close_period(principal(in_tenant_a), march.pk)
    with pytest.raises(ValidationError):
        payroll.unapprove_payroll(w.hr, period.pk, reason="Sai")
    period.refresh_from_db()
    assert (period.status, period.revision) == ("approved", 0)


# --- API and pages --------------------------------------------------------------------------------------


def test_adjustments_payment_and_unapproval_through_the_api(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        accountant = create_user(tenant_a, "accountant")
        staff = create_user(tenant_a, "hr_staff")
    hr = ApiClient(tenant_a, w.hr.user)
    body = {"employee_id": w.alice.pk, "year": 2026, "month": 3, "kind": "bonus", "amount": "2000000", "reason": "KPI"}
    r = hr.post(f"{URL}/pay-adjustments", body)
    assert r.status_code == 201, r.json()
    row = r.json()
    assert (row["taxable"], row["employee_code"], D(row["amount"])) == (True, w.alice.code, D(2_000_000))
    assert hr.get(f"{URL}/pay-adjustments", {"year": 2026, "month": 3}).json()["count"] == 1
    assert hr.get(f"{URL}/pay-adjustments/{row['id']}").json()["reason"] == "KPI"
    r = hr.patch(f"{URL}/pay-adjustments/{row['id']}", {"amount": "3000000", "taxable": False})
    assert r.status_code == 200 and D(r.json()["amount"]) == D(3_000_000) and r.json()["taxable"] is False
    assert hr.post(f"{URL}/pay-adjustments", {**body, "amount": "0"}).status_code == 400
    assert hr.post(f"{URL}/pay-adjustments", {**body, "kind": "gift"}).status_code == 422
    assert hr.post(f"{URL}/pay-adjustments", {**body, "reason": "   "}).status_code == 400
    other = hr.post(f"{URL}/pay-adjustments", {**body, "kind": "advance", "amount": "500000"}).json()
    assert other["taxable"] is False  # a deduction is after tax
    assert hr.delete(f"{URL}/pay-adjustments/{other['id']}").status_code == 204
    assert ApiClient(tenant_a, staff).post(f"{URL}/pay-adjustments", body).status_code == 403
    assert ApiClient(tenant_a, staff).get(f"{URL}/pay-adjustments").status_code == 403

    period = hr.post(f"{URL}/payrolls", {"year": 2026, "month": 3}).json()
    assert D(period["total_gross"]) == D(53_000_000)  # 20 M + 30 M + the 3 M bonus
    slip = [ln for ln in hr.get(f"{URL}/payrolls/{period['id']}/lines").json() if ln["employee_id"] == w.alice.pk][0]
    assert D(slip["bonus_non_taxable"]) == D(3_000_000) and D(slip["pit"]) == D(120_000)  # not taxed
    assert hr.post(f"{URL}/payrolls/{period['id']}/approve").status_code == 200
    assert hr.post(f"{URL}/pay-adjustments", body).status_code == 400  # month approved
    pay = ApiClient(tenant_a, accountant)
    choices = pay.get(f"{URL}/payment-accounts").json()
    assert [c["value"] for c in choices] == ["bank", "cash"]
    assert pay.post(f"{URL}/payrolls/{period['id']}/unapprove", {"reason": "x"}).status_code == 403
    assert pay.post(f"{URL}/payrolls/{period['id']}/payment", {"date": "2026-04-05", "account": "x"}).status_code == 400
    r = pay.post(f"{URL}/payrolls/{period['id']}/payment", {"date": "2026-04-05"})
    assert r.status_code == 200, r.json()
    assert (r.json()["paid_on"], r.json()["payment_method"]) == ("2026-04-05", "bank")
    assert pay.post(f"{URL}/payrolls/{period['id']}/payment", {"date": "2026-04-05"}).status_code == 400
    assert hr.post(f"{URL}/payrolls/{period['id']}/unapprove", {"reason": "Sai"}).status_code == 400
    assert (
        ApiClient(tenant_a, staff).post(f"{URL}/payrolls/{period['id']}/payment", {"date": "2026-04-05"}).status_code
        == 403
    )
    assert hr.get(f"{URL}/payslips/{slip['id']}").status_code == 200


def test_pages(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        accountant = create_user(tenant_a, "accountant")
        staff = create_user(tenant_a, "hr_staff")
    web = web_client(tenant_a, w.hr.user)
    r = web.get("/hrm/payroll/adjustments/?year=2026&month=3")
    assert r.status_code == 200
    r = web.post(
        "/hrm/payroll/adjustments/",
        {
            "employee_id": w.alice.pk,
            "year": 2026,
            "month": 3,
            "kind": "bonus",
            "amount": "1.000.000",
            "taxable": "on",
            "reason": "Thưởng",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    r = web.post(
        "/hrm/payroll/adjustments/",
        {"employee_id": w.alice.pk, "year": 2026, "month": 3, "kind": "bonus", "amount": "0", "reason": "Thưởng"},
    )
    assert r.status_code == 400
    with tenant_context(tenant_a):
        row = selectors.list_adjustments(tenant_a).get()
    assert row.amount == D(1_000_000) and row.taxable
    r = web.post(
        f"/hrm/payroll/adjustments/{row.pk}/",
        {"employee_id": w.alice.pk, "year": 2026, "month": 3, "kind": "bonus", "amount": "1500000", "reason": "Thưởng"},
    )
    assert r.status_code == 302
    with tenant_context(tenant_a):
        row.refresh_from_db()
    assert row.amount == D(1_500_000) and not row.taxable
    assert "Thưởng" in web.get("/hrm/payroll/adjustments/?year=2026&month=3").content.decode()
    with tenant_context(tenant_a):
        period = payroll.generate_payroll(w.hr, 2026, 3)
        payroll.approve_payroll(w.hr, period.pk)
        line = PayrollLine.objects.get(period=period, employee=w.alice)
    page = web.get(f"/hrm/payslips/{line.pk}/").content.decode()
    assert "Thưởng" in page and "1.500.000" in page
    # un-approve from the page, approve again, then the accountant pays from the payments page
    assert web.post(f"/hrm/payroll/{period.pk}/unapprove/", {"reason": "Kiểm tra"}).status_code == 302
    with tenant_context(tenant_a):
        period.refresh_from_db()
    assert period.status == "draft"
    web.post(f"/hrm/payroll/{period.pk}/approve/")
    books = web_client(tenant_a, accountant)
    r = books.get("/hrm/payroll/payments/")
    assert r.status_code == 200 and str(period) in r.content.decode()
    assert books.post(f"/hrm/payroll/{period.pk}/pay/", {"date": "01/04/2026", "account": "nope"}).status_code == 400
    assert books.post(f"/hrm/payroll/{period.pk}/pay/", {"date": "05/04/2026", "account": "bank"}).status_code == 302
    with tenant_context(tenant_a):
        period.refresh_from_db()
    assert period.paid_on == dt.date(2026, 4, 5)
    assert "05/04/2026" in web.get(f"/hrm/payroll/{period.pk}/").content.decode()
    assert web_client(tenant_a, staff).get("/hrm/payroll/payments/").status_code == 403
    assert web_client(tenant_a, staff).get("/hrm/payroll/adjustments/").status_code == 403
    assert books.get("/hrm/payroll/adjustments/").status_code == 403
