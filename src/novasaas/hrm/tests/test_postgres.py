"""PostgreSQL only: concurrent payroll generation and approval (the period's unique key and row lock
decide: one month, one approval, one set of ledger entries, never an over-paid salary)."""

from __future__ import annotations

import pytest

from novasaas.hrm import payroll
from novasaas.hrm.models import PayrollLine, PayrollPeriod
from novasaas.hrm.tests.helpers import world
from novasaas.inventory.tests.test_postgres import _race
from novasaas.platform.tenancy import tenant_context

pytestmark = pytest.mark.postgres_only


def test_six_generations_of_one_month_make_one_period(transactional_db, tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
    outcomes = _race(tenant_a, 6, 1, lambda: payroll.generate_payroll(w.hr, 2026, 3))
    assert outcomes == ["ok"] * 6
    with tenant_context(tenant_a):
        assert PayrollPeriod.objects.count() == 1
        assert PayrollLine.objects.count() == 2


def test_six_approvals_of_one_month_approve_and_post_it_once(transactional_db, tenant_a):
    from novasaas.accounting.models import JournalEntry

    with tenant_context(tenant_a):
        w = world(tenant_a)
        period = payroll.generate_payroll(w.hr, 2026, 3)
    outcomes = _race(tenant_a, 6, 1, lambda: payroll.approve_payroll(w.hr, period.pk))
    assert sorted(outcomes) == ["ok"] + ["refused"] * 5
    with tenant_context(tenant_a):
        assert PayrollPeriod.objects.get().status == "approved"
        assert JournalEntry.objects.filter(source_type__startswith="hrm.payroll").count() == 1


def test_eight_partial_payments_at_once_never_overpay(transactional_db, tenant_a):
    """Bob's net is 26,850,000: eight concurrent payments of 5,000,000 to him — the period's row lock
    lets five through and refuses three (over-payment); five entries, 334 of Bob never debited beyond."""
    from decimal import Decimal

    from novasaas.accounting.models import JournalEntry
    from novasaas.hrm.models import SalaryPayment

    with tenant_context(tenant_a):
        w = world(tenant_a)
        period = payroll.generate_payroll(w.hr, 2026, 3)
        payroll.approve_payroll(w.hr, period.pk)
    outcomes = _race(
        tenant_a,
        8,
        1,
        lambda: payroll.pay_payroll(w.hr, period.pk, date="2026-04-05", employee_ids=[w.bob.pk], amount="5000000"),
    )
    assert sorted(outcomes) == ["ok"] * 5 + ["refused"] * 3
    with tenant_context(tenant_a):
        period.refresh_from_db()
        assert period.paid_total == Decimal(25_000_000) and period.paid_on is None
        assert SalaryPayment.objects.count() == 5
        assert JournalEntry.objects.filter(source_type__startswith="hrm.payroll.pay").count() == 5
