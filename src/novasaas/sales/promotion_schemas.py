"""API schemas of coupons, campaigns and the loyalty programme (inputs strict)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import Field

from novasaas.platform.api import Id, StrictSchema
from novasaas.sales.schemas import Amount, Date

CouponCode = Annotated[str, Field(min_length=1, max_length=30, pattern=r"^[A-Za-z0-9_-]+$")]
CouponValue = Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=2)]
Limit = Annotated[int, Field(ge=1, le=1_000_000_000)]
Points = Annotated[int, Field(ge=-1_000_000_000, le=1_000_000_000)]


class SalesCouponIn(StrictSchema):
    code: CouponCode
    name: str = Field(default="", max_length=200)
    kind: Literal["percent", "amount"] = "percent"
    value: CouponValue
    min_order_amount: Amount = Decimal(0)
    valid_from: Date | None = None
    valid_to: Date | None = None
    usage_limit: Limit | None = None
    per_customer_limit: Limit | None = None
    customer_group_id: Id | None = None
    campaign_id: Id | None = None
    is_active: bool = True
    product_ids: list[Id] = Field(default_factory=list, max_length=200)  # Inventory products; empty: all
    category_ids: list[Id] = Field(default_factory=list, max_length=200)  # product categories (with children)


class SalesCouponUpdate(StrictSchema):
    code: CouponCode | None = None
    name: str | None = Field(default=None, max_length=200)
    kind: Literal["percent", "amount"] | None = None
    value: CouponValue | None = None
    min_order_amount: Amount | None = None
    valid_from: Date | None = None
    valid_to: Date | None = None
    usage_limit: Limit | None = None
    per_customer_limit: Limit | None = None
    customer_group_id: Id | None = None
    campaign_id: Id | None = None
    is_active: bool | None = None
    product_ids: list[Id] | None = Field(default=None, max_length=200)
    category_ids: list[Id] | None = Field(default=None, max_length=200)


class SalesCouponOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    value: Decimal
    min_order_amount: Decimal
    valid_from: dt.date | None
    valid_to: dt.date | None
    usage_limit: int | None
    per_customer_limit: int | None
    customer_group_id: int | None
    campaign_id: int | None
    is_active: bool
    used_count: int
    product_ids: list[int]
    category_ids: list[int]


class SalesCouponApplyIn(StrictSchema):
    code: CouponCode


class SalesPointsRedeemIn(StrictSchema):
    points: Annotated[int, Field(ge=0, le=1_000_000_000)]


class SalesCampaignIn(StrictSchema):
    name: str = Field(min_length=1, max_length=200)
    starts_on: Date
    ends_on: Date
    customer_group_id: Id | None = None
    target_tag: str = Field(default="", max_length=50)
    note: str = Field(default="", max_length=2000)


class SalesCampaignUpdate(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    starts_on: Date | None = None
    ends_on: Date | None = None
    customer_group_id: Id | None = None
    target_tag: str | None = Field(default=None, max_length=50)
    note: str | None = Field(default=None, max_length=2000)


class SalesCampaignOut(Schema):
    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date
    customer_group_id: int | None
    target_tag: str
    note: str
    coupon_codes: list[str]
    order_count: int = 0
    revenue: Decimal = Decimal(0)

    @staticmethod
    def resolve_coupon_codes(obj: Any) -> list[str]:
        return [c.code for c in obj.coupons.all()]

    @staticmethod
    def resolve_revenue(obj: Any) -> Decimal:
        return getattr(obj, "revenue", None) or Decimal(0)


class SalesLoyaltyProgrammeOut(Schema):
    is_active: bool
    points_per: Decimal
    point_value: Decimal
    expiry_months: int | None


class SalesLoyaltyProgrammeUpdate(StrictSchema):
    is_active: bool | None = None
    points_per: Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=0)] | None = None
    point_value: Annotated[Decimal, Field(gt=0, max_digits=16, decimal_places=0)] | None = None
    expiry_months: Annotated[int, Field(ge=1, le=120)] | None = None


class SalesLoyaltyTierOut(Schema):
    id: int
    code: str
    name: str
    min_revenue: Decimal
    multiplier: Decimal


TierMultiplier = Annotated[Decimal, Field(gt=0, le=10, max_digits=4, decimal_places=2)]
TierCode = Annotated[str, Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_-]+$")]


class SalesLoyaltyTierIn(StrictSchema):
    code: TierCode
    name: str = Field(min_length=1, max_length=100)
    min_revenue: Amount = Decimal(0)
    multiplier: TierMultiplier = Decimal(1)


class SalesLoyaltyTierUpdate(StrictSchema):
    code: TierCode | None = None
    name: str | None = Field(default=None, min_length=1, max_length=100)
    min_revenue: Amount | None = None
    multiplier: TierMultiplier | None = None


class SalesLoyaltyEntryOut(Schema):
    id: int
    date: dt.date
    kind: str
    points: int
    balance_after: int
    source: str
    reason: str
    expires_on: dt.date | None
    tier: str  # earned rows: the code of the tier the invoice earned at
    created_by_id: int | None


class SalesLoyaltyOut(Schema):
    customer_id: int
    balance: int
    value: Decimal
    tier: SalesLoyaltyTierOut | None
    multiplier: Decimal
    revenue_12m: Decimal
    next_tier: SalesLoyaltyTierOut | None
    to_next_tier: Decimal | None
    entries: list[SalesLoyaltyEntryOut]


class SalesLoyaltyAddIn(StrictSchema):
    points: Points
    reason: str = Field(min_length=1, max_length=300)
    date: Date | None = None
