"""The platform's AI catalogue as seeded (spec, NextFlow AI document §4): credit rates and packs."""

from __future__ import annotations

from typing import Any

RATES = [  # model, provider, tokens per credit (input = output in the spec)
    ("gpt-3.5-turbo", "openai", 1000),
    ("gpt-4", "openai", 200),
    ("claude-3-sonnet", "anthropic", 300),
    ("gemini-pro", "google", 500),
]
PACKS = [  # code, name, credits, price VND
    ("small", "Small", 25_000, 250_000),
    ("medium", "Medium", 100_000, 800_000),
    ("large", "Large", 500_000, 3_500_000),
    ("enterprise", "Enterprise", 2_000_000, 12_000_000),
]

# BYOK platform plans (NextFlow AI document §3.3): code, name, providers a company may connect (None:
# unlimited), monthly price in VND. Catalogue data read by ``keys.byok_limit``; not billed yet (docs/ai.md).
BYOK_PLANS: list[tuple[str, str, int | None, int]] = [
    ("basic", "Basic", 1, 200_000),
    ("standard", "Standard", 3, 500_000),
    ("premium", "Premium", 5, 1_000_000),
    ("enterprise", "Enterprise", None, 2_000_000),
]
BYOK_PLAN_CODES = [row[0] for row in BYOK_PLANS]


def byok_plan(code: str) -> tuple[str, str, int | None, int] | None:
    return next((row for row in BYOK_PLANS if row[0] == code), None)


def seed(model_rate: Any, credit_pack: Any) -> None:
    """Create the rows that are missing (the migration; tests after a flush of a transactional test)."""
    for model, provider, tokens in RATES:
        model_rate.objects.get_or_create(
            model=model,
            defaults={"provider": provider, "input_tokens_per_credit": tokens, "output_tokens_per_credit": tokens},
        )
    for code, name, credits, price in PACKS:
        credit_pack.objects.get_or_create(code=code, defaults={"name": name, "credits": credits, "price_vnd": price})
