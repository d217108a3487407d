"""Feature gating by plan (spec §12.3): what a tenant's plan (and its add-ons) lets it use beyond
modules and limits — API access and its rate, webhooks, multi-currency, multi-language, branding, AI tier.

``feature(tenant, name)`` is the one read (also ``billing.selectors.feature``); ``require(tenant, name)``
refuses with ``FeatureNotInPlan`` (a ``PermissionDenied``: 403 on pages and in the API, with the upgrade
hint in the message). A tenant without a subscription (created by hand in the Master Admin portal, demo,
tests) is not restricted, like it has no limits. A trial has the chosen plan's flags.

Add-ons that change a flag are named here by their catalogue code (``ADDON_FEATURES``): the catalogue
holds no per-add-on flag field; a new flag-raising add-on is a line in this table.
"""

from __future__ import annotations

import logging
from typing import Any

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from ninja.errors import HttpError

from novasaas.billing.models import Subscription
from novasaas.platform.models import Tenant

logger = logging.getLogger(__name__)

AI_TIERS = ("none", "basic", "rag", "functions", "custom")
API_LEVELS = ("none", "limited", "full")

# What a tenant without a subscription gets: nothing is restricted.
UNRESTRICTED: dict[str, Any] = {
    "ai_tier": "custom",
    "api_access": "full",
    "api_rate_per_minute": None,  # None: no rate limit
    "webhooks": True,
    "multi_currency": True,
    "multi_language": True,
    "white_label": True,
}
GATED = tuple(UNRESTRICTED)

LABELS: dict[str, Any] = {
    "ai_tier": gettext_lazy("the AI assistant at this level"),
    "api_access": gettext_lazy("API access"),
    "api_rate_per_minute": gettext_lazy("more API requests per minute"),
    "webhooks": gettext_lazy("webhooks"),
    "multi_currency": gettext_lazy("multi-currency"),
    "multi_language": gettext_lazy("multi-language"),
    "white_label": gettext_lazy("branding (white label)"),
}

# Add-ons (by catalogue code) that raise a flag while the subscription holds at least one unit.
ADDON_FEATURES: dict[str, dict[str, Any]] = {
    "api-premium": {"api_access": "full", "api_rate_per_minute": None},
    "ai-advanced": {"ai_tier": "functions"},
    "white-label": {"white_label": True},
}
# The AI tier a use of the ai app needs (ai.gateway features: chat, functions, api).
AI_FEATURE_TIER = {"chat": "basic", "api": "basic", "rag": "rag", "functions": "functions"}


class FeatureNotInPlan(PermissionDenied):
    """The tenant's plan does not include a feature: 403 with an upgrade hint."""

    def __init__(self, name: str, plan: str) -> None:
        self.feature, self.plan = name, plan
        super().__init__(
            _("The plan %(plan)s does not include %(what)s. Upgrade the plan on the Subscription page (/billing/).")
            % {"plan": plan, "what": LABELS.get(name, name)}
        )


def _subscription(tenant: Tenant) -> Subscription | None:
    return (
        Subscription.objects.filter(tenant_id=tenant.pk)
        .select_related("plan")
        .prefetch_related("addons__addon")
        .first()
    )


def _merge(name: str, current: Any, raised: Any) -> Any:
    """The better of two values of a flag."""
    if name == "ai_tier":
        return max(current, raised, key=lambda t: AI_TIERS.index(t) if t in AI_TIERS else 0)
    if name == "api_access":
        return max(current, raised, key=lambda t: API_LEVELS.index(t) if t in API_LEVELS else 0)
    if name == "api_rate_per_minute":
        return None if current is None or raised is None else max(int(current), int(raised))
    return bool(current) or bool(raised)


def features_of(tenant: Tenant, subscription: Subscription | None = None) -> dict[str, Any]:
    """Every gated flag of the tenant: its plan's, raised by its add-ons (``UNRESTRICTED`` without a
    subscription). With API access, a rate of 0 (or none) in the plan means no rate limit."""
    sub = subscription if subscription is not None else _subscription(tenant)
    if sub is None:
        return dict(UNRESTRICTED)
    flags = sub.plan.features or {}
    values = {name: flags.get(name, UNRESTRICTED[name] if name == "api_rate_per_minute" else None) for name in GATED}
    values["ai_tier"] = values["ai_tier"] if values["ai_tier"] in AI_TIERS else "none"
    values["api_access"] = values["api_access"] if values["api_access"] in API_LEVELS else "none"
    for name in ("webhooks", "multi_currency", "multi_language", "white_label"):
        values[name] = bool(values[name])  # a flag missing from the plan's features is off
    try:
        rate = values["api_rate_per_minute"]
        values["api_rate_per_minute"] = None if rate is None else max(0, int(rate))
    except (TypeError, ValueError):
        values["api_rate_per_minute"] = None  # an unreadable rate in the catalogue limits nothing
    for link in sub.addons.all():
        for name, raised in ADDON_FEATURES.get(link.addon.code, {}).items():
            if link.quantity > 0:
                values[name] = _merge(name, values[name], raised)
    if values["api_access"] == "none":
        values["api_rate_per_minute"] = 0
    elif values["api_rate_per_minute"] == 0:
        values["api_rate_per_minute"] = None
    return values


def feature(tenant: Tenant, name: str) -> Any:
    """The value of one gated flag for ``tenant`` (``GATED``; KeyError for another name)."""
    if name not in UNRESTRICTED:
        raise KeyError(name)
    return features_of(tenant)[name]


def plan_name(tenant: Tenant) -> str:
    sub = Subscription.objects.filter(tenant_id=tenant.pk).select_related("plan").first()
    return sub.plan.name if sub else ""


def require(tenant: Tenant, name: str) -> None:
    """Refuse (``FeatureNotInPlan``) a boolean feature the plan lacks (webhooks, multi-currency, …)."""
    if not feature(tenant, name):
        raise FeatureNotInPlan(name, plan_name(tenant))


def refusal(tenant: Tenant, name: str) -> str:
    """The message refusing a boolean feature the plan lacks, ``""`` when the plan has it: for the
    owning app to show on the field that asked for it (multi-currency on a journal line, …)."""
    if feature(tenant, name):
        return ""
    return str(FeatureNotInPlan(name, plan_name(tenant)))


BRANDING_FIELDS = ("logo", "theme_color")


def check_company_settings(tenant: Tenant, changes: dict[str, Any]) -> None:
    """``platform.settings_actions.CHANGE_CHECKS`` hook: a new logo or theme colour is branding
    (white label, §12.3): refused on the field (nothing saved) when the plan lacks it. Removing the logo
    and saving the colour unchanged stay possible."""
    asked = [
        field
        for field in BRANDING_FIELDS
        if field in changes and changes[field] and changes[field] != getattr(tenant, field, None)
    ]
    if not asked:
        return
    message = refusal(tenant, "white_label")
    if message:
        raise ValidationError({field: [message] for field in asked})


def require_ai(tenant: Tenant, use: str) -> None:
    """Refuse an AI use (``chat``, ``functions``, ``rag``, ``api``) above the plan's AI tier."""
    needed = AI_FEATURE_TIER.get(use, "basic")
    tier = feature(tenant, "ai_tier")
    if AI_TIERS.index(tier if tier in AI_TIERS else "none") < AI_TIERS.index(needed):
        raise FeatureNotInPlan("ai_tier", plan_name(tenant))


class RateLimited(HttpError):
    """More API requests this minute than the plan allows: the API answers 429 with ``detail``."""

    def __init__(self, rate: int) -> None:
        self.rate = rate
        super().__init__(
            429,
            _("Too many API requests: the plan allows %(n)s per minute. Try again in a minute or upgrade the plan.")
            % {"n": rate},
        )


def check_api_principal(principal: Any) -> None:
    """``platform.api.REQUEST_CHECKS`` hook: API keys (integrations) are gated by the plan's API access
    and rate; a member's own sign-in (session, JWT of the apps) and support views are not."""
    if principal.via == "api_key":
        check_api_request(principal.tenant)


def api_window_key(tenant: Tenant) -> str:
    """The cache key counting ``tenant``'s API-key requests in the current minute."""
    return f"billing:api:{tenant.pk}:{int(timezone.now().timestamp()) // 60}"


def _count_request(key: str) -> int | None:
    """One more request in the window; None when the cache cannot be reached (the request is let
    through: an unreachable Redis must not take the API down)."""
    try:
        cache.add(key, 0, timeout=120)
        try:
            return int(cache.incr(key))
        except ValueError:  # evicted between add and incr
            cache.set(key, 1, timeout=120)
            return 1
    except Exception:  # noqa: BLE001 - any cache backend error (connection refused, timeout)
        logger.warning("billing: the API rate window's cache is unreachable; request not counted", exc_info=True)
        return None


def check_api_request(tenant: Tenant) -> None:
    """Gate one request of an API key (``TenantAuth``): refused (403) when the plan has no API access,
    429 beyond its requests per minute. The count is a fixed one-minute window in Django's configured
    cache (``CACHES``): with ``REDIS_URL`` set it is Redis, one window shared by every web process and
    worker (``incr`` is atomic there); without it, local memory, where each process counts on its own."""
    sub = _subscription(tenant)
    if sub is None:
        return
    values = features_of(tenant, sub)
    if values["api_access"] == "none":
        raise FeatureNotInPlan("api_access", sub.plan.name)
    rate = values["api_rate_per_minute"]
    if rate is None:
        return
    used = _count_request(api_window_key(tenant))
    if used is not None and used > int(rate):
        raise RateLimited(int(rate))
