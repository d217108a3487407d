"""HRM pages of bonuses and deductions, salary payment and un-approval (thin views over ``bonuses`` and
``payroll``; the API's paths)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.hrm import bonuses, forms, payroll, selectors
from novasaas.hrm.models import Employee, PayrollPeriod, PayrollStatus
from novasaas.hrm.views import HrmView, _attach
from novasaas.platform.money import format_money

PAY_PERMISSIONS = ("acc.payment.record", "hrm.payroll.approve")


def _employees(tenant: Any) -> list[tuple[int, str]]:
    rows = Employee.objects.filter(tenant=tenant).order_by("code").values_list("pk", "code", "full_name")
    return [(pk, f"{code} {name}") for pk, code, name in rows[:5000]]


def _int(value: Any) -> int | None:
    try:
        number = int(value)
    except (TypeError, ValueError):
        return None
    return number if 0 < number <= 9999 else None


class AdjustmentListView(HrmView):
    """Bonuses and deductions of a month (``?year=&month=``, default the current month) and the form."""

    permissions = ("hrm.bonus.manage",)

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        today = timezone.localdate()
        year = _int(request.GET.get("year")) or today.year
        month = _int(request.GET.get("month")) or today.month
        if not 1 <= month <= 12:
            month = today.month
        period = PayrollPeriod.objects.filter(tenant=self.principal.tenant, year=year, month=month).first()
        context = {
            "rows": selectors.list_adjustments(self.principal.tenant, year, month),
            "year": year,
            "month": month,
            "locked": period is not None and period.status != PayrollStatus.DRAFT,
            "form": form
            or forms.PayAdjustmentForm(
                employees=_employees(self.principal.tenant), initial={"year": year, "month": month, "taxable": True}
            ),
        }
        return render(request, "hrm/adjustments.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.PayAdjustmentForm(request.POST, employees=_employees(self.principal.tenant))
        if form.is_valid():
            try:
                row = bonuses.create_adjustment(self.principal, **form.cleaned_data)
                messages.success(request, _("%(a)s recorded.") % {"a": row})
                return redirect(f"/hrm/payroll/adjustments/?year={row.year}&month={row.month}")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class AdjustmentEditView(HrmView):
    permissions = ("hrm.bonus.manage",)

    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        row = selectors.get_adjustment(self.principal.tenant, pk)
        initial = {k: getattr(row, k) for k in ("employee_id", "year", "month", "kind", "amount", "taxable", "reason")}
        form = form or forms.PayAdjustmentForm(employees=_employees(self.principal.tenant), initial=initial)
        return render(request, "hrm/adjustment_form.html", {"row": row, "form": form}, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        selectors.get_adjustment(self.principal.tenant, pk)
        if request.POST.get("delete"):
            try:
                row = selectors.get_adjustment(self.principal.tenant, pk)
                bonuses.delete_adjustment(self.principal, pk)
                messages.success(request, _("Deleted."))
                return redirect(f"/hrm/payroll/adjustments/?year={row.year}&month={row.month}")
            except ValidationError as exc:
                for msg in exc.messages:
                    messages.error(request, msg)
                return redirect("hrm-adjustment", pk=pk)
        form = forms.PayAdjustmentForm(request.POST, employees=_employees(self.principal.tenant))
        if form.is_valid():
            try:
                row = bonuses.update_adjustment(self.principal, pk, **form.cleaned_data)
                messages.success(request, _("%(a)s saved.") % {"a": row})
                return redirect(f"/hrm/payroll/adjustments/?year={row.year}&month={row.month}")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, pk, form, status=400)


class PaymentListView(HrmView):
    """Approved months with their payment: paid (date, from where) or a form to pay them."""

    permissions = PAY_PERMISSIONS

    def get(
        self, request: HttpRequest, form: Any = None, form_for: int | None = None, status: int = 200
    ) -> HttpResponse:
        tenant = self.principal.tenant
        accounts = payroll.payment_accounts(tenant)
        periods = list(PayrollPeriod.objects.filter(tenant=tenant, status=PayrollStatus.APPROVED)[:60])
        rows = []
        for period in periods:
            row_form = None
            if period.paid_on is None:
                if form is not None and form_for == period.pk:
                    row_form = form
                else:
                    row_form = forms.PayrollPaymentForm(
                        accounts=accounts, initial={"date": max(timezone.localdate(), period.last_day)}
                    )
            rows.append((period, row_form))
        return render(request, "hrm/payments.html", {"rows": rows}, status=status)


class PayrollPaymentDetailView(HrmView):
    """One approved month: per employee net, paid and remaining, the payments made, and the form to pay
    the selected employees or an amount."""

    permissions = PAY_PERMISSIONS

    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        period = selectors.get_period(self.principal.tenant, pk)
        if period.status != PayrollStatus.APPROVED:
            raise Http404
        rows = payroll.remaining_by_line(period)
        if form is None and period.paid_on is None:
            form = forms.PartialPaymentForm(
                accounts=payroll.payment_accounts(self.principal.tenant),
                employees=_open_employees(rows),
                initial={"date": max(timezone.localdate(), period.last_day)},
            )
        payments = period.payments.filter(tenant=self.principal.tenant).prefetch_related("lines")
        context = {"period": period, "rows": rows, "form": form, "payments": payments}
        return render(request, "hrm/payroll_payments.html", context, status=status)


def _open_employees(rows: list[Any]) -> list[tuple[int, str]]:
    return [
        (ln.employee_id, f"{ln.employee.code} {ln.employee.full_name} ({format_money(rest)})")
        for ln, _paid, rest in rows
        if rest > 0
    ]


class PayrollPayView(HrmView):
    permissions = PAY_PERMISSIONS

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        period = selectors.get_period(self.principal.tenant, pk)
        accounts = payroll.payment_accounts(self.principal.tenant)
        partial = bool(request.POST.get("partial"))
        if partial:
            form: Any = forms.PartialPaymentForm(
                request.POST, accounts=accounts, employees=_open_employees(payroll.remaining_by_line(period))
            )
        else:
            form = forms.PayrollPaymentForm(request.POST, accounts=accounts)
        if form.is_valid():
            try:
                day: dt.date = form.cleaned_data["date"]
                period = payroll.pay_payroll(
                    self.principal,
                    pk,
                    date=day,
                    account=form.cleaned_data["account"],
                    employee_ids=form.cleaned_data.get("employee_ids") or None,
                    amount=form.cleaned_data.get("amount"),
                )
                if period.paid_on is not None:
                    messages.success(request, _("Salaries of %(p)s paid.") % {"p": period})
                else:
                    messages.success(
                        request,
                        _("Payment recorded; %(r)s remains to be paid for %(p)s.")
                        % {"r": format_money(period.remaining), "p": period},
                    )
                return redirect("hrm-payroll-payments", pk=pk) if partial else redirect("hrm-payments")
            except ValidationError as exc:
                _attach(form, exc)
        if partial:
            return PayrollPaymentDetailView.get(self, request, pk, form, status=400)  # type: ignore[arg-type]
        return PaymentListView.get(self, request, form, pk, status=400)  # type: ignore[arg-type]


class PayrollUnapproveView(HrmView):
    permissions = ("hrm.payroll.approve",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        selectors.get_period(self.principal.tenant, pk)
        form = forms.PayrollUnapproveForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give the reason for returning the payroll to draft."))
            return redirect("hrm-payroll", pk=pk)
        try:
            period = payroll.unapprove_payroll(self.principal, pk, reason=form.cleaned_data["reason"])
            messages.success(request, _("Payroll %(p)s returned to draft.") % {"p": period})
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
        return redirect("hrm-payroll", pk=pk)
