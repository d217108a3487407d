"""HRM pages: thin views over actions, payroll and selectors (module gate HRM)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View

from novasaas.hrm import actions, attendance, forms, leave, payroll, reports, selectors
from novasaas.hrm.models import (
    Dependant,
    EmployeeStatus,
    LeaveStatus,
    LeaveType,
    OvertimeStatus,
    PublicHoliday,
    SalaryChange,
    WorkSchedule,
)
from novasaas.identity.access import Principal, require_perm
from novasaas.platform.modules import ModuleDisabled
from novasaas.platform.pdf import PdfUnavailable
from novasaas.platform.reports import file_response

PAGE_SIZE = 50


class HrmView(LoginRequiredMixin, View):
    """Signed-in members of a tenant with HRM holding one of ``permissions`` (the module checked first)."""

    permissions: tuple[str, ...] = ("hrm.employee.view",)
    principal: Principal

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.has_module("HRM"):
            raise ModuleDisabled("HRM")
        principal: Principal | None = getattr(request, "principal", None)
        held = [perm for perm in self.permissions if principal is not None and principal.has(perm)]
        self.principal = require_perm(request, held[0] if held else self.permissions[-1])
        try:
            return super().dispatch(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc


def _attach(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for msg in exc.messages:
            form.add_error(None, msg)
        return
    for key, msgs in exc.message_dict.items():
        for msg in msgs:
            form.add_error(key if key in form.fields else None, msg)


def _members(tenant: Any) -> list[tuple[int, str]]:
    from novasaas.identity.models import Membership

    rows = Membership.objects.filter(tenant=tenant, is_active=True).select_related("user").order_by("user__email")
    return [(m.user_id, str(m.user)) for m in rows[:2000]]


class HomeView(HrmView):
    permissions = ("hrm.payslip.self",)

    def get(self, request: HttpRequest) -> HttpResponse:
        if self.principal.has_any("hrm.employee.view", "hrm.employee.manage", "hrm.team.view"):
            return redirect("hrm-employees")
        return redirect("hrm-me")


class MyHrView(HrmView):
    """Employee self-service: own record and contract, today's check-in/out, the month's attendance,
    leave balances and requests, the latest payslips — each linking to its full page."""

    permissions = ("hrm.payslip.self",)

    def get(self, request: HttpRequest) -> HttpResponse:
        from django.utils import timezone

        from novasaas.hrm.models import Attendance, ContractStatus, LeaveRequest

        p = self.principal
        me = selectors.own_employee(p)
        today = timezone.localdate()
        context: dict[str, Any] = {"me": me, "today": today}
        if me is not None:
            days = Attendance.objects.filter(
                tenant=p.tenant, employee=me, date__year=today.year, date__month=today.month
            )
            context.update(
                contract=selectors.list_contracts(p, me.pk).filter(status=ContractStatus.ACTIVE).first(),
                days=days.order_by("-date"),
                today_record=next((d for d in days if d.date == today), None),
                balances=leave.balances(me, today.year, today),
                requests=LeaveRequest.objects.filter(tenant=p.tenant, employee=me)
                .select_related("leave_type")
                .order_by("-start_date")[:5],
                payslips=selectors.own_payslips(p)[:3],
                can_check=p.has("hrm.attendance.self"),
            )
        return render(request, "hrm/me.html", context)


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


# --- rules and payroll -------------------------------------------------------------------------------


class RulesView(HrmView):
    permissions = ("hrm.payroll.configure", "hrm.payroll.generate")

    def get(self, request: HttpRequest) -> HttpResponse:
        context = {"rates": selectors.list_rates(), "brackets": selectors.list_brackets()}
        return render(request, "hrm/rules.html", context)


class PayrollListView(HrmView):
    permissions = ("hrm.payroll.generate",)

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        context = {"periods": selectors.list_periods(self.principal.tenant), "form": form or forms.PayrollForm()}
        return render(request, "hrm/payrolls.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.PayrollForm(request.POST)
        if form.is_valid():
            try:
                period = payroll.generate_payroll(self.principal, form.cleaned_data["year"], form.cleaned_data["month"])
                messages.success(request, _("Payroll %(p)s generated.") % {"p": period})
                return redirect("hrm-payroll", pk=period.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class PayrollDetailView(HrmView):
    permissions = ("hrm.payroll.generate",)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        period = selectors.get_period(self.principal.tenant, pk)
        report = reports.payroll_register(period)
        entries: list[Any] = []
        if self.principal.tenant.has_module("ACC"):
            from novasaas.hrm.subscribers import payroll_entries

            entries = payroll_entries(self.principal.tenant, period.pk)
        context = {
            "period": period,
            "report": report,
            "rows": report.page_rows(lambda r: f"/hrm/payslips/{r['_id']}/"),
            "totals": report.page_totals(),
            "entries": entries,
            "can_approve": self.principal.has("hrm.payroll.approve") and period.status == "draft",
            "can_pay": self.principal.has("hrm.payroll.approve") and period.status == "approved",
            "can_unapprove": self.principal.has("hrm.payroll.approve")
            and period.status == "approved"
            and period.paid_on is None,
            "unapprove_form": forms.PayrollUnapproveForm(),
            "stale": period.status == "draft" and period.generated_at is None,
        }
        return render(request, "hrm/payroll.html", context)


class PayrollApproveView(HrmView):
    permissions = ("hrm.payroll.approve",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        selectors.get_period(self.principal.tenant, pk)
        try:
            period = payroll.approve_payroll(self.principal, pk)
            messages.success(request, _("Payroll %(p)s approved.") % {"p": period})
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        return redirect("hrm-payroll", pk=pk)


class PayrollRegisterFileView(HrmView):
    permissions = ("hrm.payroll.generate",)

    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        if fmt not in ("xlsx", "pdf"):
            raise Http404
        report = reports.payroll_register(selectors.get_period(self.principal.tenant, pk))
        return file_response(report, fmt, unavailable=lambda text: HttpResponse(text, status=503))


def _report_page(request: HttpRequest, report: Any, fmt: str, context: dict[str, Any]) -> HttpResponse:
    if fmt:
        if fmt not in ("xlsx", "pdf"):
            raise Http404
        return file_response(report, fmt, unavailable=lambda text: HttpResponse(text, status=503))
    context = {"report": report, "rows": report.page_rows(), "totals": report.page_totals(), **context}
    return render(request, "hrm/report.html", context)


class InsuranceListView(HrmView):
    """The month's insurance contribution list (D02-LT style columns), page, Excel and PDF."""

    permissions = ("hrm.payroll.generate",)

    def get(self, request: HttpRequest, pk: int, fmt: str = "") -> HttpResponse:
        report = reports.insurance_list(selectors.get_period(self.principal.tenant, pk))
        note = _(
            "Employees whose contract is insured; the trade union fee is not listed (not paid to social insurance)."
        )
        return _report_page(request, report, fmt, {"file_url": f"/hrm/payroll/{pk}/insurance.", "note": note})


class PitFinalisationView(HrmView):
    """The year-end PIT finalisation data per employee (approved months), page, Excel and PDF."""

    permissions = ("hrm.payroll.generate",)

    def get(self, request: HttpRequest, fmt: str = "") -> HttpResponse:
        from django.utils import timezone

        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
        except ValueError:
            year = 0
        if not 2000 <= year <= 2100:
            raise Http404
        report = reports.pit_finalisation(self.principal.tenant, year)
        note = _(
            "Income, deductions and tax withheld of the approved payroll months, for the employer's PIT finalisation."
        )
        context = {"file_url": "/hrm/payroll/pit.", "query": f"?year={year}", "year": year, "note": note}
        return _report_page(request, report, fmt, context)


class PayslipListView(HrmView):
    permissions = ("hrm.payslip.self",)

    def get(self, request: HttpRequest) -> HttpResponse:
        context = {
            "payslips": selectors.own_payslips(self.principal)[:120],
            "me": selectors.own_employee(self.principal),
        }
        return render(request, "hrm/payslips.html", context)


class PayslipDetailView(HrmView):
    permissions = ("hrm.payslip.self",)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        line = selectors.get_payslip(self.principal, pk)
        context = {"line": line, "rows": reports.payslip_rows(line), "adjustments": selectors.line_adjustments(line)}
        return render(request, "hrm/payslip.html", context)


class PayslipPdfView(HrmView):
    permissions = ("hrm.payslip.self",)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from novasaas.hrm.payslips import payslip_filename, payslip_pdf

        line = selectors.get_payslip(self.principal, pk)
        try:
            content = payslip_pdf(line)
        except PdfUnavailable as exc:
            return HttpResponse(_("PDF export is unavailable: %(e)s") % {"e": exc}, status=503)
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{payslip_filename(line)}"'
        return response


# --- leave -------------------------------------------------------------------------------------------


class LeaveView(HrmView):
    permissions = ("hrm.leave.request",)

    def form(self, data: Any = None) -> forms.LeaveRequestForm:
        types = LeaveType.objects.filter(tenant=self.principal.tenant, is_active=True)
        return forms.LeaveRequestForm(data, types=[(t.pk, str(t)) for t in types])

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        from django.utils import timezone

        p = self.principal
        me = selectors.own_employee(p)
        requests = list(leave.list_requests(p).select_related("employee__department")[:200])
        uid = p.user.pk if p.user else -1
        for r in requests:
            manager_id = r.employee.department.manager_id
            r.can_decide = r.status in leave.OPEN and (  # type: ignore[attr-defined]
                (r.status == LeaveStatus.SUBMITTED and manager_id == uid and p.has("hrm.leave.approve_team"))
                or (p.has("hrm.leave.approve") and (r.status == LeaveStatus.MANAGER_APPROVED or manager_id is None))
            )
            r.can_cancel = r.status in leave.OPEN and r.employee.user_id == uid  # type: ignore[attr-defined]
        context = {
            "me": me,
            "form": (form or self.form()) if me else None,
            "balances": leave.balances(me, timezone.localdate().year, timezone.localdate()) if me else [],
            "requests": requests,
        }
        return render(request, "hrm/leave.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.form(request.POST)
        if form.is_valid():
            try:
                leave.request_leave(self.principal, **form.cleaned_data)
                messages.success(request, _("Leave requested."))
                return redirect("hrm-leave")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class LeaveDecisionView(HrmView):
    permissions = ("hrm.leave.approve", "hrm.leave.approve_team", "hrm.leave.request")

    def post(self, request: HttpRequest, pk: int, decision: str) -> HttpResponse:
        if decision not in ("approve", "reject", "cancel"):
            raise Http404
        try:
            if decision == "cancel":
                leave.cancel_leave(self.principal, pk)
            else:
                leave.decide_leave(self.principal, pk, decision == "approve", request.POST.get("note", ""))
            messages.success(request, _("Leave request updated."))
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        return redirect("hrm-leave")


class LeaveBalanceReportView(HrmView):
    """Leave balances of the visible employees (HR everyone, a manager their team), page, Excel, PDF."""

    permissions = ("hrm.leave.report", "hrm.leave.process", "hrm.leave.approve_team")

    def get(self, request: HttpRequest, fmt: str = "") -> HttpResponse:
        from django.utils import timezone

        try:
            year = int(request.GET.get("year") or timezone.localdate().year)
        except ValueError:
            year = 0
        if not 2000 <= year <= 2100:
            raise Http404
        report = leave.balance_report(self.principal, year, timezone.localdate())
        context = {"file_url": "/hrm/leave/balances.", "query": f"?year={year}", "year": year}
        return _report_page(request, report, fmt, context)


class LeaveTypeListView(HrmView):
    permissions = ("hrm.leave.configure",)

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        context = {
            "types": LeaveType.objects.filter(tenant=self.principal.tenant),
            "form": form or forms.LeaveTypeForm(),
        }
        return render(request, "hrm/leave_types.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.LeaveTypeForm(request.POST)
        if form.is_valid():
            try:
                lt = leave.save_leave_type(self.principal, **form.cleaned_data)
                messages.success(request, _("Leave type %(c)s saved.") % {"c": lt.code})
                return redirect("hrm-leave-types")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


# --- time ----------------------------------------------------------------------------------------------


def _month_of(request: HttpRequest) -> tuple[int, int]:
    from django.utils import timezone

    today = timezone.localdate()
    form = forms.MonthForm(request.GET or None)
    if request.GET and form.is_valid():
        return form.cleaned_data["year"], form.cleaned_data["month"]
    return today.year, today.month


class AttendanceView(HrmView):
    """The month's attendance records the caller may see; HR enters and imports days; the department's
    manager (or HR Manager) confirms overtime; everyone checks in and out."""

    permissions = ("hrm.attendance.self",)

    def _employees(self) -> list[tuple[int, str]]:
        qs = selectors.visible_employees(self.principal).filter(status=EmployeeStatus.ACTIVE).order_by("code")
        return [(e.pk, str(e)) for e in qs[:2000]]

    def get(self, request: HttpRequest, form: Any = None, upload: Any = None, status: int = 200) -> HttpResponse:
        p = self.principal
        year, month = _month_of(request)
        records = list(
            attendance.visible_records(p)
            .filter(date__year=year, date__month=month)
            .select_related("employee__department")
            .order_by("-date", "employee__code")[:500]
        )
        uid = p.user.pk if p.user else -1
        for r in records:
            r.can_decide = r.overtime_status == OvertimeStatus.PENDING and (  # type: ignore[attr-defined]
                p.has("hrm.attendance.adjust")
                or (
                    p.has("hrm.attendance.confirm_team")
                    and r.employee.department.manager_id == uid
                    and r.employee.user_id != uid
                )
            )
        can_enter = p.has_any("hrm.attendance.enter", "hrm.attendance.adjust")
        context = {
            "year": year,
            "month": month,
            "records": records,
            "me": selectors.own_employee(p),
            "can_enter": can_enter,
            "can_adjust": p.has("hrm.attendance.adjust"),
            "form": (form or forms.AttendanceForm(employees=self._employees())) if can_enter else None,
            "upload": (upload or forms.AttendanceImportForm()) if can_enter else None,
        }
        return render(request, "hrm/attendance.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        p = self.principal
        action = request.POST.get("action", "")
        if action == "check":
            from novasaas.platform.request_context import client_ip

            try:
                record = attendance.check_in_out(p, client_ip(request))
                messages.success(
                    request,
                    _("Checked out at %(t)s.") % {"t": f"{record.check_out:%H:%M}"}
                    if record.check_out
                    else _("Checked in at %(t)s.") % {"t": f"{record.check_in:%H:%M}"},
                )
            except ValidationError as exc:
                for msg in exc.messages:
                    messages.error(request, msg)
            return redirect("hrm-me" if request.POST.get("next") == "me" else "hrm-attendance")
        if action == "import":
            upload = forms.AttendanceImportForm(request.POST, request.FILES)
            if upload.is_valid():
                file = upload.cleaned_data["file"]
                try:
                    created = attendance.import_attendance(p, file, file.name)
                    messages.success(request, _("%(n)s attendance days imported.") % {"n": len(created)})
                    return redirect("hrm-attendance")
                except attendance.AttendanceImportError as exc:
                    for msg in exc.messages:
                        upload.add_error("file", msg)
            return self.get(request, upload=upload, status=400)
        form = forms.AttendanceForm(request.POST, employees=self._employees())
        if form.is_valid():
            try:
                record = attendance.record_attendance(p, **form.cleaned_data)
                messages.success(request, _("Attendance of %(e)s recorded.") % {"e": record})
                return redirect("hrm-attendance")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form=form, status=400)


class OvertimeDecisionView(HrmView):
    permissions = ("hrm.attendance.adjust", "hrm.attendance.confirm_team")

    def post(self, request: HttpRequest, pk: int, decision: str) -> HttpResponse:
        if decision not in ("confirm", "reject"):
            raise Http404
        try:
            attendance.decide_overtime(self.principal, pk, decision == "confirm")
            messages.success(request, _("Overtime updated."))
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        return redirect("hrm-attendance")


class AttendanceAdjustView(HrmView):
    permissions = ("hrm.attendance.adjust",)

    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        record = attendance.visible_records(self.principal).get(pk=pk)
        form = form or forms.AttendanceAdjustForm(initial={"check_in": record.check_in, "check_out": record.check_out})
        return render(request, "hrm/attendance_adjust.html", {"record": record, "form": form}, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = forms.AttendanceAdjustForm(request.POST)
        if form.is_valid():
            try:
                attendance.adjust_attendance(self.principal, pk, **form.cleaned_data)
                messages.success(request, _("Attendance adjusted."))
                return redirect("hrm-attendance")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, pk, form, status=400)


class AttendanceFileView(HrmView):
    """The month's recorded days the caller may see, as Excel or PDF (``?year=&month=``)."""

    permissions = ("hrm.attendance.self",)

    def get(self, request: HttpRequest, fmt: str) -> HttpResponse:
        if fmt not in ("xlsx", "pdf"):
            raise Http404
        year, month = _month_of(request)
        report = reports.attendance_rows(self.principal, year, month)
        return file_response(report, fmt, unavailable=lambda text: HttpResponse(text, status=503))


class TimesheetView(HrmView):
    permissions = ("hrm.attendance.report", "hrm.attendance.enter", "hrm.attendance.confirm_team")

    def get(self, request: HttpRequest, fmt: str = "") -> HttpResponse:
        year, month = _month_of(request)
        report = reports.timesheet(self.principal, year, month)
        if fmt:
            if fmt not in ("xlsx", "pdf"):
                raise Http404
            return file_response(report, fmt, unavailable=lambda text: HttpResponse(text, status=503))
        context = {
            "report": report,
            "year": year,
            "month": month,
            "rows": report.page_rows(),
            "totals": report.page_totals(),
        }
        return render(request, "hrm/timesheet.html", context)


class HolidayListView(HrmView):
    permissions = ("hrm.attendance.configure", "hrm.attendance.self")

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        can_edit = self.principal.has("hrm.attendance.configure")
        context = {
            "holidays": PublicHoliday.objects.filter(tenant=self.principal.tenant),
            "form": (form or forms.HolidayForm()) if can_edit else None,
            "can_edit": can_edit,
        }
        return render(request, "hrm/holidays.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.principal.require("hrm.attendance.configure")
        if request.POST.get("delete"):
            try:
                attendance.delete_holiday(self.principal, int(request.POST["delete"]))
            except (ValueError, ObjectDoesNotExist) as exc:
                raise Http404 from exc
            messages.success(request, _("Holiday removed."))
            return redirect("hrm-holidays")
        form = forms.HolidayForm(request.POST)
        if form.is_valid():
            try:
                attendance.save_holiday(self.principal, **form.cleaned_data)
                messages.success(request, _("Holiday added."))
                return redirect("hrm-holidays")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class WorkScheduleListView(HrmView):
    permissions = ("hrm.attendance.configure",)

    def get(self, request: HttpRequest, form: Any = None, status: int = 200, settings_form: Any = None) -> HttpResponse:
        limit = attendance.year_overtime_limit(self.principal.tenant.pk)
        context = {
            "schedules": WorkSchedule.objects.filter(tenant=self.principal.tenant),
            "form": form or forms.WorkScheduleForm(),
            "settings_form": settings_form or forms.HrmSettingsForm(initial={"overtime_year_limit": limit}),
        }
        return render(request, "hrm/schedules.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        if request.POST.get("action") == "settings":
            settings_form = forms.HrmSettingsForm(request.POST)
            if settings_form.is_valid():
                try:
                    attendance.save_settings(self.principal, **settings_form.cleaned_data)
                    messages.success(request, _("Settings saved."))
                    return redirect("hrm-schedules")
                except ValidationError as exc:
                    _attach(settings_form, exc)
            return self.get(request, status=400, settings_form=settings_form)
        form = forms.WorkScheduleForm(request.POST)
        if form.is_valid():
            try:
                attendance.save_schedule(self.principal, **form.cleaned_data)
                messages.success(request, _("Work schedule saved."))
                return redirect("hrm-schedules")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class LeaveCalendarView(HrmView):
    """The month's absences of the people the caller may see (HR: everyone; a manager: their team; an
    employee: themself): approved and pending leave per day, public holidays marked."""

    permissions = ("hrm.leave.request",)

    def get(self, request: HttpRequest) -> HttpResponse:
        from novasaas.hrm.payroll import month_bounds
        from novasaas.hrm.timesheet import days_of

        year, month = _month_of(request)
        first, last = month_bounds(year, month)
        days = list(days_of(first, last))
        holidays = attendance.holidays_between(self.principal.tenant, first, last)
        requests = leave.visible_requests(self.principal).filter(
            status__in=leave.COUNTED, start_date__lte=last, end_date__gte=first
        )
        by_employee: dict[int, dict[Any, str]] = {}
        names: dict[int, str] = {}
        for r in requests.select_related("employee", "leave_type"):
            names[r.employee_id] = str(r.employee)
            cells = by_employee.setdefault(r.employee_id, {})
            mark = r.leave_type.code if r.status == LeaveStatus.APPROVED else f"{r.leave_type.code}?"
            for day in days_of(max(r.start_date, first), min(r.end_date, last)):
                cells[day] = mark
        rows = [
            {"name": names[eid], "cells": [cells.get(d, "") for d in days]}
            for eid, cells in sorted(by_employee.items(), key=lambda kv: names[kv[0]])
        ]
        context = {
            "year": year,
            "month": month,
            "days": [{"day": d, "holiday": d in holidays, "weekend": d.weekday() >= 5} for d in days],
            "rows": rows,
        }
        return render(request, "hrm/leave_calendar.html", context)


class PayrollBankFileView(HrmView):
    permissions = ("hrm.payroll.approve",)

    def get(self, request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
        if fmt not in ("csv", "xlsx"):
            raise Http404
        period = selectors.get_period(self.principal.tenant, pk)
        try:
            report = reports.bank_transfer(period)
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
            return redirect("hrm-payroll", pk=pk)
        if fmt == "csv":
            response = HttpResponse(reports.bank_transfer_csv(report), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{report.name}.csv"'
            return response
        return file_response(report, fmt, unavailable=lambda text: HttpResponse(text, status=503))


class PayslipEmailView(HrmView):
    permissions = ("hrm.payroll.approve",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        from novasaas.hrm import payslips

        selectors.get_period(self.principal.tenant, pk)
        try:
            result = payslips.email_payslips(self.principal, pk)
            messages.success(request, _("%(n)s payslips are being emailed.") % {"n": result["queued"]})
            if result["skipped"]:
                messages.warning(request, _("No email address for: %(c)s.") % {"c": ", ".join(result["skipped"])})
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        return redirect("hrm-payroll", pk=pk)
