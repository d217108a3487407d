"""Document lines shared by receipts, issues, adjustments, transfers and counts: products, locations, lots and
serial numbers of a line, checked before anything is written."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from novasaas.inventory import ledger
from novasaas.inventory.actions._common import ZERO, Rows, _currency, _dec, _get, _qty
from novasaas.inventory.actions.catalogue import cached_settings, convert
from novasaas.inventory.models import (
    Location,
    LocationUsage,
    LotNumber,
    MovementKind,
    Product,
    ProductVariant,
    SerialNumber,
    Stock,
    StockMovement,
    StockMovementLine,
    Tracking,
    Unit,
    Warehouse,
)
from novasaas.platform.money import quantize, round_money, to_decimal

# --- document lines --------------------------------------------------------------------------------


def _product_for_line(row: Mapping[str, Any], i: int, prefix: str = "lines") -> tuple[Product, ProductVariant | None]:
    product = _get(
        Product.objects.select_related("stock_unit", "category"), row.get("product_id"), f"{prefix}[{i}].product_id"
    )
    if product is None:
        raise ValidationError({f"{prefix}[{i}].product_id": _("Choose a product.")})
    if not product.is_active:
        raise ValidationError({f"{prefix}[{i}].product_id": _("%(p)s is inactive.") % {"p": product.sku}})
    if not product.is_stocked:
        raise ValidationError(
            {f"{prefix}[{i}].product_id": _("%(p)s is a service: it has no stock.") % {"p": product.sku}}
        )
    variant = None
    if row.get("variant_id"):
        variant = _get(ProductVariant, row["variant_id"], f"{prefix}[{i}].variant_id")
        if variant.product_id != product.pk:
            raise ValidationError({f"{prefix}[{i}].variant_id": _("This variant belongs to another product.")})
    return product, variant


def _location_in(warehouse: Warehouse, location_id: Any, field: str) -> Location | None:
    if location_id in (None, ""):
        return None
    loc = _get(Location, location_id, field)
    if loc.warehouse_id != warehouse.pk or loc.usage != LocationUsage.INTERNAL or not loc.is_active:
        raise ValidationError({field: _("Choose an active location of warehouse %(w)s.") % {"w": warehouse.code}})
    return loc  # type: ignore[no-any-return]


def _clean_serials(product: Product, row: Mapping[str, Any], qty: Decimal, field: str) -> list[str]:
    serials = [str(s).strip() for s in (row.get("serials") or []) if str(s).strip()]
    if product.tracking != Tracking.SERIAL:
        if serials:
            raise ValidationError({field: _("%(p)s is not tracked by serial number.") % {"p": product.sku}})
        return []
    if len(set(serials)) != len(serials):
        raise ValidationError({field: _("A serial number is repeated.")})
    if Decimal(len(serials)) != qty:
        raise ValidationError({field: _("Give one serial number per unit (%(q)s).") % {"q": ledger._qty(qty)}})
    if any(len(s) > 80 for s in serials):
        raise ValidationError({field: _("A serial number has at most 80 characters.")})
    return serials


def _serial_codes(row: Mapping[str, Any], field: str) -> list[str]:
    """The serial numbers of a line: a list, or text as a scanner types it (one per line, or commas)."""
    raw = row.get("serials") or []
    if isinstance(raw, str):
        raw = re.split(r"[\r\n,;]+", raw)
    codes = [str(x).strip() for x in raw if str(x).strip()]
    if len(codes) > 1000:
        raise ValidationError({field: _("At most 1000 serial numbers per line.")})
    if any(len(c) > 80 for c in codes):
        raise ValidationError({field: _("A serial number has at most 80 characters.")})
    return codes


def _serial_line(
    product: Product, row: Mapping[str, Any], quantity: Any, field: str, seen: set[tuple[int, str]]
) -> tuple[list[str], Decimal | None]:
    """Serials of one line of a transfer/adjustment/put-away: none for other goods, one per unit for
    serial-tracked goods (the quantity is their number), never the same serial twice in a document."""
    codes = _serial_codes(row, field)
    if product.tracking != Tracking.SERIAL:
        if codes:
            raise ValidationError({field: _("%(p)s is not tracked by serial number.") % {"p": product.sku}})
        return [], None
    if not codes:
        raise ValidationError({field: _("Scan or type the serial numbers of %(p)s.") % {"p": product.sku}})
    if quantity not in (None, "") and abs(to_decimal(quantity)) != len(codes):
        count = ledger._qty(abs(to_decimal(quantity)))
        raise ValidationError({field: _("Give one serial number per unit (%(q)s).") % {"q": count}})
    for code in codes:
        if (product.pk, code) in seen:
            raise ValidationError({field: _("Serial %(s)s is listed twice in this document.") % {"s": code}})
        seen.add((product.pk, code))
    return codes, Decimal(len(codes))


def _serials_in_stock(
    product: Product,
    codes: Sequence[str],
    field: str,
    *,
    warehouse: Warehouse | None = None,
    location: Location | None = None,
    lock: bool = False,
) -> list[tuple[SerialNumber, Location]]:
    """The units ``codes`` of ``product`` with where each is, each in stock in ``warehouse`` (at
    ``location`` when given); locked in id order when ``lock``. Unknown serials, units elsewhere or in
    transit are refused."""
    qs = SerialNumber.objects.filter(product=product, code__in=list(codes)).order_by("pk")
    if lock:
        qs = qs.select_for_update(of=("self",), no_key=True)
    found = {x.code: x for x in qs}
    locations = Location.objects.in_bulk([x.location_id for x in found.values() if x.location_id])
    at: dict[str, Location] = {}
    for code in codes:
        serial = found.get(code)
        if serial is None:
            raise ValidationError({field: _("Unknown serial number %(s)s of %(p)s.") % {"s": code, "p": product.sku}})
        loc = locations.get(serial.location_id) if serial.location_id else None
        if loc is None:
            raise ValidationError({field: _("Serial %(s)s of %(p)s is not in stock.") % {"s": code, "p": product.sku}})
        if loc.usage == LocationUsage.TRANSIT:
            raise ValidationError({field: _("Serial %(s)s is in transit between warehouses.") % {"s": code}})
        if warehouse is not None and loc.warehouse_id != warehouse.pk:
            raise ValidationError(
                {field: _("Serial %(s)s is in another warehouse, not in %(w)s.") % {"s": code, "w": warehouse.code}}
            )
        if location is not None and loc.pk != location.pk:
            raise ValidationError(
                {
                    field: _("Serial %(s)s is at %(at)s, not at %(loc)s.")
                    % {"s": code, "at": loc.code, "loc": location.code}
                }
            )
        at[code] = loc
    return [(found[c], at[c]) for c in codes]


def _serials_not_in_stock(product: Product, codes: Sequence[str], field: str) -> None:
    in_stock = SerialNumber.objects.filter(product=product, code__in=list(codes), location__isnull=False)
    first = in_stock.order_by("code").values_list("code", flat=True).first()
    if first is not None:
        raise ValidationError({field: _("Serial %(s)s of %(p)s is already in stock.") % {"s": first, "p": product.sku}})


def _warehouse(warehouse_id: Any) -> Warehouse:
    wh = _get(Warehouse, warehouse_id, "warehouse_id")
    if wh is None:
        raise ValidationError({"warehouse_id": _("Choose the warehouse.")})
    if not wh.is_active:
        raise ValidationError({"warehouse_id": _("Warehouse %(w)s is closed.") % {"w": wh.code}})
    return wh  # type: ignore[no-any-return]


def _build_movement_lines(movement: StockMovement, lines: Rows) -> list[StockMovementLine]:
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    if len(lines) > 500:
        raise ValidationError({"lines": _("At most 500 lines.")})
    built = []
    for i, row in enumerate(lines):
        product, variant = _product_for_line(row, i)
        unit = _get(Unit, row.get("unit_id"), f"lines[{i}].unit_id") or product.stock_unit
        qty = _qty(row.get("quantity"), f"lines[{i}].quantity")
        stock_qty = convert(qty, unit, product.stock_unit)
        line = StockMovementLine(  # type: ignore[misc]  # type: ignore[misc]
            movement=movement, product=product, variant=variant, unit=unit, quantity=qty, stock_quantity=stock_qty
        )
        line.location = _location_in(movement.warehouse, row.get("location_id"), f"lines[{i}].location_id")
        line.serials = _clean_serials(product, row, stock_qty, f"lines[{i}].serials")
        line.lot_code = str(row.get("lot_code") or "").strip()[:60]
        if line.lot_code and product.tracking != Tracking.LOT:
            raise ValidationError({f"lines[{i}].lot_code": _("%(p)s is not tracked by lot.") % {"p": product.sku}})
        if movement.kind == MovementKind.RECEIPT:
            if product.tracking == Tracking.LOT and not line.lot_code:
                raise ValidationError({f"lines[{i}].lot_code": _("Enter the lot number.")})
            cost = row.get("unit_cost")
            unit_cost = product.cost_price if cost in (None, "") else _dec(cost, f"lines[{i}].unit_cost")
            if unit_cost < 0 or unit_cost > Decimal("1000000000000"):
                raise ValidationError({f"lines[{i}].unit_cost": _("Enter a cost between 0 and 10^12.")})
            line.value = round_money(qty * unit_cost, _currency())
            line.unit_cost = quantize(line.value / stock_qty, 6)
            line.expires_on = row.get("expires_on") or None
        built.append(line)
    return built


def _movement_totals(movement: StockMovement, lines: Sequence[StockMovementLine]) -> tuple[Decimal, Decimal]:
    qty = sum((ln.stock_quantity for ln in lines), ZERO)
    if movement.kind == MovementKind.RECEIPT:
        return qty, sum((ln.value for ln in lines), ZERO)
    value = ZERO
    for ln in lines:
        stock = Stock.objects.filter(
            product=ln.product, variant_key=ln.variant_id or 0, warehouse=movement.warehouse
        ).first()
        avg = stock.average_cost if stock else ln.product.cost_price
        value += round_money(ln.stock_quantity * avg, _currency())
    return qty, value


def needs_approval(movement: StockMovement, lines: list[StockMovementLine] | None = None) -> bool:
    """Whether a receipt/issue exceeds the company's approval thresholds (value or quantity); ``lines``
    when they are in memory."""
    settings = cached_settings()
    if settings.approval_value_threshold is None and settings.approval_quantity_threshold is None:
        return False
    if lines is None:
        lines = list(movement.lines.select_related("product"))
    qty, value = _movement_totals(movement, lines)
    if settings.approval_value_threshold is not None and value > settings.approval_value_threshold:
        return True
    return settings.approval_quantity_threshold is not None and qty > settings.approval_quantity_threshold


def _lot_for(product: Product, code: str, expires_on: Any = None, on: Date | None = None) -> LotNumber | None:
    if not code:
        return None
    lot = LotNumber.objects.filter(product=product, code=code).first()
    if lot is not None:
        return lot
    expiry = expires_on
    if expiry is None and product.shelf_life_days and on is not None:
        expiry = on + timedelta(days=product.shelf_life_days)
    return ledger._get_or_create(  # type: ignore[no-any-return]
        LotNumber, {"product": product, "code": code}, {"expires_on": expiry, "manufactured_on": on}
    )


def _serial_to_receive(product: Product, code: str) -> SerialNumber:
    """The unit ``code`` of ``product`` coming into stock, locked: a known unit that is not in stock, or a
    new one (created). A unit already in stock is refused."""
    serial = (
        SerialNumber.objects.select_for_update(of=("self",), no_key=True).filter(product=product, code=code).first()
    )
    if serial is not None and serial.location_id is not None:
        raise ValidationError(_("Serial %(s)s of %(p)s is already in stock.") % {"s": code, "p": product.sku})
    if serial is None:
        try:
            with transaction.atomic():
                serial = SerialNumber.objects.create(product=product, code=code)
        except IntegrityError as exc:
            raise ValidationError(_("Serial %(s)s is being received twice.") % {"s": code}) from exc
    return serial
