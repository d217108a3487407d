"""HRM pages: the base view (module gate HRM, permissions), shared helpers, home and self-service. The pages
by concept are in views_people, views_time, views_leave, views_payroll and views_pay."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views import View

from novasaas.hrm import forms, leave, selectors
from novasaas.identity.access import Principal, require_perm
from novasaas.platform.modules import ModuleDisabled
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


def _report_page(request: HttpRequest, report: Any, fmt: str, context: dict[str, Any]) -> HttpResponse:
    if fmt:
        if fmt not in ("xlsx", "pdf"):
            raise Http404
        return file_response(report, fmt, unavailable=lambda text: HttpResponse(text, status=503))
    context = {"report": report, "rows": report.page_rows(), "totals": report.page_totals(), **context}
    return render(request, "hrm/report.html", context)


def _month_of(request: HttpRequest) -> tuple[int, int]:
    from django.utils import timezone

    today = timezone.localdate()
    form = forms.MonthForm(request.GET or None)
    if request.GET and form.is_valid():
        return form.cleaned_data["year"], form.cleaned_data["month"]
    return today.year, today.month
