"""The stock ledger engine: writes immutable moves and keeps quants and stock rows equal to them.

Guarantees (callers run inside ``transaction.atomic`` and the tenant's context):

* every quantity change is a conditional ``UPDATE … WHERE`` on the row that holds it, so two
  concurrent issues can never both take the last unit, and negative stock is refused in SQL unless the
  warehouse allows it;
* the ``Stock`` rows a document touches are locked first, in id order, so documents that touch the same
  products queue instead of deadlocking, and moving-average values are computed on a locked row;
* reservations are one conditional ``UPDATE`` (``reserve``), released and consumed explicitly.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date as Date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import F, Max, Q, Value
from django.utils.translation import gettext as _

from novasaas.inventory.models import (
    CostLayer,
    Location,
    LocationUsage,
    LotNumber,
    Product,
    ProductVariant,
    Reservation,
    SerialNumber,
    Stock,
    StockMove,
    StockPeriodBalance,
    StockQuant,
    ValuationMethod,
    ValueEntry,
    ValueEntryKind,
    Warehouse,
)
from novasaas.platform.money import MoneyField, QuantityField, quantize, round_money
from novasaas.platform.numbers import format_quantity
from novasaas.platform.tenancy import current_tenant
from novasaas.platform.tenant_cache import TenantCache

ZERO = Decimal(0)
NO_MOVES = Date.min  # ``Stock.last_move_on`` of a row without any move or value entry


class InsufficientStock(ValidationError):
    """Raised when a move or reservation would take more than is available (a clean 400)."""


def qty_value(q: Decimal) -> Value:
    return Value(q, output_field=QuantityField())


def money_value(m: Decimal) -> Value:
    return Value(m, output_field=MoneyField())


def _round(amount: Decimal) -> Decimal:
    return round_money(amount, current_tenant().base_currency or "VND")


def _vkey(variant: ProductVariant | None) -> int:
    return variant.pk if variant is not None else 0


# --- virtual locations -----------------------------------------------------------------------------

VIRTUAL_NAMES = {
    LocationUsage.SUPPLIER: ("VIRT/SUPPLIER", "Nhà cung cấp / Suppliers"),
    LocationUsage.CUSTOMER: ("VIRT/CUSTOMER", "Khách hàng / Customers"),
    LocationUsage.LOSS: ("VIRT/LOSS", "Hao hụt kiểm kê / Inventory loss"),
    LocationUsage.TRANSIT: ("VIRT/TRANSIT", "Hàng đang chuyển / In transit"),
}


LOCATIONS: TenantCache[Location] = TenantCache("inventory.locations")


def virtual_location(usage: str) -> Location:
    """The tenant's virtual location of ``usage``, created on first use (race-safe); cached per tenant
    (virtual locations never change)."""
    return LOCATIONS.get(current_tenant().pk, ("virtual", usage), lambda: _virtual_location(usage))


def _virtual_location(usage: str) -> Location:
    loc = Location.objects.filter(usage=usage).first()
    if loc is not None:
        return loc
    code, name = VIRTUAL_NAMES[usage]  # type: ignore[index]
    try:
        with transaction.atomic():
            return Location.objects.create(usage=usage, code=code, name=name, level="warehouse")
    except IntegrityError:
        return Location.objects.get(usage=usage)


def ensure_virtual_locations() -> None:
    for usage in VIRTUAL_NAMES:
        virtual_location(usage)


def root_location(warehouse: Warehouse) -> Location:
    """The warehouse's root location (created when missing), cached per tenant and warehouse; the
    caller's ``warehouse`` object is attached, so its current settings (negative stock) are used."""
    loc = LOCATIONS.get(current_tenant().pk, ("root", warehouse.pk), lambda: _root_location(warehouse))
    loc.warehouse = warehouse
    return loc


def _root_location(warehouse: Warehouse) -> Location:
    loc = Location.objects.filter(warehouse=warehouse, parent__isnull=True, usage=LocationUsage.INTERNAL).first()
    if loc is None:
        loc = Location.objects.create(warehouse=warehouse, code=warehouse.code, name=warehouse.name, level="warehouse")
    return loc


def forget_locations() -> None:
    """Called by the actions that change locations or warehouses (this process forgets at once)."""
    LOCATIONS.forget(current_tenant().pk)


# --- rows ------------------------------------------------------------------------------------------


def _get_or_create(model: Any, lookup: dict[str, Any], defaults: dict[str, Any]) -> Any:
    row = model.objects.filter(**lookup).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return model.objects.create(**lookup, **defaults)
    except IntegrityError:
        return model.objects.get(**lookup)


def stock_row(product: Product, variant: ProductVariant | None, warehouse: Warehouse) -> Stock:
    return _get_or_create(  # type: ignore[no-any-return]
        Stock,
        {"product": product, "variant_key": _vkey(variant), "warehouse": warehouse},
        {"variant": variant},
    )


def quant_row(
    product: Product, variant: ProductVariant | None, location: Location, lot: LotNumber | None
) -> StockQuant:
    return _get_or_create(  # type: ignore[no-any-return]
        StockQuant,
        {"product": product, "variant_key": _vkey(variant), "location": location, "lot_key": lot.pk if lot else 0},
        {"variant": variant, "lot": lot, "warehouse_id": location.warehouse_id},
    )


def _db(field_model: Any, field: str, value: Any) -> Any:
    return field_model._meta.get_field(field).get_db_prep_value(value, connection)


def lock_stocks(keys: Iterable[tuple[Product, ProductVariant | None, Warehouse]]) -> dict[tuple[int, int, int], Stock]:
    """Create (if needed) and lock the stock rows of a document, in id order (no deadlocks).

    One ``SELECT … FOR NO KEY UPDATE`` when the rows exist (the row's key never changes, so foreign-key
    checks of reservations are not blocked, and no joined warehouse or product row is locked); missing
    rows are inserted first (``ON CONFLICT DO NOTHING``: a concurrent insert wins, and is then locked).
    The product and warehouse objects of ``keys`` are attached to the rows."""
    wanted: dict[tuple[int, int, int], tuple[Product, ProductVariant | None, Warehouse]] = {}
    for product, variant, warehouse in keys:
        wanted[(product.pk, _vkey(variant), warehouse.pk)] = (product, variant, warehouse)
    if not wanted:
        return {}

    def select() -> dict[tuple[int, int, int], Stock]:
        cond = Q()
        for pid, vkey, wid in wanted:
            cond |= Q(product_id=pid, variant_key=vkey, warehouse_id=wid)
        rows = Stock.objects.select_for_update(of=("self",), no_key=True).filter(cond).order_by("pk")
        return {(r.product_id, r.variant_key, r.warehouse_id): r for r in rows}

    found = select()
    missing = [k for k in wanted if k not in found]
    if missing:
        tenant = current_tenant()
        Stock.objects.bulk_create(
            [
                Stock(
                    tenant=tenant,
                    product=wanted[k][0],
                    variant=wanted[k][1],
                    variant_key=k[1],
                    warehouse=wanted[k][2],
                    last_move_on=NO_MOVES,
                )
                for k in missing
            ],
            ignore_conflicts=True,
        )
        found = select()
    for k, (product, _variant, warehouse) in wanted.items():
        row = found[k]
        row.product = product
        row.warehouse = warehouse
        if row.last_move_on is None:
            row.last_move_on = _last_move_on(row)
    return {k: found[k] for k in wanted}


def _last_move_on(stock: Stock) -> Date:
    """The latest date of a move or value entry of ``stock`` (rows whose date is not stored yet)."""
    locs = Location.objects.filter(warehouse_id=stock.warehouse_id, usage=LocationUsage.INTERNAL)
    moved = (
        StockMove.objects.filter(product_id=stock.product_id, variant_id=stock.variant_id)
        .filter(Q(from_location__in=locs) | Q(to_location__in=locs))
        .exclude(Q(from_location__in=locs) & Q(to_location__in=locs))  # put-away: not the row's entry
        .aggregate(d=Max("date"))["d"]
    )
    valued = ValueEntry.objects.filter(
        product_id=stock.product_id, variant_id=stock.variant_id, warehouse_id=stock.warehouse_id
    ).aggregate(d=Max("date"))["d"]
    return max(d for d in (moved, valued, NO_MOVES) if d is not None)


def is_latest(stock: Stock, on: Date) -> bool:
    """Whether nothing of ``stock`` (locked) is dated after ``on``: no history query is needed."""
    return stock.last_move_on is not None and on >= stock.last_move_on


# --- moves -----------------------------------------------------------------------------------------


@dataclass
class MoveContext:
    document_type: str
    document_id: int
    reference: str
    date: Date
    user: Any = None


def _quant_key(product: Product, variant: ProductVariant | None, location: Location, lot: LotNumber | None) -> Q:
    return Q(product_id=product.pk, variant_key=_vkey(variant), location_id=location.pk, lot_key=lot.pk if lot else 0)


def _quant_out(
    product: Product,
    variant: ProductVariant | None,
    location: Location,
    lot: LotNumber | None,
    qty: Decimal,
    allow_negative: bool,
) -> bool:
    """Take ``qty`` off the quant with one conditional ``UPDATE`` on its key (no read first); with negative
    stock allowed, an upsert that may go below zero."""
    if allow_negative:
        _quant_add(product, variant, location, lot, -qty)
        return True
    qs = StockQuant.objects.filter(_quant_key(product, variant, location, lot), on_hand__gte=qty_value(qty))
    return bool(qs.update(on_hand=F("on_hand") - qty_value(qty)))


def _quant_add(
    product: Product, variant: ProductVariant | None, location: Location, lot: LotNumber | None, qty: Decimal
) -> None:
    """Add ``qty`` to the quant, creating it: one ``INSERT … ON CONFLICT … DO UPDATE`` (SQLite and PostgreSQL)."""
    sql = (
        "INSERT INTO inventory_stockquant (tenant_id, product_id, variant_id, variant_key, location_id, warehouse_id,"
        " lot_id, lot_key, on_hand) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
        " ON CONFLICT (tenant_id, product_id, variant_key, location_id, lot_key)"
        " DO UPDATE SET on_hand = inventory_stockquant.on_hand + excluded.on_hand"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [
                current_tenant().pk,
                product.pk,
                variant.pk if variant else None,
                _vkey(variant),
                location.pk,
                location.warehouse_id,
                lot.pk if lot else None,
                lot.pk if lot else 0,
                _db(StockQuant, "on_hand", qty),
            ],
        )


def outgoing_value(
    stock: Stock, qty: Decimal, product: Product, state: tuple[Decimal, Decimal] | None = None
) -> Decimal:
    """Moving-average cost of ``qty`` leaving ``stock`` (all of it when the row empties exactly);
    ``state`` (quantity, value) replaces the row's current ones, e.g. the state on a past date."""
    on_hand, value = state if state is not None else (stock.on_hand, stock.value)
    if on_hand > 0 and qty >= on_hand and value > 0:
        if qty == on_hand:
            return value
        extra = _round((qty - on_hand) * (value / on_hand))
        return value + extra
    if on_hand > 0:
        return _round(qty * value / on_hand)
    return _round(qty * product.cost_price)


def post_move(
    ctx: MoveContext,
    *,
    product: Product,
    variant: ProductVariant | None,
    from_location: Location,
    to_location: Location,
    quantity: Decimal,
    stocks: dict[tuple[int, int, int], Stock],
    unit_cost: Decimal | None = None,
    value: Decimal | None = None,
    lot: LotNumber | None = None,
    serial: SerialNumber | None = None,
    consume_reserved: Decimal = ZERO,
) -> StockMove:
    """Write one move and update quants and stock rows; returns the move with its value.

    ``stocks`` holds the locked stock rows of the document (``lock_stocks``). Goods leaving a warehouse
    are valued at its moving-average cost; goods entering from a virtual location at ``unit_cost``
    (or ``value`` when given, e.g. what a transfer carried in transit).
    """
    if quantity <= 0:
        raise ValidationError(_("Quantities must be greater than zero."))
    if not product.is_stocked:
        raise ValidationError(_("%(p)s is a service: it has no stock.") % {"p": product.sku})
    quantity = quantize(quantity, 4)
    src_wh = from_location.warehouse if from_location.usage == LocationUsage.INTERNAL else None
    dst_wh = to_location.warehouse if to_location.usage == LocationUsage.INTERNAL else None
    vkey = _vkey(variant)

    # goods leaving a warehouse on a past date: enough then and after (``check_history``), and valued
    # at the moving average of that date (a replay up to it), so the revaluation that follows changes
    # only the later moves
    fifo = product.valuation_method == ValuationMethod.FIFO
    past_state = None
    if src_wh is not None and src_wh != dst_wh and not is_latest(stocks[(product.pk, vkey, src_wh.pk)], ctx.date):
        src_stock = stocks[(product.pk, vkey, src_wh.pk)]
        later = later_moves(src_stock, ctx.date)
        if later and not src_wh.allow_negative_stock:
            check_history(src_stock, product, ctx.date, quantity, later)
        if later and not fifo and value is None:
            past_state = state_on(src_stock, product, ctx.date)

    # value of the move
    if src_wh is not None:
        src_stock = stocks[(product.pk, vkey, src_wh.pk)]
        if value is not None:
            move_value = value
        elif fifo and src_wh != dst_wh:
            move_value = fifo_consume(src_stock, product, quantity)
        else:
            move_value = outgoing_value(src_stock, quantity, product, past_state)
    elif value is not None:
        move_value = value
    else:
        move_value = _round(quantity * (unit_cost if unit_cost is not None else product.cost_price))
    move_unit_cost = quantize(move_value / quantity, 6)

    # leaving a stock location
    if from_location.is_stock:
        allow_negative = bool(src_wh and src_wh.allow_negative_stock)
        if not _quant_out(product, variant, from_location, lot, quantity, allow_negative):
            raise InsufficientStock(
                _("Not enough %(p)s at %(loc)s%(lot)s: %(q)s requested.")
                % {
                    "p": _product(product),
                    "loc": from_location.code,
                    "lot": f" (lot {lot.code})" if lot else "",
                    "q": _qty(quantity, product),
                }
            )
    if src_wh is not None and src_wh != dst_wh:
        add_to_periods(stocks[(product.pk, vkey, src_wh.pk)], ctx.date, -quantity, -move_value)
        _stock_out(stocks[(product.pk, vkey, src_wh.pk)], product, quantity, move_value, consume_reserved, ctx.date)

    # entering a stock location
    if to_location.is_stock:
        _quant_add(product, variant, to_location, lot, quantity)
    if dst_wh is not None and src_wh != dst_wh:
        stock = stocks[(product.pk, vkey, dst_wh.pk)]
        add_to_periods(stock, ctx.date, quantity, move_value)
        Stock.objects.filter(pk=stock.pk).update(
            on_hand=F("on_hand") + qty_value(quantity),
            value=F("value") + money_value(move_value),
            last_move_on=_moved_on(stock, ctx.date),
        )
        stock.on_hand += quantity
        stock.value += move_value

    if serial is not None:
        # the unit is where it went: a warehouse location, or transit while a transfer carries it
        serial.location = to_location if to_location.usage in (LocationUsage.INTERNAL, LocationUsage.TRANSIT) else None
        serial.save(update_fields=["location"])

    move = StockMove(  # type: ignore[misc]  # type: ignore[misc]  # type: ignore[misc]
        product=product,
        variant=variant,
        lot=lot,
        serial=serial,
        from_location=from_location,
        to_location=to_location,
        quantity=quantity,
        unit_cost=move_unit_cost,
        value=move_value,
        document_type=ctx.document_type,
        document_id=ctx.document_id,
        reference=ctx.reference,
        date=ctx.date,
        created_by=ctx.user if getattr(ctx.user, "pk", None) else None,
    )
    move.save()
    if fifo and dst_wh is not None and src_wh != dst_wh:
        CostLayer.objects.create(  # type: ignore[misc]  # type: ignore[misc]  # type: ignore[misc]
            product=product,
            variant_key=vkey,
            warehouse=dst_wh,
            move=move,
            date=ctx.date,
            quantity=quantity,
            remaining_quantity=quantity,
            remaining_value=move_value,
        )
    return move


def later_moves(stock: Stock, on: Date) -> list[tuple[Date, Decimal]]:
    """``(date, signed quantity)`` of the moves of ``stock`` dated after ``on``, in date order (none for a
    move dated today). Put-away inside the warehouse does not change its on-hand and is left out."""
    in_wh = models_q(to_location__warehouse_id=stock.warehouse_id, to_location__usage=LocationUsage.INTERNAL)
    out_wh = models_q(from_location__warehouse_id=stock.warehouse_id, from_location__usage=LocationUsage.INTERNAL)
    rows = (
        StockMove.objects.filter(product_id=stock.product_id, variant_id=stock.variant_id, date__gt=on)
        .filter(in_wh | out_wh)
        .exclude(in_wh & out_wh)
        .order_by("date", "created_at", "id")
        .values_list("date", "to_location__warehouse_id", "to_location__usage", "quantity")
    )
    return [
        (d, q if w == stock.warehouse_id and u == LocationUsage.INTERNAL else -q)  # type: ignore[misc]
        for d, w, u, q in rows
    ]


def check_history(stock: Stock, product: Product, on: Date, qty: Decimal, later: list[tuple[Date, Decimal]]) -> None:
    """Refuse taking ``qty`` out of ``stock`` (locked) on date ``on`` when the warehouse's running on-hand,
    in date order, would go below zero on that date or any later one (``later``: ``later_moves``).

    A move dated in the past is placed after the moves of its date and before every later one, so
    the goods must be there on that date *and stay enough* through what was issued after it: an issue
    dated before the receipt that supplied its goods would otherwise be valued at a made-up cost."""
    running = stock.on_hand - sum((q for _d, q in later), ZERO)  # on-hand at the end of ``on``
    low, low_on = running, on
    for d, q in later:
        running += q
        if running < low:
            low, low_on = running, d
    if low < qty:
        raise InsufficientStock(
            _(
                "Not enough %(p)s in %(wh)s on %(on)s: %(q)s requested, %(a)s available from that date on "
                "(the later moves need the rest; lowest on %(low_on)s)."
            )
            % {
                "p": _product(product),
                "wh": stock.warehouse.code,
                "on": on.strftime("%d/%m/%Y"),
                "q": _qty(qty, product),
                "a": _qty(max(low, ZERO), product),
                "low_on": low_on.strftime("%d/%m/%Y"),
            }
        )


def _qty(q: Any, product: Product | None = None) -> str:
    """A quantity as messages print it: ``1.200 Hộp``, ``2,5 kg`` (the page's language, thousands
    separators, no trailing zeros, the product's stock unit)."""
    unit = str(product.stock_unit) if product is not None and product.stock_unit_id else None
    return format_quantity(q, unit)


def _product(product: Product) -> str:
    """A product as messages name it: ``Sữa tươi Vinamilk 180ml (SUA-VNM-180)``."""
    return f"{product.name} ({product.sku})"


def fifo_consume(stock: Stock, product: Product, qty: Decimal) -> Decimal:
    """Value of ``qty`` leaving ``stock`` (locked by the caller) first-in-first-out: consumes the oldest
    cost layers; beyond the layers (negative stock) at the product's cost price."""
    left, total = qty, ZERO
    layers = CostLayer.objects.filter(
        product_id=stock.product_id,
        variant_key=stock.variant_key,
        warehouse_id=stock.warehouse_id,
        remaining_quantity__gt=0,
    ).order_by("date", "id")
    for layer in layers.iterator():
        take = min(layer.remaining_quantity, left)
        v = (
            layer.remaining_value
            if take == layer.remaining_quantity
            else _round(layer.remaining_value * take / layer.remaining_quantity)
        )
        CostLayer.objects.filter(pk=layer.pk).update(
            remaining_quantity=F("remaining_quantity") - qty_value(take),
            remaining_value=F("remaining_value") - money_value(v),
        )
        total += v
        left -= take
        if left <= 0:
            break
    if left > 0:
        total += _round(left * product.cost_price)
    return total


def _moved_on(stock: Stock, on: Date) -> Date:
    """The row's new ``last_move_on`` after an entry dated ``on`` (kept on the locked row in memory too)."""
    stock.last_move_on = max(stock.last_move_on or NO_MOVES, on)
    return stock.last_move_on


def _stock_out(
    stock: Stock, product: Product, qty: Decimal, value: Decimal, consume_reserved: Decimal, on: Date
) -> None:
    """Take ``qty`` (worth ``value``) off a warehouse row with one conditional UPDATE.

    Without negative stock the row must keep ``on_hand - reserved >= 0`` after the move, counting the
    part of a reservation this move consumes as its own."""
    qs = Stock.objects.filter(pk=stock.pk)
    if consume_reserved > 0:
        qs = qs.filter(reserved__gte=qty_value(consume_reserved))
    if not stock.warehouse.allow_negative_stock:
        # on_hand - qty >= reserved - consume_reserved
        qs = qs.filter(on_hand__gte=F("reserved") + qty_value(qty - consume_reserved))
    previous = stock.last_move_on
    updated = qs.update(
        on_hand=F("on_hand") - qty_value(qty),
        reserved=F("reserved") - qty_value(consume_reserved),
        value=F("value") - money_value(value),
        last_move_on=_moved_on(stock, on),
    )
    if not updated:
        stock.last_move_on = previous
        raise InsufficientStock(
            _("Not enough %(p)s available in %(wh)s: %(q)s requested, %(a)s available.")
            % {
                "p": _product(product),
                "wh": stock.warehouse.code,
                "q": _qty(qty, product),
                "a": _qty(stock.on_hand - stock.reserved, product),
            }
        )
    stock.on_hand -= qty
    stock.reserved -= consume_reserved
    stock.value -= value


# --- monthly closing balances ------------------------------------------------------------------------


def month_start(on: Date) -> Date:
    return on.replace(day=1)


def add_to_periods(stock: Stock, on: Date, quantity: Decimal, value: Decimal) -> None:
    """Add a move or value entry dated ``on`` to the closing balances of ``stock`` (locked by the caller,
    so balances of one product × variant × warehouse change one transaction at a time): the row of
    ``on``'s month (created from the previous closing when missing) and every later row — a backdated
    entry updates all later closings, usually none for a move of the current month."""
    period = month_start(on)
    rows = StockPeriodBalance.objects.filter(
        product_id=stock.product_id, variant_key=stock.variant_key, warehouse_id=stock.warehouse_id
    )
    last = stock.last_move_on
    if last is not None and on >= last and last != NO_MOVES and month_start(last) == period:
        # the common case, an entry of the current month after every other: its row exists, none is later
        # (should it be missing, nothing was changed and the general path below creates it)
        if rows.filter(period=period).update(
            quantity=F("quantity") + qty_value(quantity), value=F("value") + money_value(value)
        ):
            return
    if last == NO_MOVES:
        StockPeriodBalance.objects.create(  # type: ignore[misc]
            product_id=stock.product_id,
            variant_key=stock.variant_key,
            warehouse_id=stock.warehouse_id,
            period=period,
            quantity=quantity,
            value=value,
        )
        return
    if not rows.filter(period=period).exists():
        before = rows.filter(period__lt=period).order_by("-period").values_list("quantity", "value").first()
        q0, v0 = before or (ZERO, ZERO)
        StockPeriodBalance.objects.create(  # type: ignore[misc]
            product_id=stock.product_id,
            variant_key=stock.variant_key,
            warehouse_id=stock.warehouse_id,
            period=period,
            quantity=q0,
            value=v0,
        )
    rows.filter(period__gte=period).update(
        quantity=F("quantity") + qty_value(quantity), value=F("value") + money_value(value)
    )


# --- reservations ----------------------------------------------------------------------------------


def reserve(
    tenant: Any,
    product: Product,
    warehouse: Warehouse,
    qty: Decimal,
    for_document: str,
    *,
    variant: ProductVariant | None = None,
) -> Reservation:
    """Hold ``qty`` of ``product`` in ``warehouse`` for ``for_document`` (e.g. "crm.salesorder:42").

    One conditional UPDATE: it succeeds only while available (on hand − reserved) ≥ ``qty``, so
    concurrent reservations can never over-reserve. Raises ``InsufficientStock`` otherwise."""
    if tenant.pk != current_tenant().pk:
        raise ValueError("reserve() runs in its tenant's context")
    qty = quantize(qty, 4)
    if qty <= 0:
        raise ValidationError(_("Quantities must be greater than zero."))
    if not for_document or len(for_document) > 80:
        raise ValidationError(_("Name the document the stock is reserved for."))
    with transaction.atomic():
        updated = Stock.objects.filter(
            product=product,
            variant_key=_vkey(variant),
            warehouse=warehouse,
            on_hand__gte=F("reserved") + qty_value(qty),
        ).update(reserved=F("reserved") + qty_value(qty))
        if not updated:
            raise InsufficientStock(
                _("Not enough %(p)s available in %(wh)s to reserve %(q)s.")
                % {"p": _product(product), "wh": warehouse.code, "q": _qty(qty, product)}
            )
        stock = Stock.objects.get(product=product, variant_key=_vkey(variant), warehouse=warehouse)
        res = _get_or_create(Reservation, {"stock": stock, "for_document": for_document}, {"quantity": ZERO})
        Reservation.objects.filter(pk=res.pk).update(quantity=F("quantity") + qty_value(qty))
        res.refresh_from_db()
        from novasaas.inventory.actions import check_reorder

        check_reorder(tenant, [stock])
        return res  # type: ignore[no-any-return]


def release(
    tenant: Any,
    product: Product,
    warehouse: Warehouse,
    qty: Decimal | None,
    for_document: str,
    *,
    variant: ProductVariant | None = None,
) -> Decimal:
    """Give back ``qty`` (all when None) of what ``for_document`` holds; returns what was released."""
    if tenant.pk != current_tenant().pk:
        raise ValueError("release() runs in its tenant's context")
    with transaction.atomic():
        res = (
            Reservation.objects.select_for_update(of=("self",), no_key=True)
            .filter(
                stock__product=product,
                stock__variant_key=_vkey(variant),
                stock__warehouse=warehouse,
                for_document=for_document,
            )
            .first()
        )
        if res is None:
            return ZERO
        amount = res.quantity if qty is None else min(quantize(qty, 4), res.quantity)
        if amount <= 0:
            return ZERO
        Reservation.objects.filter(pk=res.pk).update(quantity=F("quantity") - qty_value(amount))
        Stock.objects.filter(pk=res.stock_id).update(reserved=F("reserved") - qty_value(amount))
        return amount


def take_reservation(stock: Stock, for_document: str, qty: Decimal) -> Decimal:
    """Consume up to ``qty`` of ``for_document``'s reservation on ``stock`` (the stock row is locked by
    the caller); returns how much of the move was reserved. The stock row is updated by ``_stock_out``."""
    if not for_document:
        return ZERO
    res = (
        Reservation.objects.select_for_update(of=("self",), no_key=True)
        .filter(stock=stock, for_document=for_document)
        .first()
    )
    if res is None or res.quantity <= 0:
        return ZERO
    amount = min(res.quantity, qty)
    Reservation.objects.filter(pk=res.pk).update(quantity=F("quantity") - qty_value(amount))
    return amount


# --- verification ----------------------------------------------------------------------------------


def ledger_differences() -> list[str]:
    """Quants and stock rows that differ from the sum of moves (empty when consistent)."""
    from django.db.models import Sum

    problems: list[str] = []
    expected: dict[tuple[int, int, int, int], Decimal] = {}
    for row in StockMove.objects.values("product_id", "variant_id", "to_location_id", "lot_id").annotate(
        q=Sum("quantity")
    ):
        key = (row["product_id"], row["variant_id"] or 0, row["to_location_id"], row["lot_id"] or 0)
        expected[key] = expected.get(key, ZERO) + row["q"]
    for row in StockMove.objects.values("product_id", "variant_id", "from_location_id", "lot_id").annotate(
        q=Sum("quantity")
    ):
        key = (row["product_id"], row["variant_id"] or 0, row["from_location_id"], row["lot_id"] or 0)
        expected[key] = expected.get(key, ZERO) - row["q"]
    stock_locs = set(
        Location.objects.filter(usage__in=[LocationUsage.INTERNAL, LocationUsage.TRANSIT]).values_list("pk", flat=True)
    )
    wh_of = dict(Location.objects.values_list("pk", "warehouse_id"))
    internal = set(Location.objects.filter(usage=LocationUsage.INTERNAL).values_list("pk", flat=True))
    actual = {(q.product_id, q.variant_key, q.location_id, q.lot_key): q.on_hand for q in StockQuant.objects.all()}
    for key in set(expected) | set(actual):
        if key[2] not in stock_locs:
            continue
        if expected.get(key, ZERO) != actual.get(key, ZERO):
            problems.append(f"quant {key}: ledger {expected.get(key, ZERO)} ≠ quant {actual.get(key, ZERO)}")
    per_wh: dict[tuple[int, int, int], list[Decimal]] = {}
    for row in StockMove.objects.values("product_id", "variant_id", "from_location_id", "to_location_id").annotate(
        q=Sum("quantity"), v=Sum("value")
    ):
        src = wh_of.get(row["from_location_id"]) if row["from_location_id"] in internal else None
        dst = wh_of.get(row["to_location_id"]) if row["to_location_id"] in internal else None
        if src == dst:
            continue
        if dst is not None:
            acc = per_wh.setdefault((row["product_id"], row["variant_id"] or 0, dst), [ZERO, ZERO])
            acc[0] += row["q"]
            acc[1] += row["v"]
        if src is not None:
            acc = per_wh.setdefault((row["product_id"], row["variant_id"] or 0, src), [ZERO, ZERO])
            acc[0] -= row["q"]
            acc[1] -= row["v"]
    for row in ValueEntry.objects.values("product_id", "variant_id", "warehouse_id").annotate(v=Sum("value")):
        acc = per_wh.setdefault((row["product_id"], row["variant_id"] or 0, row["warehouse_id"]), [ZERO, ZERO])
        acc[1] += row["v"]
    stocks = {
        (s.product_id, s.variant_key, s.warehouse_id): s
        for s in Stock.objects.select_related("product", "product__category")
    }
    for wkey in set(per_wh) | set(stocks):
        q, v = per_wh.get(wkey, [ZERO, ZERO])
        s = stocks.get(wkey)
        if (s.on_hand if s else ZERO) != q or (s.value if s else ZERO) != v:
            problems.append(f"stock {wkey}: ledger {q} / {v} ≠ row {s.on_hand if s else 0} / {s.value if s else 0}")
        if s is not None and s.product.valuation_method == ValuationMethod.FIFO and s.on_hand >= 0:
            layers = CostLayer.objects.filter(
                product_id=s.product_id, variant_key=s.variant_key, warehouse_id=s.warehouse_id
            ).aggregate(q=Sum("remaining_quantity"), v=Sum("remaining_value"))
            if (layers["q"] or ZERO) != s.on_hand or (layers["v"] or ZERO) != s.value:
                problems.append(f"stock {wkey}: FIFO layers {layers['q']} / {layers['v']} ≠ {s.on_hand} / {s.value}")
        if s is not None:
            held = sum((r.quantity for r in s.reservations.all()), ZERO)
            if held != s.reserved:
                problems.append(f"stock {wkey}: reserved {s.reserved} ≠ reservations {held}")
    problems += period_differences(internal, wh_of)
    return problems


def period_differences(internal: set[int], wh_of: Mapping[int, int | None]) -> list[str]:
    """Monthly closing balances that differ from the ledger: every month with a move or value entry of a
    product × variant × warehouse has a row, and each row equals the sum of everything dated up to the
    end of its month."""
    from django.db.models import Sum
    from django.db.models.functions import TruncMonth

    monthly: dict[tuple[int, int, int], dict[Date, list[Decimal]]] = {}

    def add(key: tuple[int, int, int], period: Date, q: Decimal, v: Decimal) -> None:
        acc = monthly.setdefault(key, {}).setdefault(period, [ZERO, ZERO])
        acc[0] += q
        acc[1] += v

    for row in (
        StockMove.objects.annotate(period=TruncMonth("date"))
        .values("product_id", "variant_id", "from_location_id", "to_location_id", "period")
        .annotate(q=Sum("quantity"), v=Sum("value"))
    ):
        src = wh_of.get(row["from_location_id"]) if row["from_location_id"] in internal else None
        dst = wh_of.get(row["to_location_id"]) if row["to_location_id"] in internal else None
        if src == dst:
            continue
        if dst is not None:
            add((row["product_id"], row["variant_id"] or 0, dst), row["period"], row["q"], row["v"])
        if src is not None:
            add((row["product_id"], row["variant_id"] or 0, src), row["period"], -row["q"], -row["v"])
    for row in (
        ValueEntry.objects.annotate(period=TruncMonth("date"))
        .values("product_id", "variant_id", "warehouse_id", "period")
        .annotate(v=Sum("value"))
    ):
        add((row["product_id"], row["variant_id"] or 0, row["warehouse_id"]), row["period"], ZERO, row["v"])
    rows: dict[tuple[int, int, int], dict[Date, tuple[Any, Any]]] = {}  # Decimals (Quantity/MoneyField)
    for pid, vkey, wid, period, closing_q, closing_v in StockPeriodBalance.objects.values_list(
        "product_id", "variant_key", "warehouse_id", "period", "quantity", "value"
    ):
        rows.setdefault((pid, vkey, wid), {})[period] = (closing_q, closing_v)
    problems = []
    for key in set(monthly) | set(rows):
        changes, have = monthly.get(key, {}), rows.get(key, {})
        problems += [f"period {key} {p}: moves but no closing balance" for p in sorted(set(changes) - set(have))]
        cq, cv = ZERO, ZERO
        for period in sorted(set(changes) | set(have)):
            dq, dv = changes.get(period, (ZERO, ZERO))
            cq, cv = cq + dq, cv + dv
            if period in have and have[period] != (cq, cv):
                hq, hv = have[period]
                problems.append(f"period {key} {period}: ledger {cq} / {cv} ≠ closing {hq} / {hv}")
    return problems


# --- revaluation of backdated moves ----------------------------------------------------------------


def add_value(ctx: MoveContext, stock: Stock, value: Decimal, cogs_value: Decimal, kind: str) -> ValueEntry:
    """Change the value of ``stock`` (locked by the caller) without moving quantity."""
    add_to_periods(stock, ctx.date, ZERO, value)
    Stock.objects.filter(pk=stock.pk).update(
        value=F("value") + money_value(value), last_move_on=_moved_on(stock, ctx.date)
    )
    stock.value += value
    entry = ValueEntry(  # type: ignore[misc]
        kind=kind,
        product_id=stock.product_id,
        variant_id=stock.variant_id,
        warehouse_id=stock.warehouse_id,
        value=value,
        cogs_value=cogs_value,
        document_type=ctx.document_type,
        document_id=ctx.document_id,
        reference=ctx.reference,
        date=ctx.date,
    )
    entry.save()
    return entry


def is_backdated(stock: Stock, on: Date, document_type: str, document_id: int) -> bool:
    """Whether moves of this product × warehouse exist after ``on`` (other than the document's own)."""
    locs = Location.objects.filter(warehouse_id=stock.warehouse_id, usage=LocationUsage.INTERNAL)
    later = StockMove.objects.filter(product_id=stock.product_id, variant_id=stock.variant_id, date__gt=on).filter(
        models_q(from_location__in=locs) | models_q(to_location__in=locs)
    )
    return later.exclude(document_type=document_type, document_id=document_id).exists()


def models_q(**kwargs: Any) -> Any:
    from django.db.models import Q

    return Q(**kwargs)


def replay(stock: Stock, product: Product) -> tuple[Decimal, list[list[Any]]]:
    """Replay every move of this product × warehouse in date order (incoming values and landed costs
    as recorded, outgoing values recomputed by the product's method): the stock value it gives and,
    for FIFO, the remaining layers ``[date, move_id, quantity, remaining_qty, remaining_value]``.
    Runs on the locked stock row; one pass over the moves, O(moves)."""
    _qty, value, layers = _replay(stock, product)
    return value, layers


def state_on(stock: Stock, product: Product, on: Date) -> tuple[Decimal, Decimal]:
    """Quantity and (replayed) value of ``stock`` at the end of ``on``: what a move dated ``on`` and
    posted now finds, since it is placed after the moves of its date."""
    qty, value, _layers = _replay(stock, product, until=on)
    return qty, value


def _replay(stock: Stock, product: Product, until: Date | None = None) -> tuple[Decimal, Decimal, list[list[Any]]]:
    fifo = product.valuation_method == ValuationMethod.FIFO
    loc_ids = set(
        Location.objects.filter(warehouse_id=stock.warehouse_id, usage=LocationUsage.INTERNAL).values_list(
            "pk", flat=True
        )
    )
    # (date, created, id, sign, qty, value, landed-cost receipt move ids)
    events: list[tuple[Any, ...]] = []
    moves = (
        StockMove.objects.filter(product_id=stock.product_id, variant_id=stock.variant_id)
        .filter(models_q(from_location_id__in=loc_ids) | models_q(to_location_id__in=loc_ids))
        .values_list("date", "created_at", "id", "from_location_id", "to_location_id", "quantity", "value")
    )
    landed = ValueEntry.objects.filter(
        product_id=stock.product_id,
        variant_id=stock.variant_id,
        warehouse_id=stock.warehouse_id,
        kind=ValueEntryKind.LANDED_COST,
    )
    if until is not None:
        moves = moves.filter(date__lte=until)
        landed = landed.filter(date__lte=until)
    for on, created, mid, src, dst, q, v in moves:
        inside_src, inside_dst = src in loc_ids, dst in loc_ids
        if inside_src and inside_dst:
            continue
        events.append((on, created, mid, 1 if inside_dst else -1, q, v, None))
    for on, created, eid, v, doc_id in landed.values_list("date", "created_at", "id", "value", "document_id"):
        targets = None
        if fifo:
            from novasaas.inventory.models import LandedCost

            receipt_id = LandedCost.objects.filter(pk=doc_id).values_list("receipt_id", flat=True).first()
            targets = set(
                StockMove.objects.filter(  # type: ignore[misc]
                    document_type="inventory.receipt", document_id=receipt_id, product_id=stock.product_id
                ).values_list("pk", flat=True)
            )
        events.append((on, created, 2**62 + eid, 0, ZERO, v, targets))
    events.sort(key=lambda e: (e[0], e[1], e[2]))
    qty: Decimal = ZERO
    value: Decimal = ZERO
    layers: list[list[Any]] = []
    owed = ZERO  # FIFO: quantity issued, in date order, before the receipts that supplied it
    for on, _created, mid, sign, q, v, targets in events:
        if sign > 0:
            qty += q
            value += v
            if fifo:
                # the part that covers what was owed leaves at once (it was valued when issued)
                take = min(owed, q)
                taken = v if take == q else _round(v * take / q)
                owed -= take
                layers.append([on, mid, q, q - take, v - taken])
        elif sign < 0:
            if fifo:
                out, left = ZERO, q
                for layer in layers:
                    if left <= 0:
                        break
                    if layer[3] <= 0:
                        continue
                    take = min(layer[3], left)
                    lv = layer[4] if take == layer[3] else _round(layer[4] * take / layer[3])
                    layer[3] -= take
                    layer[4] -= lv
                    out += lv
                    left -= take
                if left > 0:
                    out += _round(left * product.cost_price)
                    owed += left
            elif qty > 0 and q >= qty and value > 0:
                out = value if q == qty else value + _round((q - qty) * (value / qty))
            elif qty > 0:
                out = _round(q * value / qty)
            else:
                out = _round(q * product.cost_price)
            qty -= q
            value -= out
        else:
            if fifo:
                live = [la for la in layers if la[1] in (targets or ()) and la[3] > 0]
                added = _spread(v, live)
                value += added
            else:
                value += v
        if qty == 0 and not fifo:
            value = ZERO  # an emptied warehouse holds no value: any residue belongs to COGS
    if fifo:
        layers = [la for la in layers if la[3] > 0]
        value = sum((la[4] for la in layers), ZERO) if qty >= 0 else value
    return qty, value, layers


def _spread(v: Decimal, layers: list[list[Any]]) -> Decimal:
    """Add ``v`` to the remaining value of ``layers`` in proportion to their remaining quantity."""
    if not layers or v == 0:
        return ZERO
    total_q = sum((la[3] for la in layers), ZERO)
    left = v
    for i, la in enumerate(layers):
        part = left if i == len(layers) - 1 else _round(v * la[3] / total_q)
        la[4] += part
        left -= part
    return v


def replayed_value(stock: Stock, product: Product) -> Decimal:
    return replay(stock, product)[0]


def revalue(ctx: MoveContext, stock: Stock, product: Product) -> Decimal:
    """Bring ``stock`` (locked) to its replayed moving-average value; the difference is booked as a
    revaluation entry whose opposite goes to cost of goods sold. Returns the change of stock value."""
    value, layers = replay(stock, product)
    if product.valuation_method == ValuationMethod.FIFO:
        CostLayer.objects.filter(
            product_id=stock.product_id, variant_key=stock.variant_key, warehouse_id=stock.warehouse_id
        ).delete()
        CostLayer.objects.bulk_create(
            [
                CostLayer(
                    tenant_id=stock.tenant_id,
                    product_id=stock.product_id,
                    variant_key=stock.variant_key,
                    warehouse_id=stock.warehouse_id,
                    move_id=mid,
                    date=on,
                    quantity=q,
                    remaining_quantity=rq,
                    remaining_value=rv,
                )
                for on, mid, q, rq, rv in layers
            ]
        )
    delta = value - stock.value
    if delta != 0:
        add_value(ctx, stock, delta, -delta, ValueEntryKind.REVALUATION)
    return delta
