"""Requests for quotation: one request to several vendors, their answers entered line by line, a price
comparison, and the award, which turns the chosen vendor's answer into a draft purchase order (that
order then follows the approval limit like any other)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.numbering import next_number
from novasaas.purchasing import _common as c
from novasaas.purchasing import selectors
from novasaas.purchasing.models import (
    PurchaseOrder,
    RequestForQuotation,
    RfqLine,
    RfqQuote,
    RfqStatus,
    RfqVendor,
    Vendor,
)

ZERO = Decimal(0)
RFQ_PREFIX = "YCBG"
Rows = Sequence[Mapping[str, Any]]


@transaction.atomic
def create_rfq(
    p: Principal,
    *,
    warehouse_id: Any,
    lines: Rows,
    vendor_ids: Sequence[Any],
    date: Any = None,
    deadline: Any = None,
    note: str = "",
) -> RequestForQuotation:
    """An open request for quotation of ``lines`` (product, quantity) to at least two active vendors."""
    p.require("scm.po.create")
    on = c.date(date)
    assert on is not None
    due = c.date(deadline, "deadline", default_today=False)
    if due is not None and due < on:
        raise ValidationError({"deadline": [_("The deadline comes before the date.")]})
    warehouse = selectors.active_warehouse(p.tenant, warehouse_id)
    if warehouse is None:
        raise ValidationError({"warehouse_id": [_("Choose an active warehouse.")]})
    try:
        ids = sorted({int(v) for v in vendor_ids or []})
    except (TypeError, ValueError, OverflowError):
        ids = []
    vendors = list(Vendor.objects.filter(pk__in=ids, is_active=True).order_by("pk")) if ids else []
    if len(ids) < 2 or len(vendors) != len(ids):
        raise ValidationError({"vendor_ids": [_("Choose at least two active vendors.")]})
    if not lines:
        raise ValidationError({"lines": [_("Add at least one line.")]})
    if len(lines) > c.MAX_LINES:
        raise ValidationError({"lines": [_("At most %(n)d lines.") % {"n": c.MAX_LINES}]})
    built = []
    for i, row in enumerate(lines):
        product = selectors.active_product(p.tenant, row.get("product_id"))
        if product is None:
            raise ValidationError({f"lines[{i}].product_id": [_("Choose an active product.")]})
        built.append(
            RfqLine(  # type: ignore[misc]  # MoneyField holds Decimal
                position=i + 1,
                product_id=product.pk,
                description=product.name[:300],
                unit=product.stock_unit.name[:30],
                quantity=c.qty(row.get("quantity"), f"lines[{i}].quantity"),
            )
        )
    rfq = RequestForQuotation(
        date=on, deadline=due, warehouse_id=warehouse.pk, note=(note or "")[:2000], created_by=p.user
    )
    rfq.number = f"{RFQ_PREFIX}-{on.year}-{next_number('purchasing.rfq', str(on.year)):05d}"
    rfq.save()
    for line in built:
        line.rfq = rfq
        line.tenant_id = rfq.tenant_id
    RfqLine.objects.bulk_create(built)
    RfqVendor.objects.bulk_create([RfqVendor(tenant_id=rfq.tenant_id, rfq=rfq, vendor=v) for v in vendors])
    audit.record_created(rfq, p.user)
    return rfq


def _lock_open(rfq_id: int) -> RequestForQuotation:
    rfq: RequestForQuotation = RequestForQuotation.objects.select_for_update().get(pk=rfq_id)
    if rfq.status != RfqStatus.OPEN:
        raise ValidationError(
            {"status": [_("Request %(n)s is %(s)s.") % {"n": rfq.number, "s": rfq.get_status_display()}]}
        )
    return rfq


def _invited(rfq: RequestForQuotation, vendor_id: Any) -> RfqVendor:
    try:
        invited = RfqVendor.objects.filter(rfq=rfq, vendor_id=int(vendor_id)).select_related("vendor").first()
    except (TypeError, ValueError, OverflowError):
        invited = None
    if invited is None:
        raise ValidationError({"vendor_id": [_("Choose a vendor invited to this request.")]})
    return invited  # type: ignore[no-any-return]


@transaction.atomic
def enter_quote(p: Principal, rfq_id: int, *, vendor_id: Any, prices: Rows) -> RfqVendor:
    """Enter (or correct) one invited vendor's answer: ``prices`` are ``{line_id, unit_price,
    lead_time_days}``; a line left out is not quoted by that vendor."""
    p.require("scm.po.create")
    rfq = _lock_open(rfq_id)
    invited = _invited(rfq, vendor_id)
    lines = {li.pk: li for li in rfq.lines.all()}
    seen: set[int] = set()
    quotes = []
    if not prices:
        raise ValidationError({"prices": [_("Enter at least one price.")]})
    for i, row in enumerate(prices):
        try:
            line = lines.get(int(row.get("line_id") or 0))
        except (TypeError, ValueError, OverflowError):
            line = None
        if line is None or line.pk in seen:
            raise ValidationError({f"prices[{i}].line_id": [_("Choose a line of this request (once).")]})
        seen.add(line.pk)
        quotes.append(
            RfqQuote(  # type: ignore[misc]  # MoneyField holds Decimal
                tenant_id=rfq.tenant_id,
                invited=invited,
                line=line,
                unit_price=c.money(row.get("unit_price"), f"prices[{i}].unit_price"),
                lead_time_days=c.days(row.get("lead_time_days"), f"prices[{i}].lead_time_days"),
            )
        )
    RfqQuote.objects.filter(invited=invited).delete()
    RfqQuote.objects.bulk_create(quotes)
    invited.responded_at = timezone.localdate()
    invited.save(update_fields=["responded_at"])
    return invited


@dataclass
class ComparisonRow:
    line: RfqLine
    cells: list[RfqQuote | None]  # one per invited vendor, in ``Comparison.vendors`` order
    best: int | None = None  # index of the lowest price (ties: the shorter lead time, then the first)


@dataclass
class Comparison:
    rfq: RequestForQuotation
    vendors: list[RfqVendor]
    rows: list[ComparisonRow] = field(default_factory=list)
    totals: list[Decimal | None] = field(default_factory=list)  # None: the vendor did not quote every line
    best_total: int | None = None


def comparison(rfq: RequestForQuotation) -> Comparison:
    """The price comparison table: lines × invited vendors, the cheapest answer per line and the cheapest
    vendor for the whole request (among those who quoted every line)."""
    vendors = list(rfq.invited.select_related("vendor", "vendor__party").order_by("pk"))
    quotes = {(q.invited_id, q.line_id): q for q in RfqQuote.objects.filter(invited__rfq=rfq)}
    out = Comparison(rfq, vendors)
    totals: list[Decimal | None] = [ZERO for _v in vendors]
    for line in rfq.lines.all():
        cells = [quotes.get((v.pk, line.pk)) for v in vendors]
        row = ComparisonRow(line, cells)
        ranked = sorted(
            (i for i, q in enumerate(cells) if q is not None),
            key=lambda i: (cells[i].unit_price, cells[i].lead_time_days, i),  # type: ignore[union-attr]
        )
        row.best = ranked[0] if ranked else None
        out.rows.append(row)
        for i, q in enumerate(cells):
            current = totals[i]
            totals[i] = None if q is None or current is None else current + q.unit_price * line.quantity
    out.totals = [None if t is None else t.quantize(Decimal(1)) for t in totals]
    complete = [(t, i) for i, t in enumerate(out.totals) if t is not None]
    out.best_total = min(complete)[1] if complete else None
    return out


@transaction.atomic
def award(p: Principal, rfq_id: int, *, vendor_id: Any) -> PurchaseOrder:
    """Award the request to an invited vendor who quoted every line: a draft purchase order at the
    quoted prices (expected date from the longest quoted lead time); the request is awarded."""
    from novasaas.purchasing.actions import create_order

    p.require("scm.po.create")
    rfq = _lock_open(rfq_id)
    invited = _invited(rfq, vendor_id)
    quotes = {q.line_id: q for q in invited.quotes.all()}
    lines = list(rfq.lines.all())
    if any(li.pk not in quotes for li in lines):
        raise ValidationError({"vendor_id": [_("This vendor did not quote every line.")]})
    lead = max(quotes[li.pk].lead_time_days for li in lines)
    on = timezone.localdate()
    order = create_order(
        p,
        vendor_id=invited.vendor_id,
        warehouse_id=rfq.warehouse_id,
        lines=[
            {"product_id": li.product_id, "quantity": li.quantity, "unit_price": quotes[li.pk].unit_price}
            for li in lines
        ],
        date=on,
        expected_date=on + dt.timedelta(days=lead),
        note=_("From request for quotation %(n)s") % {"n": rfq.number},
    )
    before = audit.snapshot(rfq)
    rfq.status = RfqStatus.AWARDED
    rfq.awarded_vendor_id = invited.vendor_id
    rfq.order = order
    rfq.save(update_fields=["status", "awarded_vendor", "order"])
    audit.record_updated(rfq, p.user, before)
    return order


@transaction.atomic
def cancel_rfq(p: Principal, rfq_id: int) -> RequestForQuotation:
    p.require("scm.po.create")
    rfq = _lock_open(rfq_id)
    before = audit.snapshot(rfq)
    rfq.status = RfqStatus.CANCELLED
    rfq.save(update_fields=["status"])
    audit.record_updated(rfq, p.user, before)
    return rfq
