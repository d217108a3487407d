"""Ledger entries for other modules' events (spec §11.3 INV ↔ ACC). Each runs in the publisher's
transaction (a refusal rolls the inventory document back) and posts through ``post_source_document``,
so it is idempotent per inventory document and never hard-codes an account number.

- GoodsReceived: Dr inventory / Cr goods received not invoiced; Cr payable (with the partner) when
  the receipt has a partner and no purchase order; a customer return credits COGS.
- GoodsIssued: Cr inventory; Dr COGS (sale), internal expense (internal), GRNI (return_to_vendor).
- StockAdjusted, CountVariancePosted: gains Dr inventory / Cr inventory surplus (3381); losses
  Dr inventory shortage (1381) / Cr inventory.
- LandedCostAdded: Dr inventory (value - cogs_value), Dr COGS (cogs_value) / Cr payable or GRNI.
- StockRevalued: inventory by value, COGS by cogs_value, the total against GRNI.
- StockTransferred: Dr destination / Cr source stock account when they differ (through the transit
  account when one is set: shipped Dr transit / Cr source, received Dr destination / Cr transit).

"inventory" is the account of the event's warehouse (``stock_accounts.stock_account``: the warehouse's
own mapping, else the company's role). A movement of zero value posts nothing; negative values swap
the sides.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError

from novasaas.accounting.actions import WAREHOUSE_ROLE, post_source_document
from novasaas.accounting.models import Account
from novasaas.accounting.stock_accounts import (
    RECEIVED_SOURCE,
    SHIPPED_SOURCE,
    shipped_accounts,
    stock_account,
    transit_account,
)
from novasaas.inventory.events import (
    CountVariancePosted,
    GoodsIssued,
    GoodsReceived,
    LandedCostAdded,
    StockAdjusted,
    StockRevalued,
    StockTransferred,
    StockValueEvent,
)
from novasaas.platform.events import subscriber
from novasaas.platform.money import to_decimal
from novasaas.platform.tenancy import current_tenant

Line = tuple[str | Account, Decimal, Decimal, Any, str]
ZERO = Decimal(0)


def _dr(role: str | Account, amount: Decimal, partner: int | None = None, memo: str = "") -> Line:
    return (role, amount, ZERO, partner, memo) if amount >= 0 else (role, ZERO, -amount, partner, memo)


def _cr(role: str | Account, amount: Decimal, partner: int | None = None, memo: str = "") -> Line:
    return (role, ZERO, amount, partner, memo) if amount >= 0 else (role, -amount, ZERO, partner, memo)


def _post(event: StockValueEvent, lines: list[Line], memo: str, source_type: str | None = None) -> None:
    lines = [line for line in lines if line[1] or line[2]]
    if not lines:
        return
    post_source_document(
        current_tenant(),
        source_type or event.document_type,
        event.document_id,
        event.date,
        lines,
        memo=f"{memo} {event.reference}".strip(),
        reference=event.reference,
        journal="INV",
    )


def _stock(event: StockValueEvent) -> str:
    """The stock account of the event's warehouse, as a warehouse role (``actions.WAREHOUSE_ROLE``): the
    posting resolves it from the tenant's cached configuration, without reading the mapping again."""
    if event.warehouse_id is None:
        return "inventory"
    return f"inventory{WAREHOUSE_ROLE}{event.warehouse_id}"


@subscriber(GoodsReceived, module="ACC")
def on_goods_received(event: GoodsReceived) -> None:
    value = to_decimal(event.value)
    if event.is_customer_return:
        credit = _cr("cogs", value)
    elif event.partner_id is not None and event.purchase_order_id is None:
        credit = _cr("payable", value, event.partner_id)
    else:
        credit = _cr("goods_received_not_invoiced", value, event.partner_id)
    _post(event, [_dr(_stock(event), value), credit], "Nhập kho")


@subscriber(GoodsIssued, module="ACC")
def on_goods_issued(event: GoodsIssued) -> None:
    roles = {"sale": "cogs", "internal": "internal_expense", "return_to_vendor": "goods_received_not_invoiced"}
    if event.purpose not in roles:
        raise ValidationError(f"unknown goods issue purpose {event.purpose!r}")
    value = to_decimal(event.value)
    partner = event.partner_id if event.purpose == "return_to_vendor" else None
    _post(event, [_dr(roles[event.purpose], value, partner), _cr(_stock(event), value)], "Xuất kho")


def _gain_loss(event: StockValueEvent, gain: Decimal, loss: Decimal, memo: str) -> None:
    stock = _stock(event)
    _post(
        event,
        [
            _dr(stock, gain),
            _cr("inventory_surplus", gain),
            _dr("inventory_shortage", loss),
            _cr(stock, loss),
        ],
        memo,
    )


@subscriber(StockAdjusted, module="ACC")
def on_stock_adjusted(event: StockAdjusted) -> None:
    value = to_decimal(event.value)
    _gain_loss(event, max(value, ZERO), max(-value, ZERO), "Điều chỉnh kho")


@subscriber(CountVariancePosted, module="ACC")
def on_count_variance(event: CountVariancePosted) -> None:
    gain, loss = abs(to_decimal(event.gain_value)), abs(to_decimal(event.loss_value))
    if not gain and not loss:
        value = to_decimal(event.value)
        gain, loss = max(value, ZERO), max(-value, ZERO)
    _gain_loss(event, gain, loss, "Chênh lệch kiểm kê")


@subscriber(LandedCostAdded, module="ACC")
def on_landed_cost(event: LandedCostAdded) -> None:
    value, cogs = to_decimal(event.value), to_decimal(event.cogs_value)
    credit = (
        _cr("payable", value, event.partner_id)
        if event.partner_id is not None
        else _cr("goods_received_not_invoiced", value)
    )
    _post(event, [_dr(_stock(event), value - cogs), _dr("cogs", cogs), credit], "Chi phí mua hàng")


@subscriber(StockRevalued, module="ACC")
def on_stock_revalued(event: StockRevalued) -> None:
    value, cogs = to_decimal(event.value), to_decimal(event.cogs_value)
    _post(
        event,
        [_dr(_stock(event), value), _dr("cogs", cogs), _cr("goods_received_not_invoiced", value + cogs)],
        "Đánh giá lại kho",
        source_type=f"{event.document_type}#{event.product_id}"[:60],
    )


@subscriber(StockTransferred, module="ACC")
def on_stock_transferred(event: StockTransferred) -> None:
    """Nothing when both warehouses share a stock account (and no transit account is set); otherwise
    the value moves between the accounts. The received leg credits the account the shipped leg
    debited (the transit account at shipping time), else the source's account."""
    tenant = current_tenant()
    value = to_decimal(event.value)
    source = stock_account(tenant, event.from_warehouse_id)
    if event.stage == "shipped":
        transit = transit_account(tenant)
        if transit is not None and transit.pk != source.pk:
            _post(event, [_dr(transit, value), _cr(source, value)], "Hàng đang chuyển kho", SHIPPED_SOURCE)
        return
    if event.stage != "received":
        raise ValidationError(f"unknown transfer stage {event.stage!r}")
    dest = stock_account(tenant, event.to_warehouse_id)
    credit = shipped_accounts(tenant, [event.document_id]).get(event.document_id, source)
    if credit.pk != dest.pk:
        _post(event, [_dr(dest, value), _cr(credit, value)], "Chuyển kho", RECEIVED_SOURCE)
