"""Sales' integration with Inventory and Accounting (spec §11.3 CRM → INV, CRM → ACC).

Each handler subscribes to a Sales event with the module it integrates, so it runs only for tenants
that have that module; it runs in the sales action's transaction, so a refusal (not enough stock, a
closed period) refuses the sales step with nothing changed. Handlers call the other module's public
entry points named for Sales (``inventory.ledger.reserve/release``, ``inventory.actions.issue_goods``,
``accounting.actions.post_source_document``, ``accounting.receivables.record_payment``).

The sales right (``crm.order.create``, ``crm.payment.receive``) authorised the step; the inventory or
accounting function is called with a principal of the same user that holds only the one right that
function checks (``inv.issue.create``, ``acc.payment.record``), never a general grant.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.parties.events import PartiesMerged
from novasaas.platform.events import subscriber
from novasaas.platform.tenancy import current_tenant
from novasaas.sales.events import (
    SalesBackorderClosed,
    SalesCreditNoteIssued,
    SalesGoodsReturned,
    SalesInvoiceIssued,
    SalesOrderCancelled,
    SalesOrderConfirmed,
    SalesOrderDelivered,
    SalesPaymentReceived,
)

INVOICE_SOURCE = "sales.invoice"
CREDIT_NOTE_SOURCE = "sales.credit_note"
ZERO = Decimal(0)


def _delegate(user_id: int | None, permission: str) -> Principal:
    from novasaas.identity.models import User
    from novasaas.platform.tenancy import platform_context

    user = None
    if user_id:
        with platform_context():
            user = User.objects.filter(pk=user_id).first()
    return Principal(
        tenant=current_tenant(), user=user, membership=None, permissions=frozenset({permission}), via="crm"
    )


def _stock_targets(warehouse_id: int | None, lines: list[list[Any]]) -> tuple[Any, list[tuple[Any, Decimal]]]:
    from novasaas.inventory import selectors as inventory

    tenant = current_tenant()
    warehouse = inventory.get_warehouse(tenant, warehouse_id) if warehouse_id else None
    if warehouse is None:
        raise ValidationError({"warehouse_id": [_("Choose the warehouse the goods leave from.")]})
    return warehouse, [(inventory.get_product(tenant, int(pid)), Decimal(str(qty))) for pid, qty in lines]


@subscriber(SalesOrderConfirmed, module="INV")
def reserve_stock(event: SalesOrderConfirmed) -> None:
    if not event.lines:
        return
    from novasaas.inventory import ledger
    from novasaas.inventory import selectors as inventory

    tenant = current_tenant()
    warehouse, targets = _stock_targets(event.warehouse_id, event.lines)
    for product, qty in targets:
        if event.partial_ok:  # stock check "warn": what is available now, the rest back-ordered
            qty = min(qty, inventory.available(tenant, product.pk, warehouse.pk))
            if qty <= 0:
                continue
            try:
                with transaction.atomic():
                    ledger.reserve(tenant, product, warehouse, qty, event.document)
            except ledger.InsufficientStock:
                continue  # taken meanwhile by another order: nothing reserved for this line
        else:
            ledger.reserve(tenant, product, warehouse, qty, event.document)


@subscriber(SalesBackorderClosed, module="INV")  # type: ignore[arg-type]
@subscriber(SalesOrderCancelled, module="INV")
def release_stock(event: SalesOrderCancelled | SalesBackorderClosed) -> None:
    if not event.lines or not event.warehouse_id:
        return
    from novasaas.inventory import ledger

    warehouse, targets = _stock_targets(event.warehouse_id, event.lines)
    for product, _qty in targets:
        ledger.release(current_tenant(), product, warehouse, None, event.document)


@subscriber(SalesOrderDelivered, module="INV")
def issue_goods(event: SalesOrderDelivered) -> None:
    if not event.lines or event.warehouse_id is None:
        return
    import datetime as dt

    from novasaas.inventory import actions as inventory
    from novasaas.inventory.models import DocumentStatus
    from novasaas.sales.models import SalesDelivery, SalesOrder

    movement = inventory.issue_goods(
        _delegate(event.actor_id, "inv.issue.create"),
        warehouse_id=event.warehouse_id,
        lines=[{"product_id": int(pid), "quantity": str(qty)} for pid, qty in event.lines],
        date=dt.date.fromisoformat(event.date),
        partner_id=event.partner_id,
        purpose="sale",
        sales_order_id=event.order_id,
        note=event.number,
    )
    if movement.status != DocumentStatus.DONE:
        raise ValidationError(
            _("The goods issue %(n)s needs a Warehouse Manager's approval (not supported for deliveries yet).")
            % {"n": movement.number}
        )
    SalesOrder.objects.filter(pk=event.order_id).update(issue_id=movement.pk)
    if event.delivery_id:
        SalesDelivery.objects.filter(pk=event.delivery_id).update(issue_id=movement.pk)


@subscriber(SalesInvoiceIssued, module="ACC")
def post_invoice(event: SalesInvoiceIssued) -> None:
    from novasaas.accounting.actions import post_source_document

    goods, services, vat, total = (
        Decimal(v) for v in (event.goods_revenue, event.service_revenue, event.vat, event.total)
    )
    memo = _("Sales invoice %(n)s") % {"n": event.number}
    lines = [
        ("receivable", total, ZERO, event.partner_id, memo),
        ("revenue", ZERO, goods, None, memo),
        ("service_revenue", ZERO, services, None, memo),
        ("output_vat", ZERO, vat, None, memo),
    ]
    post_source_document(
        current_tenant(),
        INVOICE_SOURCE,
        event.invoice_id,
        event.date,
        [line for line in lines if line[1] or line[2]],
        memo=memo,
        reference=event.number,
        journal="SAL",
    )


@subscriber(SalesPaymentReceived, module="ACC")
def record_receipt(event: SalesPaymentReceived) -> None:
    import datetime as dt

    from novasaas.accounting import selectors as accounting
    from novasaas.accounting.receivables import record_payment

    tenant = current_tenant()
    receivable_line = None
    for entry in accounting.entries_for_source(tenant, INVOICE_SOURCE, event.invoice_id):
        for line in accounting.entry_lines(tenant, entry):
            if line.partner_id == event.partner_id and line.debit > 0:
                receivable_line = line
    applied = event.applied or event.amount
    allocations = [(receivable_line.pk, applied)] if receivable_line is not None and Decimal(applied) > 0 else None
    record_payment(
        _delegate(event.actor_id, "acc.payment.record"),
        kind="receipt",
        party_id=event.partner_id,
        date=dt.date.fromisoformat(event.date),
        amount=event.amount,
        method=event.method,
        memo=_("Payment of sales invoice %(id)s") % {"id": event.invoice_id},
        allocations=allocations,
    )


@subscriber(PartiesMerged, module="CRM")
def repoint_customers(event: PartiesMerged) -> None:
    """A merged party's customer role moves to the kept party. When the kept party (or more than one
    duplicate) is a customer too, the merge is refused: merging two customers' histories is not built."""
    from novasaas.sales.models import Customer

    merged = list(Customer.objects.filter(party_id__in=event.merged_ids).order_by("code"))
    if not merged:
        return
    kept = Customer.objects.filter(party_id=event.kept_id).first()
    if kept is not None or len(merged) > 1:
        codes = ", ".join(c.code for c in ([kept] if kept else []) + merged)
        raise ValidationError(
            _("These parties are all customers (%(c)s): merging customers is not supported yet.") % {"c": codes}
        )
    Customer.objects.filter(pk=merged[0].pk).update(party_id=event.kept_id)


@subscriber(SalesGoodsReturned, module="INV")
def receive_returned_goods(event: SalesGoodsReturned) -> None:
    """A customer-return receipt at the cost the goods left at (accounting: Dr 156 / Cr 632)."""
    if not event.lines or event.warehouse_id is None:
        return
    import datetime as dt

    from novasaas.inventory import actions as inventory
    from novasaas.inventory.models import DocumentStatus
    from novasaas.sales.models import SalesReturn

    movement = inventory.receive_goods(
        _delegate(event.actor_id, "inv.receipt.create"),
        warehouse_id=event.warehouse_id,
        lines=[
            {"product_id": int(pid), "quantity": str(qty), "unit_cost": str(cost)} for pid, qty, cost in event.lines
        ],
        date=dt.date.fromisoformat(event.date),
        partner_id=event.partner_id,
        is_customer_return=True,
        note=event.number,
    )
    if movement.status != DocumentStatus.DONE:
        raise ValidationError(
            _("The goods receipt %(n)s needs a Warehouse Manager's approval (not supported for returns yet).")
            % {"n": movement.number}
        )
    SalesReturn.objects.filter(pk=event.return_id).update(receipt_id=movement.pk)


@subscriber(SalesCreditNoteIssued, module="ACC")
def post_credit_note(event: SalesCreditNoteIssued) -> None:
    from novasaas.accounting.actions import post_source_document

    goods, services, vat, total = (
        Decimal(v) for v in (event.goods_revenue, event.service_revenue, event.vat, event.total)
    )
    memo = _("Credit note %(n)s on invoice %(i)s") % {"n": event.number, "i": event.invoice_number}
    lines = [
        ("revenue", goods, ZERO, None, memo),
        ("service_revenue", services, ZERO, None, memo),
        ("output_vat", vat, ZERO, None, memo),
        ("receivable", ZERO, total, event.partner_id, memo),
    ]
    post_source_document(
        current_tenant(),
        CREDIT_NOTE_SOURCE,
        event.credit_note_id,
        event.date,
        [line for line in lines if line[1] or line[2]],
        memo=memo,
        reference=event.number,
        journal="SAL",
    )
    _settle_with_invoice(event, total)


def _settle_with_invoice(event: SalesCreditNoteIssued, total: Decimal) -> None:
    """Apply the credit note's 131 credit to the invoice's open 131 line (as far as it is still open),
    so receivables and the aging show the invoice reduced rather than an unapplied credit."""
    from novasaas.accounting import selectors as accounting
    from novasaas.accounting.receivables import allocate, open_items

    tenant = current_tenant()

    def receivable_line(source: str, source_id: int, debit: bool) -> Any:
        for entry in accounting.entries_for_source(tenant, source, source_id):
            for line in accounting.entry_lines(tenant, entry):
                if line.partner_id == event.partner_id and (line.debit > 0 if debit else line.credit > 0):
                    return line
        return None

    invoice_line = receivable_line(INVOICE_SOURCE, event.invoice_id, True) if event.invoice_id else None
    credit_line = receivable_line(CREDIT_NOTE_SOURCE, event.credit_note_id, False)
    if invoice_line is None or credit_line is None:
        return
    still_open = next(
        (i.open for i in open_items(tenant, "receivable", party_id=event.partner_id) if i.line_id == invoice_line.pk),
        ZERO,
    )
    amount = min(total, still_open)
    if amount > 0:
        allocate(
            _delegate(None, "acc.reconcile"),
            payment_line_id=credit_line.pk,
            invoice_line_id=invoice_line.pk,
            amount=str(amount),
        )
