"""Read side of the AI gateway: keys, wallet, ledger, usage and its summaries, budgets, conversations."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, F, QuerySet, Sum
from django.db.models.functions import TruncDate

from novasaas.ai import budgets, catalogue, credits, keys
from novasaas.ai.models import (
    Budget,
    Conversation,
    CreditEntry,
    CreditPack,
    ModelRate,
    ProviderKey,
    UsageRecord,
    Wallet,
)
from novasaas.identity.access import Principal


def list_keys() -> QuerySet[ProviderKey]:
    return ProviderKey.objects.defer("sealed")


def wallet(principal: Principal) -> dict[str, Any]:
    row = Wallet.objects.filter(tenant=principal.tenant).select_related("topup_pack").first()
    total = CreditEntry.objects.aggregate(s=Sum("credits"))["s"] or 0
    return {
        "balance": row.balance if row else 0,
        "ledger_sum": int(total),
        "allow_shared": row.allow_shared if row else True,
        "rollover_days": row.rollover_days if row else 0,
        "topup_threshold": row.topup_threshold if row else 0,
        "topup_pack": row.topup_pack.code if row and row.topup_pack else "",
        "byok_plan": row.byok_plan if row else "",
        "byok_providers": keys.byok_limit(principal.tenant),
        "byok_providers_used": len(keys.connected_providers()),
    }


def byok_plans() -> list[dict[str, Any]]:
    """The BYOK platform plans of the catalogue: code, name, providers (None: unlimited), monthly VND."""
    return [
        {"code": code, "name": name, "providers": providers, "monthly_price_vnd": price}
        for code, name, providers, price in catalogue.BYOK_PLANS
    ]


def ledger() -> QuerySet[CreditEntry]:
    return CreditEntry.objects.all()


def usage() -> QuerySet[UsageRecord]:
    return UsageRecord.objects.select_related("user").defer("response")


def usage_summary(by: str) -> list[dict[str, Any]]:
    """Usage grouped by day, model, user or feature: requests, tokens, credits, VND (refusals left out)."""
    key = {"day": TruncDate("created_at"), "model": F("model"), "user": F("user__email"), "feature": F("feature")}[by]
    return list(
        UsageRecord.objects.exclude(status="refused")
        .annotate(group=key)
        .values("group")
        .annotate(
            requests=Count("pk"),
            input_tokens=Sum("input_tokens"),
            output_tokens=Sum("output_tokens"),
            credits=Sum("credits"),
            cost_vnd=Sum("cost_vnd"),
        )
        .order_by("group")
    )


def list_budgets() -> list[dict[str, Any]]:
    out = []
    for budget in Budget.objects.select_related("user").order_by("user_id"):
        period = budgets.usage_of(budget)
        out.append(
            {
                "id": budget.pk,
                "user_id": budget.user_id,
                "user": budget.user,
                "limit_credits": budget.limit_credits,
                "mode": budget.mode,
                "spent": period.spent if period else 0,
                "reserved": period.reserved if period else 0,
                "unit": budget.unit,
                "limit_vnd": budget.limit_credits * credits.VND_PER_CREDIT,
                "spent_vnd": (period.spent if period else 0) * credits.VND_PER_CREDIT,
            }
        )
    return out


def rates() -> QuerySet[ModelRate]:
    return ModelRate.objects.all()


def packs() -> QuerySet[CreditPack]:
    return CreditPack.objects.filter(is_active=True)


def conversations(principal: Principal) -> QuerySet[Conversation]:
    """The asking member's own conversations only."""
    return Conversation.objects.filter(user=principal.user)
