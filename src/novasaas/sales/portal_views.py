"""Customer portal pages (/portal/): the signed-in contact's customer only, in its own simple layout
(no staff menu). Every view resolves the portal account first (403 without one); ids of other
customers' documents are 404."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from novasaas.identity.access import Principal
from novasaas.platform.modules import ModuleDisabled
from novasaas.platform.text import Form
from novasaas.sales import einvoice, portal, quotations, tickets
from novasaas.sales.models import PortalAccount

PAGE_SIZE = 25


class PortalContactForm(Form):
    phone = forms.CharField(label=gettext_lazy("Phone"), max_length=30, required=False)
    email = forms.EmailField(label=gettext_lazy("Email"), max_length=254, required=False)


class PortalView(LoginRequiredMixin, View):
    """A signed-in customer contact with an active portal account (``crm.portal``); module CRM on."""

    principal: Principal
    account: PortalAccount

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        principal = getattr(request, "principal", None)
        if principal is None:
            raise PermissionDenied(_("Sign in to a company first."))
        if not principal.tenant.has_module("CRM"):
            raise ModuleDisabled("CRM")
        self.principal = principal
        self.account = portal.portal_account(principal)
        try:
            return super().dispatch(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc

    def render(self, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
        return render(self.request, template, {"account": self.account, **context}, status=status)


def _page(request: HttpRequest, qs: Any) -> Any:
    return Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))


def _with_open_amounts(invoices: Any) -> list[Any]:
    rows = list(invoices)
    for invoice in rows:
        invoice.open_amount = portal.open_amount(invoice)
    return rows


class PortalHomeView(PortalView):
    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        contact = self.account.contact
        context = {
            "info": portal.account_info(self.account),
            "balance": portal.balance(self.principal, self.account),
            "loyalty": portal.loyalty_of(self.account),
            "orders": portal.orders(self.account)[:5],
            "invoices": _with_open_amounts(portal.invoices(self.account)[:5]),
            "quotations": portal.quotations_of(self.account).filter(status="sent").select_related("order")[:5],
            "form": form or PortalContactForm(initial={"phone": contact.phone, "email": contact.email}),
        }
        return self.render("sales/portal/home.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = PortalContactForm(request.POST)
        if not form.is_valid():
            return self.get(request, form=form, status=400)
        try:
            portal.update_own_contact(self.principal, **form.cleaned_data)
        except ValidationError as exc:
            for key, msgs in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                for msg in msgs:
                    form.add_error(key if key in form.fields else None, msg)
            return self.get(request, form=form, status=400)
        messages.success(request, _("Your contact details were saved."))
        return redirect("portal-home")


class PortalLoyaltyView(PortalView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render("sales/portal/loyalty.html", {"loyalty": portal.loyalty_of(self.account)})


class PortalOrderListView(PortalView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render("sales/portal/orders.html", {"page": _page(request, portal.orders(self.account))})


class PortalOrderDetailView(PortalView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        order = portal.get_order(self.account, pk)
        deliveries = sorted(order.deliveries.all(), key=lambda d: (d.date, d.pk))
        return self.render("sales/portal/order.html", {"order": order, "deliveries": deliveries})


class PortalInvoiceListView(PortalView):
    def get(self, request: HttpRequest) -> HttpResponse:
        page = _page(request, portal.invoices(self.account))
        page.object_list = _with_open_amounts(page.object_list)
        return self.render("sales/portal/invoices.html", {"page": page})


class PortalInvoicePdfView(PortalView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from novasaas.platform.pdf import PdfUnavailable

        invoice = portal.get_invoice(self.account, pk)
        try:
            content = einvoice.invoice_pdf(invoice)
        except PdfUnavailable as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{invoice.number}.pdf"'
        return response


class PortalQuotationListView(PortalView):
    def get(self, request: HttpRequest) -> HttpResponse:
        qs = portal.quotations_of(self.account).select_related("order")
        return self.render("sales/portal/quotations.html", {"page": _page(request, qs)})


class PortalQuotationDetailView(PortalView):
    def get(self, request: HttpRequest, pk: int, status: int = 200) -> HttpResponse:
        quotation = portal.get_quotation(self.account, pk)
        return self.render("sales/portal/quotation.html", {"quotation": quotation}, status=status)


class PortalQuotationPdfView(PortalView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from novasaas.platform.pdf import PdfUnavailable

        quotation = portal.get_quotation(self.account, pk)
        try:
            content = quotations.quotation_pdf(quotation)
        except PdfUnavailable as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{quotation.number}.pdf"'
        return response


class PortalQuotationAnswerView(PortalQuotationDetailView):
    """Accept or decline a quotation online; a refusal (expired, already answered) shows the reason, 400."""

    http_method_names = ["post"]

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        try:
            if action == "accept":
                order = portal.accept_quotation(self.principal, pk)
                messages.success(
                    request,
                    _("Thank you: quotation accepted. Order %(n)s will be confirmed by our staff.")
                    % {"n": order.number},
                )
            elif action == "decline":
                portal.decline_quotation(self.principal, pk)
                messages.success(request, _("Quotation declined."))
            else:
                raise Http404
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
            return self.get(request, pk, status=400)
        return redirect("portal-quotation", pk)


class TicketOpenForm(Form):
    subject = forms.CharField(label=gettext_lazy("Subject"), max_length=200)
    body = forms.CharField(label=gettext_lazy("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4}))


class TicketMessageForm(Form):
    body = forms.CharField(label=gettext_lazy("Message"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3}))


def _attach_errors(form: Any, exc: ValidationError) -> None:
    for key, msgs in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
        for msg in msgs:
            form.add_error(key if key in form.fields else None, msg)


class PortalTicketListView(PortalView):
    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        page = _page(request, tickets.portal_tickets(self.principal))
        return self.render("sales/portal/tickets.html", {"page": page, "form": form or TicketOpenForm()}, status)

    def post(self, request: HttpRequest) -> HttpResponse:
        form = TicketOpenForm(request.POST)
        if form.is_valid():
            try:
                ticket = tickets.open_ticket(self.principal, **form.cleaned_data)
                messages.success(request, _("Your ticket was sent."))
                return redirect("portal-ticket", ticket.pk)
            except ValidationError as exc:
                _attach_errors(form, exc)
        return self.get(request, form=form, status=400)


class PortalTicketDetailView(PortalView):
    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        ticket = tickets.portal_ticket(self.principal, pk)
        return self.render("sales/portal/ticket.html", {"ticket": ticket, "form": form or TicketMessageForm()}, status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        form = TicketMessageForm(request.POST)
        if form.is_valid():
            try:
                tickets.customer_writes(self.principal, pk, form.cleaned_data["body"])
                return redirect("portal-ticket", pk)
            except ValidationError as exc:
                _attach_errors(form, exc)
        return self.get(request, pk, form=form, status=400)
