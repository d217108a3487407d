"""Quotation pages: list (state and customer filters), form, detail with actions, PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from novasaas.sales import actions, forms, quotations, selectors
from novasaas.sales.models import Quotation, QuotationStatus
from novasaas.sales.views import PAGE_SIZE, SalesView, _attach


class QuotationListView(SalesView):
    def get(self, request: HttpRequest) -> HttpResponse:
        p = self.principal
        status = request.GET.get("status", "")
        status = status if status in (*QuotationStatus.values, "expired") else ""
        try:
            customer_id = int(request.GET.get("customer") or 0) or None
        except ValueError:
            customer_id = None
        qs = quotations.list_quotations(p, status, customer_id)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        statuses = [*QuotationStatus.choices, ("expired", _("Expired"))]
        customers = [(c.pk, f"{c.code} {c.party.name}") for c in selectors.list_customers(p)]
        context = {
            "page": page,
            "status": status,
            "statuses": statuses,
            "customers": customers,
            "customer": customer_id,
        }
        return render(request, "sales/quotations.html", context)


class QuotationFormView(SalesView):
    permission = "crm.quotation.manage"

    def make_forms(self, data: Any = None, quotation: Any = None) -> tuple[Any, Any]:
        p = self.principal
        customers = [(c.pk, f"{c.code} {c.party.name}") for c in selectors.list_customers(p)]
        products = [(pr.pk, f"{pr.sku} {pr.name}") for pr in selectors.list_products(p.tenant)]
        initial: dict[str, Any] = {}
        lines: list[dict[str, Any]] = []
        if quotation is not None:
            initial = {
                "customer_id": quotation.customer_id,
                "date": quotation.date,
                "valid_until": quotation.valid_until,
                "note": quotation.note,
            }
            lines = [actions._line_row(li) for li in quotation.lines.all()]
        form = forms.QuotationForm(data, initial=initial, customers=customers)
        if quotation is not None:
            form.fields["customer_id"].disabled = True
        formset = forms.OrderLineFormSet(data, initial=lines, prefix="lines", products=products)  # type: ignore[call-arg]
        return form, formset

    def render_forms(self, request: HttpRequest, form: Any, formset: Any, quotation: Any, status: int = 200) -> Any:
        context = {"form": form, "formset": formset, "quotation": quotation}
        return render(request, "sales/quotation_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        quotation = quotations.get_quotation(self.principal, pk) if pk else None
        if quotation is not None and quotation.status != QuotationStatus.DRAFT:
            messages.error(request, _("Only a draft quotation can be changed."))
            return redirect("sales-quotation", pk=quotation.pk)
        form, formset = self.make_forms(quotation=quotation)
        return self.render_forms(request, form, formset, quotation)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        quotation = quotations.get_quotation(self.principal, pk) if pk else None
        form, formset = self.make_forms(request.POST, quotation)
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            try:
                if quotation is None:
                    quotation = quotations.create_quotation(self.principal, **data, lines=formset.rows())
                    messages.success(request, _("Quotation %(n)s created.") % {"n": quotation.number})
                else:
                    data.pop("customer_id", None)
                    quotations.update_quotation(self.principal, quotation.pk, **data, lines=formset.rows())
                    messages.success(request, _("Quotation %(n)s saved.") % {"n": quotation.number})
                return redirect("sales-quotation", pk=quotation.pk)
            except ValidationError as exc:
                _attach(form, exc, formset)
        return self.render_forms(request, form, formset, quotation, status=400)


class QuotationDetailView(SalesView):
    def get(self, request: HttpRequest, pk: int, error: str = "", status: int = 200, send_form: Any = None) -> Any:
        quotation = quotations.get_quotation(self.principal, pk)
        context = {
            "quotation": quotation,
            "revised_by": Quotation.objects.filter(revision_of=quotation).first(),
            "lines": list(quotation.lines.all()),
            "error": error,
            "send_form": send_form or forms.QuotationSendForm(initial={"to": quotations.customer_email(quotation)}),
        }
        return render(request, "sales/quotation.html", context, status=status)


class QuotationActionView(SalesView):
    """POST send / accept / decline / revise; a refusal shows the quotation again with the reason (400)."""

    permission = "crm.quotation.manage"
    ACTIONS = ("send", "accept", "decline", "revise")

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in self.ACTIONS:
            raise Http404
        p = self.principal
        quotations.get_quotation(p, pk)  # 404 before anything else
        try:
            if action == "send":
                form = forms.QuotationSendForm(request.POST)
                if not form.is_valid():
                    return QuotationDetailView.get(self, request, pk, status=400, send_form=form)  # type: ignore[arg-type]
                quotation = quotations.send_quotation(p, pk, to=form.cleaned_data["to"])
                messages.success(request, _("Quotation sent to %(e)s.") % {"e": quotation.sent_to})
            elif action == "accept":
                order = quotations.accept_quotation(p, pk)
                messages.success(request, _("Sales order %(n)s created.") % {"n": order.number})
                return redirect("sales-order", pk=order.pk)
            elif action == "revise":
                new = quotations.revise_quotation(p, pk)
                messages.success(request, _("Revision %(n)s created: edit it, then send it.") % {"n": new.number})
                return redirect("sales-quotation-edit", pk=new.pk)
            else:
                quotations.decline_quotation(p, pk)
                messages.success(request, _("Quotation declined."))
        except ValidationError as exc:
            return QuotationDetailView.get(self, request, pk, error=" ".join(exc.messages), status=400)  # type: ignore[arg-type]
        return redirect("sales-quotation", pk=pk)


class QuotationPdfView(SalesView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from novasaas.platform.pdf import PdfUnavailable

        quotation = quotations.get_quotation(self.principal, pk)
        try:
            content = quotations.quotation_pdf(quotation)
        except PdfUnavailable as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{quotation.number}.pdf"'
        return response
