"""Time-and-materials billing (spec §11.4, PM → CRM): a draft sales order for the project's customer
from the approved billable hours and approved billable expenses not billed yet.

One line per person and hourly bill rate ("<name>: 12.5 h", quantity = hours, unit price = the bill
rate frozen at the timesheet's approval) and one per expense (quantity 1). The order is created through
Sales' own ``create_order`` (its numbering, totals, VAT 10 % by default on service lines, audit) with a
principal of the same user holding only ``crm.order.create`` and ``crm.order.view_all``; the hours and
expenses then carry the order's id, so a second draft bills only what is new. The project row is locked
first, so two drafts at once cannot bill the same hours twice. The sales order stays a draft: Sales
confirms, delivers (services) and invoices it as any other order.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.models import AuditAction
from novasaas.projects import selectors
from novasaas.projects.models import (
    BillingType,
    ExpenseStatus,
    Project,
    ProjectExpense,
    TimesheetEntry,
    TimesheetStatus,
)


def _sales_delegate(p: Principal) -> Principal:
    return Principal(
        tenant=p.tenant,
        user=p.user,
        membership=None,
        permissions=frozenset({"crm.order.create", "crm.order.view_all", "crm.customer.view"}),
        via="pm",
    )


def unbilled(project: Project) -> tuple[list[TimesheetEntry], list[ProjectExpense]]:
    entries = list(
        TimesheetEntry.objects.filter(
            timesheet__project=project,
            timesheet__status=TimesheetStatus.APPROVED,
            is_billable=True,
            billed_order_id__isnull=True,
        )
        .select_related("timesheet__user")
        .order_by("timesheet__user__email", "bill_rate", "id")
    )
    expenses = list(
        ProjectExpense.objects.filter(
            project=project, status=ExpenseStatus.APPROVED, is_billable=True, billed_order_id__isnull=True
        ).order_by("date", "id")
    )
    return entries, expenses


def _person(user: Any) -> str:
    name = (user.get_full_name() or "").strip() if hasattr(user, "get_full_name") else ""
    return name or user.email


@transaction.atomic
def draft_sales_order(p: Principal, project_id: int) -> Any:
    """Draft the sales order of a time-and-materials project's unbilled approved hours and expenses.
    Needs ``pm.timesheet.approve`` on a project the principal sees, the CRM module, the project's
    customer being a Sales customer; refuses (400) when nothing is left to bill."""
    p.require("pm.timesheet.approve")
    project = selectors.visible_projects(p).get(pk=project_id)
    project = Project.objects.select_for_update().get(pk=project.pk)
    if not p.tenant.has_module("CRM"):
        raise ValidationError(_("Billing a project needs the Sales (CRM) module."))
    if project.billing_type != BillingType.TIME_AND_MATERIALS:
        raise ValidationError(_("Only time-and-materials projects are billed from their hours."))
    if project.customer_id is None:
        raise ValidationError({"customer_id": [_("Set the project's customer first.")]})
    if p.user is None:
        raise PermissionDenied(_("Only a signed-in member can bill a project."))
    from novasaas.sales import actions as sales_actions
    from novasaas.sales import selectors as sales_selectors

    delegate = _sales_delegate(p)
    customer = sales_selectors.visible_customers(delegate).filter(party_id=project.customer_id, is_active=True).first()
    if customer is None:
        raise ValidationError({"customer_id": [_("The project's customer is not an active Sales customer.")]})
    entries, expenses = unbilled(project)
    if not entries and not expenses:
        raise ValidationError(_("No approved billable hours or expenses are left to bill."))
    hours: dict[tuple[str, Decimal], Decimal] = defaultdict(Decimal)
    for entry in entries:
        hours[(_person(entry.timesheet.user), entry.bill_rate)] += entry.hours
    lines: list[dict[str, Any]] = []
    for (person, rate), total in hours.items():
        lines.append(
            {
                "description": f"{project.code} — {person}: {total.normalize():f} h"[:300],
                "quantity": str(total),
                "unit_price": str(rate),
            }
        )
    for expense in expenses:
        lines.append(
            {
                "description": f"{project.code} — {expense.description}"[:300],
                "quantity": "1",
                "unit_price": str(expense.amount),
            }
        )
    order = sales_actions.create_order(
        delegate,
        customer_id=customer.pk,
        lines=lines,
        note=_("Time and materials of project %(code)s") % {"code": project.code},
    )
    TimesheetEntry.objects.filter(pk__in=[e.pk for e in entries]).update(billed_order_id=order.pk)
    ProjectExpense.objects.filter(pk__in=[e.pk for e in expenses]).update(billed_order_id=order.pk)
    audit.record(
        AuditAction.UPDATE,
        actor=p.user,
        obj=project,
        message=f"billed {len(entries)} time entries and {len(expenses)} expenses in sales order {order.number}",
    )
    return order
