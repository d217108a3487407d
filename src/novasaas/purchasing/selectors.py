"""Purchasing reads: vendors, price lists, orders, bills, requisitions, the company's purchasing
settings, and the reads of other modules Purchasing needs (Inventory's products and warehouses)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import F, Q, QuerySet, Sum

from novasaas.platform.models import Tenant
from novasaas.purchasing.models import (
    OrderStatus,
    PreferredVendor,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequisition,
    PurchasingSettings,
    RequestForQuotation,
    Vendor,
    VendorBill,
    VendorCreditNote,
    VendorPrice,
)

ZERO = Decimal(0)
OPEN_STATUSES = (OrderStatus.APPROVED, OrderStatus.PARTIAL)


def get_settings(tenant: Tenant) -> PurchasingSettings:
    """The company's row, or an unsaved one with the defaults (a read never writes)."""
    return PurchasingSettings.objects.filter(tenant=tenant).first() or PurchasingSettings(tenant=tenant)


def list_vendors(tenant: Tenant, q: str = "", *, include_inactive: bool = False) -> QuerySet[Vendor]:
    qs = Vendor.objects.filter(tenant=tenant).select_related("party")
    if not include_inactive:
        qs = qs.filter(is_active=True)
    for word in q.split()[:8]:
        qs = qs.filter(Q(code__icontains=word) | Q(party__name__icontains=word) | Q(party__code__icontains=word))
    return qs.order_by("code")


def get_vendor(tenant: Tenant, vendor_id: int) -> Vendor:
    return Vendor.objects.filter(tenant=tenant).select_related("party").get(pk=vendor_id)  # type: ignore[no-any-return]


def list_prices(tenant: Tenant, vendor_id: int) -> QuerySet[VendorPrice]:
    return VendorPrice.objects.filter(tenant=tenant, vendor_id=vendor_id)


def price_for(tenant: Tenant, vendor_id: int, product_id: int, quantity: Decimal, on: dt.date) -> VendorPrice | None:
    """The vendor's price line for the product valid on ``on`` with the highest minimum quantity not
    above ``quantity`` (the latest valid_from first on a tie)."""
    return (
        VendorPrice.objects.filter(
            tenant=tenant, vendor_id=vendor_id, product_id=product_id, min_quantity__lte=quantity, valid_from__lte=on
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .order_by("-min_quantity", "-valid_from", "-id")
        .first()
    )


def reorder_vendor(
    tenant: Tenant, product_id: int, quantity: Decimal, on: dt.date
) -> tuple[Vendor, VendorPrice] | None:
    """Whom a low-stock draft order goes to: the product's preferred vendor (``PreferredVendor``) when
    it is active and its price list has a valid price for the quantity; else the active vendor the
    product was last ordered from (its latest order that is not a draft or cancelled) on the same
    condition; else the active vendor with the lowest valid price-list price (the first by code on a
    tie); None when no vendor lists the product."""
    preferred = (
        PreferredVendor.objects.filter(tenant=tenant, product_id=product_id, vendor__is_active=True)
        .values_list("vendor_id", flat=True)
        .first()
    )
    if preferred is not None:
        price = price_for(tenant, preferred, product_id, quantity, on)
        if price is not None:
            return Vendor.objects.get(tenant=tenant, pk=preferred), price
    last = (
        PurchaseOrderLine.objects.filter(tenant=tenant, product_id=product_id, order__vendor__is_active=True)
        .exclude(order__status__in=(OrderStatus.DRAFT, OrderStatus.CANCELLED))
        .order_by("-order__date", "-order_id")
        .values_list("order__vendor_id", flat=True)
        .first()
    )
    if last is not None:
        price = price_for(tenant, last, product_id, quantity, on)
        if price is not None:
            return Vendor.objects.get(tenant=tenant, pk=last), price
    best: tuple[Vendor, VendorPrice] | None = None
    for vendor in Vendor.objects.filter(tenant=tenant, is_active=True, prices__product_id=product_id).distinct():
        price = price_for(tenant, vendor.pk, product_id, quantity, on)
        if price is not None and (best is None or (price.price, vendor.code) < (best[1].price, best[0].code)):
            best = (vendor, price)
    return best


def list_preferred_vendors(tenant: Tenant, vendor_id: int | None = None) -> QuerySet[PreferredVendor]:
    qs = PreferredVendor.objects.filter(tenant=tenant).select_related("vendor", "vendor__party")
    return qs.filter(vendor_id=vendor_id) if vendor_id else qs


def get_preferred_vendor(tenant: Tenant, product_id: int) -> PreferredVendor:
    return (
        PreferredVendor.objects.filter(tenant=tenant)
        .select_related("vendor", "vendor__party")
        .get(product_id=product_id)
    )  # type: ignore[no-any-return]


def list_orders(
    tenant: Tenant, status: str = "", vendor_id: int | None = None, q: str = "", late_on: dt.date | None = None
) -> QuerySet[PurchaseOrder]:
    """Orders, newest first; ``late_on``: only the late deliveries on that day (``late_orders``, the
    order list's "late" filter — page ``?late=1``, API ``late=true``)."""
    base = late_orders(tenant, late_on) if late_on is not None else PurchaseOrder.objects.filter(tenant=tenant)
    qs = base.select_related("vendor", "vendor__party")
    if status:
        qs = qs.filter(status=status)
    if vendor_id:
        qs = qs.filter(vendor_id=vendor_id)
    if q:
        qs = qs.filter(Q(number__icontains=q) | Q(vendor__party__name__icontains=q))
    return qs.order_by("-date", "-id")


TRACKED_STATUSES = (OrderStatus.WAITING, OrderStatus.APPROVED, OrderStatus.PARTIAL)


def tracked_orders(tenant: Tenant, as_of: dt.date) -> QuerySet[PurchaseOrder]:
    """Orders waiting, approved or partially received dated up to ``as_of`` (the open orders report;
    its late ones are ``late_orders``)."""
    return PurchaseOrder.objects.filter(tenant=tenant, status__in=TRACKED_STATUSES, date__lte=as_of)


def late_orders(tenant: Tenant, as_of: dt.date) -> QuerySet[PurchaseOrder]:
    """The one definition of a late delivery on ``as_of``: an order issued to the vendor (approved or
    partially received — not one still waiting for approval, which the vendor has not been sent) dated
    up to ``as_of`` whose expected date is before ``as_of``. Used by the order list's "late" filter
    (page and API), the late deliveries report and the dashboard widget, so they count the same set."""
    return PurchaseOrder.objects.filter(
        tenant=tenant, status__in=OPEN_STATUSES, date__lte=as_of, expected_date__lt=as_of
    )


def get_order(tenant: Tenant, order_id: int) -> PurchaseOrder:
    return PurchaseOrder.objects.filter(tenant=tenant).select_related("vendor", "vendor__party").get(pk=order_id)  # type: ignore[no-any-return]


def order_lines(order: PurchaseOrder) -> list[PurchaseOrderLine]:
    return list(order.lines.all())


def list_bills(tenant: Tenant, status: str = "", vendor_id: int | None = None) -> QuerySet[VendorBill]:
    qs = VendorBill.objects.filter(tenant=tenant).select_related("vendor", "vendor__party", "order")
    if status:
        qs = qs.filter(status=status)
    if vendor_id:
        qs = qs.filter(vendor_id=vendor_id)
    return qs.order_by("-date", "-id")


def get_bill(tenant: Tenant, bill_id: int) -> VendorBill:
    return VendorBill.objects.filter(tenant=tenant).select_related("vendor", "vendor__party", "order").get(pk=bill_id)  # type: ignore[no-any-return]


def credit_notes_of(tenant: Tenant, bill_id: int) -> QuerySet[VendorCreditNote]:
    return (
        VendorCreditNote.objects.filter(tenant=tenant, bill_id=bill_id).prefetch_related("lines").order_by("date", "id")
    )


def get_credit_note(tenant: Tenant, note_id: int) -> VendorCreditNote:
    return VendorCreditNote.objects.filter(tenant=tenant).prefetch_related("lines").get(pk=note_id)  # type: ignore[no-any-return]


def list_rfqs(tenant: Tenant, status: str = "") -> QuerySet[RequestForQuotation]:
    qs = RequestForQuotation.objects.filter(tenant=tenant)
    return qs.filter(status=status) if status else qs


def get_rfq(tenant: Tenant, rfq_id: int) -> RequestForQuotation:
    return RequestForQuotation.objects.filter(tenant=tenant).get(pk=rfq_id)  # type: ignore[no-any-return]


def list_requisitions(tenant: Tenant, status: str = "") -> QuerySet[PurchaseRequisition]:
    qs = PurchaseRequisition.objects.filter(tenant=tenant)
    return qs.filter(status=status) if status else qs


def get_requisition(tenant: Tenant, requisition_id: int) -> PurchaseRequisition:
    return PurchaseRequisition.objects.filter(tenant=tenant).get(pk=requisition_id)  # type: ignore[no-any-return]


def grni_by_vendor(tenant: Tenant) -> list[dict[str, Any]]:
    """Goods received not invoiced per vendor: received value − GRNI cleared by posted bills, from the
    order lines (ties to account 3388 for receipts made through purchase orders)."""
    rows = (
        PurchaseOrderLine.objects.filter(tenant=tenant)
        .exclude(received_value=F("billed_value"))
        .values("order__vendor_id", "order__vendor__code", "order__vendor__party__name")
        .annotate(received=Sum("received_value"), billed=Sum("billed_value"))
        .order_by("order__vendor__code")
    )
    return [
        {
            "vendor_id": r["order__vendor_id"],
            "code": r["order__vendor__code"],
            "name": r["order__vendor__party__name"],
            "received": r["received"] or ZERO,
            "billed": r["billed"] or ZERO,
            "open": (r["received"] or ZERO) - (r["billed"] or ZERO),
        }
        for r in rows
    ]


# --- other modules' data ---------------------------------------------------------------------------


def active_product(tenant: Tenant, product_id: Any) -> Any:
    """Inventory's active product ``product_id``, or None."""
    from novasaas.inventory import selectors as inventory

    try:
        product = inventory.get_product(tenant, int(product_id))
    except (TypeError, ValueError, OverflowError):
        return None
    except Exception as exc:  # DoesNotExist of inventory's model
        if type(exc).__name__ == "DoesNotExist":
            return None
        raise
    return product if product.is_active else None


def active_warehouse(tenant: Tenant, warehouse_id: Any) -> Any:
    from novasaas.inventory import selectors as inventory

    try:
        warehouse = inventory.get_warehouse(tenant, int(warehouse_id))
    except (TypeError, ValueError, OverflowError):
        return None
    return warehouse if warehouse is not None and warehouse.is_active else None


def list_warehouses(tenant: Tenant) -> list[Any]:
    from novasaas.inventory import selectors as inventory

    return list(inventory.list_warehouses(tenant))


def list_products(tenant: Tenant) -> list[Any]:
    from novasaas.inventory import selectors as inventory

    return list(inventory.search_products(tenant, "")[:1000])


def warehouse_names(tenant: Tenant) -> dict[int, str]:
    return {w.pk: str(w.name) for w in list_warehouses(tenant)}
