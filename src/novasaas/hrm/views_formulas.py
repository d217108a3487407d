"""HRM pages of the company's salary formulas (HR Manager, ``hrm.payroll.generate``): thin views over
``formulas``, the API's paths."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from novasaas.hrm import forms, formulas
from novasaas.hrm.models import SalaryFormula
from novasaas.hrm.views import HrmView, _attach

FIELDS = ("code", "name", "component", "expression", "is_active")


class SalaryFormulaListView(HrmView):
    """The formulas, the names they may use, and the form to add one."""

    permissions = ("hrm.payroll.generate",)

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        context = {
            "rows": SalaryFormula.objects.filter(tenant=self.principal.tenant).order_by("code"),
            "names": list(formulas.VARIABLES.items()),
            "form": form or forms.SalaryFormulaForm(initial={"is_active": True}),
        }
        return render(request, "hrm/formulas.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.SalaryFormulaForm(request.POST)
        if form.is_valid():
            try:
                row = formulas.create_formula(self.principal, **form.cleaned_data)
                messages.success(request, _("%(a)s saved.") % {"a": row})
                return redirect("hrm-formulas")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class SalaryFormulaEditView(HrmView):
    permissions = ("hrm.payroll.generate",)

    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        row = SalaryFormula.objects.get(tenant=self.principal.tenant, pk=pk)
        form = form or forms.SalaryFormulaForm(initial={k: getattr(row, k) for k in FIELDS})
        context = {"row": row, "form": form, "names": list(formulas.VARIABLES.items())}
        return render(request, "hrm/formula_form.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        SalaryFormula.objects.get(tenant=self.principal.tenant, pk=pk)
        if request.POST.get("delete"):
            formulas.delete_formula(self.principal, pk)
            messages.success(request, _("Deleted."))
            return redirect("hrm-formulas")
        form = forms.SalaryFormulaForm(request.POST)
        if form.is_valid():
            try:
                row = formulas.update_formula(self.principal, pk, **form.cleaned_data)
                messages.success(request, _("%(a)s saved.") % {"a": row})
                return redirect("hrm-formulas")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, pk, form, status=400)
