"""Forms of the project pages. They only collect input: rules and writing are ``actions``' (the same
path as the API)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from novasaas.platform.dates import DateInput
from novasaas.platform.numbers import NumberField
from novasaas.platform.text import Form
from novasaas.platform.widgets import PickerSelect
from novasaas.projects.models import BillingType, Priority, ProjectRole, ProjectStatus, TaskStatus


def _choices(field: Any, options: Any) -> None:
    field.choices = [("", "—"), *options]


class ProjectForm(Form):
    code = forms.CharField(label=_("Code"), max_length=30)
    name = forms.CharField(label=_("Name"), max_length=200)
    customer_id = forms.TypedChoiceField(
        label=_("Customer"), coerce=int, required=False, empty_value=None, widget=PickerSelect
    )
    manager_id = forms.TypedChoiceField(label=_("Project manager"), coerce=int, required=False, empty_value=None)
    billing_type = forms.ChoiceField(label=_("Billing type"), choices=BillingType.choices)
    status = forms.ChoiceField(label=_("Status"), choices=ProjectStatus.choices)
    budget = NumberField(label=_("Budget (VND)"), max_digits=16, decimal_places=0, required=False)
    contract_amount = NumberField(
        label=_("Contract amount (VND)"),
        max_digits=16,
        decimal_places=0,
        required=False,
        help_text=_("What a fixed-price project bills."),
    )
    start_date = forms.DateField(label=_("Start date"), widget=DateInput, required=False)
    end_date = forms.DateField(label=_("End date"), widget=DateInput, required=False)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, customers: Any = (), users: Any = (), editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["customer_id"], customers)
        _choices(self.fields["manager_id"], users)
        if editing:
            self.fields["code"].disabled = True


class PhaseForm(Form):
    name = forms.CharField(label=_("Phase"), max_length=200)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput, required=False)
    end_date = forms.DateField(label=_("End date"), widget=DateInput, required=False)


class MilestoneForm(Form):
    name = forms.CharField(label=_("Milestone"), max_length=200)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput)


class MemberForm(Form):
    user_id = forms.TypedChoiceField(label=_("Member"), coerce=int)
    role = forms.ChoiceField(label=_("Project role"), choices=ProjectRole.choices, initial=ProjectRole.MEMBER)
    cost_rate = NumberField(label=_("Hourly cost rate (VND)"), max_digits=16, decimal_places=0, required=False)
    bill_rate = NumberField(label=_("Hourly bill rate (VND)"), max_digits=16, decimal_places=0, required=False)

    def __init__(self, *args: Any, users: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["user_id"], users)


class TaskForm(Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    parent_id = forms.TypedChoiceField(label=_("Parent task"), coerce=int, required=False, empty_value=None)
    phase_id = forms.TypedChoiceField(label=_("Phase"), coerce=int, required=False, empty_value=None)
    assignee_id = forms.TypedChoiceField(label=_("Assignee"), coerce=int, required=False, empty_value=None)
    estimate_hours = NumberField(label=_("Estimate (hours)"), max_digits=8, decimal_places=2, required=False)
    start_date = forms.DateField(label=_("Start date"), widget=DateInput, required=False)
    due_date = forms.DateField(label=_("Due date"), widget=DateInput, required=False)
    priority = forms.ChoiceField(label=_("Priority"), choices=Priority.choices, initial=Priority.NORMAL)
    status = forms.ChoiceField(label=_("Status"), choices=TaskStatus.choices, initial=TaskStatus.TODO)
    description = forms.CharField(label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args: Any, parents: Any = (), phases: Any = (), users: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["parent_id"], parents)
        _choices(self.fields["phase_id"], phases)
        _choices(self.fields["assignee_id"], users)


class TimeEntryForm(Form):
    task_id = forms.TypedChoiceField(label=_("Task"), coerce=int, widget=PickerSelect)
    date = forms.DateField(label=_("Date"), widget=DateInput)
    hours = NumberField(label=_("Hours"), max_digits=5, decimal_places=2)
    is_billable = forms.BooleanField(label=_("Billable"), required=False, initial=True)
    note = forms.CharField(label=_("Note"), max_length=300, required=False)

    def __init__(self, *args: Any, tasks: Any = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["task_id"], tasks)


class ExpenseForm(Form):
    date = forms.DateField(label=_("Date"), widget=DateInput)
    description = forms.CharField(label=_("Description"), max_length=300)
    amount = NumberField(label=_("Amount (VND)"), max_digits=16, decimal_places=0)
    is_billable = forms.BooleanField(label=_("Billable to the customer"), required=False, initial=True)
