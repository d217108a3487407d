"""Purchasing pages: thin views over actions and selectors (module gate SCM)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views import View

from novasaas.identity.access import Principal
from novasaas.platform.modules import ModuleDisabled
from novasaas.purchasing import actions, bills, credits, emailing, forms, landed, requisitions, rfqs, selectors
from novasaas.purchasing.models import (
    BillStatus,
    CostKind,
    CreditKind,
    LandedSplit,
    OrderStatus,
    PaymentMethod,
    PurchaseReceipt,
    RequisitionStatus,
)

PAGE_SIZE = 50


class PurchasingView(LoginRequiredMixin, View):
    """Signed-in members of a tenant with SCM holding one of ``permissions``; the module is checked first."""

    permissions: tuple[str, ...] = ("scm.po.track",)
    principal: Principal

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        tenant = getattr(request, "tenant", None)
        if tenant is not None and not tenant.has_module("SCM"):
            raise ModuleDisabled("SCM")
        principal: Principal | None = getattr(request, "principal", None)
        if principal is None:
            raise PermissionDenied(_("Sign in to a company first."))
        if not any(principal.has(code) for code in self.permissions):
            principal.require(self.permissions[0])
        self.principal = principal
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


def _vendor_choices(tenant: Any) -> list[tuple[int, str]]:
    return [(v.pk, f"{v.code} {v.party.name}") for v in selectors.list_vendors(tenant)]


def _product_choices(tenant: Any) -> list[tuple[int, str]]:
    return [(pr.pk, f"{pr.sku} {pr.name}") for pr in selectors.list_products(tenant)]


def _warehouse_choices(tenant: Any) -> list[tuple[int, str]]:
    return [(w.pk, f"{w.code} {w.name}") for w in selectors.list_warehouses(tenant) if w.is_active]


# --- vendors ---------------------------------------------------------------------------------------


class VendorListView(PurchasingView):
    permissions = ("scm.vendor.view",)

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "")[:200]
        qs = selectors.list_vendors(self.principal.tenant, q, include_inactive=request.GET.get("inactive") == "1")
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        return render(request, "purchasing/vendors.html", {"page": page, "q": q})


class VendorExcelView(PurchasingView):
    """GET: the import page (vendors and price lists); ``?export=vendors|prices`` downloads the xlsx.
    POST ``kind`` (vendors / prices) and ``file``: all or nothing, every bad line listed (400)."""

    permissions = ("scm.vendor.manage",)

    def get(self, request: HttpRequest) -> HttpResponse:
        from novasaas.platform.excel import XLSX_TYPE
        from novasaas.purchasing import excel

        what = request.GET.get("export", "")
        if what in ("vendors", "prices"):
            content = excel.export_vendors(self.principal) if what == "vendors" else excel.export_prices(self.principal)
            response = HttpResponse(content, content_type=XLSX_TYPE)
            name = "vendors.xlsx" if what == "vendors" else "vendor-prices.xlsx"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            return response
        return render(request, "purchasing/vendor_import.html", {})

    def post(self, request: HttpRequest) -> HttpResponse:
        from novasaas.purchasing import excel

        kind = request.POST.get("kind", "")
        upload = request.FILES.get("file")
        if kind not in ("vendors", "prices") or upload is None:
            context = {"kind": kind, "error": _("Choose a file.")}
            return render(request, "purchasing/vendor_import.html", context, status=400)
        run = excel.import_vendors if kind == "vendors" else excel.import_prices
        try:
            created, changed = run(self.principal, upload, upload.name)
        except excel.VendorImportError as exc:
            failed: dict[str, Any] = {"kind": kind, "errors": exc.lines}
            return render(request, "purchasing/vendor_import.html", failed, status=400)
        messages.success(request, _("Imported: %(c)d created, %(u)d changed.") % {"c": created, "u": changed})
        return redirect("purchasing-vendors")


class VendorDetailView(PurchasingView):
    permissions = ("scm.vendor.view",)

    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        p = self.principal
        vendor = selectors.get_vendor(p.tenant, pk)
        payable = aging = None
        if p.tenant.has_module("ACC"):
            from novasaas.accounting.receivables import aging as ap_aging
            from novasaas.accounting.selectors import party_balance

            payable = party_balance(p.tenant, vendor.party_id)
            aging = next((row for row in ap_aging(p.tenant, "payable")[0] if row.party_id == vendor.party_id), None)
        can_manage = p.has("scm.vendor.manage")
        context = {
            "vendor": vendor,
            "prices": list(selectors.list_prices(p.tenant, vendor.pk)),
            "preferred_ids": set(
                selectors.list_preferred_vendors(p.tenant, vendor.pk).values_list("product_id", flat=True)
            ),
            "orders": list(selectors.list_orders(p.tenant, vendor_id=vendor.pk)[:20]),
            "bills": list(selectors.list_bills(p.tenant, vendor_id=vendor.pk)[:20]),
            "payable": payable,
            "aging": aging,
            "form": (form or forms.VendorPriceForm(products=_product_choices(p.tenant))) if can_manage else None,
        }
        return render(request, "purchasing/vendor.html", context, status=status)


class VendorPriceView(PurchasingView):
    """POST: add a price-list line (or delete one with ``delete=<id>``); ``prefer=<product id>`` makes
    the vendor the product's preferred vendor, ``unprefer=<product id>`` removes that."""

    permissions = ("scm.vendor.manage",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        p = self.principal
        selectors.get_vendor(p.tenant, pk)
        if request.POST.get("prefer") or request.POST.get("unprefer"):
            return self.preference(request, pk)
        if request.POST.get("delete"):
            try:
                actions.delete_price(p, pk, int(request.POST["delete"]))
            except (TypeError, ValueError) as exc:
                raise Http404 from exc
            messages.success(request, _("Price line deleted."))
            return redirect("purchasing-vendor", pk=pk)
        form = forms.VendorPriceForm(request.POST, products=_product_choices(p.tenant))
        if form.is_valid():
            try:
                actions.save_price(p, pk, **form.cleaned_data)
                messages.success(request, _("Price line saved."))
                return redirect("purchasing-vendor", pk=pk)
            except ValidationError as exc:
                _attach(form, exc)
        return VendorDetailView.get(self, request, pk, form=form, status=400)  # type: ignore[arg-type]

    def preference(self, request: HttpRequest, pk: int) -> HttpResponse:
        p = self.principal
        try:
            if request.POST.get("prefer"):
                actions.set_preferred_vendor(p, request.POST["prefer"], pk)
                messages.success(request, _("Preferred vendor saved."))
            else:
                product_id = int(request.POST["unprefer"])
                if (
                    not 0 < product_id < 2**63
                    or not selectors.list_preferred_vendors(p.tenant, pk).filter(product_id=product_id).exists()
                ):
                    raise Http404
                actions.clear_preferred_vendor(p, product_id)
                messages.success(request, _("Preferred vendor removed."))
        except (TypeError, ValueError, OverflowError) as exc:
            raise Http404 from exc
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return VendorDetailView.get(self, request, pk, status=400)  # type: ignore[arg-type]
        return redirect("purchasing-vendor", pk=pk)


class VendorFormView(PurchasingView):
    permissions = ("scm.vendor.manage",)

    def make_form(self, data: Any = None, vendor: Any = None) -> forms.VendorForm:
        from novasaas.parties.selectors import search_parties

        tenant = self.principal.tenant
        if vendor is not None:
            parties = [(vendor.party_id, str(vendor.party))]
            initial = {
                "party_id": vendor.party_id,
                "payment_terms_days": vendor.payment_terms_days,
                "currency": vendor.currency,
                "bank_name": vendor.bank_name,
                "bank_account": vendor.bank_account,
                "note": vendor.note,
                "is_active": vendor.is_active,
            }
        else:
            taken = set(selectors.list_vendors(tenant, include_inactive=True).values_list("party_id", flat=True))
            parties = [(pt.pk, str(pt)) for pt in search_parties(tenant, "")[:1000] if pt.pk not in taken]
            initial = {}
        form = forms.VendorForm(data, initial=initial, parties=parties)
        if vendor is not None:
            form.fields["party_id"].disabled = True
        return form

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        vendor = selectors.get_vendor(self.principal.tenant, pk) if pk else None
        return render(request, "purchasing/vendor_form.html", {"form": self.make_form(vendor=vendor), "vendor": vendor})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        vendor = selectors.get_vendor(self.principal.tenant, pk) if pk else None
        form = self.make_form(request.POST, vendor)
        if form.is_valid():
            data = dict(form.cleaned_data)
            try:
                if vendor is None:
                    data.pop("is_active", None)
                    vendor = actions.create_vendor(self.principal, **data)
                    messages.success(request, _("Vendor %(c)s created.") % {"c": vendor.code})
                else:
                    data.pop("party_id", None)
                    actions.update_vendor(self.principal, vendor.pk, **data)
                    messages.success(request, _("Vendor %(c)s saved.") % {"c": vendor.code})
                return redirect("purchasing-vendor", pk=vendor.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return render(request, "purchasing/vendor_form.html", {"form": form, "vendor": vendor}, status=400)


# --- purchase orders -------------------------------------------------------------------------------


class OrderListView(PurchasingView):
    permissions = ("scm.po.track", "scm.receipt.create")

    def get(self, request: HttpRequest) -> HttpResponse:
        tenant = self.principal.tenant
        status = request.GET.get("status", "")
        status = status if status in OrderStatus.values else ""
        q = request.GET.get("q", "")[:100]
        late = request.GET.get("late") == "1"
        qs = selectors.list_orders(tenant, status, q=q, late_on=timezone.localdate() if late else None)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        context = {"page": page, "status": status, "statuses": OrderStatus.choices, "q": q, "late": late}
        return render(request, "purchasing/orders.html", context)


class OrderFormView(PurchasingView):
    permissions = ("scm.po.create",)

    def make_forms(self, data: Any = None, order: Any = None) -> tuple[forms.OrderForm, forms.BaseLineFormSet]:
        tenant = self.principal.tenant
        initial: dict[str, Any] = {}
        lines: list[dict[str, Any]] = []
        if order is not None:
            initial = {
                "vendor_id": order.vendor_id,
                "warehouse_id": order.warehouse_id,
                "date": order.date,
                "expected_date": order.expected_date,
                "note": order.note,
            }
            lines = [actions._line_row(li) for li in order.lines.all()]
        form = forms.OrderForm(
            data, initial=initial, vendors=_vendor_choices(tenant), warehouses=_warehouse_choices(tenant)
        )
        formset: forms.BaseLineFormSet = forms.OrderLineFormSet(  # type: ignore[call-arg, assignment]
            data, initial=lines, prefix="lines", products=_product_choices(tenant)
        )
        return form, formset

    def render_forms(
        self, request: HttpRequest, form: Any, formset: Any, order: Any, status: int = 200
    ) -> HttpResponse:
        context = {"form": form, "formset": formset, "order": order}
        return render(request, "purchasing/order_form.html", context, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        order = selectors.get_order(self.principal.tenant, pk) if pk else None
        if order is not None and order.status != OrderStatus.DRAFT:
            messages.error(request, _("Only a draft order can be changed."))
            return redirect("purchasing-order", pk=order.pk)
        form, formset = self.make_forms(order=order)
        return self.render_forms(request, form, formset, order)

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        order = selectors.get_order(self.principal.tenant, pk) if pk else None
        form, formset = self.make_forms(request.POST, order)
        if form.is_valid() and formset.is_valid():
            data = dict(form.cleaned_data)
            try:
                if order is None:
                    order = actions.create_order(self.principal, **data, lines=formset.rows())
                    messages.success(request, _("Purchase order %(n)s created.") % {"n": order.number})
                else:
                    actions.update_order(self.principal, order.pk, **data, lines=formset.rows())
                    messages.success(request, _("Purchase order %(n)s saved.") % {"n": order.number})
                return redirect("purchasing-order", pk=order.pk)
            except ValidationError as exc:
                _attach(form, exc, formset)
        return self.render_forms(request, form, formset, order, status=400)


class OrderDetailView(PurchasingView):
    permissions = ("scm.po.track", "scm.receipt.create", "scm.return.manage")

    def get(self, request: HttpRequest, pk: int, error: str = "", status: int = 200) -> HttpResponse:
        p = self.principal
        order = selectors.get_order(p.tenant, pk)
        context = {
            "order": order,
            "lines": list(order.lines.all()),
            "receipts": list(order.receipts.all()),
            "bills": list(order.bills.all()),
            "warehouse": selectors.warehouse_names(p.tenant).get(order.warehouse_id, ""),
            "error": error,
            "can_receive": p.has("scm.receipt.create") and order.status in (OrderStatus.APPROVED, OrderStatus.PARTIAL),
            "can_return": p.has("scm.return.manage") and order.status in (OrderStatus.PARTIAL, OrderStatus.RECEIVED),
            "can_bill": p.has("scm.po.create")
            and order.status in (OrderStatus.PARTIAL, OrderStatus.RECEIVED, OrderStatus.CLOSED),
        }
        if p.has("scm.po.create") and order.status in emailing.SENDABLE:
            context["can_send"] = True
            context["send_to"] = request.POST.get("to", "") if error else emailing.vendor_email(order)
        return render(request, "purchasing/order.html", context, status=status)


class OrderSendView(PurchasingView):
    """POST ``to`` (default: the vendor's email): email the order's PDF to the vendor."""

    permissions = ("scm.po.create",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        p = self.principal
        selectors.get_order(p.tenant, pk)
        try:
            order = emailing.send_order(p, pk, to=request.POST.get("to", "")[:254])
        except ValidationError as exc:
            return OrderDetailView.get(self, request, pk, error=" ".join(exc.messages), status=400)  # type: ignore[arg-type]
        messages.success(request, _("Purchase order emailed to %(to)s.") % {"to": order.sent_to})
        return redirect("purchasing-order", pk=pk)


class OrderPdfView(PurchasingView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        from novasaas.platform.pdf import PdfUnavailable
        from novasaas.purchasing.pdf import order_pdf

        tenant = self.principal.tenant
        order = selectors.get_order(tenant, pk)
        try:
            content = order_pdf(order, selectors.warehouse_names(tenant).get(order.warehouse_id, ""))
        except PdfUnavailable as exc:
            return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'inline; filename="{order.number}.pdf"'
        return response


class OrderReceiveView(PurchasingView):
    """POST the accepted quantities (``qty_<line id>``), the rejected ones of the quality check
    (``rej_<line id>``, with ``rejection_reason``) and the date."""

    permissions = ("scm.receipt.create",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        p = self.principal
        order = selectors.get_order(p.tenant, pk)
        rows = []
        for line in order.lines.all():
            value = request.POST.get(f"qty_{line.pk}", "").strip()
            rejected = request.POST.get(f"rej_{line.pk}", "").strip()
            if value or rejected:
                rows.append(
                    {
                        "line_id": line.pk,
                        "quantity": value.replace(",", ".") or "0",
                        "rejected_quantity": rejected.replace(",", ".") or "0",
                    }
                )
        form = forms.ReceiveForm(request.POST)
        if not form.is_valid():
            return OrderDetailView.get(self, request, pk, error=_("Enter a valid date."), status=400)  # type: ignore[arg-type]
        try:
            receipt = actions.receive_order(
                p,
                pk,
                lines=rows,
                date=form.cleaned_data.get("date"),
                rejection_reason=request.POST.get("rejection_reason", "")[:300],
            )
        except ValidationError as exc:
            return OrderDetailView.get(self, request, pk, error=" ".join(exc.messages), status=400)  # type: ignore[arg-type]
        messages.success(request, _("Goods receipt %(n)s posted.") % {"n": receipt.number})
        return redirect("purchasing-order", pk=pk)


class OrderReturnView(PurchasingView):
    """POST the quantities to send back (``ret_<line id>``) and the reason."""

    permissions = ("scm.return.manage",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        p = self.principal
        order = selectors.get_order(p.tenant, pk)
        rows = []
        for line in order.lines.all():
            value = request.POST.get(f"ret_{line.pk}", "").strip()
            if value:
                rows.append({"line_id": line.pk, "quantity": value.replace(",", ".")})
        try:
            movement = actions.return_to_vendor(p, pk, lines=rows, reason=request.POST.get("reason", "")[:300])
        except ValidationError as exc:
            return OrderDetailView.get(self, request, pk, error=" ".join(exc.messages), status=400)  # type: ignore[arg-type]
        messages.success(request, _("Goods issue %(n)s posted: goods returned to the vendor.") % {"n": movement.number})
        return redirect("purchasing-order", pk=pk)


class OrderActionView(PurchasingView):
    """POST submit / approve / reject / cancel / close; a refusal shows the order again (400)."""

    permissions = ("scm.po.create", "scm.po.approve", "scm.po.track")
    ACTIONS = {
        "submit": actions.submit_order,
        "approve": actions.approve_order,
        "reject": actions.reject_order,
        "cancel": actions.cancel_order,
        "close": actions.close_order,
    }

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in self.ACTIONS:
            raise Http404
        selectors.get_order(self.principal.tenant, pk)
        try:
            order = self.ACTIONS[action](self.principal, pk)
        except ValidationError as exc:
            return OrderDetailView.get(self, request, pk, error=" ".join(exc.messages), status=400)  # type: ignore[arg-type]
        messages.success(request, _("Order %(n)s: %(s)s.") % {"n": order.number, "s": order.get_status_display()})
        return redirect("purchasing-order", pk=pk)


# --- vendor bills ----------------------------------------------------------------------------------


class BillListView(PurchasingView):
    permissions = ("scm.po.track", "acc.payment.record")  # accountants pay the bills

    def get(self, request: HttpRequest) -> HttpResponse:
        status = request.GET.get("status", "")
        status = status if status in BillStatus.values else ""
        page = Paginator(selectors.list_bills(self.principal.tenant, status), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        return render(
            request, "purchasing/bills.html", {"page": page, "status": status, "statuses": BillStatus.choices}
        )


class BillFormView(PurchasingView):
    permissions = ("scm.po.create",)

    def make_form(self, data: Any = None) -> forms.BillForm:
        tenant = self.principal.tenant
        billable = (OrderStatus.PARTIAL, OrderStatus.RECEIVED, OrderStatus.CLOSED)
        orders = [
            (o.pk, f"{o.number} {o.vendor.party.name}")
            for o in selectors.list_orders(tenant).filter(status__in=billable)[:500]
        ]
        initial = {"order_id": self.request.GET.get("order") or None}
        projects = None
        if tenant.has_module("PM"):
            from novasaas.projects.selectors import chargeable_projects

            projects = [(pk, f"{code} {name}") for pk, code, name in chargeable_projects(tenant)]
        return forms.BillForm(data, initial=initial, orders=orders, vendors=_vendor_choices(tenant), projects=projects)

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "purchasing/bill_form.html", {"form": self.make_form()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.make_form(request.POST)
        if form.is_valid():
            data = dict(form.cleaned_data)
            lines = None
            if not data.get("order_id"):
                lines = [
                    {
                        "description": data.get("description"),
                        "expense_role": data.get("expense_role"),
                        "quantity": 1,
                        "unit_price": data.get("amount"),
                        "vat_code": data.get("vat_code"),
                        "project_id": data.get("project_id"),
                    }
                ]
            try:
                bill = bills.create_bill(
                    self.principal,
                    order_id=data.get("order_id"),
                    vendor_id=data.get("vendor_id"),
                    vendor_invoice_no=data["vendor_invoice_no"],
                    date=data.get("date"),
                    due_date=data.get("due_date"),
                    payment_method=data["payment_method"],
                    lines=lines,
                )
                messages.success(request, _("Bill %(n)s created.") % {"n": bill.number})
                return redirect("purchasing-bill", pk=bill.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return render(request, "purchasing/bill_form.html", {"form": form}, status=400)


class BillDetailView(PurchasingView):
    permissions = ("scm.po.track", "acc.payment.record")

    def get(self, request: HttpRequest, pk: int, form: Any = None, error: str = "", status: int = 200) -> HttpResponse:
        bill = selectors.get_bill(self.principal.tenant, pk)
        context = {
            "bill": bill,
            "lines": list(bill.lines.all()),
            "payments": list(bill.payments.all()),
            "credit_notes": list(bill.credit_notes.all()),
            "receipts": [a.receipt for a in bill.landed_allocations.select_related("receipt")],
            "credit_kinds": CreditKind.choices,
            "open_amount": bill.total - bill.paid - bill.credited,
            "error": error,
            "form": form
            or forms.PaymentForm(
                initial={"amount": bill.total - bill.paid - bill.credited, "method": bill.payment_method}
            ),
        }
        return render(request, "purchasing/bill.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        """Pay the bill."""
        selectors.get_bill(self.principal.tenant, pk)
        form = forms.PaymentForm(request.POST)
        if form.is_valid():
            try:
                bills.pay_bill(self.principal, pk, **form.cleaned_data)
                messages.success(request, _("Payment recorded."))
                return redirect("purchasing-bill", pk=pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, pk, form=form, status=400)


class BillCreditNoteView(PurchasingView):
    """POST a vendor credit note on the bill: ``kind``, ``vendor_credit_no``, ``date``, ``reason`` and per
    bill line ``cn_qty_<id>`` (and ``cn_price_<id>``, the reduction per unit, for a lower price)."""

    permissions = ("scm.po.create",)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        p = self.principal
        bill = selectors.get_bill(p.tenant, pk)
        rows = []
        for line in bill.lines.all():
            qty = request.POST.get(f"cn_qty_{line.pk}", "").strip().replace(",", ".")
            if qty:
                row = {"bill_line_id": line.pk, "quantity": qty}
                price = request.POST.get(f"cn_price_{line.pk}", "").strip()
                if price:
                    row["unit_price"] = price.replace(".", "").replace(",", "")
                rows.append(row)
        try:
            note = credits.create_credit_note(
                p,
                pk,
                kind=request.POST.get("kind", ""),
                vendor_credit_no=request.POST.get("vendor_credit_no", ""),
                date=request.POST.get("date") or None,
                reason=request.POST.get("reason", "")[:300],
                lines=rows,
            )
        except ValidationError as exc:
            return BillDetailView.get(self, request, pk, error=" ".join(exc.messages), status=400)  # type: ignore[arg-type]
        messages.success(request, _("Credit note %(n)s posted.") % {"n": note.number})
        return redirect("purchasing-bill", pk=pk)


class LandedBillFormView(PurchasingView):
    """A landed-cost bill: the vendor (forwarder, insurer, customs), the receipts it belongs to, the split
    and one amount per kind of cost (``amount_<kind>``, ``vat_<kind>``)."""

    permissions = ("scm.po.create",)

    def context(self, error: str = "", data: Any = None) -> dict[str, Any]:
        tenant = self.principal.tenant
        receipts = PurchaseReceipt.objects.filter(tenant=tenant, movement_id__isnull=False).select_related(
            "order", "order__vendor__party"
        )
        return {
            "vendors": _vendor_choices(tenant),
            "receipts": list(receipts.order_by("-date", "-id")[:200]),
            "cost_kinds": CostKind.choices,
            "splits": LandedSplit.choices,
            "methods": PaymentMethod.choices,
            "vat_codes": ["VAT10", "VAT8", "VAT5", "VAT0", "EXEMPT"],
            "error": error,
            "data": data or {},
            "chosen": [int(x) for x in (data.getlist("receipt_ids") if data else []) if str(x).isdigit()],
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "purchasing/landed_bill_form.html", self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        data = request.POST
        lines = []
        for kind in CostKind.values:
            amount = data.get(f"amount_{kind}", "").strip().replace(".", "").replace(",", "")
            if amount:
                lines.append({"cost_kind": kind, "amount": amount, "vat_code": data.get(f"vat_{kind}") or None})
        try:
            bill = landed.create_landed_bill(
                self.principal,
                vendor_id=data.get("vendor_id"),
                vendor_invoice_no=data.get("vendor_invoice_no", ""),
                receipt_ids=data.getlist("receipt_ids"),
                lines=lines,
                split=data.get("split", "value"),
                date=data.get("date") or None,
                due_date=data.get("due_date") or None,
                payment_method=data.get("payment_method", "bank"),
            )
        except ValidationError as exc:
            return render(
                request,
                "purchasing/landed_bill_form.html",
                self.context(" ".join(exc.messages), data),
                status=400,
            )
        messages.success(request, _("Bill %(n)s created.") % {"n": bill.number})
        return redirect("purchasing-bill", pk=bill.pk)


class BillActionView(PurchasingView):
    permissions = ("scm.po.create", "scm.po.approve")
    ACTIONS = ("post", "approve-match", "delete")

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in self.ACTIONS:
            raise Http404
        p = self.principal
        selectors.get_bill(p.tenant, pk)
        try:
            if action == "post":
                bills.post_bill(p, pk)
                messages.success(request, _("Bill posted."))
            elif action == "approve-match":
                bills.approve_match(p, pk)
                messages.success(request, _("Differences approved."))
            else:
                bills.delete_bill(p, pk)
                messages.success(request, _("Draft bill deleted."))
                return redirect("purchasing-bills")
        except ValidationError as exc:
            return BillDetailView.get(self, request, pk, error=" ".join(exc.messages), status=400)  # type: ignore[arg-type]
        return redirect("purchasing-bill", pk=pk)


# --- requisitions ----------------------------------------------------------------------------------


class RequisitionListView(PurchasingView):
    permissions = ("scm.requisition.create", "scm.requisition.approve")

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        tenant = self.principal.tenant
        state = request.GET.get("status", "")
        state = state if state in RequisitionStatus.values else ""
        page = Paginator(selectors.list_requisitions(tenant, state), PAGE_SIZE).get_page(request.GET.get("page"))
        form = form or forms.RequisitionForm(products=_product_choices(tenant), warehouses=_warehouse_choices(tenant))
        context = {
            "page": page,
            "status": state,
            "statuses": RequisitionStatus.choices,
            "warehouses": selectors.warehouse_names(tenant),
            "form": form if self.principal.has("scm.requisition.create") else None,
        }
        return render(request, "purchasing/requisitions.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        tenant = self.principal.tenant
        form = forms.RequisitionForm(
            request.POST, products=_product_choices(tenant), warehouses=_warehouse_choices(tenant)
        )
        if form.is_valid():
            try:
                req = requisitions.create_requisition(self.principal, **form.cleaned_data)
                messages.success(request, _("Requisition %(n)s created.") % {"n": req.number})
                return redirect("purchasing-requisition", pk=req.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form=form, status=400)


class RequisitionDetailView(PurchasingView):
    permissions = ("scm.requisition.create", "scm.requisition.approve")

    def get(self, request: HttpRequest, pk: int, error: str = "", status: int = 200) -> HttpResponse:
        tenant = self.principal.tenant
        req = selectors.get_requisition(tenant, pk)
        context = {
            "req": req,
            "warehouse": selectors.warehouse_names(tenant).get(req.warehouse_id, ""),
            "orders": list(req.orders.all()),
            "error": error,
            "convert": forms.ConvertForm(vendors=_vendor_choices(tenant)),
        }
        return render(request, "purchasing/requisition.html", context, status=status)


class RequisitionActionView(PurchasingView):
    permissions = ("scm.requisition.approve", "scm.po.create")
    ACTIONS = ("approve", "reject", "order")

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in self.ACTIONS:
            raise Http404
        p = self.principal
        selectors.get_requisition(p.tenant, pk)
        try:
            if action == "approve":
                requisitions.approve_requisition(p, pk)
            elif action == "reject":
                requisitions.reject_requisition(p, pk)
            else:
                form = forms.ConvertForm(request.POST, vendors=_vendor_choices(p.tenant))
                if not form.is_valid():
                    raise ValidationError(_("Choose a vendor."))
                order = requisitions.convert_to_order(p, pk, vendor_id=form.cleaned_data["vendor_id"])
                messages.success(request, _("Purchase order %(n)s created.") % {"n": order.number})
                return redirect("purchasing-order", pk=order.pk)
        except ValidationError as exc:
            return RequisitionDetailView.get(self, request, pk, error=" ".join(exc.messages), status=400)  # type: ignore[arg-type]
        return redirect("purchasing-requisition", pk=pk)


# --- reports and settings --------------------------------------------------------------------------


# --- requests for quotation -----------------------------------------------------------------------


class RfqListView(PurchasingView):
    """The requests for quotation, and a new one: warehouse, vendors (``vendor_ids``), up to five lines
    (``product_<n>``, ``qty_<n>``), deadline."""

    RFQ_ROWS = 5

    def context(self, error: str = "", data: Any = None) -> dict[str, Any]:
        tenant = self.principal.tenant
        return {
            "rfqs": list(selectors.list_rfqs(tenant)[:200]),
            "vendors": _vendor_choices(tenant),
            "products": _product_choices(tenant),
            "warehouses": _warehouse_choices(tenant),
            "rows": range(self.RFQ_ROWS),
            "error": error,
        }

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "purchasing/rfqs.html", self.context())

    def post(self, request: HttpRequest) -> HttpResponse:
        self.principal.require("scm.po.create")
        data = request.POST
        lines = []
        for n in range(self.RFQ_ROWS):
            product, qty = data.get(f"product_{n}", ""), data.get(f"qty_{n}", "").strip().replace(",", ".")
            if product and qty:
                lines.append({"product_id": product, "quantity": qty})
        try:
            rfq = rfqs.create_rfq(
                self.principal,
                warehouse_id=data.get("warehouse_id"),
                vendor_ids=data.getlist("vendor_ids"),
                lines=lines,
                deadline=data.get("deadline") or None,
                note=data.get("note", ""),
            )
        except ValidationError as exc:
            return render(request, "purchasing/rfqs.html", self.context(" ".join(exc.messages), data), status=400)
        messages.success(request, _("Request for quotation %(n)s created.") % {"n": rfq.number})
        return redirect("purchasing-rfq", pk=rfq.pk)


class RfqDetailView(PurchasingView):
    def get(self, request: HttpRequest, pk: int, error: str = "", status: int = 200) -> HttpResponse:
        rfq = selectors.get_rfq(self.principal.tenant, pk)
        table = rfqs.comparison(rfq)
        context = {
            "rfq": rfq,
            "table": table,
            "vendor_totals": list(zip(table.vendors, table.totals, strict=True)),
            "error": error,
        }
        return render(request, "purchasing/rfq.html", context, status=status)


class RfqActionView(PurchasingView):
    """``quote`` (``vendor_id``, ``price_<line id>``, ``lead_<line id>``), ``award`` (``vendor_id``),
    ``cancel``."""

    permissions = ("scm.po.create",)

    def post(self, request: HttpRequest, pk: int, action: str) -> HttpResponse:
        if action not in ("quote", "award", "cancel"):
            raise Http404
        p = self.principal
        rfq = selectors.get_rfq(p.tenant, pk)
        try:
            if action == "quote":
                prices = []
                for line in rfq.lines.all():
                    price = request.POST.get(f"price_{line.pk}", "").strip().replace(".", "").replace(",", "")
                    if price:
                        lead = request.POST.get(f"lead_{line.pk}", "").strip() or 0
                        prices.append({"line_id": line.pk, "unit_price": price, "lead_time_days": lead})
                rfqs.enter_quote(p, pk, vendor_id=request.POST.get("vendor_id"), prices=prices)
                messages.success(request, _("Quote saved."))
            elif action == "award":
                order = rfqs.award(p, pk, vendor_id=request.POST.get("vendor_id"))
                messages.success(request, _("Purchase order %(n)s created.") % {"n": order.number})
                return redirect("purchasing-order", pk=order.pk)
            else:
                rfqs.cancel_rfq(p, pk)
                messages.success(request, _("Request cancelled."))
        except ValidationError as exc:
            return RfqDetailView.get(self, request, pk, error=" ".join(exc.messages), status=400)  # type: ignore[arg-type]
        return redirect("purchasing-rfq", pk=pk)


class ReportView(PurchasingView):
    """A purchasing report (``reports.NAMES``) with the period and product filters; ``?format=xlsx|pdf``
    downloads the same table."""

    permissions = ("scm.report.view", "scm.po.track")

    def get(self, request: HttpRequest, name: str) -> HttpResponse:
        from urllib.parse import urlencode

        from novasaas.platform.reports import file_response
        from novasaas.purchasing import reports

        if name not in reports.NAMES:
            raise Http404
        self.principal.require(reports.permission(name))
        dates: list[dt.date | None] = []
        for key in ("from", "to"):
            try:
                dates.append(dt.date.fromisoformat(request.GET.get(key, "")[:10]))
            except ValueError:
                dates.append(None)
        product = request.GET.get("product", "")
        table = reports.build(self.principal.tenant, name, dates[0], dates[1], product if product.isdigit() else None)
        fmt = request.GET.get("format", "")
        if fmt in ("xlsx", "pdf"):
            return file_response(table, fmt, unavailable=lambda text: HttpResponse(text, status=503))
        start, end = reports.period(dates[0], dates[1])
        query = {"from": start.isoformat(), "to": end.isoformat(), **({"product": product} if product else {})}
        context = {
            "name": name,
            "tabs": [(k, v) for k, v in reports.NAMES.items() if self.principal.has(reports.permission(k))],
            "report": table,
            "rows": table.page_rows(),
            "totals": table.page_totals(),
            "date_from": start,
            "date_to": end,
            "product": product,
            "products": _product_choices(self.principal.tenant),
            "exports": [
                (f"?{urlencode({**query, 'format': f})}", label) for f, label in (("xlsx", "Excel"), ("pdf", "PDF"))
            ],
        }
        return render(request, "purchasing/report.html", context)


class GrniView(PurchasingView):
    permissions = ("scm.report.view",)

    def get(self, request: HttpRequest) -> HttpResponse:
        tenant = self.principal.tenant
        fmt = request.GET.get("format", "")
        if fmt in ("xlsx", "pdf"):
            from novasaas.platform.reports import file_response
            from novasaas.purchasing import reports

            return file_response(reports.grni(tenant), fmt, unavailable=lambda text: HttpResponse(text, status=503))
        rows = selectors.grni_by_vendor(tenant)
        ledger = None
        if tenant.has_module("ACC"):
            from novasaas.accounting import selectors as accounting
            from novasaas.accounting.actions import resolve_role

            account = resolve_role(tenant, "goods_received_not_invoiced")
            ledger = -accounting.balance_as_of(tenant, [account.pk], timezone.localdate())
        total = sum((r["open"] for r in rows), selectors.ZERO)
        return render(request, "purchasing/grni.html", {"rows": rows, "total": total, "ledger": ledger})


class SettingsView(PurchasingView):
    permissions = ("scm.po.approve",)

    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        row = selectors.get_settings(self.principal.tenant)
        initial = {
            "approval_limit": row.approval_limit,
            "receipt_tolerance_percent": row.receipt_tolerance_percent,
            "quantity_tolerance_percent": row.quantity_tolerance_percent,
            "price_tolerance_percent": row.price_tolerance_percent,
            "reorder_action": row.reorder_action,
        }
        return render(
            request, "purchasing/settings.html", {"form": form or forms.SettingsForm(initial=initial)}, status=status
        )

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.SettingsForm(request.POST)
        if form.is_valid():
            try:
                actions.update_settings(self.principal, **form.cleaned_data)
                messages.success(request, _("Purchasing settings saved."))
                return redirect("purchasing-settings")
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form=form, status=400)
