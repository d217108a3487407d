"""HRM reads: who sees which employee (HR: everyone; a department manager: their departments' people;
an employee: themself), the statutory rules in force on a day, payroll periods and payslips."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db.models import F, Q, QuerySet
from django.utils.translation import gettext as _

from novasaas.hrm.models import (
    Contract,
    ContractStatus,
    Department,
    Dependant,
    Employee,
    PayAdjustment,
    PayAdjustmentKind,
    PayrollLine,
    PayrollPeriod,
    PitBracket,
    Position,
    RateKey,
    Region,
    StatutoryRate,
)
from novasaas.hrm.payroll_rules import Adjustments, Bracket, Rules
from novasaas.identity.access import Principal
from novasaas.platform.models import Tenant

ZERO = Decimal(0)
HR_VIEW = ("hrm.employee.view", "hrm.employee.manage")


def sees_all(p: Principal) -> bool:
    return p.has_any(*HR_VIEW)


def visible_employees(p: Principal) -> QuerySet[Employee]:
    """HR sees every employee; a holder of ``hrm.team.view`` the people of the departments they manage
    (and sub-departments one level down); anyone else only their own record."""
    qs = Employee.objects.filter(tenant=p.tenant)
    if sees_all(p):
        return qs
    uid = p.user.pk if p.user else -1
    if p.has("hrm.team.view"):
        return qs.filter(Q(department__manager_id=uid) | Q(department__parent__manager_id=uid) | Q(user_id=uid))
    return qs.filter(user_id=uid)


def list_employees(p: Principal, q: str = "", department_id: int | None = None, status: str = "") -> QuerySet[Employee]:
    qs = visible_employees(p).select_related("department", "position")
    if department_id:
        qs = qs.filter(department_id=department_id)
    if status:
        qs = qs.filter(status=status)
    for word in q.split()[:8]:
        qs = qs.filter(Q(code__icontains=word) | Q(full_name__icontains=word) | Q(email__icontains=word))
    return qs.order_by("code")


def get_employee(p: Principal, employee_id: int) -> Employee:
    return visible_employees(p).select_related("department", "position", "party").get(pk=employee_id)  # type: ignore[no-any-return]


def own_employee(p: Principal) -> Employee | None:
    if p.user is None:
        return None
    return Employee.objects.filter(tenant=p.tenant, user_id=p.user.pk).select_related("department").first()


def list_departments(tenant: Tenant, include_inactive: bool = True) -> QuerySet[Department]:
    qs = Department.objects.filter(tenant=tenant).select_related("parent", "manager")
    return qs if include_inactive else qs.filter(is_active=True)


def department_tree(tenant: Tenant) -> list[tuple[int, Department]]:
    """(depth, department) in tree order, for the org chart."""
    departments = list(list_departments(tenant))
    children: dict[int | None, list[Department]] = {}
    for d in departments:
        children.setdefault(d.parent_id, []).append(d)
    out: list[tuple[int, Department]] = []

    def walk(parent: int | None, depth: int) -> None:
        for d in children.get(parent, []):
            out.append((depth, d))
            if depth < 50:
                walk(d.pk, depth + 1)

    walk(None, 0)
    return out


def list_positions(tenant: Tenant) -> QuerySet[Position]:
    return Position.objects.filter(tenant=tenant).select_related("department")


def list_contracts(p: Principal, employee_id: int | None = None) -> QuerySet[Contract]:
    qs = Contract.objects.filter(tenant=p.tenant, employee__in=visible_employees(p)).select_related("employee")
    if employee_id:
        qs = qs.filter(employee_id=employee_id)
    return qs.prefetch_related("allowances")


def get_contract(p: Principal, contract_id: int) -> Contract:
    return list_contracts(p).get(pk=contract_id)  # type: ignore[no-any-return]


def dependants_in_month(employee_ids: list[int], first: dt.date, last: dt.date) -> dict[int, int]:
    """Employee id → dependants registered for (some day of) the month."""
    counts: dict[int, int] = {}
    rows = Dependant.objects.filter(employee_id__in=employee_ids, registered_from__lte=last).filter(
        Q(registered_to__isnull=True) | Q(registered_to__gte=first)
    )
    for emp_id in rows.values_list("employee_id", flat=True):
        counts[emp_id] = counts.get(emp_id, 0) + 1
    return counts


def contracts_for_month(tenant: Tenant, first: dt.date, last: dt.date) -> list[Contract]:
    """The contract of each active employee that covers the month (the latest one when several do)."""
    qs = (
        Contract.objects.filter(tenant=tenant, start_date__lte=last)
        .filter(Q(end_date__isnull=True) | Q(end_date__gte=first))
        .filter(Q(terminated_on__isnull=True) | Q(terminated_on__gte=first))
        .exclude(status=ContractStatus.TERMINATED, terminated_on__isnull=True)
        .select_related("employee", "employee__department")
        .prefetch_related("allowances")
        .order_by("employee_id", "-start_date", "-id")
    )
    chosen: dict[int, Contract] = {}
    for contract in qs:
        chosen.setdefault(contract.employee_id, contract)
    return list(chosen.values())


# --- statutory rules ---------------------------------------------------------------------------------


def _in_force(qs: QuerySet[Any], day: dt.date) -> QuerySet[Any]:
    return qs.filter(valid_from__lte=day).filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))


def rules_on(day: dt.date) -> Rules:
    """The statutory payroll figures in force on ``day``; ``ValidationError`` naming what is missing."""
    values: dict[str, Decimal] = {}
    wages: dict[str, Decimal] = {}
    for row in _in_force(StatutoryRate.objects.all(), day).order_by("valid_from"):
        if row.key == RateKey.MINIMUM_WAGE:
            wages[row.region] = row.value
        else:
            values[row.key] = row.value
    missing: list[str] = [str(k.label) for k in RateKey if k != RateKey.MINIMUM_WAGE and k.value not in values]
    missing += [str(r.label) for r in Region if r.value not in wages]
    brackets = [Bracket(upper=b.upper, rate=b.rate) for b in _in_force(PitBracket.objects.all(), day).order_by("upper")]
    brackets.sort(key=lambda b: (b.upper is None, b.upper or ZERO))
    if not brackets or brackets[-1].upper is not None:
        missing.append(_("PIT brackets"))
    if missing:
        raise ValidationError(
            _("No statutory payroll figure in force on %(d)s for: %(m)s.")
            % {"d": f"{day:%d/%m/%Y}", "m": ", ".join(str(m) for m in missing)}
        )
    return Rules(
        minimum_wage=wages,
        brackets=tuple(brackets),
        **{k: values[k] for k in RateKey.values if k != RateKey.MINIMUM_WAGE},
    )


def list_rates(day: dt.date | None = None) -> QuerySet[StatutoryRate]:
    qs = StatutoryRate.objects.all()
    return _in_force(qs, day) if day else qs


def list_brackets(day: dt.date | None = None) -> QuerySet[PitBracket]:
    qs = PitBracket.objects.order_by("valid_from", F("upper").asc(nulls_last=True))
    return _in_force(qs, day) if day else qs


# --- payroll -----------------------------------------------------------------------------------------


def list_periods(tenant: Tenant) -> QuerySet[PayrollPeriod]:
    return PayrollPeriod.objects.filter(tenant=tenant)


def get_period(tenant: Tenant, period_id: int) -> PayrollPeriod:
    return PayrollPeriod.objects.get(tenant=tenant, pk=period_id)  # type: ignore[no-any-return]


def period_lines(period: PayrollPeriod) -> QuerySet[PayrollLine]:
    return PayrollLine.objects.filter(period=period).select_related("employee", "department").order_by("employee__code")


def own_payslips(p: Principal) -> QuerySet[PayrollLine]:
    """The principal's own payslips of approved periods."""
    uid = p.user.pk if p.user else -1
    return (
        PayrollLine.objects.filter(tenant=p.tenant, employee__user_id=uid, period__status="approved")
        .select_related("period", "employee", "department")
        .order_by("-period__year", "-period__month")
    )


def get_payslip(p: Principal, line_id: int) -> PayrollLine:
    """An employee's own payslip; an HR Manager (payroll generation right) any. Else DoesNotExist (404)."""
    if p.has("hrm.payroll.generate"):
        qs = PayrollLine.objects.filter(tenant=p.tenant).select_related("period", "employee", "department")
    else:
        qs = own_payslips(p)
    return qs.get(pk=line_id)  # type: ignore[no-any-return]


def expiring_contracts(p: Principal, today: dt.date, days: int = 30) -> list[Contract]:
    """Active contracts of the visible employees ending between ``today`` and ``today + days`` that no
    later contract follows (not renewed yet): the expiry warnings of the employee list and the API."""
    qs = (
        list_contracts(p)
        .filter(status=ContractStatus.ACTIVE, end_date__gte=today, end_date__lte=today + dt.timedelta(days=days))
        .order_by("end_date", "employee__code")
    )
    contracts = list(qs[:500])
    later = set(
        Contract.objects.filter(
            tenant=p.tenant, employee_id__in={c.employee_id for c in contracts}, start_date__gt=today
        ).values_list("employee_id", "start_date")
    )
    return [c for c in contracts if not any(e == c.employee_id and s > c.end_date for e, s in later)]  # type: ignore[operator]


def list_adjustments(tenant: Tenant, year: int | None = None, month: int | None = None) -> QuerySet[PayAdjustment]:
    """Bonuses and deductions, newest month first (optionally of one month)."""
    qs = PayAdjustment.objects.filter(tenant=tenant).select_related("employee")
    if year is not None:
        qs = qs.filter(year=year)
    if month is not None:
        qs = qs.filter(month=month)
    return qs


def get_adjustment(tenant: Tenant, adjustment_id: int) -> PayAdjustment:
    return PayAdjustment.objects.select_related("employee").get(tenant=tenant, pk=adjustment_id)  # type: ignore[no-any-return]


def adjustments_of_month(tenant: Tenant, year: int, month: int) -> dict[int, Adjustments]:
    """Employee id → the month's bonuses (taxable, not) and deductions (advance repayments, other)."""
    sums: dict[int, dict[str, Decimal]] = {}
    for row in PayAdjustment.objects.filter(tenant=tenant, year=year, month=month).values_list(
        "employee_id", "kind", "taxable", "amount"
    ):
        emp_id, kind, taxable, amount = row
        bucket = sums.setdefault(emp_id, {})
        if kind == PayAdjustmentKind.BONUS:
            key = "bonus_taxable" if taxable else "bonus_non_taxable"
        elif kind == PayAdjustmentKind.ADVANCE:
            key = "advance"
        else:
            key = "other"
        bucket[key] = bucket.get(key, Decimal(0)) + amount
    return {emp_id: Adjustments(**values) for emp_id, values in sums.items()}


def line_adjustments(line: PayrollLine) -> QuerySet[PayAdjustment]:
    """The bonuses and deductions a payslip includes."""
    return PayAdjustment.objects.filter(
        tenant_id=line.tenant_id, employee_id=line.employee_id, year=line.period.year, month=line.period.month
    )
