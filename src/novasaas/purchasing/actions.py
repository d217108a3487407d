"""Purchasing actions: vendors, price lists, settings, and the purchase order flow up to receipt.

Each action runs in one transaction, takes the principal explicitly, checks its permission, locks the
document it changes (``select_for_update``) and publishes a domain event where another module reacts.
Bills and payments are in ``bills.py``, requisitions in ``requisitions.py``.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from contextvars import ContextVar
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.money import format_amount, quantize, round_money
from novasaas.platform.numbering import next_number
from novasaas.purchasing import _common as c
from novasaas.purchasing import events, selectors
from novasaas.purchasing.models import (
    OrderStatus,
    PreferredVendor,
    PurchaseOrder,
    PurchaseOrderLine,
    PurchaseReceipt,
    PurchasingSettings,
    ReorderAction,
    Vendor,
    VendorPrice,
)
from novasaas.sales.totals import VAT_RATES, document_totals, vat_code_valid_on

ZERO = Decimal(0)
HUNDRED = Decimal(100)
VENDOR_PREFIX = "NCC-"  # vendor series of Purchasing; the party keeps its directory code
ORDER_PREFIX = "DMH"
Rows = Sequence[Mapping[str, Any]]
_UNSET: Any = object()
# the order ``receive_order`` is receiving: its own GoodsReceived is not recorded again by the subscriber
_RECEIVING: ContextVar[int | None] = ContextVar("purchasing_receiving", default=None)


# --- settings --------------------------------------------------------------------------------------


@transaction.atomic
def update_settings(p: Principal, **fields: Any) -> PurchasingSettings:
    """Change the company's approval limit, tolerances and what low stock creates (a Purchase Manager's
    decision)."""
    p.require("scm.po.approve")
    row = PurchasingSettings.objects.select_for_update().filter(tenant=p.tenant).first() or PurchasingSettings()
    before = audit.snapshot(row) if row.pk else None
    for key, value in fields.items():
        if value is None:
            continue
        if key == "approval_limit":
            row.approval_limit = c.money(value, key)
        elif key in ("receipt_tolerance_percent", "quantity_tolerance_percent", "price_tolerance_percent"):
            setattr(row, key, c.percent(value, key))
        elif key == "reorder_action":
            if value not in ReorderAction.values:
                raise ValidationError({key: [_("Choose a draft requisition or a draft purchase order.")]})
            row.reorder_action = value
        else:
            raise ValidationError({key: [_("Unknown field.")]})
    row.save()
    if before is None:
        audit.record_created(row, p.user)
    else:
        audit.record_updated(row, p.user, before)
    return row


# --- vendors ---------------------------------------------------------------------------------------


def _apply_vendor(vendor: Vendor, fields: Mapping[str, Any]) -> None:
    allowed = {"payment_terms_days", "currency", "bank_name", "bank_account", "note", "is_active"}
    unknown = set(fields) - allowed
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    if fields.get("payment_terms_days") is not None:
        vendor.payment_terms_days = c.days(fields["payment_terms_days"], "payment_terms_days")
    if fields.get("currency") is not None:
        from novasaas.platform.money import is_known_currency

        code = str(fields["currency"]).strip().upper()
        if not is_known_currency(code):
            raise ValidationError({"currency": [_("Unknown currency.")]})
        vendor.currency = code
    for key, size in (("bank_name", 100), ("bank_account", 40)):
        if fields.get(key) is not None:
            setattr(vendor, key, c.text(fields[key], key, size))
    if fields.get("note") is not None:
        vendor.note = str(fields["note"])[:2000]
    if fields.get("is_active") is not None:
        vendor.is_active = bool(fields["is_active"])


@transaction.atomic
def create_vendor(p: Principal, *, party_id: int, **fields: Any) -> Vendor:
    """Give the vendor role to a party of the directory (code NCC-<n>, gapless)."""
    p.require("scm.vendor.manage")
    from novasaas.parties.selectors import resolve_party_id

    try:
        resolved = resolve_party_id(p.tenant, int(party_id)) if party_id else None
    except (TypeError, ValueError, OverflowError):
        resolved = None
    if resolved is None or resolved != party_id:
        raise ValidationError({"party_id": [_("Choose an active party of the directory.")]})
    if Vendor.objects.filter(party_id=party_id).exists():
        raise ValidationError({"party_id": [_("This party is already a vendor.")]})
    vendor = Vendor(party_id=party_id)
    _apply_vendor(vendor, fields)
    vendor.code = f"{VENDOR_PREFIX}{next_number('purchasing.vendor'):05d}"
    vendor.save()
    audit.record_created(vendor, p.user)
    return vendor


@transaction.atomic
def update_vendor(p: Principal, vendor_id: int, **fields: Any) -> Vendor:
    p.require("scm.vendor.manage")
    vendor = Vendor.objects.select_for_update().get(pk=vendor_id)
    before = audit.snapshot(vendor)
    _apply_vendor(vendor, fields)
    vendor.save()
    audit.record_updated(vendor, p.user, before)
    return vendor


@transaction.atomic
def save_price(p: Principal, vendor_id: int, price_id: int | None = None, **fields: Any) -> VendorPrice:
    """Create or change one line of a vendor's price list."""
    p.require("scm.vendor.manage")
    vendor = Vendor.objects.get(pk=vendor_id)
    line = VendorPrice(vendor=vendor) if price_id is None else VendorPrice.objects.get(pk=price_id, vendor=vendor)
    before = audit.snapshot(line) if line.pk else None
    if price_id is None or fields.get("product_id") is not None:
        product = selectors.active_product(p.tenant, fields.get("product_id"))
        if product is None:
            raise ValidationError({"product_id": [_("Choose an active product.")]})
        line.product_id = product.pk
        line.product_name = product.name[:300]
        line.unit = product.stock_unit.name[:30]
    if price_id is None or fields.get("price") is not None:
        line.price = c.money(fields.get("price"), "price")
    if fields.get("min_quantity") is not None or price_id is None:
        line.min_quantity = c.qty(fields.get("min_quantity") or 0, "min_quantity", allow_zero=True)
    if fields.get("lead_time_days") is not None or price_id is None:
        line.lead_time_days = c.days(fields.get("lead_time_days"), "lead_time_days")
    if fields.get("valid_from") is not None or price_id is None:
        line.valid_from = c.date(fields.get("valid_from"), "valid_from")  # type: ignore[assignment]
    if "valid_to" in fields:
        line.valid_to = c.date(fields.get("valid_to"), "valid_to", default_today=False)
    if line.valid_to is not None and line.valid_to < line.valid_from:
        raise ValidationError({"valid_to": [_("The end of validity comes before its start.")]})
    line.save()
    if before is None:
        audit.record_created(line, p.user)
    else:
        audit.record_updated(line, p.user, before)
    return line


@transaction.atomic
def delete_price(p: Principal, vendor_id: int, price_id: int) -> None:
    p.require("scm.vendor.manage")
    line = VendorPrice.objects.get(pk=price_id, vendor_id=vendor_id)
    audit.record_deleted(line, p.user)
    line.delete()


@transaction.atomic
def set_preferred_vendor(p: Principal, product_id: Any, vendor_id: Any) -> PreferredVendor:
    """Make ``vendor_id`` the product's preferred vendor (the low-stock draft order goes to it first).
    The vendor must be active and list the product in its price list."""
    p.require("scm.vendor.manage")
    product = selectors.active_product(p.tenant, product_id)
    if product is None:
        raise ValidationError({"product_id": [_("Choose an active product.")]})
    vendor = _vendor(vendor_id)
    if not VendorPrice.objects.filter(vendor=vendor, product_id=product.pk).exists():
        raise ValidationError({"vendor_id": [_("This vendor's price list does not list the product.")]})
    row = PreferredVendor.objects.select_for_update().filter(product_id=product.pk).first()
    if row is None:
        row = PreferredVendor.objects.create(product_id=product.pk, product_name=product.name[:300], vendor=vendor)
        audit.record_created(row, p.user)
        return row
    before = audit.snapshot(row)
    row.vendor, row.product_name = vendor, product.name[:300]
    row.save(update_fields=["vendor", "product_name"])
    audit.record_updated(row, p.user, before)
    return row


@transaction.atomic
def clear_preferred_vendor(p: Principal, product_id: int) -> None:
    """The product has no preferred vendor any more (the last vendor, then the cheapest, is used)."""
    p.require("scm.vendor.manage")
    row = PreferredVendor.objects.select_for_update().get(product_id=product_id)
    audit.record_deleted(row, p.user)
    row.delete()


# --- purchase orders -------------------------------------------------------------------------------


def _vendor(vendor_id: Any) -> Vendor:
    try:
        vendor = Vendor.objects.filter(pk=int(vendor_id), is_active=True).first()
    except (TypeError, ValueError, OverflowError):
        vendor = None
    if vendor is None:
        raise ValidationError({"vendor_id": [_("Choose an active vendor.")]})
    return vendor


def _build_lines(p: Principal, rows: Rows, on: Any, vendor: Vendor) -> list[PurchaseOrderLine]:
    """Validate and price the lines (price from the vendor's price list when not given); totals from
    the one document totals path of the project (``sales.totals.document_totals``)."""
    if not rows:
        raise ValidationError({"lines": [_("Add at least one line.")]})
    if len(rows) > c.MAX_LINES:
        raise ValidationError({"lines": [_("At most %(n)d lines.") % {"n": c.MAX_LINES}]})
    built = []
    for i, row in enumerate(rows):
        key = f"lines[{i}]"
        product = selectors.active_product(p.tenant, row.get("product_id"))
        if product is None:
            raise ValidationError({f"{key}.product_id": [_("Choose an active product.")]})
        line = PurchaseOrderLine(position=i + 1, product_id=product.pk)
        line.description = c.text(row.get("description"), f"{key}.description", 300) or product.name[:300]
        line.unit = product.stock_unit.name[:30]
        line.quantity = c.qty(row.get("quantity"), f"{key}.quantity")
        price = row.get("unit_price")
        if price in (None, ""):
            listed = selectors.price_for(p.tenant, vendor.pk, product.pk, line.quantity, on)
            if listed is None:
                raise ValidationError(
                    {f"{key}.unit_price": [_("Enter a price: the vendor's price list has none for this product.")]}
                )
            price = listed.price
        line.unit_price = c.money(price, f"{key}.unit_price")
        line.discount_percent = c.percent(row.get("discount_percent"), f"{key}.discount_percent")
        code = str(row.get("vat_code") or product.tax_category or "VAT10").strip().upper()
        if code not in VAT_RATES:
            raise ValidationError({f"{key}.vat_code": [_("Unknown VAT rate.")]})
        if not vat_code_valid_on(code, on):
            raise ValidationError({f"{key}.vat_code": [_("This VAT rate is not valid on the order's date.")]})
        line.vat_code = code
        built.append(line)
    totals = document_totals([(li.quantity, li.unit_price, li.discount_percent, li.vat_code) for li in built])
    for line, amounts in zip(built, totals.lines, strict=True):
        line.net_amount, line.vat_amount, line.total = amounts.net, amounts.vat, amounts.total
    return built


def _set_totals(order: PurchaseOrder, lines: list[PurchaseOrderLine]) -> None:
    order.untaxed = sum((li.net_amount for li in lines), ZERO)
    order.vat = sum((li.vat_amount for li in lines), ZERO)
    order.total = order.untaxed + order.vat


def _warehouse_id(p: Principal, warehouse_id: Any) -> int:
    warehouse = selectors.active_warehouse(p.tenant, warehouse_id)
    if warehouse is None:
        raise ValidationError({"warehouse_id": [_("Choose an active warehouse.")]})
    return int(warehouse.pk)


def _write_lines(order: PurchaseOrder, built: list[PurchaseOrderLine]) -> None:
    for line in built:
        line.order = order
        line.tenant_id = order.tenant_id
    PurchaseOrderLine.objects.bulk_create(built)


@transaction.atomic
def create_order(
    p: Principal,
    *,
    vendor_id: int,
    warehouse_id: int,
    lines: Rows,
    date: Any = None,
    expected_date: Any = None,
    note: str = "",
    requisition_id: int | None = None,
) -> PurchaseOrder:
    """A draft purchase order with its lines and totals; gapless number DMH-<year>-<n>."""
    p.require("scm.po.create")
    vendor = _vendor(vendor_id)
    on = c.date(date)
    assert on is not None
    expected = c.date(expected_date, "expected_date", default_today=False)
    if expected is not None and expected < on:
        raise ValidationError({"expected_date": [_("The expected date comes before the order date.")]})
    order = PurchaseOrder(
        vendor=vendor,
        date=on,
        expected_date=expected,
        warehouse_id=_warehouse_id(p, warehouse_id),
        currency="VND",
        note=(note or "")[:2000],
        created_by=p.user,
        requisition_id=requisition_id,
    )
    built = _build_lines(p, lines, on, vendor)
    _set_totals(order, built)
    order.number = f"{ORDER_PREFIX}-{on.year}-{next_number('purchasing.order', str(on.year)):05d}"
    order.save()
    _write_lines(order, built)
    audit.record_created(order, p.user)
    return order


def _lock(order_id: int) -> PurchaseOrder:
    return PurchaseOrder.objects.select_for_update(of=("self",)).select_related("vendor").get(pk=order_id)  # type: ignore[no-any-return]


def _refuse_status(order: PurchaseOrder, *allowed: str) -> None:
    if order.status not in allowed:
        raise ValidationError(
            {"status": [_("Order %(n)s is %(s)s.") % {"n": order.number, "s": order.get_status_display()}]}
        )


@transaction.atomic
def update_order(
    p: Principal,
    order_id: int,
    *,
    lines: Rows | None = None,
    vendor_id: Any = None,
    warehouse_id: Any = None,
    date: Any = None,
    expected_date: Any = _UNSET,
    note: str | None = None,
) -> PurchaseOrder:
    """Change a draft order (its lines are replaced when ``lines`` is given)."""
    p.require("scm.po.create")
    order = _lock(order_id)
    _refuse_status(order, OrderStatus.DRAFT)
    before = audit.snapshot(order)
    if vendor_id not in (None, ""):
        order.vendor = _vendor(vendor_id)
    if warehouse_id not in (None, ""):
        order.warehouse_id = _warehouse_id(p, warehouse_id)
    if date not in (None, ""):
        order.date = c.date(date)  # type: ignore[assignment]
    if expected_date is not _UNSET:
        order.expected_date = c.date(expected_date, "expected_date", default_today=False)
    if order.expected_date is not None and order.expected_date < order.date:
        raise ValidationError({"expected_date": [_("The expected date comes before the order date.")]})
    if note is not None:
        order.note = note[:2000]
    old_lines = list(order.lines.all())
    rows = lines if lines is not None else [_line_row(li) for li in old_lines]
    built = _build_lines(p, rows, order.date, order.vendor)
    _keep_requisitions(old_lines, built)
    order.lines.all().delete()
    _write_lines(order, built)
    _set_totals(order, built)
    order.save()
    audit.record_updated(order, p.user, before)
    return order


def _keep_requisitions(old: list[PurchaseOrderLine], built: list[PurchaseOrderLine]) -> None:
    """Rewritten lines keep the automatic requisition of the old line of their product (the first
    new line of each product), so a later crossing of that product still finds its draft order."""
    links = {li.product_id: li.requisition_id for li in reversed(old) if li.requisition_id}
    for line in built:
        line.requisition_id = links.pop(line.product_id, None)


def add_reorder_line(order_id: int, requisition: Any, unit_price: Decimal, expected_date: Any) -> PurchaseOrder:
    """A low-stock crossing grouped into the vendor's draft reorder order (``requisitions``): the
    product's line is increased by the requisition's quantity (its price kept), or a line is added at
    ``unit_price``; the expected date moves later when the new line's lead time needs it. System step
    (no user): the crossing's requisition authorised it."""
    order = _lock(order_id)
    _refuse_status(order, OrderStatus.DRAFT)
    before = audit.snapshot(order)
    lines = list(order.lines.all())
    rows = [_line_row(li) for li in lines]
    links = [li.requisition_id for li in lines]
    at = next((i for i, li in enumerate(lines) if li.product_id == requisition.product_id), None)
    if at is None:
        rows.append({"product_id": requisition.product_id, "quantity": requisition.quantity, "unit_price": unit_price})
        links.append(requisition.pk)
    else:
        rows[at]["quantity"] = lines[at].quantity + requisition.quantity
        links[at] = links[at] or requisition.pk
    built = _build_lines(c.delegate(None, "scm.po.create"), rows, order.date, order.vendor)
    for line, link in zip(built, links, strict=True):
        line.requisition_id = link
    order.lines.all().delete()
    _write_lines(order, built)
    _set_totals(order, built)
    if expected_date is not None and (order.expected_date is None or expected_date > order.expected_date):
        order.expected_date = expected_date
    order.note = f"{order.note}, {requisition.number}"[:2000] if order.note else requisition.number
    order.save()
    audit.record_updated(order, None, before)
    return order


def _line_row(line: PurchaseOrderLine) -> dict[str, Any]:
    return {
        "product_id": line.product_id,
        "description": line.description,
        "quantity": line.quantity,
        "unit_price": line.unit_price,
        "discount_percent": line.discount_percent,
        "vat_code": line.vat_code,
    }


def _set_status(p: Principal, order: PurchaseOrder, status: str, **extra: Any) -> None:
    before = audit.snapshot(order)
    order.status = status
    for key, value in extra.items():
        setattr(order, key, value)
    order.save(update_fields=["status", *extra])
    audit.record_updated(order, p.user, before)


def _approve(p: Principal, order: PurchaseOrder) -> None:
    _set_status(p, order, OrderStatus.APPROVED, approved_by=p.user, approved_at=timezone.now())
    publish(
        events.PurchaseOrderApproved(
            tenant_id=p.tenant.pk,
            order_id=order.pk,
            number=order.number,
            vendor_id=order.vendor_id,
            total=str(order.total),
        )
    )


@transaction.atomic
def submit_order(p: Principal, order_id: int) -> PurchaseOrder:
    """Issue a draft order: up to the company's approval limit (and always for a Purchase Manager) it
    is approved at once; above it, it waits for a Purchase Manager (who is notified)."""
    p.require("scm.po.create")
    order = _lock(order_id)
    _refuse_status(order, OrderStatus.DRAFT)
    if not order.vendor.is_active:
        raise ValidationError({"vendor_id": [_("Vendor %(c)s is inactive.") % {"c": order.vendor.code}]})
    limit = selectors.get_settings(p.tenant).approval_limit
    if order.total <= limit or p.has("scm.po.approve"):
        _approve(p, order)
        return order
    _set_status(p, order, OrderStatus.WAITING)
    from novasaas.platform.notifications import notify

    notify(
        p.tenant,
        "scm.po.approve",
        "approvals",
        _("Purchase order %(n)s (%(t)s) waits for your approval")
        % {"n": order.number, "t": format_amount(order.total)},
        url=f"/purchasing/orders/{order.pk}/",
    )
    return order


@transaction.atomic
def approve_order(p: Principal, order_id: int) -> PurchaseOrder:
    p.require("scm.po.approve")
    order = _lock(order_id)
    _refuse_status(order, OrderStatus.WAITING)
    _approve(p, order)
    return order


@transaction.atomic
def reject_order(p: Principal, order_id: int) -> PurchaseOrder:
    """Send an order waiting for approval back to draft."""
    p.require("scm.po.approve")
    order = _lock(order_id)
    _refuse_status(order, OrderStatus.WAITING)
    _set_status(p, order, OrderStatus.DRAFT)
    return order


@transaction.atomic
def cancel_order(p: Principal, order_id: int) -> PurchaseOrder:
    """Cancel an order nothing was received on yet."""
    p.require("scm.po.create")
    order = _lock(order_id)
    _refuse_status(order, OrderStatus.DRAFT, OrderStatus.WAITING, OrderStatus.APPROVED)
    if order.status == OrderStatus.APPROVED and not p.has("scm.po.approve") and order.total > _limit(p):
        raise ValidationError({"status": [_("Only a Purchase Manager may cancel an order above the approval limit.")]})
    _set_status(p, order, OrderStatus.CANCELLED)
    return order


def _limit(p: Principal) -> Decimal:
    return selectors.get_settings(p.tenant).approval_limit


@transaction.atomic
def close_order(p: Principal, order_id: int) -> PurchaseOrder:
    """Close a received order, or close a partially received one short (the rest is not expected)."""
    p.require("scm.po.track")
    order = _lock(order_id)
    _refuse_status(order, OrderStatus.PARTIAL, OrderStatus.RECEIVED)
    _set_status(p, order, OrderStatus.CLOSED)
    return order


def _net_unit_cost(line: PurchaseOrderLine) -> Decimal:
    """Price per stock unit after the line's discount (the cost inventory values the receipt at)."""
    return quantize(line.unit_price * (HUNDRED - line.discount_percent) / HUNDRED, 6)


@transaction.atomic
def receive_order(
    p: Principal, order_id: int, *, lines: Rows | None = None, date: Any = None, rejection_reason: str = ""
) -> PurchaseReceipt:
    """Receive goods against an approved order through inventory's ``receive_goods`` (source document
    ``scm.purchaseorder:<id>``, so accounting posts Dr stock / Cr 3388). ``lines`` are ``{line_id,
    quantity, rejected_quantity}`` (default: every line's open quantity, nothing rejected). A quantity
    above what is still open by more than the company's over-receipt tolerance is refused; the order
    becomes partially received or received. Quality check: ``quantity`` is what is accepted (stocked,
    valued, Cr 3388); ``rejected_quantity`` was delivered and refused — it goes back with the carrier,
    never enters stock or the ledger, stays open on the order (a replacement may be received, or close
    short) and counts in the vendor's rejection rate. A rejection needs a reason and at least one
    accepted quantity on the receipt. Two users receiving the same order at once queue on the order's
    row lock. A delivery rejected in full (every quantity 0, something rejected) is recorded without a
    goods receipt (``_reject_delivery``)."""
    p.require("scm.receipt.create")
    order = _lock(order_id)
    _refuse_status(order, OrderStatus.APPROVED, OrderStatus.PARTIAL)
    on = c.date(date)
    if on is not None and on < order.date:
        raise ValidationError({"date": [_("The receipt date comes before the order date.")]})
    by_id = {li.pk: li for li in order.lines.select_for_update().order_by("position", "id")}
    wanted: list[tuple[PurchaseOrderLine, Decimal]] = []
    rejected: list[tuple[PurchaseOrderLine, Decimal]] = []
    if lines is None:
        wanted = [(li, li.open_quantity) for li in by_id.values() if li.open_quantity > 0]
    else:
        seen: set[int] = set()
        for i, row in enumerate(lines):
            try:
                line = by_id.get(int(row.get("line_id") or 0))
            except (TypeError, ValueError, OverflowError):
                line = None
            if line is None or line.pk in seen:
                raise ValidationError({f"lines[{i}].line_id": [_("Choose a line of this order (once).")]})
            seen.add(line.pk)
            q = c.qty(row.get("quantity"), f"lines[{i}].quantity", allow_zero=True)
            if q > 0:
                wanted.append((line, q))
            r = c.qty(row.get("rejected_quantity") or 0, f"lines[{i}].rejected_quantity", allow_zero=True)
            if r > 0:
                rejected.append((line, r))
    if not wanted and not rejected:
        raise ValidationError({"lines": [_("Nothing to receive.")]})
    reason = " ".join(str(rejection_reason or "").split())[:300]
    if rejected and not reason:
        raise ValidationError({"rejection_reason": [_("Give the reason for rejecting goods at the quality check.")]})
    if not wanted:
        return _reject_delivery(p, order, rejected, reason, on)
    tolerance = selectors.get_settings(p.tenant).receipt_tolerance_percent
    for i, (line, q) in enumerate(wanted):
        allowed = line.quantity * (HUNDRED + tolerance) / HUNDRED - line.received_quantity
        if q > allowed:
            raise ValidationError(
                {
                    f"lines[{i}].quantity": [
                        _("Over-receipt of %(d)s: ordered %(o)s, received %(r)s, at most %(a)s more.")
                        % {
                            "d": line.description,
                            "o": format_amount(line.quantity),
                            "r": format_amount(line.received_quantity),
                            "a": format_amount(max(allowed, ZERO)),
                        }
                    ]
                }
            )
    from novasaas.inventory import actions as inventory
    from novasaas.inventory.models import DocumentStatus

    token = _RECEIVING.set(order.pk)
    try:
        movement = inventory.receive_goods(
            c.delegate(p.user, "inv.receipt.create"),
            warehouse_id=order.warehouse_id,
            lines=[
                {"product_id": li.product_id, "quantity": str(q), "unit_cost": str(_net_unit_cost(li))}
                for li, q in wanted
            ],
            date=on,
            partner_id=order.vendor.party_id,
            purchase_order_id=order.pk,
            note=order.number,
        )
    finally:
        _RECEIVING.reset(token)
    if movement.status != DocumentStatus.DONE:
        raise ValidationError(
            _("The goods receipt %(n)s needs a Warehouse Manager's approval (not supported for purchase orders yet).")
            % {"n": movement.number}
        )
    moved = sorted(movement.lines.all(), key=lambda ln: ln.pk)
    total = ZERO
    for (line, q), moved_line in zip(wanted, moved, strict=True):
        line.received_quantity += q
        line.received_value += moved_line.value
        total += moved_line.value
        line.save(update_fields=["received_quantity", "received_value"])
    receipt = PurchaseReceipt.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
        order=order,
        movement_id=movement.pk,
        number=movement.number,
        date=movement.date,
        value=total,
        quantity=sum((q for _li, q in wanted), ZERO),
        rejected_quantity=sum((r for _li, r in rejected), ZERO),
        rejection_reason=reason if rejected else "",
        created_by=p.user,
    )
    for line, r in rejected:
        line.rejected_quantity += r
        line.save(update_fields=["rejected_quantity"])
    done = all(li.received_quantity >= li.quantity for li in by_id.values())
    _set_status(p, order, OrderStatus.RECEIVED if done else OrderStatus.PARTIAL)
    return receipt


REJECTION_PREFIX = "TCH"


def _reject_delivery(
    p: Principal, order: PurchaseOrder, rejected: list[tuple[PurchaseOrderLine, Decimal]], reason: str, on: Any
) -> PurchaseReceipt:
    """A delivery refused in full at the quality check: nothing enters stock or the ledger (no goods
    receipt, ``movement_id`` empty), the order's lines stay open for the redelivery and its status does
    not change; the rejection (quantities, reason) is kept on a receipt record numbered
    ``TCH-<year>-<n>`` and on the order lines, shown on the order and counted in the vendor's rejection
    rate."""
    day = on or c.date(None)
    assert day is not None
    receipt = PurchaseReceipt.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
        order=order,
        movement_id=None,
        number=f"{REJECTION_PREFIX}-{day.year}-{next_number('purchasing.rejection', str(day.year)):05d}",
        date=day,
        value=ZERO,
        quantity=ZERO,
        rejected_quantity=sum((r for _li, r in rejected), ZERO),
        rejection_reason=reason,
        created_by=p.user,
    )
    for line, r in rejected:
        line.rejected_quantity += r
        line.save(update_fields=["rejected_quantity"])
    audit.record_created(receipt, p.user)
    return receipt


def record_inventory_receipt(event: Any) -> PurchaseReceipt | None:
    """A goods receipt validated in Inventory with ``purchase_order_id`` (made there, not from the
    order, or held for a Warehouse Manager and approved later) updates the order like ``receive_order``:
    each receipt line goes to the first line of the order for its product with a quantity still open
    (else the last one for it), received quantity and value (what the receipt credited to 3388) grow,
    the order becomes partially received or received. Refused, so the inventory receipt is not
    validated either: an order that is not approved or partially received, another warehouse, a product
    not on the order, a quantity above the over-receipt tolerance. An id that is no order of the company
    is ignored. Runs in the receipt's transaction (subscriber)."""
    if not event.purchase_order_id or _RECEIVING.get() == event.purchase_order_id:
        return None
    if PurchaseReceipt.objects.filter(movement_id=event.document_id).exists():
        return None
    from novasaas.inventory.selectors import movement_with_lines  # the receipt just validated

    order = PurchaseOrder.objects.select_for_update(of=("self",)).filter(pk=event.purchase_order_id).first()
    if order is None:  # no order of this company by that id: the receipt stays a bare receipt
        return None
    _refuse_status(order, OrderStatus.APPROVED, OrderStatus.PARTIAL)
    if order.warehouse_id != event.warehouse_id:
        raise ValidationError(
            {"warehouse_id": [_("Purchase order %(n)s is delivered to another warehouse.") % {"n": order.number}]}
        )
    lines = list(order.lines.select_for_update().order_by("position", "id"))
    tolerance = selectors.get_settings(order.tenant).receipt_tolerance_percent
    total = quantity = ZERO
    movement, moved_lines = movement_with_lines(order.tenant, event.document_id)
    for moved in moved_lines:
        candidates = [li for li in lines if li.product_id == moved.product_id]
        if not candidates:
            raise ValidationError(
                {"lines": [_("A product received is not on purchase order %(n)s.") % {"n": order.number}]}
            )
        line = next((li for li in candidates if li.open_quantity > 0), candidates[-1])
        q = moved.stock_quantity
        if line.received_quantity + q > line.quantity * (HUNDRED + tolerance) / HUNDRED:
            raise ValidationError(
                {
                    "lines": [
                        _("Over-receipt of %(d)s: ordered %(o)s, received %(r)s, at most %(a)s more.")
                        % {
                            "d": line.description,
                            "o": format_amount(line.quantity),
                            "r": format_amount(line.received_quantity),
                            "a": format_amount(
                                max(line.quantity * (HUNDRED + tolerance) / HUNDRED - line.received_quantity, ZERO)
                            ),
                        }
                    ]
                }
            )
        line.received_quantity += q
        line.received_value += moved.value
        line.save(update_fields=["received_quantity", "received_value"])
        total += moved.value
        quantity += q
    receipt = PurchaseReceipt.objects.create(  # type: ignore[misc]  # MoneyField holds Decimal
        order=order,
        movement_id=event.document_id,
        number=event.reference,
        date=event.date,
        value=total,
        quantity=quantity,
        created_by_id=movement.created_by_id,
    )
    done = all(li.received_quantity >= li.quantity for li in lines)
    before = audit.snapshot(order)
    order.status = OrderStatus.RECEIVED if done else OrderStatus.PARTIAL
    order.save(update_fields=["status"])
    audit.record_updated(order, None, before)
    return receipt


@transaction.atomic
def return_to_vendor(p: Principal, order_id: int, *, lines: Rows, date: Any = None, reason: str = "") -> Any:
    """Send received goods that are not billed yet back to the vendor through inventory's
    ``issue_goods(purpose="return_to_vendor")`` (accounting: Dr 3388 / Cr stock at the goods' cost).
    The order line's received quantity and value drop by the returned share of what the receipts
    credited to 3388; the difference between that share and the goods' cost is booked to COGS
    (``VendorReturnPosted``), so 3388 keeps equal to received − billed."""
    p.require("scm.return.manage")
    order = _lock(order_id)
    _refuse_status(order, OrderStatus.PARTIAL, OrderStatus.RECEIVED)
    on = c.date(date)
    by_id = {li.pk: li for li in order.lines.select_for_update().order_by("position", "id")}
    wanted: list[tuple[PurchaseOrderLine, Decimal]] = []
    seen: set[int] = set()
    if not lines:
        raise ValidationError({"lines": [_("Nothing to return.")]})
    for i, row in enumerate(lines):
        try:
            line = by_id.get(int(row.get("line_id") or 0))
        except (TypeError, ValueError, OverflowError):
            line = None
        if line is None or line.pk in seen:
            raise ValidationError({f"lines[{i}].line_id": [_("Choose a line of this order (once).")]})
        seen.add(line.pk)
        q = c.qty(row.get("quantity"), f"lines[{i}].quantity")
        if q > line.unbilled_quantity:
            raise ValidationError(
                {
                    f"lines[{i}].quantity": [
                        _("At most %(n)s of %(d)s can be returned (received and not billed).")
                        % {"n": format_amount(max(line.unbilled_quantity, ZERO)), "d": line.description}
                    ]
                }
            )
        wanted.append((line, q))
    from novasaas.inventory import actions as inventory
    from novasaas.inventory.models import DocumentStatus

    movement = inventory.issue_goods(
        c.delegate(p.user, "inv.issue.create"),
        warehouse_id=order.warehouse_id,
        lines=[{"product_id": li.product_id, "quantity": str(q)} for li, q in wanted],
        date=on,
        partner_id=order.vendor.party_id,
        purpose="return_to_vendor",
        source_document=f"scm.purchaseorder:{order.pk}",
        note=" ".join(f"{order.number} {reason}".split())[:500],
    )
    if movement.status != DocumentStatus.DONE:
        raise ValidationError(
            _("The goods issue %(n)s needs a Warehouse Manager's approval (not supported for returns yet).")
            % {"n": movement.number}
        )
    cost = sum((ln.value for ln in movement.lines.all()), ZERO)
    share_total = ZERO
    for line, q in wanted:
        open_q, open_v = line.unbilled_quantity, line.received_value - line.billed_value
        share = open_v if q >= open_q else round_money(open_v * q / open_q)
        line.received_quantity -= q
        line.received_value -= share
        share_total += share
        line.save(update_fields=["received_quantity", "received_value"])
    done = all(li.received_quantity >= li.quantity for li in by_id.values())
    _set_status(p, order, OrderStatus.RECEIVED if done else OrderStatus.PARTIAL)
    publish(
        events.VendorReturnPosted(
            tenant_id=p.tenant.pk,
            order_id=order.pk,
            movement_id=movement.pk,
            number=movement.number,
            date=movement.date.isoformat(),
            partner_id=order.vendor.party_id,
            difference=str(share_total - cost),
        )
    )
    return movement
