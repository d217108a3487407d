"""Domain events published by Inventory (spec §6, §11.3 INV ↔ ACC).

This file is the contract other modules build on: Accounting subscribes to the valued events to post
the stock accounts, Purchasing and Sales (later) react to receipts and issues. Amounts are decimal
strings in the tenant's base currency, already rounded by ``novasaas.platform.money``; quantities are
decimal strings in the product's stock unit. ``value`` is signed where the event says so.

``document_type``/``document_id`` name the inventory document (receipt, issue, adjustment, count,
landed cost, revaluation) so that the ledger entry can link back to it and so that a subscriber can be
idempotent per document.
"""

from __future__ import annotations

from dataclasses import dataclass

from novasaas.platform.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class StockValueEvent(DomainEvent):
    """Common fields of every event that changes the value of stock on hand."""

    document_type: str  # e.g. "inventory.receipt", "inventory.issue", "inventory.adjustment"
    document_id: int
    reference: str  # the document number shown to users, e.g. "NK-2026-00012"
    date: str  # ISO date of the movement (the accounting date)
    warehouse_id: int
    value: str  # total value of the movement in base currency


@dataclass(frozen=True, kw_only=True)
class GoodsReceived(StockValueEvent):
    """Goods entered stock from a supplier (or a customer return). Accounting: Dr inventory / Cr goods
    received not invoiced (or payable when ``partner_id`` is set and no purchase order is involved)."""

    partner_id: int | None = None
    purchase_order_id: int | None = None
    is_customer_return: bool = False


@dataclass(frozen=True, kw_only=True)
class GoodsIssued(StockValueEvent):
    """Goods left stock at cost ``value``. ``purpose`` is "sale" (Dr COGS), "internal" (Dr expense),
    or "return_to_vendor" (Dr payable / goods received not invoiced)."""

    purpose: str = "sale"
    partner_id: int | None = None
    sales_order_id: int | None = None


@dataclass(frozen=True, kw_only=True)
class StockAdjusted(StockValueEvent):
    """An approved adjustment; ``value`` is signed: positive = gain (Dr inventory / Cr surplus pending
    resolution), negative = loss (Dr shortage pending resolution / Cr inventory)."""

    reason: str = ""


@dataclass(frozen=True, kw_only=True)
class CountVariancePosted(StockValueEvent):
    """An approved inventory count posted its variances; ``value`` is the signed net variance (same
    accounting as ``StockAdjusted``). ``gain_value`` and ``loss_value`` give both sides unnetted."""

    gain_value: str = "0"
    loss_value: str = "0"


@dataclass(frozen=True, kw_only=True)
class LandedCostAdded(StockValueEvent):
    """Freight, duty or insurance added to the value of a receipt (Dr inventory / Cr payable); the part
    for goods already issued goes to COGS, given in ``cogs_value`` (included in ``value``)."""

    receipt_id: int
    partner_id: int | None = None
    cogs_value: str = "0"


@dataclass(frozen=True, kw_only=True)
class StockRevalued(StockValueEvent):
    """A backdated move or cost correction changed the value of stock; ``value`` is the signed change of
    inventory value, ``cogs_value`` the signed change of cost of goods already sold."""

    product_id: int
    cogs_value: str = "0"


@dataclass(frozen=True, kw_only=True)
class StockBelowReorderLevel(DomainEvent):
    """Available stock of a product in a warehouse fell below its reorder level (Purchasing may propose
    a purchase order; users with the inventory view right are notified)."""

    product_id: int
    warehouse_id: int
    available: str
    reorder_level: str


@dataclass(frozen=True, kw_only=True)
class StockTransferred(StockValueEvent):
    """Goods moved between two warehouses at cost ``value`` (added after the first contract; optional
    for subscribers). ``stage`` is "shipped" (left ``from_warehouse_id`` into transit) or "received"
    (entered ``warehouse_id`` from transit). Accounting posts nothing unless the two warehouses map to
    different stock accounts."""

    from_warehouse_id: int
    to_warehouse_id: int
    stage: str = "received"
