"""Deliveries and invoices of sales orders: partial deliveries with back-orders, the delivery note, and
invoices of one or more deliveries.

A confirmed order is delivered in one or more deliveries (``deliver_order``): each delivers some lines or
quantities (all that remains by default), is numbered GH-<year>-<n> (gapless), and with INV posts its own
goods issue (purpose "sale", the order's id: it consumes the order's reservation, COGS is booked by
inventory's subscriber). The order is *partly delivered* until every line is delivered in full.

An invoice bills deliveries not yet invoiced of one customer (``invoice_deliveries``; from several orders
too); ``invoice_order`` bills what the order has delivered and not invoiced. Invoice lines are the order
lines' prices on the delivered quantity, totals from ``totals.document_totals``; the last invoice of an
order line takes what is left of the line's amounts, so the invoices of an order add up to its total to
the đồng whatever the split.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, QuerySet, Sum
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.money import quantize
from novasaas.platform.numbering import next_number
from novasaas.sales import actions, events, selectors
from novasaas.sales.models import (
    OrderStatus,
    SalesDelivery,
    SalesDeliveryLine,
    SalesInvoice,
    SalesInvoiceLine,
    SalesOrder,
    SalesOrderLine,
)
from novasaas.sales.totals import allowance_share, document_totals, vat_code_valid_on

ZERO = Decimal(0)
DELIVERY_PREFIX = "GH"
MAX_DELIVERIES_PER_INVOICE = 100

# --- reads -----------------------------------------------------------------------------------------


def visible_deliveries(p: Principal) -> QuerySet[SalesDelivery]:
    """Deliveries of the orders the principal sees (Sales Staff: their own)."""
    return SalesDelivery.objects.filter(tenant=p.tenant, order__in=selectors.visible_orders(p))


def list_deliveries(
    p: Principal, *, customer_id: int | None = None, order_id: int | None = None, uninvoiced: bool = False
) -> QuerySet[SalesDelivery]:
    qs = visible_deliveries(p).select_related("order", "customer__party", "invoice")
    if customer_id:
        qs = qs.filter(customer_id=customer_id)
    if order_id:
        qs = qs.filter(order_id=order_id)
    if uninvoiced:
        qs = qs.filter(invoice__isnull=True)
    return qs.order_by("-date", "-id")


def get_delivery(p: Principal, delivery_id: int) -> SalesDelivery:
    return (  # type: ignore[no-any-return]
        visible_deliveries(p)
        .select_related("order", "customer__party", "invoice")
        .prefetch_related("lines__order_line")
        .get(pk=delivery_id)
    )


# --- deliver ---------------------------------------------------------------------------------------


def _quantity(value: Any, field: str) -> Decimal:
    qty = actions._dec(value, field)
    assert qty is not None
    if qty <= 0 or qty != quantize(qty, 4):
        raise ValidationError({field: [_("Enter a quantity greater than zero (at most 4 decimals).")]})
    return qty


def _wanted(order_lines: list[SalesOrderLine], rows: Sequence[Mapping[str, Any]] | None) -> dict[int, Decimal]:
    """Order line id → quantity to deliver now (all that remains when ``rows`` is None)."""
    if rows is None:
        return {li.pk: li.remaining for li in order_lines if li.remaining > 0}
    by_id = {li.pk: li for li in order_lines}
    wanted: dict[int, Decimal] = {}
    for i, row in enumerate(rows):
        key = f"lines[{i}]"
        try:
            line_id = int(row.get("line_id") or 0)
        except (TypeError, ValueError):
            line_id = 0
        line = by_id.get(line_id)
        if line is None or line_id in wanted:
            raise ValidationError({f"{key}.line_id": [_("Choose a line of this order (once).")]})
        if row.get("quantity") in (None, "") or actions._dec(row.get("quantity"), f"{key}.quantity") == 0:
            continue  # an empty or zero row of the page's form: not delivered now
        qty = _quantity(row.get("quantity"), f"{key}.quantity")
        if qty > line.remaining:
            raise ValidationError(
                {
                    f"{key}.quantity": [
                        _("Only %(q)s of “%(d)s” is left to deliver.")
                        % {"q": f"{line.remaining.normalize():f}", "d": line.description}
                    ]
                }
            )
        wanted[line_id] = qty
    return wanted


@transaction.atomic
def deliver_order(
    p: Principal, order_id: int, *, date: Any = None, lines: Sequence[Mapping[str, Any]] | None = None
) -> SalesDelivery:
    """Deliver (part of) a confirmed or partly delivered order: ``lines`` = ``[{line_id, quantity}]``,
    or everything that remains when None. With INV a goods issue (purpose "sale", FEFO) of the stocked
    lines consumes the reservation; not enough on hand refuses the delivery (nothing changed). The rest
    stays open (back-order): the order is partly delivered until every line is delivered."""
    p.require("crm.order.create")
    order = actions._lock_order(p, order_id)
    actions._refuse_status(order, OrderStatus.CONFIRMED, OrderStatus.PARTIAL)
    on = actions._date(date)
    if on < order.date:
        raise ValidationError({"date": [_("The delivery cannot be dated before the order.")]})
    order_lines = list(order.lines.all())
    wanted = _wanted(order_lines, lines)
    if not wanted:
        raise ValidationError({"lines": [_("Enter a quantity to deliver on at least one line.")]})
    delivery = SalesDelivery(
        order=order,
        customer=order.customer,
        date=on,
        created_by=p.user,
        number=f"{DELIVERY_PREFIX}-{on.year}-{next_number('sales.delivery', str(on.year)):05d}",
    )
    delivery.save()
    stock: dict[int, Decimal] = {}
    rows = []
    for line in order_lines:
        qty = wanted.get(line.pk)
        if qty is None:
            continue
        rows.append(SalesDeliveryLine(tenant_id=order.tenant_id, delivery=delivery, order_line=line, quantity=qty))  # type: ignore[misc]
        line.delivered_quantity += qty
        if line.is_stocked and line.product_id:
            stock[int(line.product_id)] = stock.get(int(line.product_id), ZERO) + qty
    SalesDeliveryLine.objects.bulk_create(rows)
    SalesOrderLine.objects.bulk_update([li for li in order_lines if li.pk in wanted], ["delivered_quantity"])
    audit.record_created(delivery, p.user)
    done = all(li.remaining == 0 for li in order_lines)
    actions.move_to(p, order, OrderStatus.DELIVERED if done else OrderStatus.PARTIAL)
    publish(
        events.SalesOrderDelivered(
            tenant_id=p.tenant.pk,
            order_id=order.pk,
            delivery_id=delivery.pk,
            number=delivery.number,
            document=order.document,
            date=on.isoformat(),
            warehouse_id=order.warehouse_id,
            partner_id=order.customer.party_id,
            actor_id=p.user.pk if p.user else None,
            lines=[[pid, str(qty)] for pid, qty in sorted(stock.items())],
        )
    )
    return delivery


# --- invoice ---------------------------------------------------------------------------------------


def _invoice_lines(order_lines: dict[int, SalesOrderLine], quantities: dict[int, Decimal]) -> list[SalesInvoiceLine]:
    """Invoice lines for ``quantities`` (order line id → quantity), priced like the order lines. The
    invoice completing an order line takes what is left of its amounts (earlier invoices of the line
    subtracted), so the invoices of a line add up to the line to the đồng."""
    ids = sorted(quantities, key=lambda i: (order_lines[i].order_id, order_lines[i].position, i))
    billed = {
        row["order_line_id"]: (row["n"], row["v"], row["a"])
        for row in SalesInvoiceLine.objects.filter(order_line_id__in=ids)
        .values("order_line_id")
        .annotate(n=Sum("net_amount"), v=Sum("vat_amount"), a=Sum("allowance"))
    }
    shares = {i: allowance_share(order_lines[i].allowance, quantities[i], order_lines[i].quantity) for i in ids}
    priced = document_totals(
        [
            (
                quantities[i],
                order_lines[i].unit_price,
                order_lines[i].discount_percent,
                order_lines[i].vat_code,
                shares[i],
            )
            for i in ids
        ]
    )
    built = []
    for position, (i, amounts) in enumerate(zip(ids, priced.lines, strict=True), start=1):
        ol = order_lines[i]
        line = SalesInvoiceLine(  # type: ignore[misc]
            position=position,
            order_line=ol,
            **{f: getattr(ol, f) for f in ("product_id", "description", "unit", "unit_price", "discount_percent")},
            vat_code=ol.vat_code,
            is_stocked=ol.is_stocked,
            is_service=ol.is_service,
            quantity=quantities[i],
        )
        if ol.invoiced_quantity + quantities[i] == ol.quantity:
            net_before, vat_before, allowance_before = billed.get(i, (ZERO, ZERO, ZERO))
            line.net_amount = ol.net_amount - (net_before or ZERO)
            line.vat_amount = ol.vat_amount - (vat_before or ZERO)
            line.allowance = ol.allowance - (allowance_before or ZERO)
        else:
            line.net_amount, line.vat_amount, line.allowance = amounts.net, amounts.vat, shares[i]
        line.total = line.net_amount + line.vat_amount
        built.append(line)
    return built


def _issue_invoice(p: Principal, deliveries: list[SalesDelivery], on: dt.date) -> SalesInvoice:
    """Bill ``deliveries`` (locked, one customer, none invoiced) in one invoice dated ``on``."""
    orders = {d.order_id: d.order for d in deliveries}
    for order in orders.values():
        if on < order.date:
            raise ValidationError({"date": [_("The invoice cannot be dated before the order.")]})
    quantities: dict[int, Decimal] = {}
    for row in SalesDeliveryLine.objects.filter(delivery__in=deliveries).values("order_line_id", "quantity"):
        quantities[row["order_line_id"]] = quantities.get(row["order_line_id"], ZERO) + row["quantity"]
    order_lines = {ol.pk: ol for ol in SalesOrderLine.objects.filter(pk__in=quantities)}
    for ol in order_lines.values():
        if not vat_code_valid_on(ol.vat_code, on):
            raise ValidationError(
                {"date": [_("The reduced VAT rate 8%% is not valid on %(d)s.") % {"d": on.strftime("%d/%m/%Y")}]}
            )
    lines = _invoice_lines(order_lines, quantities)
    customer = deliveries[0].customer
    symbol = actions.INVOICE_SYMBOL.format(yy=f"{on.year % 100:02d}")
    invoice = SalesInvoice(
        number=f"{symbol}-{next_number(f'sales.invoice.{symbol}', str(on.year)):08d}",
        order=next(iter(orders.values())) if len(orders) == 1 else None,
        customer=customer,
        date=on,
        due_date=on + dt.timedelta(days=customer.payment_terms_days),
        created_by=p.user,
    )
    actions._set_totals(invoice, lines)
    invoice.save()
    for line in lines:
        line.invoice = invoice
        line.tenant_id = invoice.tenant_id
    SalesInvoiceLine.objects.bulk_create(lines)
    audit.record_created(invoice, p.user)
    SalesDelivery.objects.filter(pk__in=[d.pk for d in deliveries]).update(invoice=invoice)
    for ol in order_lines.values():
        ol.invoiced_quantity += quantities[ol.pk]
    SalesOrderLine.objects.bulk_update(list(order_lines.values()), ["invoiced_quantity"])
    for order in orders.values():
        billed = sum((li.total for li in lines if li.order_line.order_id == order.pk), ZERO)
        changes = {"invoiced_amount": order.invoiced_amount + billed}
        fully = not order.lines.exclude(invoiced_quantity=F("quantity") - F("closed_quantity")).exists()
        if order.status == OrderStatus.DELIVERED and fully:
            actions.move_to(p, order, OrderStatus.INVOICED, **changes)
        else:
            for field, value in changes.items():
                setattr(order, field, value)
            order.save(update_fields=list(changes))
    from novasaas.sales import loyalty

    loyalty.earn_for_invoice(p, invoice)
    goods = sum((li.net_amount for li in lines if not li.is_service), ZERO)
    services = sum((li.net_amount for li in lines if li.is_service), ZERO)
    publish(
        events.SalesInvoiceIssued(
            tenant_id=p.tenant.pk,
            invoice_id=invoice.pk,
            number=invoice.number,
            date=on.isoformat(),
            partner_id=customer.party_id,
            currency=next(iter(orders.values())).currency,
            goods_revenue=str(goods),
            service_revenue=str(services),
            vat=str(invoice.vat),
            total=str(invoice.total),
            actor_id=p.user.pk if p.user else None,
        )
    )
    return invoice


@transaction.atomic
def invoice_order(p: Principal, order_id: int, *, date: Any = None) -> SalesInvoice:
    """Invoice what the order has delivered and not yet invoiced (every such delivery, one invoice).
    The number is gapless per invoice symbol and year (``1C26TAA-00000001``); with ACC the invoice posts
    Dr 131 / Cr 5111 (goods) and 5113 (services) / Cr 33311 through ``post_source_document``."""
    p.require("crm.invoice.create")
    order = actions._lock_order(p, order_id)
    actions._refuse_status(order, OrderStatus.PARTIAL, OrderStatus.DELIVERED)
    deliveries = list(
        SalesDelivery.objects.select_for_update()
        .select_related("order", "customer")
        .filter(order=order, invoice__isnull=True)
    )
    if not deliveries:
        raise ValidationError({"status": [_("Every delivery of order %(n)s is invoiced.") % {"n": order.number}]})
    for delivery in deliveries:
        delivery.order = order
    return _issue_invoice(p, deliveries, actions._date(date))


@transaction.atomic
def invoice_deliveries(p: Principal, delivery_ids: Sequence[Any], *, date: Any = None) -> SalesInvoice:
    """One invoice for several deliveries not yet invoiced of one customer (from one or more orders)."""
    p.require("crm.invoice.create")
    try:
        ids = sorted({int(i) for i in delivery_ids})
    except (TypeError, ValueError) as exc:
        raise ValidationError({"delivery_ids": [_("Choose deliveries.")]}) from exc
    if not ids or len(ids) > MAX_DELIVERIES_PER_INVOICE:
        raise ValidationError(
            {"delivery_ids": [_("Choose from 1 to %(n)d deliveries.") % {"n": MAX_DELIVERIES_PER_INVOICE}]}
        )
    visible = set(visible_deliveries(p).filter(pk__in=ids).values_list("order_id", flat=True))
    if len(set(visible_deliveries(p).filter(pk__in=ids).values_list("pk", flat=True))) != len(ids):
        raise SalesDelivery.DoesNotExist("unknown delivery")
    for order_id in sorted(visible):  # lock the orders first, in id order (the order actions' lock order)
        actions._lock_order(p, order_id)
    deliveries = list(
        SalesDelivery.objects.select_for_update().select_related("order", "customer").filter(pk__in=ids).order_by("pk")
    )
    if any(d.invoice_id for d in deliveries):
        numbers = ", ".join(d.number for d in deliveries if d.invoice_id)
        raise ValidationError({"delivery_ids": [_("Already invoiced: %(n)s.") % {"n": numbers}]})
    if len({d.customer_id for d in deliveries}) > 1:
        raise ValidationError({"delivery_ids": [_("The deliveries of one invoice must be of one customer.")]})
    if len({d.order.currency for d in deliveries}) > 1:
        raise ValidationError({"delivery_ids": [_("The deliveries of one invoice must be in one currency.")]})
    return _issue_invoice(p, deliveries, actions._date(date))


# --- delivery note ---------------------------------------------------------------------------------


def delivery_pdf(delivery: SalesDelivery) -> bytes:
    """The delivery note (biên bản giao hàng kiêm phiếu xuất kho): company header, customer and its
    address, the order, what is delivered (quantities only), signatures of deliverer and receiver.
    ``platform.pdf.PdfUnavailable`` without a Unicode font."""
    from novasaas.sales import printing

    party = delivery.customer.party
    pdf = printing.start(delivery.tenant, "BIÊN BẢN GIAO HÀNG", delivery.number, delivery.date)
    pdf.set_font("Body", "I", 9)
    pdf.cell(0, 5, "(kiêm phiếu xuất kho)", align="C", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Body", "", 9.5)
    pdf.multi_cell(0, 5, f"Bên nhận: {party.name}", new_x="LMARGIN", new_y="NEXT")
    if party.tax_code:
        pdf.multi_cell(0, 5, f"Mã số thuế: {party.tax_code}", new_x="LMARGIN", new_y="NEXT")
    address = party.addresses.first()
    if address is not None:
        where = str(address)
        if where:
            pdf.multi_cell(0, 5, f"Địa chỉ giao hàng: {where}", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(
        0,
        5,
        f"Theo đơn hàng: {delivery.order.number} ngày {delivery.order.date:%d/%m/%Y}",
        new_x="LMARGIN",
        new_y="NEXT",
    )
    pdf.ln(2)
    rows = []
    for i, dl in enumerate(delivery.lines.all(), start=1):
        ol = dl.order_line
        rows.append([str(i), ol.description[:70], ol.unit, printing.qty(ol.quantity), printing.qty(dl.quantity)])
    printing.table(pdf, ["STT", "Tên hàng hóa, dịch vụ", "ĐVT", "SL đặt", "SL giao"], [10, 106, 18, 26, 26], rows, 3)
    printing.signatures(pdf, "Người giao hàng", "Thủ kho", "Người nhận hàng")
    return bytes(pdf.output())


@transaction.atomic
def close_backorder(p: Principal, order_id: int) -> SalesOrder:
    """Give up what a partly delivered order still had to deliver: each line's rest becomes its
    ``closed_quantity``, the order's ``closed_amount`` the value of that rest (line total × rest /
    quantity, rounded), the order is delivered (invoiced when every delivery is already invoiced) and,
    with INV, what it still holds reserved is released (``SalesBackorderClosed``). Refused (400, nothing
    changed) unless the order is partly delivered."""
    from novasaas.platform.money import round_money

    p.require("crm.order.create")
    order = actions._lock_order(p, order_id)
    actions._refuse_status(order, OrderStatus.PARTIAL)
    lines = list(order.lines.all())
    closed = ZERO
    stock: dict[int, Decimal] = {}
    for line in lines:
        rest = line.remaining
        if rest <= 0:
            continue
        line.closed_quantity += rest
        closed += round_money(line.total * rest / line.quantity)
        if line.is_stocked and line.product_id:
            stock[int(line.product_id)] = stock.get(int(line.product_id), ZERO) + rest
    SalesOrderLine.objects.bulk_update(lines, ["closed_quantity"])
    invoiced = all(li.invoiced_quantity == li.quantity - li.closed_quantity for li in lines)
    actions.move_to(
        p,
        order,
        OrderStatus.INVOICED if invoiced else OrderStatus.DELIVERED,
        closed_amount=order.closed_amount + closed,
    )
    if stock:
        publish(
            events.SalesBackorderClosed(
                tenant_id=p.tenant.pk,
                order_id=order.pk,
                document=order.document,
                warehouse_id=order.warehouse_id,
                lines=[[pid, str(qty)] for pid, qty in sorted(stock.items())],
            )
        )
    return order
