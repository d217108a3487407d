"""API schemas of HRM (inputs strict: unknown fields are a 422). Amounts are whole-đồng decimals (JSON
strings or numbers) and come back as strings. Names carry the module's words (unique across the API)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Literal

from ninja import Schema
from pydantic import Field

from novasaas.platform.api import Clock, Id, StrictSchema

Amount = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=0)]
Date = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2100, 12, 31))]
Code = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9._/-]+$")]
Name = Annotated[str, Field(min_length=1, max_length=120)]
RegionT = Literal["I", "II", "III", "IV"]
CostAccountT = Literal["salary_expense", "6421", "641", "154", "622", "627"]
ContractKindT = Literal["indefinite", "fixed", "probation", "casual"]
ProbationLevelT = Literal["manager", "college", "vocational", "other"]
AllowanceKindT = Literal["meal", "phone", "travel", "housing", "responsibility", "other"]
Digits = Annotated[str, Field(max_length=14, pattern=r"^[0-9]*$")]
Days = Annotated[int, Field(strict=True, ge=0, le=366)]  # strict: a JSON false is no 0


class HrmDepartmentIn(StrictSchema):
    code: Code
    name: Name
    parent_id: Id | None = None
    manager_id: Id | None = None
    cost_account: CostAccountT = "salary_expense"


class HrmDepartmentUpdate(StrictSchema):
    code: Code | None = None
    name: Name | None = None
    parent_id: Id | None = None
    manager_id: Id | None = None
    cost_account: CostAccountT | None = None
    is_active: bool | None = None


class HrmDepartmentOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    manager_id: int | None
    cost_account: str
    is_active: bool


class HrmPositionIn(StrictSchema):
    code: Code
    name: Name
    department_id: Id | None = None


class HrmPositionUpdate(StrictSchema):
    code: Code | None = None
    name: Name | None = None
    department_id: Id | None = None
    is_active: bool | None = None


class HrmPositionOut(Schema):
    id: int
    code: str
    name: str
    department_id: int | None
    is_active: bool


class HrmEmployeeIn(StrictSchema):
    full_name: str = Field(min_length=1, max_length=200)
    department_id: Id
    position_id: Id | None = None
    user_id: Id | None = None
    hired_on: Date
    date_of_birth: Date | None = None
    id_number: Digits = ""
    tax_code: Digits = ""
    social_insurance_number: Digits = ""
    bank_account: str = Field(default="", max_length=30)
    bank_name: str = Field(default="", max_length=100)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=20)
    address: str = Field(default="", max_length=300)
    region: RegionT = "I"
    is_resident: bool = True


class HrmEmployeeUpdate(StrictSchema):
    full_name: str | None = Field(default=None, min_length=1, max_length=200)
    department_id: Id | None = None
    position_id: Id | None = None
    user_id: Id | None = None
    hired_on: Date | None = None
    date_of_birth: Date | None = None
    id_number: Digits | None = None
    tax_code: Digits | None = None
    social_insurance_number: Digits | None = None
    bank_account: str | None = Field(default=None, max_length=30)
    bank_name: str | None = Field(default=None, max_length=100)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=20)
    address: str | None = Field(default=None, max_length=300)
    region: RegionT | None = None
    is_resident: bool | None = None


class HrmEmployeeOut(Schema):
    id: int
    code: str
    party_id: int
    full_name: str
    department_id: int
    position_id: int | None
    user_id: int | None
    hired_on: dt.date
    left_on: dt.date | None
    status: str
    date_of_birth: dt.date | None
    id_number: str
    tax_code: str
    social_insurance_number: str
    bank_account: str
    bank_name: str
    email: str
    phone: str
    address: str
    region: str
    is_resident: bool


class HrmLeavingIn(StrictSchema):
    left_on: Date


class HrmDependantIn(StrictSchema):
    full_name: str = Field(min_length=1, max_length=200)
    relationship: str = Field(min_length=1, max_length=50)
    id_number: str = Field(default="", max_length=20)
    registered_from: Date
    registered_to: Date | None = None


class HrmDependantOut(Schema):
    id: int
    employee_id: int
    full_name: str
    relationship: str
    id_number: str
    registered_from: dt.date
    registered_to: dt.date | None


class HrmAllowanceIn(StrictSchema):
    kind: AllowanceKindT
    amount: Amount
    taxable: bool | None = None


class HrmAllowanceOut(Schema):
    kind: str
    amount: Decimal
    taxable: bool


class HrmContractIn(StrictSchema):
    kind: ContractKindT
    start_date: Date
    end_date: Date | None = None
    salary: Amount
    salary_basis: Literal["gross", "net"] = "gross"
    probation_level: ProbationLevelT | None = None
    job_salary: Amount | None = None
    insurance_salary: Amount | None = None
    insured: bool | None = None
    allowances: list[HrmAllowanceIn] = Field(default_factory=list, max_length=50)
    reason: str = Field(default="", max_length=200)


class HrmContractOut(Schema):
    id: int
    number: str
    employee_id: int
    kind: str
    probation_level: str
    start_date: dt.date
    end_date: dt.date | None
    salary: Decimal
    salary_basis: str
    job_salary: Decimal | None
    insurance_salary: Decimal | None
    insured: bool
    status: str
    terminated_on: dt.date | None
    termination_reason: str
    allowances: list[HrmAllowanceOut]


class HrmRenewalIn(StrictSchema):
    kind: ContractKindT = "indefinite"
    end_date: Date | None = None
    salary: Amount | None = None
    probation_level: ProbationLevelT | None = None
    job_salary: Amount | None = None


class HrmTerminationIn(StrictSchema):
    terminated_on: Date
    reason: str = Field(min_length=1, max_length=300)


class HrmSalaryChangeOut(Schema):
    effective_from: dt.date
    salary: Decimal
    salary_basis: str
    contract_id: int
    reason: str


class HrmRateOut(Schema):
    key: str
    region: str
    value: Decimal
    valid_from: dt.date
    valid_to: dt.date | None
    source: str
    confirmed: bool


class HrmBracketOut(Schema):
    upper: Decimal | None
    rate: Decimal
    valid_from: dt.date
    valid_to: dt.date | None
    source: str


class HrmRulesOut(Schema):
    rates: list[HrmRateOut]
    brackets: list[HrmBracketOut]


class HrmPayrollIn(StrictSchema):
    year: int = Field(ge=2000, le=2100)
    month: int = Field(ge=1, le=12)


class HrmPayrollOut(Schema):
    id: int
    year: int
    month: int
    status: str
    total_gross: Decimal
    total_net: Decimal
    total_pit: Decimal
    total_employer: Decimal
    revision: int
    paid_on: dt.date | None
    payment_method: str
    payment_account: str
    paid_total: Decimal
    remaining: Decimal


class HrmPayslipOut(Schema):
    id: int
    period_id: int
    employee_id: int
    employee_code: str
    employee_name: str
    department_id: int
    tax_method: str
    work_days: int
    paid_days: int
    unpaid_days: int
    overtime_minutes: int
    overtime_pay: Decimal
    overtime_exempt: Decimal
    base_salary: Decimal
    taxable_allowances: Decimal
    non_taxable_allowances: Decimal
    gross: Decimal
    insurance_base: Decimal
    unemployment_base: Decimal
    employee_bhxh: Decimal
    employee_bhyt: Decimal
    employee_bhtn: Decimal
    employer_bhxh: Decimal
    employer_bhyt: Decimal
    employer_bhtn: Decimal
    employer_union: Decimal
    dependants: int
    family_deduction: Decimal
    taxable_income: Decimal
    assessable_income: Decimal
    pit: Decimal
    bonus_taxable: Decimal
    bonus_non_taxable: Decimal
    deductions: Decimal
    advance_repaid: Decimal
    net: Decimal

    @staticmethod
    def resolve_employee_code(obj: object) -> str:
        return obj.employee.code  # type: ignore[attr-defined,no-any-return]

    @staticmethod
    def resolve_employee_name(obj: object) -> str:
        return obj.employee.full_name  # type: ignore[attr-defined,no-any-return]


class HrmLeaveTypeIn(StrictSchema):
    code: Code
    name: Name
    paid: bool = True
    days_per_year: Days | None = None
    accrues: bool = False


class HrmLeaveTypeUpdate(StrictSchema):
    code: Code | None = None
    name: Name | None = None
    paid: bool | None = None
    days_per_year: Days | None = None
    accrues: bool | None = None
    is_active: bool | None = None


class HrmLeaveTypeOut(Schema):
    id: int
    code: str
    name: str
    paid: bool
    days_per_year: int | None
    accrues: bool
    is_active: bool


class HrmLeaveRequestIn(StrictSchema):
    leave_type_id: Id
    start_date: Date
    end_date: Date
    reason: str = Field(default="", max_length=300)


class HrmLeaveDecisionIn(StrictSchema):
    approve: bool
    note: str = Field(default="", max_length=300)


class HrmLeaveRequestOut(Schema):
    id: int
    employee_id: int
    leave_type_id: int
    start_date: dt.date
    end_date: dt.date
    days: int
    reason: str
    status: str
    decision_note: str


class HrmLeaveBalanceOut(Schema):
    leave_type_id: int
    code: str
    entitled: int
    earned: int
    used: int
    left: int


# --- time ----------------------------------------------------------------------------------------------

Note = Annotated[str, Field(max_length=300)]


class HrmWorkScheduleIn(StrictSchema):
    code: Code
    name: Name
    start_time: Clock = dt.time(8, 0)
    end_time: Clock = dt.time(17, 0)
    break_minutes: Annotated[int, Field(strict=True, ge=0, le=600)] = 60
    saturday: bool = False
    is_default: bool = False


class HrmWorkScheduleOut(Schema):
    id: int
    code: str
    name: str
    start_time: Clock
    end_time: Clock
    break_minutes: int
    saturday: bool
    is_default: bool
    minutes_per_day: int


class HrmHolidayIn(StrictSchema):
    date: Date
    name: Name
    source: str = Field(default="", max_length=200)


class HrmHolidayOut(Schema):
    id: int
    date: dt.date
    name: str
    source: str


class HrmAttendanceIn(StrictSchema):
    employee_id: Id
    date: Date
    check_in: Clock
    check_out: Clock
    note: Note = ""


class HrmAttendanceAdjustIn(StrictSchema):
    check_in: Clock
    check_out: Clock
    reason: Annotated[str, Field(min_length=1, max_length=300)]


class HrmOvertimeDecisionIn(StrictSchema):
    confirm: bool


class HrmAttendanceOut(Schema):
    id: int
    employee_id: int
    employee_code: str
    date: dt.date
    check_in: Clock | None
    check_out: Clock | None
    worked_minutes: int
    overtime_minutes: int
    night_minutes: int
    night_overtime_minutes: int
    overtime_status: str
    source: str
    ip_address: str | None
    note: str

    @staticmethod
    def resolve_employee_code(obj: object) -> str:
        return obj.employee.code  # type: ignore[attr-defined,no-any-return]


class HrmAttendanceImportOut(Schema):
    created: int


class HrmPayslipMailOut(Schema):
    queued: int
    skipped: list[str]


class HrmEmployeeImportOut(Schema):
    created: int
    codes: list[str]


class HrmSettingsOut(Schema):
    overtime_year_limit: int


class HrmSettingsIn(StrictSchema):
    overtime_year_limit: Literal[200, 300]


# --- bonuses, deductions, payment, un-approval ---------------------------------------------------------

AdjustmentKind = Literal["bonus", "advance", "deduction"]


class HrmAdjustmentIn(StrictSchema):
    employee_id: Id
    year: int = Field(ge=2000, le=2100)
    month: int = Field(ge=1, le=12)
    kind: AdjustmentKind
    amount: Amount
    taxable: bool = True
    reason: str = Field(min_length=1, max_length=300)


class HrmAdjustmentUpdate(StrictSchema):
    employee_id: Id | None = None
    year: int | None = Field(default=None, ge=2000, le=2100)
    month: int | None = Field(default=None, ge=1, le=12)
    kind: AdjustmentKind | None = None
    amount: Amount | None = None
    taxable: bool | None = None
    reason: str | None = Field(default=None, min_length=1, max_length=300)


class HrmAdjustmentOut(Schema):
    id: int
    employee_id: int
    employee_code: str
    employee_name: str
    year: int
    month: int
    kind: str
    amount: Decimal
    taxable: bool
    reason: str

    @staticmethod
    def resolve_employee_code(obj: object) -> str:
        return obj.employee.code  # type: ignore[attr-defined,no-any-return]

    @staticmethod
    def resolve_employee_name(obj: object) -> str:
        return obj.employee.full_name  # type: ignore[attr-defined,no-any-return]


class HrmPaymentIn(StrictSchema):
    date: Date
    account: str = Field(
        default="bank",
        max_length=40,
        description="one of GET /payment-accounts: bank:<id> (a bank account of Accounting), bank or cash",
    )
    employee_ids: list[Id] | None = Field(
        default=None, max_length=5000, description="pay these employees only (what remains to each)"
    )
    amount: Amount | None = Field(
        default=None,
        description="with one employee: that part of what remains to them; alone: shared over everyone in "
        "proportion to what remains. Neither: everything that remains.",
    )


class HrmPaymentAccountOut(Schema):
    value: str
    label: str


class HrmUnapproveIn(StrictSchema):
    reason: str = Field(min_length=1, max_length=300)


FormulaComponentName = Literal["allowance", "allowance_nt", "bonus", "bonus_nt"]


class HrmFormulaIn(StrictSchema):
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=120)
    component: FormulaComponentName = Field(
        description="allowance / allowance_nt (non-taxable) / bonus / bonus_nt (non-taxable)"
    )
    expression: str = Field(
        min_length=1, max_length=500, description="e.g. base * 0.1 + days_worked * 50000 (GET /salary-formula-names)"
    )
    is_active: bool = True


class HrmFormulaUpdate(StrictSchema):
    code: str | None = Field(default=None, min_length=1, max_length=30)
    name: str | None = Field(default=None, min_length=1, max_length=120)
    component: FormulaComponentName | None = None
    expression: str | None = Field(default=None, min_length=1, max_length=500)
    is_active: bool | None = None


class HrmFormulaOut(Schema):
    id: int
    code: str
    name: str
    component: str
    expression: str
    is_active: bool


class HrmFormulaNameOut(Schema):
    name: str
    meaning: str


class HrmSalaryPaymentLineOut(Schema):
    employee_id: int
    employee_code: str
    amount: Decimal


class HrmSalaryPaymentOut(Schema):
    id: int
    number: int
    date: dt.date
    method: str
    account_label: str
    amount: Decimal
    lines: list[HrmSalaryPaymentLineOut]


class HrmPayRemainingOut(Schema):
    employee_id: int
    employee_code: str
    employee_name: str
    net: Decimal
    paid: Decimal
    remaining: Decimal
