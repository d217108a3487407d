"""Value-only changes: revaluation of backdated documents and landed costs."""

from __future__ import annotations

from datetime import date as Date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.inventory import events, ledger
from novasaas.inventory.actions._common import (
    ZERO,
    _actor,
    _amt,
    _currency,
    _get,
    _money,
    _number,
    _qty,
    _save_unique,
)
from novasaas.inventory.actions.reorder import check_reorder, forget_reorder_rules
from novasaas.inventory.ledger import MoveContext
from novasaas.inventory.models import (
    DocumentStatus,
    MovementKind,
    Product,
    Stock,
    StockMove,
    StockMovement,
    StockMovementLine,
    ValuationMethod,
    Warehouse,
)
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.money import round_money

# --- valuation: backdated moves and landed costs -------------------------------------------------


def _revalue_backdated(p: Principal, ctx: MoveContext, stocks: Any) -> None:
    """After a document dated before later moves of the same product × warehouse, recompute moving
    average from that date forward (synchronously, on the locked rows) and publish the change."""
    for stock in stocks:
        if ledger.is_latest(stock, ctx.date) or not ledger.is_backdated(
            stock, ctx.date, ctx.document_type, ctx.document_id
        ):
            continue
        product = Product.objects.get(pk=stock.product_id)
        delta = ledger.revalue(ctx, stock, product)
        if delta != 0:
            publish(
                events.StockRevalued(
                    tenant_id=p.tenant.pk,
                    document_type=ctx.document_type,
                    document_id=ctx.document_id,
                    reference=ctx.reference,
                    date=ctx.date.isoformat(),
                    warehouse_id=stock.warehouse_id,
                    value=_amt(delta),
                    product_id=stock.product_id,
                    cogs_value=_amt(-delta),
                )
            )


@transaction.atomic
def add_landed_cost(
    p: Principal,
    receipt_id: int,
    *,
    amount: Any,
    description: str,
    split: str = "value",
    partner_id: int | None = None,
    date: Date | None = None,
) -> Any:
    """Add freight, duty or insurance to a posted receipt, spread over its lines by value or quantity.
    The part for goods of the receipt still on hand raises the stock value; the part for goods already
    issued is cost of goods sold (``cogs_value``). Publishes ``LandedCostAdded``."""
    from novasaas.inventory.models import LandedCost, ValueEntryKind

    p.require("inv.adjustment.create")
    receipt = (
        StockMovement.objects.select_for_update(of=("self",), no_key=True)
        .select_related("warehouse")
        .filter(kind=MovementKind.RECEIPT)
        .get(pk=receipt_id)
    )
    if receipt.status != DocumentStatus.DONE:
        raise ValidationError(_("Landed costs are added to a posted receipt."))
    total = _money(amount)
    if total <= 0:
        raise ValidationError({"amount": _("The amount must be greater than zero.")})
    if split not in ("value", "quantity"):
        raise ValidationError({"split": _("Split by value or by quantity.")})
    description = " ".join((description or "").split())[:300]
    if not description:
        raise ValidationError({"description": _("Describe the cost (freight, duty, insurance…).")})
    if partner_id is not None:
        from novasaas.parties.selectors import resolve_party_id

        if resolve_party_id(p.tenant, partner_id) is None:
            raise ValidationError({"partner_id": _("Unknown party.")})
    lines = sorted(receipt.lines.select_related("product", "variant"), key=lambda ln: (ln.product_id, ln.id))
    weights = [ln.value if split == "value" else ln.stock_quantity for ln in lines]
    weight_sum = sum(weights, ZERO)
    if weight_sum <= 0:
        raise ValidationError({"split": _("The receipt has nothing to spread the cost over; split by quantity.")})
    on = date or timezone.localdate()
    lc = LandedCost(  # type: ignore[misc]
        receipt=receipt,
        amount=total,
        split=split,
        description=description,
        partner_id=partner_id,
        date=on,
        created_by=p.user,
        number=_number("inventory.landedcost", on),
    )
    lc.save()
    stocks = ledger.lock_stocks((ln.product, ln.variant, receipt.warehouse) for ln in lines)
    ctx = MoveContext("inventory.landed_cost", lc.pk, lc.number, on, p.user)
    left, cogs_total = total, ZERO
    for i, (ln, weight) in enumerate(zip(lines, weights, strict=True)):
        share = left if i == len(lines) - 1 else round_money(total * weight / weight_sum, _currency())
        left -= share
        stock = stocks[(ln.product_id, ln.variant_id or 0, receipt.warehouse_id)]
        if ln.product.valuation_method == ValuationMethod.FIFO:
            in_stock = _landed_cost_on_layers(receipt, ln, share)
        else:
            on_hand = max(stock.on_hand, ZERO)
            in_stock = (
                share if on_hand >= ln.stock_quantity else round_money(share * on_hand / ln.stock_quantity, _currency())
            )
        cogs = share - in_stock
        ledger.add_value(ctx, stock, in_stock, cogs, ValueEntryKind.LANDED_COST)
        cogs_total += cogs
    lc.cogs_value = cogs_total
    lc.save(update_fields=["cogs_value"])
    audit.record_created(lc, _actor(p))
    publish(
        events.LandedCostAdded(
            tenant_id=p.tenant.pk,
            document_type="inventory.landed_cost",
            document_id=lc.pk,
            reference=lc.number,
            date=on.isoformat(),
            warehouse_id=receipt.warehouse_id,
            value=_amt(total),
            receipt_id=receipt.pk,
            partner_id=partner_id,
            cogs_value=_amt(cogs_total),
        )
    )
    return lc


def _landed_cost_on_layers(receipt: StockMovement, ln: StockMovementLine, share: Decimal) -> Decimal:
    """FIFO: the part of ``share`` for this receipt's goods still in its cost layers, added to those
    layers in proportion to what remains of them; returns that part (the rest is COGS)."""
    from novasaas.inventory.models import CostLayer

    move_ids = StockMove.objects.filter(
        document_type="inventory.receipt", document_id=receipt.pk, product_id=ln.product_id
    ).values_list("pk", flat=True)
    layers = list(CostLayer.objects.filter(move_id__in=list(move_ids), remaining_quantity__gt=0).order_by("date", "id"))
    remaining = sum((la.remaining_quantity for la in layers), ZERO)
    if remaining <= 0:
        return ZERO
    in_stock = (
        share if remaining >= ln.stock_quantity else round_money(share * remaining / ln.stock_quantity, _currency())
    )
    left = in_stock
    for i, la in enumerate(layers):
        part = left if i == len(layers) - 1 else round_money(in_stock * la.remaining_quantity / remaining, _currency())
        CostLayer.objects.filter(pk=la.pk).update(remaining_value=la.remaining_value + part)
        left -= part
    return in_stock


@transaction.atomic
def set_reorder_rule(
    p: Principal, *, product_id: int, warehouse_id: int, reorder_level: Any, reorder_quantity: Any = 0
) -> Any:
    """Set (or with both zero, remove) the reorder level and quantity of a product in a warehouse."""
    from novasaas.inventory.models import ReorderRule

    p.require("inv.reorder.configure")
    product = _get(Product, product_id, "product_id")
    warehouse = _get(Warehouse, warehouse_id, "warehouse_id")
    if product is None or warehouse is None:
        raise ValidationError(_("Choose the product and the warehouse."))
    level = _qty(reorder_level, "reorder_level", positive=False)
    quantity = _qty(reorder_quantity, "reorder_quantity", positive=False)
    if level < 0 or quantity < 0:
        raise ValidationError(_("Cannot be negative."))
    rule = ReorderRule.objects.filter(product=product, warehouse=warehouse).first()
    forget_reorder_rules(p.tenant.pk)
    if level == 0 and quantity == 0:
        if rule is not None:
            audit.record_deleted(rule, _actor(p))
            rule.delete()
            check_reorder(p.tenant, list(Stock.objects.filter(product=product, warehouse=warehouse)))
        return None
    if rule is None:
        rule = ReorderRule(product=product, warehouse=warehouse)
    rule.reorder_level, rule.reorder_quantity = level, quantity
    _save_unique(rule, "warehouse_id", _("A rule for this warehouse already exists."))
    audit.record_created(rule, _actor(p))
    check_reorder(p.tenant, list(Stock.objects.filter(product=product, warehouse=warehouse)))
    return rule
