"""Demo data of Projects: two projects with a team, phases, tasks with a dependency, a week of
timesheets (approved on the first project) and an approved expense (idempotent)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.utils import timezone

from novasaas.platform import demo
from novasaas.platform.tenancy import tenant_context


def _member(tenant: Any, role: str) -> Any:
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership, MembershipRole

    ids = MembershipRole.objects.filter(role__code=role).values_list("membership_id", flat=True)
    membership = Membership.objects.select_related("tenant", "user").filter(pk__in=ids).order_by("pk").first()
    return principal_for(membership) if membership is not None else None


def load_demo_projects(tenant: Any) -> None:
    from novasaas.projects import actions, timesheets
    from novasaas.projects.models import Project

    with tenant_context(tenant), transaction.atomic():
        if Project.objects.filter(code="DA-WEB").exists():
            return
        admin = _member(tenant, "tenant_admin")
        if admin is None:
            raise RuntimeError("the demo tenant has no Tenant Admin")
        pm = _member(tenant, "project_manager") or admin
        team = [x for x in (_member(tenant, r) for r in ("employee", "accountant", "sales_staff")) if x is not None]
        monday = timezone.localdate() - dt.timedelta(days=timezone.localdate().weekday() + 7)
        specs = [
            ("DA-WEB", "Website bán hàng cho Công ty Minh Phát", "time_materials", "300000000", "0"),
            ("DA-ERP", "Triển khai ERP nội bộ", "fixed_price", "500000000", "650000000"),
        ]
        for n, (code, name, billing, budget, contract) in enumerate(specs):
            project = actions.save_project(
                admin,
                code=code,
                name=name,
                manager_id=pm.user.pk,
                billing_type=billing,
                budget=budget,
                contract_amount=contract,
                status="active",
                start_date=monday - dt.timedelta(days=14),
                end_date=monday + dt.timedelta(days=90),
            )
            actions.save_member(
                admin, project.pk, user_id=pm.user.pk, role="manager", cost_rate="250000", bill_rate="600000"
            )
            for member in team:
                actions.save_member(
                    admin, project.pk, user_id=member.user.pk, role="member", cost_rate="150000", bill_rate="400000"
                )
            design = actions.save_phase(
                admin,
                project.pk,
                name="Phân tích và thiết kế",
                start_date=monday - dt.timedelta(days=14),
                end_date=monday + dt.timedelta(days=14),
            )
            build = actions.save_phase(
                admin,
                project.pk,
                name="Xây dựng",
                start_date=monday + dt.timedelta(days=15),
                end_date=monday + dt.timedelta(days=70),
            )
            actions.save_milestone(
                admin, project.pk, name="Nghiệm thu thiết kế", due_date=monday + dt.timedelta(days=14)
            )
            worker = team[0] if team else pm
            t1 = actions.save_task(
                admin,
                project.pk,
                title="Khảo sát yêu cầu",
                phase_id=design.pk,
                assignee_id=worker.user.pk,
                estimate_hours="16",
                start_date=monday,
                due_date=monday + dt.timedelta(days=4),
                status="done",
            )
            t2 = actions.save_task(
                admin,
                project.pk,
                title="Thiết kế giao diện",
                phase_id=design.pk,
                assignee_id=worker.user.pk,
                estimate_hours="24",
                start_date=monday + dt.timedelta(days=5),
                due_date=monday + dt.timedelta(days=12),
                status="in_progress",
            )
            actions.save_task(
                admin,
                project.pk,
                title="Màn hình đăng nhập",
                parent_id=t2.pk,
                assignee_id=worker.user.pk,
                estimate_hours="4",
            )
            t3 = actions.save_task(
                admin,
                project.pk,
                title="Lập trình chức năng chính",
                phase_id=build.pk,
                assignee_id=pm.user.pk,
                estimate_hours="80",
                start_date=monday + dt.timedelta(days=15),
                due_date=monday + dt.timedelta(days=45),
                priority="high",
            )
            actions.add_dependency(admin, t2.pk, t1.pk)
            actions.add_dependency(admin, t3.pk, t2.pk)
            for day in range(5):
                timesheets.log_time(worker, task_id=t1.pk, date=monday + dt.timedelta(days=day), hours="6", note="")
            sheet = timesheets.submit_timesheet(
                worker, timesheets.log_time(worker, task_id=t2.pk, date=monday, hours="2").timesheet_id
            )
            if n == 0 and worker is not pm:
                timesheets.approve_timesheet(pm, sheet.pk)
                expense = timesheets.add_expense(
                    pm, project.pk, date=monday, description="Tên miền và máy chủ", amount="3500000"
                )
                timesheets.approve_expense(pm, expense.pk)


demo.register_loader("PM", load_demo_projects, order=50)
