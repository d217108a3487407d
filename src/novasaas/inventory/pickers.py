"""Server-side search for the inventory pickers (products, lots): JSON for ``app.js`` Tom Select
``load``. Tenant-scoped through the managers, behind the module gate and ``inv.stock.view``, at most
``PICKER_LIMIT`` rows, accent-insensitive (``platform.search``)."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.utils.formats import date_format

from novasaas.inventory.forms import ProductChoice, _products
from novasaas.inventory.models import LotNumber
from novasaas.inventory.views import InvView
from novasaas.platform.search import PICKER_LIMIT, matching, picker_response


class ProductPickerView(InvView):
    """Active stocked products whose SKU, name or barcode holds every word typed, in Vietnamese order."""

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = matching(_products(), request.GET.get("q"), "sku", "name", "barcode")
        label = ProductChoice(queryset=qs).label_from_instance
        return picker_response(qs[:PICKER_LIMIT], label)


class LotPickerView(InvView):
    """Lots (of one product when ``product`` is given) whose code holds what is typed, first expiring first;
    the value is the lot code, as the lines' lot field takes it."""

    def get(self, request: HttpRequest) -> HttpResponse:
        qs = LotNumber.objects.select_related("product")
        product = request.GET.get("product", "")
        if product.isdigit() and len(product) < 19:
            qs = qs.filter(product_id=int(product))
        qs = matching(qs, request.GET.get("q"), "code").order_by("expires_on", "code", "pk")

        def label(lot: Any) -> str:
            expiry = f" · {date_format(lot.expires_on, 'd/m/Y')}" if lot.expires_on else ""
            return f"{lot.code}{expiry}" + ("" if product else f" · {lot.product.sku}")

        return picker_response(qs[:PICKER_LIMIT], label, value=lambda lot: lot.code)
