"""Forms of the HRM pages. They only collect input: rules and writing are ``actions``' (the API's path)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.hrm.models import (
    COST_ACCOUNTS,
    AllowanceKind,
    ContractKind,
    OvertimeLimit,
    ProbationLevel,
    Region,
    SalaryBasis,
)
from novasaas.platform.dates import DateInput
from novasaas.platform.numbers import NumberField
from novasaas.platform.text import Form


def _choices(field: Any, options: Any) -> None:
    field.choices = [("", "—"), *options]


class DepartmentForm(Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=120)
    parent_id = forms.TypedChoiceField(label=_("Parent department"), coerce=int, required=False, empty_value=None)
    manager_id = forms.TypedChoiceField(label=_("Manager"), coerce=int, required=False, empty_value=None)
    cost_account = forms.ChoiceField(label=_("Salary expense account"), choices=COST_ACCOUNTS)

    def __init__(self, *args: Any, departments: Any = (), members: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["parent_id"], departments)
        _choices(self.fields["manager_id"], members)


class PositionForm(Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=120)
    department_id = forms.TypedChoiceField(label=_("Department"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args: Any, departments: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["department_id"], departments)


class EmployeeForm(Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    department_id = forms.TypedChoiceField(label=_("Department"), coerce=int)
    position_id = forms.TypedChoiceField(label=_("Position"), coerce=int, required=False, empty_value=None)
    user_id = forms.TypedChoiceField(
        label=_("User account (self-service)"), coerce=int, required=False, empty_value=None
    )
    hired_on = forms.DateField(label=_("Hired on"), widget=DateInput)
    date_of_birth = forms.DateField(label=_("Date of birth"), widget=DateInput, required=False)
    id_number = forms.CharField(label=_("Citizen ID (CCCD)"), max_length=12, required=False)
    tax_code = forms.CharField(label=_("Personal tax code"), max_length=14, required=False)
    social_insurance_number = forms.CharField(label=_("Social insurance number"), max_length=10, required=False)
    region = forms.ChoiceField(label=_("Workplace region"), choices=Region.choices)
    is_resident = forms.BooleanField(label=_("Tax resident"), required=False, initial=True)
    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=30, required=False)

    def __init__(
        self, *args: Any, departments: Any = (), positions: Any = (), members: Any = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["department_id"], departments)
        _choices(self.fields["position_id"], positions)
        _choices(self.fields["user_id"], members)


class ContactForm(Form):
    """What HR Staff may change (``hrm.employee.update_contact``)."""

    email = forms.EmailField(label=_("Email"), required=False)
    phone = forms.CharField(label=_("Phone"), max_length=20, required=False)
    address = forms.CharField(label=_("Address"), max_length=300, required=False)
    bank_name = forms.CharField(label=_("Bank"), max_length=100, required=False)
    bank_account = forms.CharField(label=_("Bank account"), max_length=30, required=False)


class DependantForm(Form):
    full_name = forms.CharField(label=_("Full name"), max_length=200)
    relationship = forms.CharField(label=_("Relationship"), max_length=50)
    id_number = forms.CharField(label=_("ID number"), max_length=20, required=False)
    registered_from = forms.DateField(label=_("Registered from"), widget=DateInput)
    registered_to = forms.DateField(label=_("Registered to"), widget=DateInput, required=False)


class ContractForm(Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=ContractKind.choices)
    probation_level = forms.ChoiceField(
        label=_("Probation job level"), choices=[("", "—"), *ProbationLevel.choices], required=False
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput)
    end_date = forms.DateField(label=_("End date"), widget=DateInput, required=False)
    salary = NumberField(label=_("Monthly salary"), max_digits=15, decimal_places=0)
    salary_basis = forms.ChoiceField(label=_("Salary agreed as"), choices=SalaryBasis.choices)
    job_salary = NumberField(label=_("Salary of the job (probation)"), max_digits=15, decimal_places=0, required=False)
    insurance_salary = NumberField(
        label=_("Insurance salary"),
        max_digits=15,
        decimal_places=0,
        required=False,
        help_text=_("Empty: the salary."),
    )
    allowance_kind = forms.ChoiceField(
        label=_("Allowance"), choices=[("", "—"), *AllowanceKind.choices], required=False
    )
    allowance_amount = NumberField(label=_("Allowance per month"), max_digits=15, decimal_places=0, required=False)
    allowance_taxable = forms.BooleanField(label=_("Allowance is taxable"), required=False)

    def action_data(self) -> dict[str, Any]:
        data = dict(self.cleaned_data)
        kind, amount, taxable = data.pop("allowance_kind"), data.pop("allowance_amount"), data.pop("allowance_taxable")
        data["allowances"] = [{"kind": kind, "amount": amount, "taxable": taxable}] if kind and amount else []
        return data


class RenewalForm(Form):
    kind = forms.ChoiceField(
        label=_("Kind"), choices=[(k, v) for k, v in ContractKind.choices if k in ("indefinite", "fixed")]
    )
    end_date = forms.DateField(label=_("End date"), widget=DateInput, required=False)
    salary = NumberField(
        label=_("Monthly salary"), max_digits=15, decimal_places=0, required=False, help_text=_("Empty: unchanged.")
    )


class TerminationForm(Form):
    terminated_on = forms.DateField(label=_("Terminated on"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=300)


class PayrollForm(Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)


class LeaveTypeForm(Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=120)
    paid = forms.BooleanField(label=pgettext_lazy("leave type", "Paid"), required=False, initial=True)
    days_per_year = forms.IntegerField(label=_("Days per year"), min_value=0, max_value=366, required=False)
    accrues = forms.BooleanField(label=_("Accrues monthly with seniority"), required=False)


class LeaveRequestForm(Form):
    leave_type_id = forms.TypedChoiceField(label=_("Leave type"), coerce=int)
    start_date = forms.DateField(label=_("From"), widget=DateInput)
    end_date = forms.DateField(label=_("To"), widget=DateInput)
    reason = forms.CharField(label=_("Reason"), max_length=300, required=False)

    def __init__(self, *args: Any, types: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["leave_type_id"], types)


class WorkScheduleForm(Form):
    code = forms.CharField(label=_("Code"), max_length=20)
    name = forms.CharField(label=_("Name"), max_length=120)
    start_time = forms.TimeField(label=_("Start"), initial="08:00", widget=forms.TimeInput(format="%H:%M"))
    end_time = forms.TimeField(label=_("End"), initial="17:00", widget=forms.TimeInput(format="%H:%M"))
    break_minutes = forms.IntegerField(label=_("Break (minutes)"), min_value=0, max_value=600, initial=60)
    saturday = forms.BooleanField(label=_("Saturday is a working day"), required=False)
    is_default = forms.BooleanField(label=_("Company default"), required=False)


class HolidayForm(Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    name = forms.CharField(label=_("Name"), max_length=120)
    source = forms.CharField(label=_("Source"), max_length=200, required=False)


class AttendanceForm(Form):
    employee_id = forms.TypedChoiceField(label=_("Employee"), coerce=int)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    check_in = forms.TimeField(label=_("Check-in"), widget=forms.TimeInput(format="%H:%M"))
    check_out = forms.TimeField(label=_("Check-out"), widget=forms.TimeInput(format="%H:%M"))
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, employees: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["employee_id"], employees)


class AttendanceAdjustForm(Form):
    check_in = forms.TimeField(label=_("Check-in"), widget=forms.TimeInput(format="%H:%M"))
    check_out = forms.TimeField(label=_("Check-out"), widget=forms.TimeInput(format="%H:%M"))
    reason = forms.CharField(label=_("Reason for the adjustment"), max_length=300)


class AttendanceImportForm(Form):
    file = forms.FileField(label=_("Time clock file (CSV or Excel)"))


class HrmSettingsForm(Form):
    overtime_year_limit = forms.TypedChoiceField(
        label=_("Overtime limit per year"), choices=OvertimeLimit.choices, coerce=int
    )


class EmployeeImportForm(Form):
    file = forms.FileField(label=_("Employee file (CSV or Excel)"))


class MonthForm(Form):
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)


class PayAdjustmentForm(Form):
    employee_id = forms.TypedChoiceField(label=_("Employee"), coerce=int)
    year = forms.IntegerField(label=_("Year"), min_value=2000, max_value=2100)
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)
    kind = forms.ChoiceField(label=_("Kind"))
    amount = NumberField(label=_("Amount"), max_digits=15, decimal_places=0)
    taxable = forms.BooleanField(label=_("Taxable (bonuses: PIT; never insured)"), required=False, initial=True)
    reason = forms.CharField(label=_("Reason"), max_length=300)

    def __init__(self, *args: Any, employees: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        from novasaas.hrm.models import PayAdjustmentKind

        super().__init__(*args, **kwargs)
        _choices(self.fields["employee_id"], employees)
        _choices(self.fields["kind"], PayAdjustmentKind.choices)


class PayrollPaymentForm(Form):
    date = forms.DateField(label=_("Payment date"), widget=DateInput)
    account = forms.ChoiceField(label=_("Paid from"))

    def __init__(self, *args: Any, accounts: list[tuple[str, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        field: Any = self.fields["account"]
        field.choices = accounts


class PayrollUnapproveForm(Form):
    reason = forms.CharField(label=_("Reason"), max_length=300)


class SalaryFormulaForm(Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=120)
    component = forms.ChoiceField(label=_("Pay component"))
    expression = forms.CharField(
        label=_("Formula"), max_length=500, help_text=_("e.g. base * 0.1 + days_worked * 50000")
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        from novasaas.hrm.models import FormulaComponent

        super().__init__(*args, **kwargs)
        _choices(self.fields["component"], FormulaComponent.choices)


class PartialPaymentForm(PayrollPaymentForm):
    employee_ids = forms.TypedMultipleChoiceField(
        label=_("Employees to pay"), coerce=int, required=False, widget=forms.CheckboxSelectMultiple
    )
    amount = NumberField(
        label=_("Amount"),
        max_digits=15,
        decimal_places=0,
        required=False,
        help_text=_("Empty: what remains to each employee chosen (or to everyone). With one employee: that part."),
    )

    def __init__(self, *args: Any, employees: list[tuple[int, str]] = (), **kwargs: Any) -> None:  # type: ignore[assignment]
        super().__init__(*args, **kwargs)
        field: Any = self.fields["employee_ids"]
        field.choices = employees
