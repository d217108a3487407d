"""Billing API schemas."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any, Literal

from ninja import Schema
from pydantic import Field

from novasaas.platform.api import StrictSchema

Count = int | None


class PriceOut(Schema):
    version: int
    monthly_price: Decimal
    extra_user_price: Decimal
    annual_discount_percent: Decimal
    valid_from: dt.datetime


class PlanOut(Schema):
    id: int
    code: str
    kind: str
    name: str
    name_en: str
    is_active: bool
    trial_days: int
    included_users: Count
    modules: list[str]
    max_users: Count
    max_customers: Count
    max_products: Count
    max_warehouses: Count
    max_orders_per_month: Count
    max_storage_mb: Count
    features: dict[str, Any]
    price: PriceOut | None


Limit = int | None
LimitIn = Field(default=None, ge=0, le=2_000_000_000)
Amount = Decimal


class PlanIn(StrictSchema):
    code: str = Field(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
    kind: Literal["plan", "package"] = "plan"
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=100)
    position: int = Field(default=0, ge=0, le=32767)
    is_active: bool = True
    trial_days: int = Field(default=0, ge=0, le=365)
    included_users: Limit = LimitIn
    modules: list[str] = Field(default_factory=list, max_length=20)
    max_users: Limit = LimitIn
    max_customers: Limit = LimitIn
    max_products: Limit = LimitIn
    max_warehouses: Limit = LimitIn
    max_orders_per_month: Limit = LimitIn
    max_storage_mb: Limit = LimitIn
    features: dict[str, Any] = Field(default_factory=dict)
    monthly_price: Amount = Field(default=Decimal(0), ge=0, lt=10**15, decimal_places=0)
    extra_user_price: Amount = Field(default=Decimal(0), ge=0, lt=10**15, decimal_places=0)


class PlanUpdate(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    position: int | None = Field(default=None, ge=0, le=32767)
    is_active: bool | None = None
    trial_days: int | None = Field(default=None, ge=0, le=365)
    included_users: Limit = LimitIn
    modules: list[str] | None = Field(default=None, max_length=20)
    max_users: Limit = LimitIn
    max_customers: Limit = LimitIn
    max_products: Limit = LimitIn
    max_warehouses: Limit = LimitIn
    max_orders_per_month: Limit = LimitIn
    max_storage_mb: Limit = LimitIn
    features: dict[str, Any] | None = None


class PriceIn(StrictSchema):
    monthly_price: Amount = Field(ge=0, lt=10**15, decimal_places=0)
    extra_user_price: Amount | None = Field(default=None, ge=0, lt=10**15, decimal_places=0)
    annual_discount_percent: Decimal | None = Field(default=None, ge=0, le=100, decimal_places=2)


class AddOnOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    unit: str
    limit: str
    limit_step: int
    is_active: bool
    price: PriceOut | None


class AddOnIn(StrictSchema):
    code: str = Field(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,38}[a-z0-9])?$")
    name: str = Field(min_length=1, max_length=100)
    name_en: str = Field(default="", max_length=100)
    unit: Literal["month", "one_off"] = "month"
    limit: Literal["", "users", "customers", "products", "warehouses", "orders_per_month", "storage_mb"] = ""
    limit_step: int = Field(default=0, ge=0, le=2_000_000_000)
    is_active: bool = True
    monthly_price: Amount = Field(default=Decimal(0), ge=0, lt=10**15, decimal_places=0)


class AddOnUpdate(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=100)
    name_en: str | None = Field(default=None, max_length=100)
    is_active: bool | None = None
    limit_step: int | None = Field(default=None, ge=0, le=2_000_000_000)


class SubscriptionAddOnOut(Schema):
    code: str
    name: str
    quantity: int
    next_quantity: int | None
    monthly_price: Decimal


class PlanUsageOut(Schema):
    limit: str
    label: str
    used: int | None
    allowed: int | None


class BillingFeaturesOut(Schema):
    """The plan's gated features (add-ons included). ``api_rate_per_minute`` None: no rate limit."""

    ai_tier: str
    api_access: str
    api_rate_per_minute: int | None
    webhooks: bool
    multi_currency: bool
    multi_language: bool
    white_label: bool


class BillingSubscriptionOut(Schema):
    plan: str
    plan_name: str
    period: str
    status: str
    trial_ends_on: dt.date | None
    period_start: dt.date
    period_end: dt.date
    price_version: int
    period_amount: Decimal
    extra_users: int
    next_plan: str | None
    next_period: str
    next_extra_users: int | None
    modules: list[str]
    addons: list[SubscriptionAddOnOut]
    usage: list[PlanUsageOut]
    cancel_at_period_end: bool = False
    discount_percent: Decimal = Decimal(0)
    discount_until: dt.date | None = None  # last day an invoice takes the discount (None: no end)
    features: BillingFeaturesOut | None = None


class BillingMrrMonthOut(Schema):
    month: dt.date
    mrr: Decimal
    new: Decimal
    expansion: Decimal
    contraction: Decimal
    churned: Decimal
    churned_tenants: int
    churn_rate: Decimal | None


class ChangePlanIn(StrictSchema):
    plan: str = Field(min_length=1, max_length=40)
    period: Literal["monthly", "annual"] | None = None


class QuantityIn(StrictSchema):
    extra_users: int | None = Field(default=None, ge=0, le=100_000)
    addon: str | None = Field(default=None, min_length=1, max_length=40)
    quantity: int | None = Field(default=None, ge=0, le=10_000)


class ChargeOut(Schema):
    id: int
    kind: str
    description: str
    on: dt.date
    amount: Decimal
    invoiced: bool


class InvoiceLineOut(Schema):
    kind: str
    description: str
    amount: Decimal


class InvoiceOut(Schema):
    id: int
    number: str
    issued_on: dt.date
    due_on: dt.date
    status: str
    discount: Decimal
    credit: Decimal
    subtotal: Decimal
    vat_rate: Decimal
    vat: Decimal
    total: Decimal
    paid: Decimal
    refunded: Decimal = Decimal(0)
    lines: list[InvoiceLineOut]


class PaymentIn(StrictSchema):
    amount: Decimal = Field(gt=0, lt=10**15, decimal_places=0)
    reference: str = Field(min_length=1, max_length=100)


class RefundIn(StrictSchema):
    amount: Decimal = Field(gt=0, lt=10**15, decimal_places=0)  # VAT included
    reason: str = Field(min_length=1, max_length=300)
    # gateway: paid back through the payment gateway; bank: the Master Admin sent it back by bank transfer
    # and records it with the bank's reference (no gateway call)
    method: Literal["gateway", "bank"] = "gateway"
    reference: str = Field(default="", max_length=100)


class BillingDiscountIn(StrictSchema):
    """A per-tenant discount: ``percent`` off every invoice issued up to ``until`` (inclusive; null: no
    end). 0 removes it."""

    percent: Decimal = Field(ge=0, le=100, decimal_places=2)
    until: dt.date | None = None


class BillingDiscountOut(Schema):
    tenant_id: int
    discount_percent: Decimal
    discount_until: dt.date | None


class RefundOut(Schema):
    id: int
    number: str
    tenant_id: int
    invoice_id: int
    invoice_number: str
    issued_on: dt.date
    reason: str
    subtotal: Decimal
    vat: Decimal
    total: Decimal
    method: str
    provider_ref: str


class SubscriptionRowOut(Schema):
    tenant_id: int
    tenant_slug: str
    plan: str
    status: str
    period: str
    mrr: Decimal
    active_users: int = 0
    storage_bytes: int = 0
    last_activity: dt.datetime | None = None


class BillingEventOut(Schema):
    kind: str
    detail: dict[str, Any]
    created_at: dt.datetime


class BillingTenantOut(Schema):
    """The Master Admin's view of one tenant: its subscription (None without one), MRR, users, storage,
    last activity, invoices and subscription history (newest first, at most 100 each)."""

    tenant_id: int
    tenant_slug: str
    tenant_name: str
    subscription: BillingSubscriptionOut | None
    mrr: Decimal
    active_users: int
    storage_bytes: int
    storage_limit_mb: int | None
    last_activity: dt.datetime | None
    invoices: list[InvoiceOut]
    events: list[BillingEventOut]


class BillingCreditOut(Schema):
    id: int
    kind: str
    description: str
    amount: Decimal
    created_on: dt.date
    invoice_id: int | None


class BillingPromotionOut(Schema):
    id: int
    code: str
    name: str
    kind: str
    from_plan: str | None
    to_plan: str
    percent: Decimal
    is_active: bool
    valid_until: dt.date | None


class BillingPromotionIn(StrictSchema):
    code: str = Field(min_length=1, max_length=40, pattern=r"^[-a-zA-Z0-9_]+$")
    name: str = Field(min_length=1, max_length=150)
    kind: Literal["first_month", "free_setup"]
    from_plan: str | None = Field(default=None, max_length=40)
    to_plan: str = Field(min_length=1, max_length=40)
    percent: Decimal = Field(default=Decimal(0), ge=0, le=100, max_digits=5, decimal_places=2)
    is_active: bool = True
    valid_until: dt.date | None = None


class BillingPromotionUpdate(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=150)
    percent: Decimal | None = Field(default=None, ge=0, le=100, max_digits=5, decimal_places=2)
    is_active: bool | None = None
    valid_until: dt.date | None = None
