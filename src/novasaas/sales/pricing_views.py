"""Price list pages: the list with a new-list form, and one list's header and quantity breaks."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from novasaas.sales import forms, pricing, selectors
from novasaas.sales.views import SalesView, _attach


class PriceListListView(SalesView):
    def get(self, request: HttpRequest, form: Any = None, status: int = 200) -> HttpResponse:
        can_edit = self.principal.has("crm.customer.segment")
        context = {
            "price_lists": pricing.list_price_lists(self.principal.tenant),
            "form": (form or forms.PriceListForm()) if can_edit else None,
        }
        return render(request, "sales/price_lists.html", context, status=status)

    def post(self, request: HttpRequest) -> HttpResponse:
        self.principal.require("crm.customer.segment")
        form = forms.PriceListForm(request.POST)
        if form.is_valid():
            try:
                pl = pricing.save_price_list(self.principal, **form.cleaned_data)
                messages.success(request, _("Price list %(c)s saved.") % {"c": pl.code})
                return redirect("sales-price-list", pk=pl.pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, form, status=400)


class PriceListDetailView(SalesView):
    def _products(self) -> list[tuple[int, str]]:
        tenant = self.principal.tenant
        if not tenant.has_module("INV"):
            return []
        return [(pr.pk, f"{pr.sku} {pr.name}") for pr in selectors.list_products(tenant)]

    def get(
        self, request: HttpRequest, pk: int, form: Any = None, formset: Any = None, status: int = 200
    ) -> HttpResponse:
        pl = pricing.get_price_list(self.principal.tenant, pk)
        products = self._products()
        names = dict(products)
        items = [(item, names.get(item.product_id, f"#{item.product_id}")) for item in pl.items.all()]
        can_edit = self.principal.has("crm.customer.segment")
        if can_edit and form is None:
            fields = ("code", "name", "valid_from", "valid_to", "allow_override", "is_active")
            form = forms.PriceListForm(initial={f: getattr(pl, f) for f in fields})
            formset = forms.PriceListItemFormSet(  # type: ignore[call-arg]
                initial=[
                    {"product_id": i.product_id, "min_quantity": i.min_quantity, "unit_price": i.unit_price}
                    for i in pl.items.all()
                ],
                prefix="items",
                products=products,
            )
        context = {"price_list": pl, "items": items, "form": form if can_edit else None, "formset": formset}
        return render(request, "sales/price_list.html", context, status=status)

    def post(self, request: HttpRequest, pk: int) -> HttpResponse:
        self.principal.require("crm.customer.segment")
        pricing.get_price_list(self.principal.tenant, pk)
        form = forms.PriceListForm(request.POST)
        formset = forms.PriceListItemFormSet(request.POST, prefix="items", products=self._products())  # type: ignore[call-arg]
        if form.is_valid() and formset.is_valid():
            rows = [
                f.cleaned_data
                for f in formset.forms
                if f.cleaned_data.get("product_id") or f.cleaned_data.get("unit_price") is not None
            ]
            try:
                pricing.save_price_list(self.principal, pk, items=rows, **form.cleaned_data)
                messages.success(request, _("Price list saved."))
                return redirect("sales-price-list", pk=pk)
            except ValidationError as exc:
                _attach(form, exc)
        return self.get(request, pk, form=form, formset=formset, status=400)
