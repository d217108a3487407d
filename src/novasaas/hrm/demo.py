"""Demo data of HRM: two departments, positions, 15 employees with contracts (one on a net salary, one
with two dependants, one casual), and the previous month's payroll generated and approved (posted to the
demo ledger when the tenant has ACC). Idempotent."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from novasaas.platform import demo
from novasaas.platform.tenancy import tenant_context

NAMES = [
    "Nguyễn Văn An", "Trần Thị Bình", "Lê Hoàng Cường", "Phạm Thu Dung", "Hoàng Minh Đức",
    "Vũ Thị Giang", "Đặng Quốc Huy", "Bùi Thanh Hương", "Đỗ Văn Khánh", "Hồ Thị Lan",
    "Ngô Đức Mạnh", "Dương Thị Ngọc", "Lý Văn Phúc", "Mai Thị Quỳnh", "Trịnh Văn Sơn",
]  # fmt: skip


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
        for i, name in enumerate(NAMES):
            dept = office if i < 6 else sales
            emp = actions.create_employee(
                admin,
                full_name=name,
                department_id=dept.pk,
                position_id=(lead_pos if i in (0, 6) else staff_pos).pk,
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
            salary = [35_000_000, 12_000_000, 18_500_000, 9_000_000, 15_000_000, 7_500_000][i % 6] + 500_000 * i
            actions.create_contract(
                admin,
                emp.pk,
                kind="casual" if i == 14 else "indefinite",
                start_date=(casual_start if i == 14 else hired).isoformat(),
                end_date=(casual_start + dt.timedelta(days=60)).isoformat() if i == 14 else None,
                salary=str(salary),
                salary_basis="net" if i == 5 else "gross",
                allowances=[{"kind": "meal", "amount": "730000"}, {"kind": "phone", "amount": "300000"}]
                if i % 2 == 0
                else [{"kind": "responsibility", "amount": "1000000"}],
            )
        if not PayrollPeriod.objects.exists():
            period = payroll.generate_payroll(admin, last_month_end.year, last_month_end.month)
            payroll.approve_payroll(admin, period.pk)


demo.register_loader("HRM", load_demo_hrm, order=30)  # after Accounting's chart
