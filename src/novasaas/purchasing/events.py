"""Domain events published by Purchasing (spec §8, §11.3 SCM ↔ ACC).

Amounts are decimal strings in VND (whole đồng). Subscribers run in the publisher's transaction: a
refusal (a closed period, an unknown account) rolls the purchasing action back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from novasaas.platform.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderApproved(DomainEvent):
    order_id: int
    number: str
    vendor_id: int
    total: str


@dataclass(frozen=True, kw_only=True)
class PurchaseOrderSent(DomainEvent):
    """After commit (module SCM): email the order's PDF to ``to`` (``emailing.email_order``)."""

    order_id: int
    to: str
    locale: str = "vi"


@dataclass(frozen=True, kw_only=True)
class VendorBillPosted(DomainEvent):
    """Accounting: Dr 3388 (``grni``) + price differences (``cogs_difference`` to COGS) + expenses
    (``expenses``: ``[[role, amount]]`` or ``[[role, amount, "project:<code>"]]`` for a line charged to a
    project: the dimension of the expense line) + Dr 1331 input VAT per rate (``vat_lines``: ``[[code, base,
    tax]]``) / Cr 331 ``total`` with the vendor's party. ``paid_in_cash`` marks the invoice for the
    ≥ 5,000,000 đ non-cash rule of accounting's tax layer."""

    bill_id: int
    number: str
    vendor_invoice_no: str
    date: str
    due_date: str
    partner_id: int
    total: str
    grni: str
    cogs_difference: str = "0"
    expenses: list[list[str]] = field(default_factory=list)
    vat_lines: list[list[str]] = field(default_factory=list)
    paid_in_cash: bool = False


@dataclass(frozen=True, kw_only=True)
class VendorBillPaid(DomainEvent):
    """Accounting: a supplier payment (``record_payment(kind="payment")``) allocated to the bill's 331
    line."""

    payment_id: int
    bill_id: int
    partner_id: int
    date: str
    amount: str
    method: str
    actor_id: int | None = None
    approve: bool = False  # the payer may approve payments: accounting posts it at once


@dataclass(frozen=True, kw_only=True)
class RequisitionCreated(DomainEvent):
    requisition_id: int
    number: str
    product_id: int
    warehouse_id: int
    quantity: str
    is_automatic: bool = False


@dataclass(frozen=True, kw_only=True)
class VendorReturnPosted(DomainEvent):
    """Goods went back to the vendor (inventory posted Dr 3388 / Cr stock at their cost). Accounting:
    ``difference`` = the returned share of the receipts' value − that cost, Dr 3388 / Cr COGS (negative:
    the other way), so that 3388 keeps equal to received − billed."""

    order_id: int
    movement_id: int
    number: str
    date: str
    partner_id: int
    difference: str


@dataclass(frozen=True, kw_only=True)
class VendorCreditNotePosted(DomainEvent):
    """Accounting: Dr 331 ``total`` with the vendor's party / Cr 3388 ``grni`` / Cr 632 ``cogs``
    (negative: Dr) / Cr each expense of ``expenses`` / Cr 1331 per VAT rate (``vat_lines``)."""

    credit_note_id: int
    number: str
    vendor_credit_no: str
    date: str
    partner_id: int
    total: str
    grni: str = "0"
    cogs: str = "0"
    expenses: list[list[str]] = field(default_factory=list)
    vat_lines: list[list[str]] = field(default_factory=list)
