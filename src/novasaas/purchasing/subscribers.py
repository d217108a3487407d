"""Purchasing's integration with Accounting and Inventory (spec §11.3 SCM ↔ ACC, INV → SCM).

Each handler subscribes with the module it integrates, so it runs only for tenants that have it, in
the publisher's transaction (a refusal — a closed period — refuses the purchasing step with nothing
changed). The purchasing right authorised the step; accounting is called with a principal of the same
user holding only the right its function checks.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils.translation import gettext as _

from novasaas.inventory.events import GoodsReceived, StockBelowReorderLevel
from novasaas.platform.events import subscriber
from novasaas.platform.tenancy import current_tenant
from novasaas.purchasing.events import VendorBillPaid, VendorBillPosted, VendorCreditNotePosted, VendorReturnPosted

BILL_SOURCE = "scm.vendorbill"
RETURN_SOURCE = "scm.vendorreturn"
CREDIT_SOURCE = "scm.vendorcredit"
ZERO = Decimal(0)


@subscriber(VendorBillPosted, module="ACC")
def post_bill(event: VendorBillPosted) -> None:
    from novasaas.accounting.actions import LineInput, post_source_document

    memo = _("Vendor bill %(n)s (invoice %(i)s)") % {"n": event.number, "i": event.vendor_invoice_no}
    grni, cogs = Decimal(event.grni), Decimal(event.cogs_difference)
    lines = [LineInput("goods_received_not_invoiced", grni, ZERO, None, memo)] if grni else []
    lines += [
        LineInput(role, Decimal(amount), ZERO, None, memo, dimension=dim[0] if dim else None)
        for role, amount, *dim in event.expenses
    ]
    lines += [
        LineInput(
            "input_vat",
            Decimal(tax),
            ZERO,
            event.partner_id,
            memo,
            tax_rate=code,
            tax_base=Decimal(base),
            paid_in_cash=event.paid_in_cash,
        )
        for code, base, tax in event.vat_lines
    ]
    if cogs:
        lines.append(LineInput("cogs", ZERO, -cogs, None, memo))
    lines.append(
        LineInput("payable", ZERO, Decimal(event.total), event.partner_id, memo, due_date=_day(event.due_date))
    )
    post_source_document(
        current_tenant(),
        BILL_SOURCE,
        event.bill_id,
        event.date,
        [li for li in lines if li.debit or li.credit],
        memo=memo,
        reference=event.number,
        journal="PUR",
    )


def _day(value: str) -> dt.date:
    return dt.date.fromisoformat(value)


@subscriber(VendorBillPaid, module="ACC")
def record_payment(event: VendorBillPaid) -> None:
    from novasaas.accounting import selectors as accounting
    from novasaas.accounting.receivables import record_payment as record
    from novasaas.identity.access import Principal
    from novasaas.identity.models import User
    from novasaas.platform.tenancy import platform_context

    tenant = current_tenant()
    payable_line = None
    for entry in accounting.entries_for_source(tenant, BILL_SOURCE, event.bill_id):
        for line in accounting.entry_lines(tenant, entry):
            if line.partner_id == event.partner_id and line.credit > 0:
                payable_line = line
    user = None
    if event.actor_id:
        with platform_context():
            user = User.objects.filter(pk=event.actor_id).first()
    rights = {"acc.payment.record", "acc.payment.approve"} if event.approve else {"acc.payment.record"}
    principal = Principal(tenant=tenant, user=user, membership=None, permissions=frozenset(rights), via="scm")
    record(
        principal,
        kind="payment",
        party_id=event.partner_id,
        date=_day(event.date),
        amount=event.amount,
        method=event.method,
        memo=_("Payment of vendor bill %(id)s") % {"id": event.bill_id},
        allocations=[(payable_line.pk, event.amount)] if payable_line is not None else None,
    )


@subscriber(VendorReturnPosted, module="ACC")
def post_return_difference(event: VendorReturnPosted) -> None:
    from novasaas.accounting.actions import post_source_document

    difference = Decimal(event.difference)
    if not difference:
        return
    memo = _("Return to vendor %(n)s: purchase price vs cost") % {"n": event.number}
    grni = ("goods_received_not_invoiced", max(difference, ZERO), max(-difference, ZERO), event.partner_id, memo)
    cogs = ("cogs", max(-difference, ZERO), max(difference, ZERO), None, memo)
    post_source_document(
        current_tenant(),
        RETURN_SOURCE,
        event.movement_id,
        event.date,
        [grni, cogs],
        memo=memo,
        reference=event.number,
        journal="PUR",
    )


@subscriber(VendorCreditNotePosted, module="ACC")
def post_credit_note(event: VendorCreditNotePosted) -> None:
    from novasaas.accounting.actions import LineInput, post_source_document

    memo = _("Vendor credit note %(n)s (%(i)s)") % {"n": event.number, "i": event.vendor_credit_no}
    grni, cogs = Decimal(event.grni), Decimal(event.cogs)
    lines = [LineInput("payable", Decimal(event.total), ZERO, event.partner_id, memo)]
    if grni:
        lines.append(LineInput("goods_received_not_invoiced", ZERO, grni, None, memo))
    if cogs:
        lines.append(LineInput("cogs", max(-cogs, ZERO), max(cogs, ZERO), None, memo))
    lines += [
        LineInput(role, ZERO, Decimal(amount), None, memo, dimension=dim[0] if dim else None)
        for role, amount, *dim in event.expenses
    ]
    # a credit on input VAT at its rate and base (accounting checks tax = base × rate on either side)
    lines += [
        LineInput("input_vat", ZERO, Decimal(tax), event.partner_id, memo, tax_rate=code, tax_base=Decimal(base))
        for code, base, tax in event.vat_lines
    ]
    post_source_document(
        current_tenant(),
        CREDIT_SOURCE,
        event.credit_note_id,
        event.date,
        [li for li in lines if li.debit or li.credit],
        memo=memo,
        reference=event.number,
        journal="PUR",
    )


@subscriber(StockBelowReorderLevel, module="SCM")
def propose_reorder(event: StockBelowReorderLevel) -> None:
    """One draft requisition per product × warehouse crossing (inventory publishes once per crossing;
    an open requisition for the pair is not duplicated), quantity from the reorder rule."""
    from novasaas.inventory import selectors as inventory
    from novasaas.purchasing.requisitions import create_automatic

    tenant = current_tenant()
    quantity = ZERO
    for row in inventory.below_reorder_level(tenant, event.warehouse_id):
        if row.product_id == event.product_id:
            quantity = row.reorder_quantity
    if quantity <= 0:
        quantity = Decimal(event.reorder_level) - Decimal(event.available)
    if quantity <= 0:
        return
    create_automatic(
        event.product_id,
        event.warehouse_id,
        quantity,
        _("Available %(a)s, reorder level %(l)s.") % {"a": event.available, "l": event.reorder_level},
    )


@subscriber(GoodsReceived, module="SCM")
def receipt_for_order(event: GoodsReceived) -> None:
    """A goods receipt validated in Inventory for a purchase order (not through the order's own
    ``receive_order``) updates the order (``actions.record_inventory_receipt``); a refusal there
    refuses the receipt."""
    if event.purchase_order_id:
        from novasaas.purchasing.actions import record_inventory_receipt

        record_inventory_receipt(event)
