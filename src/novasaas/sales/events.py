"""Domain events published by Sales (spec §5, §11.3 CRM ↔ INV, CRM ↔ ACC).

Amounts are decimal strings in the document's currency (VND: whole đồng), quantities decimal strings
in the product's stock unit. ``lines`` of the stock events are ``[product_id, quantity]`` pairs of
stocked products only. Subscribers run in the publisher's transaction: a refusal (not enough stock, a
closed period) rolls the sales action back.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from novasaas.platform.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class SalesOrderConfirmed(DomainEvent):
    """Inventory (sales subscriber, module INV): reserve ``lines`` in ``warehouse_id`` for ``document``."""

    order_id: int
    document: str  # "crm.salesorder:<id>"
    warehouse_id: int | None
    lines: list[list[str | int]] = field(default_factory=list)
    partial_ok: bool = False  # stock check "warn": reserve what is available, back-order the rest


@dataclass(frozen=True, kw_only=True)
class SalesOrderCancelled(DomainEvent):
    """Inventory: release what ``document`` still holds of ``lines``' products."""

    order_id: int
    document: str
    warehouse_id: int | None
    lines: list[list[str | int]] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class SalesBackorderClosed(DomainEvent):
    """Inventory: release what ``document`` still holds of ``lines``' products (the rest will not ship)."""

    order_id: int
    document: str
    warehouse_id: int | None
    lines: list[list[str | int]] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class SalesOrderDelivered(DomainEvent):
    """Inventory: post a goods issue (purpose "sale", FEFO picking) consuming the reservation; its
    ``GoodsIssued`` event then books the cost of goods sold in accounting. One event per delivery
    (``number`` is the delivery's, ``lines`` what it delivers)."""

    order_id: int
    number: str
    document: str
    date: str
    warehouse_id: int | None
    partner_id: int
    actor_id: int | None
    lines: list[list[str | int]] = field(default_factory=list)
    delivery_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class SalesInvoiceIssued(DomainEvent):
    """Accounting: Dr receivable (131) total / Cr revenue (511x) per kind / Cr output VAT (33311)."""

    invoice_id: int
    number: str
    date: str
    partner_id: int
    currency: str
    goods_revenue: str
    service_revenue: str
    vat: str
    total: str
    actor_id: int | None


@dataclass(frozen=True, kw_only=True)
class SalesPaymentReceived(DomainEvent):
    """Accounting: a receipt of ``amount`` from the customer allocated to the invoice's receivable."""

    payment_id: int
    invoice_id: int
    partner_id: int
    date: str
    amount: str
    method: str  # "cash" | "bank"
    actor_id: int | None
    applied: str = ""  # the part allocated to the invoice (the rest is the customer's credit); "" = all


@dataclass(frozen=True, kw_only=True)
class QuotationSent(DomainEvent):
    """After commit (module CRM): email the quotation's PDF to ``to`` (``quotations.email_quotation``)."""

    quotation_id: int
    to: str
    locale: str = "vi"


@dataclass(frozen=True, kw_only=True)
class SalesGoodsReturned(DomainEvent):
    """Inventory: a customer-return receipt of ``lines`` = ``[product_id, quantity, unit_cost]`` (the cost
    the goods left at) into ``warehouse_id``; accounting's subscriber then books Dr 156 / Cr 632."""

    return_id: int
    number: str
    date: str
    warehouse_id: int | None
    partner_id: int
    actor_id: int | None
    lines: list[list[str | int]] = field(default_factory=list)


@dataclass(frozen=True, kw_only=True)
class SalesCreditNoteIssued(DomainEvent):
    """Accounting: Dr revenue 5111/5113 / Dr output VAT 33311 / Cr receivable 131 (the customer)."""

    credit_note_id: int
    number: str
    invoice_number: str
    invoice_id: int = 0
    date: str
    partner_id: int
    goods_revenue: str
    service_revenue: str
    vat: str
    total: str
