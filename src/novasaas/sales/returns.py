"""Customer returns, credit notes and the customer's credit.

* **Return** (``return_goods``, TL-<year>-<n>): goods of one delivery come back; with INV a customer
  return receipt at the unit cost each product left at in that delivery's goods issue (accounting's
  subscriber books Dr 156 / Cr 632: the COGS reversed). At most what was delivered and not yet returned.
* **Credit note** (``credit_invoice``, GG-<year>-<n>): against an invoice, some lines and quantities
  (at most invoiced − credited), priced like the invoice lines; the credit note completing a line takes
  what is left of it. With ACC ``post_source_document`` books Dr 5111/5113 (revenue), Dr 33311 (VAT) /
  Cr 131 (the customer). What the invoice no longer owes but was paid becomes customer credit.
* **Customer credit** (``CustomerCreditEntry``): + over-payments and credit on paid invoices, − credit
  used on an invoice (``apply_credit``: a payment of method "credit", no money moves, nothing posted).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet, Sum
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.money import format_amount, quantize
from novasaas.platform.numbering import next_number
from novasaas.platform.tenancy import current_tenant
from novasaas.sales import actions, deliveries, events, selectors
from novasaas.sales.models import (
    CustomerCreditEntry,
    InvoiceStatus,
    PaymentMethod,
    SalesCreditNote,
    SalesCreditNoteLine,
    SalesDeliveryLine,
    SalesInvoiceLine,
    SalesPayment,
    SalesReturn,
    SalesReturnLine,
)
from novasaas.sales.totals import allowance_share, document_totals

ZERO = Decimal(0)
RETURN_PREFIX = "TL"
CREDIT_PREFIX = "GG"
Rows = Sequence[Mapping[str, Any]]


def _rows(rows: Rows | None, by_id: dict[int, Any], open_qty: Any, label: str) -> dict[int, Decimal]:
    """``[{line_id, quantity}]`` → line id → quantity, each at most ``open_qty(line)``; None = all open."""
    if rows is None:
        return {pk: open_qty(li) for pk, li in by_id.items() if open_qty(li) > 0}
    wanted: dict[int, Decimal] = {}
    for i, row in enumerate(rows):
        key = f"lines[{i}]"
        try:
            line_id = int(row.get("line_id") or 0)
        except (TypeError, ValueError):
            line_id = 0
        line = by_id.get(line_id)
        if line is None or line_id in wanted:
            raise ValidationError({f"{key}.line_id": [_("Choose a line of this document (once).")]})
        if row.get("quantity") in (None, "") or actions._dec(row.get("quantity"), f"{key}.quantity") == 0:
            continue
        qty = deliveries._quantity(row.get("quantity"), f"{key}.quantity")
        if qty > open_qty(line):
            raise ValidationError(
                {f"{key}.quantity": [label % {"q": f"{open_qty(line).normalize():f}", "d": line_description(line)}]}
            )
        wanted[line_id] = qty
    if not wanted:
        raise ValidationError({"lines": [_("Enter a quantity on at least one line.")]})
    return wanted


def line_description(line: Any) -> str:
    return str(getattr(line, "description", "") or line.order_line.description)


# --- returns ---------------------------------------------------------------------------------------


def visible_returns(p: Principal) -> QuerySet[SalesReturn]:
    return SalesReturn.objects.filter(tenant=p.tenant, delivery__in=deliveries.visible_deliveries(p))


@transaction.atomic
def return_goods(
    p: Principal, delivery_id: int, *, lines: Rows | None = None, date: Any = None, reason: str = ""
) -> SalesReturn:
    """Goods of a delivery come back (``lines`` = ``[{line_id: delivery line id, quantity}]``, all not yet
    returned when None). With INV: a customer-return receipt into the order's warehouse at the cost the
    goods left at; accounting reverses the COGS."""
    p.require("crm.order.create")
    delivery = deliveries.visible_deliveries(p).select_related("order", "customer").get(pk=delivery_id)
    actions._lock_order(p, delivery.order_id)  # one writer per order (deliveries, returns)
    on = actions._date(date)
    if on < delivery.date:
        raise ValidationError({"date": [_("The return cannot be dated before the delivery.")]})
    by_id = {dl.pk: dl for dl in SalesDeliveryLine.objects.filter(delivery=delivery).select_related("order_line")}
    wanted = _rows(
        lines, by_id, lambda dl: dl.quantity - dl.returned_quantity, _("Only %(q)s of “%(d)s” can still come back.")
    )
    costs = _issue_costs(delivery.issue_id)
    ret = SalesReturn(
        number=f"{RETURN_PREFIX}-{on.year}-{next_number('sales.return', str(on.year)):05d}",
        delivery=delivery,
        customer=delivery.customer,
        date=on,
        reason=(reason or "")[:300],
        created_by=p.user,
    )
    ret.save()
    built: list[SalesReturnLine] = []
    stock_rows: list[list[str | int]] = []
    for pk, qty in wanted.items():
        dl = by_id[pk]
        ol = dl.order_line
        cost = costs.get(int(ol.product_id or 0), ZERO) if ol.is_stocked else ZERO
        built.append(
            SalesReturnLine(tenant_id=ret.tenant_id, sales_return=ret, delivery_line=dl, quantity=qty, unit_cost=cost)  # type: ignore[misc]
        )  # type: ignore[misc]
        dl.returned_quantity += qty
        ol.returned_quantity += qty
        if ol.is_stocked and ol.product_id:
            stock_rows.append([int(ol.product_id), str(qty), str(cost)])
    SalesReturnLine.objects.bulk_create(built)
    SalesDeliveryLine.objects.bulk_update([by_id[pk] for pk in wanted], ["returned_quantity"])
    type(by_id[next(iter(wanted))].order_line).objects.bulk_update(
        [by_id[pk].order_line for pk in wanted], ["returned_quantity"]
    )
    audit.record_created(ret, p.user)
    publish(
        events.SalesGoodsReturned(
            tenant_id=p.tenant.pk,
            return_id=ret.pk,
            number=ret.number,
            date=on.isoformat(),
            warehouse_id=delivery.order.warehouse_id,
            partner_id=delivery.customer.party_id,
            actor_id=p.user.pk if p.user else None,
            lines=stock_rows,
        )
    )
    return ret


def _issue_costs(issue_id: int | None) -> dict[int, Decimal]:
    """Product id → unit cost (value / quantity) of the delivery's goods issue (INV), 6 decimals."""
    if not issue_id or not current_tenant().has_module("INV"):
        return {}
    from novasaas.inventory import selectors as inventory

    value: dict[int, Decimal] = {}
    qty: dict[int, Decimal] = {}
    for move in inventory.document_moves(current_tenant(), "inventory.issue", issue_id):
        value[move.product_id] = value.get(move.product_id, ZERO) + move.value
        qty[move.product_id] = qty.get(move.product_id, ZERO) + move.quantity
    return {pid: quantize(value[pid] / qty[pid], 6) for pid in value if qty[pid]}


# --- credit notes ----------------------------------------------------------------------------------


def visible_credit_notes(p: Principal) -> QuerySet[SalesCreditNote]:
    return SalesCreditNote.objects.filter(tenant=p.tenant, invoice__in=selectors.visible_invoices(p))


@transaction.atomic
def credit_invoice(
    p: Principal,
    invoice_id: int,
    *,
    lines: Rows | None = None,
    date: Any = None,
    reason: str = "",
    return_id: int | None = None,
) -> SalesCreditNote:
    """A credit note against an invoice (``lines`` = ``[{line_id: invoice line id, quantity}]``, all not
    yet credited when None). Reverses revenue, VAT and the receivable; the part already paid that the
    invoice no longer owes becomes customer credit."""
    p.require("crm.invoice.create")
    invoice = (
        selectors.visible_invoices(p).select_for_update(of=("self",)).select_related("customer").get(pk=invoice_id)
    )
    on = actions._date(date)
    if on < invoice.date:
        raise ValidationError({"date": [_("The credit note cannot be dated before the invoice.")]})
    ret = None
    if return_id is not None:
        ret = visible_returns(p).filter(pk=return_id, customer_id=invoice.customer_id).first()
        if ret is None:
            raise ValidationError({"return_id": [_("Choose a return of this customer.")]})
    by_id = {li.pk: li for li in SalesInvoiceLine.objects.select_for_update().filter(invoice=invoice)}
    wanted = _rows(
        lines, by_id, lambda li: li.quantity - li.credited_quantity, _("Only %(q)s of “%(d)s” can still be credited.")
    )
    ids = sorted(wanted, key=lambda i: (by_id[i].position, i))
    credited_before = {
        row["invoice_line_id"]: (row["n"], row["v"], row["a"])
        for row in SalesCreditNoteLine.objects.filter(invoice_line_id__in=ids)
        .values("invoice_line_id")
        .annotate(n=Sum("net_amount"), v=Sum("vat_amount"), a=Sum("allowance"))
    }
    shares = {i: allowance_share(by_id[i].allowance, wanted[i], by_id[i].quantity) for i in ids}
    priced = document_totals(
        [(wanted[i], by_id[i].unit_price, by_id[i].discount_percent, by_id[i].vat_code, shares[i]) for i in ids]
    )
    built = []
    for position, (i, amounts) in enumerate(zip(ids, priced.lines, strict=True), start=1):
        il = by_id[i]
        line = SalesCreditNoteLine(  # type: ignore[misc]
            position=position,
            invoice_line=il,
            **{f: getattr(il, f) for f in ("product_id", "description", "unit", "unit_price", "discount_percent")},
            vat_code=il.vat_code,
            is_stocked=il.is_stocked,
            is_service=il.is_service,
            quantity=wanted[i],
        )
        if il.credited_quantity + wanted[i] == il.quantity:  # the last piece takes what is left of the line
            n, v, a = credited_before.get(i, (ZERO, ZERO, ZERO))
            line.net_amount, line.vat_amount = il.net_amount - (n or ZERO), il.vat_amount - (v or ZERO)
            line.allowance = il.allowance - (a or ZERO)
        else:
            line.net_amount, line.vat_amount, line.allowance = amounts.net, amounts.vat, shares[i]
        line.total = line.net_amount + line.vat_amount
        il.credited_quantity += wanted[i]
        built.append(line)
    note = SalesCreditNote(
        number=f"{CREDIT_PREFIX}-{on.year}-{next_number('sales.credit_note', str(on.year)):05d}",
        invoice=invoice,
        customer=invoice.customer,
        sales_return=ret,
        date=on,
        reason=(reason or "")[:300],
        created_by=p.user,
    )
    actions._set_totals(note, built)
    if note.total <= 0:
        raise ValidationError({"lines": [_("The credit note comes to nothing.")]})
    note.save()
    for line in built:
        line.credit_note = note
        line.tenant_id = note.tenant_id
    SalesCreditNoteLine.objects.bulk_create(built)
    SalesInvoiceLine.objects.bulk_update([by_id[i] for i in ids], ["credited_quantity"])
    audit.record_created(note, p.user)
    before = audit.snapshot(invoice)
    invoice.credited += note.total
    owed = invoice.total - invoice.credited
    if invoice.paid > owed:  # paid more than it now owes: the difference is the customer's credit
        CustomerCreditEntry.objects.create(  # type: ignore[misc]
            customer=invoice.customer, date=on, amount=invoice.paid - owed, source=f"credit_note:{note.pk}"
        )
        invoice.paid = owed
    if invoice.paid == owed:
        invoice.status = InvoiceStatus.PAID
    invoice.save(update_fields=["credited", "paid", "status"])
    audit.record_updated(invoice, p.user, before)
    from novasaas.sales import loyalty

    loyalty.reverse_for_credit_note(p, note)
    goods = sum((li.net_amount for li in built if not li.is_service), ZERO)
    services = sum((li.net_amount for li in built if li.is_service), ZERO)
    publish(
        events.SalesCreditNoteIssued(
            tenant_id=p.tenant.pk,
            credit_note_id=note.pk,
            number=note.number,
            invoice_number=invoice.number,
            invoice_id=invoice.pk,
            date=on.isoformat(),
            partner_id=invoice.customer.party_id,
            goods_revenue=str(goods),
            service_revenue=str(services),
            vat=str(note.vat),
            total=str(note.total),
        )
    )
    return note


# --- customer credit -------------------------------------------------------------------------------


def credit_balance(customer: Any) -> Decimal:
    return CustomerCreditEntry.objects.filter(customer=customer).aggregate(t=Sum("amount"))["t"] or ZERO


@transaction.atomic
def apply_credit(p: Principal, invoice_id: int, *, amount: Any = None, date: Any = None) -> SalesPayment:
    """Pay (part of) an invoice with the customer's credit (all that is open, up to the credit, when
    ``amount`` is None). Nothing is posted: the money was received (and posted) before."""
    from novasaas.sales.models import Customer

    p.require("crm.payment.receive")
    invoice = (
        selectors.visible_invoices(p).select_for_update(of=("self",)).select_related("customer").get(pk=invoice_id)
    )
    Customer.objects.select_for_update().get(pk=invoice.customer_id)  # one user spends the credit at a time
    available = credit_balance(invoice.customer)
    open_amount = invoice.total - invoice.credited - invoice.paid
    value = min(available, open_amount) if amount in (None, "") else actions._money(amount, "amount")
    assert value is not None
    if value <= 0 or value > available or value > open_amount:
        raise ValidationError(
            {
                "amount": [
                    _("Use from 1 to %(m)s (credit %(c)s, open on the invoice %(o)s).")
                    % {
                        "m": format_amount(min(available, open_amount)),
                        "c": format_amount(available),
                        "o": format_amount(open_amount),
                    }
                ]
            }
        )
    on = actions._date(date)
    payment = SalesPayment.objects.create(  # type: ignore[misc]
        invoice=invoice, date=on, amount=value, method=PaymentMethod.CREDIT, created_by=p.user
    )
    CustomerCreditEntry.objects.create(  # type: ignore[misc]
        customer=invoice.customer, date=on, amount=-value, source=f"invoice:{invoice.pk}"
    )
    before = audit.snapshot(invoice)
    invoice.paid += value
    if invoice.paid == invoice.total - invoice.credited:
        invoice.status = InvoiceStatus.PAID
    invoice.save(update_fields=["paid", "status"])
    audit.record_updated(invoice, p.user, before)
    audit.record_created(payment, p.user)
    return payment
