"""A month's net salaries paid in several payments: by chosen employees or an amount, each posted Dr 334 /
Cr 112|111 through accounting, what remains shown, the month paid once nothing remains, over-payment
refused. March 2026 (by hand, test_bonuses_payment): Alice net 17,780,000, Bob net 26,850,000 (two
dependants: no PIT) → 44,630,000."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from hypothesis import given, settings
from hypothesis import strategies as st

from novasaas.hrm import payroll
from novasaas.hrm.models import PayrollPeriod, SalaryPayment
from novasaas.hrm.tests.helpers import world
from novasaas.inventory.tests.helpers import principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client
from novasaas.sales.tests.helpers import ledger_lines

D = Decimal
ZERO = D(0)
URL = "/api/v1/hrm"
ALICE, BOB = D(17_780_000), D(26_850_000)


def _approved(w):
    period = payroll.generate_payroll(w.hr, 2026, 3)
    payroll.approve_payroll(w.hr, period.pk)
    return period


def test_paid_in_three_payments_then_settled(in_tenant_a):
    w = world(in_tenant_a)
    period = _approved(w)
    # 1: Alice only, what remains to her
    paid = payroll.pay_payroll(w.hr, period.pk, date="2026-04-05", account="bank", employee_ids=[w.alice.pk])
    assert (paid.paid_total, paid.remaining, paid.paid_on) == (ALICE, BOB, None)
    assert ledger_lines(in_tenant_a, "hrm.payroll.pay.0", period.pk) == {"334": (ALICE, ZERO), "1121": (ZERO, ALICE)}
    rest = {ln.employee_id: (p, r) for ln, p, r in payroll.remaining_by_line(paid)}
    assert rest == {w.alice.pk: (ALICE, ZERO), w.bob.pk: (ZERO, BOB)}
    # 2: part of Bob's pay, in cash
    paid = payroll.pay_payroll(
        w.hr, period.pk, date="2026-04-10", account="cash", employee_ids=[w.bob.pk], amount="10000000"
    )
    assert (paid.paid_total, paid.remaining) == (ALICE + D(10_000_000), BOB - D(10_000_000))
    assert ledger_lines(in_tenant_a, "hrm.payroll.pay2.0", period.pk) == {
        "334": (D(10_000_000), ZERO),
        "1111": (ZERO, D(10_000_000)),
    }
    # refusals change nothing
    for kwargs, field in [
        ({"employee_ids": [w.bob.pk], "amount": "16850001"}, "amount"),  # over-payment
        ({"amount": "16850001"}, "amount"),
        ({"employee_ids": [w.alice.pk]}, "employee_ids"),  # nothing left to Alice
        ({"employee_ids": [999_999]}, "employee_ids"),
        ({"amount": "0"}, "amount"),
        ({"amount": "-5"}, "amount"),
        ({"amount": "1.5"}, "amount"),
    ]:
        with pytest.raises(ValidationError) as exc:
            payroll.pay_payroll(w.hr, period.pk, date="2026-04-11", account="bank", **kwargs)
        assert field in exc.value.message_dict, kwargs
    assert SalaryPayment.objects.filter(period=period).count() == 2
    assert PayrollPeriod.objects.get(pk=period.pk).paid_total == ALICE + D(10_000_000)
    with pytest.raises(ValidationError):  # partly paid: no un-approval
        payroll.unapprove_payroll(w.hr, period.pk, reason="Sai")
    # 3: the rest (Bob's 16,850,000): the month is paid
    paid = payroll.pay_payroll(principal(in_tenant_a, "accountant"), period.pk, date="2026-04-15", account="bank")
    assert (paid.paid_total, paid.remaining, paid.paid_on) == (ALICE + BOB, ZERO, dt.date(2026, 4, 15))
    assert ledger_lines(in_tenant_a, "hrm.payroll.pay3.0", period.pk)["334"] == (D(16_850_000), ZERO)
    from novasaas.accounting.models import JournalLine

    for emp in (w.alice, w.bob):  # 334 settled per employee: accrual and the three payments
        lines = JournalLine.objects.filter(tenant=in_tenant_a, account__code="334", partner_id=emp.party_id)
        assert sum(ln.debit - ln.credit for ln in lines) == ZERO
    with pytest.raises(ValidationError, match="15/04/2026"):
        payroll.pay_payroll(w.hr, period.pk, date="2026-04-16", account="bank", amount="1")


def test_an_amount_alone_is_shared_in_proportion(in_tenant_a):
    w = world(in_tenant_a)
    period = _approved(w)
    with pytest.raises(ValidationError) as exc:  # an amount is for one employee or for everyone
        payroll.pay_payroll(w.hr, period.pk, date="2026-04-05", employee_ids=[w.alice.pk, w.bob.pk], amount="1")
    assert "amount" in exc.value.message_dict
    paid = payroll.pay_payroll(w.hr, period.pk, date="2026-04-05", account="bank", amount="1000001")
    got = {ln.employee_id: p for ln, p, _r in payroll.remaining_by_line(paid)}
    # 1,000,001 × 17,780,000 / 44,630,000 = 398,387.13… → 398,387 (+1 left-over đồng, Alice first by code)
    # 1,000,001 × 26,850,000 / 44,630,000 = 601,613.87… → 601,613
    assert got == {w.alice.pk: D(398_388), w.bob.pk: D(601_613)}
    assert paid.paid_total == D(1_000_001) and paid.paid_on is None
    with pytest.raises(ValidationError, match="43"):  # 43,629,999 remains
        payroll.pay_payroll(w.hr, period.pk, date="2026-04-05", account="bank", amount="43630000")
    paid = payroll.pay_payroll(w.hr, period.pk, date="2026-04-06", account="bank", amount="43629999")
    assert paid.paid_on == dt.date(2026, 4, 6) and paid.remaining == ZERO


def test_roles(in_tenant_a):
    w = world(in_tenant_a)
    period = _approved(w)
    for role in ("hr_staff", "employee", "manager"):
        with pytest.raises(PermissionDenied):
            payroll.pay_payroll(principal(in_tenant_a, role), period.pk, date="2026-04-05", amount="1000")
    assert not SalaryPayment.objects.exists()


class _Line:
    def __init__(self, n):
        self.n = n


@settings(max_examples=200, deadline=None)
@given(
    rests=st.lists(st.integers(min_value=1, max_value=50_000_000), min_size=1, max_size=30),
    data=st.data(),
)
def test_a_shared_amount_is_exact_and_never_overpays(rests, data):
    total = data.draw(st.integers(min_value=1, max_value=sum(rests)))
    lines = [(_Line(i), D(r)) for i, r in enumerate(rests)]
    shares = payroll._split(D(total), lines)
    assert sum(s for _ln, s in shares) == total
    by_line = {ln.n: s for ln, s in shares}
    for i, r in enumerate(rests):
        assert 0 <= by_line.get(i, 0) <= r


def test_partial_payments_through_the_api_and_pages(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        period = _approved(w)
        accountant = create_user(tenant_a, "accountant")
        staff = create_user(tenant_a, "hr_staff")
    books = ApiClient(tenant_a, accountant)
    r = books.post(f"{URL}/payrolls/{period.pk}/payment", {"date": "2026-04-05", "employee_ids": [w.alice.pk]})
    assert r.status_code == 200, r.json()
    assert (D(r.json()["paid_total"]), D(r.json()["remaining"]), r.json()["paid_on"]) == (ALICE, BOB, None)
    r = books.post(f"{URL}/payrolls/{period.pk}/payment", {"date": "2026-04-05", "amount": "26850001"})
    assert r.status_code == 400 and "amount" in r.json()["detail"]
    assert books.post(f"{URL}/payrolls/{period.pk}/payment", {"date": "2026-04-05", "amount": "-1"}).status_code == 422
    bad = {"date": "2026-04-05", "employee_ids": [w.alice.pk]}
    assert books.post(f"{URL}/payrolls/{period.pk}/payment", bad).status_code == 400  # nothing left to Alice
    remaining = {
        row["employee_code"]: D(row["remaining"]) for row in books.get(f"{URL}/payrolls/{period.pk}/remaining").json()
    }
    assert remaining == {w.alice.code: ZERO, w.bob.code: BOB}
    payments = books.get(f"{URL}/payrolls/{period.pk}/payments").json()
    assert [(p["number"], D(p["amount"])) for p in payments] == [(1, ALICE)]
    for user in (staff, w.employee_user):
        api = ApiClient(tenant_a, user)
        assert api.get(f"{URL}/payrolls/{period.pk}/remaining").status_code == 403
        assert api.post(f"{URL}/payrolls/{period.pk}/payment", {"date": "2026-04-05"}).status_code == 403
    web = web_client(tenant_a, accountant)
    page = web.get(f"/hrm/payroll/{period.pk}/payments/")
    assert page.status_code == 200 and "26.850.000" in page.content.decode()
    form = {"partial": "1", "date": "06/04/2026", "account": "bank", "employee_ids": [w.bob.pk], "amount": "30000000"}
    r = web.post(f"/hrm/payroll/{period.pk}/pay/", form)
    assert r.status_code == 400  # over-payment
    r = web.post(f"/hrm/payroll/{period.pk}/pay/", {**form, "amount": "6850000"})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        period.refresh_from_db()
    assert (period.paid_total, period.remaining, period.paid_on) == (ALICE + D(6_850_000), D(20_000_000), None)
    assert "20.000.000" in web.get("/hrm/payroll/payments/").content.decode()
    r = web.post(f"/hrm/payroll/{period.pk}/pay/", {"partial": "1", "date": "07/04/2026", "account": "cash"})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        period.refresh_from_db()
    assert period.paid_on == dt.date(2026, 4, 7) and period.remaining == ZERO
    assert web_client(tenant_a, staff).get(f"/hrm/payroll/{period.pk}/payments/").status_code == 403
