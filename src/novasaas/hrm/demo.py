"""Demo data of HRM: two departments, positions, six employees with contracts (one on a net salary, one
with two dependants, one casual) — the staff of the demo distributor, sized to its year's trade — and
the payroll of every month of the demo year from January 2026 (the first month with statutory rows) up
to the previous month, generated, approved and paid on the 5th of the next month (posted to the demo
ledger when the tenant has ACC, which then books no salaries of its own for those months:
``accounting.demo.payroll_in_hrm``). The previous month is approved and not paid yet. Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from novasaas.platform import demo
from novasaas.platform.demo import demo_start
from novasaas.platform.tenancy import tenant_context

# (name, department, position, salary, basis, contract kind)
STAFF = [
    ("Nguyễn Văn An", "HC", "TP", 12_000_000, "gross", "indefinite"),
    ("Trần Thị Bình", "HC", "NV", 7_000_000, "net", "indefinite"),
    ("Lê Hoàng Cường", "KD", "TP", 9_500_000, "gross", "indefinite"),  # two dependants
    ("Phạm Thu Dung", "KD", "NV", 6_500_000, "gross", "indefinite"),
    ("Hoàng Minh Đức", "KD", "NV", 6_000_000, "gross", "indefinite"),
    ("Vũ Thị Giang", "KD", "NV", 5_500_000, "gross", "casual"),
]
NAMES = [row[0] for row in STAFF]


def _member(tenant: Any, role: str) -> Any:
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership, MembershipRole

    ids = MembershipRole.objects.filter(role__code=role).values_list("membership_id", flat=True)
    membership = Membership.objects.select_related("tenant", "user").filter(pk__in=ids).order_by("pk").first()
    return principal_for(membership) if membership is not None else None


def load_demo_hrm(tenant: Any) -> None:
    from novasaas.hrm import actions, payroll
    from novasaas.hrm.models import Department, PayrollPeriod

    with tenant_context(tenant), transaction.atomic():
        if Department.objects.filter(code="HC").exists():
            return
        admin = _member(tenant, "tenant_admin")
        if admin is None:
            raise RuntimeError("the demo tenant has no Tenant Admin")
        office = actions.save_department(admin, code="HC", name="Phòng Hành chính - Kế toán")
        sales = actions.save_department(admin, code="KD", name="Phòng Kinh doanh", cost_account="6421")
        staff_pos = actions.save_position(admin, code="NV", name="Nhân viên")
        lead_pos = actions.save_position(admin, code="TP", name="Trưởng phòng")
        today = timezone.localdate()
        month_start = today.replace(day=1)
        # the month before today, but not before the first month with statutory rows (2026)
        last_month_end = max(month_start - dt.timedelta(days=1), dt.date(2026, 1, 31))
        hired = dt.date(last_month_end.year - 1, 1, 5)
        casual_start = last_month_end.replace(day=1)
        depts = {"HC": office, "KD": sales}
        for i, (name, dept, pos, salary, basis, kind) in enumerate(STAFF):
            emp = actions.create_employee(
                admin,
                full_name=name,
                department_id=depts[dept].pk,
                position_id=(lead_pos if pos == "TP" else staff_pos).pk,
                region="I" if i % 3 else "II",
                hired_on=hired.isoformat(),
                email=f"nv{i + 1:02d}@demo.novasaas.vn",
                bank_name="Vietcombank",
                bank_account=f"00710000{i + 1:05d}",
            )
            if i == 2:
                actions.add_dependant(
                    admin, emp.pk, full_name="Lê Minh Châu", relationship="Con", registered_from=hired
                )
                actions.add_dependant(
                    admin, emp.pk, full_name="Lê Minh Khôi", relationship="Con", registered_from=hired
                )
            casual = kind == "casual"
            actions.create_contract(
                admin,
                emp.pk,
                kind=kind,
                start_date=(casual_start if casual else hired).isoformat(),
                end_date=(casual_start + dt.timedelta(days=60)).isoformat() if casual else None,
                salary=str(salary),
                salary_basis=basis,
                allowances=[{"kind": "meal", "amount": "730000"}, {"kind": "phone", "amount": "300000"}]
                if i % 2 == 0
                else [{"kind": "responsibility", "amount": "1000000"}],
            )
        if PayrollPeriod.objects.exists():
            return
        # every month of the demo year (platform.demo.demo_start, as accounting's entries) from 2026 on
        first = max(demo_start(today), dt.date(2026, 1, 1))
        while first <= last_month_end:
            period = payroll.generate_payroll(admin, first.year, first.month)
            payroll.approve_payroll(admin, period.pk)
            next_first = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
            pay_day = next_first.replace(day=5)
            if pay_day <= today and first < casual_start:
                payroll.pay_payroll(admin, period.pk, date=pay_day.isoformat())
            first = next_first


demo.register_loader("HRM", load_demo_hrm, order=30)  # after Accounting's chart
