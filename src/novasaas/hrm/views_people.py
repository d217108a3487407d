"""HRM pages of the organisation and its people: departments, positions, employees, dependants, contracts."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from novasaas.hrm import actions, forms, selectors
from novasaas.hrm.models import (
    Dependant,
    EmployeeStatus,
    SalaryChange,
)
from novasaas.hrm.views import PAGE_SIZE, HrmView, _attach, _members
from novasaas.platform.reports import file_response

# --- organisation ------------------------------------------------------------------------------------


class DepartmentListView(HrmView):
    permissions = ("hrm.org.manage", "hrm.org.view")

    def form(self, data: Any = None) -> forms.DepartmentForm:
        tenant = self.principal.tenant
        return forms.DepartmentForm(
            data,
            departments=[(d.pk, str(d)) for d in selectors.list_departments(tenant)],
            members=_members(tenant),
        )

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        tenant = self.principal.tenant
        tree = selectors.department_tree(tenant)
        counts: dict[int, int] = {}
        from novasaas.hrm.models import Employee

        for dept_id in Employee.objects.filter(tenant=tenant, status=EmployeeStatus.ACTIVE).values_list(
            "department_id", flat=True
        ):
            counts[dept_id] = counts.get(dept_id, 0) + 1
        rows = [{"depth": depth, "indent": depth * 1.5, "d": d, "count": counts.get(d.pk, 0)} for depth, d in tree]
        can_edit = self.principal.has("hrm.org.manage")
        context = {"rows": rows, "form": (form or self.form()) if can_edit else None}
        return render(request, "hrm/departments.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.principal.require("hrm.org.manage")
        form = self.form(request.POST)
        if form.is_valid():
            try:
                dept = actions.save_department(self.principal, **form.cleaned_data)
                messages.success(request, _("Department %(c)s saved.") % {"c": dept.code})
                return redirect("hrm-departments")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class PositionListView(HrmView):
    permissions = ("hrm.org.manage", "hrm.org.view")

    def form(self, data: Any = None) -> forms.PositionForm:
        departments = [(d.pk, str(d)) for d in selectors.list_departments(self.principal.tenant)]
        return forms.PositionForm(data, departments=departments)

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        can_edit = self.principal.has("hrm.org.manage")
        context = {
            "positions": selectors.list_positions(self.principal.tenant),
            "form": (form or self.form()) if can_edit else None,
        }
        return render(request, "hrm/positions.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.principal.require("hrm.org.manage")
        form = self.form(request.POST)
        if form.is_valid():
            try:
                pos = actions.save_position(self.principal, **form.cleaned_data)
                messages.success(request, _("Position %(c)s saved.") % {"c": pos.code})
                return redirect("hrm-positions")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


# --- employees ---------------------------------------------------------------------------------------


class EmployeeListView(HrmView):
    permissions = ("hrm.employee.view", "hrm.team.view")

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "")[:200]
        status = request.GET.get("status", EmployeeStatus.ACTIVE)
        status = status if status in EmployeeStatus.values else ""
        qs = selectors.list_employees(self.principal, q, status=status)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        expiring: list[Any] = []
        if self.principal.has_any("hrm.contract.manage", "hrm.employee.view"):
            from django.utils import timezone

            expiring = selectors.expiring_contracts(self.principal, timezone.localdate(), 30)
        return render(request, "hrm/employees.html", {"page": page, "q": q, "status": status, "expiring": expiring})


class EmployeeFileView(HrmView):
    """The visible employees as Excel or PDF (the import's columns)."""

    permissions = ("hrm.employee.view", "hrm.team.view")

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        from novasaas.hrm.employee_io import employee_list

        if fmt not in ("xlsx", "pdf"):
            raise Http404
        return file_response(
            employee_list(self.principal), fmt, unavailable=lambda text: HttpResponse(text, status=503)
        )


class EmployeeImportView(HrmView):
    """HR Manager: hire many employees from a CSV/xlsx file; refused lines listed with their number."""

    permissions = ("hrm.employee.manage",)

    def get(self, request: HttpRequest, upload: Any = None, status: int = 200) -> HttpResponse:
        from novasaas.hrm.employee_io import COLUMNS

        columns = [str(label) for key, (label, _w) in COLUMNS.items() if key not in ("code", "status")]
        context = {"upload": upload or forms.EmployeeImportForm(), "columns": columns}
        return render(request, "hrm/employee_import.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.hrm.employee_io import EmployeeImportError, import_employees

        upload = forms.EmployeeImportForm(request.POST, request.FILES)
        if upload.is_valid():
            file = upload.cleaned_data["file"]
            try:
                created = import_employees(self.principal, file, file.name)
                messages.success(request, _("%(n)s employees imported.") % {"n": len(created)})
                return redirect("hrm-employees")
            except EmployeeImportError as exc:
                for msg in exc.messages:
                    upload.add_error("file", msg)
        return self.get(request, upload=upload, status=400)


class EmployeeDetailView(HrmView):
    permissions = ("hrm.employee.view", "hrm.team.view", "hrm.payslip.self")

    def get(self, request: HttpRequest, pk: int, dep_form: Any = None, status: int = 200) -> HttpResponse:
        p = self.principal
        employee = selectors.get_employee(p, pk)
        context = {
            "employee": employee,
            "contracts": selectors.list_contracts(p, employee.pk),
            "dependants": Dependant.objects.filter(tenant=p.tenant, employee=employee),
            "history": SalaryChange.objects.filter(tenant=p.tenant, employee=employee),
            "dep_form": (dep_form or forms.DependantForm()) if p.has("hrm.employee.manage") else None,
            "terminate_form": forms.TerminationForm() if p.has("hrm.contract.manage") else None,
            "renew_form": forms.RenewalForm() if p.has("hrm.contract.manage") else None,
        }
        return render(request, "hrm/employee.html", context, status=status)


class EmployeeFormView(HrmView):
    permissions: tuple[str, ...] = ("hrm.employee.manage",)

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("pk"):
            self.permissions = ("hrm.employee.manage", "hrm.employee.update_contact")
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data: Any = None, employee: Any = None) -> Any:
        initial: dict[str, Any] = {}
        if employee is not None:
            initial = {f: getattr(employee, f) for f in (*actions.PERSONAL_FIELDS, *actions.CONTACT_FIELDS)}
            initial.update({f: getattr(employee, f) for f in actions.JOB_FIELDS})
        if employee is not None and not self.principal.has("hrm.employee.manage"):
            return forms.ContactForm(data, initial=initial)
        tenant = self.principal.tenant
        return forms.EmployeeForm(
            data,
            initial=initial or {"region": "I", "is_resident": True},
            departments=[(d.pk, str(d)) for d in selectors.list_departments(tenant, include_inactive=False)],
            positions=[(x.pk, str(x)) for x in selectors.list_positions(tenant).filter(is_active=True)],
            members=_members(tenant),
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        employee = selectors.get_employee(self.principal, pk) if pk else None
        context = {"form": self.make_form(employee=employee), "employee": employee}
        return render(request, "hrm/employee_form.html", context)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        employee = selectors.get_employee(self.principal, pk) if pk else None
        form = self.make_form(request.POST, employee)
        if form.is_valid():
            try:
                if employee is None:
                    employee = actions.create_employee(self.principal, **form.cleaned_data)
                    messages.success(request, _("Employee %(c)s created.") % {"c": employee.code})
                else:
                    actions.update_employee(self.principal, employee.pk, **form.cleaned_data)
                    messages.success(request, _("Employee %(c)s saved.") % {"c": employee.code})
                return redirect("hrm-employee", pk=employee.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return render(request, "hrm/employee_form.html", {"form": form, "employee": employee}, status=400)


class DependantAddView(HrmView):
    permissions = ("hrm.employee.manage",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        selectors.get_employee(self.principal, pk)
        form = forms.DependantForm(request.POST)
        if form.is_valid():
            try:
                actions.add_dependant(self.principal, pk, **form.cleaned_data)
                messages.success(request, _("Dependant added."))
                return redirect("hrm-employee", pk=pk)
            except ValidationError as exc:
                _attach(form, exc)
        return EmployeeDetailView.get(self, request, pk, dep_form=form, status=400)  # type: ignore[arg-type]


class ContractFormView(HrmView):
    permissions = ("hrm.contract.manage",)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        employee = selectors.get_employee(self.principal, pk)
        form = forms.ContractForm(initial={"kind": "indefinite", "salary_basis": "gross"})
        return render(request, "hrm/contract_form.html", {"form": form, "employee": employee})

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        employee = selectors.get_employee(self.principal, pk)
        form = forms.ContractForm(request.POST)
        if form.is_valid():
            try:
                contract = actions.create_contract(self.principal, employee.pk, **form.action_data())
                messages.success(request, _("Contract %(n)s signed.") % {"n": contract.number})
                return redirect("hrm-employee", pk=employee.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return render(request, "hrm/contract_form.html", {"form": form, "employee": employee}, status=400)


class ContractTerminateView(HrmView):
    permissions = ("hrm.contract.manage",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = selectors.get_contract(self.principal, pk)
        form = forms.TerminationForm(request.POST)
        if form.is_valid():
            try:
                actions.terminate_contract(
                    self.principal, contract.pk, form.cleaned_data["terminated_on"], form.cleaned_data["reason"]
                )
                messages.success(request, _("Contract %(n)s terminated.") % {"n": contract.number})
                return redirect("hrm-employee", pk=contract.employee_id)
            except ValidationError as exc:
                _attach(form, exc)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("hrm-employee", pk=contract.employee_id)


class ContractRenewView(HrmView):
    permissions = ("hrm.contract.manage",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        contract = selectors.get_contract(self.principal, pk)
        form = forms.RenewalForm(request.POST)
        if form.is_valid():
            try:
                new = actions.renew_contract(self.principal, contract.pk, **form.cleaned_data)
                messages.success(request, _("Contract %(n)s signed.") % {"n": new.number})
                return redirect("hrm-employee", pk=contract.employee_id)
            except ValidationError as exc:
                _attach(form, exc)
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect("hrm-employee", pk=contract.employee_id)
