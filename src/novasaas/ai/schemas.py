from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field

from novasaas.platform.api import Id, StrictSchema


class KeyIn(StrictSchema):
    provider: Literal["openai", "anthropic", "google", "openrouter"]
    secret: str = Field(min_length=8, max_length=300, description="The provider key; never returned")
    label: str = Field(default="", max_length=100)
    priority: int = Field(default=100, ge=0, le=1000, description="Lower is tried first")


class KeyOut(Schema):
    id: int
    provider: str
    label: str
    priority: int
    last4: str
    status: str
    created_at: dt.datetime
    revoked_at: dt.datetime | None
    failures: int
    open_until: dt.datetime | None


class WalletOut(Schema):
    balance: int
    ledger_sum: int
    allow_shared: bool
    rollover_days: int = 0
    topup_threshold: int = 0
    topup_pack: str = ""
    byok_plan: str = Field("", description="BYOK plan code (basic, standard, premium, enterprise; empty: none)")
    byok_providers: int | None = Field(None, description="providers the own keys may cover (null: unlimited)")
    byok_providers_used: int = 0


class ByokPlanOut(Schema):
    code: str
    name: str
    providers: int | None = Field(None, description="null: unlimited")
    monthly_price_vnd: int


class PackBuyIn(StrictSchema):
    pack: str = Field(max_length=40)


class WalletIn(StrictSchema):
    allow_shared: bool | None = None
    rollover_days: int | None = Field(default=None, ge=0, le=3660, description="carry expiring credits over (0: no)")
    topup_threshold: int | None = Field(default=None, ge=0, le=10**12, description="automatic top-up below (0: off)")
    topup_pack: str | None = Field(default=None, max_length=20, description="pack code bought by the top-up")
    byok_plan: str | None = Field(
        default=None, max_length=20, description="BYOK plan code (limits the providers of own keys; empty: none)"
    )


class EntryOut(Schema):
    id: int
    kind: str
    credits: int
    expires_at: dt.datetime | None = None
    lot_id: int | None = None
    usage_id: int | None
    pack_id: int | None
    price_vnd: int
    note: str
    created_at: dt.datetime
    invoice: str = Field("", validation_alias="invoice_number")  # the platform invoice of a pack just bought


class AiUsageOut(Schema):
    id: int
    request_id: str
    user_id: int | None
    feature: str
    provider: str
    model: str
    key_source: str
    input_tokens: int
    output_tokens: int
    credits: int
    cost_vnd: int
    latency_ms: int
    status: str
    fallback: bool
    error: str
    created_at: dt.datetime


class RateOut(Schema):
    id: int
    model: str
    provider: str
    input_tokens_per_credit: int
    output_tokens_per_credit: int
    is_active: bool


class RateIn(StrictSchema):
    model: str = Field(min_length=1, max_length=100)
    provider: Literal["openai", "anthropic", "google", "openrouter"]
    input_tokens_per_credit: int = Field(ge=1, le=10_000_000)
    output_tokens_per_credit: int = Field(ge=1, le=10_000_000)
    is_active: bool = True


class PackOut(Schema):
    code: str
    name: str
    credits: int
    price_vnd: int


class CreditsIn(StrictSchema):
    tenant: str = Field(min_length=1, max_length=50, description="tenant slug")
    credits: int = Field(default=0, ge=0, le=10**12, description="for a grant; ignored with a pack")
    pack: str = Field(default="", max_length=20, description="pack code: a purchase at the pack's price")
    note: str = Field(default="", max_length=200)
    valid_days: int | None = Field(default=None, ge=1, le=3660, description="a grant expires after (None: never)")


class BudgetIn(StrictSchema):
    user_id: Id | None = None
    limit_credits: int | None = Field(default=None, ge=1, le=10**12, description="the limit in credits, or")
    limit_vnd: int | None = Field(
        default=None, ge=1, le=10**13, description="the limit in VND (a multiple of a credit's price)"
    )
    mode: Literal["soft", "hard"] = "soft"


class AiBudgetOut(Schema):
    id: int
    user_id: int | None
    limit_credits: int
    mode: str
    spent: int
    reserved: int
    unit: Literal["credits", "vnd"] = "credits"
    limit_vnd: int = 0
    spent_vnd: int = 0


class MessageIn(StrictSchema):
    role: Literal["system", "user", "assistant", "tool"]
    content: str | None = Field(default=None, max_length=200_000)
    name: str | None = Field(default=None, max_length=64)
    tool_call_id: str | None = Field(default=None, max_length=64)
    tool_calls: list[dict[str, Any]] | None = Field(default=None, max_length=32)


class ChatCompletionIn(StrictSchema):
    """The OpenAI chat-completions request (the subset the gateway forwards)."""

    model: str = Field(min_length=1, max_length=100)
    messages: list[MessageIn] = Field(min_length=1, max_length=500)
    max_tokens: int | None = Field(default=None, ge=1, le=32_768)
    max_completion_tokens: int | None = Field(default=None, ge=1, le=32_768)
    stream: bool = False
    stream_options: dict[str, Any] | None = Field(default=None, description="ignored: usage is always asked for")
    temperature: float | None = Field(default=None, ge=0, le=2)
    top_p: float | None = Field(default=None, ge=0, le=1)
    stop: str | list[str] | None = None
    tools: list[dict[str, Any]] | None = Field(default=None, max_length=64)
    tool_choice: str | dict[str, Any] | None = None
    user: str | None = Field(default=None, max_length=100)


class ChatCompletionOut(Schema):
    """The provider's chat.completion object, as OpenAI defines it."""

    model_config = ConfigDict(extra="allow")

    id: str
    object: str
    created: int
    model: str
    choices: list[dict[str, Any]]
    usage: dict[str, Any] | None = None


class AiKnowledgeFileOut(Schema):
    id: int
    title: str
    filename: str
    content_type: str
    size: int
    chunks_count: int
    created_at: dt.datetime


class AiSourceOut(Schema):
    n: int
    kind: str
    ref: int
    title: str
    excerpt: str
