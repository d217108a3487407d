"""API schemas of the customer portal (/api/v1/portal/): what a customer's contact sees — never the
company's internal fields (salesperson, warehouse, goods issues, costs)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from ninja import Schema
from pydantic import Field

from novasaas.platform.api import StrictSchema


class PortalContactOut(Schema):
    id: int
    name: str
    position: str
    phone: str
    email: str
    is_primary: bool


class PortalContactUpdate(StrictSchema):
    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=254)


class PortalAccountInfoOut(Schema):
    customer_code: str
    name: str
    tax_code: str
    addresses: list[str]
    payment_terms_days: int
    me: PortalContactOut
    contacts: list[PortalContactOut]


class PortalLoyaltyEntryOut(Schema):
    date: dt.date
    kind: str
    kind_label: str
    points: int
    balance_after: int
    reason: str  # the invoice / order number, or the reason given for points added by hand
    expires_on: dt.date | None

    @staticmethod
    def resolve_kind_label(obj: Any) -> str:
        return str(obj.get_kind_display())


class LoyaltyTierBrief(Schema):
    code: str
    name: str
    min_revenue: Decimal
    multiplier: Decimal


class PortalLoyaltyOut(Schema):
    programme_active: bool
    balance: int
    value: Decimal  # đồng the balance is worth on an order
    point_value: Decimal
    points_per: Decimal  # đồng of invoiced revenue (before VAT) per point
    expiry_months: int | None
    earned: int  # net of credit-note reversals
    redeemed: int  # net of cancelled orders
    expired: int
    adjusted: int  # added (or taken) by the company by hand
    expiring_soon: int
    expiring_by: dt.date
    tier: LoyaltyTierBrief | None  # reached by the revenue before VAT of the last 12 months
    multiplier: Decimal  # the tier's points multiplier (1 without a tier)
    revenue_12m: Decimal
    next_tier: LoyaltyTierBrief | None
    to_next_tier: Decimal | None
    entries: list[PortalLoyaltyEntryOut]


class PortalLineOut(Schema):
    position: int
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    allowance: Decimal  # the line's share of a coupon / loyalty-points discount, before VAT
    vat_code: str
    net_amount: Decimal
    vat_amount: Decimal
    total: Decimal


class PortalOrderLineOut(PortalLineOut):
    delivered_quantity: Decimal
    backordered_quantity: Decimal  # still to deliver (the back-order); 0 once closed

    @staticmethod
    def resolve_backordered_quantity(obj: Any) -> Decimal:
        return obj.remaining  # type: ignore[no-any-return]


class PortalDeliveryLineOut(Schema):
    description: str
    unit: str
    quantity: Decimal

    @staticmethod
    def resolve_description(obj: Any) -> str:
        return obj.order_line.description  # type: ignore[no-any-return]

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return obj.order_line.unit  # type: ignore[no-any-return]


class PortalDeliveryOut(Schema):
    number: str
    date: dt.date
    lines: list[PortalDeliveryLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class PortalOrderSummaryOut(Schema):
    id: int
    number: str
    date: dt.date
    status: str
    status_label: str
    currency: str
    total: Decimal

    @staticmethod
    def resolve_status_label(obj: Any) -> str:
        return str(obj.get_status_display())


class PortalOrderOut(PortalOrderSummaryOut):
    untaxed: Decimal
    vat: Decimal
    lines: list[PortalOrderLineOut]
    deliveries: list[PortalDeliveryOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_deliveries(obj: Any) -> list[Any]:
        return sorted(obj.deliveries.all(), key=lambda d: (d.date, d.pk))


class PortalInvoiceSummaryOut(Schema):
    id: int
    number: str
    date: dt.date
    due_date: dt.date
    currency: str = "VND"
    total: Decimal
    credited: Decimal
    paid: Decimal
    open_amount: Decimal

    @staticmethod
    def resolve_open_amount(obj: Any) -> Decimal:
        return obj.total - obj.credited - obj.paid  # type: ignore[no-any-return]


class PortalInvoiceOut(PortalInvoiceSummaryOut):
    untaxed: Decimal
    vat: Decimal
    lines: list[PortalLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class PortalQuotationSummaryOut(Schema):
    id: int
    number: str
    date: dt.date
    valid_until: dt.date
    status: str
    expired: bool
    currency: str
    total: Decimal
    order_number: str | None

    @staticmethod
    def resolve_expired(obj: Any) -> bool:
        return bool(obj.is_expired())

    @staticmethod
    def resolve_order_number(obj: Any) -> str | None:
        return obj.order.number if obj.order_id else None


class PortalQuotationOut(PortalQuotationSummaryOut):
    untaxed: Decimal
    vat: Decimal
    note: str
    lines: list[PortalLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class PortalBalanceOut(Schema):
    current: Decimal
    days_1_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    over_90: Decimal
    unapplied: Decimal
    total: Decimal


class SalesPortalAccountOut(Schema):
    """A contact's portal account as the staff see it."""

    id: int
    customer_id: int
    contact_id: int
    email: str
    is_active: bool
    status: str  # invited | active | inactive

    @staticmethod
    def resolve_status(obj: Any) -> str:
        if not obj.is_active:
            return "inactive"
        return "active" if obj.user_id else "invited"


class SalesPortalAccountUpdate(StrictSchema):
    is_active: bool


class TicketMessageOut(Schema):
    id: int
    from_customer: bool
    author: str
    body: str
    created_at: dt.datetime

    @staticmethod
    def resolve_author(obj: Any) -> str:
        return str(obj.author.full_name or obj.author.email)


class TicketSummaryOut(Schema):
    id: int
    subject: str
    status: str
    created_at: dt.datetime
    closed_at: dt.datetime | None


class TicketOut(TicketSummaryOut):
    messages: list[TicketMessageOut]

    @staticmethod
    def resolve_messages(obj: Any) -> list[Any]:
        return list(obj.messages.all())


class StaffTicketSummaryOut(TicketSummaryOut):
    customer_id: int


class StaffTicketOut(TicketOut):
    customer_id: int


class TicketOpenIn(StrictSchema):
    subject: str = Field(min_length=1, max_length=200)
    body: str = Field(min_length=1, max_length=5000)


class TicketMessageIn(StrictSchema):
    body: str = Field(min_length=1, max_length=5000)
