"""Delivery pages (list with "invoice the selected", detail, delivery note PDF) and the order settings
page."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from novasaas.sales import deliveries, forms, policy, returns, selectors
from novasaas.sales.views import PAGE_SIZE, SalesView, _attach


class DeliveryListView(SalesView):
    def get(self, request: HttpRequest, error: str = "", status: int = 200) -> HttpResponse:
        p = self.principal
        try:
            customer_id = int(request.GET.get("customer") or 0) or None
        except ValueError:
            customer_id = None
        uninvoiced = request.GET.get("uninvoiced") == "1"
        qs = deliveries.list_deliveries(p, customer_id=customer_id, uninvoiced=uninvoiced)
        context = {
            "page": Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page")),
            "customers": [(c.pk, f"{c.code} {c.party.name}") for c in selectors.list_customers(p)],
            "customer": customer_id,
            "uninvoiced": uninvoiced,
            "error": error,
        }
        return render(request, "sales/deliveries.html", context, status=status)


class DeliveryInvoiceView(SalesView):
    """POST the checked deliveries: one invoice for them (same customer), or the list again with why not."""

    permission = "crm.invoice.create"

    def post(self, request: HttpRequest) -> HttpResponse:
        ids = request.POST.getlist("delivery")
        try:
            invoice = deliveries.invoice_deliveries(self.principal, ids)
        except ValidationError as exc:
            return DeliveryListView.get(self, request, error=" ".join(exc.messages), status=400)  # type: ignore[arg-type]
        messages.success(request, _("Invoice %(n)s issued.") % {"n": invoice.number})
        return redirect("sales-invoice", pk=invoice.pk)


class DeliveryDetailView(SalesView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = deliveries.get_delivery(self.principal, pk)
        return render(request, "sales/delivery.html", {"delivery": delivery})


class DeliveryPdfView(SalesView):
    permission = "crm.document.print"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from novasaas.platform.pdf import PdfUnavailable

        delivery = deliveries.get_delivery(self.principal, pk)
        try:
            content = deliveries.delivery_pdf(delivery)
        except PdfUnavailable as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{delivery.number}.pdf"'
        return response


class SettingsView(SalesView):
    """Everyone in Sales sees the policy; a Sales Manager (``crm.order.approve``) changes it."""

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        row = policy.get_settings(self.principal.tenant)
        if form is None and self.principal.has("crm.order.approve"):
            form = forms.SalesSettingsForm(
                initial={
                    "stock_check": row.stock_check,
                    "approval_limit": row.approval_limit,
                    "payee_bank_bin": row.payee_bank_bin,
                    "payee_account": row.payee_account,
                    "quotation_validity_days": row.quotation_validity_days,
                    "quotation_expiry_notice_days": row.quotation_expiry_notice_days,
                }
            )
        return render(request, "sales/settings.html", {"settings": row, "form": form}, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.principal.require("crm.order.approve")
        form = forms.SalesSettingsForm(request.POST)
        if form.is_valid():
            try:
                policy.save_settings(self.principal, **form.cleaned_data)
                messages.success(request, _("Order settings saved."))
                return redirect("sales-settings")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form=form, status=400)


def _line_rows(request: HttpRequest, line_ids: list[int]) -> list[dict[str, Any]] | None:
    """``qty_<line id>`` fields of a page's form → ``[{line_id, quantity}]`` (None when none was sent)."""
    from novasaas.platform.numbers import parse_number

    rows = []
    for pk in line_ids:
        text = request.POST.get(f"qty_{pk}")
        if text is None:
            continue
        try:
            quantity: Any = parse_number(text, decimal_places=4) if text.strip() else ""
        except (ValueError, ArithmeticError):
            raise ValidationError({"lines": [_("Enter a number.")]}) from None
        rows.append({"line_id": pk, "quantity": quantity})
    return rows or None


class DeliveryReturnView(SalesView):
    """POST from the delivery page: the goods (quantities per line) come back."""

    permission = "crm.order.create"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        delivery = deliveries.get_delivery(self.principal, pk)
        try:
            rows = _line_rows(request, [dl.pk for dl in delivery.lines.all()])
            ret = returns.return_goods(self.principal, pk, lines=rows, reason=request.POST.get("reason", "")[:300])
        except ValidationError as exc:
            return render(
                request, "sales/delivery.html", {"delivery": delivery, "error": " ".join(exc.messages)}, status=400
            )
        messages.success(request, _("Return %(n)s recorded.") % {"n": ret.number})
        return redirect("sales-delivery", pk=pk)


class InvoiceCreditView(SalesView):
    """POST from the invoice page: ``credit`` (a credit note of quantities per line) or ``use-credit``."""

    permission = "crm.customer.view"

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        from django.http import Http404

        from novasaas.sales.views import InvoiceDetailView

        p = self.principal
        invoice = selectors.get_invoice(p, pk)
        try:
            if action == "credit":
                p.require("crm.invoice.create")
                rows = _line_rows(request, [li.pk for li in invoice.lines.all()])
                note = returns.credit_invoice(p, pk, lines=rows, reason=request.POST.get("reason", "")[:300])
                messages.success(request, _("Credit note %(n)s issued.") % {"n": note.number})
            elif action == "use-credit":
                p.require("crm.payment.receive")
                returns.apply_credit(p, pk)
                messages.success(request, _("Customer credit used."))
            else:
                raise Http404
        except ValidationError as exc:
            view = InvoiceDetailView()
            view.principal = p
            return view.get(request, pk, status=400, error=" ".join(exc.messages))
        return redirect("sales-invoice", pk=pk)


class InvoiceDocumentView(SalesView):
    """GET the invoice's PDF (with VietQR) or its e-invoice XML (400 with what does not validate)."""

    permission = "crm.document.print"

    def get(self, request: HttpRequest, pk: int, kind: str) -> HttpResponse:
        from novasaas.platform.pdf import PdfUnavailable
        from novasaas.sales import einvoice

        invoice = selectors.get_invoice(self.principal, pk)
        if kind == "xml":
            xml = einvoice.invoice_xml(invoice)
            errors = einvoice.validate(xml)
            if errors:
                return HttpResponse("\n".join(errors), status=400, content_type="text/plain; charset=utf-8")
            response = HttpResponse(xml, content_type="application/xml; charset=utf-8")
            response["Content-Disposition"] = f'attachment; filename="{invoice.number}.xml"'
            return response
        try:
            content = einvoice.invoice_pdf(invoice)
        except PdfUnavailable as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
        return response
