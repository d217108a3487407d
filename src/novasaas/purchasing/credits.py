"""Vendor credit notes against posted bills: goods returned after they were billed, and lower prices.

A credit note is posted when it is created (one transaction, the bill and the order lines locked):

- **return** (``kind="return"``, lines of a bill that bills an order): the goods leave stock through
  inventory's ``issue_goods(purpose="return_to_vendor")``, which posts Dr 3388 / Cr stock at their
  cost; the credit note posts Dr 331 (total) / Cr 1331 (VAT per rate) / Cr 3388 (the same cost, so
  3388 is back where it was) / Cr 632 the bill's net − that cost (Dr when negative). The order line's
  received and billed quantities drop by what went back and its received and billed values by the
  same share, so goods received not invoiced (received − billed) does not move and the line may be
  received again (a replacement) or closed short.
- **price** (``kind="price"``, any line of a posted bill): a reduction per unit on up to the billed
  quantity: Dr 331 / Cr 1331 / Cr 632 for goods of an order (inventory's landed cost refuses negative
  amounts, so the stock value is not lowered: see docs "Missing") and for a landed-cost line, Cr the
  bill line's expense for an expense line. Import VAT is not credited this way.

The total may not exceed what the bill leaves open (total − paid − credited): a refund from the vendor
is not supported. The bill's ``credited`` grows; at total = paid + credited the bill is paid.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.money import format_amount, round_money
from novasaas.platform.numbering import next_number
from novasaas.purchasing import _common as c
from novasaas.purchasing import events
from novasaas.purchasing.models import (
    BillKind,
    BillStatus,
    CostKind,
    CreditKind,
    OrderStatus,
    PurchaseOrderLine,
    VendorBill,
    VendorBillLine,
    VendorCreditNote,
    VendorCreditNoteLine,
)
from novasaas.sales.totals import document_totals

ZERO = Decimal(0)
CREDIT_PREFIX = "TLM"
Rows = Sequence[Mapping[str, Any]]


def _share(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    return amount if part >= whole else round_money(amount * part / whole)


def _credited(bill_line_ids: list[int], kind: str) -> dict[int, tuple[Decimal, Decimal]]:
    """Per bill line: quantity and net already credited by credit notes of ``kind``."""
    rows = (
        VendorCreditNoteLine.objects.filter(bill_line_id__in=bill_line_ids, credit_note__kind=kind)
        .values("bill_line_id")
        .annotate(q=Sum("quantity"), n=Sum("net_amount"))
    )
    return {r["bill_line_id"]: (r["q"] or ZERO, r["n"] or ZERO) for r in rows}


def _parse_rows(bill: VendorBill, lines: Rows, kind: str) -> list[tuple[VendorBillLine, Decimal, Decimal]]:
    if not lines:
        raise ValidationError({"lines": [_("Add at least one line.")]})
    if len(lines) > c.MAX_LINES:
        raise ValidationError({"lines": [_("At most %(n)d lines.") % {"n": c.MAX_LINES}]})
    by_id = {li.pk: li for li in bill.lines.all()}
    seen: set[int] = set()
    out = []
    for i, row in enumerate(lines):
        key = f"lines[{i}]"
        try:
            line = by_id.get(int(row.get("bill_line_id") or 0))
        except (TypeError, ValueError, OverflowError):
            line = None
        if line is None or line.pk in seen:
            raise ValidationError({f"{key}.bill_line_id": [_("Choose a line of this bill (once).")]})
        seen.add(line.pk)
        q = c.qty(row.get("quantity"), f"{key}.quantity")
        if q > line.quantity:
            raise ValidationError(
                {f"{key}.quantity": [_("At most the billed quantity (%(q)s).") % {"q": format_amount(line.quantity)}]}
            )
        price = ZERO
        if kind == CreditKind.RETURN:
            if line.order_line_id is None:
                raise ValidationError({f"{key}.bill_line_id": [_("Only goods of a purchase order can be returned.")]})
        else:
            if line.cost_kind == CostKind.IMPORT_VAT:
                raise ValidationError({f"{key}.bill_line_id": [_("Import VAT is not credited by a vendor.")]})
            price = c.money(row.get("unit_price"), f"{key}.unit_price")
            if price <= 0:
                raise ValidationError({f"{key}.unit_price": [_("Enter the price reduction per unit.")]})
        out.append((line, q, price))
    return out


@transaction.atomic
def create_credit_note(
    p: Principal,
    bill_id: int,
    *,
    kind: str,
    lines: Rows,
    vendor_credit_no: str,
    date: Any = None,
    reason: str = "",
) -> VendorCreditNote:
    """Record and post a vendor credit note against a posted bill (see the module docstring). Bad input
    is refused with nothing written; a return the stock cannot cover is refused by inventory."""
    p.require("scm.po.create")
    if kind not in CreditKind.values:
        raise ValidationError({"kind": [_("Choose a return of billed goods or a lower price.")]})
    if kind == CreditKind.RETURN:
        p.require("scm.return.manage")
    bill = VendorBill.objects.select_for_update(of=("self",)).select_related("vendor", "order").get(pk=bill_id)
    if bill.status == BillStatus.DRAFT:
        raise ValidationError({"bill_id": [_("Only a posted bill can be credited.")]})
    if kind == CreditKind.RETURN and bill.kind == BillKind.LANDED_COST:
        raise ValidationError({"kind": [_("A landed-cost bill has no goods to return.")]})
    on = c.date(date)
    assert on is not None
    if on < bill.date:
        raise ValidationError({"date": [_("The credit note's date comes before the bill date.")]})
    note = VendorCreditNote(
        bill=bill,
        kind=kind,
        date=on,
        vendor_credit_no=c.text(vendor_credit_no, "vendor_credit_no", 40, required=True),
        reason=c.text(reason, "reason", 300),
        created_by=p.user,
    )
    rows = _parse_rows(bill, lines, kind)
    done = _credited([li.pk for li, _q, _p in rows], kind)
    built: list[VendorCreditNoteLine] = []
    if kind == CreditKind.RETURN:
        for i, (line, q, _price) in enumerate(rows):
            q_before, n_before = done.get(line.pk, (ZERO, ZERO))
            left_q = line.quantity - q_before
            if q > left_q:
                raise ValidationError(
                    {
                        f"lines[{i}].quantity": [
                            _("At most %(q)s of %(d)s can still be returned on this bill.")
                            % {"q": format_amount(max(left_q, ZERO)), "d": line.description}
                        ]
                    }
                )
            net = _share(line.net_amount - n_before, q, left_q)
            vat_before = round_money(line.vat_amount * q_before / line.quantity) if q_before else ZERO
            vat = _share(line.vat_amount - vat_before, q, left_q)
            built.append(
                VendorCreditNoteLine(  # type: ignore[misc]  # MoneyField holds Decimal
                    bill_line=line,
                    quantity=q,
                    unit_price=round_money(line.net_amount / line.quantity),
                    net_amount=net,
                    vat_amount=vat,
                    total=net + vat,
                )
            )
    else:
        totals = document_totals([(q, price, ZERO, line.vat_code) for line, q, price in rows])
        for i, ((line, q, price), amounts) in enumerate(zip(rows, totals.lines, strict=True)):
            _q, n_before = done.get(line.pk, (ZERO, ZERO))
            if amounts.net > line.net_amount - n_before:
                raise ValidationError(
                    {
                        f"lines[{i}].unit_price": [
                            _("The reduction exceeds what is left of %(d)s on the bill (%(n)s).")
                            % {"d": line.description, "n": format_amount(line.net_amount - n_before)}
                        ]
                    }
                )
            built.append(
                VendorCreditNoteLine(  # type: ignore[misc]  # MoneyField holds Decimal
                    bill_line=line,
                    quantity=q,
                    unit_price=price,
                    net_amount=amounts.net,
                    vat_amount=amounts.vat,
                    total=amounts.total,
                )
            )
    note.untaxed = sum((li.net_amount for li in built), ZERO)
    note.vat = sum((li.vat_amount for li in built), ZERO)
    note.total = note.untaxed + note.vat
    open_amount = bill.total - bill.paid - bill.credited
    if note.total <= 0 or note.total > open_amount:
        raise ValidationError(
            {
                "lines": [
                    _("The credit note (%(t)s) must be more than zero and at most what the bill leaves open (%(o)s).")
                    % {"t": format_amount(note.total), "o": format_amount(open_amount)}
                ]
            }
        )
    grni = cogs = ZERO
    expenses: dict[tuple[str, str], Decimal] = {}  # (role, project code): a credit lowers the project's cost
    if kind == CreditKind.RETURN:
        cost = _return_goods(p, bill, note, [(li.bill_line, li.quantity) for li in built])
        grni = cost
        cogs = note.untaxed - cost
        note.cost = cost
    else:
        for li in built:
            bl = li.bill_line
            if bl.order_line_id is not None or bl.cost_kind:
                cogs += li.net_amount
            else:
                key = (bl.expense_role, bl.project_code)
                expenses[key] = expenses.get(key, ZERO) + li.net_amount
    note.number = f"{CREDIT_PREFIX}-{on.year}-{next_number('purchasing.credit', str(on.year)):05d}"
    note.save()
    for li in built:
        li.credit_note = note
        li.tenant_id = note.tenant_id
    VendorCreditNoteLine.objects.bulk_create(built)
    before = audit.snapshot(bill)
    bill.credited += note.total
    if bill.paid + bill.credited == bill.total:
        bill.status = BillStatus.PAID
    bill.save(update_fields=["credited", "status"])
    audit.record_updated(bill, p.user, before)
    audit.record_created(note, p.user)
    vat_by_code: dict[str, list[Decimal]] = {}
    for li in built:
        base_tax = vat_by_code.setdefault(li.bill_line.vat_code, [ZERO, ZERO])
        base_tax[0] += li.net_amount
        base_tax[1] += li.vat_amount
    publish(
        events.VendorCreditNotePosted(
            tenant_id=p.tenant.pk,
            credit_note_id=note.pk,
            number=note.number,
            vendor_credit_no=note.vendor_credit_no,
            date=on.isoformat(),
            partner_id=bill.vendor.party_id,
            total=str(note.total),
            grni=str(grni),
            cogs=str(cogs),
            expenses=[
                [role, str(amount), f"project:{code}"] if code else [role, str(amount)]
                for (role, code), amount in sorted(expenses.items())
                if amount
            ],
            vat_lines=[[code, str(b), str(t)] for code, (b, t) in sorted(vat_by_code.items()) if t],
        )
    )
    return note


def _return_goods(
    p: Principal, bill: VendorBill, note: VendorCreditNote, wanted: list[tuple[VendorBillLine, Decimal]]
) -> Decimal:
    """Send billed goods back through inventory and take them off the order lines; returns their cost."""
    order = bill.order
    assert order is not None  # return lines bill order lines
    order = type(order).objects.select_for_update(of=("self",)).get(pk=order.pk)
    po_ids = sorted({bl.order_line_id for bl, _q in wanted if bl.order_line_id})
    po_lines = {li.pk: li for li in PurchaseOrderLine.objects.select_for_update().filter(pk__in=po_ids).order_by("pk")}
    for i, (bl, q) in enumerate(wanted):
        po = po_lines[bl.order_line_id]  # type: ignore[index]
        if q > po.billed_quantity or q > po.received_quantity:
            raise ValidationError({f"lines[{i}].quantity": [_("More than was received and billed on the order line.")]})
    from novasaas.inventory import actions as inventory
    from novasaas.inventory.models import DocumentStatus

    movement = inventory.issue_goods(
        c.delegate(p.user, "inv.issue.create"),
        warehouse_id=order.warehouse_id,
        lines=[{"product_id": po_lines[bl.order_line_id].product_id, "quantity": str(q)} for bl, q in wanted],  # type: ignore[index]
        date=note.date,
        partner_id=bill.vendor.party_id,
        purpose="return_to_vendor",
        source_document=f"scm.purchaseorder:{order.pk}",
        note=" ".join(f"{bill.number} {note.reason}".split())[:500],
    )
    if movement.status != DocumentStatus.DONE:
        raise ValidationError(
            _("The goods issue %(n)s needs a Warehouse Manager's approval (not supported for returns yet).")
            % {"n": movement.number}
        )
    note.movement_id = movement.pk
    for bl, q in wanted:
        po = po_lines[bl.order_line_id]  # type: ignore[index]
        value = _share(po.billed_value, q, po.billed_quantity)
        po.received_quantity -= q
        po.billed_quantity -= q
        po.received_value -= value
        po.billed_value -= value
        po.save(update_fields=["received_quantity", "billed_quantity", "received_value", "billed_value"])
    if order.status in (OrderStatus.RECEIVED, OrderStatus.PARTIAL):
        lines = list(order.lines.all())
        done = all(li.received_quantity >= li.quantity for li in lines)
        order.status = OrderStatus.RECEIVED if done else OrderStatus.PARTIAL
        order.save(update_fields=["status"])
    return sum((ln.value for ln in movement.lines.all()), ZERO)
