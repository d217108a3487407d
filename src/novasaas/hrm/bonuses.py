"""Bonuses and deductions of a month (``hrm.bonus.manage``, HR Manager).

A row is one employee's bonus (taxable or not: a PIT matter only; bonuses are never in the insurance
salary), advance repayment or other deduction (after tax, off the net) of one month. ``generate_payroll``
reads them (``selectors.adjustments_of_month`` → ``payroll_rules.compute``). A month whose payroll is
approved refuses new, changed or removed rows; a change to a month with a generated draft marks the
draft stale (``generated_at`` cleared) so it must be generated again before approval.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.hrm.actions import _money, _text
from novasaas.hrm.models import Employee, PayAdjustment, PayAdjustmentKind, PayrollPeriod, PayrollStatus
from novasaas.hrm.payroll import _month
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.models import Tenant


def _open_month(tenant: Tenant, year: int, month: int) -> None:
    """Refuse a month whose payroll is approved; mark a generated draft stale (locked: an approval
    running at the same time waits and then sees it stale)."""
    period = PayrollPeriod.objects.select_for_update().filter(tenant=tenant, year=year, month=month).first()
    if period is None:
        return
    if period.status != PayrollStatus.DRAFT:
        raise ValidationError(
            {"month": [_("The payroll of %(p)s is approved: its bonuses and deductions are final.") % {"p": period}]}
        )
    if period.generated_at is not None:
        period.generated_at = None
        period.save(update_fields=["generated_at"])


def _clean(tenant: Tenant, data: dict[str, Any], current: PayAdjustment | None = None) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}

    def take(fn: Any, *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
            return None

    out: dict[str, Any] = {}
    if current is None or "employee_id" in data:
        emp_id = data.get("employee_id")
        employee = None
        if isinstance(emp_id, int) and 0 < emp_id < 2**63:
            employee = Employee.objects.filter(tenant=tenant, pk=emp_id).first()
        if employee is None:
            errors.setdefault("employee_id", []).append(_("Choose an employee."))
        out["employee"] = employee
    if current is None or "year" in data or "month" in data:
        ym = take(
            _month,
            data.get("year", current.year if current else None),
            data.get("month", current.month if current else None),
        )
        if ym:
            out["year"], out["month"] = ym
    if current is None or "kind" in data:
        if data.get("kind") not in PayAdjustmentKind.values:
            errors.setdefault("kind", []).append(_("Choose a bonus, an advance repayment or another deduction."))
        out["kind"] = data.get("kind")
    if current is None or "amount" in data:
        amount = take(_money, data.get("amount"), "amount")
        if amount is not None and amount <= 0:
            errors.setdefault("amount", []).append(_("Enter an amount above zero."))
        out["amount"] = amount
    if current is None or "reason" in data:
        out["reason"] = take(_text, data.get("reason"), "reason", 300, required=True)
    if "taxable" in data:
        out["taxable"] = bool(data["taxable"])
    if errors:
        raise ValidationError(errors)
    kind = out.get("kind", current.kind if current else None)
    if kind != PayAdjustmentKind.BONUS:
        out["taxable"] = False  # a deduction is after tax: the flag means nothing there
    elif current is None and "taxable" not in data:
        out["taxable"] = True
    return out


@transaction.atomic
def create_adjustment(p: Principal, **data: Any) -> PayAdjustment:
    """Record a bonus or deduction of an employee's month. Refused (nothing written): an unknown employee,
    a bad month or amount, no reason, a month whose payroll is approved."""
    p.require("hrm.bonus.manage")
    values = _clean(p.tenant, data)
    _open_month(p.tenant, values["year"], values["month"])
    row = PayAdjustment.objects.create(tenant=p.tenant, created_by=p.user, **values)
    audit.record_created(row, p.user)
    return row


@transaction.atomic
def update_adjustment(p: Principal, adjustment_id: int, **data: Any) -> PayAdjustment:
    """Change a bonus or deduction; both its old and its new month must be open."""
    p.require("hrm.bonus.manage")
    row = PayAdjustment.objects.select_for_update().get(tenant=p.tenant, pk=adjustment_id)
    values = _clean(p.tenant, data, row)
    _open_month(p.tenant, row.year, row.month)
    if (values.get("year", row.year), values.get("month", row.month)) != (row.year, row.month):
        _open_month(p.tenant, values["year"], values["month"])
    before = audit.snapshot(row)
    for key, value in values.items():
        setattr(row, key, value)
    row.save()
    audit.record_updated(row, p.user, before)
    return row


@transaction.atomic
def delete_adjustment(p: Principal, adjustment_id: int) -> None:
    p.require("hrm.bonus.manage")
    row = PayAdjustment.objects.select_for_update().get(tenant=p.tenant, pk=adjustment_id)
    _open_month(p.tenant, row.year, row.month)
    before = audit.snapshot(row)
    audit.record_deleted(row, p.user, before)
    row.delete()
