"""Human resources (spec §4, module HRM): organisation, employees, contracts, payroll.

An employee is a role on a ``parties.Party`` of kind person (name, ID number, tax code live there and in
this table's own copies the payroll needs); a ``User`` may be linked for self-service. The statutory
payroll figures (insurance rates and caps, minimum wages, PIT brackets and deductions) are global
effective-dated rows (``StatutoryRate``, ``PitBracket``), seeded by a data migration from
docs/hrm.md's sources: a change of law is a new row, never code.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.platform.models import TenantModel
from novasaas.platform.money import FixedPointField, MoneyField

ZERO = Decimal(0)


class Region(models.TextChoices):
    I = "I", _("Region I")  # noqa: E741
    II = "II", _("Region II")
    III = "III", _("Region III")
    IV = "IV", _("Region IV")


# the department's salary expense account: a posting role or an account code of the tenant's chart
COST_ACCOUNTS = [
    ("salary_expense", _("Administration (642/6422, role salary_expense)")),
    ("6421", _("6421 Selling expenses (TT133)")),
    ("641", _("641 Selling expenses (TT99)")),
    ("154", _("154 Work in progress")),
    ("622", _("622 Direct labour (TT99)")),
    ("627", _("627 Production overheads (TT99)")),
]


class Department(TenantModel):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=pgettext_lazy("department", "parent"),
    )
    manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("manager"),
    )
    cost_account = models.CharField(
        _("salary expense account"), max_length=20, choices=COST_ACCOUNTS, default="salary_expense"
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="hrm_department_code_unique")]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Position(TenantModel):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("department")
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="hrm_position_code_unique")]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EmployeeStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("employee", "Working")
    LEFT = "left", pgettext_lazy("employee", "Left")


class Employee(TenantModel):
    code = models.CharField(_("code"), max_length=20, editable=False)
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("party"))
    full_name = models.CharField(_("full name"), max_length=200)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user account"),
    )
    department = models.ForeignKey(
        Department, on_delete=models.PROTECT, related_name="employees", verbose_name=_("department")
    )
    position = models.ForeignKey(
        Position, on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("position")
    )
    date_of_birth = models.DateField(_("date of birth"), null=True, blank=True)
    id_number = models.CharField(_("citizen ID (CCCD)"), max_length=12, blank=True)
    tax_code = models.CharField(_("personal tax code"), max_length=14, blank=True)
    social_insurance_number = models.CharField(_("social insurance number"), max_length=10, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=30, blank=True)
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    email = models.EmailField(_("email"), blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    address = models.CharField(_("address"), max_length=300, blank=True)
    region = models.CharField(_("workplace region"), max_length=3, choices=Region.choices, default=Region.I)
    is_resident = models.BooleanField(_("tax resident"), default=True)
    schedule = models.ForeignKey(
        "WorkSchedule",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("work schedule"),
    )
    hired_on = models.DateField(_("hired on"))
    left_on = models.DateField(_("left on"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=EmployeeStatus.choices, default=EmployeeStatus.ACTIVE)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="hrm_employee_code_unique"),
            models.UniqueConstraint(fields=["tenant", "party"], name="hrm_employee_party_unique"),
            models.UniqueConstraint(
                fields=["tenant", "user"], condition=Q(user__isnull=False), name="hrm_employee_user_unique"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "department", "status"], name="hrm_employee_dept_idx")]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.full_name}"


class Dependant(TenantModel):
    """A dependant registered for the family deduction: counts for a month when registered in it."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="dependants")
    full_name = models.CharField(_("full name"), max_length=200)
    relationship = models.CharField(_("relationship"), max_length=50)
    id_number = models.CharField(_("ID number"), max_length=20, blank=True)
    registered_from = models.DateField(_("registered from"))
    registered_to = models.DateField(_("registered to"), null=True, blank=True)

    class Meta:
        ordering = ["registered_from", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(registered_to__isnull=True) | Q(registered_to__gte=models.F("registered_from")),
                name="hrm_dependant_dates",
            )
        ]

    def __str__(self) -> str:
        return self.full_name


class ContractKind(models.TextChoices):
    INDEFINITE = "indefinite", _("Indefinite term")
    FIXED = "fixed", _("Fixed term (≤ 36 months)")
    PROBATION = "probation", _("Probation")
    CASUAL = "casual", _("Casual (under 3 months)")


class ProbationLevel(models.TextChoices):
    """Labour Code 2019 art. 25: the longest probation per kind of job (days)."""

    MANAGER = "manager", _("Enterprise manager (≤ 180 days)")
    COLLEGE = "college", _("College degree or higher (≤ 60 days)")
    VOCATIONAL = "vocational", _("Vocational / technical (≤ 30 days)")
    OTHER = "other", _("Other jobs (≤ 6 days)")


class SalaryBasis(models.TextChoices):
    GROSS = "gross", _("Gross")
    NET = "net", _("Net (grossed up)")


class ContractStatus(models.TextChoices):
    ACTIVE = "active", pgettext_lazy("contract", "Active")
    TERMINATED = "terminated", pgettext_lazy("contract", "Terminated")


class Contract(TenantModel):
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="contracts")
    number = models.CharField(_("number"), max_length=30, editable=False)
    kind = models.CharField(_("kind"), max_length=12, choices=ContractKind.choices)
    probation_level = models.CharField(
        _("probation job level"), max_length=12, choices=ProbationLevel.choices, blank=True
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    salary = MoneyField(_("monthly salary"))
    salary_basis = models.CharField(
        _("salary agreed as"), max_length=5, choices=SalaryBasis.choices, default=SalaryBasis.GROSS
    )
    job_salary = MoneyField(_("salary of the job (probation)"), null=True, blank=True, default=None)
    insurance_salary = MoneyField(_("insurance salary"), null=True, blank=True, default=None)
    insured = models.BooleanField(_("compulsory insurance"), default=True)
    status = models.CharField(_("status"), max_length=12, choices=ContractStatus.choices, default=ContractStatus.ACTIVE)
    terminated_on = models.DateField(_("terminated on"), null=True, blank=True)
    termination_reason = models.CharField(_("termination reason"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="hrm_contract_number_unique"),
            models.CheckConstraint(condition=Q(salary__gte=0), name="hrm_contract_salary_ge_0"),
        ]
        ordering = ["-start_date", "-id"]

    def __str__(self) -> str:
        return self.number

    def covers(self, first: dt.date, last: dt.date) -> bool:
        end = self.terminated_on or self.end_date
        return self.start_date <= last and (end is None or end >= first)


class AllowanceKind(models.TextChoices):
    MEAL = "meal", _("Meals")
    PHONE = "phone", _("Phone")
    TRAVEL = "travel", _("Travel")
    HOUSING = "housing", _("Housing")
    RESPONSIBILITY = "responsibility", _("Responsibility")
    OTHER = "other", _("Other")


class Allowance(TenantModel):
    """A monthly allowance of a contract; ``taxable`` says whether it enters the PIT income."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="allowances")
    kind = models.CharField(_("kind"), max_length=16, choices=AllowanceKind.choices)
    amount = MoneyField(_("amount per month"))
    taxable = models.BooleanField(_("taxable"), default=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gte=0), name="hrm_allowance_amount_ge_0")]


class SalaryChange(TenantModel):
    """Salary history: one row per contract signed or salary change."""

    employee = models.ForeignKey(Employee, on_delete=models.CASCADE, related_name="salary_history")
    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="+")
    effective_from = models.DateField(_("effective from"))
    salary = MoneyField(_("monthly salary"))
    salary_basis = models.CharField(_("salary agreed as"), max_length=5, choices=SalaryBasis.choices)
    reason = models.CharField(_("reason"), max_length=200, blank=True)

    class Meta:
        ordering = ["-effective_from", "-id"]


# --- statutory payroll data (global, effective-dated) -------------------------------------------------


class RateKey(models.TextChoices):
    BHXH_EMPLOYEE = "bhxh_employee", _("Social insurance, employee (%)")
    BHYT_EMPLOYEE = "bhyt_employee", _("Health insurance, employee (%)")
    BHTN_EMPLOYEE = "bhtn_employee", _("Unemployment insurance, employee (%)")
    BHXH_PENSION_EMPLOYER = "bhxh_pension_employer", _("Social insurance pension fund, employer (%)")
    BHXH_SICKNESS_EMPLOYER = "bhxh_sickness_employer", _("Social insurance sickness/maternity fund, employer (%)")
    BHXH_ACCIDENT_EMPLOYER = "bhxh_accident_employer", _("Social insurance accident fund, employer (%)")
    BHYT_EMPLOYER = "bhyt_employer", _("Health insurance, employer (%)")
    BHTN_EMPLOYER = "bhtn_employer", _("Unemployment insurance, employer (%)")
    UNION_FEE = "union_fee", _("Trade union fee, employer (%)")
    BASE_SALARY = "base_salary", _("Base salary (VND)")
    CAP_MULTIPLIER = "cap_multiplier", _("Insurance cap multiplier")
    MINIMUM_WAGE = "minimum_wage", _("Regional minimum wage (VND)")
    PERSONAL_DEDUCTION = "personal_deduction", _("Personal deduction (VND/month)")
    DEPENDANT_DEDUCTION = "dependant_deduction", _("Dependant deduction (VND/month)")
    CASUAL_RATE = "casual_rate", _("Casual labour withholding (%)")
    CASUAL_THRESHOLD = "casual_threshold", _("Casual labour withholding threshold (VND)")
    NON_RESIDENT_RATE = "non_resident_rate", _("Non-resident PIT (%)")


class StatutoryRate(models.Model):
    """One statutory figure from ``valid_from`` to ``valid_to`` (inclusive; empty = open-ended)."""

    key = models.CharField(_("figure"), max_length=30, choices=RateKey.choices)
    region = models.CharField(_("region"), max_length=3, choices=Region.choices, blank=True)
    value = FixedPointField(_("value"), scale=4)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    source = models.CharField(_("source"), max_length=200, blank=True)
    confirmed = models.BooleanField(_("confirmed in an official text"), default=True)

    class Meta:
        ordering = ["key", "region", "valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["key", "region", "valid_from"], name="hrm_rate_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.key}{' ' + self.region if self.region else ''} {self.value} ({self.valid_from})"


class PitBracket(models.Model):
    """A bracket of the monthly progressive PIT table: income above the previous bracket's ``upper`` up to
    ``upper`` (empty: no upper end) is taxed at ``rate`` %."""

    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)
    upper = MoneyField(_("upper end (VND)"), null=True, blank=True, default=None)
    rate = FixedPointField(_("rate (%)"), scale=4)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        ordering = ["valid_from", "upper"]

    def __str__(self) -> str:
        return f"{self.valid_from} ≤{self.upper} {self.rate}%"


# --- payroll -----------------------------------------------------------------------------------------


class PayrollStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("payroll", "Draft")
    APPROVED = "approved", pgettext_lazy("payroll", "Approved")


class PayrollPeriod(TenantModel):
    year = models.PositiveIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    status = models.CharField(_("status"), max_length=10, choices=PayrollStatus.choices, default=PayrollStatus.DRAFT)
    generated_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    total_gross = MoneyField(_("gross"), default=ZERO)
    total_net = MoneyField(_("net"), default=ZERO)
    total_pit = MoneyField(_("PIT"), default=ZERO)
    total_employer = MoneyField(_("employer contributions"), default=ZERO)
    # un-approving reverses the accrual entries; the next approval posts under a new source type
    revision = models.PositiveSmallIntegerField(default=0)
    paid_on = models.DateField(_("paid on"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment_method = models.CharField(_("payment method"), max_length=10, blank=True)  # bank | cash
    payment_account = models.CharField(_("paid from"), max_length=200, blank=True)  # as shown to people
    # the sum of the month's salary payments (``SalaryPayment``); ``paid_on`` is set when it reaches the net
    paid_total = MoneyField(_("paid"), default=ZERO)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "year", "month"], name="hrm_period_unique"),
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="hrm_period_month"),
        ]
        ordering = ["-year", "-month"]

    def __str__(self) -> str:
        return f"{self.month:02d}/{self.year}"

    @property
    def remaining(self) -> Decimal:
        """Net pay still to be paid (0 once the month is paid)."""
        return ZERO if self.paid_on is not None else self.total_net - self.paid_total

    @property
    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, 1)

    @property
    def last_day(self) -> dt.date:
        nxt = dt.date(self.year + (self.month == 12), self.month % 12 + 1, 1)
        return nxt - dt.timedelta(days=1)


class PayrollLine(TenantModel):
    """One employee's pay of a period, every figure as computed by ``payroll_rules.compute``."""

    period = models.ForeignKey(PayrollPeriod, on_delete=models.CASCADE, related_name="lines")
    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="payroll_lines")
    contract = models.ForeignKey(Contract, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    cost_account = models.CharField(max_length=20)
    tax_method = models.CharField(max_length=12)
    work_days = models.PositiveSmallIntegerField(default=0)
    paid_days = models.PositiveSmallIntegerField(default=0)
    unpaid_days = models.PositiveSmallIntegerField(default=0)  # scheduled days absent or on unpaid leave
    overtime_minutes = models.PositiveIntegerField(default=0)  # confirmed overtime of the month
    overtime_pay = MoneyField()  # overtime and night premiums (in gross)
    overtime_exempt = MoneyField()  # the part of overtime_pay above the normal rate: PIT-exempt
    base_salary = MoneyField()
    taxable_allowances = MoneyField()
    non_taxable_allowances = MoneyField()
    gross = MoneyField()
    insurance_base = MoneyField()
    unemployment_base = MoneyField()
    employee_bhxh = MoneyField()
    employee_bhyt = MoneyField()
    employee_bhtn = MoneyField()
    employer_bhxh = MoneyField()
    employer_bhyt = MoneyField()
    employer_bhtn = MoneyField()
    employer_union = MoneyField()
    dependants = models.PositiveSmallIntegerField(default=0)
    family_deduction = MoneyField()
    taxable_income = MoneyField()
    assessable_income = MoneyField()
    pit = MoneyField()
    net = MoneyField()
    bonus_taxable = MoneyField(default=ZERO)  # bonuses of the month in gross and the PIT base
    bonus_non_taxable = MoneyField(default=ZERO)  # in gross, not taxed
    deductions = MoneyField(default=ZERO)  # after tax: advance repayments and other deductions
    advance_repaid = MoneyField(default=ZERO)  # the part of ``deductions`` repaying advances (141)
    # salary formulas' amounts (already in the allowances / bonuses): code → name, component, amount
    formula_amounts = models.JSONField(default=dict, blank=True)
    emailed_to = models.EmailField(blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "period", "employee"], name="hrm_line_unique")]
        ordering = ["employee__code"]

    @property
    def employee_insurance(self) -> Decimal:
        return self.employee_bhxh + self.employee_bhyt + self.employee_bhtn

    @property
    def employer_total(self) -> Decimal:
        return self.employer_bhxh + self.employer_bhyt + self.employer_bhtn + self.employer_union


class SalaryPayment(TenantModel):
    """One payment of an approved month's net salaries (the month may be paid in several): its lines say
    how much each employee received. Posted Dr 334 (per employee) / Cr the bank or cash account."""

    period = models.ForeignKey(PayrollPeriod, on_delete=models.PROTECT, related_name="payments")
    number = models.PositiveSmallIntegerField()  # 1, 2, … within the month
    date = models.DateField(_("payment date"))
    method = models.CharField(_("payment method"), max_length=10)  # bank | cash
    account_label = models.CharField(_("paid from"), max_length=200)
    ledger_account = models.CharField(max_length=40)  # role bank/cash or the bank account's code
    amount = MoneyField(_("amount"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "period", "number"], name="hrm_salary_payment_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="hrm_salary_payment_positive"),
        ]
        ordering = ["period", "number"]

    def __str__(self) -> str:
        return f"{self.period} #{self.number}"


class SalaryPaymentLine(TenantModel):
    payment = models.ForeignKey(SalaryPayment, on_delete=models.CASCADE, related_name="lines")
    line = models.ForeignKey(PayrollLine, on_delete=models.PROTECT, related_name="payments")
    amount = MoneyField(_("amount"))

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "payment", "line"], name="hrm_salary_payment_line_unique"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="hrm_salary_payment_line_positive"),
        ]


class PayAdjustmentKind(models.TextChoices):
    BONUS = "bonus", _("Bonus")
    ADVANCE = "advance", _("Advance repayment")
    DEDUCTION = "deduction", _("Other deduction")


class PayAdjustment(TenantModel):
    """A bonus or a deduction of one employee's month (``hrm.bonus.manage``): bonuses enter the gross (and
    the PIT base when ``taxable``), never the insurance salary; deductions come off the net after tax."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="pay_adjustments")
    year = models.PositiveIntegerField(_("year"))
    month = models.PositiveSmallIntegerField(_("month"))
    kind = models.CharField(_("kind"), max_length=10, choices=PayAdjustmentKind.choices)
    amount = MoneyField(_("amount"))
    taxable = models.BooleanField(_("taxable"), default=True)  # bonuses only; deductions never are
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(month__gte=1) & Q(month__lte=12), name="hrm_adjustment_month"),
            models.CheckConstraint(condition=Q(amount__gt=0), name="hrm_adjustment_positive"),
        ]
        indexes = [models.Index(fields=["tenant", "year", "month"], name="hrm_adjustment_month_idx")]
        ordering = ["-year", "-month", "employee__code", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.month:02d}/{self.year}"


class FormulaComponent(models.TextChoices):
    TAXABLE_ALLOWANCE = "allowance", _("Taxable allowance")
    NON_TAXABLE_ALLOWANCE = "allowance_nt", _("Non-taxable allowance")
    TAXABLE_BONUS = "bonus", _("Taxable bonus")
    NON_TAXABLE_BONUS = "bonus_nt", _("Non-taxable bonus")


class SalaryFormula(TenantModel):
    """A company's pay component computed each month for every employee on the payroll from an expression
    over fixed named variables (``hrm.formulas``), evaluated safely (simpleeval, exact Decimals) and
    rounded to the đồng; allowances enter the gross like a contract's allowances, bonuses like bonuses."""

    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=120)
    component = models.CharField(_("pay component"), max_length=15, choices=FormulaComponent.choices)
    expression = models.CharField(_("formula"), max_length=500)
    is_active = models.BooleanField(_("active"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="hrm_formula_code_unique")]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


# --- leave -------------------------------------------------------------------------------------------


class LeaveType(TenantModel):
    """A kind of leave; ``days_per_year`` is the yearly entitlement (empty: no balance kept)."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    paid = models.BooleanField(_("paid"), default=True)
    days_per_year = models.PositiveSmallIntegerField(_("days per year"), null=True, blank=True)
    # annual leave: + 1 day per 5 years of service, earned month by month (Labour Code art. 113, 114)
    accrues = models.BooleanField(_("accrues monthly with seniority"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="hrm_leavetype_code_unique")]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class LeaveStatus(models.TextChoices):
    SUBMITTED = "submitted", pgettext_lazy("leave", "Submitted")
    MANAGER_APPROVED = "manager_ok", pgettext_lazy("leave", "Approved by the manager")
    APPROVED = "approved", pgettext_lazy("leave", "Approved")
    REJECTED = "rejected", pgettext_lazy("leave", "Rejected")
    CANCELLED = "cancelled", pgettext_lazy("leave", "Cancelled")


class LeaveRequest(TenantModel):
    """Leave of an employee: level 1 by the department's manager, level 2 by HR (spec §4.2.3)."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="leave_requests")
    leave_type = models.ForeignKey(LeaveType, on_delete=models.PROTECT, related_name="+")
    start_date = models.DateField(_("from"))
    end_date = models.DateField(_("to"))
    days = models.PositiveSmallIntegerField(_("working days"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=LeaveStatus.choices, default=LeaveStatus.SUBMITTED)
    manager_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    hr_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_note = models.CharField(_("decision note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-start_date", "-id"]
        constraints = [
            models.CheckConstraint(condition=Q(end_date__gte=models.F("start_date")), name="hrm_leave_dates"),
        ]


# --- time: work schedules, public holidays, attendance -------------------------------------------------


class WorkSchedule(TenantModel):
    """A shift: the hours of a working day and whether Saturday is a working day. An employee without a
    schedule follows the company's default one (``is_default``), else Monday–Friday 08:00–17:00."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    start_time = models.TimeField(_("start"), default=dt.time(8, 0))
    end_time = models.TimeField(_("end"), default=dt.time(17, 0))
    break_minutes = models.PositiveSmallIntegerField(_("break (minutes)"), default=60)
    saturday = models.BooleanField(_("Saturday is a working day"), default=False)
    is_default = models.BooleanField(_("company default"), default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "code"], name="hrm_schedule_code_unique")]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    @property
    def minutes_per_day(self) -> int:
        start = self.start_time.hour * 60 + self.start_time.minute
        end = self.end_time.hour * 60 + self.end_time.minute
        if end <= start:
            end += 24 * 60
        return max(end - start - self.break_minutes, 0)


class PublicHoliday(TenantModel):
    """A paid public holiday (Labour Code 2019 art. 112) or a compensatory day off; seeded with
    Vietnam's 2026/2027 days at HRM set-up (``statutory.PUBLIC_HOLIDAYS``), editable by the HR Manager."""

    date = models.DateField(_("date"))
    name = models.CharField(_("name"), max_length=120)
    source = models.CharField(_("source"), max_length=200, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "date"], name="hrm_holiday_date_unique")]
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date:%d/%m/%Y} {self.name}"


class AttendanceSource(models.TextChoices):
    MANUAL = "manual", _("Manual entry")
    IMPORT = "import", _("Time clock import")
    WEB = "web", _("Web check-in")


class OvertimeStatus(models.TextChoices):
    NONE = "", _("No overtime")
    PENDING = "pending", _("To confirm")
    CONFIRMED = "confirmed", _("Confirmed")
    REJECTED = "rejected", pgettext_lazy("overtime", "Rejected")


class Attendance(TenantModel):
    """One employee's day: check-in/out and the minutes they make (worked, overtime, night). Overtime is
    paid once the department's manager (or the HR Manager) confirmed it; a day without a record counts
    as absent once the employee has any record in the month (``timesheet``)."""

    employee = models.ForeignKey(Employee, on_delete=models.PROTECT, related_name="attendance")
    date = models.DateField(_("date"))
    check_in = models.TimeField(_("check-in"), null=True, blank=True)
    check_out = models.TimeField(_("check-out"), null=True, blank=True)
    worked_minutes = models.PositiveIntegerField(_("worked minutes"), default=0)
    overtime_minutes = models.PositiveIntegerField(_("overtime minutes"), default=0)
    night_minutes = models.PositiveIntegerField(_("night minutes (normal hours)"), default=0)
    night_overtime_minutes = models.PositiveIntegerField(_("night overtime minutes"), default=0)
    overtime_status = models.CharField(
        _("overtime"), max_length=10, choices=OvertimeStatus.choices, default=OvertimeStatus.NONE, blank=True
    )
    overtime_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(_("source"), max_length=10, choices=AttendanceSource.choices)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    note = models.CharField(_("note"), max_length=300, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "employee", "date"], name="hrm_attendance_day_unique")]
        indexes = [models.Index(fields=["tenant", "date"], name="hrm_attendance_date_idx")]
        ordering = ["-date", "employee__code"]

    def __str__(self) -> str:
        return f"{self.employee.code} {self.date:%d/%m/%Y}"


class OvertimeLimit(models.IntegerChoices):
    STANDARD = 200, _("200 hours a year")
    LISTED_SECTORS = 300, _("300 hours a year (sectors listed in Labour Code 2019 art. 107(3))")


class HrmSettings(TenantModel):
    """The company's HRM settings (one row at most; none = the defaults)."""

    overtime_year_limit = models.PositiveSmallIntegerField(
        _("overtime limit per year"), choices=OvertimeLimit.choices, default=OvertimeLimit.STANDARD
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="hrm_settings_tenant_unique")]

    def __str__(self) -> str:
        return f"HRM settings {self.tenant_id}"
