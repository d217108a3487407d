"""Inventory pages: thin views over actions and selectors, htmx live search and multi-line forms."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import ObjectDoesNotExist, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views import View

from novasaas.identity.access import Principal, require_perm
from novasaas.inventory import actions, excel, forms, selectors
from novasaas.inventory.models import (
    Category,
    DocumentStatus,
    InventoryCount,
    Location,
    MovementKind,
    Product,
    ProductKind,
    Stock,
    StockAdjustment,
    StockMovement,
    StockTransfer,
    Unit,
    Warehouse,
)
from novasaas.platform.money import format_money
from novasaas.platform.pdf import PdfUnavailable, render_table

PAGE_SIZE = 50


def money(value: Any) -> str:
    return format_money(value, "VND", translation.get_language() or "vi") if value is not None else ""


def qty(value: Any) -> str:
    if value is None:
        return ""
    text = f"{Decimal(value).normalize():f}"
    return text


class InvView(LoginRequiredMixin, View):
    """Signed-in members holding ``permission`` (an INV permission: the module gate is implied)."""

    permission = "inv.stock.view"
    principal: Principal

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        if not request.user.is_authenticated:
            return self.handle_no_permission()
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


def report_file(
    request: HttpRequest, title: str, headers: list[Any], rows: Any, name: str, subtitle: str = ""
) -> HttpResponse:
    """A report table as Excel (``format=xlsx``) or PDF (``format=pdf``; 503 when the machine has no
    Unicode font). Labels are already translated in the request's language."""
    rows = [list(r) for r in rows]
    if request.GET.get("format") == "pdf":
        try:
            content = render_table(str(title), [str(h) for h in headers], rows, subtitle=subtitle)
        except PdfUnavailable as exc:
            return HttpResponse(
                _("PDF export is unavailable: %(e)s") % {"e": exc}, status=503, content_type="text/plain; charset=utf-8"
            )
        response = HttpResponse(content, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    response = HttpResponse(excel.workbook(str(title)[:31], headers, rows), content_type=excel.XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


def export_buttons(base: str) -> list[tuple[str, str]]:
    """The "Export Excel" and "Export PDF" buttons of a report page (``base`` ends with ``?`` or ``&``)."""
    return [(base + "format=xlsx", _("Export Excel")), (base + "format=pdf", _("Export PDF"))]


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
) -> HttpResponse:
    context = {
        "title": title,
        "headers": headers,
        "rows": rows,
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
        levels = selectors.stock_levels(self.principal.tenant, q=q)
        if request.GET.get("format") in ("xlsx", "pdf"):
            show_value = self.can("inv.report.view")
            return report_file(
                request,
                _("Stock"),
                [
                    _("SKU"),
                    _("Product"),
                    _("Warehouse"),
                    _("On hand"),
                    _("Reserved"),
                    _("Available"),
                    _("Unit"),
                    _("Value"),
                ],
                (
                    [sku, name, wh, on_hand, reserved, on_hand - reserved, unit, value if show_value else ""]
                    for sku, name, wh, on_hand, reserved, unit, value in selectors.stock_on_hand_rows(
                        self.principal.tenant
                    )
                ),
                "stock",
            )
        page = Paginator(levels, PAGE_SIZE).get_page(request.GET.get("page"))
        rows = [
            {
                "url": reverse("inventory-stock-product", args=[s.product_id]),
                "cells": [
                    s.product.sku,
                    s.product.name + (f" ({s.variant})" if s.variant else ""),
                    s.warehouse.code,
                    qty(s.on_hand),
                    qty(s.reserved),
                    qty(s.available),
                    s.product.stock_unit.name,
                    money(s.value) if self.can("inv.report.view") else "",
                ],
                "warn": s.reorder_alerted,
            }
            for s in page
        ]
        return table_page(
            request,
            title=_("Stock"),
            search=reverse("inventory-stock"),
            q=q,
            page=page,
            buttons=export_buttons(reverse("inventory-stock") + "?"),
            headers=[
                _("SKU"),
                _("Product"),
                _("Warehouse"),
                _("On hand"),
                _("Reserved"),
                _("Available"),
                _("Unit"),
                _("Value"),
            ],
            rows=rows,
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
                    p.stock_unit.name,
                    p.barcode,
                    money(p.sale_price),
                ],
            }
            for p in page
        ]
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
    title = ""
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
    title = _("Category")

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
    title = _("Unit")

    def initial(self, obj: Any) -> dict[str, Any]:
        return {"code": obj.code, "name": obj.name, "base": obj.base_id, "factor": obj.factor}

    def save(self, pk: int | None, data: dict[str, Any]) -> Any:
        return actions.save_unit(
            self.principal,
            pk,
            code=data["code"],
            name=data["name"],
            factor=data["factor"],
            base_id=data["base"].pk if data["base"] else None,
        )


class ToggleActiveView(InvView):
    """Deactivate or reactivate a category, unit, warehouse or location."""

    permission = "inv.product.manage"
    model: Any = None
    save_name = ""
    success = "inventory-categories"

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        obj = self.model.objects.get(pk=pk)
        try:
            getattr(actions, self.save_name)(self.principal, pk, is_active=not obj.is_active)
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
    title = _("Warehouse")

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
            d = form.cleaned_data
            try:
                actions.save_location(
                    self.principal,
                    warehouse_id=wh.pk,
                    code=d["code"],
                    name=d["name"],
                    level=d["level"],
                    parent_id=d["parent"].pk if d["parent"] else None,
                )
                messages.success(request, _("Location added."))
                return redirect("inventory-warehouse", pk=pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, pk, form=form, status=400)


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
        page = Paginator(qs, PAGE_SIZE).get_page(request.GET.get("page"))
        buttons = []
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
    title = ""
    header_form: Any = None

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


class MovementCreateView(LinesFormView):
    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
        self.mkind = request.GET.get("kind", "receipt")
        if self.mkind not in MovementKind.values:
            self.mkind = "receipt"
        self.permission = "inv.receipt.create" if self.mkind == "receipt" else "inv.issue.create"
        self.title = _("New goods receipt") if self.mkind == "receipt" else _("New goods issue")
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
        )

    def detail_url(self, doc: Any) -> str:
        return reverse("inventory-movement", args=[doc.pk])


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
            d = form.cleaned_data
            try:
                actions.put_away(
                    self.principal,
                    product_id=d["product"].pk,
                    from_location_id=d["from_location"].pk,
                    to_location_id=d["to_location"].pk,
                    quantity=d["quantity"],
                    lot_code=d["lot_code"],
                    serials=d["serials"],
                )
                messages.success(request, _("Put away."))
            except ValidationError as exc:
                messages.error(request, " ".join(exc.messages))
        else:
            messages.error(request, _("Check the put-away form."))
        return redirect("inventory-movement", pk=pk)


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
    title = _("New adjustment")

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
    title = _("New transfer")

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
        "approve": _("Approve"),
        "ship": _("Ship (to transit)"),
        "receive": _("Confirm receipt"),
        "cancel": _("Cancel"),
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
        lines = list(count.lines.select_related("product", "location", "lot", "variant"))
        done = count.status == DocumentStatus.DONE
        avg = {
            (st.product_id, st.variant_key): st.average_cost
            for st in Stock.objects.filter(warehouse=count.warehouse, product_id__in={ln.product_id for ln in lines})
        }
        for ln in lines:
            # before approval the variance is valued at today's average cost (an estimate)
            variance = ln.variance
            ln.shown_value = (  # type: ignore[attr-defined]
                ln.value
                if done or variance is None
                else (  # type: ignore[attr-defined]
                    variance * avg.get((ln.product_id, ln.variant_id or 0), ln.product.cost_price)
                ).quantize(Decimal(1))
            )
        return {
            "doc": count,
            "lines": lines,
            "scan_form": scan_form or forms.ScanForm(warehouse=count.warehouse),
            "can_approve": self.can("inv.count.approve"),
            "editable": count.status == DocumentStatus.DRAFT,
            "variance_value": sum((ln.shown_value for ln in lines), Decimal(0)),  # type: ignore[attr-defined]
        }

    def get(self, request: HttpRequest, pk: int) -> HttpResponse:
        count = InventoryCount.objects.select_related("warehouse", "zone").get(pk=pk)
        context = self.context(count)
        if request.GET.get("format") in ("xlsx", "pdf"):  # the variance report
            return report_file(
                request,
                _("Variance"),
                [
                    _("Location"),
                    _("SKU"),
                    _("Product"),
                    _("Lot"),
                    _("Expected"),
                    _("Counted"),
                    _("Variance"),
                    _("Variance value"),
                ],
                (
                    [
                        ln.location.code,
                        ln.product.sku,
                        ln.product.name,
                        ln.lot.code if ln.lot else "",
                        ln.expected,
                        ln.counted if ln.counted is not None else "",
                        ln.variance if ln.variance is not None else "",
                        ln.shown_value,
                    ]
                    for ln in context["lines"]
                ),
                f"{count.number}",
            )
        return render(request, "inventory/count.html", context)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        count = InventoryCount.objects.select_related("warehouse", "zone").get(pk=pk)
        step = request.POST.get("step", "save")
        try:
            if step == "scan":
                form = forms.ScanForm(request.POST, warehouse=count.warehouse)
                if not form.is_valid():
                    return render(request, "inventory/count.html", self.context(count, form), status=400)
                d = form.cleaned_data
                line = actions.scan_count(
                    self.principal,
                    pk,
                    code=d["code"],
                    quantity=d["quantity"] or 1,
                    location_id=d["location"].pk if d["location"] else None,
                )
                messages.success(request, _("%(p)s: counted %(q)s.") % {"p": line.product.sku, "q": qty(line.counted)})
            elif step == "save":
                entries = []
                for key in request.POST:
                    value = str(request.POST.get(key, "")).strip()
                    if key.startswith("counted-") and value != "":
                        entries.append({"line_id": key.removeprefix("counted-"), "counted": value})
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


class ReportsView(InvView):
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
        rows = selectors.valuation(self.principal.tenant, as_of, wh.pk if wh else None)
        if request.GET.get("format") in ("xlsx", "pdf"):
            return report_file(
                request,
                _("Valuation"),
                [_("Warehouse"), _("SKU"), _("Product"), _("Quantity"), _("Value")],
                ([r.warehouse.code, r.product.sku, r.product.name, r.quantity, r.value] for r in rows),
                f"valuation-{as_of.isoformat()}",
                subtitle=f"{as_of:%d/%m/%Y}" + (f" · {wh.code}" if wh else ""),
            )
        return render(
            request,
            "inventory/reports.html",
            {
                "form": form,
                "rows": rows,
                "as_of": as_of,
                "total": sum((r.value for r in rows), Decimal(0)),
                "transit": selectors.in_transit_value(self.principal.tenant),
                "ledger_balance": self.ledger_balance(as_of, wh),
                "low": selectors.low_stock(self.principal.tenant)[:100],
                "expiring": selectors.expiring_lots(self.principal.tenant, as_of + dt.timedelta(days=30)),
                "query": request.GET.urlencode(),
            },
        )


def _acc_balance(tenant: Any, as_of: dt.date) -> Decimal | None:
    """The stock accounts' balance from Accounting's selectors (None without the module)."""
    if not tenant.has_module("ACC"):
        return None
    from novasaas.accounting.selectors import inventory_account_balance

    return inventory_account_balance(tenant, as_of)


class MovementReportView(InvView):
    """Movement history (stock card, "thẻ kho") of a product, in page and Excel."""

    permission = "inv.report.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            product_id = int(request.GET.get("product", "0"))
        except ValueError:
            product_id = 0
        moves = selectors.movement_history(self.principal.tenant, product_id=product_id or None)[:2000]
        if request.GET.get("format") in ("xlsx", "pdf"):
            return report_file(
                request,
                _("Movements"),
                [
                    _("Date"),
                    _("Reference"),
                    _("SKU"),
                    pgettext("stock move", "From"),
                    pgettext("stock move", "To"),
                    _("Quantity"),
                    _("Value"),
                ],
                (
                    [
                        m.date.isoformat(),
                        m.reference,
                        m.product.sku,
                        m.from_location.code,
                        m.to_location.code,
                        m.quantity,
                        m.value,
                    ]
                    for m in moves
                ),
                "movements",
            )
        rows = [
            {
                "cells": [
                    m.date.strftime("%d/%m/%Y"),
                    m.reference,
                    m.product.sku,
                    m.from_location.code,
                    m.to_location.code,
                    qty(m.quantity),
                    money(m.value),
                ]
            }
            for m in moves[:500]
        ]
        return table_page(
            request,
            title=_("Movement history"),
            rows=rows,
            buttons=export_buttons(f"{request.path}?product={product_id}&"),
            headers=[
                _("Date"),
                _("Reference"),
                _("SKU"),
                pgettext("stock move", "From"),
                pgettext("stock move", "To"),
                _("Quantity"),
                _("Value"),
            ],
        )


class AbcReportView(InvView):
    """ABC analysis by consumption value (configurable cut-offs), in page and Excel."""

    permission = "inv.report.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        try:
            date_from = (
                dt.date.fromisoformat(request.GET.get("from", ""))
                if request.GET.get("from")
                else (today - dt.timedelta(days=365))
            )
            date_to = dt.date.fromisoformat(request.GET.get("to", "")) if request.GET.get("to") else today
            a_cut = max(1, min(int(request.GET.get("a", "80")), 98))
            b_cut = max(1, min(int(request.GET.get("b", "15")), 99 - a_cut))
        except ValueError:
            date_from, date_to, a_cut, b_cut = today - dt.timedelta(days=365), today, 80, 15
        rows = selectors.abc_analysis(self.principal.tenant, date_from, date_to, a_cut=a_cut, b_cut=b_cut)
        headers = [
            _("Class"),
            _("SKU"),
            _("Product"),
            _("Quantity"),
            _("Consumption value"),
            _("Share %"),
            _("Cumulative %"),
        ]
        if request.GET.get("format") in ("xlsx", "pdf"):
            return report_file(
                request,
                "ABC",
                headers,
                ([r.klass, r.product.sku, r.product.name, r.quantity, r.value, r.share, r.cumulative] for r in rows),
                "abc",
                subtitle=f"{date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}",
            )
        table = [
            {
                "cells": [
                    r.klass,
                    r.product.sku,
                    r.product.name,
                    qty(r.quantity),
                    money(r.value),
                    str(r.share),
                    str(r.cumulative),
                ]
            }
            for r in rows
        ]
        query = f"from={date_from.isoformat()}&to={date_to.isoformat()}&a={a_cut}&b={b_cut}"
        return table_page(
            request,
            title=_("ABC analysis") + f" {date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}",
            headers=headers,
            rows=table,
            buttons=export_buttons(f"?{query}&"),
        )


class SlowMovingReportView(InvView):
    permission = "inv.report.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            days = max(1, min(int(request.GET.get("days", "90")), 3650))
        except ValueError:
            days = 90
        rows = selectors.slow_moving(self.principal.tenant, timezone.localdate() - dt.timedelta(days=days))
        headers = [_("SKU"), _("Product"), _("On hand"), _("Last issue")]
        if request.GET.get("format") in ("xlsx", "pdf"):
            return report_file(
                request,
                _("Slow-moving"),
                headers,
                ([p.sku, p.name, q, d.isoformat() if d else ""] for p, q, d in rows),
                "slow-moving",
                subtitle=_("Slow-moving stock (no issue for %(d)s days)") % {"d": days},
            )
        table = [{"cells": [p.sku, p.name, qty(q), d.strftime("%d/%m/%Y") if d else "—"]} for p, q, d in rows]
        return table_page(
            request,
            title=_("Slow-moving stock (no issue for %(d)s days)") % {"d": days},
            headers=headers,
            rows=table,
            buttons=export_buttons(f"?days={days}&"),
        )


class ExpiringReportView(InvView):
    """Lots expiring within N days (default 30) with their quantity on hand, in page, Excel and PDF."""

    permission = "inv.report.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        try:
            days = max(0, min(int(request.GET.get("days", "30")), 3650))
        except ValueError:
            days = 30
        rows = selectors.expiring_lots(self.principal.tenant, timezone.localdate() + dt.timedelta(days=days))
        headers = [_("SKU"), _("Product"), _("Lot"), _("Expiry date"), _("On hand")]
        title = _("Lots expiring within %(d)s days") % {"d": days}
        if request.GET.get("format") in ("xlsx", "pdf"):
            return report_file(
                request,
                _("Expiring lots"),
                headers,
                (
                    [
                        lot.product.sku,
                        lot.product.name,
                        lot.code,
                        lot.expires_on.isoformat() if lot.expires_on else "",
                        q,
                    ]
                    for lot, q in rows
                ),
                "expiring",
                subtitle=title,
            )
        table = [
            {
                "cells": [
                    lot.product.sku,
                    lot.product.name,
                    lot.code,
                    lot.expires_on.strftime("%d/%m/%Y") if lot.expires_on else "",
                    qty(q),
                ],
                "warn": bool(lot.expires_on and lot.expires_on < timezone.localdate()),
            }
            for lot, q in rows
        ]
        return table_page(request, title=title, headers=headers, rows=table, buttons=export_buttons(f"?days={days}&"))


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


class StockCardView(InvView):
    """The stock card ("thẻ kho") of a product in a warehouse over a period, in page and Excel."""

    permission = "inv.report.view"

    def get(self, request: HttpRequest) -> HttpResponse:
        today = timezone.localdate()
        try:
            product = Product.objects.get(pk=int(request.GET.get("product", "0")))
            warehouse = Warehouse.objects.get(pk=int(request.GET.get("warehouse", "0")))
            date_from = dt.date.fromisoformat(request.GET["from"]) if request.GET.get("from") else today.replace(day=1)
            date_to = dt.date.fromisoformat(request.GET["to"]) if request.GET.get("to") else today
        except (ValueError, OverflowError) as exc:
            raise Http404 from exc
        (oq, ov), lines = selectors.stock_card(self.principal.tenant, product.pk, warehouse.pk, date_from, date_to)
        headers = [
            _("Date"),
            _("Reference"),
            _("In"),
            _("Out"),
            _("Balance"),
            _("Value in"),
            _("Value out"),
            _("Balance value"),
        ]
        if request.GET.get("format") in ("xlsx", "pdf"):
            rows = [["", _("Opening balance"), "", "", oq, "", "", ov]] + [
                [
                    ln.date.isoformat(),
                    ln.reference,
                    ln.qty_in,
                    ln.qty_out,
                    ln.balance,
                    ln.value_in,
                    ln.value_out,
                    ln.balance_value,
                ]
                for ln in lines
            ]
            subtitle = f"{product.sku} {product.name} · {warehouse.code} · {date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}"
            return report_file(request, _("Stock card"), headers, rows, f"the-kho-{product.sku}", subtitle=subtitle)
        table = [{"cells": ["", _("Opening balance"), "", "", qty(oq), "", "", money(ov)]}] + [
            {
                "cells": [
                    ln.date.strftime("%d/%m/%Y"),
                    ln.reference,
                    qty(ln.qty_in) if ln.qty_in else "",
                    qty(ln.qty_out) if ln.qty_out else "",
                    qty(ln.balance),
                    money(ln.value_in) if ln.value_in else "",
                    money(ln.value_out) if ln.value_out else "",
                    money(ln.balance_value),
                ]
            }
            for ln in lines
        ]
        title = _("Stock card") + f": {product.sku} · {warehouse.code} · {date_from:%d/%m/%Y} – {date_to:%d/%m/%Y}"
        return table_page(
            request,
            title=title,
            headers=headers,
            rows=table,
            buttons=export_buttons(f"?{request.GET.urlencode()}&"),
        )
