"""Stock adjustments (every adjustment waits for approval) and serial numbers found or lost."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date as Date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.inventory import events, ledger
from novasaas.inventory.actions._common import ZERO, Rows, _actor, _amt, _dec, _number, _qty
from novasaas.inventory.actions.lines import (
    _location_in,
    _lot_for,
    _product_for_line,
    _serial_line,
    _serial_to_receive,
    _serials_in_stock,
    _serials_not_in_stock,
    _warehouse,
)
from novasaas.inventory.actions.reorder import check_reorder
from novasaas.inventory.actions.valuation import _revalue_backdated
from novasaas.inventory.ledger import MoveContext
from novasaas.inventory.models import (
    DocumentStatus,
    Location,
    LocationUsage,
    LotNumber,
    Product,
    ProductVariant,
    SerialNumber,
    StockAdjustment,
    StockAdjustmentLine,
    Tracking,
    Warehouse,
)
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.money import quantize

# --- adjustments -----------------------------------------------------------------------------------


@transaction.atomic
def create_adjustment(
    p: Principal, *, warehouse_id: int, reason: str, lines: Rows, date: Date | None = None
) -> StockAdjustment:
    """An adjustment waiting for a Warehouse Manager's approval (every adjustment is approved)."""
    p.require("inv.adjustment.create")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the adjustment.")})
    on = date or timezone.localdate()
    adj = StockAdjustment(warehouse=_warehouse(warehouse_id), reason=reason[:300], date=on, created_by=p.user)
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    built = []
    seen: set[tuple[int, str]] = set()
    for i, row in enumerate(lines):
        product, variant = _product_for_line(row, i)
        change = _qty(row.get("quantity_change"), f"lines[{i}].quantity_change", positive=False)
        if change == 0:
            raise ValidationError({f"lines[{i}].quantity_change": _("The change cannot be zero.")})
        location = _location_in(adj.warehouse, row.get("location_id"), f"lines[{i}].location_id")
        codes, _n = _serial_line(product, row, change, f"lines[{i}].serials", seen)
        if codes and change > 0:
            _serials_not_in_stock(product, codes, f"lines[{i}].serials")
        elif codes:
            _serials_in_stock(product, codes, f"lines[{i}].serials", warehouse=adj.warehouse, location=location)
        lot_code = str(row.get("lot_code") or "").strip()[:60]
        if product.tracking == Tracking.LOT and not lot_code:
            raise ValidationError({f"lines[{i}].lot_code": _("Enter the lot number.")})
        cost = row.get("unit_cost")
        unit_cost = None if cost in (None, "") else _dec(cost, f"lines[{i}].unit_cost")
        if unit_cost is not None and unit_cost < 0:
            raise ValidationError({f"lines[{i}].unit_cost": _("Costs cannot be negative.")})
        built.append(
            StockAdjustmentLine(  # type: ignore[misc]  # type: ignore[misc]
                product=product,
                variant=variant,
                quantity_change=change,
                lot_code=lot_code,
                location=location,
                unit_cost=quantize(unit_cost, 6) if unit_cost is not None else None,
                serials=codes,
            )
        )
    adj.number = _number("inventory.adjustment", on)
    adj.save()
    for line in built:
        line.adjustment = adj
        line.save()
    audit.record_created(adj, _actor(p))
    return adj


@transaction.atomic
def approve_adjustment(p: Principal, adjustment_id: int) -> StockAdjustment:
    p.require("inv.movement.approve")
    adj = (
        StockAdjustment.objects.select_for_update(of=("self",), no_key=True)
        .select_related("warehouse")
        .get(pk=adjustment_id)
    )
    if adj.status != DocumentStatus.PENDING:
        raise ValidationError(_("Only an adjustment waiting for approval can be approved."))
    if not adj.warehouse.is_active:
        raise ValidationError(_("Warehouse %(w)s is closed.") % {"w": adj.warehouse.code})
    lines = sorted(
        adj.lines.select_related("product", "variant", "location"),
        key=lambda ln: (ln.product_id, ln.variant_id or 0, ln.id),
    )
    stocks = ledger.lock_stocks((ln.product, ln.variant, adj.warehouse) for ln in lines)
    ctx = MoveContext("inventory.adjustment", adj.pk, adj.number, adj.date, p.user)
    loss = ledger.virtual_location(LocationUsage.LOSS)
    root = ledger.root_location(adj.warehouse)
    total = ZERO
    for ln in lines:
        loc = ln.location or root
        if ln.serials:
            value = _adjust_serials(ctx, ln, adj.warehouse, loc, loss, stocks)
        elif ln.quantity_change > 0:
            lot = _lot_for(ln.product, ln.lot_code, None, adj.date)
            stock = stocks[(ln.product_id, ln.variant_id or 0, adj.warehouse_id)]
            cost = ln.unit_cost if ln.unit_cost is not None else (stock.average_cost or ln.product.cost_price)
            move = ledger.post_move(
                ctx,
                product=ln.product,
                variant=ln.variant,
                from_location=loss,
                to_location=loc,
                quantity=ln.quantity_change,
                unit_cost=cost,
                lot=lot,
                stocks=stocks,
            )
            value = move.value
        else:
            lot = LotNumber.objects.filter(product=ln.product, code=ln.lot_code).first() if ln.lot_code else None
            move = ledger.post_move(
                ctx,
                product=ln.product,
                variant=ln.variant,
                from_location=loc,
                to_location=loss,
                quantity=-ln.quantity_change,
                lot=lot,
                stocks=stocks,
            )
            value = -move.value
        StockAdjustmentLine.objects.filter(pk=ln.pk).update(value=value)
        total += value
    _revalue_backdated(p, ctx, stocks.values())
    adj.status = DocumentStatus.DONE
    adj.approved_by = p.user
    adj.save(update_fields=["status", "approved_by"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=adj, message="approved", after={"value": str(total)})
    publish(
        events.StockAdjusted(
            tenant_id=p.tenant.pk,
            document_type="inventory.adjustment",
            document_id=adj.pk,
            reference=adj.number,
            date=adj.date.isoformat(),
            warehouse_id=adj.warehouse_id,
            value=_amt(total),
            reason=adj.reason,
        )
    )
    check_reorder(p.tenant, stocks.values())
    return adj


def _adjust_serials(
    ctx: MoveContext, ln: StockAdjustmentLine, wh: Warehouse, loc: Location, loss: Location, stocks: Any
) -> Decimal:
    """Serial units found (in from the inventory-loss location at the line's cost, else the average)
    or lost (each from where it is, at the warehouse's cost); returns the signed value."""
    if ln.quantity_change > 0:
        stock = stocks[(ln.product_id, ln.variant_id or 0, wh.pk)]
        cost = ln.unit_cost if ln.unit_cost is not None else (stock.average_cost or ln.product.cost_price)
        return _serials_found(ctx, ln.product, ln.variant, ln.serials, loc, loss, cost, stocks)
    units = _serials_in_stock(ln.product, ln.serials, "serials", warehouse=wh, location=ln.location, lock=True)
    return -_serials_lost(ctx, ln.product, ln.variant, units, loss, stocks)


def _serials_found(
    ctx: MoveContext,
    product: Product,
    variant: ProductVariant | None,
    codes: Sequence[str],
    loc: Location,
    loss: Location,
    unit_cost: Decimal,
    stocks: Any,
) -> Decimal:
    """Units found (an adjustment's gain, a count's found serials): each comes in from the inventory-loss
    location to ``loc`` at ``unit_cost``; unknown serials are created. Returns the value brought in."""
    total = ZERO
    for code in codes:
        total += ledger.post_move(
            ctx,
            product=product,
            variant=variant,
            from_location=loss,
            to_location=loc,
            quantity=Decimal(1),
            unit_cost=unit_cost,
            serial=_serial_to_receive(product, code),
            stocks=stocks,
        ).value
    return total


def _serials_lost(
    ctx: MoveContext,
    product: Product,
    variant: ProductVariant | None,
    units: Sequence[tuple[SerialNumber, Location]],
    loss: Location,
    stocks: Any,
) -> Decimal:
    """Units lost (an adjustment's loss, a count's missing serials): each goes from where it is to the
    inventory-loss location at the warehouse's cost. Returns the value taken out (positive)."""
    total = ZERO
    for unit, at in units:
        total += ledger.post_move(
            ctx,
            product=product,
            variant=variant,
            from_location=at,
            to_location=loss,
            quantity=Decimal(1),
            serial=unit,
            stocks=stocks,
        ).value
    return total


@transaction.atomic
def reject_adjustment(p: Principal, adjustment_id: int) -> StockAdjustment:
    p.require("inv.movement.approve")
    adj = StockAdjustment.objects.select_for_update(of=("self",), no_key=True).get(pk=adjustment_id)
    if adj.status != DocumentStatus.PENDING:
        raise ValidationError(_("Only an adjustment waiting for approval can be rejected."))
    adj.status = DocumentStatus.CANCELLED
    adj.save(update_fields=["status"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=adj, message="rejected")
    return adj
