"""Stock transfers between warehouses: pending → approved → in transit → done."""

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
from novasaas.inventory.actions._common import ZERO, Rows, _actor, _amt, _get, _number, _qty
from novasaas.inventory.actions.lines import (
    _location_in,
    _product_for_line,
    _serial_codes,
    _serial_line,
    _serials_in_stock,
    _warehouse,
)
from novasaas.inventory.actions.movements import suggest_picks
from novasaas.inventory.actions.reorder import check_reorder
from novasaas.inventory.actions.valuation import _revalue_backdated
from novasaas.inventory.ledger import MoveContext
from novasaas.inventory.models import (
    DocumentStatus,
    Location,
    LocationUsage,
    Product,
    SerialNumber,
    StockMove,
    StockTransfer,
    StockTransferLine,
    Warehouse,
)
from novasaas.platform import audit
from novasaas.platform.events import publish

# --- transfers -------------------------------------------------------------------------------------


@transaction.atomic
def create_transfer(
    p: Principal,
    *,
    from_warehouse_id: int,
    to_warehouse_id: int,
    lines: Rows,
    date: Date | None = None,
    note: str = "",
) -> StockTransfer:
    p.require("inv.transfer.create")
    on = date or timezone.localdate()
    src = _warehouse(from_warehouse_id)
    dst = _get(Warehouse, to_warehouse_id, "to_warehouse_id")
    if dst is None or not dst.is_active:
        raise ValidationError({"to_warehouse_id": _("Choose an open warehouse to transfer to.")})
    transfer = StockTransfer(from_warehouse=src, to_warehouse=dst, date=on, note=note or "", created_by=p.user)
    transfer.clean()
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    built = []
    seen: set[tuple[int, str]] = set()
    for i, row in enumerate(lines):
        product, variant = _product_for_line(row, i)
        field = f"lines[{i}].serials"
        codes, n = _serial_line(product, row, row.get("quantity"), field, seen)
        if codes:
            _serials_in_stock(product, codes, field, warehouse=src)
            busy = _serials_on_open_transfers(product, codes)
            if busy:
                code, number = busy[0]
                raise ValidationError(
                    {field: _("Serial %(s)s is already on transfer %(n)s.") % {"s": code, "n": number}}
                )
        built.append(
            StockTransferLine(  # type: ignore[misc]
                product=product,
                variant=variant,
                quantity=n if n is not None else _qty(row.get("quantity"), f"lines[{i}].quantity"),
                lot_code=str(row.get("lot_code") or "").strip()[:60] if not codes else "",
                serials=codes,
            )
        )
    transfer.number = _number("inventory.transfer", on)
    transfer.save()
    for line in built:
        line.transfer = transfer
        line.save()
    audit.record_created(transfer, _actor(p))
    return transfer


def _serials_on_open_transfers(product: Product, codes: Sequence[str]) -> list[tuple[str, str]]:
    """(serial, transfer number) of ``codes`` already picked on a transfer not yet shipped."""
    wanted = set(codes)
    rows = StockTransferLine.objects.filter(
        product=product, transfer__status__in=(DocumentStatus.PENDING, DocumentStatus.APPROVED)
    ).values_list("serials", "transfer__number")
    return sorted((code, number) for serials, number in rows for code in serials or [] if code in wanted)


def _lock_transfer(transfer_id: int, status: str) -> StockTransfer:
    transfer = (
        StockTransfer.objects.select_for_update(of=("self",), no_key=True)
        .select_related("from_warehouse", "to_warehouse")
        .get(pk=transfer_id)
    )
    if transfer.status != status:
        raise ValidationError(_("This transfer is %(s)s.") % {"s": transfer.get_status_display()})
    return transfer  # type: ignore[no-any-return]


@transaction.atomic
def approve_transfer(p: Principal, transfer_id: int) -> StockTransfer:
    p.require("inv.transfer.approve")
    transfer = _lock_transfer(transfer_id, DocumentStatus.PENDING)
    transfer.status = DocumentStatus.APPROVED
    transfer.approved_by = p.user
    transfer.save(update_fields=["status", "approved_by"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=transfer, message="approved")
    return transfer


@transaction.atomic
def ship_transfer(p: Principal, transfer_id: int) -> StockTransfer:
    """Take the goods out of the source warehouse into transit (FEFO picks), at its average cost."""
    p.require("inv.transfer.execute")
    transfer = _lock_transfer(transfer_id, DocumentStatus.APPROVED)
    src = transfer.from_warehouse
    if not src.is_active:
        raise ValidationError(_("Warehouse %(w)s is closed.") % {"w": src.code})
    lines = sorted(transfer.lines.select_related("product", "variant"), key=lambda ln: (ln.product_id, ln.id))
    stocks = ledger.lock_stocks((ln.product, ln.variant, src) for ln in lines)
    ctx = MoveContext("inventory.transfer", transfer.pk, transfer.number, transfer.date, p.user)
    transit = ledger.virtual_location(LocationUsage.TRANSIT)
    for ln in lines:
        value = ZERO
        if ln.serials:  # the units picked when the transfer was made, each from where it is now
            for unit, at in _serials_in_stock(ln.product, ln.serials, "serials", warehouse=src, lock=True):
                value += ledger.post_move(
                    ctx,
                    product=ln.product,
                    variant=ln.variant,
                    from_location=at,
                    to_location=transit,
                    quantity=Decimal(1),
                    serial=unit,
                    stocks=stocks,
                ).value
            StockTransferLine.objects.filter(pk=ln.pk).update(value=value)
            continue
        for loc, lot, qty in suggest_picks(src, ln.product, ln.variant, ln.quantity, ln.lot_code):
            value += ledger.post_move(
                ctx,
                product=ln.product,
                variant=ln.variant,
                from_location=loc,
                to_location=transit,
                quantity=qty,
                lot=lot,
                stocks=stocks,
            ).value
        StockTransferLine.objects.filter(pk=ln.pk).update(value=value)
    _revalue_backdated(p, ctx, stocks.values())
    _publish_transfer(p, transfer, "shipped", transfer.date)
    transfer.status = DocumentStatus.IN_TRANSIT
    transfer.shipped_at = timezone.now()
    transfer.save(update_fields=["status", "shipped_at"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=transfer, message="shipped")
    check_reorder(p.tenant, stocks.values())
    return transfer


@transaction.atomic
def receive_transfer(
    p: Principal, transfer_id: int, location_id: int | None = None, serials: Any = None
) -> StockTransfer:
    """Confirm receipt at the destination: what left in transit enters, at the value it carried.

    ``serials`` (optional) are the serial numbers scanned at the destination: when given they must be
    exactly the units shipped on this transfer (a missing or foreign unit is refused, nothing moves)."""
    p.require("inv.transfer.execute")
    transfer = _lock_transfer(transfer_id, DocumentStatus.IN_TRANSIT)
    dst = transfer.to_warehouse
    dest = _location_in(dst, location_id, "location_id") or ledger.root_location(dst)
    transit = ledger.virtual_location(LocationUsage.TRANSIT)
    shipped = list(
        StockMove.objects.filter(document_type="inventory.transfer", document_id=transfer.pk, to_location=transit)
        .select_related("product", "variant", "lot", "serial")
        .order_by("product_id", "id")
    )
    scanned = _serial_codes({"serials": serials}, "serials")
    if scanned:
        _check_received_serials(scanned, [m.serial.code for m in shipped if m.serial is not None])
    stocks = ledger.lock_stocks((m.product, m.variant, dst) for m in shipped)
    ctx = MoveContext("inventory.transfer", transfer.pk, transfer.number, timezone.localdate(), p.user)
    for m in shipped:
        ledger.post_move(
            ctx,
            product=m.product,
            variant=m.variant,
            from_location=transit,
            to_location=dest,
            quantity=m.quantity,
            value=m.value,
            lot=m.lot,
            serial=_serial_in_transit(m.serial, transit) if m.serial is not None else None,
            stocks=stocks,
        )
    _publish_transfer(p, transfer, "received", ctx.date)
    transfer.status = DocumentStatus.DONE
    transfer.received_at = timezone.now()
    transfer.save(update_fields=["status", "received_at"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=transfer, message="received")
    check_reorder(p.tenant, stocks.values())
    return transfer


def _check_received_serials(scanned: Sequence[str], shipped: Sequence[str]) -> None:
    if len(set(scanned)) != len(scanned):
        raise ValidationError({"serials": _("A serial number is repeated.")})
    extra = sorted(set(scanned) - set(shipped))
    if extra:
        raise ValidationError({"serials": _("Serial %(s)s was not shipped on this transfer.") % {"s": extra[0]}})
    missing = sorted(set(shipped) - set(scanned))
    if missing:
        raise ValidationError(
            {
                "serials": _("Serial %(s)s of this transfer was not scanned (%(n)s missing).")
                % {"s": missing[0], "n": len(missing)}
            }
        )


def _serial_in_transit(serial: SerialNumber, transit: Location) -> SerialNumber:
    unit = SerialNumber.objects.select_for_update(of=("self",), no_key=True).get(pk=serial.pk)
    if unit.location_id != transit.pk:
        raise ValidationError(_("Serial %(s)s is no longer in transit.") % {"s": unit.code})
    return unit  # type: ignore[no-any-return]


def _publish_transfer(p: Principal, transfer: StockTransfer, stage: str, on: Date) -> None:
    transit = ledger.virtual_location(LocationUsage.TRANSIT)
    moves = StockMove.objects.filter(document_type="inventory.transfer", document_id=transfer.pk)
    moves = moves.filter(to_location=transit) if stage == "shipped" else moves.filter(from_location=transit)
    value = Decimal(sum(moves.values_list("value", flat=True), ZERO))
    publish(
        events.StockTransferred(
            tenant_id=p.tenant.pk,
            document_type="inventory.transfer",
            document_id=transfer.pk,
            reference=transfer.number,
            date=on.isoformat(),
            warehouse_id=transfer.to_warehouse_id if stage == "received" else transfer.from_warehouse_id,
            value=_amt(value),
            from_warehouse_id=transfer.from_warehouse_id,
            to_warehouse_id=transfer.to_warehouse_id,
            stage=stage,
        )
    )


@transaction.atomic
def cancel_transfer(p: Principal, transfer_id: int) -> StockTransfer:
    p.require("inv.transfer.approve")
    transfer = StockTransfer.objects.select_for_update(of=("self",), no_key=True).get(pk=transfer_id)
    if transfer.status not in (DocumentStatus.PENDING, DocumentStatus.APPROVED):
        raise ValidationError(_("Only a transfer not yet shipped can be cancelled."))
    transfer.status = DocumentStatus.CANCELLED
    transfer.save(update_fields=["status"])
    return transfer
