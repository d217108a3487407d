"""The HRM demo: six employees in two departments with contracts and the payroll of every month of the
demo year from 2026 approved and posted (the demo company has ACC), paid except the last one; loading
twice changes nothing."""

from __future__ import annotations

import datetime as dt

import pytest

from novasaas.hrm.demo import STAFF, load_demo_hrm
from novasaas.hrm.models import Department, Employee, PayrollPeriod
from novasaas.platform.tenancy import tenant_context

pytestmark = pytest.mark.date_sensitive  # the payroll months of the demo year end with the previous month


def test_demo_loads_once(tenant_a, today):
    load_demo_hrm(tenant_a)
    load_demo_hrm(tenant_a)
    with tenant_context(tenant_a):
        assert Department.objects.count() == 2
        assert Employee.objects.count() == len(STAFF) == 6
        periods = list(PayrollPeriod.objects.order_by("year", "month"))
        assert periods and all(p.status == "approved" for p in periods)
        last = periods[-1]
        # the previous month (January 2026 at the earliest) is approved, not paid; every earlier one is paid
        previous = today.replace(day=1) - dt.timedelta(days=1)
        assert (last.year, last.month) == max((previous.year, previous.month), (2026, 1))
        assert last.paid_on is None and last.lines.count() == 6  # the casual worker's month too
        assert all(p.paid_on is not None and p.lines.count() == 5 for p in periods[:-1])
        # the demo year is accounting's (demo_start: the month 371 days back, so 12 or 13 months), from 2026 on
        from novasaas.platform.demo import demo_start

        first = max(demo_start(today), dt.date(2026, 1, 1))
        assert (periods[0].year, periods[0].month) == (first.year, first.month)
        assert len(periods) == (last.year - first.year) * 12 + last.month - first.month + 1  # no month missing
        from novasaas.hrm.subscribers import payroll_entries

        # the accrual, and the payment of every month but the last
        assert [len(payroll_entries(tenant_a, p.pk)) for p in periods] == [2] * (len(periods) - 1) + [1]
