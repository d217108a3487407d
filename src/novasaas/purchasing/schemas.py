"""API schemas of Purchasing (inputs strict: unknown fields are a 422). Amounts and quantities are
decimals (JSON strings or numbers) and come back as strings. Names carry the module's words."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from novasaas.platform.api import Id, StrictSchema
from novasaas.platform.reports import ReportColumnOut

Qty = Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=4)]
QtyOrZero = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=4)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
Percent = Annotated[Decimal, Field(ge=0, le=100, max_digits=5, decimal_places=2)]
Date = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]
VatCodeT = Literal["VAT0", "VAT5", "VAT8", "VAT10", "EXEMPT"]
Days = Annotated[int, Field(ge=0, le=3650)]
Currency = Annotated[str, Field(min_length=3, max_length=3, pattern=r"^[A-Z]{3}$")]


class PurchasingSettingsIn(StrictSchema):
    approval_limit: Amount | None = None
    receipt_tolerance_percent: Percent | None = None
    quantity_tolerance_percent: Percent | None = None
    price_tolerance_percent: Percent | None = None
    # on low stock: a draft requisition, or a draft purchase order to the product's preferred (else
    # last, else cheapest) vendor
    reorder_action: Literal["requisition", "order"] | None = None


class PurchasingSettingsOut(Schema):
    approval_limit: Decimal
    receipt_tolerance_percent: Decimal
    quantity_tolerance_percent: Decimal
    price_tolerance_percent: Decimal
    reorder_action: str


class VendorIn(StrictSchema):
    party_id: Id
    payment_terms_days: Days = 0
    currency: Currency = "VND"
    bank_name: str = Field(default="", max_length=100)
    bank_account: str = Field(default="", max_length=40)
    note: str = Field(default="", max_length=2000)


class VendorUpdate(StrictSchema):
    payment_terms_days: Days | None = None
    currency: Currency | None = None
    bank_name: str | None = Field(default=None, max_length=100)
    bank_account: str | None = Field(default=None, max_length=40)
    note: str | None = Field(default=None, max_length=2000)
    is_active: bool | None = None


class VendorOut(Schema):
    id: int
    code: str
    party_id: int
    name: str
    tax_code: str
    payment_terms_days: int
    currency: str
    bank_name: str
    bank_account: str
    note: str
    is_active: bool

    @staticmethod
    def resolve_name(obj: Any) -> str:
        return str(obj.party.name)

    @staticmethod
    def resolve_tax_code(obj: Any) -> str:
        return str(obj.party.tax_code)


class VendorPriceIn(StrictSchema):
    product_id: Id
    price: Amount
    min_quantity: QtyOrZero = Decimal(0)
    lead_time_days: Days = 0
    valid_from: Date | None = None
    valid_to: Date | None = None


class VendorPriceOut(Schema):
    id: int
    vendor_id: int
    product_id: int
    product_name: str
    unit: str
    min_quantity: Decimal
    price: Decimal
    lead_time_days: int
    valid_from: dt.date
    valid_to: dt.date | None


class PreferredVendorIn(StrictSchema):
    vendor_id: Id


class PreferredVendorOut(Schema):
    product_id: int
    product_name: str
    vendor_id: int
    vendor_code: str
    vendor_name: str

    @staticmethod
    def resolve_vendor_code(obj: Any) -> str:
        return str(obj.vendor.code)

    @staticmethod
    def resolve_vendor_name(obj: Any) -> str:
        return str(obj.vendor.party.name)


class PurchaseOrderLineIn(StrictSchema):
    product_id: Id
    description: str = Field(default="", max_length=300)
    quantity: Qty
    unit_price: Amount | None = None
    discount_percent: Percent | None = None
    vat_code: VatCodeT | None = None


class PurchaseOrderIn(StrictSchema):
    vendor_id: Id
    warehouse_id: Id
    date: Date | None = None
    expected_date: Date | None = None
    note: str = Field(default="", max_length=2000)
    lines: list[PurchaseOrderLineIn] = Field(min_length=1, max_length=500)


class PurchaseOrderUpdate(StrictSchema):
    vendor_id: Id | None = None
    warehouse_id: Id | None = None
    date: Date | None = None
    expected_date: Date | None = None
    note: str | None = Field(default=None, max_length=2000)
    lines: list[PurchaseOrderLineIn] | None = Field(default=None, min_length=1, max_length=500)


class PurchaseOrderLineOut(Schema):
    id: int
    position: int
    product_id: int
    description: str
    unit: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    vat_code: str
    net_amount: Decimal
    vat_amount: Decimal
    total: Decimal
    received_quantity: Decimal
    billed_quantity: Decimal
    rejected_quantity: Decimal


class PurchaseOrderOut(Schema):
    id: int
    number: str
    vendor_id: int
    date: dt.date
    expected_date: dt.date | None
    status: str
    warehouse_id: int
    note: str
    currency: str
    untaxed: Decimal
    vat: Decimal
    total: Decimal
    sent_to: str
    sent_at: dt.datetime | None
    lines: list[PurchaseOrderLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class PurchaseOrderSummaryOut(Schema):
    id: int
    number: str
    vendor_id: int
    date: dt.date
    expected_date: dt.date | None
    status: str
    total: Decimal


class ReceiveLineIn(StrictSchema):
    line_id: Id
    quantity: QtyOrZero
    rejected_quantity: QtyOrZero = Decimal(0)  # quality check: delivered, refused, not stocked


class SendOrderIn(StrictSchema):
    to: str = Field(default="", max_length=254)  # default: the vendor's email contact


class ReturnLineIn(StrictSchema):
    line_id: Id
    quantity: QtyOrZero


class ReceiveIn(StrictSchema):
    date: Date | None = None
    lines: list[ReceiveLineIn] | None = Field(default=None, min_length=1, max_length=500)
    rejection_reason: str = Field(default="", max_length=300)


class ReturnIn(StrictSchema):
    date: Date | None = None
    reason: str = Field(default="", max_length=300)
    lines: list[ReturnLineIn] = Field(min_length=1, max_length=500)


class VendorReturnOut(Schema):
    id: int
    number: str
    date: dt.date


class PurchaseReceiptOut(Schema):
    id: int
    order_id: int
    movement_id: int | None  # none: a delivery rejected in full (nothing stocked)
    number: str
    date: dt.date
    value: Decimal
    quantity: Decimal
    rejected_quantity: Decimal
    rejection_reason: str


class VendorBillLineIn(StrictSchema):
    order_line_id: Id | None = None
    description: str = Field(default="", max_length=300)
    expense_role: Literal["admin_expense", "selling_expense", "other_expense"] | None = None
    quantity: Qty | None = None
    unit_price: Amount | None = None
    discount_percent: Percent | None = None
    vat_code: VatCodeT | None = None
    # a line without an order charged to a project (module PM; posted on ``project:<code>``)
    project_id: Id | None = None


class VendorBillIn(StrictSchema):
    vendor_id: Id | None = None
    order_id: Id | None = None
    vendor_invoice_no: str = Field(min_length=1, max_length=40)
    date: Date | None = None
    due_date: Date | None = None
    payment_method: Literal["bank", "cash"] = "bank"
    lines: list[VendorBillLineIn] | None = Field(default=None, min_length=1, max_length=500)


class VendorBillLineOut(Schema):
    id: int
    position: int
    order_line_id: int | None
    expense_role: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount_percent: Decimal
    vat_code: str
    net_amount: Decimal
    vat_amount: Decimal
    total: Decimal
    grni_value: Decimal
    cost_kind: str
    project_id: int | None
    project_code: str


class VendorBillOut(Schema):
    id: int
    number: str
    vendor_invoice_no: str
    vendor_id: int
    order_id: int | None
    date: dt.date
    due_date: dt.date
    status: str
    match_status: str
    match_notes: str
    payment_method: str
    kind: str
    landed_split: str
    untaxed: Decimal
    vat: Decimal
    total: Decimal
    paid: Decimal
    credited: Decimal
    receipt_ids: list[int]
    lines: list[VendorBillLineOut]

    @staticmethod
    def resolve_receipt_ids(obj: Any) -> list[int]:
        return [a.receipt_id for a in obj.landed_allocations.all()]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class VendorBillSummaryOut(Schema):
    id: int
    number: str
    vendor_invoice_no: str
    vendor_id: int
    order_id: int | None
    date: dt.date
    status: str
    match_status: str
    total: Decimal
    paid: Decimal
    credited: Decimal


class VendorPaymentIn(StrictSchema):
    amount: Amount | None = None
    date: Date | None = None
    method: Literal["bank", "cash"] | None = None


class VendorPaymentOut(Schema):
    id: int
    bill_id: int
    date: dt.date
    amount: Decimal
    method: str


class RequisitionIn(StrictSchema):
    product_id: Id
    warehouse_id: Id
    quantity: Qty
    note: str = Field(default="", max_length=2000)


class RequisitionOut(Schema):
    id: int
    number: str
    date: dt.date
    product_id: int
    product_name: str
    warehouse_id: int
    quantity: Decimal
    status: str
    is_automatic: bool
    note: str


class RequisitionOrderIn(StrictSchema):
    vendor_id: Id
    unit_price: Amount | None = None


class GrniRowOut(Schema):
    vendor_id: int
    code: str
    name: str
    received: Decimal
    billed: Decimal
    open: Decimal


class LandedCostLineIn(StrictSchema):
    cost_kind: Literal["freight", "insurance", "duty", "import_vat"]
    amount: Amount
    vat_code: VatCodeT | None = None
    description: str = Field(default="", max_length=300)


class LandedCostBillIn(StrictSchema):
    vendor_id: Id
    vendor_invoice_no: str = Field(min_length=1, max_length=40)
    receipt_ids: list[Id] = Field(min_length=1, max_length=100)
    split: Literal["value", "quantity"] = "value"
    date: Date | None = None
    due_date: Date | None = None
    payment_method: Literal["bank", "cash"] = "bank"
    lines: list[LandedCostLineIn] = Field(min_length=1, max_length=500)


class VendorCreditNoteLineIn(StrictSchema):
    bill_line_id: Id
    quantity: Qty
    unit_price: Amount | None = None  # the price reduction per unit (kind "price")


class VendorCreditNoteIn(StrictSchema):
    kind: Literal["return", "price"]
    vendor_credit_no: str = Field(min_length=1, max_length=40)
    date: Date | None = None
    reason: str = Field(default="", max_length=300)
    lines: list[VendorCreditNoteLineIn] = Field(min_length=1, max_length=500)


class VendorCreditNoteLineOut(Schema):
    id: int
    bill_line_id: int
    quantity: Decimal
    unit_price: Decimal
    net_amount: Decimal
    vat_amount: Decimal
    total: Decimal


class VendorCreditNoteOut(Schema):
    id: int
    number: str
    vendor_credit_no: str
    bill_id: int
    kind: str
    date: dt.date
    reason: str
    untaxed: Decimal
    vat: Decimal
    total: Decimal
    cost: Decimal
    movement_id: int | None
    lines: list[VendorCreditNoteLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class RfqLineIn(StrictSchema):
    product_id: Id
    quantity: Qty


class RfqIn(StrictSchema):
    warehouse_id: Id
    vendor_ids: list[Id] = Field(min_length=2, max_length=50)
    lines: list[RfqLineIn] = Field(min_length=1, max_length=500)
    date: Date | None = None
    deadline: Date | None = None
    note: str = Field(default="", max_length=2000)


class RfqQuotePriceIn(StrictSchema):
    line_id: Id
    unit_price: Amount
    lead_time_days: Days = 0


class RfqQuoteIn(StrictSchema):
    vendor_id: Id
    prices: list[RfqQuotePriceIn] = Field(min_length=1, max_length=500)


class RfqAwardIn(StrictSchema):
    vendor_id: Id


class RfqLineOut(Schema):
    id: int
    position: int
    product_id: int
    description: str
    unit: str
    quantity: Decimal


class RfqQuoteOut(Schema):
    vendor_id: int
    unit_price: Decimal | None
    lead_time_days: int | None
    best: bool


class RfqComparisonRowOut(Schema):
    line: RfqLineOut
    quotes: list[RfqQuoteOut]


class RfqVendorOut(Schema):
    vendor_id: int
    code: str
    name: str
    responded_at: dt.date | None
    total: Decimal | None
    best: bool


class RfqOut(Schema):
    id: int
    number: str
    date: dt.date
    deadline: dt.date | None
    warehouse_id: int
    status: str
    note: str
    awarded_vendor_id: int | None
    order_id: int | None
    vendors: list[RfqVendorOut]
    comparison: list[RfqComparisonRowOut]


class RfqSummaryOut(Schema):
    id: int
    number: str
    date: dt.date
    deadline: dt.date | None
    status: str
    awarded_vendor_id: int | None
    order_id: int | None


PurchasingReportName = Literal[
    "spend_vendor",
    "spend_product",
    "spend_month",
    "price_history",
    "best_vendor",
    "ap_aging",
    "open_orders",
    "late_deliveries",
]
PurchasingReportFormat = Literal["json", "xlsx", "pdf"]


class PurchasingReportOut(Schema):
    """A report table (``platform/reports.py``): the page, Excel and PDF show the same columns and rows."""

    title: str
    subtitle: str
    columns: list[ReportColumnOut]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    summary: dict[str, Any]


class VendorImportResult(Schema):
    created: int
    changed: int
