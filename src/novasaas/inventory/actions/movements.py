"""Goods receipts and goods issues (draft → pick → pack → validate/approve), and put-away."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date as Date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.inventory import events, ledger
from novasaas.inventory.actions._common import PREFIX, ZERO, Rows, _actor, _amt, _currency, _get, _number, _qty
from novasaas.inventory.actions.catalogue import find_by_code
from novasaas.inventory.actions.lines import (
    _build_movement_lines,
    _location_in,
    _lot_for,
    _product_for_line,
    _serial_line,
    _serial_to_receive,
    _serials_in_stock,
    _warehouse,
    needs_approval,
)
from novasaas.inventory.actions.reorder import check_reorder
from novasaas.inventory.actions.valuation import _revalue_backdated
from novasaas.inventory.ledger import InsufficientStock, MoveContext
from novasaas.inventory.models import (
    DocumentStatus,
    IssuePurpose,
    Location,
    LocationUsage,
    LotNumber,
    MovementKind,
    Product,
    ProductVariant,
    SerialNumber,
    StockMove,
    StockMovement,
    StockMovementLine,
    StockQuant,
    Tracking,
    Warehouse,
)
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.money import FixedPointField, quantize, round_money
from novasaas.platform.numbering import next_number
from novasaas.platform.transactions import atomic

# --- receipts and issues ---------------------------------------------------------------------------


@atomic
def create_movement(
    p: Principal,
    *,
    kind: str,
    warehouse_id: int,
    lines: Rows,
    date: Date | None = None,
    partner_id: int | None = None,
    purpose: str = IssuePurpose.SALE,
    is_customer_return: bool = False,
    source_document: str = "",
    purchase_order_id: int | None = None,
    sales_order_id: int | None = None,
    note: str = "",
    validate: bool = False,
) -> StockMovement:
    """A draft goods receipt (``kind="receipt"``) or goods issue (``kind="issue"``); with ``validate`` it
    is validated in the same transaction (``validate_movement``), so a refusal leaves nothing behind."""
    if kind not in MovementKind.values:
        raise ValidationError({"kind": _("Unknown kind.")})
    p.require("inv.receipt.create" if kind == MovementKind.RECEIPT else "inv.issue.create")
    if purpose not in IssuePurpose.values:
        raise ValidationError({"purpose": _("Unknown purpose.")})
    if partner_id is not None:
        from novasaas.parties.selectors import resolve_party_id

        if resolve_party_id(p.tenant, partner_id) is None:
            raise ValidationError({"partner_id": _("Unknown party.")})
    on = date or timezone.localdate()
    movement = StockMovement(
        kind=kind,
        warehouse=_warehouse(warehouse_id),
        date=on,
        partner_id=partner_id,
        purpose=purpose,
        is_customer_return=is_customer_return,
        source_document=(source_document or "")[:80],
        note=note or "",
        created_by=p.user,
    )
    movement.source_document = _source(movement.source_document, purchase_order_id, sales_order_id)
    built = _build_movement_lines(movement, lines)
    # validated at once: numbered late (``_post_movement``), so the tenant's NK-/XK- number row is locked
    # only for the last statements of the transaction, not for all of it
    movement.number = "" if validate else _number(f"inventory.{kind}", on)
    movement.save()
    for line in built:
        line.movement = movement
        line.tenant = movement.tenant  # bulk_create skips TenantModel.save(); every related row is this tenant's
    StockMovementLine.objects.bulk_create(built)  # one INSERT (ids returned on PostgreSQL and SQLite)
    if not validate:
        audit.record_created(movement, _actor(p))
    if validate:
        # the document was created by this transaction: nobody else sees it, so no lock and no re-read
        _validate(p, movement, built)
    else:
        _keep_lines(movement, built)
    return movement


def _keep_lines(movement: StockMovement, lines: list[StockMovementLine]) -> None:
    """Keep ``lines`` on the document as ``lines_in_memory``, as the database would give them back, so the
    API answers from memory without reading the document again (``lines.all()`` still reads the table)."""
    lines.sort(key=lambda ln: ln.pk)
    for ln in lines:  # as the database gives them back (e.g. money with its 2 stored decimals)
        for field in FIXED_POINT_FIELDS:
            value = getattr(ln, field.attname)
            setattr(ln, field.attname, field.from_db_value(field.get_prep_value(value), None, connection))
    movement.lines_in_memory = lines  # type: ignore[attr-defined]


MOVEMENT_HEADER_FIELDS = (
    "warehouse_id",
    "date",
    "partner_id",
    "purpose",
    "is_customer_return",
    "source_document",
    "note",
)


@transaction.atomic
def update_movement(p: Principal, movement_id: int, changes: Mapping[str, Any]) -> StockMovement:
    """Change a draft receipt or issue: header fields present in ``changes`` and, when ``lines`` is
    given, all its lines (replaced, validated as at creation). Refused once the document left the
    draft state (picked, validated, posted or cancelled): what was posted is never rewritten."""
    movement = _lock_movement(movement_id)
    p.require("inv.receipt.create" if movement.kind == MovementKind.RECEIPT else "inv.issue.create")
    if movement.status != DocumentStatus.DRAFT:
        raise ValidationError(
            {"status": _("Only a draft can be changed; this document is %(s)s.") % {"s": movement.get_status_display()}}
        )
    unknown = set(changes) - {*MOVEMENT_HEADER_FIELDS, "lines"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    before = audit.snapshot(movement)
    if changes.get("warehouse_id") is not None:
        movement.warehouse = _warehouse(changes["warehouse_id"])
    if changes.get("date") is not None:
        movement.date = changes["date"]
    if "partner_id" in changes:
        partner_id = changes["partner_id"]
        if partner_id is not None:
            from novasaas.parties.selectors import resolve_party_id

            if resolve_party_id(p.tenant, partner_id) is None:
                raise ValidationError({"partner_id": _("Unknown party.")})
        movement.partner_id = partner_id
    if changes.get("purpose") is not None:
        if changes["purpose"] not in IssuePurpose.values:
            raise ValidationError({"purpose": _("Unknown purpose.")})
        movement.purpose = changes["purpose"]
    if changes.get("is_customer_return") is not None:
        movement.is_customer_return = bool(changes["is_customer_return"])
    if changes.get("source_document") is not None:
        movement.source_document = str(changes["source_document"])[:80]
    if changes.get("note") is not None:
        movement.note = str(changes["note"])
    built = _build_movement_lines(movement, changes["lines"]) if changes.get("lines") is not None else None
    movement.save()
    if built is not None:
        movement.lines.all().delete()
        for line in built:
            line.movement = movement
            line.save()
    audit.record_updated(movement, _actor(p), before)
    return movement


def _source(source: str, purchase_order_id: int | None, sales_order_id: int | None) -> str:
    if source:
        return source
    if purchase_order_id:
        return f"scm.purchaseorder:{purchase_order_id}"
    if sales_order_id:
        return f"crm.salesorder:{sales_order_id}"
    return ""


def _order_id(source: str, prefix: str) -> int | None:
    if source.startswith(prefix + ":"):
        tail = source.split(":", 1)[1]
        return int(tail) if tail.isdigit() else None
    return None


def _lock_movement(movement_id: int, kind: str | None = None) -> StockMovement:
    qs = StockMovement.objects.select_for_update(of=("self",), no_key=True).select_related("warehouse")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.get(pk=movement_id)  # type: ignore[no-any-return]


def suggest_picks(
    warehouse: Warehouse,
    product: Product,
    variant: ProductVariant | None,
    qty: Decimal,
    lot_code: str = "",
    location: Location | None = None,
    on: Date | None = None,
) -> list[tuple[Location, LotNumber | None, Decimal]]:
    """Where to pick ``qty``: first-expired-first-out over lots, then the fullest location.

    Lots expired before ``on`` (default today) are never picked on their own: goods past their date
    leave only when the user names the lot (e.g. to dispose of them)."""
    quants = StockQuant.objects.filter(
        product=product, variant_key=variant.pk if variant else 0, warehouse=warehouse, on_hand__gt=0
    ).select_related("location", "lot")
    if lot_code:
        quants = quants.filter(lot__code=lot_code)
    if location is not None:
        quants = quants.filter(location=location)
    rows = list(quants)  # one query; expired lots are set apart in memory
    for q in rows:
        q.location.warehouse = warehouse
    expired = ZERO
    if not lot_code:
        cutoff = on or timezone.localdate()
        live = [q for q in rows if not (q.lot and q.lot.expires_on and q.lot.expires_on < cutoff)]
        expired = sum((q.on_hand for q in rows if q not in live), ZERO)
        rows = live
    ordered = sorted(
        rows,
        key=lambda q: (
            q.lot.expires_on is None if q.lot else True,
            q.lot.expires_on if q.lot and q.lot.expires_on else Date.max,
            q.lot.code if q.lot else "",
            -q.on_hand,
            q.location.code,
        ),
    )
    picks: list[tuple[Location, LotNumber | None, Decimal]] = []
    left = qty
    for q in ordered:
        if left <= 0:
            break
        take = min(q.on_hand, left)
        picks.append((q.location, q.lot, take))
        left -= take
    if left > 0:
        if warehouse.allow_negative_stock and product.tracking == Tracking.NONE:
            picks.append((location or ledger.root_location(warehouse), None, left))
        elif expired:
            raise InsufficientStock(
                _(
                    "Not enough %(p)s in %(w)s: %(q)s requested, %(a)s on hand that has not expired "
                    "(%(e)s expired: name the lot to issue it)."
                )
                % {"p": product.sku, "w": warehouse.code, "q": qty, "a": qty - left, "e": expired}
            )
        else:
            raise InsufficientStock(
                _("Not enough %(p)s in %(w)s: %(q)s requested, %(a)s on hand.")
                % {
                    "p": ledger._product(product),
                    "w": warehouse.code,
                    "q": ledger._qty(qty, product),
                    "a": ledger._qty(qty - left, product),
                }
            )
    return picks


def _allocate_issue_lines(
    movement: StockMovement, lines: list[StockMovementLine] | None = None
) -> list[StockMovementLine]:
    """Split each issue line into picks with a location and lot (FEFO), unless serials fix them; returns
    the lines after the split. A line taken from one place keeps its row (changed in memory, saved by
    the caller: ``line.allocated``); a line split over several places is replaced by one row per pick."""
    if lines is None:
        lines = list(movement.lines.select_related("product", "product__stock_unit", "variant", "location"))
    result: list[StockMovementLine] = []
    for line in lines:
        if line.product.tracking == Tracking.SERIAL:
            result.append(line)
            continue
        if line.location_id and (line.lot_code or line.product.tracking != Tracking.LOT):
            result.append(line)
            continue
        picks = suggest_picks(
            movement.warehouse,
            line.product,
            line.variant,
            line.stock_quantity,
            line.lot_code,
            line.location,
            on=movement.date,
        )
        if len(picks) == 1:
            loc, lot, qty = picks[0]
            line.location, line.lot_code = loc, lot.code if lot else ""
            line.unit, line.quantity, line.stock_quantity = line.product.stock_unit, qty, qty
            line.allocated = True  # type: ignore[attr-defined]
            result.append(line)
            continue
        for loc, lot, qty in picks:
            result.append(
                StockMovementLine.objects.create(  # type: ignore[misc]
                    movement=movement,
                    product=line.product,
                    variant=line.variant,
                    location=loc,
                    unit=line.product.stock_unit,
                    quantity=qty,
                    stock_quantity=qty,
                    lot_code=lot.code if lot else "",
                )
            )
        line.delete()
    return result


FIXED_POINT_FIELDS = [f for f in StockMovementLine._meta.concrete_fields if isinstance(f, FixedPointField)]
ALLOCATED_FIELDS = ["location", "lot_code", "unit", "quantity", "stock_quantity"]


@transaction.atomic
def scan_movement(
    p: Principal, movement_id: int, *, code: str, quantity: Any = 1, location_id: int | None = None
) -> Any:
    """A scanner read on a draft receipt or issue: add ``quantity`` (1) of the scanned product (stock
    unit) to its line at that location, creating the line when needed."""
    movement = _lock_movement(movement_id)
    p.require("inv.receipt.create" if movement.kind == MovementKind.RECEIPT else "inv.issue.create")
    if movement.status != DocumentStatus.DRAFT:
        raise ValidationError(_("This document is %(s)s.") % {"s": movement.get_status_display()})
    found = find_by_code(code)
    if found is None:
        raise ValidationError({"code": _("No product has the code %(c)s.") % {"c": code[:40]}})
    product, variant = found
    if not product.is_stocked or not product.is_active:
        raise ValidationError({"code": _("%(p)s is a service: it has no stock.") % {"p": product.sku}})
    if product.tracking != Tracking.NONE:
        raise ValidationError({"code": _("Lot or serial goods are entered in the form (lot / serial number).")})
    qty = _qty(quantity)
    location = _location_in(movement.warehouse, location_id, "location_id")
    line = StockMovementLine.objects.filter(
        movement=movement, product=product, variant=variant, location=location, unit=product.stock_unit
    ).first()
    if line is None:
        line = StockMovementLine(  # type: ignore[misc]
            movement=movement,
            product=product,
            variant=variant,
            location=location,
            unit=product.stock_unit,
            quantity=ZERO,
            stock_quantity=ZERO,
        )
        if movement.kind == MovementKind.RECEIPT:
            line.unit_cost = quantize(product.cost_price, 6)
    line.quantity += qty
    line.stock_quantity += qty
    if movement.kind == MovementKind.RECEIPT:
        line.value = round_money(line.stock_quantity * line.unit_cost, _currency())
    line.save()
    return line


@transaction.atomic
def pick_issue(p: Principal, movement_id: int) -> StockMovement:
    """Choose locations and lots for every line (FEFO) and mark the issue picked."""
    p.require("inv.issue.create")
    movement = _lock_movement(movement_id, MovementKind.ISSUE)
    if movement.status != DocumentStatus.DRAFT:
        raise ValidationError(_("Only a draft issue can be picked."))
    for line in _allocate_issue_lines(movement):
        if getattr(line, "allocated", False):
            line.save(update_fields=ALLOCATED_FIELDS)
    movement.status = DocumentStatus.PICKED
    movement.save(update_fields=["status"])
    return movement


@transaction.atomic
def pack_issue(p: Principal, movement_id: int) -> StockMovement:
    p.require("inv.issue.create")
    movement = _lock_movement(movement_id, MovementKind.ISSUE)
    if movement.status != DocumentStatus.PICKED:
        raise ValidationError(_("Pick the goods before packing."))
    movement.status = DocumentStatus.PACKED
    movement.save(update_fields=["status"])
    return movement


@atomic
def validate_movement(p: Principal, movement_id: int) -> StockMovement:
    """Post a receipt or issue. Above the company's thresholds, a member without the approval right
    only submits it (status "waiting for approval"); a Warehouse Manager's validation posts it."""
    movement = _lock_movement(movement_id)
    _validate(p, movement, None)
    return movement


def _validate(p: Principal, movement: StockMovement, lines: list[StockMovementLine] | None) -> None:
    """``validate_movement`` on a locked (or just created) document; ``lines`` are its lines when in memory."""
    p.require("inv.receipt.create" if movement.kind == MovementKind.RECEIPT else "inv.issue.create")
    if movement.status not in (DocumentStatus.DRAFT, DocumentStatus.PICKED, DocumentStatus.PACKED):
        raise ValidationError(_("This document is %(s)s.") % {"s": movement.get_status_display()})
    if not movement.warehouse.is_active:
        raise ValidationError(_("Warehouse %(w)s is closed.") % {"w": movement.warehouse.code})
    if needs_approval(movement, lines) and not p.has("inv.movement.approve"):
        movement.status = DocumentStatus.PENDING
        if not movement.number:  # created with ``validate``: numbered now
            movement.number = _number(f"inventory.{movement.kind}", movement.date)
            movement.save(update_fields=["status", "number"])
            audit.record_created(movement, _actor(p))
        else:
            movement.save(update_fields=["status"])
        from novasaas.platform.notifications import notify

        notify(
            p.tenant,
            "inv.movement.approve",
            "approvals",
            _("%(n)s waits for your approval") % {"n": movement.number},
            url=f"/inventory/movements/{movement.pk}/",
        )
        return
    _post_movement(p, movement, lines)


@atomic
def approve_movement(p: Principal, movement_id: int) -> StockMovement:
    p.require("inv.movement.approve")
    movement = _lock_movement(movement_id)
    if movement.status != DocumentStatus.PENDING:
        raise ValidationError(_("Only a document waiting for approval can be approved."))
    movement.approved_by = p.user
    _post_movement(p, movement)
    return movement


@transaction.atomic
def cancel_movement(p: Principal, movement_id: int) -> StockMovement:
    movement = _lock_movement(movement_id)
    p.require("inv.receipt.create" if movement.kind == MovementKind.RECEIPT else "inv.issue.create")
    if movement.status == DocumentStatus.PENDING:
        p.require("inv.movement.approve")
    if movement.status in (DocumentStatus.DONE, DocumentStatus.CANCELLED):
        raise ValidationError(_("This document is %(s)s.") % {"s": movement.get_status_display()})
    movement.status = DocumentStatus.CANCELLED
    movement.save(update_fields=["status"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=movement, message="cancelled")
    return movement


def _post_movement(p: Principal, movement: StockMovement, lines: list[StockMovementLine] | None = None) -> None:
    if lines is None:
        lines = list(
            movement.lines.select_related("product", "product__stock_unit", "product__category", "variant", "location")
        )
    wh = movement.warehouse
    # lock the warehouse rows first (issues: before choosing locations, so the picks read settled quants)
    stocks = ledger.lock_stocks((ln.product, ln.variant, wh) for ln in lines)
    if movement.kind == MovementKind.ISSUE:
        lines = _allocate_issue_lines(movement, lines)
    lines.sort(key=lambda ln: (ln.product_id, ln.variant_id or 0, ln.id))
    movement.status = DocumentStatus.DONE
    movement.done_at = timezone.now()
    numbered_now = not movement.number
    if numbered_now:
        # the number (and the done state with it: one statement) as late as the stock ledger allows — its
        # moves carry the number and are append-only — so the number row is locked from here to COMMIT only
        _number_and_close(movement)
    # created and posted in one request: both audit entries are appended by one statement, below
    created = (
        [audit.build(audit.AuditAction.CREATE, actor=_actor(p), obj=movement, after=audit.snapshot(movement))]
        if numbered_now
        else []
    )
    ctx = MoveContext(f"inventory.{movement.kind}", movement.pk, movement.number, movement.date, p.user)
    root = ledger.root_location(wh)
    total = ZERO
    if movement.kind == MovementKind.RECEIPT:
        source = ledger.virtual_location(
            LocationUsage.CUSTOMER if movement.is_customer_return else LocationUsage.SUPPLIER
        )
        for ln in lines:
            dest = ln.location or root
            lot = _lot_for(ln.product, ln.lot_code, ln.expires_on, movement.date)
            if ln.serials:
                total += _receive_serials(ctx, ln, source, dest, stocks)
            else:
                move = ledger.post_move(
                    ctx,
                    product=ln.product,
                    variant=ln.variant,
                    from_location=source,
                    to_location=dest,
                    quantity=ln.stock_quantity,
                    value=ln.value,
                    lot=lot,
                    stocks=stocks,
                )
                total += move.value
    else:
        dest = ledger.virtual_location(
            LocationUsage.SUPPLIER if movement.purpose == IssuePurpose.RETURN_TO_VENDOR else LocationUsage.CUSTOMER
        )
        for ln in lines:
            stock = stocks[(ln.product_id, ln.variant_id or 0, wh.pk)]
            if ln.serials:
                line_value = _issue_serials(ctx, ln, wh, dest, stocks, movement.source_document)
            else:
                lot = LotNumber.objects.filter(product=ln.product, code=ln.lot_code).first() if ln.lot_code else None
                if ln.lot_code and lot is None:
                    raise ValidationError(_("Unknown lot %(l)s of %(p)s.") % {"l": ln.lot_code, "p": ln.product.sku})
                consumed = ledger.take_reservation(stock, movement.source_document, ln.stock_quantity)
                line_value = ledger.post_move(
                    ctx,
                    product=ln.product,
                    variant=ln.variant,
                    from_location=ln.location or root,
                    to_location=dest,
                    quantity=ln.stock_quantity,
                    lot=lot,
                    stocks=stocks,
                    consume_reserved=consumed,
                ).value
            # the unit cost actually used (the average at the issue date), per stock unit, with the value
            ln.value = line_value
            ln.unit_cost = quantize(line_value / ln.stock_quantity, 6) if ln.stock_quantity else Decimal(0)
            fields = ["value", "unit_cost", *(ALLOCATED_FIELDS if getattr(ln, "allocated", False) else ())]
            ln.save(update_fields=fields)
            total += line_value
    _revalue_backdated(p, ctx, stocks.values())
    if not numbered_now:
        movement.save(update_fields=["status", "done_at", "approved_by"])
    posted = audit.build(
        audit.AuditAction.UPDATE, actor=_actor(p), obj=movement, message="posted", after={"value": str(total)}
    )
    audit.write([*created, posted])
    common: dict[str, Any] = {
        "tenant_id": p.tenant.pk,
        "document_id": movement.pk,
        "reference": movement.number,
        "date": movement.date.isoformat(),
        "warehouse_id": wh.pk,
        "value": _amt(total),
    }
    if movement.kind == MovementKind.RECEIPT:
        publish(
            events.GoodsReceived(
                document_type="inventory.receipt",
                partner_id=movement.partner_id,
                purchase_order_id=_order_id(movement.source_document, "scm.purchaseorder"),
                is_customer_return=movement.is_customer_return,
                **common,
            )
        )
    else:
        publish(
            events.GoodsIssued(
                document_type="inventory.issue",
                purpose=movement.purpose,
                partner_id=movement.partner_id,
                sales_order_id=_order_id(movement.source_document, "crm.salesorder"),
                **common,
            )
        )
    check_reorder(p.tenant, stocks.values())
    _keep_lines(movement, lines)


def _number_and_close(movement: StockMovement) -> None:
    """Take the document's gapless number and write it with the done state: on PostgreSQL one statement
    (the sequence upsert in a CTE, as ``platform.numbering.next_number`` does it, and the document's
    UPDATE), elsewhere the two. The number row stays locked until COMMIT (gapless, rolled back with it)."""
    key, year = f"inventory.{movement.kind}", movement.date.year
    if connection.vendor != "postgresql":
        movement.number = _number(key, movement.date)
        movement.save(update_fields=["number", "status", "done_at", "approved_by"])
        return
    meta = StockMovement._meta
    fields = {f.name: f for f in meta.concrete_fields}
    done_at = fields["done_at"].get_db_prep_save(movement.done_at, connection)
    assert meta.db_table == "inventory_stockmovement"  # noqa: S101 - the statement below names it
    sql = (
        "WITH n AS (INSERT INTO platform_sequence (tenant_id, key, period, next_value) VALUES (%s, %s, %s, 2)"
        " ON CONFLICT (tenant_id, key, period) DO UPDATE SET next_value = platform_sequence.next_value + 1"
        " RETURNING next_value - 1 AS v)"
        " UPDATE inventory_stockmovement SET number = %s || CASE WHEN n.v < 100000 THEN lpad(n.v::text, 5, '0')"
        " ELSE n.v::text END, status = %s, done_at = %s, approved_by_id = %s"
        " FROM n WHERE inventory_stockmovement.id = %s RETURNING inventory_stockmovement.number"
    )
    params = [movement.tenant_id, key, str(year), f"{PREFIX[key]}-{year}-", movement.status, done_at]
    params += [movement.approved_by_id, movement.pk]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        (movement.number,) = cursor.fetchone()


def _receive_serials(ctx: MoveContext, ln: StockMovementLine, source: Location, dest: Location, stocks: Any) -> Decimal:
    n = len(ln.serials)
    total = ZERO
    for i, code in enumerate(ln.serials):
        serial = _serial_to_receive(ln.product, code)
        share = round_money(ln.value / n, _currency())
        value = ln.value - share * (n - 1) if i == n - 1 else share
        total += ledger.post_move(
            ctx,
            product=ln.product,
            variant=ln.variant,
            from_location=source,
            to_location=dest,
            quantity=Decimal(1),
            value=value,
            serial=serial,
            stocks=stocks,
        ).value
    return total


def _issue_serials(
    ctx: MoveContext, ln: StockMovementLine, wh: Warehouse, dest: Location, stocks: Any, for_document: str
) -> Decimal:
    total = ZERO
    stock = stocks[(ln.product_id, ln.variant_id or 0, wh.pk)]
    for code in ln.serials:
        serial = (
            SerialNumber.objects.select_for_update(of=("self",), no_key=True)
            .filter(product=ln.product, code=code)
            .first()
        )
        if serial is None or serial.location_id is None:
            raise ValidationError(_("Serial %(s)s of %(p)s is not in stock.") % {"s": code, "p": ln.product.sku})
        loc = Location.objects.get(pk=serial.location_id)
        if loc.warehouse_id != wh.pk:
            raise ValidationError(_("Serial %(s)s is in another warehouse.") % {"s": code})
        consumed = ledger.take_reservation(stock, for_document, Decimal(1))
        total += ledger.post_move(
            ctx,
            product=ln.product,
            variant=ln.variant,
            from_location=loc,
            to_location=dest,
            quantity=Decimal(1),
            serial=serial,
            stocks=stocks,
            consume_reserved=consumed,
        ).value
    return total


def receive_goods(p: Principal, *, warehouse_id: int, lines: Rows, **kwargs: Any) -> StockMovement:
    """Create and post a goods receipt in one call (Purchasing's entry point). Lines: ``product_id``,
    ``quantity``, optional ``unit_id`` (e.g. thùng), ``unit_cost`` per that unit, ``location_id``
    (put-away), ``lot_code``/``expires_on``, ``serials``. Publishes ``GoodsReceived`` (may wait for
    approval above the thresholds: check ``status``)."""
    with transaction.atomic():
        # created and validated in one go (numbered late, lines kept in memory: see ``create_movement``)
        return create_movement(
            p, kind=MovementKind.RECEIPT, warehouse_id=warehouse_id, lines=lines, **{**kwargs, "validate": True}
        )


def issue_goods(p: Principal, *, warehouse_id: int, lines: Rows, **kwargs: Any) -> StockMovement:
    """Create and post a goods issue (Sales' entry point). ``source_document``/``sales_order_id``
    names the document whose reservation it consumes. Locations and lots are picked FEFO when not
    given. Publishes ``GoodsIssued`` with the cost of the goods."""
    with transaction.atomic():
        # created and validated in one go (numbered late, lines kept in memory: see ``create_movement``)
        return create_movement(
            p, kind=MovementKind.ISSUE, warehouse_id=warehouse_id, lines=lines, **{**kwargs, "validate": True}
        )


@transaction.atomic
def put_away(
    p: Principal,
    *,
    product_id: int,
    from_location_id: int,
    to_location_id: int,
    quantity: Any = None,
    lot_code: str = "",
    variant_id: int | None = None,
    serials: Any = None,
) -> StockMove:
    """Move stock between two locations of one warehouse (put-away after a receipt, or relocation).

    Serial-tracked goods move by serial number (``serials``; the quantity is their number): each unit
    must be at ``from_location`` and follows to ``to_location``; one move per unit, the first is returned.
    """
    p.require("inv.receipt.create")
    product, variant = _product_for_line({"product_id": product_id, "variant_id": variant_id}, 0)
    src = _get(Location, from_location_id, "from_location_id")
    if src is None or src.usage != LocationUsage.INTERNAL:
        raise ValidationError({"from_location_id": _("Choose a warehouse location.")})
    dst = _location_in(src.warehouse, to_location_id, "to_location_id")
    if dst is None or dst == src:
        raise ValidationError({"to_location_id": _("Choose another location of the same warehouse.")})
    codes, n = _serial_line(product, {"serials": serials}, quantity, "serials", set())
    qty = n if n is not None else _qty(quantity)
    lot = LotNumber.objects.filter(product=product, code=lot_code).first() if lot_code else None
    if lot_code and lot is None:
        raise ValidationError({"lot_code": _("Unknown lot.")})
    on = timezone.localdate()
    number = _number("inventory.putaway", on)
    stocks = ledger.lock_stocks([(product, variant, src.warehouse)])
    ctx = MoveContext("inventory.putaway", next_number("inventory.putaway.id"), number, on, p.user)
    if codes:
        units = _serials_in_stock(product, codes, "serials", warehouse=src.warehouse, location=src, lock=True)
        moves = [
            ledger.post_move(
                ctx,
                product=product,
                variant=variant,
                from_location=src,
                to_location=dst,
                quantity=Decimal(1),
                serial=unit,
                stocks=stocks,
            )
            for unit, _at in units
        ]
        move = moves[0]
    else:
        move = ledger.post_move(
            ctx,
            product=product,
            variant=variant,
            from_location=src,
            to_location=dst,
            quantity=qty,
            lot=lot,
            stocks=stocks,
        )
    audit.record(audit.AuditAction.CREATE, actor=_actor(p), obj=move, object_repr=number)
    return move
