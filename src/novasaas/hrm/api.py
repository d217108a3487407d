"""HRM API (/api/v1/hrm/): thin endpoints over actions, payroll and selectors (module gate HRM)."""

from __future__ import annotations

from json import dumps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import File, Router
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from novasaas.hrm import actions, attendance, bonuses, formulas, leave, payroll, payslips, reports, selectors
from novasaas.hrm import schemas as s
from novasaas.hrm.models import (
    Dependant,
    EmployeeStatus,
    LeaveStatus,
    LeaveType,
    PublicHoliday,
    SalaryChange,
    SalaryFormula,
    WorkSchedule,
)
from novasaas.identity.access import Principal
from novasaas.platform.api import ErrorOut, ImportErrors, module_auth
from novasaas.platform.reports import ReportFormat, ReportOut, file_response

router = Router(tags=["hrm"], auth=module_auth("HRM"))
E = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}
R = {403: ErrorOut, 404: ErrorOut}


def _p(request: HttpRequest, perm: str) -> Principal:
    principal: Principal = request.auth  # type: ignore[attr-defined]
    principal.require(perm)
    return principal


def _any(request: HttpRequest, *perms: str) -> Principal:
    principal: Principal = request.auth  # type: ignore[attr-defined]
    for perm in perms[:-1]:
        if principal.has(perm):
            return principal
    principal.require(perms[-1])
    return principal


def _data(data: Any) -> dict[str, Any]:
    return data.model_dump(exclude_unset=True)  # type: ignore[no-any-return]


def _id(value: int | None) -> int | None:
    return value if value and 0 < value < 2**63 else None


# --- organisation ------------------------------------------------------------------------------------


@router.get("/departments", response={200: list[s.HrmDepartmentOut], 403: ErrorOut})
def list_departments(request: HttpRequest) -> Any:
    p = _any(request, "hrm.org.manage", "hrm.org.view")
    return selectors.list_departments(p.tenant)


@router.post("/departments", response={201: s.HrmDepartmentOut, **E})
def create_department(request: HttpRequest, data: s.HrmDepartmentIn) -> Any:
    p = _p(request, "hrm.org.manage")
    return 201, actions.save_department(p, **data.model_dump())


@router.patch("/departments/{int:department_id}", response={200: s.HrmDepartmentOut, **E})
def update_department(request: HttpRequest, department_id: int, data: s.HrmDepartmentUpdate) -> Any:
    p = _p(request, "hrm.org.manage")
    return actions.save_department(p, department_id, **_data(data))


@router.get("/positions", response={200: list[s.HrmPositionOut], 403: ErrorOut})
def list_positions(request: HttpRequest) -> Any:
    p = _any(request, "hrm.org.manage", "hrm.org.view")
    return selectors.list_positions(p.tenant)


@router.post("/positions", response={201: s.HrmPositionOut, **E})
def create_position(request: HttpRequest, data: s.HrmPositionIn) -> Any:
    p = _p(request, "hrm.org.manage")
    return 201, actions.save_position(p, **data.model_dump())


@router.patch("/positions/{int:position_id}", response={200: s.HrmPositionOut, **E})
def update_position(request: HttpRequest, position_id: int, data: s.HrmPositionUpdate) -> Any:
    p = _p(request, "hrm.org.manage")
    return actions.save_position(p, position_id, **_data(data))


# --- employees ---------------------------------------------------------------------------------------


@router.get("/employees", response={200: list[s.HrmEmployeeOut], 403: ErrorOut})
@paginate(LimitOffsetPagination)
def list_employees(request: HttpRequest, q: str = "", department_id: int | None = None, status: str = "") -> Any:
    """HR sees everyone, a department manager their team, an employee themself."""
    p = _any(request, "hrm.employee.view", "hrm.team.view", "hrm.payslip.self")
    return selectors.list_employees(p, q[:200], _id(department_id), status if status in EmployeeStatus.values else "")


@router.post("/employees", response={201: s.HrmEmployeeOut, **E})
def create_employee(request: HttpRequest, data: s.HrmEmployeeIn) -> Any:
    p = _p(request, "hrm.employee.manage")
    return 201, actions.create_employee(p, **data.model_dump())


@router.get("/employees/{int:employee_id}", response={200: s.HrmEmployeeOut, **R})
def get_employee(request: HttpRequest, employee_id: int) -> Any:
    p = _any(request, "hrm.employee.view", "hrm.team.view", "hrm.payslip.self")
    return selectors.get_employee(p, employee_id)


@router.patch("/employees/{int:employee_id}", response={200: s.HrmEmployeeOut, **E})
def update_employee(request: HttpRequest, employee_id: int, data: s.HrmEmployeeUpdate) -> Any:
    p = _any(request, "hrm.employee.manage", "hrm.employee.update_contact")
    return actions.update_employee(p, employee_id, **_data(data))


@router.post("/employees/{int:employee_id}/leaving", response={200: s.HrmEmployeeOut, **E})
def record_leaving(request: HttpRequest, employee_id: int, data: s.HrmLeavingIn) -> Any:
    p = _p(request, "hrm.employee.manage")
    return actions.record_leaving(p, employee_id, data.left_on)


@router.get("/employees/{int:employee_id}/dependants", response={200: list[s.HrmDependantOut], **R})
def list_dependants(request: HttpRequest, employee_id: int) -> Any:
    p = _any(request, "hrm.employee.view", "hrm.payslip.self")
    employee = selectors.get_employee(p, employee_id)
    return Dependant.objects.filter(tenant=p.tenant, employee=employee)


@router.post("/employees/{int:employee_id}/dependants", response={201: s.HrmDependantOut, **E})
def add_dependant(request: HttpRequest, employee_id: int, data: s.HrmDependantIn) -> Any:
    p = _p(request, "hrm.employee.manage")
    return 201, actions.add_dependant(p, employee_id, **data.model_dump())


@router.delete("/dependants/{int:dependant_id}", response={204: None, **E})
def remove_dependant(request: HttpRequest, dependant_id: int) -> Any:
    p = _p(request, "hrm.employee.manage")
    actions.remove_dependant(p, dependant_id)
    return 204, None


@router.get("/employees/{int:employee_id}/salary-history", response={200: list[s.HrmSalaryChangeOut], **R})
def salary_history(request: HttpRequest, employee_id: int) -> Any:
    p = _any(request, "hrm.employee.view", "hrm.payslip.self")
    employee = selectors.get_employee(p, employee_id)
    return SalaryChange.objects.filter(tenant=p.tenant, employee=employee)


# --- contracts ---------------------------------------------------------------------------------------


@router.get("/employees/{int:employee_id}/contracts", response={200: list[s.HrmContractOut], **R})
def list_contracts(request: HttpRequest, employee_id: int) -> Any:
    p = _any(request, "hrm.employee.view", "hrm.payslip.self")
    employee = selectors.get_employee(p, employee_id)
    return selectors.list_contracts(p, employee.pk)


@router.post("/employees/{int:employee_id}/contracts", response={201: s.HrmContractOut, **E})
def create_contract(request: HttpRequest, employee_id: int, data: s.HrmContractIn) -> Any:
    p = _p(request, "hrm.contract.manage")
    contract = actions.create_contract(p, employee_id, **data.model_dump())
    return 201, selectors.get_contract(p, contract.pk)


@router.get("/contracts/{int:contract_id}", response={200: s.HrmContractOut, **R})
def get_contract(request: HttpRequest, contract_id: int) -> Any:
    p = _any(request, "hrm.employee.view", "hrm.payslip.self")
    return selectors.get_contract(p, contract_id)


@router.post("/contracts/{int:contract_id}/terminate", response={200: s.HrmContractOut, **E})
def terminate_contract(request: HttpRequest, contract_id: int, data: s.HrmTerminationIn) -> Any:
    p = _p(request, "hrm.contract.manage")
    actions.terminate_contract(p, contract_id, data.terminated_on, data.reason)
    return selectors.get_contract(p, contract_id)


@router.post("/contracts/{int:contract_id}/renew", response={201: s.HrmContractOut, **E})
def renew_contract(request: HttpRequest, contract_id: int, data: s.HrmRenewalIn) -> Any:
    """Sign the next contract from the day after this one ends (same basis, insurance salary and
    allowances; a fixed term only once, Labour Code art. 20)."""
    p = _p(request, "hrm.contract.manage")
    selectors.get_contract(p, contract_id)
    return 201, actions.renew_contract(p, contract_id, **data.model_dump())


@router.get("/contracts/expiring", response={200: list[s.HrmContractOut], 400: ErrorOut, 403: ErrorOut})
def expiring_contracts(request: HttpRequest, days: int = 30) -> Any:
    """Active contracts ending within ``days`` (1–365) that are not renewed yet (expiry warnings)."""
    p = _any(request, "hrm.contract.manage", "hrm.employee.view")
    if not 1 <= days <= 365:
        return 400, {"detail": "days must be between 1 and 365"}
    return selectors.expiring_contracts(p, timezone.localdate(), days)


# --- statutory rules and payroll ---------------------------------------------------------------------


@router.get("/rules", response={200: s.HrmRulesOut, 403: ErrorOut})
def statutory_rules(request: HttpRequest) -> Any:
    """Every statutory payroll row (rates, caps, minimum wages, PIT brackets) with its validity."""
    _any(request, "hrm.payroll.configure", "hrm.payroll.generate")
    return {"rates": list(selectors.list_rates()), "brackets": list(selectors.list_brackets())}


@router.get("/payrolls", response={200: list[s.HrmPayrollOut], 403: ErrorOut})
def list_payrolls(request: HttpRequest) -> Any:
    p = _p(request, "hrm.payroll.generate")
    return selectors.list_periods(p.tenant)


@router.post("/payrolls", response={201: s.HrmPayrollOut, **E})
def generate_payroll(request: HttpRequest, data: s.HrmPayrollIn) -> Any:
    """Create or recompute the draft payroll of a month."""
    p = _p(request, "hrm.payroll.generate")
    return 201, payroll.generate_payroll(p, data.year, data.month)


@router.get("/payrolls/{int:period_id}", response={200: s.HrmPayrollOut, **R})
def get_payroll(request: HttpRequest, period_id: int) -> Any:
    p = _p(request, "hrm.payroll.generate")
    return selectors.get_period(p.tenant, period_id)


@router.post("/payrolls/{int:period_id}/approve", response={200: s.HrmPayrollOut, **E})
def approve_payroll(request: HttpRequest, period_id: int) -> Any:
    p = _p(request, "hrm.payroll.approve")
    return payroll.approve_payroll(p, period_id)


@router.get("/payrolls/{int:period_id}/lines", response={200: list[s.HrmPayslipOut], **R})
def payroll_lines(request: HttpRequest, period_id: int) -> Any:
    p = _p(request, "hrm.payroll.generate")
    return selectors.period_lines(selectors.get_period(p.tenant, period_id))


@router.get("/payrolls/{int:period_id}/register", response={200: ReportOut, 503: ErrorOut, **R})
def payroll_register(request: HttpRequest, period_id: int, format: ReportFormat = "json") -> Any:
    """The payroll register: the page's table as JSON, Excel or PDF."""
    p = _p(request, "hrm.payroll.generate")
    report = reports.payroll_register(selectors.get_period(p.tenant, period_id))
    if format == "json":
        return report.as_json()
    return file_response(
        report,
        format,
        unavailable=lambda text: HttpResponse(dumps({"detail": text}), status=503, content_type="application/json"),
    )


@router.get("/payslips", response={200: list[s.HrmPayslipOut], 403: ErrorOut})
def my_payslips(request: HttpRequest) -> Any:
    """The caller's own payslips of approved months."""
    p = _p(request, "hrm.payslip.self")
    return selectors.own_payslips(p)


@router.get("/payslips/{int:line_id}", response={200: s.HrmPayslipOut, **R})
def get_payslip(request: HttpRequest, line_id: int) -> Any:
    """One's own payslip (an HR Manager: anyone's); another employee's answers 404."""
    p = _p(request, "hrm.payslip.self")
    return selectors.get_payslip(p, line_id)


@router.post("/payrolls/{int:period_id}/payment", response={200: s.HrmPayrollOut, **E})
def pay_payroll(request: HttpRequest, period_id: int, data: s.HrmPaymentIn) -> Any:
    """Pay an approved month's net salaries, in full or in part (``employee_ids``, ``amount``), on ``date``
    from ``account``: with Accounting, Dr 334 / Cr 112 (or 111) of this payment is posted. HR Manager or
    Accountant. A paid month and over-payment are refused (400); the month is paid once nothing remains."""
    p = _any(request, "acc.payment.record", "hrm.payroll.approve")
    selectors.get_period(p.tenant, period_id)
    return payroll.pay_payroll(
        p, period_id, date=data.date, account=data.account, employee_ids=data.employee_ids, amount=data.amount
    )


@router.get("/payrolls/{int:period_id}/payments", response={200: list[s.HrmSalaryPaymentOut], **R})
def list_salary_payments(request: HttpRequest, period_id: int) -> Any:
    """The month's salary payments with what each employee received."""
    p = _any(request, "acc.payment.record", "hrm.payroll.approve")
    period = selectors.get_period(p.tenant, period_id)
    return [
        {
            "id": pay.pk,
            "number": pay.number,
            "date": pay.date,
            "method": pay.method,
            "account_label": pay.account_label,
            "amount": pay.amount,
            "lines": [
                {"employee_id": pl.line.employee_id, "employee_code": pl.line.employee.code, "amount": pl.amount}
                for pl in pay.lines.all()
            ],
        }
        for pay in period.payments.filter(tenant=p.tenant).prefetch_related("lines__line__employee")
    ]


@router.get("/payrolls/{int:period_id}/remaining", response={200: list[s.HrmPayRemainingOut], **R})
def salary_remaining(request: HttpRequest, period_id: int) -> Any:
    """Per employee: net pay, paid so far and remaining to pay."""
    p = _any(request, "acc.payment.record", "hrm.payroll.approve")
    period = selectors.get_period(p.tenant, period_id)
    return [
        {
            "employee_id": ln.employee_id,
            "employee_code": ln.employee.code,
            "employee_name": ln.employee.full_name,
            "net": ln.net,
            "paid": paid,
            "remaining": rest,
        }
        for ln, paid, rest in payroll.remaining_by_line(period)
    ]


@router.get("/payment-accounts", response={200: list[s.HrmPaymentAccountOut], 403: ErrorOut})
def payment_accounts(request: HttpRequest) -> Any:
    """Where salaries can be paid from (the ``account`` of a payment)."""
    p = _any(request, "acc.payment.record", "hrm.payroll.approve")
    return [{"value": value, "label": label} for value, label in payroll.payment_accounts(p.tenant)]


@router.post("/payrolls/{int:period_id}/unapprove", response={200: s.HrmPayrollOut, **E})
def unapprove_payroll(request: HttpRequest, period_id: int, data: s.HrmUnapproveIn) -> Any:
    """Return an approved, unpaid month to draft (its accrual entries reversed), with a reason."""
    p = _p(request, "hrm.payroll.approve")
    selectors.get_period(p.tenant, period_id)
    return payroll.unapprove_payroll(p, period_id, reason=data.reason)


@router.get("/pay-adjustments", response={200: list[s.HrmAdjustmentOut], 403: ErrorOut})
@paginate(LimitOffsetPagination)
def list_adjustments(request: HttpRequest, year: int | None = None, month: int | None = None) -> Any:
    """Bonuses and deductions (optionally of one month)."""
    p = _p(request, "hrm.bonus.manage")
    return selectors.list_adjustments(p.tenant, year, month)


@router.post("/pay-adjustments", response={201: s.HrmAdjustmentOut, **E})
def create_adjustment(request: HttpRequest, data: s.HrmAdjustmentIn) -> Any:
    """Record a bonus or a deduction of an employee's month (refused once the month is approved)."""
    p = _p(request, "hrm.bonus.manage")
    return 201, bonuses.create_adjustment(p, **data.model_dump())


@router.get("/pay-adjustments/{int:adjustment_id}", response={200: s.HrmAdjustmentOut, **R})
def get_adjustment(request: HttpRequest, adjustment_id: int) -> Any:
    p = _p(request, "hrm.bonus.manage")
    return selectors.get_adjustment(p.tenant, adjustment_id)


@router.patch("/pay-adjustments/{int:adjustment_id}", response={200: s.HrmAdjustmentOut, **E})
def update_adjustment(request: HttpRequest, adjustment_id: int, data: s.HrmAdjustmentUpdate) -> Any:
    p = _p(request, "hrm.bonus.manage")
    return bonuses.update_adjustment(p, adjustment_id, **_data(data))


@router.delete("/pay-adjustments/{int:adjustment_id}", response={204: None, **E})
def delete_adjustment(request: HttpRequest, adjustment_id: int) -> Any:
    p = _p(request, "hrm.bonus.manage")
    bonuses.delete_adjustment(p, adjustment_id)
    return 204, None


@router.get("/salary-formulas", response={200: list[s.HrmFormulaOut], 403: ErrorOut})
def list_formulas(request: HttpRequest) -> Any:
    """The company's salary formulas (HR Manager)."""
    p = _p(request, "hrm.payroll.generate")
    return SalaryFormula.objects.filter(tenant=p.tenant).order_by("code")


@router.get("/salary-formula-names", response={200: list[s.HrmFormulaNameOut], 403: ErrorOut})
def formula_names(request: HttpRequest) -> Any:
    """The names a formula may use and what each means; the functions are min, max and abs."""
    _p(request, "hrm.payroll.generate")
    return [{"name": name, "meaning": str(meaning)} for name, meaning in formulas.VARIABLES.items()]


@router.post("/salary-formulas", response={201: s.HrmFormulaOut, **E})
def create_formula(request: HttpRequest, data: s.HrmFormulaIn) -> Any:
    """Add a formula; checked at once (syntax, names, division by zero) — refused with the reason."""
    p = _p(request, "hrm.payroll.generate")
    return 201, formulas.create_formula(p, **data.model_dump())


@router.get("/salary-formulas/{int:formula_id}", response={200: s.HrmFormulaOut, **R})
def get_formula(request: HttpRequest, formula_id: int) -> Any:
    p = _p(request, "hrm.payroll.generate")
    return SalaryFormula.objects.get(tenant=p.tenant, pk=formula_id)


@router.patch("/salary-formulas/{int:formula_id}", response={200: s.HrmFormulaOut, **E})
def update_formula(request: HttpRequest, formula_id: int, data: s.HrmFormulaUpdate) -> Any:
    p = _p(request, "hrm.payroll.generate")
    return formulas.update_formula(p, formula_id, **_data(data))


@router.delete("/salary-formulas/{int:formula_id}", response={204: None, **E})
def delete_formula(request: HttpRequest, formula_id: int) -> Any:
    p = _p(request, "hrm.payroll.generate")
    formulas.delete_formula(p, formula_id)
    return 204, None


# --- leave -------------------------------------------------------------------------------------------


@router.get("/leave-types", response={200: list[s.HrmLeaveTypeOut], 403: ErrorOut})
def list_leave_types(request: HttpRequest) -> Any:
    p = _p(request, "hrm.leave.request")
    return LeaveType.objects.filter(tenant=p.tenant)


@router.post("/leave-types", response={201: s.HrmLeaveTypeOut, **E})
def create_leave_type(request: HttpRequest, data: s.HrmLeaveTypeIn) -> Any:
    p = _p(request, "hrm.leave.configure")
    return 201, leave.save_leave_type(p, **data.model_dump())


@router.patch("/leave-types/{int:leave_type_id}", response={200: s.HrmLeaveTypeOut, **E})
def update_leave_type(request: HttpRequest, leave_type_id: int, data: s.HrmLeaveTypeUpdate) -> Any:
    p = _p(request, "hrm.leave.configure")
    return leave.save_leave_type(p, leave_type_id, **_data(data))


@router.get("/leave-requests", response={200: list[s.HrmLeaveRequestOut], 403: ErrorOut})
@paginate(LimitOffsetPagination)
def list_leave_requests(request: HttpRequest, status: str = "") -> Any:
    """HR: every request; a department manager: their team's and their own; anyone else: their own."""
    p = _p(request, "hrm.leave.request")
    return leave.list_requests(p, status if status in LeaveStatus.values else "")


@router.post("/leave-requests", response={201: s.HrmLeaveRequestOut, **E})
def request_leave(request: HttpRequest, data: s.HrmLeaveRequestIn) -> Any:
    """Request leave for oneself (the caller's employee record)."""
    p = _p(request, "hrm.leave.request")
    return 201, leave.request_leave(p, **data.model_dump())


@router.post("/leave-requests/{int:request_id}/decision", response={200: s.HrmLeaveRequestOut, **E})
def decide_leave(request: HttpRequest, request_id: int, data: s.HrmLeaveDecisionIn) -> Any:
    """Level 1: the department's manager; level 2: HR."""
    p = _any(request, "hrm.leave.approve", "hrm.leave.approve_team")
    return leave.decide_leave(p, request_id, data.approve, data.note)


@router.post("/leave-requests/{int:request_id}/cancel", response={200: s.HrmLeaveRequestOut, **E})
def cancel_leave(request: HttpRequest, request_id: int) -> Any:
    p = _p(request, "hrm.leave.request")
    return leave.cancel_leave(p, request_id)


@router.get("/leave-balances", response={200: list[s.HrmLeaveBalanceOut], 403: ErrorOut})
def my_leave_balances(request: HttpRequest, year: int | None = None) -> Any:
    """The caller's balance per leave type with a yearly entitlement."""
    p = _p(request, "hrm.leave.request")
    employee = selectors.own_employee(p)
    year = year or timezone.localdate().year
    if employee is None or not 2000 <= year <= 2100:
        return []
    return [
        {"leave_type_id": b["type"].pk, "code": b["type"].code, "entitled": b["entitled"], "earned": b["earned"],
         "used": b["used"], "left": b["left"]}
        for b in leave.balances(employee, year, timezone.localdate())
    ]  # fmt: skip


# --- time ----------------------------------------------------------------------------------------------


@router.get("/work-schedules", response={200: list[s.HrmWorkScheduleOut], 403: ErrorOut})
def list_work_schedules(request: HttpRequest) -> Any:
    p = _any(request, "hrm.attendance.configure", "hrm.attendance.enter", "hrm.attendance.report")
    return WorkSchedule.objects.filter(tenant=p.tenant)


@router.post("/work-schedules", response={201: s.HrmWorkScheduleOut, **E})
def create_work_schedule(request: HttpRequest, data: s.HrmWorkScheduleIn) -> Any:
    p = _p(request, "hrm.attendance.configure")
    return 201, attendance.save_schedule(p, **data.model_dump())


@router.get("/holidays", response={200: list[s.HrmHolidayOut], 403: ErrorOut})
def list_holidays(request: HttpRequest, year: int | None = None) -> Any:
    """The company's public holidays and compensatory days off (of ``year``: one year)."""
    p = _p(request, "hrm.attendance.self")
    qs = PublicHoliday.objects.filter(tenant=p.tenant)
    return qs.filter(date__year=year) if year and 2000 <= year <= 2100 else qs


@router.post("/holidays", response={201: s.HrmHolidayOut, **E})
def create_holiday(request: HttpRequest, data: s.HrmHolidayIn) -> Any:
    p = _p(request, "hrm.attendance.configure")
    return 201, attendance.save_holiday(p, **data.model_dump())


@router.delete("/holidays/{int:holiday_id}", response={204: None, **E})
def delete_holiday(request: HttpRequest, holiday_id: int) -> Any:
    p = _p(request, "hrm.attendance.configure")
    attendance.delete_holiday(p, holiday_id)
    return 204, None


@router.get("/attendance", response={200: list[s.HrmAttendanceOut], 403: ErrorOut})
@paginate(LimitOffsetPagination)
def list_attendance(
    request: HttpRequest, year: int | None = None, month: int | None = None, employee_id: int | None = None
) -> Any:
    """HR: everyone's days; a department manager: their team's and their own; anyone else: their own."""
    p = _p(request, "hrm.attendance.self")
    qs = attendance.visible_records(p)
    if year and 2000 <= year <= 2100:
        qs = qs.filter(date__year=year)
    if month and 1 <= month <= 12:
        qs = qs.filter(date__month=month)
    wanted = _id(employee_id)
    if wanted:
        qs = qs.filter(employee_id=wanted)
    return qs.order_by("-date", "employee__code")


@router.post("/attendance", response={201: s.HrmAttendanceOut, **E})
def record_attendance(request: HttpRequest, data: s.HrmAttendanceIn) -> Any:
    """HR enters one employee's day (check-in and check-out); overtime waits for the manager."""
    p = _any(request, "hrm.attendance.adjust", "hrm.attendance.enter")
    return 201, attendance.record_attendance(p, **data.model_dump())


@router.post(
    "/attendance/import",
    response={200: s.HrmAttendanceImportOut, 400: ImportErrors, 403: ErrorOut, 413: ImportErrors},
)
def import_attendance(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """A time clock's export (CSV or xlsx: employee code, date, check-in, check-out[, note]); all or
    nothing, with the refused lines numbered."""
    p = _any(request, "hrm.attendance.adjust", "hrm.attendance.enter")
    try:
        created = attendance.import_attendance(p, file, file.name)
    except attendance.AttendanceImportError as exc:
        return exc.status, {"detail": exc.detail, "errors": exc.as_json()}
    return 200, {"created": len(created)}


@router.post("/attendance/check", response={201: s.HrmAttendanceOut, **E})
def check_in_out(request: HttpRequest) -> Any:
    """The caller's web check-in, then check-out (time and client address recorded)."""
    from novasaas.platform.request_context import client_ip

    p = _p(request, "hrm.attendance.self")
    return 201, attendance.check_in_out(p, client_ip(request))


@router.patch("/attendance/{int:record_id}", response={200: s.HrmAttendanceOut, **E})
def adjust_attendance(request: HttpRequest, record_id: int, data: s.HrmAttendanceAdjustIn) -> Any:
    """The HR Manager corrects a day with a reason (audited)."""
    p = _p(request, "hrm.attendance.adjust")
    return attendance.adjust_attendance(p, record_id, **data.model_dump())


@router.post("/attendance/{int:record_id}/overtime", response={200: s.HrmAttendanceOut, **E})
def decide_overtime(request: HttpRequest, record_id: int, data: s.HrmOvertimeDecisionIn) -> Any:
    """The department's manager (or the HR Manager) confirms or rejects a day's overtime."""
    p = _any(request, "hrm.attendance.adjust", "hrm.attendance.confirm_team")
    return attendance.decide_overtime(p, record_id, data.confirm)


@router.get("/timesheets", response={200: ReportOut, 503: ErrorOut, **E})
def timesheet(request: HttpRequest, year: int, month: int, format: ReportFormat = "json") -> Any:
    """The month's timesheet that payroll reads (page file = this file)."""
    p = _any(request, "hrm.attendance.report", "hrm.attendance.enter", "hrm.attendance.confirm_team")
    return _report(reports.timesheet(p, year, month), format)


def _report(report: Any, format: str) -> Any:
    if format == "json":
        return report.as_json()
    return file_response(
        report,
        format,
        unavailable=lambda text: HttpResponse(dumps({"detail": text}), status=503, content_type="application/json"),
    )


@router.get("/payrolls/{int:period_id}/bank-transfers", response={200: ReportOut, 503: ErrorOut, **E})
def bank_transfers(request: HttpRequest, period_id: int, format: ReportFormat = "json") -> Any:
    """The transfers of an approved month's net pay (the bank file's rows; Excel, PDF)."""
    p = _p(request, "hrm.payroll.approve")
    return _report(reports.bank_transfer(selectors.get_period(p.tenant, period_id)), format)


@router.get(
    "/payrolls/{int:period_id}/bank-file",
    response={200: None, **E},
    openapi_extra={"responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}},
)
def bank_file(request: HttpRequest, period_id: int) -> Any:
    """The bank transfer file of an approved month as CSV (UTF-8 with BOM; one layout, see docs/hrm.md)."""
    p = _p(request, "hrm.payroll.approve")
    report = reports.bank_transfer(selectors.get_period(p.tenant, period_id))
    response = HttpResponse(reports.bank_transfer_csv(report), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{report.name}.csv"'
    return response


@router.post("/payrolls/{int:period_id}/payslip-emails", response={200: s.HrmPayslipMailOut, **E})
def email_payslips(request: HttpRequest, period_id: int) -> Any:
    """Email each employee their payslip PDF (after commit, through the outbox); audited."""
    p = _p(request, "hrm.payroll.approve")
    return payslips.email_payslips(p, period_id)


@router.get("/payrolls/{int:period_id}/insurance-list", response={200: ReportOut, 503: ErrorOut, **E})
def insurance_list(request: HttpRequest, period_id: int, format: ReportFormat = "json") -> Any:
    """The month's insurance contributions per insured employee (D02-LT style columns; Excel, PDF)."""
    p = _p(request, "hrm.payroll.generate")
    return _report(reports.insurance_list(selectors.get_period(p.tenant, period_id)), format)


@router.get("/pit-finalisation", response={200: ReportOut, 503: ErrorOut, **E})
def pit_finalisation(request: HttpRequest, year: int, format: ReportFormat = "json") -> Any:
    """Year-end PIT finalisation data per employee: the approved months' income, deductions and PIT."""
    p = _p(request, "hrm.payroll.generate")
    if not 2000 <= year <= 2100:
        return 400, {"detail": "year must be between 2000 and 2100"}
    return _report(reports.pit_finalisation(p.tenant, year), format)


@router.get("/employee-list", response={200: ReportOut, 503: ErrorOut, **E})
def employee_list(request: HttpRequest, format: ReportFormat = "json") -> Any:
    """The employees the caller may see in the import's columns (Excel, PDF)."""
    from novasaas.hrm.employee_io import employee_list as report

    p = _any(request, "hrm.employee.view", "hrm.team.view")
    return _report(report(p), format)


@router.post(
    "/employees/import",
    response={200: s.HrmEmployeeImportOut, 400: ImportErrors, 403: ErrorOut, 413: ImportErrors},
)
def import_employees(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """Hire employees from a CSV or xlsx file (full name, department code, hired on[, position code,
    personal numbers, bank, contact, region]); all or nothing, with the refused lines numbered."""
    from novasaas.hrm.employee_io import EmployeeImportError
    from novasaas.hrm.employee_io import import_employees as run

    p = _p(request, "hrm.employee.manage")
    try:
        created = run(p, file, file.name)
    except EmployeeImportError as exc:
        return exc.status, {"detail": exc.detail, "errors": exc.as_json()}
    return 200, {"created": len(created), "codes": [e.code for e in created]}


@router.get("/settings", response={200: s.HrmSettingsOut, 403: ErrorOut})
def get_settings(request: HttpRequest) -> Any:
    """The company's HRM settings: the yearly overtime limit (200 h, or 300 h for the listed sectors)."""
    p = _p(request, "hrm.attendance.configure")
    return {"overtime_year_limit": attendance.year_overtime_limit(p.tenant.pk)}


@router.put("/settings", response={200: s.HrmSettingsOut, **E})
def put_settings(request: HttpRequest, data: s.HrmSettingsIn) -> Any:
    p = _p(request, "hrm.attendance.configure")
    attendance.save_settings(p, **data.model_dump())
    return {"overtime_year_limit": attendance.year_overtime_limit(p.tenant.pk)}


@router.get("/attendance-list", response={200: ReportOut, 503: ErrorOut, **E})
def attendance_list(request: HttpRequest, year: int, month: int, format: ReportFormat = "json") -> Any:
    """The month's recorded days the caller may see, one row per day (Excel, PDF)."""
    p = _p(request, "hrm.attendance.self")
    if not (2000 <= year <= 2100 and 1 <= month <= 12):
        return 400, {"detail": "year must be 2000–2100 and month 1–12"}
    return _report(reports.attendance_rows(p, year, month), format)


@router.get("/leave-balance-report", response={200: ReportOut, 503: ErrorOut, **E})
def leave_balance_report(request: HttpRequest, year: int, format: ReportFormat = "json") -> Any:
    """Leave balances per employee and type (HR everyone, a manager their team; Excel, PDF)."""
    p = _any(request, "hrm.leave.report", "hrm.leave.process", "hrm.leave.approve_team")
    if not 2000 <= year <= 2100:
        return 400, {"detail": "year must be between 2000 and 2100"}
    return _report(leave.balance_report(p, year, timezone.localdate()), format)
