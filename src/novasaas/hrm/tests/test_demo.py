"""The HRM demo: 15 employees in two departments with contracts and last month's payroll approved and
posted (the demo company has ACC); loading twice changes nothing."""

from __future__ import annotations

from novasaas.hrm.demo import load_demo_hrm
from novasaas.hrm.models import Department, Employee, PayrollPeriod
from novasaas.platform.tenancy import tenant_context


def test_demo_loads_once(tenant_a):
    load_demo_hrm(tenant_a)
    load_demo_hrm(tenant_a)
    with tenant_context(tenant_a):
        assert Department.objects.count() == 2
        assert Employee.objects.count() == 15
        period = PayrollPeriod.objects.get()
        assert period.status == "approved" and period.lines.count() == 15
        from novasaas.hrm.subscribers import payroll_entries

        entries = payroll_entries(tenant_a, period.pk)
        assert len(entries) == 1
