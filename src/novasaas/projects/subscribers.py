"""Projects' integration with Accounting (spec §11.3 PM → ACC): each project keeps an analytic
dimension ``project:<code>`` so journal and budget lines can carry it, and an approved project expense
is posted (Dr the expense role ``admin_expense`` on the project's dimension / Cr 3388 sundry payables:
what the company owes whoever paid it, settled by a payment voucher in Accounting). Runs only for
tenants with ACC, in the project action's transaction (a refusal, e.g. a locked period, refuses the
approval), through accounting's public dimension functions and ``post_source_document`` (idempotent per
expense), with a principal of the same user holding only ``acc.coa.configure``."""

from __future__ import annotations

from novasaas.accounting.events import PostedOnDimensions
from novasaas.identity.access import Principal
from novasaas.platform.events import subscriber
from novasaas.platform.tenancy import current_tenant
from novasaas.projects.events import ProjectExpenseApproved, ProjectSaved, TimesheetApproved


def _delegate(user_id: int | None) -> Principal:
    from novasaas.identity.models import User
    from novasaas.platform.tenancy import platform_context

    user = None
    if user_id:
        with platform_context():
            user = User.objects.filter(pk=user_id).first()
    return Principal(
        tenant=current_tenant(), user=user, membership=None, permissions=frozenset({"acc.coa.configure"}), via="pm"
    )


@subscriber(ProjectSaved, module="ACC")
def keep_project_dimension(event: ProjectSaved) -> None:
    from novasaas.accounting.dimensions import create_dimension, dimension_by_code, update_dimension

    tenant = current_tenant()
    principal = _delegate(event.user_id)
    dim = dimension_by_code(tenant, "project", event.code)
    if dim is None:
        create_dimension(principal, kind="project", code=event.code, name=event.name)
    elif dim.name != event.name[:120]:
        update_dimension(principal, dim.pk, name=event.name)


EXPENSE_SOURCE = "pm.expense"


@subscriber(ProjectExpenseApproved, module="ACC")
def post_project_expense(event: ProjectExpenseApproved) -> None:
    from decimal import Decimal

    from novasaas.accounting.actions import LineInput
    from novasaas.accounting.posting import post_source_document

    # the project's dimension exists unless ACC was enabled after the project was last saved
    keep_project_dimension(
        ProjectSaved(
            tenant_id=event.tenant_id,
            project_id=event.project_id,
            code=event.code,
            name=event.name,
            user_id=event.user_id,
        )
    )
    amount = Decimal(event.amount)
    memo = f"Chi phí dự án {event.code}: {event.description}"[:200]
    post_source_document(
        current_tenant(),
        EXPENSE_SOURCE,
        event.expense_id,
        event.date,
        [
            LineInput("admin_expense", amount, Decimal(0), memo=memo, dimension=f"project:{event.code}"),
            LineInput("3388", Decimal(0), amount, memo=memo),
        ],
        memo=memo,
        reference=event.code,
    )


@subscriber(TimesheetApproved, module="HRM")
def feed_attendance(event: TimesheetApproved) -> None:
    """PM → HRM (§11.3): the approved hours become the person's attendance (``hrm.attendance``: working
    days without a record only, capped at the schedule's day). Runs only for tenants with HRM."""
    import datetime as dt
    from decimal import Decimal

    from novasaas.hrm.attendance import record_project_time

    minutes: dict[dt.date, int] = {}
    for part in filter(None, event.days.split(",")):
        day, hours = part.split("=")
        minutes[dt.date.fromisoformat(day)] = int(Decimal(hours) * 60)
    record_project_time(current_tenant(), event.user_id, minutes, f"Giờ dự án {event.code} (bảng chấm công đã duyệt)")


@subscriber(PostedOnDimensions, module="PM", after_commit=True)
def watch_budget_on_posting(event: PostedOnDimensions) -> None:
    """ACC → PM (§11.4): a posting on ``project:<code>`` (a purchase bill line charged to the project, a
    journal entry on its dimension) re-checks the project's budget: the 80 %/100 % crossing notifies
    once (``timesheets.check_budget`` records the level reached). Runs only for tenants with PM, after
    the posting commits (outbox), under each project's row lock taken in id order — never inside the
    posting's transaction, which holds accounting's locks that an approval takes after the project's."""
    from django.db import transaction

    from novasaas.projects.models import Project
    from novasaas.projects.timesheets import check_budget

    codes = event.of_kind("project")
    if not codes:
        return
    with transaction.atomic():
        for project in Project.objects.select_for_update().filter(code__in=codes).order_by("pk"):
            check_budget(project)
