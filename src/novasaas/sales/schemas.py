"""API schemas of Sales (inputs strict: unknown fields are a 422). Amounts and quantities are decimals
(JSON strings or numbers) and come back as strings. Names carry the module's words (unique across
the API)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from novasaas.platform.api import Id, StrictSchema

Qty = Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=4)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Date = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]
VatCodeT = Literal["VAT0", "VAT5", "VAT8", "VAT10", "EXEMPT"]
GroupCode = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9._/-]+$")]


class CustomerGroupIn(StrictSchema):
    code: GroupCode
    name: str = Field(min_length=1, max_length=100)
    discount_percent: Percent = Decimal(0)
    price_list_id: Id | None = None


class CustomerGroupUpdate(StrictSchema):
    code: GroupCode | None = None
    name: str | None = Field(default=None, min_length=1, max_length=100)
    discount_percent: Percent | None = None
    is_active: bool | None = None
    price_list_id: Id | None = None


class CustomerGroupOut(Schema):
    id: int
    code: str
    name: str
    discount_percent: Decimal
    is_active: bool
    price_list_id: int | None = None


class SalesPriceListItemIn(StrictSchema):
    product_id: Id
    min_quantity: Qty = Decimal(1)
    unit_price: Amount


class SalesPriceListItemOut(Schema):
    id: int
    product_id: int
    min_quantity: Decimal
    unit_price: Decimal


class SalesPriceListIn(StrictSchema):
    code: GroupCode
    name: str = Field(min_length=1, max_length=100)
    valid_from: Date | None = None
    valid_to: Date | None = None
    allow_override: bool = True
    is_active: bool = True
    items: list[SalesPriceListItemIn] = Field(default_factory=list, max_length=2000)


class SalesPriceListUpdate(StrictSchema):
    code: GroupCode | None = None
    name: str | None = Field(default=None, min_length=1, max_length=100)
    valid_from: Date | None = None
    valid_to: Date | None = None
    allow_override: bool | None = None
    is_active: bool | None = None
    items: list[SalesPriceListItemIn] | None = Field(default=None, max_length=2000)


class SalesPriceListOut(Schema):
    id: int
    code: str
    name: str
    valid_from: dt.date | None
    valid_to: dt.date | None
    allow_override: bool
    is_active: bool
    items: list[SalesPriceListItemOut]

    @staticmethod
    def resolve_items(obj: Any) -> list[Any]:
        return list(obj.items.all())


class SalesCustomerIn(StrictSchema):
    party_id: Id
    group_id: Id | None = None
    credit_limit: Amount | None = None
    payment_terms_days: int = Field(default=0, ge=0, le=3650)
    salesperson_id: Id | None = None


class SalesCustomerUpdate(StrictSchema):
    group_id: Id | None = None
    credit_limit: Amount | None = None
    payment_terms_days: int | None = Field(default=None, ge=0, le=3650)
    salesperson_id: Id | None = None
    is_active: bool | None = None


class SalesCustomerOut(Schema):
    id: int
    code: str
    party_id: int
    name: str
    party_code: str
    tax_code: str
    group_id: int | None
    credit_limit: Decimal | None
    payment_terms_days: int
    salesperson_id: int | None
    is_active: bool

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.party.name)

    @staticmethod
    def resolve_party_code(obj: Any) -> str:
        return str(obj.party.code)

    @staticmethod
    def resolve_tax_code(obj: Any) -> str:
        return str(obj.party.tax_code)

    @staticmethod
    def resolve_tags(obj: Any) -> list[str]:
        return [pt.tag.name for pt in obj.party.party_tags.all()]

    tags: list[str] = []


class SalesCustomerAgingOut(Schema):
    current: Decimal
    days_1_30: Decimal
    days_31_60: Decimal
    days_61_90: Decimal
    over_90: Decimal
    unapplied: Decimal
    total: Decimal


class SalesCustomerBalanceOut(Schema):
    receivable: Decimal
    credit: Decimal
    open_orders_and_receivable: Decimal
    credit_limit: Decimal | None
    aging: SalesCustomerAgingOut


class SalesCustomerContactIn(StrictSchema):
    name: str = Field(min_length=1, max_length=200)
    position: str = Field(default="", max_length=100)
    phone: str = Field(default="", max_length=30)
    email: str = Field(default="", max_length=254)
    is_primary: bool = False
    note: str = Field(default="", max_length=300)


class SalesCustomerContactUpdate(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    position: str | None = Field(default=None, max_length=100)
    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=254)
    is_primary: bool | None = None
    note: str | None = Field(default=None, max_length=300)


class SalesCustomerContactOut(Schema):
    id: int
    name: str
    position: str
    phone: str
    email: str
    is_primary: bool
    note: str


class SalesPurchaseRowOut(Schema):
    product_id: int | None
    description: str
    unit: str
    quantity: Decimal
    net_amount: Decimal
    invoices: int
    last_date: dt.date | None


class SalesOrderLineIn(StrictSchema):
    product_id: Id | None = None
    description: str = Field(default="", max_length=300)
    unit: str = Field(default="", max_length=30)
    quantity: Qty
    unit_price: Amount | None = None
    discount_percent: Percent | None = None
    vat_code: VatCodeT | None = None


class SalesOrderIn(StrictSchema):
    customer_id: Id
    date: Date | None = None
    warehouse_id: Id | None = None
    note: str = Field(default="", max_length=2000)
    lines: list[SalesOrderLineIn] = Field(min_length=1, max_length=500)


class SalesOrderUpdate(StrictSchema):
    date: Date | None = None
    warehouse_id: Id | None = None
    note: str | None = Field(default=None, max_length=2000)
    lines: list[SalesOrderLineIn] | None = Field(default=None, min_length=1, max_length=500)


class SalesOrderLineOut(Schema):
    id: int
    position: int
    product_id: int | None
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    allowance: Decimal = Decimal(0)  # the line's share of the coupon / points discount, before VAT
    vat_code: str
    net_amount: Decimal
    vat_amount: Decimal
    total: Decimal


class SalesOrderDeliveryLineOut(SalesOrderLineOut):
    """An order line with what is delivered and invoiced of it (the rest is the back-order)."""

    delivered_quantity: Decimal
    closed_quantity: Decimal = Decimal(0)
    invoiced_quantity: Decimal


class SalesOrderOut(Schema):
    id: int
    number: str
    customer_id: int
    date: dt.date
    status: str
    warehouse_id: int | None
    salesperson_id: int | None
    note: str
    currency: str
    untaxed: Decimal
    vat: Decimal
    total: Decimal
    issue_id: int | None
    invoiced_amount: Decimal
    closed_amount: Decimal = Decimal(0)
    coupon_code: str | None = None
    coupon_discount: Decimal = Decimal(0)
    points_redeemed: int = 0
    points_discount: Decimal = Decimal(0)
    lines: list[SalesOrderDeliveryLineOut]
    warnings: list[str] = []

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_coupon_code(obj: Any) -> str | None:
        return obj.coupon.code if obj.coupon_id else None

    @staticmethod
    def resolve_warnings(obj: Any) -> list[str]:
        return list(getattr(obj, "warnings", []))


class SalesOrderSummaryOut(Schema):
    id: int
    number: str
    customer_id: int
    date: dt.date
    status: str
    total: Decimal


class SalesInvoiceOut(Schema):
    id: int
    number: str
    order_id: int | None
    customer_id: int
    date: dt.date
    due_date: dt.date
    status: str
    untaxed: Decimal
    vat: Decimal
    total: Decimal
    paid: Decimal
    credited: Decimal
    lines: list[SalesOrderLineOut]
    delivery_ids: list[int]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_delivery_ids(obj: Any) -> list[int]:
        return sorted(d.pk for d in obj.deliveries.all())


class SalesPaymentIn(StrictSchema):
    amount: Amount
    method: Literal["cash", "bank"] = "bank"
    date: Date | None = None


class SalesPaymentOut(Schema):
    id: int
    invoice_id: int
    date: dt.date
    amount: Decimal
    method: str


class QuotationIn(StrictSchema):
    customer_id: Id
    date: Date | None = None
    valid_until: Date | None = None
    note: str = Field(default="", max_length=2000)
    lines: list[SalesOrderLineIn] = Field(min_length=1, max_length=500)


class QuotationUpdate(StrictSchema):
    date: Date | None = None
    valid_until: Date | None = None
    note: str | None = Field(default=None, max_length=2000)
    lines: list[SalesOrderLineIn] | None = Field(default=None, min_length=1, max_length=500)


class QuotationSummaryOut(Schema):
    id: int
    number: str
    customer_id: int
    date: dt.date
    valid_until: dt.date
    status: str
    expired: bool
    total: Decimal
    order_id: int | None


class QuotationOut(QuotationSummaryOut):
    salesperson_id: int | None
    revision: int
    revision_of_id: int | None
    revised_by_id: int | None = None
    note: str
    currency: str
    untaxed: Decimal
    vat: Decimal
    sent_to: str
    coupon_code: str | None = None
    coupon_discount: Decimal = Decimal(0)
    lines: list[SalesOrderLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_coupon_code(obj: Any) -> str | None:
        return obj.coupon.code if obj.coupon_id else None

    @staticmethod
    def resolve_revised_by_id(obj: Any) -> int | None:
        revised_by = obj.revisions.first()
        return revised_by.pk if revised_by is not None else None


class QuotationReviseIn(StrictSchema):
    date: Date | None = None


class SalesDeliveryLineIn(StrictSchema):
    line_id: Id
    quantity: Qty


class SalesDeliveryIn(StrictSchema):
    """``lines`` absent or null: everything that remains to deliver."""

    date: Date | None = None
    lines: list[SalesDeliveryLineIn] | None = Field(default=None, min_length=1, max_length=500)


class SalesDeliveryLineOut(Schema):
    order_line_id: int
    description: str
    unit: str
    quantity: Decimal

    @staticmethod
    def resolve_description(obj: Any) -> str:
        return str(obj.order_line.description)

    @staticmethod
    def resolve_unit(obj: Any) -> str:
        return str(obj.order_line.unit)


class SalesDeliveryOut(Schema):
    id: int
    number: str
    order_id: int
    customer_id: int
    date: dt.date
    issue_id: int | None
    invoice_id: int | None
    lines: list[SalesDeliveryLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class SalesInvoiceFromDeliveriesIn(StrictSchema):
    delivery_ids: list[Id] = Field(min_length=1, max_length=100)
    date: Date | None = None


class SalesSettingsOut(Schema):
    stock_check: str
    approval_limit: Decimal | None
    payee_bank_bin: str
    payee_account: str
    quotation_validity_days: int
    quotation_expiry_notice_days: int


class SalesSettingsUpdate(StrictSchema):
    stock_check: Literal["refuse", "warn"] | None = None
    approval_limit: Amount | None = None
    payee_bank_bin: str | None = Field(default=None, max_length=6)
    payee_account: str | None = Field(default=None, max_length=19)
    quotation_validity_days: int | None = Field(default=None, ge=1, le=365)
    quotation_expiry_notice_days: int | None = Field(default=None, ge=0, le=60)


class SalesReturnIn(StrictSchema):
    """``lines`` = delivery lines and quantities; absent or null: all not yet returned."""

    date: Date | None = None
    reason: str = Field(default="", max_length=300)
    lines: list[SalesDeliveryLineIn] | None = Field(default=None, min_length=1, max_length=500)


class SalesReturnLineOut(Schema):
    delivery_line_id: int
    quantity: Decimal
    unit_cost: Decimal


class SalesReturnOut(Schema):
    id: int
    number: str
    delivery_id: int
    customer_id: int
    date: dt.date
    reason: str
    receipt_id: int | None
    lines: list[SalesReturnLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class SalesCreditNoteIn(StrictSchema):
    """``lines`` = invoice lines and quantities; absent or null: all not yet credited."""

    date: Date | None = None
    reason: str = Field(default="", max_length=300)
    return_id: Id | None = None
    lines: list[SalesDeliveryLineIn] | None = Field(default=None, min_length=1, max_length=500)


class SalesCreditNoteOut(Schema):
    id: int
    number: str
    invoice_id: int
    customer_id: int
    sales_return_id: int | None
    date: dt.date
    reason: str
    untaxed: Decimal
    vat: Decimal
    total: Decimal
    lines: list[SalesOrderLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class SalesApplyCreditIn(StrictSchema):
    """``amount`` absent: what is open on the invoice, up to the customer's credit."""

    amount: Amount | None = None
    date: Date | None = None


class SalesVietQrOut(Schema):
    payload: str


# --- pipeline --------------------------------------------------------------------------------------

LeadSourceT = Literal["website", "referral", "event", "call", "other"]
StageT = Literal["prospecting", "qualification", "proposal", "negotiation", "won", "lost"]


class SalesLeadIn(StrictSchema):
    name: str = Field(min_length=1, max_length=200)
    company: str = Field(default="", max_length=200)
    email: str = Field(default="", max_length=254)
    phone: str = Field(default="", max_length=30)
    source: LeadSourceT = "other"
    note: str = Field(default="", max_length=4000)
    owner_id: Id | None = None


class SalesLeadUpdate(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    company: str | None = Field(default=None, max_length=200)
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, max_length=30)
    source: LeadSourceT | None = None
    status: Literal["new", "contacted", "qualified", "lost"] | None = None
    note: str | None = Field(default=None, max_length=4000)
    owner_id: Id | None = None


class SalesLeadOut(Schema):
    id: int
    name: str
    company: str
    email: str
    phone: str
    source: str
    status: str
    owner_id: int | None
    customer_id: int | None
    note: str


class SalesLeadConvertIn(StrictSchema):
    opportunity_name: str = Field(default="", max_length=200)
    expected_amount: Amount | None = None
    close_date: Date | None = None


class SalesOpportunityIn(StrictSchema):
    name: str = Field(min_length=1, max_length=200)
    customer_id: Id | None = None
    stage: StageT = "prospecting"
    expected_amount: Amount = Decimal(0)
    probability: int | None = Field(default=None, ge=0, le=100)
    close_date: Date | None = None
    owner_id: Id | None = None
    lost_reason: str = Field(default="", max_length=200)


class SalesOpportunityUpdate(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    customer_id: Id | None = None
    stage: StageT | None = None
    expected_amount: Amount | None = None
    probability: int | None = Field(default=None, ge=0, le=100)
    close_date: Date | None = None
    owner_id: Id | None = None
    lost_reason: str | None = Field(default=None, max_length=200)


class SalesOpportunityOut(Schema):
    id: int
    name: str
    customer_id: int | None
    lead_id: int | None
    stage: str
    expected_amount: Decimal
    probability: int
    close_date: dt.date
    owner_id: int | None
    lost_reason: str


class SalesLostReasonOut(Schema):
    reason: str
    opportunities: int
    expected: Decimal


class SalesActivityIn(StrictSchema):
    kind: Literal["call", "meeting", "email", "task"] = "task"
    subject: str = Field(min_length=1, max_length=200)
    due_date: Date | None = None
    note: str = Field(default="", max_length=4000)
    customer_id: Id | None = None
    lead_id: Id | None = None
    opportunity_id: Id | None = None


class SalesActivityOut(Schema):
    id: int
    kind: str
    subject: str
    due_date: dt.date
    done: bool
    note: str
    customer_id: int | None
    lead_id: int | None
    opportunity_id: int | None
    owner_id: int | None


class SalesOwnerForecastRowOut(Schema):
    owner_id: int | None
    owner: str
    opportunities: int
    expected: Decimal
    weighted: Decimal


class SalesLeadAssignIn(StrictSchema):
    lead_ids: list[Id] = Field(min_length=1, max_length=500)
    owner_id: Id


class SalesLeadAssignOut(Schema):
    assigned: int


class SalesForecastRowOut(Schema):
    month: str
    opportunities: int
    expected: Decimal
    weighted: Decimal


class SalesReportColumnOut(Schema):
    key: str
    label: str
    kind: str


class SalesReportOut(Schema):
    """A report table: ``rows`` hold each column's key (amounts as decimal strings)."""

    title: str
    subtitle: str
    columns: list[SalesReportColumnOut]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    summary: dict[str, Any]


class SalesCustomerImportResult(Schema):
    created: int
    codes: list[str]
