"""Sales pages: thin views over actions and selectors (module gate CRM)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from novasaas.identity.access import Principal, require_perm
from novasaas.platform.modules import ModuleDisabled
from novasaas.sales import actions, deliveries, forms, selectors
from novasaas.sales.models import OrderStatus

PAGE_SIZE = 50


class SalesView(LoginRequiredMixin, View):
    """Signed-in members of a tenant with CRM holding ``permission``; the module is checked first."""

    permission = "crm.customer.view"
    principal: Principal

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.has_module("CRM"):
            raise ModuleDisabled("CRM")
        self.principal = require_perm(request, self.permission)
        try:
            return super().dispatch(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc


def _attach(form: Any, exc: ValidationError, formset: Any = None) -> None:
    if not hasattr(exc, "error_dict"):
        for msg in exc.messages:
            form.add_error(None, msg)
        return
    for key, msgs in exc.message_dict.items():
        for msg in msgs:
            if key.startswith("lines[") and formset is not None:
                index, _sep, field = key[6:].partition("].")
                kept = [f for f in formset.forms if f.has_changed() and not f.is_blank()]
                if index.isdigit() and int(index) < len(kept):
                    target = kept[int(index)]
                    target.add_error(field if field in target.fields else None, msg)
                    continue
            form.add_error(key if key in form.fields else None, msg)


def _price_list_choices(p: Principal) -> list[tuple[int, str]]:
    from novasaas.sales import pricing

    return [(pl.pk, str(pl)) for pl in pricing.list_price_lists(p.tenant, include_inactive=False)]


# --- customer groups -------------------------------------------------------------------------------


class GroupListView(SalesView):
    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        groups = selectors.list_groups(self.principal.tenant, include_inactive=True)
        can_edit = self.principal.has("crm.customer.segment")
        context = {
            "groups": groups.select_related("price_list"),
            "form": (form or forms.CustomerGroupForm(price_lists=_price_list_choices(self.principal)))
            if can_edit
            else None,
        }
        return render(request, "sales/groups.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.principal.require("crm.customer.segment")
        form = forms.CustomerGroupForm(request.POST, price_lists=_price_list_choices(self.principal))
        if form.is_valid():
            try:
                group = actions.save_group(self.principal, **form.cleaned_data)
                messages.success(request, _("Customer group %(c)s saved.") % {"c": group.code})
                return redirect("sales-groups")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


# --- customers -------------------------------------------------------------------------------------


class CustomerListView(SalesView):
    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "")[:200]
        tag = request.GET.get("tag", "")[:60]
        qs = selectors.list_customers(self.principal, q, include_inactive=request.GET.get("inactive") == "1", tag=tag)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "sales/customers.html", {"page": page, "q": q, "tag": tag})


class CustomerDetailView(SalesView):
    def get(self, request: HttpRequest, pk: int, loyalty_form: Any = None, status: int = 200) -> HttpResponse:
        p = self.principal
        customer = selectors.get_customer(p, pk)
        from novasaas.parties.selectors import tag_names
        from novasaas.sales.customers import list_contacts, purchase_history
        from novasaas.sales.portal import list_accounts
        from novasaas.sales.reports import customer_aging

        accounts = {a.contact_id: a for a in list_accounts(p, customer.pk)}
        contacts = list_contacts(p, customer.pk)
        for contact in contacts:
            contact.portal_account = accounts.get(contact.pk)  # type: ignore[attr-defined]
        context = {
            "customer": customer,
            "tags": tag_names(customer.party),
            "contacts": contacts,
            "aging": customer_aging(p, customer, timezone.localdate()),
            "purchases": purchase_history(p, customer.pk, limit=20),
            "receivable": selectors.open_receivable(p.tenant, customer),
            "exposure": selectors.credit_exposure(p.tenant, customer),
            "orders": selectors.list_orders(p, customer_id=customer.pk)[:50],
            "invoices": selectors.list_invoices(p, customer_id=customer.pk)[:50],
            **_loyalty_context(p, customer, loyalty_form),
        }
        return render(request, "sales/customer.html", context, status=status)


def _loyalty_context(p: Principal, customer: Any, form: Any) -> dict[str, Any]:
    from novasaas.sales import loyalty

    return {
        "loyalty_value": loyalty.programme(p.tenant).point_value * customer.loyalty_points,
        "loyalty_tier": loyalty.tier_status(customer, timezone.localdate()),
        "loyalty_entries": list(loyalty.entries(customer)[:50]),
        "loyalty_form": form or forms.LoyaltyAddForm(),
    }


class CustomerPortalInviteView(CustomerDetailView):
    """Invite a contact person to the customer portal, or stop / give back their access
    (``crm.customer.edit``); a refusal shows the customer page with the reason (400)."""

    permission = "crm.customer.edit"

    def post(self, request: HttpRequest, pk: int, contact_pk: int, action: str = "invite") -> HttpResponse:
        from django.conf import settings

        from novasaas.sales import portal

        try:
            if action == "invite":
                account = portal.invite_contact(self.principal, pk, contact_pk, base_url=settings.PUBLIC_BASE_URL)
                messages.success(request, _("Invitation to the customer portal sent to %(e)s.") % {"e": account.email})
            elif action in ("deactivate", "activate"):
                found = [a for a in portal.list_accounts(self.principal, pk) if a.contact_id == contact_pk]
                if not found:
                    raise Http404
                portal.set_account_active(self.principal, pk, found[0].pk, action == "activate")
                messages.success(request, _("Portal access changed."))
            else:
                raise Http404
        except ValidationError as exc:
            for msg in exc.messages:
                messages.error(request, msg)
            return self.get(request, pk, status=400)
        return redirect("sales-customer", pk)


class CustomerContactFormView(SalesView):
    """Add or change a contact person of a customer (``crm.customer.edit``)."""

    permission = "crm.customer.edit"

    def get(self, request: HttpRequest, pk: int, contact_pk: int | None = None) -> HttpResponse:
        from novasaas.sales.customers import list_contacts

        customer = selectors.get_customer(self.principal, pk)
        initial: dict[str, Any] = {}
        if contact_pk is not None:
            contact = next((c for c in list_contacts(self.principal, pk) if c.pk == contact_pk), None)
            if contact is None:
                raise Http404
            initial = {f: getattr(contact, f) for f in forms.CustomerContactForm.base_fields}
        form = forms.CustomerContactForm(initial=initial)
        return render(request, "sales/contact_form.html", {"form": form, "customer": customer, "edit": contact_pk})

    def post(self, request: HttpRequest, pk: int, contact_pk: int | None = None) -> HttpResponse:
        from novasaas.sales.customers import save_contact

        customer = selectors.get_customer(self.principal, pk)
        form = forms.CustomerContactForm(request.POST)
        if form.is_valid():
            try:
                contact = save_contact(self.principal, customer.pk, contact_pk, **form.cleaned_data)
                messages.success(request, _("Contact person %(n)s saved.") % {"n": contact.name})
                return redirect("sales-customer", pk=customer.pk)
            except ValidationError as exc:
                _attach(form, exc)
        context = {"form": form, "customer": customer, "edit": contact_pk}
        return render(request, "sales/contact_form.html", context, status=400)


class CustomerContactDeleteView(SalesView):
    permission = "crm.customer.edit"

    def post(self, request: HttpRequest, pk: int, contact_pk: int) -> HttpResponse:
        from novasaas.sales.customers import delete_contact

        delete_contact(self.principal, pk, contact_pk)
        messages.success(request, _("Contact person removed."))
        return redirect("sales-customer", pk=pk)


class CustomerFormView(SalesView):
    permission = "crm.customer.create"

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("pk"):
            self.permission = "crm.customer.edit"
        return super().dispatch(request, *args, **kwargs)

    def make_form(self, data: Any = None, customer: Any = None) -> forms.CustomerForm:
        from novasaas.parties.selectors import search_parties

        tenant = self.principal.tenant
        taken = set(selectors.visible_customers(self.principal).values_list("party_id", flat=True))
        if customer is not None:
            parties = [(customer.party_id, str(customer.party))]
        else:
            parties = [(pt.pk, str(pt)) for pt in search_parties(tenant, "")[:1000] if pt.pk not in taken]
        initial = {}
        if customer is not None:
            initial = {
                "party_id": customer.party_id,
                "group_id": customer.group_id,
                "credit_limit": customer.credit_limit,
                "payment_terms_days": customer.payment_terms_days,
                "salesperson_id": customer.salesperson_id,
            }
        form = forms.CustomerForm(
            data,
            initial=initial,
            parties=parties,
            groups=[(g.pk, str(g)) for g in selectors.list_groups(tenant)],
            salespeople=[(u.pk, str(u)) for u in selectors.list_salespeople(tenant)],
        )
        if customer is not None:
            form.fields["party_id"].disabled = True
        return form

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        customer = selectors.get_customer(self.principal, pk) if pk else None
        return render(
            request, "sales/customer_form.html", {"form": self.make_form(customer=customer), "customer": customer}
        )

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        customer = selectors.get_customer(self.principal, pk) if pk else None
        form = self.make_form(request.POST, customer)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if customer is None:
                    customer = actions.create_customer(self.principal, **data)
                    messages.success(request, _("Customer %(c)s created.") % {"c": customer.code})
                else:
                    data.pop("party_id", None)
                    actions.update_customer(self.principal, customer.pk, **data)
                    messages.success(request, _("Customer %(c)s saved.") % {"c": customer.code})
                return redirect("sales-customer", pk=customer.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return render(request, "sales/customer_form.html", {"form": form, "customer": customer}, status=400)


# --- orders ----------------------------------------------------------------------------------------


class OrderListView(SalesView):
    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "")
        status = status if status in OrderStatus.values else ""
        page = Paginator(selectors.list_orders(self.principal, status), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "sales/orders.html", {"page": page, "status": status, "statuses": OrderStatus.choices})


class OrderFormView(SalesView):
    permission = "crm.order.create"

    def make_forms(self, data: Any = None, order: Any = None) -> tuple[forms.OrderForm, forms.BaseLineFormSet]:
        p = self.principal
        customers = [(c.pk, f"{c.code} {c.party.name}") for c in selectors.list_customers(p)]
        warehouses = [(w.pk, f"{w.code} {w.name}") for w in selectors.list_warehouses(p.tenant) if w.is_active]
        products = [(pr.pk, f"{pr.sku} {pr.name}") for pr in selectors.list_products(p.tenant)]
        initial: dict[str, Any] = {}
        lines: list[dict[str, Any]] = []
        if order is not None:
            initial = {
                "customer_id": order.customer_id,
                "date": order.date,
                "warehouse_id": order.warehouse_id,
                "note": order.note,
            }
            lines = [actions._line_row(li) for li in order.lines.all()]
        form = forms.OrderForm(data, initial=initial, customers=customers, warehouses=warehouses)
        if order is not None:
            form.fields["customer_id"].disabled = True
        formset: forms.BaseLineFormSet = forms.OrderLineFormSet(  # type: ignore[call-arg, assignment]
            data, initial=lines, prefix="lines", products=products
        )
        return form, formset

    def render_forms(
        self, request: HttpRequest, form: Any, formset: Any, order: Any, status: int = 200
    ) -> HttpResponse:
        return render(
            request, "sales/order_form.html", {"form": form, "formset": formset, "order": order}, status=status
        )

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        order = selectors.get_order(self.principal, pk) if pk else None
        if order is not None and order.status != OrderStatus.DRAFT:
            messages.error(request, _("Only a draft order can be changed."))
            return redirect("sales-order", pk=order.pk)
        form, formset = self.make_forms(order=order)
        return self.render_forms(request, form, formset, order)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        order = selectors.get_order(self.principal, pk) if pk else None
        form, formset = self.make_forms(request.POST, order)
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            try:
                if order is None:
                    order = actions.create_order(self.principal, **data, lines=formset.rows())
                    messages.success(request, _("Sales order %(n)s created.") % {"n": order.number})
                else:
                    data.pop("customer_id", None)
                    actions.update_order(self.principal, order.pk, **data, lines=formset.rows())
                    messages.success(request, _("Sales order %(n)s saved.") % {"n": order.number})
                return redirect("sales-order", pk=order.pk)
            except ValidationError as exc:
                _attach(form, exc, formset)
        return self.render_forms(request, form, formset, order, status=400)


class OrderDetailView(SalesView):
    def get(self, request: HttpRequest, pk: int, error: str = "", status: int = 200) -> HttpResponse:
        p = self.principal
        order = selectors.get_order(p, pk)
        lines = list(order.lines.all())
        available: dict[int, Any] = {}
        if order.warehouse_id and p.tenant.has_module("INV") and order.status == OrderStatus.DRAFT:
            for line in lines:
                if line.is_stocked and line.product_id:
                    available[line.pk] = selectors.available_stock(p.tenant, line.product_id, order.warehouse_id)
        order_deliveries = list(deliveries.list_deliveries(p, order_id=order.pk))
        context = {
            "order": order,
            "lines": lines,
            "available": available,
            "deliveries": order_deliveries,
            "invoices": list(order.invoices.all()),
            "can_invoice": any(d.invoice_id is None for d in order_deliveries),
            "open_lines": [li for li in lines if li.remaining > 0],
            "error": error,
            "can_approve": p.has("crm.order.approve"),
            "loyalty_active": order.status == OrderStatus.DRAFT and _loyalty_active(p),
        }
        return render(request, "sales/order.html", context, status=status)


def _loyalty_active(p: Principal) -> bool:
    from novasaas.sales import loyalty

    return bool(loyalty.programme(p.tenant).is_active)


class OrderActionView(SalesView):
    """POST confirm / deliver / invoice / cancel; a refusal shows the order again with the reason (400).
    ``deliver`` takes ``qty_<line id>`` per line (what to deliver now; empty or 0: not now)."""

    permission = "crm.order.create"
    ACTIONS = ("confirm", "deliver", "invoice", "cancel", "close")

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in self.ACTIONS:
            raise Http404
        p = self.principal
        try:
            if action == "confirm":
                order = actions.confirm_order(p, pk, approve_over_credit_limit=request.POST.get("approve") == "1")
                if order.status == OrderStatus.TO_APPROVE:
                    messages.info(request, _("The order is above the approval limit: it awaits a Sales Manager."))
                else:
                    messages.success(request, _("Order confirmed."))
                for warning in getattr(order, "warnings", []):
                    messages.warning(request, warning)
            elif action == "deliver":
                rows = self.delivery_rows(request, pk)
                date_form = forms.DeliveryDateForm(request.POST)
                on = date_form.cleaned_data.get("date") if date_form.is_valid() else None
                if not date_form.is_valid():
                    raise ValidationError({"date": [_("Enter a valid date.")]})
                delivery = deliveries.deliver_order(p, pk, date=on, lines=rows)
                messages.success(request, _("Delivery %(n)s recorded.") % {"n": delivery.number})
            elif action == "invoice":
                invoice = deliveries.invoice_order(p, pk)
                messages.success(request, _("Invoice %(n)s issued.") % {"n": invoice.number})
                return redirect("sales-invoice", pk=invoice.pk)
            elif action == "close":
                deliveries.close_backorder(p, pk)
                messages.success(request, _("Back-order closed: the rest will not be delivered."))
            else:
                actions.cancel_order(p, pk)
                messages.success(request, _("Order cancelled."))
        except ValidationError as exc:
            return OrderDetailView.get(self, request, pk, error=" ".join(exc.messages), status=400)  # type: ignore[arg-type]
        return redirect("sales-order", pk=pk)

    def delivery_rows(self, request: HttpRequest, pk: int) -> list[dict[str, Any]] | None:
        """The page's quantities per line; None (everything that remains) when the form sent none."""
        order = selectors.get_order(self.principal, pk)
        from novasaas.platform.numbers import parse_number

        rows = []
        for line in order.lines.all():
            text = request.POST.get(f"qty_{line.pk}")
            if text is None:
                continue
            try:
                quantity: Any = parse_number(text, decimal_places=4) if text.strip() else ""
            except (ValueError, ArithmeticError):
                raise ValidationError({"lines": [_("Enter a number.")]}) from None
            rows.append({"line_id": line.pk, "quantity": quantity})
        return rows or None


# --- invoices --------------------------------------------------------------------------------------


class InvoiceListView(SalesView):
    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(selectors.list_invoices(self.principal), PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "sales/invoices.html", {"page": page})


class InvoiceDetailView(SalesView):
    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200, error: str = "") -> HttpResponse:
        from novasaas.sales.returns import credit_balance

        invoice = selectors.get_invoice(self.principal, pk)
        open_amount = invoice.total - invoice.credited - invoice.paid
        lines = list(invoice.lines.all())
        context = {
            "invoice": invoice,
            "lines": lines,
            "creditable": [li for li in lines if li.quantity > li.credited_quantity],
            "deliveries": list(invoice.deliveries.all()),
            "credit_notes": list(invoice.credit_notes.all()),
            "payments": list(invoice.payments.all()),
            "open_amount": open_amount,
            "customer_credit": credit_balance(invoice.customer),
            "error": error,
            "form": form or forms.PaymentForm(initial={"amount": open_amount}),
        }
        return render(request, "sales/invoice.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.principal.require("crm.payment.receive")
        form = forms.PaymentForm(request.POST)
        if form.is_valid():
            try:
                actions.receive_payment(self.principal, pk, **form.cleaned_data)
                messages.success(request, _("Payment recorded."))
                return redirect("sales-invoice", pk=pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, pk, form=form, status=400)


# --- customers: Excel import / export ----------------------------------------------------------------


class CustomerExportView(SalesView):
    permission = "crm.customer.import"

    def get(self, request: HttpRequest) -> HttpResponse:
        from novasaas.platform.excel import XLSX_TYPE
        from novasaas.sales.customer_excel import export_workbook

        response = HttpResponse(export_workbook(self.principal), content_type=XLSX_TYPE)
        response["Content-Disposition"] = 'attachment; filename="customers.xlsx"'
        return response


class CustomerImportView(SalesView):
    permission = "crm.customer.import"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "sales/customer_import.html", {"form": forms.CustomerImportForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.sales.customer_excel import CustomerImportError, import_customers

        form = forms.CustomerImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                created = import_customers(self.principal, form.cleaned_data["file"])
            except CustomerImportError as exc:
                context = {"form": form, "errors": exc.lines}
                return render(request, "sales/customer_import.html", context, status=exc.status)
            messages.success(request, _("%(n)d customers imported.") % {"n": len(created)})
            return redirect("sales-customers")
        return render(request, "sales/customer_import.html", {"form": form}, status=400)
