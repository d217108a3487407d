"""Purchase requisitions: a request to buy one product for one warehouse, made by Purchase Staff or
automatically when stock falls below its reorder level (``subscribers.propose_reorder``); approved by a
Purchase Manager, it becomes a draft purchase order for the chosen vendor."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.numbering import next_number
from novasaas.platform.tenancy import current_tenant
from novasaas.purchasing import _common as c
from novasaas.purchasing import actions, events, selectors
from novasaas.purchasing.models import (
    OrderStatus,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseRequisition,
    ReorderAction,
    RequisitionStatus,
)

PREFIX = "YCM"
OPEN = (RequisitionStatus.DRAFT, RequisitionStatus.APPROVED)


def _create(
    tenant: Any, user: Any, product: Any, warehouse_id: int, quantity: Any, note: str, automatic: bool
) -> PurchaseRequisition:
    on = c.date(None)
    assert on is not None
    req = PurchaseRequisition.objects.create(
        number=f"{PREFIX}-{on.year}-{next_number('purchasing.requisition', str(on.year)):05d}",
        date=on,
        product_id=product.pk,
        product_name=product.name[:300],
        warehouse_id=warehouse_id,
        quantity=quantity,
        note=note[:2000],
        is_automatic=automatic,
        created_by=user,
    )
    audit.record_created(req, user)
    publish(
        events.RequisitionCreated(
            tenant_id=tenant.pk,
            requisition_id=req.pk,
            number=req.number,
            product_id=product.pk,
            warehouse_id=warehouse_id,
            quantity=str(quantity),
            is_automatic=automatic,
        )
    )
    return req


@transaction.atomic
def create_requisition(
    p: Principal, *, product_id: int, warehouse_id: int, quantity: Any, note: str = ""
) -> PurchaseRequisition:
    p.require("scm.requisition.create")
    product = selectors.active_product(p.tenant, product_id)
    if product is None:
        raise ValidationError({"product_id": [_("Choose an active product.")]})
    warehouse = selectors.active_warehouse(p.tenant, warehouse_id)
    if warehouse is None:
        raise ValidationError({"warehouse_id": [_("Choose an active warehouse.")]})
    return _create(p.tenant, p.user, product, warehouse.pk, c.qty(quantity, "quantity"), note or "", False)


def create_automatic(product_id: int, warehouse_id: int, quantity: Any, note: str) -> PurchaseRequisition | None:
    """The requisition of a reorder crossing, unless one for that product and warehouse is still open
    (or a draft order holds a line made from an automatic one). With the company setting
    ``reorder_action = order`` the requisition is at once ordered as a **draft purchase order**
    (``_order_at_once``) to the product's preferred, else last, else cheapest vendor at its price-list
    price — a line added to that vendor's draft reorder order when there is one; without such a vendor
    it stays a draft requisition."""
    tenant = current_tenant()
    if PurchaseRequisition.objects.filter(product_id=product_id, warehouse_id=warehouse_id, status__in=OPEN).exists():
        return None
    if PurchaseOrder.objects.filter(
        status=OrderStatus.DRAFT, requisition__product_id=product_id, requisition__warehouse_id=warehouse_id
    ).exists():
        return None
    if PurchaseOrderLine.objects.filter(
        order__status=OrderStatus.DRAFT, requisition__product_id=product_id, requisition__warehouse_id=warehouse_id
    ).exists():
        return None  # the product is on a draft reorder order (grouped with another product's crossing)
    product = selectors.active_product(tenant, product_id)
    if product is None:
        return None
    req = _create(tenant, None, product, warehouse_id, quantity, note, True)
    from novasaas.platform.notifications import notify

    if selectors.get_settings(tenant).reorder_action == ReorderAction.ORDER:
        order = _order_at_once(tenant, req)
        if order is not None:
            notify(
                tenant,
                "scm.po.approve",
                "approvals",
                _("Draft purchase order %(o)s to %(v)s: %(p)s below its reorder level")
                % {"o": order.number, "v": order.vendor.party.name, "p": product.name},
                url=f"/purchasing/orders/{order.pk}/",
            )
            return req
    notify(
        tenant,
        "scm.requisition.approve",
        "approvals",
        _("Purchase requisition %(n)s: %(p)s below its reorder level") % {"n": req.number, "p": product.name},
        url=f"/purchasing/requisitions/{req.pk}/",
    )
    return req


def _order_at_once(tenant: Any, req: PurchaseRequisition) -> PurchaseOrder | None:
    """The automatic requisition ordered as a draft purchase order to ``selectors.reorder_vendor`` at
    its price-list price (expected date = today + the price line's lead time); None (the requisition
    stays a draft) when no vendor lists the product. The order is a draft: a buyer issues it. When the
    vendor already has a draft reorder order (made from an automatic requisition) for the warehouse,
    the product is added to it (``actions.add_reorder_line``: a new line, or its line increased)
    instead of opening another order."""
    on = req.date
    found = selectors.reorder_vendor(tenant, req.product_id, req.quantity, on)
    if found is None:
        return None
    vendor, price = found
    expected = on + dt.timedelta(days=price.lead_time_days)
    grouped = (
        PurchaseOrder.objects.select_for_update(of=("self",))
        .filter(
            status=OrderStatus.DRAFT,
            vendor=vendor,
            warehouse_id=req.warehouse_id,
            requisition__is_automatic=True,
        )
        .order_by("id")
        .first()
    )
    if grouped is not None:
        order = actions.add_reorder_line(grouped.pk, req, price.price, expected)
        req.status = RequisitionStatus.ORDERED
        req.save(update_fields=["status"])
        return order
    system = c.delegate(None, "scm.po.create")
    order = actions.create_order(
        system,
        vendor_id=vendor.pk,
        warehouse_id=req.warehouse_id,
        lines=[{"product_id": req.product_id, "quantity": req.quantity, "unit_price": price.price}],
        date=on,
        expected_date=expected,
        note=req.number,
        requisition_id=req.pk,
    )
    order.lines.filter(product_id=req.product_id).update(requisition=req)
    req.status = RequisitionStatus.ORDERED
    req.save(update_fields=["status"])
    return order


def _lock(requisition_id: int) -> PurchaseRequisition:
    return PurchaseRequisition.objects.select_for_update().get(pk=requisition_id)  # type: ignore[no-any-return]


def _set(p: Principal, req: PurchaseRequisition, status: str, *allowed: str) -> PurchaseRequisition:
    if req.status not in allowed:
        raise ValidationError(
            {"status": [_("Requisition %(n)s is %(s)s.") % {"n": req.number, "s": req.get_status_display()}]}
        )
    before = audit.snapshot(req)
    req.status = status
    req.save(update_fields=["status"])
    audit.record_updated(req, p.user, before)
    return req


@transaction.atomic
def approve_requisition(p: Principal, requisition_id: int) -> PurchaseRequisition:
    p.require("scm.requisition.approve")
    return _set(p, _lock(requisition_id), RequisitionStatus.APPROVED, RequisitionStatus.DRAFT)


@transaction.atomic
def reject_requisition(p: Principal, requisition_id: int) -> PurchaseRequisition:
    p.require("scm.requisition.approve")
    return _set(
        p, _lock(requisition_id), RequisitionStatus.REJECTED, RequisitionStatus.DRAFT, RequisitionStatus.APPROVED
    )


@transaction.atomic
def convert_to_order(p: Principal, requisition_id: int, *, vendor_id: int, unit_price: Any = None) -> PurchaseOrder:
    """An approved requisition becomes a draft purchase order of ``vendor_id`` (price from the
    vendor's price list unless given)."""
    p.require("scm.po.create")
    req = _lock(requisition_id)
    _set(p, req, RequisitionStatus.ORDERED, RequisitionStatus.APPROVED)
    return actions.create_order(
        p,
        vendor_id=vendor_id,
        warehouse_id=req.warehouse_id,
        lines=[{"product_id": req.product_id, "quantity": req.quantity, "unit_price": unit_price}],
        note=req.number,
        requisition_id=req.pk,
    )
