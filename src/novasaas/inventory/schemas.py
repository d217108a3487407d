"""API schemas of Inventory (inputs are strict: unknown fields are a 422). Quantities and amounts are
decimals (JSON strings or numbers) and come back as strings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from novasaas.platform.api import Id, StrictSchema
from novasaas.platform.api import ImportErrorLine as ImportErrorLine
from novasaas.platform.api import ImportErrors as ImportErrors
from novasaas.platform.reports import ReportColumnOut as ReportColumnOut  # the house report schema
from novasaas.platform.reports import ReportFormat as ReportFormat
from novasaas.platform.reports import ReportOut as ReportOut

Qty = Annotated[Decimal, Field(gt=0, max_digits=15, decimal_places=4)]
SignedQty = Annotated[Decimal, Field(max_digits=15, decimal_places=4)]
NonNegQty = Annotated[Decimal, Field(ge=0, max_digits=15, decimal_places=4)]
Amount = Annotated[Decimal, Field(ge=0, max_digits=16, decimal_places=2)]
Cost = Annotated[Decimal, Field(ge=0, max_digits=18, decimal_places=6)]
Factor = Annotated[Decimal, Field(gt=0, max_digits=12, decimal_places=6)]
Date = Annotated[dt.date, Field(ge=dt.date(2000, 1, 1), le=dt.date(2100, 12, 31))]
Kind = Literal["goods", "service", "consumable"]
TrackingT = Literal["none", "lot", "serial"]
TaxT = Literal["vat10", "vat8", "vat5", "vat0", "exempt"]
Valuation = Literal["average", "fifo"]
Level = Literal["zone", "aisle", "shelf", "bin"]
Code = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9._/-]+$")]


# --- catalogue -------------------------------------------------------------------------------------


class CategoryIn(StrictSchema):
    name: str = Field(min_length=1, max_length=200)
    parent_id: Id | None = None
    valuation_method: Valuation = "average"


class CategoryUpdate(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    parent_id: Id | None = None
    valuation_method: Valuation | None = None
    is_active: bool | None = None


class CategoryOut(Schema):
    id: int
    name: str
    parent_id: int | None
    path: str
    valuation_method: str
    is_active: bool

    @staticmethod
    def resolve_path(obj: Any) -> str:
        return str(obj.path())


class UnitIn(StrictSchema):
    code: Code
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=100)
    base_id: Id | None = None
    factor: Factor = Decimal(1)


class UnitUpdate(StrictSchema):
    code: Code | None = None
    name: str | None = Field(default=None, min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    base_id: Id | None = None
    factor: Factor | None = None
    is_active: bool | None = None


class UnitOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    base_id: int | None
    factor: Decimal
    is_active: bool


class ProductIn(StrictSchema):
    name: str = Field(min_length=1, max_length=300)
    sku: str = Field(default="", max_length=40, pattern=r"^[A-Za-z0-9._/-]*$")
    kind: Kind = "goods"
    category_id: Id | None = None
    stock_unit_id: Id
    purchase_unit_id: Id | None = None
    barcode: str = Field(default="", max_length=20)
    generate_barcode: bool = False
    sale_price: Amount = Decimal(0)
    cost_price: Amount = Decimal(0)
    tax_category: TaxT = "vat10"
    tracking: TrackingT = "none"
    shelf_life_days: int | None = Field(default=None, ge=1, le=36500)
    reorder_level: NonNegQty = Decimal(0)
    reorder_quantity: NonNegQty = Decimal(0)
    description: str = Field(default="", max_length=5000)


class ProductUpdate(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=300)
    sku: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._/-]+$")
    kind: Kind | None = None
    category_id: Id | None = None
    stock_unit_id: Id | None = None
    purchase_unit_id: Id | None = None
    barcode: str | None = Field(default=None, max_length=20)
    generate_barcode: bool | None = None
    sale_price: Amount | None = None
    cost_price: Amount | None = None
    tax_category: TaxT | None = None
    tracking: TrackingT | None = None
    shelf_life_days: int | None = Field(default=None, ge=1, le=36500)
    reorder_level: NonNegQty | None = None
    reorder_quantity: NonNegQty | None = None
    description: str | None = Field(default=None, max_length=5000)
    is_active: bool | None = None


class VariantIn(StrictSchema):
    sku: str = Field(default="", max_length=40, pattern=r"^[A-Za-z0-9._/-]*$")
    barcode: str = Field(default="", max_length=20)
    attributes: dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=100)]] = Field(
        default_factory=dict, max_length=10
    )


class VariantUpdate(StrictSchema):
    sku: str | None = Field(default=None, min_length=1, max_length=40, pattern=r"^[A-Za-z0-9._/-]+$")
    barcode: str | None = Field(default=None, max_length=20)
    attributes: dict[Annotated[str, Field(max_length=40)], Annotated[str, Field(max_length=100)]] | None = Field(
        default=None, max_length=10
    )
    is_active: bool | None = None


class VariantOut(Schema):
    id: int
    sku: str
    barcode: str
    attributes: dict[str, str]
    is_active: bool


class ProductOut(Schema):
    id: int
    sku: str
    name: str
    kind: str
    category_id: int | None
    stock_unit_id: int
    purchase_unit_id: int | None
    barcode: str
    sale_price: Decimal
    cost_price: Decimal
    tax_category: str
    tracking: str
    shelf_life_days: int | None
    reorder_level: Decimal
    reorder_quantity: Decimal
    description: str
    is_active: bool
    image: str
    variants: list[VariantOut]

    @staticmethod
    def resolve_image(obj: Any) -> str:
        return obj.image.url if obj.image else ""

    @staticmethod
    def resolve_variants(obj: Any) -> list[Any]:
        return list(obj.variants.all())


class ProductListItem(Schema):
    id: int
    sku: str
    name: str
    kind: str
    barcode: str
    category_id: int | None
    stock_unit_id: int
    sale_price: Decimal
    cost_price: Decimal
    tracking: str
    is_active: bool


# --- warehouses ------------------------------------------------------------------------------------


class WarehouseIn(StrictSchema):
    code: Code
    name: str = Field(min_length=1, max_length=200)
    address: str = Field(default="", max_length=300)
    allow_negative_stock: bool = False
    is_default: bool | None = None


class WarehouseUpdate(StrictSchema):
    code: Code | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    address: str | None = Field(default=None, max_length=300)
    allow_negative_stock: bool | None = None
    is_default: bool | None = None
    is_active: bool | None = None


class WarehouseOut(Schema):
    id: int
    code: str
    name: str
    address: str
    allow_negative_stock: bool
    is_default: bool
    is_active: bool


class MyWarehouseIn(StrictSchema):
    warehouse_id: Id | None


class LocationIn(StrictSchema):
    warehouse_id: Id
    parent_id: Id | None = None
    code: Code
    name: str = Field(min_length=1, max_length=200)
    level: Level = "bin"


class LocationUpdate(StrictSchema):
    parent_id: Id | None = None
    code: Code | None = None
    name: str | None = Field(default=None, min_length=1, max_length=200)
    level: Level | None = None
    is_active: bool | None = None


class LocationOut(Schema):
    id: int
    warehouse_id: int | None
    parent_id: int | None
    code: str
    name: str
    usage: str
    level: str
    is_active: bool


class InventorySettingsIn(StrictSchema):
    approval_value_threshold: Amount | None = None
    approval_quantity_threshold: NonNegQty | None = None


class InventorySettingsOut(Schema):
    approval_value_threshold: Decimal | None
    approval_quantity_threshold: Decimal | None


# --- documents -------------------------------------------------------------------------------------


class MovementLineIn(StrictSchema):
    product_id: Id
    variant_id: Id | None = None
    quantity: Qty
    unit_id: Id | None = None
    unit_cost: Cost | None = None
    location_id: Id | None = None
    lot_code: str = Field(default="", max_length=60)
    expires_on: Date | None = None
    serials: list[Annotated[str, Field(min_length=1, max_length=80)]] = Field(default_factory=list, max_length=1000)


class MovementIn(StrictSchema):
    kind: Literal["receipt", "issue"]
    warehouse_id: Id
    date: Date | None = None
    partner_id: Id | None = None
    purpose: Literal["sale", "internal", "return_to_vendor"] = "sale"
    is_customer_return: bool = False
    source_document: str = Field(default="", max_length=80)
    note: str = Field(default="", max_length=2000)
    lines: list[MovementLineIn] = Field(min_length=1, max_length=500)
    validate_now: bool = Field(
        default=False,
        alias="validate",
        description=(
            "Validate (post) the document in the same request, like `POST /movements/{id}/validate` right "
            "after creating it: above the approval thresholds a member without `inv.movement.approve` only "
            "submits it (status `pending`). A refusal (e.g. not enough stock) answers 400 and creates nothing."
        ),
    )


class MovementUpdate(StrictSchema):
    """Only the fields sent change; ``lines`` sent replace every line. Drafts only."""

    warehouse_id: Id | None = None
    date: Date | None = None
    partner_id: Id | None = None
    purpose: Literal["sale", "internal", "return_to_vendor"] | None = None
    is_customer_return: bool | None = None
    source_document: str | None = Field(default=None, max_length=80)
    note: str | None = Field(default=None, max_length=2000)
    lines: list[MovementLineIn] | None = Field(default=None, min_length=1, max_length=500)


class MovementLineOut(Schema):
    id: int
    product_id: int
    variant_id: int | None
    location_id: int | None
    unit_id: int
    quantity: Decimal
    stock_quantity: Decimal
    unit_cost: Decimal
    value: Decimal
    lot_code: str
    serials: list[str]


class MovementOut(Schema):
    id: int
    kind: str
    number: str
    warehouse_id: int
    date: dt.date
    status: str
    partner_id: int | None
    purpose: str
    is_customer_return: bool
    source_document: str
    note: str
    lines: list[MovementLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        in_memory = getattr(obj, "lines_in_memory", None)  # set by the action that just wrote them
        return list(in_memory) if in_memory is not None else list(obj.lines.all())


class MovementListItem(Schema):
    id: int
    kind: str
    number: str
    warehouse_id: int
    date: dt.date
    status: str


Serials = list[Annotated[str, Field(min_length=1, max_length=80)]]


class PutAwayIn(StrictSchema):
    product_id: Id
    variant_id: Id | None = None
    from_location_id: Id
    to_location_id: Id
    quantity: Qty | None = None  # serial-tracked goods: the number of serials
    lot_code: str = Field(default="", max_length=60)
    serials: Serials = Field(default_factory=list, max_length=1000)


class MoveOut(Schema):
    id: int
    product_id: int
    variant_id: int | None
    lot_id: int | None
    serial_id: int | None
    from_location_id: int
    to_location_id: int
    quantity: Decimal
    unit_cost: Decimal
    value: Decimal
    document_type: str
    document_id: int
    reference: str
    date: dt.date


class ReserveIn(StrictSchema):
    product_id: Id
    variant_id: Id | None = None
    warehouse_id: Id
    quantity: Qty
    for_document: str = Field(min_length=1, max_length=80)


class ReleaseIn(StrictSchema):
    product_id: Id
    variant_id: Id | None = None
    warehouse_id: Id
    quantity: Qty | None = None
    for_document: str = Field(min_length=1, max_length=80)


class ReservationOut(Schema):
    for_document: str
    quantity: Decimal


class AdjustmentLineIn(StrictSchema):
    product_id: Id
    variant_id: Id | None = None
    location_id: Id | None = None
    lot_code: str = Field(default="", max_length=60)
    quantity_change: SignedQty
    unit_cost: Cost | None = None
    serials: Serials = Field(default_factory=list, max_length=1000)  # one per unit of the change


class AdjustmentIn(StrictSchema):
    warehouse_id: Id
    reason: str = Field(min_length=1, max_length=300)
    date: Date | None = None
    lines: list[AdjustmentLineIn] = Field(min_length=1, max_length=500)


class AdjustmentLineOut(Schema):
    id: int
    product_id: int
    variant_id: int | None
    location_id: int | None
    lot_code: str
    quantity_change: Decimal
    unit_cost: Decimal | None
    value: Decimal
    serials: list[str]


class AdjustmentOut(Schema):
    id: int
    number: str
    warehouse_id: int
    date: dt.date
    status: str
    reason: str
    lines: list[AdjustmentLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class TransferLineIn(StrictSchema):
    product_id: Id
    variant_id: Id | None = None
    quantity: Qty | None = None  # serial-tracked goods: the number of serials
    lot_code: str = Field(default="", max_length=60)
    serials: Serials = Field(default_factory=list, max_length=1000)


class TransferIn(StrictSchema):
    from_warehouse_id: Id
    to_warehouse_id: Id
    date: Date | None = None
    note: str = Field(default="", max_length=2000)
    lines: list[TransferLineIn] = Field(min_length=1, max_length=500)


class TransferReceiveIn(StrictSchema):
    location_id: Id | None = None
    serials: Serials = Field(default_factory=list, max_length=10000)  # scanned at the destination


class TransferLineOut(Schema):
    id: int
    product_id: int
    variant_id: int | None
    quantity: Decimal
    value: Decimal
    lot_code: str
    serials: list[str]


class TransferOut(Schema):
    id: int
    number: str
    from_warehouse_id: int
    to_warehouse_id: int
    date: dt.date
    status: str
    note: str
    lines: list[TransferLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class CountIn(StrictSchema):
    warehouse_id: Id
    zone_id: Id | None = None
    date: Date | None = None


class CountEntryIn(StrictSchema):
    line_id: Id | None = None
    product_id: Id | None = None
    variant_id: Id | None = None
    location_id: Id | None = None
    lot_code: str = Field(default="", max_length=60)
    counted: NonNegQty | None = None  # serial-tracked goods: the number of serials (0 when none was found)
    serials: Serials = Field(default_factory=list, max_length=1000)


class CountEntriesIn(StrictSchema):
    entries: list[CountEntryIn] = Field(min_length=1, max_length=2000)


class ScanIn(StrictSchema):
    code: str = Field(min_length=1, max_length=80)  # a barcode / SKU, or a serial number on its own
    location_id: Id | None = None
    quantity: Qty = Decimal(1)
    lot_code: str = Field(default="", max_length=60)
    serial: str = Field(default="", max_length=80)  # with a serial-tracked product's code


class MovementScanIn(StrictSchema):
    code: str = Field(min_length=1, max_length=40)
    location_id: Id | None = None
    quantity: Qty = Decimal(1)


class CountLineOut(Schema):
    id: int
    product_id: int
    variant_id: int | None
    location_id: int
    lot_id: int | None
    expected: Decimal
    counted: Decimal | None
    variance: Decimal | None
    value: Decimal
    expected_serials: list[str]
    counted_serials: list[str]
    missing_serials: list[str]
    found_serials: list[str]


class CountOut(Schema):
    id: int
    number: str
    warehouse_id: int
    zone_id: int | None
    date: dt.date
    status: str
    lines: list[CountLineOut]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())


class DocListItem(Schema):
    id: int
    number: str
    date: dt.date
    status: str


# --- stock and reports -----------------------------------------------------------------------------


class StockLevelOut(Schema):
    product_id: int
    variant_id: int | None
    warehouse_id: int
    on_hand: Decimal
    reserved: Decimal
    available: Decimal
    value: Decimal


class QuantOut(Schema):
    product_id: int
    variant_id: int | None
    warehouse_id: int | None
    location_id: int
    location_code: str
    lot_id: int | None
    lot_code: str
    expires_on: dt.date | None
    on_hand: Decimal

    @staticmethod
    def resolve_location_code(obj: Any) -> str:
        return str(obj.location.code)

    @staticmethod
    def resolve_lot_code(obj: Any) -> str:
        return obj.lot.code if obj.lot else ""

    @staticmethod
    def resolve_expires_on(obj: Any) -> dt.date | None:
        return obj.lot.expires_on if obj.lot else None


class ProductStockOut(Schema):
    levels: list[StockLevelOut]
    locations: list[QuantOut]


class ValuationRowOut(Schema):
    product_id: int
    sku: str
    name: str
    warehouse_id: int
    quantity: Decimal
    value: Decimal


class ValuationOut(Schema):
    as_of: dt.date
    rows: list[ValuationRowOut]
    total_value: Decimal
    in_transit_value: Decimal


class LotOut(Schema):
    id: int
    product_id: int
    code: str
    manufactured_on: dt.date | None
    expires_on: dt.date | None


class TraceOut(Schema):
    lot: LotOut | None = None
    serial: str | None = None
    moves: list[MoveOut]


class ProductImportResult(Schema):
    created: int
    updated: int


class LandedCostIn(StrictSchema):
    amount: Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2)]
    description: str = Field(min_length=1, max_length=300)
    split: Literal["value", "quantity"] = "value"
    partner_id: Id | None = None
    date: Date | None = None


class LandedCostOut(Schema):
    id: int
    number: str
    receipt_id: int
    amount: Decimal
    split: str
    description: str
    date: dt.date
    cogs_value: Decimal


class AbcRowOut(Schema):
    product_id: int
    sku: str
    klass: str
    quantity: Decimal
    value: Decimal
    share: Decimal
    cumulative: Decimal


class SlowRowOut(Schema):
    product_id: int
    sku: str
    on_hand: Decimal
    last_issue: dt.date | None


class ReorderRuleIn(StrictSchema):
    product_id: Id
    warehouse_id: Id
    reorder_level: NonNegQty
    reorder_quantity: NonNegQty = Decimal(0)


class ReorderRuleOut(Schema):
    product_id: int
    warehouse_id: int
    reorder_level: Decimal
    reorder_quantity: Decimal


class CardLineOut(Schema):
    date: dt.date
    reference: str
    qty_in: Decimal
    qty_out: Decimal
    value_in: Decimal
    value_out: Decimal
    balance: Decimal
    balance_value: Decimal


class StockCardOut(Schema):
    opening_quantity: Decimal
    opening_value: Decimal
    lines: list[CardLineOut]
