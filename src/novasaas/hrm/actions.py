"""HRM actions: departments, positions, employees, dependants, contracts (payroll: ``payroll.py``).

Each action runs in one transaction, takes the principal explicitly and checks its permission; bad input
raises ``ValidationError`` keyed by field (400 on the API, form errors on pages) with nothing written.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.hrm import selectors
from novasaas.hrm.models import (
    COST_ACCOUNTS,
    AllowanceKind,
    Contract,
    ContractKind,
    ContractStatus,
    Department,
    Dependant,
    Employee,
    EmployeeStatus,
    Position,
    ProbationLevel,
    Region,
    SalaryBasis,
    SalaryChange,
)
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.money import decimals_error, to_decimal
from novasaas.platform.numbering import next_number

ZERO = Decimal(0)
EMPLOYEE_PREFIX = "NV"
CONTRACT_PREFIX = "HDLD"
MAX_FIXED_MONTHS = 36
CASUAL_MONTHS = 3
PROBATION_MIN_PERCENT = Decimal(85)
PROBATION_MAX_DAYS = {
    ProbationLevel.MANAGER: 180,
    ProbationLevel.COLLEGE: 60,
    ProbationLevel.VOCATIONAL: 30,
    ProbationLevel.OTHER: 6,
}
NON_TAXABLE_BY_DEFAULT = {AllowanceKind.MEAL, AllowanceKind.PHONE, AllowanceKind.TRAVEL}
Rows = Sequence[Mapping[str, Any]]


def _text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    text = "" if value is None else str(value).strip()
    if required and not text:
        raise ValidationError({field: [_("This field is required.")]})
    if len(text) > max_length:
        raise ValidationError({field: [_("At most %(n)s characters.") % {"n": max_length}]})
    return text


def _money(value: Any, field: str, *, allow_none: bool = False) -> Decimal | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationError({field: [_("This field is required.")]})
    try:
        amount = to_decimal(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: [_("Enter a number.")]}) from exc
    if not amount.is_finite() or amount < 0 or amount >= Decimal("1e13"):
        raise ValidationError({field: [_("Enter an amount of zero or more.")]})
    error = decimals_error(amount, "VND")
    if error:
        raise ValidationError({field: [error]})
    return amount


def _date(value: Any, field: str, *, allow_none: bool = False) -> dt.date | None:
    if value is None or value == "":
        if allow_none:
            return None
        raise ValidationError({field: [_("This field is required.")]})
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ValidationError({field: [_("Enter a valid date.")]}) from exc


def _digits(value: Any, field: str, lengths: tuple[int, ...], label: str) -> str:
    text = _text(value, field, 20).replace(" ", "")
    if text and (not text.isdigit() or len(text) not in lengths):
        raise ValidationError(
            {field: [_("%(label)s has %(n)s digits.") % {"label": label, "n": " / ".join(map(str, lengths))}]}
        )
    return text


def _user_id(p: Principal, value: Any, field: str) -> int | None:
    if value in (None, ""):
        return None
    from novasaas.identity.models import Membership

    if not Membership.objects.filter(tenant=p.tenant, user_id=value, is_active=True).exists():
        raise ValidationError({field: [_("Choose a member of this company.")]})
    return int(value)


# --- departments and positions -----------------------------------------------------------------------


@transaction.atomic
def save_department(p: Principal, department_id: int | None = None, **data: Any) -> Department:
    """Create or update a department; the parent must not be the department or one of its descendants."""
    p.require("hrm.org.manage")
    dept = (
        Department.objects.select_for_update().get(tenant=p.tenant, pk=department_id)
        if department_id
        else Department(tenant=p.tenant)
    )
    before = audit.snapshot(dept) if department_id else None
    if "code" in data or not department_id:
        dept.code = _text(data.get("code"), "code", 20, required=True)
    if "name" in data or not department_id:
        dept.name = _text(data.get("name"), "name", 120, required=True)
    if "cost_account" in data:
        account = data["cost_account"] or "salary_expense"
        if account not in dict(COST_ACCOUNTS):
            raise ValidationError({"cost_account": [_("Choose one of the salary expense accounts.")]})
        dept.cost_account = account
    if "manager_id" in data:
        dept.manager_id = _user_id(p, data["manager_id"], "manager_id")
    if "is_active" in data and data["is_active"] is not None:
        dept.is_active = bool(data["is_active"])
    if "parent_id" in data:
        parent_id = data["parent_id"] or None
        if parent_id is not None:
            parent = Department.objects.filter(tenant=p.tenant, pk=parent_id).first()
            if parent is None:
                raise ValidationError({"parent_id": [_("Choose a department of this company.")]})
            node: Department | None = parent
            for _depth in range(100):
                if node is None:
                    break
                if dept.pk and node.pk == dept.pk:
                    raise ValidationError({"parent_id": [_("A department cannot be inside itself.")]})
                node = node.parent
        dept.parent_id = parent_id
    if Department.objects.filter(tenant=p.tenant, code=dept.code).exclude(pk=dept.pk).exists():
        raise ValidationError({"code": [_("This code is already used.")]})
    dept.save()
    if before is None:
        audit.record_created(dept, p.user)
    else:
        audit.record_updated(dept, p.user, before)
    return dept


@transaction.atomic
def save_position(p: Principal, position_id: int | None = None, **data: Any) -> Position:
    p.require("hrm.org.manage")
    pos = (
        Position.objects.select_for_update().get(tenant=p.tenant, pk=position_id)
        if position_id
        else Position(tenant=p.tenant)
    )
    if "code" in data or not position_id:
        pos.code = _text(data.get("code"), "code", 20, required=True)
    if "name" in data or not position_id:
        pos.name = _text(data.get("name"), "name", 120, required=True)
    if "department_id" in data:
        dept_id = data["department_id"] or None
        if dept_id and not Department.objects.filter(tenant=p.tenant, pk=dept_id).exists():
            raise ValidationError({"department_id": [_("Choose a department of this company.")]})
        pos.department_id = dept_id
    if "is_active" in data and data["is_active"] is not None:
        pos.is_active = bool(data["is_active"])
    if Position.objects.filter(tenant=p.tenant, code=pos.code).exclude(pk=pos.pk).exists():
        raise ValidationError({"code": [_("This code is already used.")]})
    pos.save()
    return pos


# --- employees ---------------------------------------------------------------------------------------

CONTACT_FIELDS = ("email", "phone", "address", "bank_account", "bank_name")
PERSONAL_FIELDS = ("full_name", "date_of_birth", "id_number", "tax_code", "social_insurance_number")
JOB_FIELDS = ("department_id", "position_id", "user_id", "region", "is_resident", "hired_on")


def _apply_employee(p: Principal, emp: Employee, data: Mapping[str, Any], creating: bool) -> None:
    errors: dict[str, list[str]] = {}

    def field(name: str, fn: Any) -> None:
        if name in data or creating:
            try:
                fn()
            except ValidationError as exc:
                for k, v in exc.message_dict.items():
                    errors.setdefault(k, []).extend(v)

    def set_(name: str, value: Any) -> None:
        setattr(emp, name, value)

    field("full_name", lambda: set_("full_name", _text(data.get("full_name"), "full_name", 200, required=True)))
    field("email", lambda: set_("email", _email(data.get("email"))))
    field("phone", lambda: set_("phone", _text(data.get("phone"), "phone", 20)))
    field("address", lambda: set_("address", _text(data.get("address"), "address", 300)))
    field("bank_account", lambda: set_("bank_account", _text(data.get("bank_account"), "bank_account", 30)))
    field("bank_name", lambda: set_("bank_name", _text(data.get("bank_name"), "bank_name", 100)))
    field(
        "date_of_birth",
        lambda: set_("date_of_birth", _date(data.get("date_of_birth"), "date_of_birth", allow_none=True)),
    )
    field("id_number", lambda: set_("id_number", _digits(data.get("id_number"), "id_number", (12,), _("A citizen ID"))))
    field(
        "tax_code",
        lambda: set_("tax_code", _digits(data.get("tax_code"), "tax_code", (10, 12), _("A personal tax code"))),
    )
    field(
        "social_insurance_number",
        lambda: set_(
            "social_insurance_number",
            _digits(
                data.get("social_insurance_number"), "social_insurance_number", (10,), _("A social insurance number")
            ),
        ),
    )
    if "department_id" in data or creating:
        dept = Department.objects.filter(tenant=p.tenant, pk=data.get("department_id") or 0).first()
        if dept is None:
            errors.setdefault("department_id", []).append(_("Choose a department of this company."))
        else:
            emp.department = dept
    if data.get("position_id") not in (None, ""):
        if not Position.objects.filter(tenant=p.tenant, pk=data["position_id"]).exists():
            errors.setdefault("position_id", []).append(_("Choose a position of this company."))
        else:
            emp.position_id = int(data["position_id"])
    elif "position_id" in data:
        emp.position_id = None
    field("user_id", lambda: set_("user_id", _user_id(p, data.get("user_id"), "user_id")))
    if "region" in data or creating:
        region = data.get("region") or Region.I
        if region not in Region.values:
            errors.setdefault("region", []).append(_("Choose region I, II, III or IV."))
        else:
            emp.region = region
    if data.get("is_resident") is not None:
        emp.is_resident = bool(data["is_resident"])
    field("hired_on", lambda: set_("hired_on", _date(data.get("hired_on"), "hired_on")))
    if emp.date_of_birth and emp.hired_on and emp.date_of_birth > emp.hired_on:
        errors.setdefault("date_of_birth", []).append(_("The date of birth is after the hiring date."))
    if emp.user_id and Employee.objects.filter(tenant=p.tenant, user_id=emp.user_id).exclude(pk=emp.pk).exists():
        errors.setdefault("user_id", []).append(_("This user account is already linked to another employee."))
    if errors:
        raise ValidationError(errors)


def _email(value: Any) -> str:
    from django.core.validators import validate_email

    text = _text(value, "email", 254)
    if text:
        try:
            validate_email(text)
        except ValidationError as exc:
            raise ValidationError({"email": [_("Enter a valid email address.")]}) from exc
    return text


def _party_principal(p: Principal) -> Principal:
    # the HR right authorised the hire; the directory entry is written with only the party right
    return Principal(
        tenant=p.tenant, user=p.user, membership=None, permissions=frozenset({"core.parties.edit"}), via="hrm"
    )


@transaction.atomic
def create_employee(p: Principal, **data: Any) -> Employee:
    """Hire: a person party (code NV…) in the directory and the employee record, all or nothing."""
    p.require("hrm.employee.manage")
    from novasaas.parties.actions import create_party

    emp = Employee(tenant=p.tenant)
    _apply_employee(p, emp, data, creating=True)
    party = create_party(
        _party_principal(p), name=emp.full_name, kind="person", id_number=emp.id_number, role="employee"
    )
    emp.party = party
    emp.code = f"{EMPLOYEE_PREFIX}{next_number('hrm.employee'):05d}"
    emp.save()
    audit.record_created(emp, p.user)
    return emp


@transaction.atomic
def update_employee(p: Principal, employee_id: int, **data: Any) -> Employee:
    """HR Manager: every field. HR Staff (``hrm.employee.update_contact``): contact fields only."""
    if not p.has("hrm.employee.manage"):
        p.require("hrm.employee.update_contact")
        refused = sorted(k for k in data if k not in CONTACT_FIELDS)
        if refused:
            raise ValidationError({k: [_("Only the HR Manager changes this field.")] for k in refused})
    emp = selectors.visible_employees(p).select_for_update().get(pk=employee_id)
    before = audit.snapshot(emp)
    _apply_employee(p, emp, data, creating=False)
    emp.save()
    audit.record_updated(emp, p.user, before)
    return emp


@transaction.atomic
def record_leaving(p: Principal, employee_id: int, left_on: Any) -> Employee:
    p.require("hrm.employee.manage")
    emp = Employee.objects.select_for_update().get(tenant=p.tenant, pk=employee_id)
    day = _date(left_on, "left_on")
    assert day is not None
    if day < emp.hired_on:
        raise ValidationError({"left_on": [_("The leaving date is before the hiring date.")]})
    emp.left_on, emp.status = day, EmployeeStatus.LEFT
    emp.save(update_fields=["left_on", "status"])
    return emp


@transaction.atomic
def add_dependant(p: Principal, employee_id: int, **data: Any) -> Dependant:
    p.require("hrm.employee.manage")
    emp = Employee.objects.get(tenant=p.tenant, pk=employee_id)
    start = _date(data.get("registered_from"), "registered_from")
    end = _date(data.get("registered_to"), "registered_to", allow_none=True)
    assert start is not None
    if end is not None and end < start:
        raise ValidationError({"registered_to": [_("The end is before the start.")]})
    return Dependant.objects.create(
        tenant=p.tenant,
        employee=emp,
        full_name=_text(data.get("full_name"), "full_name", 200, required=True),
        relationship=_text(data.get("relationship"), "relationship", 50, required=True),
        id_number=_text(data.get("id_number"), "id_number", 20),
        registered_from=start,
        registered_to=end,
    )


@transaction.atomic
def remove_dependant(p: Principal, dependant_id: int) -> None:
    p.require("hrm.employee.manage")
    Dependant.objects.get(tenant=p.tenant, pk=dependant_id).delete()


# --- contracts ---------------------------------------------------------------------------------------


def _add_months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    year, month = day.year + month // 12, month % 12 + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, d)
        except ValueError:
            continue
    raise ValueError(day)


def _check_term(kind: str, start: dt.date, end: dt.date | None, level: str, errors: dict[str, list[str]]) -> None:
    if kind == ContractKind.INDEFINITE:
        if end is not None:
            errors.setdefault("end_date", []).append(_("An indefinite-term contract has no end date."))
        return
    if end is None:
        errors.setdefault("end_date", []).append(_("This kind of contract needs an end date."))
        return
    if end < start:
        errors.setdefault("end_date", []).append(_("The end is before the start."))
        return
    if kind == ContractKind.FIXED and end >= _add_months(start, MAX_FIXED_MONTHS):
        errors.setdefault("end_date", []).append(
            _("A fixed-term contract lasts at most 36 months (Labour Code 2019, art. 20).")
        )
    if kind == ContractKind.CASUAL and end >= _add_months(start, CASUAL_MONTHS):
        errors.setdefault("end_date", []).append(_("A casual contract lasts less than 3 months."))
    if kind == ContractKind.PROBATION:
        if level not in PROBATION_MAX_DAYS:
            errors.setdefault("probation_level", []).append(_("Choose the job level of the probation."))
        elif (end - start).days + 1 > PROBATION_MAX_DAYS[ProbationLevel(level)]:
            errors.setdefault("end_date", []).append(
                _("Probation for this job lasts at most %(n)s days (Labour Code 2019, art. 25).")
                % {"n": PROBATION_MAX_DAYS[ProbationLevel(level)]}
            )


def _allowances(rows: Any, errors: dict[str, list[str]]) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    if rows in (None, ""):
        return out
    if not isinstance(rows, list) or len(rows) > 50:
        errors.setdefault("allowances", []).append(_("Give at most 50 allowances as a list."))
        return out
    for i, row in enumerate(rows):
        key = f"allowances[{i}]"
        if not isinstance(row, Mapping):
            errors.setdefault(key, []).append(_("Give kind and amount."))
            continue
        kind = row.get("kind")
        if kind not in AllowanceKind.values:
            errors.setdefault(f"{key}.kind", []).append(_("Choose a kind of allowance."))
            continue
        try:
            amount = _money(row.get("amount"), f"{key}.amount")
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
            continue
        taxable = row.get("taxable")
        if taxable is None:
            taxable = kind not in NON_TAXABLE_BY_DEFAULT
        out.append({"kind": kind, "amount": amount, "taxable": bool(taxable)})
    return out


@transaction.atomic
def create_contract(p: Principal, employee_id: int, **data: Any) -> Contract:
    """Sign a contract. Refused: a term longer than the Labour Code allows for its kind, probation below
    85% of the job's salary, a gross salary below the region's minimum wage (from the statutory rows),
    a period overlapping another active contract of the employee."""
    p.require("hrm.contract.manage")
    emp = Employee.objects.select_for_update().get(tenant=p.tenant, pk=employee_id)
    errors: dict[str, list[str]] = {}

    def take(fn: Any, *args: Any, **kw: Any) -> Any:
        try:
            return fn(*args, **kw)
        except ValidationError as exc:
            for k, v in exc.message_dict.items():
                errors.setdefault(k, []).extend(v)
            return None

    kind = data.get("kind")
    if kind not in ContractKind.values:
        errors.setdefault("kind", []).append(_("Choose the kind of contract."))
    basis = data.get("salary_basis") or SalaryBasis.GROSS
    if basis not in SalaryBasis.values:
        errors.setdefault("salary_basis", []).append(_("Choose gross or net."))
    start = take(_date, data.get("start_date"), "start_date")
    end = take(_date, data.get("end_date"), "end_date", allow_none=True)
    salary = take(_money, data.get("salary"), "salary")
    job_salary = take(_money, data.get("job_salary"), "job_salary", allow_none=True)
    insurance_salary = take(_money, data.get("insurance_salary"), "insurance_salary", allow_none=True)
    level = data.get("probation_level") or ""
    allowances = _allowances(data.get("allowances"), errors)
    if kind in ContractKind.values and start is not None:
        _check_term(kind, start, end, level, errors)
    if kind == ContractKind.PROBATION and salary is not None:
        if job_salary is None:
            errors.setdefault("job_salary", []).append(_("Enter the salary of the job the probation is for."))
        elif salary * 100 < job_salary * PROBATION_MIN_PERCENT:
            errors.setdefault("salary", []).append(
                _("Probation pay is at least %(p)s%% of the job's salary (Labour Code 2019, art. 26).")
                % {"p": PROBATION_MIN_PERCENT}
            )
    if start is not None and salary is not None and basis == SalaryBasis.GROSS and kind != ContractKind.CASUAL:
        try:
            wage = selectors.rules_on(start).minimum_wage[emp.region]
        except ValidationError:
            wage = None
        if wage is not None and salary < wage:
            errors.setdefault("salary", []).append(
                _("The salary is below the regional minimum wage (%(w)s đ).") % {"w": f"{wage:,.0f}".replace(",", ".")}
            )
    if start is not None and start < emp.hired_on:
        errors.setdefault("start_date", []).append(_("The contract starts before the hiring date."))
    if not errors and start is not None:
        for other in Contract.objects.filter(tenant=p.tenant, employee=emp, status=ContractStatus.ACTIVE):
            other_end = other.end_date
            if other.start_date <= (end or dt.date.max) and (other_end is None or other_end >= start):
                errors.setdefault("start_date", []).append(
                    _("The employee has another active contract in this period (%(n)s): terminate it first.")
                    % {"n": other.number}
                )
                break
    if errors:
        raise ValidationError(errors)
    insured = data.get("insured")
    if insured is None:
        insured = kind in (ContractKind.INDEFINITE, ContractKind.FIXED)
    assert isinstance(kind, str)
    contract = Contract.objects.create(
        tenant=p.tenant,
        employee=emp,
        number=f"{CONTRACT_PREFIX}-{start.year}-{next_number('hrm.contract', str(start.year)):04d}",
        kind=kind,
        probation_level=level if kind == ContractKind.PROBATION else "",
        start_date=start,
        end_date=end,
        salary=salary,
        salary_basis=basis,
        job_salary=job_salary,
        insurance_salary=insurance_salary,
        insured=bool(insured),
    )
    for row in allowances:
        contract.allowances.create(tenant=p.tenant, **row)
    SalaryChange.objects.create(
        tenant=p.tenant,
        employee=emp,
        contract=contract,
        effective_from=start,
        salary=salary,
        salary_basis=basis,
        reason=_text(data.get("reason"), "reason", 200) or _("Contract %(n)s signed") % {"n": contract.number},
    )
    audit.record_created(contract, p.user)
    return contract


@transaction.atomic
def terminate_contract(p: Principal, contract_id: int, terminated_on: Any, reason: Any) -> Contract:
    p.require("hrm.contract.manage")
    contract = Contract.objects.select_for_update().get(tenant=p.tenant, pk=contract_id)
    if contract.status != ContractStatus.ACTIVE:
        raise ValidationError(_("This contract is already terminated."))
    day = _date(terminated_on, "terminated_on")
    text = _text(reason, "reason", 300, required=True)
    assert day is not None
    if day < contract.start_date:
        raise ValidationError({"terminated_on": [_("The termination date is before the start.")]})
    before = audit.snapshot(contract)
    contract.status, contract.terminated_on, contract.termination_reason = ContractStatus.TERMINATED, day, text
    contract.save(update_fields=["status", "terminated_on", "termination_reason"])
    audit.record_updated(contract, p.user, before)
    return contract


def contract_kind_choices() -> list[tuple[str, str]]:
    return [(k.value, str(k.label)) for k in ContractKind]


@transaction.atomic
def renew_contract(p: Principal, contract_id: int, **data: Any) -> Contract:
    """Sign the contract that follows an active contract with an end date: it starts the day after, with
    the same salary basis, insurance salary and allowances unless given (``kind``, ``end_date``,
    ``salary``). Labour Code 2019 art. 20(2): a fixed-term contract is renewed as fixed term only once —
    the employee's third contract in a row must be indefinite. The old contract runs to its end."""
    p.require("hrm.contract.manage")
    old = Contract.objects.select_for_update().get(tenant=p.tenant, pk=contract_id)
    if old.status != ContractStatus.ACTIVE:
        raise ValidationError(_("This contract is already terminated."))
    if old.end_date is None:
        raise ValidationError(_("An indefinite-term contract has no end: there is nothing to renew."))
    kind = data.get("kind") or ContractKind.INDEFINITE
    if kind == ContractKind.FIXED:
        fixed = Contract.objects.filter(tenant=p.tenant, employee_id=old.employee_id, kind=ContractKind.FIXED).count()
        if fixed >= 2:
            raise ValidationError(
                {
                    "kind": [
                        _(
                            "The employee has had two fixed-term contracts: the next one is indefinite "
                            "(Labour Code 2019, art. 20)."
                        )
                    ]
                }
            )
    salary = data.get("salary")
    if salary in (None, ""):
        salary = old.job_salary if old.kind == ContractKind.PROBATION and old.job_salary else old.salary
    allowances = [
        {"kind": a.kind, "amount": a.amount, "taxable": a.taxable}
        for a in old.allowances.all()  # type: ignore[attr-defined]
    ]
    return create_contract(
        p,
        old.employee_id,
        kind=kind,
        start_date=old.end_date + dt.timedelta(days=1),
        end_date=data.get("end_date"),
        salary=salary,
        salary_basis=old.salary_basis,
        insurance_salary=old.insurance_salary if old.kind != ContractKind.PROBATION else None,
        job_salary=data.get("job_salary"),
        probation_level=data.get("probation_level"),
        allowances=allowances,
        reason=_("Renewal of contract %(n)s") % {"n": old.number},
    )
