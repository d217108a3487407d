"""HRM pages of payroll: statutory rules, payroll months, register, authority reports, payslips, bank file."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from novasaas.hrm import forms, payroll, reports, selectors
from novasaas.hrm.views import HrmView, _attach, _report_page
from novasaas.platform.pdf import PdfUnavailable
from novasaas.platform.reports import file_response

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
            and period.paid_on is None
            and not period.paid_total,
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
