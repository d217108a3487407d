"""Inventory counts: draft → pending → done, typed or scanned, serial numbers included."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date as Date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.inventory import events, ledger
from novasaas.inventory.actions._common import ZERO, Rows, _actor, _amt, _number, _qty
from novasaas.inventory.actions.adjustments import _serials_found, _serials_lost
from novasaas.inventory.actions.catalogue import find_by_code
from novasaas.inventory.actions.lines import (
    _location_in,
    _lot_for,
    _product_for_line,
    _serial_codes,
    _serial_line,
    _serials_in_stock,
    _warehouse,
)
from novasaas.inventory.actions.reorder import check_reorder
from novasaas.inventory.actions.valuation import _revalue_backdated
from novasaas.inventory.ledger import MoveContext
from novasaas.inventory.models import (
    DocumentStatus,
    InventoryCount,
    InventoryCountLine,
    Location,
    LocationUsage,
    Product,
    SerialNumber,
    StockMove,
    StockQuant,
    Tracking,
)
from novasaas.platform import audit
from novasaas.platform.events import publish

# --- inventory counts ------------------------------------------------------------------------------


def _subtree(location: Location) -> list[int]:
    ids, frontier = [location.pk], [location.pk]
    while frontier:
        frontier = list(Location.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


@transaction.atomic
def create_count(
    p: Principal, *, warehouse_id: int, zone_id: int | None = None, date: Date | None = None
) -> InventoryCount:
    """A count of a warehouse (or one zone), listing what the ledger expects at each location and lot
    (and, for serial-tracked goods, which serial numbers)."""
    p.require("inv.count.create")
    wh = _warehouse(warehouse_id)
    zone = _location_in(wh, zone_id, "zone_id")
    on = date or timezone.localdate()
    count = InventoryCount(warehouse=wh, zone=zone, date=on, created_by=p.user)
    count.number = _number("inventory.count", on)
    count.save()
    quants = StockQuant.objects.filter(warehouse=wh).exclude(on_hand=0).select_related("location")
    if zone is not None:
        quants = quants.filter(location_id__in=_subtree(zone))
    rows = list(quants)
    serial_products = set(
        Product.objects.filter(pk__in={q.product_id for q in rows}, tracking=Tracking.SERIAL).values_list(
            "pk", flat=True
        )
    )
    expected = _serials_by_place(serial_products, {q.location_id for q in rows if q.product_id in serial_products})
    InventoryCountLine.objects.bulk_create(
        [
            InventoryCountLine(
                tenant_id=p.tenant.pk,
                count=count,
                product_id=q.product_id,
                variant_id=q.variant_id,
                location_id=q.location_id,
                lot_id=q.lot_id,
                expected=q.on_hand,
                expected_serials=expected.get((q.product_id, q.variant_id or 0, q.location_id), []),
            )
            for q in rows
        ]
    )
    audit.record_created(count, _actor(p))
    return count


def _last_move() -> dict[str, Any]:
    """Annotations of a serial unit from its latest move: the variant it moved as, the usage of the
    location it went to, and the document."""
    last = StockMove.objects.filter(serial=OuterRef("pk")).order_by("-id")
    return {
        "last_variant": Subquery(last.values("variant_id")[:1]),
        "last_usage": Subquery(last.values("to_location__usage")[:1]),
        "last_reference": Subquery(last.values("reference")[:1]),
    }


def _serials_by_place(product_ids: Any, location_ids: Any) -> dict[tuple[int, int, int], list[str]]:
    """The serial numbers at each (product, variant key, location), sorted."""
    if not product_ids or not location_ids:
        return {}
    rows = (
        SerialNumber.objects.filter(product_id__in=list(product_ids), location_id__in=list(location_ids))
        .annotate(**_last_move())
        .order_by("code")
        .values_list("product_id", "last_variant", "location_id", "code")  # type: ignore[misc]
    )
    out: dict[tuple[int, int, int], list[str]] = {}
    for product_id, variant_id, location_id, code in rows:
        out.setdefault((product_id, variant_id or 0, location_id), []).append(code)
    return out


def _open_count(count_id: int) -> InventoryCount:
    count = (
        InventoryCount.objects.select_for_update(of=("self",), no_key=True).select_related("warehouse").get(pk=count_id)
    )
    if count.status != DocumentStatus.DRAFT:
        raise ValidationError(_("This count is %(s)s.") % {"s": count.get_status_display()})
    if not count.warehouse.is_active:
        raise ValidationError(_("Warehouse %(w)s is closed.") % {"w": count.warehouse.code})
    return count  # type: ignore[no-any-return]


@transaction.atomic
def record_counts(p: Principal, count_id: int, entries: Rows) -> InventoryCount:
    """Enter counted quantities: ``{"line_id", "counted"}`` for listed lines, or ``{"product_id",
    "location_id", "lot_code", "counted"}`` for goods found where the ledger expects none. Serial-tracked
    goods give the ``serials`` counted there instead (their number is the counted quantity; ``counted``
    0 with no serials when nothing was found); each must be new, in this warehouse or lost earlier."""
    p.require("inv.count.perform")
    count = _open_count(count_id)
    for i, row in enumerate(entries):
        raw = row.get("counted")
        counted = None if raw in (None, "") else _qty(raw, f"entries[{i}].counted", positive=False)
        if counted is not None and counted < 0:
            raise ValidationError({f"entries[{i}].counted": _("A count cannot be negative.")})
        if row.get("line_id"):
            line = InventoryCountLine.objects.filter(pk=_int(row["line_id"]), count=count).first()
            if line is None:
                raise ValidationError({f"entries[{i}].line_id": _("Unknown line.")})
        else:
            line = _count_line_for(count, row, i)
        field = f"entries[{i}].serials"
        codes = _serial_codes(row, field)
        if codes or (line.product.tracking == Tracking.SERIAL and counted):
            codes, _n = _serial_line(line.product, row, counted, field, set())
        if line.product.tracking == Tracking.SERIAL and codes:
            _count_serials(count, line, codes, field)
            continue
        if counted is None:
            raise ValidationError({f"entries[{i}].counted": _("Enter a number.")})
        line.counted = counted
        line.counted_serials = []
        line.save(update_fields=["counted", "counted_serials"])
    return count


def _count_serials(count: InventoryCount, line: InventoryCountLine, codes: Sequence[str], field: str) -> None:
    """Record the serial units counted on ``line`` (replacing what was counted there)."""
    _check_counted_serials(count, line, codes, field)
    line.counted_serials = list(codes)
    line.counted = Decimal(len(codes))
    line.save(update_fields=["counted", "counted_serials"])


def _check_counted_serials(
    count: InventoryCount, line: InventoryCountLine, codes: Sequence[str], field: str, *, lock: bool = False
) -> list[tuple[SerialNumber, Location]]:
    """Serial units counted on ``line``: none counted on another line of the count, each unknown (it is
    created at approval), lost earlier (found again) or in stock in the count's warehouse. A unit in
    another warehouse or in transit, or one that left the stock (issued, returned to the vendor), is
    refused. Returns the units in stock in the warehouse with where each is (locked when ``lock``)."""
    if not codes:
        return []
    wanted = set(codes)
    others = InventoryCountLine.objects.filter(count=count, product_id=line.product_id).exclude(pk=line.pk)
    for at_code, counted in others.values_list("location__code", "counted_serials"):
        twice = wanted.intersection(counted or [])
        if twice:
            raise ValidationError(
                {field: _("Serial %(s)s is already counted at %(loc)s.") % {"s": min(twice), "loc": at_code}}
            )
    known = SerialNumber.objects.filter(product_id=line.product_id, code__in=list(codes)).annotate(**_last_move())
    if lock:
        known = known.select_for_update(of=("self",), no_key=True)
    in_stock = []
    for unit in known.order_by("pk"):
        if unit.location_id is not None:
            in_stock.append(unit.code)
        elif unit.last_usage not in (None, LocationUsage.LOSS):  # type: ignore[attr-defined]
            raise ValidationError(
                {
                    field: _("Serial %(s)s of %(p)s left the stock with %(ref)s: receive it back before counting it.")
                    % {"s": unit.code, "p": line.product.sku, "ref": unit.last_reference}  # type: ignore[attr-defined]
                }
            )
    if not in_stock:
        return []
    return _serials_in_stock(line.product, in_stock, field, warehouse=count.warehouse, lock=lock)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Enter a whole number.")) from exc


def _count_line_for(count: InventoryCount, row: Mapping[str, Any], i: int) -> InventoryCountLine:
    product, variant = _product_for_line(row, i, "entries")
    loc = _location_in(count.warehouse, row.get("location_id"), f"entries[{i}].location_id") or ledger.root_location(
        count.warehouse
    )
    if count.zone_id and loc.pk not in _subtree(count.zone):  # type: ignore[arg-type]
        raise ValidationError({f"entries[{i}].location_id": _("This location is outside the counted zone.")})
    lot_code = str(row.get("lot_code") or "").strip()
    if product.tracking == Tracking.LOT and not lot_code:
        raise ValidationError({f"entries[{i}].lot_code": _("Enter the lot number.")})
    lot = _lot_for(product, lot_code, None, count.date)
    line = InventoryCountLine.objects.filter(
        count=count, product=product, variant=variant, location=loc, lot=lot
    ).first()
    if line is None:
        line = InventoryCountLine.objects.create(  # type: ignore[misc]
            count=count, product=product, variant=variant, location=loc, lot=lot, expected=ZERO
        )
    return line  # type: ignore[no-any-return]


@transaction.atomic
def scan_count(
    p: Principal,
    count_id: int,
    *,
    code: str,
    location_id: int | None = None,
    quantity: Any = 1,
    lot_code: str = "",
    serial: str = "",
) -> InventoryCountLine:
    """A scanner read: add ``quantity`` (default 1) to the counted quantity of the scanned product.

    Serial-tracked goods count one unit per read: the product's code with its ``serial``, or the serial
    number alone as ``code``. Without a location the unit is counted where the ledger has it (when that
    is in the count), else at the warehouse."""
    p.require("inv.count.perform")
    count = _open_count(count_id)
    serial = "".join((serial or "").split())[:80]
    found = find_by_code(code)
    variant_id: int | None = None
    if found is None:
        units = list(
            SerialNumber.objects.filter(code="".join((code or "").split())[:80])
            .select_related("product")
            .annotate(**_last_move())[:2]
        )
        if len(units) != 1:
            raise ValidationError({"code": _("No product has the code %(c)s.") % {"c": code[:40]}})
        product, serial, variant_id = units[0].product, units[0].code, units[0].last_variant  # type: ignore[attr-defined]
    else:
        product, variant = found
        variant_id = variant.pk if variant else None
    qty = _qty(quantity)
    if product.tracking != Tracking.SERIAL:
        if serial:
            raise ValidationError({"serial": _("%(p)s is not tracked by serial number.") % {"p": product.sku}})
        scanned = _count_line_for(
            count,
            {"product_id": product.pk, "variant_id": variant_id, "location_id": location_id, "lot_code": lot_code},
            0,
        )
        scanned.counted = (scanned.counted or ZERO) + qty
        scanned.save(update_fields=["counted"])
        return scanned
    if not serial:
        raise ValidationError({"serial": _("Scan the serial number of %(p)s.") % {"p": product.sku}})
    if qty != 1:
        raise ValidationError({"quantity": _("Each serial number is one unit.")})
    # without a location, the line where the ledger has the unit (a scanned variant must match)
    expecting = (
        next(
            (
                ln
                for ln in InventoryCountLine.objects.filter(count=count, product=product)
                if serial in (ln.expected_serials or []) and (found is None or ln.variant_id == variant_id)
            ),
            None,
        )
        if location_id in (None, "")
        else None
    )
    line = expecting or _count_line_for(
        count, {"product_id": product.pk, "variant_id": variant_id, "location_id": location_id}, 0
    )
    if serial in (line.counted_serials or []):
        raise ValidationError(
            {"serial": _("Serial %(s)s is already counted at %(loc)s.") % {"s": serial, "loc": line.location.code}}
        )
    _count_serials(count, line, [*(line.counted_serials or []), serial], "serial")
    return line


@transaction.atomic
def submit_count(p: Principal, count_id: int) -> InventoryCount:
    p.require("inv.count.perform")
    count = _open_count(count_id)
    if count.lines.filter(counted__isnull=True).exists():
        raise ValidationError(_("Enter a counted quantity on every line (0 when nothing was found)."))
    count.status = DocumentStatus.PENDING
    count.save(update_fields=["status"])
    from novasaas.platform.notifications import notify

    notify(
        p.tenant,
        "inv.count.approve",
        "approvals",
        _("Count %(n)s waits for approval") % {"n": count.number},
        url=f"/inventory/counts/{count.pk}/",
    )
    return count


@transaction.atomic
def approve_count(p: Principal, count_id: int) -> InventoryCount:
    """Post the variances: each line's stock becomes what was counted (the difference is valued at the
    warehouse's average cost and goes to/from the inventory-loss location). Serial-tracked goods move
    unit by unit: missing serials to inventory loss, found ones from it (unknown serials are created),
    and a unit counted at another location of the warehouse than the ledger's moves there."""
    p.require("inv.count.approve")
    count = (
        InventoryCount.objects.select_for_update(of=("self",), no_key=True).select_related("warehouse").get(pk=count_id)
    )
    if count.status != DocumentStatus.PENDING:
        raise ValidationError(_("Only a submitted count can be approved."))
    if not count.warehouse.is_active:
        raise ValidationError(_("Warehouse %(w)s is closed.") % {"w": count.warehouse.code})
    lines = sorted(
        count.lines.select_related("product", "variant", "location", "lot"),
        key=lambda ln: (ln.product_id, ln.variant_id or 0, ln.id),
    )
    stocks = ledger.lock_stocks((ln.product, ln.variant, count.warehouse) for ln in lines)
    ctx = MoveContext("inventory.count", count.pk, count.number, count.date, p.user)
    loss = ledger.virtual_location(LocationUsage.LOSS)
    counted_anywhere = {(ln.product_id, code) for ln in lines for code in (ln.counted_serials or [])}
    gain_total = loss_total = ZERO
    for ln in lines:
        if ln.product.tracking == Tracking.SERIAL:
            gained, lost = _post_count_serials(ctx, count, ln, loss, stocks, counted_anywhere)
            gain_total += gained
            loss_total += lost
            if gained or lost:
                InventoryCountLine.objects.filter(pk=ln.pk).update(value=gained - lost)
            continue
        quant = StockQuant.objects.filter(
            product=ln.product, variant_key=ln.variant_id or 0, location=ln.location, lot_key=ln.lot_id or 0
        ).first()
        current = quant.on_hand if quant else ZERO
        diff = (ln.counted or ZERO) - current
        if ln.expected != current:
            InventoryCountLine.objects.filter(pk=ln.pk).update(expected=current)
        if diff == 0:
            continue
        if diff > 0:
            stock = stocks[(ln.product_id, ln.variant_id or 0, count.warehouse_id)]
            move = ledger.post_move(
                ctx,
                product=ln.product,
                variant=ln.variant,
                from_location=loss,
                to_location=ln.location,
                quantity=diff,
                lot=ln.lot,
                stocks=stocks,
                unit_cost=stock.average_cost or ln.product.cost_price,
            )
            gain_total += move.value
            value = move.value
        else:
            move = ledger.post_move(
                ctx,
                product=ln.product,
                variant=ln.variant,
                from_location=ln.location,
                to_location=loss,
                quantity=-diff,
                lot=ln.lot,
                stocks=stocks,
            )
            loss_total += move.value
            value = -move.value
        InventoryCountLine.objects.filter(pk=ln.pk).update(value=value)
    _revalue_backdated(p, ctx, stocks.values())
    count.status = DocumentStatus.DONE
    count.approved_by = p.user
    count.save(update_fields=["status", "approved_by"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=count, message="approved")
    publish(
        events.CountVariancePosted(
            tenant_id=p.tenant.pk,
            document_type="inventory.count",
            document_id=count.pk,
            reference=count.number,
            date=count.date.isoformat(),
            warehouse_id=count.warehouse_id,
            value=_amt(gain_total - loss_total),
            gain_value=_amt(gain_total),
            loss_value=_amt(loss_total),
        )
    )
    check_reorder(p.tenant, stocks.values())
    return count


def _post_count_serials(
    ctx: MoveContext,
    count: InventoryCount,
    ln: InventoryCountLine,
    loss: Location,
    stocks: Any,
    counted_anywhere: set[tuple[int, str]],
) -> tuple[Decimal, Decimal]:
    """The moves of one serial-tracked count line, against the units at its location now (locked):
    missing ones go to inventory loss unless counted elsewhere in this count (that line moves them),
    found ones in stock at another location of the warehouse move here, the others come in from
    inventory loss at the average cost (unknown serials are created). Returns (gain, loss) values."""
    counted = list(ln.counted_serials or [])
    if ln.counted is not None and Decimal(len(counted)) != ln.counted:
        raise ValidationError(
            _("%(p)s at %(loc)s: scan or type the serial numbers counted.")
            % {"p": ln.product.sku, "loc": ln.location.code}
        )
    here = [
        unit
        for unit in SerialNumber.objects.select_for_update(of=("self",), no_key=True)
        .filter(product=ln.product, location=ln.location)
        .annotate(**_last_move())
        .order_by("pk")
        if (unit.last_variant or 0) == (ln.variant_id or 0)  # type: ignore[attr-defined]
    ]
    current = sorted(unit.code for unit in here)
    InventoryCountLine.objects.filter(pk=ln.pk).update(expected=Decimal(len(current)), expected_serials=current)
    missing = [
        (unit, ln.location)
        for unit in here
        if unit.code not in counted and (ln.product_id, unit.code) not in counted_anywhere
    ]
    lost = _serials_lost(ctx, ln.product, ln.variant, missing, loss, stocks)
    found = [code for code in counted if code not in current]
    elsewhere = _check_counted_serials(count, ln, found, "serials", lock=True)
    for unit, at in elsewhere:
        ledger.post_move(
            ctx,
            product=ln.product,
            variant=ln.variant,
            from_location=at,
            to_location=ln.location,
            quantity=Decimal(1),
            serial=unit,
            stocks=stocks,
        )
    moved = {unit.code for unit, _at in elsewhere}
    stock = stocks[(ln.product_id, ln.variant_id or 0, count.warehouse_id)]
    gained = _serials_found(
        ctx,
        ln.product,
        ln.variant,
        [code for code in found if code not in moved],
        ln.location,
        loss,
        stock.average_cost or ln.product.cost_price,
        stocks,
    )
    return gained, lost


@transaction.atomic
def cancel_count(p: Principal, count_id: int) -> InventoryCount:
    """Cancel a draft count (its creator's right) or one awaiting approval (the approver's decision,
    as for movements, adjustments and transfers; docs/inventory.md "Cancelling")."""
    p.require("inv.count.create")
    count = InventoryCount.objects.select_for_update(of=("self",), no_key=True).get(pk=count_id)
    if count.status == DocumentStatus.PENDING:
        p.require("inv.count.approve")
    if count.status not in (DocumentStatus.DRAFT, DocumentStatus.PENDING):
        raise ValidationError(_("This count is %(s)s.") % {"s": count.get_status_display()})
    count.status = DocumentStatus.CANCELLED
    count.save(update_fields=["status"])
    return count
