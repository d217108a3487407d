"""Inventory pages: thin views over actions and selectors, htmx live search and multi-line forms."""

from __future__ import annotations

import dataclasses
import datetime as dt
from decimal import Decimal, InvalidOperation
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.formats import number_format, sanitize_separators
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext
from django.views import View

from novasaas.identity.access import Principal, require_perm
from novasaas.inventory import actions, excel, forms, reports, selectors
from novasaas.inventory.models import (
    Category,
    DocumentStatus,
    InventoryCount,
    Location,
    MovementKind,
    Product,
    ProductKind,
    ProductVariant,
    StockAdjustment,
    StockMovement,
    StockTransfer,
    Unit,
    Warehouse,
)
from novasaas.platform.dates import parse_date
from novasaas.platform.modules import ModuleDisabled
from novasaas.platform.numbers import typed as typed_number
from novasaas.platform.reports import money, qty

PAGE_SIZE = 50
VALUATION_PAGE_SIZE = 200


def _require_inventory(request: HttpRequest) -> None:
    """A company without INV is told the module is off, not that a permission is missing."""
    tenant = getattr(request, "tenant", None)
    if tenant is not None and not tenant.has_module("INV"):
        raise ModuleDisabled("INV")


class InvView(LoginRequiredMixin, View):
    """Signed-in members of a tenant with INV holding ``permission``.

    The module is checked first: a company without INV is told so, not that a permission is missing.
    """

    permission = "inv.stock.view"
    principal: Principal

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        _require_inventory(request)
        self.principal = require_perm(request, self.permission)
        try:
            return super().dispatch(request, *args, **kwargs)
        except ObjectDoesNotExist as exc:
            raise Http404 from exc

    def can(self, perm: str) -> bool:
        return self.principal.has(perm)


def _attach(form: Any, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        for msg in exc.messages:
            form.add_error(None, msg)
        return
    for key, msgs in exc.message_dict.items():
        field = key.removesuffix("_id")
        for msg in msgs:
            form.add_error(field if field in form.fields else None, f"{key}: {msg}" if "[" in key else msg)


def _partial(request: HttpRequest) -> bool:
    return bool(request.headers.get("HX-Request") and not request.headers.get("HX-History-Restore-Request"))


def report_file(request: HttpRequest, report: reports.Report) -> HttpResponse:
    """The report as Excel (``format=xlsx``) or PDF (``format=pdf``; 503 in plain text when the machine
    has no Unicode font)."""
    return reports.file_response(
        report,
        request.GET.get("format", ""),
        unavailable=lambda text: HttpResponse(text, status=503, content_type="text/plain; charset=utf-8"),
    )


def wants_file(request: HttpRequest) -> bool:
    return request.GET.get("format") in ("xlsx", "pdf")


def export_buttons(base: str) -> list[tuple[str, str]]:
    """The "Export Excel" and "Export PDF" buttons of a report page (``base`` ends with ``?`` or ``&``)."""
    return [(base + "format=xlsx", _("Export Excel")), (base + "format=pdf", _("Export PDF"))]


def report_page(
    request: HttpRequest,
    report: reports.Report,
    *,
    title: str | None = None,
    query: str = "",
    link: Any = None,
    limit: int | None = None,
    **kwargs: Any,
) -> HttpResponse:
    """A report as a page (``inventory/list.html``): its table, totals and the export buttons (``query``:
    the report's own parameters, so the files show what the page shows)."""
    if title is None:
        title = report.title if report.subtitle in ("", report.title) else f"{report.title} · {report.subtitle}"
    kwargs.setdefault("num_cols", report.num_cols)
    return table_page(
        request,
        title=title,
        headers=report.headers,
        rows=report.page_rows(link, limit),
        totals=report.page_totals(),
        buttons=export_buttons(f"?{query}&" if query else "?"),
        **kwargs,
    )


def table_page(
    request: HttpRequest,
    *,
    title: str,
    headers: list[str],
    rows: list[dict[str, Any]],
    page: Any = None,
    buttons: list[tuple[str, str]] | None = None,
    search: str | None = None,
    q: str = "",
    extra: Any = None,
    totals: list[str] | None = None,
    filters: list[tuple[str, str, str, Any]] | None = None,
    num_cols: list[int] | None = None,
) -> HttpResponse:
    """``num_cols``: the indexes of the columns holding numbers (right-aligned, tabular digits)."""
    context = {
        "num_cols": num_cols or [],
        "filters": filters or [],
        "title": title,
        "headers": headers,
        "rows": rows,
        "totals": totals or [],
        "page": page,
        "buttons": buttons or [],
        "search": search,
        "q": q,
        "extra": extra,
    }
    response = render(
        request, "inventory/_table.html" if _partial(request) and search else "inventory/list.html", context
    )
    patch_vary_headers(response, ["HX-Request"])
    return response


# --- stock -----------------------------------------------------------------------------------------


class StockView(InvView):
    """Stock overview: per product × warehouse, on hand / reserved / available / value (and Excel)."""

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "")[:200]
        show_value = self.can("inv.report.view")
        if wants_file(request):
            return report_file(request, reports.stock_on_hand(self.principal.tenant, q=q, show_value=show_value))
        levels = reports.stock_on_hand_values(selectors.stock_levels(self.principal.tenant, q=q))
        page = Paginator(levels, PAGE_SIZE).get_page(request.GET.get("page"))
        report = reports.stock_on_hand(self.principal.tenant, q=q, show_value=show_value, page=page)
        return report_page(
            request,
            report,
            query=urlencode({"q": q}) if q else "",
            link=lambda r: reverse("inventory-stock-product", args=[r["product_id"]]),
            search=reverse("inventory-stock"),
            q=q,
            page=page,
        )


class StockProductView(InvView):
    """Where a product is: per warehouse and per location and lot."""

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = selectors.get_product(self.principal.tenant, pk)
        return render(
            request,
            "inventory/stock_product.html",
            {
                "product": product,
                "levels": selectors.stock_levels(self.principal.tenant, product_id=pk),
                "quants": selectors.stock_locations(self.principal.tenant, pk),
                "moves": selectors.movement_history(self.principal.tenant, product_id=pk)[:50],
            },
        )


# --- products --------------------------------------------------------------------------------------


class ProductListView(InvView):
    permission = "inv.product.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        q = request.GET.get("q", "")[:200]
        inactive = request.GET.get("inactive") == "1"
        qs = selectors.search_products(self.principal.tenant, q, include_inactive=inactive)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [
            {
                "url": reverse("inventory-product", args=[p.pk]),
                "muted": not p.is_active,
                "cells": [
                    p.sku,
                    p.name,
                    p.get_kind_display(),
                    p.category.path() if p.category else "",
                    str(p.stock_unit),
                    p.barcode,
                    money(p.sale_price),
                ],
            }
            for p in page
        ]
        num_cols = [6]
        buttons = []
        if self.can("inv.product.manage"):
            buttons = [
                (reverse("inventory-product-export"), _("Export Excel")),
                (reverse("inventory-product-import"), _("Import Excel")),
                (reverse("inventory-product-new"), _("New product")),
            ]
        return table_page(
            request,
            title=_("Products"),
            search=reverse("inventory-products"),
            q=q,
            page=page,
            buttons=buttons,
            headers=[_("SKU"), _("Name"), _("Kind"), _("Category"), _("Unit"), _("Barcode"), _("Sale price")],
            rows=rows,
            num_cols=num_cols,
        )


class ProductDetailView(InvView):
    permission = "inv.product.view"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = selectors.get_product(self.principal.tenant, pk)
        return render(
            request,
            "inventory/product.html",
            {
                "product": product,
                "reorder_form": forms.ReorderRuleForm(),
                "variant_form": forms.VariantForm(),
                "levels": selectors.stock_levels(self.principal.tenant, product_id=pk),
            },
        )


class ProductFormView(InvView):
    permission = "inv.product.manage"

    def _initial(self, product: Product | None) -> dict[str, Any]:
        if product is None:
            return {"kind": ProductKind.GOODS, "tax_category": "vat10", "tracking": "none"}
        data = {f: getattr(product, f) for f in actions.PRODUCT_FIELDS if f != "is_active"}
        data.update(
            category=product.category_id, stock_unit=product.stock_unit_id, purchase_unit=product.purchase_unit_id
        )
        return data

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        product = Product.objects.get(pk=pk) if pk else None
        form = forms.ProductForm(initial=self._initial(product))
        return render(request, "inventory/form.html", {"form": form, "title": _("Product"), "multipart": True})

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        product = Product.objects.get(pk=pk) if pk else None
        form = forms.ProductForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                saved = actions.save_product(self.principal, pk, **form.action_data())
                if form.cleaned_data.get("image"):
                    actions.set_product_image(self.principal, saved.pk, form.cleaned_data["image"])
                messages.success(request, _("Product %(sku)s saved.") % {"sku": saved.sku})
                return redirect("inventory-product", pk=saved.pk)
            except ValidationError as exc:
                _attach(form, exc)
        del product
        return render(
            request, "inventory/form.html", {"form": form, "title": _("Product"), "multipart": True}, status=400
        )


class ProductDeactivateView(InvView):
    permission = "inv.product.manage"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = Product.objects.get(pk=pk)
        actions.save_product(self.principal, product.pk, is_active=not product.is_active)
        messages.success(request, _("Product %(sku)s saved.") % {"sku": product.sku})
        return redirect("inventory-product", pk=pk)


class VariantCreateView(InvView):
    permission = "inv.product.manage"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        product = Product.objects.get(pk=pk)
        form = forms.VariantForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            attrs = {k: d[k] for k in ("size", "colour") if d.get(k)}
            try:
                actions.save_variant(self.principal, product.pk, sku=d["sku"], barcode=d["barcode"], attributes=attrs)
                messages.success(request, _("Variant added."))
                return redirect("inventory-product", pk=pk)
            except ValidationError as exc:
                _attach(form, exc)
        return render(
            request,
            "inventory/product.html",
            {
                "product": selectors.get_product(self.principal.tenant, pk),
                "reorder_form": forms.ReorderRuleForm(),
                "variant_form": form,
                "levels": selectors.stock_levels(self.principal.tenant, product_id=pk),
            },
            status=400,
        )


class ProductExportView(InvView):
    permission = "inv.product.manage"

    def get(self, request: HttpRequest) -> HttpResponse:
        response = HttpResponse(excel.export_catalogue(self.principal.tenant), content_type=excel.XLSX_TYPE)
        response["Content-Disposition"] = 'attachment; filename="products.xlsx"'
        return response


class ProductImportView(InvView):
    permission = "inv.product.manage"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "inventory/import.html", {"form": forms.ImportForm()})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.ImportForm(request.POST, request.FILES)
        if form.is_valid():
            try:
                created, updated = excel.import_catalogue(self.principal, form.cleaned_data["file"])
            except excel.CatalogueImportError as exc:
                return render(request, "inventory/import.html", {"form": form, "errors": exc.lines}, status=400)
            messages.success(request, _("%(c)d products created, %(u)d updated.") % {"c": created, "u": updated})
            return redirect("inventory-products")
        return render(request, "inventory/import.html", {"form": form}, status=400)


# --- categories and units --------------------------------------------------------------------------


class CategoryListView(InvView):
    permission = "inv.product.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "inventory/categories.html",
            {
                "categories": selectors.list_categories(self.principal.tenant, include_inactive=True),
                "units": selectors.list_units(self.principal.tenant, include_inactive=True),
            },
        )


class SimpleFormView(InvView):
    """Create/edit one catalogue or warehouse record through ``save`` with a plain form."""

    permission = "inv.product.manage"
    form_class: Any = None
    model: Any = None
    title: Any = ""  # a lazy translation: evaluated per request, in its language
    success = "inventory-categories"

    def initial(self, obj: Any) -> dict[str, Any]:
        return {}

    def save(self, pk: int | None, data: dict[str, Any]) -> Any:
        raise NotImplementedError

    def make_form(self, data: Any = None, obj: Any = None) -> Any:
        return self.form_class(data, initial=self.initial(obj) if obj else None)

    def render_form(self, request: HttpRequest, form: Any, status: int = 200) -> HttpResponse:
        return render(request, "inventory/form.html", {"form": form, "title": self.title}, status=status)

    def get(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.model.objects.get(pk=pk) if pk else None
        return self.render_form(request, self.make_form(obj=obj))

    def post(self, request: HttpRequest, pk: int | None = None) -> HttpResponse:
        obj = self.model.objects.get(pk=pk) if pk else None
        form = self.make_form(request.POST, obj)
        if form.is_valid():
            try:
                saved = self.save(pk, form.cleaned_data)
                messages.success(request, _("Saved."))
                return redirect(self.redirect_to(saved))
            except ValidationError as exc:
                _attach(form, exc)
        return self.render_form(request, form, status=400)

    def redirect_to(self, saved: Any) -> str:
        return reverse(self.success)


class CategoryFormView(SimpleFormView):
    form_class = forms.CategoryForm
    model = Category
    title = gettext_lazy("Category")

    def initial(self, obj: Any) -> dict[str, Any]:
        return {"name": obj.name, "parent": obj.parent_id, "valuation_method": obj.valuation_method}

    def save(self, pk: int | None, data: dict[str, Any]) -> Any:
        return actions.save_category(
            self.principal,
            pk,
            name=data["name"],
            valuation_method=data["valuation_method"],
            parent_id=data["parent"].pk if data["parent"] else None,
        )


class UnitFormView(SimpleFormView):
    form_class = forms.UnitForm
    model = Unit
    title = gettext_lazy("Unit")

    def initial(self, obj: Any) -> dict[str, Any]:
        return {"code": obj.code, "name": obj.name, "name_en": obj.name_en, "base": obj.base_id, "factor": obj.factor}

    def save(self, pk: int | None, data: dict[str, Any]) -> Any:
        return actions.save_unit(
            self.principal,
            pk,
            code=data["code"],
            name=data["name"],
            name_en=data["name_en"],
            factor=data["factor"],
            base_id=data["base"].pk if data["base"] else None,
        )


class ToggleActiveView(InvView):
    """Deactivate or reactivate a category, unit, warehouse or location."""

    permission = "inv.product.manage"
    model: Any = None
    save_name = ""
    success = "inventory-categories"

    def toggle(self, obj: Any) -> None:
        getattr(actions, self.save_name)(self.principal, obj.pk, is_active=not obj.is_active)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.model.objects.get(pk=pk)
        try:
            self.toggle(obj)
            messages.success(request, _("Saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect(self.success_url(obj))

    def success_url(self, obj: Any) -> str:
        return reverse(self.success)


class CategoryToggleView(ToggleActiveView):
    model = Category
    save_name = "save_category"


class UnitToggleView(ToggleActiveView):
    model = Unit
    save_name = "save_unit"


class VariantFormView(SimpleFormView):
    """Edit a variant's SKU, barcode and size/colour (the same checks as the API's PATCH /variants/{id})."""

    form_class = forms.VariantEditForm
    model = ProductVariant
    title = gettext_lazy("Variant")

    def initial(self, obj: Any) -> dict[str, Any]:
        attributes = obj.attributes or {}
        return {
            "sku": obj.sku,
            "barcode": obj.barcode,
            "size": attributes.get("size", ""),
            "colour": attributes.get("colour", ""),
        }

    def save(self, pk: int | None, data: dict[str, Any]) -> Any:
        variant = ProductVariant.objects.get(pk=self.kwargs["pk"])
        return actions.save_variant(
            self.principal, variant.product_id, variant.pk, **forms.VariantEditForm.action_data(variant, data)
        )

    def redirect_to(self, saved: Any) -> str:
        return reverse("inventory-product", args=[saved.product_id])


class VariantToggleView(ToggleActiveView):
    """Deactivate or reactivate a variant (variants are never deleted: the ledger refers to them)."""

    model = ProductVariant

    def toggle(self, obj: Any) -> None:
        actions.save_variant(self.principal, obj.product_id, obj.pk, is_active=not obj.is_active)

    def success_url(self, obj: Any) -> str:
        return reverse("inventory-product", args=[obj.product_id])


# --- warehouses ------------------------------------------------------------------------------------


class WarehouseListView(InvView):
    def get(self, request: HttpRequest) -> HttpResponse:
        return render(
            request,
            "inventory/warehouses.html",
            {
                "warehouses": selectors.list_warehouses(self.principal.tenant, include_inactive=True),
                "my_form": forms.MyWarehouseForm(
                    initial={"warehouse": getattr(actions.default_warehouse(self.principal), "pk", None)}
                ),
                "settings_form": forms.SettingsForm(
                    initial={
                        "approval_value_threshold": actions.inventory_settings().approval_value_threshold,
                        "approval_quantity_threshold": actions.inventory_settings().approval_quantity_threshold,
                    }
                )
                if self.can("inv.warehouse.manage")
                else None,
            },
        )


class WarehouseDetailView(InvView):
    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        wh = Warehouse.objects.get(pk=pk)
        return render(
            request,
            "inventory/warehouse.html",
            {
                "warehouse": wh,
                "locations": Location.objects.filter(warehouse=wh).order_by("code"),
                "form": form or forms.LocationForm(warehouse=wh),
            },
            status=status,
        )


class WarehouseFormView(SimpleFormView):
    permission = "inv.warehouse.manage"
    form_class = forms.WarehouseForm
    model = Warehouse
    title = gettext_lazy("Warehouse")

    def initial(self, obj: Any) -> dict[str, Any]:
        return {f: getattr(obj, f) for f in ("code", "name", "address", "allow_negative_stock", "is_default")}

    def save(self, pk: int | None, data: dict[str, Any]) -> Any:
        return actions.save_warehouse(self.principal, pk, **data)

    def redirect_to(self, saved: Any) -> str:
        return reverse("inventory-warehouse", args=[saved.pk])


class WarehouseToggleView(ToggleActiveView):
    permission = "inv.warehouse.manage"
    model = Warehouse
    save_name = "save_warehouse"
    success = "inventory-warehouses"


class LocationCreateView(WarehouseDetailView):
    permission = "inv.warehouse.manage"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        wh = Warehouse.objects.get(pk=pk)
        form = forms.LocationForm(request.POST, warehouse=wh)
        if form.is_valid():
            try:
                actions.save_location(self.principal, warehouse_id=wh.pk, **form.action_data(form.cleaned_data))
                messages.success(request, _("Location added."))
                return redirect("inventory-warehouse", pk=pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, pk, form=form, status=400)


class LocationFormView(SimpleFormView):
    """Rename a location or move it inside another one of its warehouse."""

    permission = "inv.warehouse.manage"
    form_class = forms.LocationForm
    model = Location
    title = gettext_lazy("Location")

    def make_form(self, data: Any = None, obj: Any = None) -> Any:
        location = self.model.objects.get(pk=self.kwargs["pk"], usage="internal", parent__isnull=False)
        return self.form_class(
            data,
            warehouse=location.warehouse,
            exclude=location,
            initial={
                "code": location.code,
                "name": location.name,
                "level": location.level,
                "parent": location.parent_id,
            },
        )

    def save(self, pk: int | None, data: dict[str, Any]) -> Any:
        return actions.save_location(self.principal, pk, **forms.LocationForm.action_data(data))

    def redirect_to(self, saved: Any) -> str:
        return reverse("inventory-warehouse", args=[saved.warehouse_id])


class LocationToggleView(ToggleActiveView):
    permission = "inv.warehouse.manage"
    model = Location
    save_name = "save_location"

    def success_url(self, obj: Any) -> str:
        return reverse("inventory-warehouse", args=[obj.warehouse_id])


class MyWarehouseView(InvView):
    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.MyWarehouseForm(request.POST)
        if form.is_valid():
            wh = form.cleaned_data["warehouse"]
            actions.set_my_warehouse(self.principal, wh.pk if wh else None)
            messages.success(request, _("Saved."))
        return redirect("inventory-warehouses")


class SettingsView(InvView):
    permission = "inv.warehouse.manage"

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.SettingsForm(request.POST)
        if form.is_valid():
            actions.save_settings(self.principal, **form.cleaned_data)
            messages.success(request, _("Saved."))
        else:
            messages.error(request, _("Enter valid thresholds."))
        return redirect("inventory-warehouses")


# --- documents -------------------------------------------------------------------------------------


STATUS_BADGE = {"done": "success", "pending": "warning", "cancelled": "secondary", "in_transit": "info"}


def _doc_rows(docs: Any, url_name: str, extra: Any) -> list[dict[str, Any]]:
    return [
        {
            "url": reverse(url_name, args=[d.pk]),
            "cells": [d.number, d.date.strftime("%d/%m/%Y"), *extra(d), d.get_status_display()],
        }
        for d in docs
    ]


class MovementListView(InvView):
    def get(self, request: HttpRequest) -> HttpResponse:
        kind = request.GET.get("kind", "")
        qs = StockMovement.objects.select_related("warehouse").order_by("-date", "-id")
        if kind in MovementKind.values:
            qs = qs.filter(kind=kind)
        status = request.GET.get("status", "")
        if status in DocumentStatus.values:
            qs = qs.filter(status=status)
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        buttons = []
        if self.can("inv.movement.approve"):
            buttons.append((reverse("inventory-movements") + "?status=pending", _("Waiting for approval")))
        if self.can("inv.receipt.create"):
            buttons.append((reverse("inventory-movement-new") + "?kind=receipt", _("New goods receipt")))
        if self.can("inv.issue.create"):
            buttons.append((reverse("inventory-movement-new") + "?kind=issue", _("New goods issue")))
        rows = _doc_rows(page, "inventory-movement", lambda d: [d.get_kind_display(), d.warehouse.code])
        return table_page(
            request,
            title=_("Receipts and issues"),
            page=page,
            buttons=buttons,
            rows=rows,
            headers=[_("Number"), _("Date"), _("Kind"), _("Warehouse"), _("Status")],
        )


class LinesFormView(InvView):
    """A document with a header form and a multi-line formset (rows added with htmx)."""

    kind = "movement"
    title: Any = ""  # a lazy translation: evaluated per request, in its language
    header_form: Any = None
    stock_hints = False  # lines taking stock out show what is on hand and warn when more is typed
    # where the stock hint finds its fields (app.js stockHints): the warehouse the stock leaves, the
    # line's quantity field, and "negative" when only a negative quantity leaves
    stock_warehouse, stock_quantity, stock_outgoing = "warehouse", "quantity", ""

    def header(self, data: Any = None) -> Any:
        raise NotImplementedError

    def create(self, header: dict[str, Any], rows: list[dict[str, Any]]) -> Any:
        raise NotImplementedError

    def render_page(self, request: HttpRequest, form: Any, formset: Any, status: int = 200) -> HttpResponse:
        return render(
            request,
            "inventory/lines_form.html",
            {
                "form": form,
                "formset": formset,
                "title": self.title,
                "add_url": reverse("inventory-line-row", args=[self.kind]),
                "stock_url": reverse("inventory-stock-hint") if self.stock_hints else "",
                "stock_warehouse": self.stock_warehouse,
                "stock_quantity": self.stock_quantity,
                "stock_outgoing": self.stock_outgoing,
            },
            status=status,
        )

    def get(self, request: HttpRequest) -> HttpResponse:
        return self.render_page(request, self.header(), forms.line_formset(self.kind))

    def post(self, request: HttpRequest) -> HttpResponse:
        form = self.header(request.POST)
        formset = forms.line_formset(self.kind, request.POST)
        if form.is_valid() and formset.is_valid():
            rows = forms.kept_rows(formset)
            try:
                doc = self.create(form.cleaned_data, rows)
                messages.success(request, _("%(n)s created.") % {"n": doc.number})
                return redirect(self.detail_url(doc))
            except ValidationError as exc:
                _attach(form, exc)
        return self.render_page(request, form, formset, status=400)

    def detail_url(self, doc: Any) -> str:
        raise NotImplementedError


class LineRowView(InvView):
    """One more empty line of a multi-line form (htmx): the row, the new form count and the next button."""

    def get(self, request: HttpRequest, kind: str) -> HttpResponse:
        if kind not in forms.LINE_FORMS:
            raise Http404
        if request.GET.get("remove"):
            return HttpResponse("")  # the row is removed in the page; the form count stays (gaps are skipped)
        try:
            index = max(0, min(int(request.GET.get("index", "0")), 499))
        except ValueError:
            index = 0
        form = forms.LINE_FORMS[kind](prefix=f"lines-{index}")
        return render(
            request,
            "inventory/_line_row.html",
            {
                "f": form,
                "index": index,
                "next": index + 1,
                "add_url": reverse("inventory-line-row", args=[kind]),
            },
        )


class StockHintView(InvView):
    """What is on hand for an issue line being typed (JSON for ``app.js``): the product in the chosen
    warehouse (and location), in the line's unit, and a warning when the quantity typed is more.

    Tenant-scoped through the managers; another company's ids are 404 like any unknown id."""

    permission = "inv.stock.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        g = request.GET
        top = 2**63 - 1
        product_id, warehouse_id = _int(request, "product", 0, 0, top), _int(request, "warehouse", 0, 0, top)
        if not product_id or not warehouse_id:
            return JsonResponse({"error": _("Choose a product and a warehouse.")}, status=400)
        product = Product.objects.select_related("stock_unit").get(pk=product_id)
        warehouse = Warehouse.objects.get(pk=warehouse_id)
        location_id = _int(request, "location", 0, 0, top)
        if location_id:
            location = Location.objects.get(pk=location_id, warehouse=warehouse)
            on_hand = sum(
                (
                    q.on_hand
                    for q in selectors.stock_locations(self.principal.tenant, product.pk, warehouse.pk)
                    if q.location_id == location.pk
                ),
                Decimal(0),
            )
        else:
            on_hand = selectors.available(self.principal.tenant, product.pk, warehouse.pk)
        unit = product.stock_unit
        unit_id = _int(request, "unit", 0, 0, top)
        if unit_id and unit_id != unit.pk:
            line_unit = Unit.objects.get(pk=unit_id)
            (root_a, fa), (root_b, fb) = unit.root(), line_unit.root()
            if root_a.pk == root_b.pk:  # another unit of the same base: show it in the line's unit
                on_hand, unit = (on_hand * fa / fb).quantize(Decimal("0.0001")), line_unit
        shown = f"{number_format(on_hand.normalize(), use_l10n=True, force_grouping=True)} {unit}"
        data: dict[str, Any] = {"on_hand": f"{on_hand.normalize():f}", "text": _("On hand: %(q)s") % {"q": shown}}
        raw = (g.get("quantity") or "").strip()[:30]
        wanted = None
        if raw:
            try:
                wanted = Decimal(str(sanitize_separators(raw)))
            except (InvalidOperation, ValueError):
                wanted = None
        data["over"] = bool(wanted is not None and wanted.is_finite() and wanted > on_hand)
        if data["over"] and wanted is not None:
            data["warning"] = _("More than on hand: %(w)s requested, %(q)s of %(p)s in %(h)s.") % {
                "w": number_format(wanted.normalize(), use_l10n=True, force_grouping=True),
                "q": shown,
                "p": product.name,
                "h": warehouse.name,
            }
        return JsonResponse(data)


class MovementCreateView(LinesFormView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.mkind = request.GET.get("kind", "receipt")
        if self.mkind not in MovementKind.values:
            self.mkind = "receipt"
        self.permission = "inv.receipt.create" if self.mkind == "receipt" else "inv.issue.create"
        self.title = _("New goods receipt") if self.mkind == "receipt" else _("New goods issue")
        self.stock_hints = self.mkind == "issue"
        return super().dispatch(request, *args, **kwargs)

    def header(self, data: Any = None) -> Any:
        wh = actions.default_warehouse(self.principal)
        return forms.MovementForm(
            data, kind=self.mkind, initial={"date": timezone.localdate(), "warehouse": wh.pk if wh else None}
        )

    def create(self, header: dict[str, Any], rows: list[dict[str, Any]]) -> Any:
        return actions.create_movement(
            self.principal,
            kind=self.mkind,
            warehouse_id=header["warehouse"].pk,
            lines=rows,
            date=header["date"],
            purpose=header.get("purpose") or "sale",
            is_customer_return=bool(header.get("is_customer_return")),
            source_document=header.get("source_document", ""),
            note=header.get("note", ""),
            partner_id=header.get("partner_id"),
        )

    def detail_url(self, doc: Any) -> str:
        return reverse("inventory-movement", args=[doc.pk])


class MovementEditView(LinesFormView):
    """Change a draft receipt or issue with the same form that created it (until it is picked,
    validated or posted; ``actions.update_movement`` refuses later changes)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        _require_inventory(request)
        require_perm(request, "inv.stock.view")  # a member of this company before looking the document up
        try:
            self.doc = StockMovement.objects.select_related("warehouse").get(pk=kwargs["pk"])
        except StockMovement.DoesNotExist as exc:
            raise Http404 from exc
        self.mkind = self.doc.kind
        self.permission = "inv.receipt.create" if self.mkind == "receipt" else "inv.issue.create"
        self.title = _("Edit %(n)s") % {"n": self.doc.number}
        self.stock_hints = self.mkind == "issue"
        return super().dispatch(request, *args, **kwargs)

    def header(self, data: Any = None) -> Any:
        d = self.doc
        initial = {
            "warehouse": d.warehouse_id,
            "date": d.date,
            "purpose": d.purpose,
            "is_customer_return": d.is_customer_return,
            "source_document": d.source_document,
            "note": d.note,
            "partner_id": d.partner_id,
        }
        return forms.MovementForm(data, kind=self.mkind, initial=initial)

    def _not_draft(self, request: HttpRequest) -> HttpResponse | None:
        if self.doc.status == DocumentStatus.DRAFT:
            return None
        status = self.doc.get_status_display()
        messages.error(request, _("Only a draft can be changed; this document is %(s)s.") % {"s": status})
        return redirect("inventory-movement", self.doc.pk)

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        refused = self._not_draft(request)
        if refused:
            return refused
        initial = [
            {
                "product": ln.product_id,
                "quantity": ln.quantity.normalize(),
                "unit": ln.unit_id,
                "unit_cost": ln.unit_cost.normalize() if self.mkind == "receipt" and ln.unit_cost else None,
                "location": ln.location_id,
                "lot_code": ln.lot_code,
                "serials": ", ".join(ln.serials or []),
            }
            for ln in self.doc.lines.all()
        ]
        return self.render_page(request, self.header(), forms.line_formset(self.kind, extra=1, initial=initial))

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:  # type: ignore[override]
        refused = self._not_draft(request)
        if refused:
            return refused
        form = self.header(request.POST)
        formset = forms.line_formset(self.kind, request.POST)
        if form.is_valid() and formset.is_valid():
            h = form.cleaned_data
            changes = {
                "warehouse_id": h["warehouse"].pk,
                "date": h["date"],
                "partner_id": h.get("partner_id"),
                "purpose": h.get("purpose") or None,
                "is_customer_return": h.get("is_customer_return") if self.mkind == "receipt" else None,
                "source_document": h.get("source_document", ""),
                "note": h.get("note", ""),
                "lines": forms.kept_rows(formset),
            }
            if self.mkind != "receipt":
                changes.pop("partner_id")
            try:
                actions.update_movement(self.principal, self.doc.pk, changes)
                messages.success(request, _("%(n)s saved.") % {"n": self.doc.number})
                return redirect("inventory-movement", self.doc.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.render_page(request, form, formset, status=400)


def _party(principal: Principal, party_id: int | None) -> Any:
    """The supplier or customer of a document, as the parties directory describes it."""
    if not party_id:
        return None
    from novasaas.parties import selectors as parties

    return parties.party_summary(principal.tenant, party_id)


class MovementDetailView(InvView):
    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        doc = StockMovement.objects.select_related("warehouse").get(pk=pk)
        lines = doc.lines.select_related("product", "unit", "location", "variant")
        steps = []
        open_statuses = (DocumentStatus.DRAFT, DocumentStatus.PICKED, DocumentStatus.PACKED)
        create_perm = "inv.receipt.create" if doc.kind == "receipt" else "inv.issue.create"
        if doc.kind == "issue" and doc.status == DocumentStatus.DRAFT and self.can(create_perm):
            steps.append(("pick", _("Pick (FEFO)")))
        if doc.kind == "issue" and doc.status == DocumentStatus.PICKED and self.can(create_perm):
            steps.append(("pack", _("Pack")))
        if doc.status in open_statuses and self.can(create_perm):
            steps.append(("validate", _("Validate")))
        if doc.status == DocumentStatus.PENDING and self.can("inv.movement.approve"):
            steps.append(("approve", _("Approve")))
        if doc.status in (*open_statuses, DocumentStatus.PENDING) and self.can(create_perm):
            steps.append(("cancel", _("Cancel")))
        putaway = None
        if doc.kind == "receipt" and doc.status == DocumentStatus.DONE and self.can("inv.receipt.create"):
            putaway = forms.PutAwayForm(warehouse=doc.warehouse)
        scan = None
        if doc.status == DocumentStatus.DRAFT and self.can(create_perm):
            scan = forms.ScanForm(warehouse=doc.warehouse)
        landed = None
        if doc.kind == "receipt" and doc.status == DocumentStatus.DONE and self.can("inv.adjustment.create"):
            landed = forms.LandedCostForm()
        return render(
            request,
            "inventory/movement.html",
            {
                "doc": doc,
                "partner": _party(self.principal, doc.partner_id),
                "can_edit": doc.status == DocumentStatus.DRAFT and self.can(create_perm),
                "lines": lines,
                "steps": steps,
                "putaway": putaway,
                "scan_form": scan,
                "landed": landed,
                "landed_costs": doc.landed_costs.all(),
                "step_url": "inventory-movement-step",
            },
        )


class MovementStepView(InvView):
    STEPS = {
        "pick": "pick_issue",
        "pack": "pack_issue",
        "validate": "validate_movement",
        "approve": "approve_movement",
        "cancel": "cancel_movement",
    }

    def post(self, request: HttpRequest, pk: int, step: str) -> HttpResponse:
        if step not in self.STEPS:
            raise Http404
        StockMovement.objects.get(pk=pk)
        try:
            doc = getattr(actions, self.STEPS[step])(self.principal, pk)
            messages.success(request, _("%(n)s: %(s)s.") % {"n": doc.number, "s": doc.get_status_display()})
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("inventory-movement", pk=pk)


class MovementScanView(InvView):
    """Scanner input on a draft receipt or issue (the page keeps the focus in the scan field)."""

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        doc = StockMovement.objects.select_related("warehouse").get(pk=pk)
        form = forms.ScanForm(request.POST, warehouse=doc.warehouse)
        if form.is_valid():
            d = form.cleaned_data
            try:
                line = actions.scan_movement(
                    self.principal,
                    pk,
                    code=d["code"],
                    quantity=d["quantity"] or 1,
                    location_id=d["location"].pk if d["location"] else None,
                )
                messages.success(
                    request, _("%(p)s: counted %(q)s.") % {"p": line.product.sku, "q": qty(line.stock_quantity)}
                )
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, _("Scan or type a barcode / SKU"))
        return redirect("inventory-movement", pk=pk)


class PutAwayView(InvView):
    permission = "inv.receipt.create"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        doc = StockMovement.objects.select_related("warehouse").get(pk=pk)
        form = forms.PutAwayForm(request.POST, warehouse=doc.warehouse)
        if form.is_valid():
            try:
                actions.put_away(self.principal, **form.action_data())
                messages.success(request, _("Put away."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, _("Check the put-away form."))
        return redirect("inventory-movement", pk=pk)


class PutAwayFormView(InvView):
    """Put-away on its own page: move stock between two locations of a warehouse (after a transfer, or to
    tidy up), not only from a receipt."""

    permission = "inv.receipt.create"

    def warehouse(self, raw: Any) -> Warehouse | None:
        """The warehouse whose locations the form lists: the one asked for (``?warehouse=``, or the form's
        hidden field), else the member's default warehouse, else the first open one."""
        raw = str(raw or "")
        chosen = Warehouse.objects.filter(pk=int(raw), is_active=True).first() if raw.isdigit() else None
        return (
            chosen
            or actions.default_warehouse(self.principal)
            or Warehouse.objects.filter(is_active=True).order_by("code").first()
        )

    def render_form(
        self, request: HttpRequest, form: Any, warehouse: Warehouse | None, status: int = 200
    ) -> HttpResponse:
        context = {
            "form": form,
            "warehouse": warehouse,
            "warehouses": Warehouse.objects.filter(is_active=True).order_by("code"),
            "product": request.GET.get("product", "") or request.POST.get("product", ""),
        }
        return render(request, "inventory/putaway.html", context, status=status)

    def get(self, request: HttpRequest) -> HttpResponse:
        product = request.GET.get("product", "")
        wh = self.warehouse(request.GET.get("warehouse"))
        form = forms.PutAwayForm(initial={"product": product} if product.isdigit() else None, warehouse=wh)
        return self.render_form(request, form, wh)

    def post(self, request: HttpRequest) -> HttpResponse:
        raw: Any = request.POST.get("warehouse")
        if not raw and str(request.POST.get("from_location", "")).isdigit():  # a post without the hidden field
            raw = (
                Location.objects.filter(pk=int(request.POST["from_location"]), usage="internal")
                .values_list("warehouse_id", flat=True)
                .first()
            )
        wh = self.warehouse(raw)
        form = forms.PutAwayForm(request.POST, warehouse=wh)
        if form.is_valid():
            try:
                actions.put_away(self.principal, **form.action_data())
                messages.success(request, _("Put away."))
                return redirect("inventory-stock-product", pk=form.cleaned_data["product"].pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.render_form(request, form, wh, status=400)


class LandedCostView(InvView):
    permission = "inv.adjustment.create"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        StockMovement.objects.get(pk=pk)
        form = forms.LandedCostForm(request.POST)
        if form.is_valid():
            try:
                lc = actions.add_landed_cost(self.principal, pk, **form.cleaned_data)
                messages.success(request, _("%(n)s added.") % {"n": lc.number})
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, _("Check the landed cost form."))
        return redirect("inventory-movement", pk=pk)


class AdjustmentListView(InvView):
    permission = "inv.adjustment.create"

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(StockAdjustment.objects.select_related("warehouse"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = _doc_rows(page, "inventory-adjustment", lambda d: [d.warehouse.code, d.reason])
        return table_page(
            request,
            title=_("Adjustments"),
            page=page,
            rows=rows,
            buttons=[(reverse("inventory-adjustment-new"), _("New adjustment"))],
            headers=[_("Number"), _("Date"), _("Warehouse"), _("Reason"), _("Status")],
        )


class AdjustmentCreateView(LinesFormView):
    permission = "inv.adjustment.create"
    kind = "adjustment"
    title = gettext_lazy("New adjustment")
    stock_hints, stock_quantity, stock_outgoing = True, "quantity_change", "negative"  # a loss leaves

    def header(self, data: Any = None) -> Any:
        wh = actions.default_warehouse(self.principal)
        return forms.AdjustmentForm(data, initial={"warehouse": wh.pk if wh else None})

    def create(self, header: dict[str, Any], rows: list[dict[str, Any]]) -> Any:
        return actions.create_adjustment(
            self.principal, warehouse_id=header["warehouse"].pk, reason=header["reason"], lines=rows
        )

    def detail_url(self, doc: Any) -> str:
        return reverse("inventory-adjustment", args=[doc.pk])


class AdjustmentDetailView(InvView):
    permission = "inv.adjustment.create"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        doc = StockAdjustment.objects.select_related("warehouse").get(pk=pk)
        steps = []
        if doc.status == DocumentStatus.PENDING and self.can("inv.movement.approve"):
            steps = [("approve", _("Approve")), ("reject", _("Reject"))]
        return render(
            request,
            "inventory/adjustment.html",
            {
                "doc": doc,
                "lines": doc.lines.select_related("product", "location"),
                "steps": steps,
            },
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        step = request.POST.get("step")
        if step not in ("approve", "reject"):
            raise Http404
        StockAdjustment.objects.get(pk=pk)
        try:
            getattr(actions, f"{step}_adjustment")(self.principal, pk)
            messages.success(request, _("Saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("inventory-adjustment", pk=pk)


class TransferListView(InvView):
    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(StockTransfer.objects.select_related("from_warehouse", "to_warehouse"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = _doc_rows(page, "inventory-transfer", lambda d: [d.from_warehouse.code, d.to_warehouse.code])
        buttons = [(reverse("inventory-transfer-new"), _("New transfer"))] if self.can("inv.transfer.create") else []
        return table_page(
            request,
            title=_("Transfers"),
            page=page,
            rows=rows,
            buttons=buttons,
            headers=[_("Number"), _("Date"), pgettext("stock move", "From"), pgettext("stock move", "To"), _("Status")],
        )


class TransferCreateView(LinesFormView):
    permission = "inv.transfer.create"
    kind = "transfer"
    title = gettext_lazy("New transfer")
    stock_hints, stock_warehouse = True, "from_warehouse"

    def header(self, data: Any = None) -> Any:
        return forms.TransferForm(data)

    def create(self, header: dict[str, Any], rows: list[dict[str, Any]]) -> Any:
        return actions.create_transfer(
            self.principal,
            from_warehouse_id=header["from_warehouse"].pk,
            to_warehouse_id=header["to_warehouse"].pk,
            lines=rows,
            note=header["note"],
        )

    def detail_url(self, doc: Any) -> str:
        return reverse("inventory-transfer", args=[doc.pk])


class TransferDetailView(InvView):
    STEPS = {
        "approve": ("approve_transfer", "inv.transfer.approve", DocumentStatus.PENDING),
        "ship": ("ship_transfer", "inv.transfer.execute", DocumentStatus.APPROVED),
        "receive": ("receive_transfer", "inv.transfer.execute", DocumentStatus.IN_TRANSIT),
        "cancel": ("cancel_transfer", "inv.transfer.approve", DocumentStatus.PENDING),
    }
    LABELS = {
        "approve": gettext_lazy("Approve"),
        "ship": gettext_lazy("Ship (to transit)"),
        "receive": gettext_lazy("Confirm receipt"),
        "cancel": gettext_lazy("Cancel"),
    }

    def get(self, request: HttpRequest, pk: int, form: Any = None, status: int = 200) -> HttpResponse:
        doc = StockTransfer.objects.select_related("from_warehouse", "to_warehouse").get(pk=pk)
        steps = [
            (k, self.LABELS[k])
            for k, (_n, perm, status) in self.STEPS.items()
            if self.can(perm)
            and k != "receive"  # receiving has its own form (location, scanned serials)
            and (doc.status == status or (k == "cancel" and doc.status == "approved"))
        ]
        receive = None
        if doc.status == DocumentStatus.IN_TRANSIT and self.can("inv.transfer.execute"):
            receive = form or forms.TransferReceiveForm(warehouse=doc.to_warehouse)
        return render(
            request,
            "inventory/transfer.html",
            {
                "doc": doc,
                "lines": doc.lines.select_related("product"),
                "steps": steps,
                "receive": receive,
                "moves": selectors.document_moves(self.principal.tenant, "inventory.transfer", doc.pk),
            },
            status=status,
        )

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        step = request.POST.get("step", "")
        if step not in self.STEPS:
            raise Http404
        doc = StockTransfer.objects.select_related("to_warehouse").get(pk=pk)
        if step == "receive":
            return self.receive(request, doc)
        try:
            getattr(actions, self.STEPS[step][0])(self.principal, pk)
            messages.success(request, _("Saved."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("inventory-transfer", pk=pk)

    def receive(self, request: HttpRequest, doc: StockTransfer) -> HttpResponse:
        form = forms.TransferReceiveForm(request.POST, warehouse=doc.to_warehouse)
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.receive_transfer(
                    self.principal, doc.pk, d["location"].pk if d["location"] else None, d["serials"]
                )
                messages.success(request, _("Saved."))
                return redirect("inventory-transfer", pk=doc.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, doc.pk, form=form, status=400)


# --- counts ----------------------------------------------------------------------------------------


class CountListView(InvView):
    permission = "inv.count.perform"

    def get(self, request: HttpRequest) -> HttpResponse:
        page = Paginator(InventoryCount.objects.select_related("warehouse", "zone"), PAGE_SIZE).get_page(
            request.GET.get("page")
        )
        rows = _doc_rows(page, "inventory-count", lambda d: [d.warehouse.code, d.zone.code if d.zone else ""])
        buttons = [(reverse("inventory-count-new"), _("New count"))] if self.can("inv.count.create") else []
        return table_page(
            request,
            title=_("Counts"),
            page=page,
            rows=rows,
            buttons=buttons,
            headers=[_("Number"), _("Date"), _("Warehouse"), _("Zone"), _("Status")],
        )


class CountCreateView(InvView):
    permission = "inv.count.create"

    def get(self, request: HttpRequest) -> HttpResponse:
        return render(request, "inventory/form.html", {"form": forms.CountForm(), "title": _("New count")})

    def post(self, request: HttpRequest) -> HttpResponse:
        form = forms.CountForm(request.POST)
        if form.is_valid():
            try:
                zone = form.cleaned_data["zone"]
                count = actions.create_count(
                    self.principal, warehouse_id=form.cleaned_data["warehouse"].pk, zone_id=zone.pk if zone else None
                )
                return redirect("inventory-count", pk=count.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return render(request, "inventory/form.html", {"form": form, "title": _("New count")}, status=400)


class CountDetailView(InvView):
    """Enter counted quantities (typed or scanned), see the variances, submit and approve."""

    permission = "inv.count.perform"

    def context(self, count: InventoryCount, scan_form: Any = None) -> dict[str, Any]:
        lines = selectors.count_lines(self.principal.tenant, count)
        return {
            "doc": count,
            "lines": lines,
            "scan_form": scan_form or forms.CountScanForm(warehouse=count.warehouse),
            "can_approve": self.can("inv.count.approve"),
            "editable": count.status == DocumentStatus.DRAFT,
            "variance_value": sum((ln.shown_value for ln in lines), Decimal(0)),
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        count = InventoryCount.objects.select_related("warehouse", "zone").get(pk=pk)
        if wants_file(request):  # the variance report
            return report_file(request, reports.count_variance(self.principal.tenant, count))
        context = self.context(count)
        return render(request, "inventory/count.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        count = InventoryCount.objects.select_related("warehouse", "zone").get(pk=pk)
        step = request.POST.get("step", "save")
        try:
            if step == "scan":
                form = forms.CountScanForm(request.POST, warehouse=count.warehouse)
                if not form.is_valid():
                    return render(request, "inventory/count.html", self.context(count, form), status=400)
                d = form.cleaned_data
                line = actions.scan_count(
                    self.principal,
                    pk,
                    code=d["code"],
                    quantity=d["quantity"] or 1,
                    location_id=d["location"].pk if d["location"] else None,
                    serial=d["serial"],
                )
                messages.success(request, _("%(p)s: counted %(q)s.") % {"p": line.product.sku, "q": qty(line.counted)})
            elif step == "save":
                entries = []
                posted = {key: str(request.POST.get(key, "")).strip() for key in request.POST}
                for key, value in posted.items():
                    if key.startswith("serials-") and value != "":  # serial-tracked lines: the units counted
                        entries.append({"line_id": key.removeprefix("serials-"), "serials": value})
                    elif key.startswith("counted-") and value != "" and not posted.get(f"serials-{key[8:]}"):
                        entries.append({"line_id": key.removeprefix("counted-"), "counted": typed_number(value, 4)})
                if entries:
                    actions.record_counts(self.principal, pk, entries)
                messages.success(request, _("Saved."))
            elif step == "submit":
                actions.submit_count(self.principal, pk)
                messages.success(request, _("Submitted for approval."))
            elif step == "approve":
                actions.approve_count(self.principal, pk)
                messages.success(request, _("Approved: variances posted."))
            elif step == "cancel":
                actions.cancel_count(self.principal, pk)
            else:
                raise Http404
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        return redirect("inventory-count", pk=pk)


# --- reports ---------------------------------------------------------------------------------------


def _date(request: HttpRequest, key: str, default: dt.date) -> dt.date:
    """A date from the query string (dd/mm/yyyy or ISO); a bad one is a 404 like an unknown id."""
    try:
        return parse_date(request.GET.get(key)) or default
    except (ValueError, OverflowError) as exc:
        raise Http404 from exc


def _int(request: HttpRequest, key: str, default: int, low: int, high: int) -> int:
    try:
        return max(low, min(int(request.GET.get(key, default)), high))
    except ValueError:
        return default


class ReportsView(InvView):
    """Valuation as of a date (with goods in transit and, with ACC, the stock accounts' balance) and the
    entry to every other report."""

    permission = "inv.report.view"

    def ledger_balance(self, as_of: dt.date, warehouse: Any) -> Decimal | None:
        """ACC → INV reconciliation (whole company only: accounts are not per warehouse)."""
        return None if warehouse is not None else _acc_balance(self.principal.tenant, as_of)

    def get(self, request: HttpRequest) -> HttpResponse:
        form = forms.ReportForm(request.GET or None)
        as_of, wh = timezone.localdate(), None
        if form.is_valid():
            as_of = form.cleaned_data["as_of"] or as_of
            wh = form.cleaned_data["warehouse"]
        report = reports.valuation(self.principal.tenant, as_of, wh)
        if wants_file(request):
            return report_file(request, report)
        # the page formats one page of rows (50,000 formatted rows take seconds); the files hold them all
        page = Paginator(report.rows, VALUATION_PAGE_SIZE).get_page(request.GET.get("page"))
        params = request.GET.copy()
        params.pop("page", None)
        return render(
            request,
            "inventory/reports.html",
            {
                "form": form,
                "report": report,
                "rows": dataclasses.replace(report, rows=list(page.object_list)).page_rows(),
                "page": page,
                "as_of": as_of,
                "total": report.totals["value"],
                "transit": report.summary["in_transit_value"],
                "ledger_balance": self.ledger_balance(as_of, wh),
                "low": selectors.low_stock(self.principal.tenant)[:100],
                "expiring": selectors.expiring_lots(self.principal.tenant, as_of + dt.timedelta(days=30), after=as_of),
                "expired": selectors.expired_lots(self.principal.tenant, as_of),
                "query": params.urlencode(),
            },
        )


def _acc_balance(tenant: Any, as_of: dt.date) -> Decimal | None:
    """The stock accounts' balance from Accounting's selectors (None without the module)."""
    if not tenant.has_module("ACC"):
        return None
    from novasaas.accounting.selectors import inventory_account_balance

    return inventory_account_balance(tenant, as_of)


class ReportView(InvView):
    """A report page with its Excel and PDF exports (``?format=xlsx|pdf``): ``build`` reads the query
    string and returns the report and the page's options (``query`` for the export buttons, ``link``,
    ``filters``, ``title``, ``limit``)."""

    permission = "inv.report.view"

    def build(self, request: HttpRequest) -> tuple[reports.Report, dict[str, Any]]:
        raise NotImplementedError

    def get(self, request: HttpRequest) -> HttpResponse:
        report, options = self.build(request)
        if wants_file(request):
            return report_file(request, report)
        return report_page(request, report, **options)


def _warehouse_param(request: HttpRequest) -> int | None:
    """The ``warehouse`` of the query string, checked to exist in the tenant (404 otherwise)."""
    warehouse_id = _int(request, "warehouse", 0, 0, 2**63 - 1)
    return Warehouse.objects.get(pk=warehouse_id).pk if warehouse_id else None


def _period_filters(date_from: dt.date, date_to: dt.date) -> list[tuple[str, str, str, Any]]:
    return [("from", _("From"), "date", date_from), ("to", _("To"), "date", date_to)]


class MovementReportView(ReportView):
    """Movement history (the ledger's latest moves, of one product or all)."""

    def build(self, request: HttpRequest) -> tuple[reports.Report, dict[str, Any]]:
        product_id = _int(request, "product", 0, 0, 2**63 - 1)
        report = reports.movement_history(self.principal.tenant, product_id=product_id or None)
        return report, {"query": f"product={product_id}", "limit": 500}


class MovementSummaryView(ReportView):
    """In, out and balance by period per product × warehouse ("nhập – xuất – tồn")."""

    def build(self, request: HttpRequest) -> tuple[reports.Report, dict[str, Any]]:
        today = timezone.localdate()
        date_from, date_to = _date(request, "from", today.replace(day=1)), _date(request, "to", today)
        warehouse_id = _warehouse_param(request)
        report = reports.movement_summary(self.principal.tenant, date_from, date_to, warehouse_id)
        card = reverse("inventory-stock-card")
        return report, {
            "query": f"from={date_from}&to={date_to}&warehouse={warehouse_id or ''}",
            "filters": _period_filters(date_from, date_to),
            "link": lambda r: (
                f"{card}?product={r['product_id']}&warehouse={r['warehouse_id']}&from={date_from}&to={date_to}"
            ),
        }


class AbcReportView(ReportView):
    """ABC analysis by consumption value (configurable cut-offs)."""

    def build(self, request: HttpRequest) -> tuple[reports.Report, dict[str, Any]]:
        today = timezone.localdate()
        date_from = _date(request, "from", today - dt.timedelta(days=365))
        date_to = _date(request, "to", today)
        a_cut = _int(request, "a", 80, 1, 98)
        b_cut = _int(request, "b", 15, 1, 99 - a_cut)
        report = reports.abc(self.principal.tenant, date_from, date_to, a_cut, b_cut)
        return report, {
            "query": f"from={date_from}&to={date_to}&a={a_cut}&b={b_cut}",
            "filters": [
                *_period_filters(date_from, date_to),
                ("a", "A %", "number", a_cut),
                ("b", "B %", "number", b_cut),
            ],
        }


class SlowMovingReportView(ReportView):
    def build(self, request: HttpRequest) -> tuple[reports.Report, dict[str, Any]]:
        days = _int(request, "days", 90, 1, 3650)
        report = reports.slow_moving(self.principal.tenant, days, timezone.localdate())
        return report, {"query": f"days={days}", "filters": [("days", _("Days"), "number", days)]}


class ExpiringReportView(ReportView):
    """Lots expiring within N days (default 30) with their quantity on hand."""

    def build(self, request: HttpRequest) -> tuple[reports.Report, dict[str, Any]]:
        days = _int(request, "days", 30, 0, 3650)
        report = reports.expiring(self.principal.tenant, days, timezone.localdate())
        return report, {
            "query": f"days={days}",
            "filters": [("days", _("Days"), "number", days)],
            "link": lambda r: reverse("inventory-lot", args=[r["lot_id"]]),
        }


class ExpiredReportView(ReportView):
    """Lots still in stock whose expiry date has passed (kept apart from the lots about to expire)."""

    def build(self, request: HttpRequest) -> tuple[reports.Report, dict[str, Any]]:
        report = reports.expired(self.principal.tenant, timezone.localdate())
        return report, {"query": "", "link": lambda r: reverse("inventory-lot", args=[r["lot_id"]])}


class BelowReorderReportView(ReportView):
    """Products below their reorder level, once per product × warehouse (quantities only: Warehouse Staff
    see it too)."""

    permission = "inv.stock.view"

    def build(self, request: HttpRequest) -> tuple[reports.Report, dict[str, Any]]:
        warehouse_id = _warehouse_param(request)
        report = reports.below_reorder(self.principal.tenant, warehouse_id)
        return report, {
            "query": f"warehouse={warehouse_id}" if warehouse_id else "",
            "link": lambda r: reverse("inventory-stock-product", args=[r["product_id"]]),
        }


class TraceView(InvView):
    """Traceability: where a lot or serial number came from and where it went."""

    kind = "lot"

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj: Any
        if self.kind == "lot":
            obj, moves = selectors.trace_lot(self.principal.tenant, pk)
            title = _("Lot %(c)s") % {"c": obj.code}
        else:
            obj, moves = selectors.trace_serial(self.principal.tenant, pk)
            title = _("Serial number %(c)s") % {"c": obj.code}
        rows = [
            {
                "cells": [
                    m.date.strftime("%d/%m/%Y"),
                    m.reference,
                    m.from_location.code,
                    m.to_location.code,
                    qty(m.quantity),
                    money(m.value) if self.can("inv.report.view") else "",
                ]
            }
            for m in moves
        ]
        return table_page(
            request,
            title=f"{title} · {obj.product.sku} {obj.product.name}",
            rows=rows,
            headers=[
                _("Date"),
                _("Reference"),
                pgettext("stock move", "From"),
                pgettext("stock move", "To"),
                _("Quantity"),
                _("Value"),
            ],
            num_cols=[4, 5],
        )


class ReorderRuleView(InvView):
    permission = "inv.reorder.configure"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        Product.objects.get(pk=pk)
        form = forms.ReorderRuleForm(request.POST)
        if form.is_valid():
            d = form.cleaned_data
            try:
                actions.set_reorder_rule(
                    self.principal,
                    product_id=pk,
                    warehouse_id=d["warehouse"].pk,
                    reorder_level=d["reorder_level"],
                    reorder_quantity=d["reorder_quantity"],
                )
                messages.success(request, _("Saved."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, _("Enter valid thresholds."))
        return redirect("inventory-product", pk=pk)


class StockCardView(ReportView):
    """The stock card ("thẻ kho") of a product in a warehouse over a period."""

    def get(self, request: HttpRequest) -> HttpResponse:
        if not (request.GET.get("product") and request.GET.get("warehouse")):
            # opened without a product (e.g. typed in the address bar): the stock page leads to each card
            messages.info(request, _("Choose a product: its stock card opens from the warehouse rows of its page."))
            return redirect("inventory-stock")
        return super().get(request)

    def build(self, request: HttpRequest) -> tuple[reports.Report, dict[str, Any]]:
        today = timezone.localdate()
        product = Product.objects.get(pk=_int(request, "product", 0, 0, 2**63 - 1))
        warehouse = Warehouse.objects.get(pk=_int(request, "warehouse", 0, 0, 2**63 - 1))
        date_from, date_to = _date(request, "from", today.replace(day=1)), _date(request, "to", today)
        report = reports.stock_card(self.principal.tenant, product, warehouse, date_from, date_to)
        return report, {
            "title": f"{report.title}: {product.sku} · {warehouse.code} · {date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}",
            "query": f"product={product.pk}&warehouse={warehouse.pk}&from={date_from}&to={date_to}",
        }
