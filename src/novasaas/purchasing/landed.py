"""Landed-cost bills: freight, insurance, import duty and import VAT billed by another vendor (a
forwarder, an insurer, customs) for goods received against purchase orders.

A landed-cost bill names the receipts it belongs to and how to spread it (by value or by quantity).
Posting (``bills.post_bill``) spreads the cost lines' net over the receipts by their value or quantity
(the last receipt takes the rounding rest) and adds each share to its receipt through inventory's
``add_landed_cost`` (Dr stock for the goods still on hand, Dr 632 for those already issued / Cr 3388);
the bill debits 3388 by the same total, Dr 1331 its VAT / Cr 331 the total. An import VAT line is the
VAT paid at customs: deductible input VAT (Dr 1331 at its rate, base = amount / rate), never a cost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.money import round_money
from novasaas.platform.numbering import next_number
from novasaas.purchasing import _common as c
from novasaas.purchasing.models import (
    BillKind,
    CostKind,
    LandedCostAllocation,
    LandedSplit,
    PaymentMethod,
    PurchaseReceipt,
    Vendor,
    VendorBill,
    VendorBillLine,
)
from novasaas.sales.totals import VAT_RATES, document_totals

ZERO = Decimal(0)
HUNDRED = Decimal(100)
Rows = Sequence[Mapping[str, Any]]


def _lines(rows: Rows, on: dt.date) -> list[VendorBillLine]:
    from novasaas.purchasing.bills import _vat_code

    if not rows:
        raise ValidationError({"lines": [_("Add at least one line.")]})
    if len(rows) > c.MAX_LINES:
        raise ValidationError({"lines": [_("At most %(n)d lines.") % {"n": c.MAX_LINES}]})
    built = []
    for i, row in enumerate(rows):
        key = f"lines[{i}]"
        kind = str(row.get("cost_kind") or "")
        if kind not in CostKind.values:
            raise ValidationError({f"{key}.cost_kind": [_("Choose freight, insurance, import duty or import VAT.")]})
        amount = c.money(row.get("amount"), f"{key}.amount")
        if amount <= 0:
            raise ValidationError({f"{key}.amount": [_("Enter an amount greater than zero.")]})
        code = _vat_code(row.get("vat_code"), key, on, "VAT10" if kind != CostKind.DUTY else "EXEMPT")
        if kind == CostKind.IMPORT_VAT and VAT_RATES[code] <= 0:
            raise ValidationError({f"{key}.vat_code": [_("Import VAT is paid at 5, 8 or 10 %.")]})
        description = c.text(row.get("description"), f"{key}.description", 300) or str(CostKind(kind).label)
        built.append(
            VendorBillLine(  # type: ignore[misc]  # MoneyField holds Decimal
                position=i + 1,
                cost_kind=kind,
                description=description,
                quantity=Decimal(1),
                unit_price=amount,
                vat_code=code,
            )
        )
    costs = [li for li in built if li.cost_kind != CostKind.IMPORT_VAT]
    totals = document_totals([(li.quantity, li.unit_price, ZERO, li.vat_code) for li in costs])
    for line, amounts in zip(costs, totals.lines, strict=True):
        line.net_amount, line.vat_amount, line.total = amounts.net, amounts.vat, amounts.total
    for line in built:
        if line.cost_kind == CostKind.IMPORT_VAT:  # the tax itself, no VAT on it
            line.net_amount = line.total = line.unit_price
    return built


def _receipts(receipt_ids: Any) -> list[PurchaseReceipt]:
    try:
        ids = sorted({int(x) for x in receipt_ids or []})
    except (TypeError, ValueError, OverflowError):
        ids = []
    receipts = list(PurchaseReceipt.objects.filter(pk__in=ids, movement_id__isnull=False).order_by("pk")) if ids else []
    if not ids or len(receipts) != len(ids):
        raise ValidationError({"receipt_ids": [_("Choose one or more receipts of purchase orders.")]})
    return receipts


@transaction.atomic
def create_landed_bill(
    p: Principal,
    *,
    vendor_id: Any,
    vendor_invoice_no: str,
    receipt_ids: Any,
    lines: Rows,
    split: str = LandedSplit.VALUE,
    date: Any = None,
    due_date: Any = None,
    payment_method: str = PaymentMethod.BANK,
) -> VendorBill:
    """A draft landed-cost bill of ``vendor_id`` (any active vendor: the forwarder, the insurer,
    customs) allocated to ``receipt_ids``; lines are ``{cost_kind, amount, vat_code, description}``."""
    from novasaas.purchasing.bills import BILL_PREFIX

    p.require("scm.po.create")
    on = c.date(date)
    assert on is not None
    try:
        vendor = Vendor.objects.filter(pk=int(vendor_id or 0), is_active=True).first()
    except (TypeError, ValueError, OverflowError):
        vendor = None
    if vendor is None:
        raise ValidationError({"vendor_id": [_("Choose an active vendor.")]})
    if split not in LandedSplit.values:
        raise ValidationError({"split": [_("Split by value or by quantity.")]})
    if payment_method not in PaymentMethod.values:
        raise ValidationError({"payment_method": [_("Choose bank or cash.")]})
    receipts = _receipts(receipt_ids)
    if any(r.date > on for r in receipts):
        raise ValidationError({"receipt_ids": [_("A receipt comes after the bill date.")]})
    weights = [r.value if split == LandedSplit.VALUE else r.quantity for r in receipts]
    if sum(weights, ZERO) <= 0:
        raise ValidationError({"split": [_("The receipts have nothing to spread the cost over.")]})
    due = c.date(due_date, "due_date", default_today=False) or on + dt.timedelta(days=vendor.payment_terms_days)
    if due < on:
        raise ValidationError({"due_date": [_("The due date comes before the bill date.")]})
    built = _lines(lines, on)
    bill = VendorBill(
        vendor=vendor,
        kind=BillKind.LANDED_COST,
        landed_split=split,
        vendor_invoice_no=c.text(vendor_invoice_no, "vendor_invoice_no", 40, required=True),
        date=on,
        due_date=due,
        payment_method=payment_method,
        created_by=p.user,
    )
    bill.untaxed = sum((li.net_amount for li in built if li.cost_kind != CostKind.IMPORT_VAT), ZERO)
    bill.vat = sum((li.vat_amount if li.cost_kind != CostKind.IMPORT_VAT else li.total for li in built), ZERO)
    bill.total = bill.untaxed + bill.vat
    bill.number = f"{BILL_PREFIX}-{on.year}-{next_number('purchasing.bill', str(on.year)):05d}"
    bill.save()
    for line in built:
        line.bill = bill
        line.tenant_id = bill.tenant_id
    VendorBillLine.objects.bulk_create(built)
    LandedCostAllocation.objects.bulk_create(
        [LandedCostAllocation(tenant_id=bill.tenant_id, bill=bill, receipt=r) for r in receipts]
    )
    audit.record_created(bill, p.user)
    return bill


def allocate(p: Principal, bill: VendorBill, lines: list[VendorBillLine]) -> tuple[Decimal, list[list[str]]]:
    """At posting: add the cost lines' net to the receipts through inventory's landed cost. Returns the
    GRNI the bill debits (= what the landed costs credited to 3388) and the import VAT lines
    ``[code, base, tax]``."""
    from novasaas.inventory.actions import add_landed_cost

    cost = sum((li.net_amount for li in lines if li.cost_kind != CostKind.IMPORT_VAT), ZERO)
    allocations = list(
        LandedCostAllocation.objects.select_for_update().filter(bill=bill).select_related("receipt").order_by("pk")
    )
    weights = [a.receipt.value if bill.landed_split == LandedSplit.VALUE else a.receipt.quantity for a in allocations]
    weight_sum = sum(weights, ZERO)
    left = cost
    for i, (alloc, weight) in enumerate(zip(allocations, weights, strict=True)):
        share = left if i == len(allocations) - 1 else round_money(cost * weight / weight_sum)
        left -= share
        alloc.amount = share
        if share > 0:
            assert alloc.receipt.movement_id is not None  # rejection records are refused at creation
            landed = add_landed_cost(
                c.delegate(p.user, "inv.adjustment.create"),
                alloc.receipt.movement_id,
                amount=str(share),
                description=_("Landed cost of bill %(n)s (%(v)s)") % {"n": bill.number, "v": bill.vendor_invoice_no},
                split=bill.landed_split,
                date=bill.date,
            )
            alloc.landed_cost_id = landed.pk
        alloc.save(update_fields=["amount", "landed_cost_id"])
    import_vat = []
    for li in lines:
        if li.cost_kind == CostKind.IMPORT_VAT:
            rate = VAT_RATES[li.vat_code]
            import_vat.append([li.vat_code, str(round_money(li.net_amount * HUNDRED / rate)), str(li.net_amount)])
    return cost, import_vat
