"""The plan's AI tier (spec §12.3, read through ``billing.selectors``): Free = no AI, Starter = chat,
Business = chat + answers from documents (RAG), Professional = + company-data look-ups (functions); the
"AI Advanced" add-on raises a plan to functions. A company without a subscription is not restricted."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied

from novasaas.billing import selectors as billing_selectors


def require(tenant: Any, use: str) -> None:
    """Refuse (403 ``FeatureNotInPlan`` with the upgrade hint) a use (chat, rag, functions, api) above the
    plan's AI tier."""
    billing_selectors.require_ai_tier(tenant, use)


def refusal(tenant: Any, use: str) -> str:
    """The upgrade message when the plan does not include ``use``, else ""."""
    try:
        require(tenant, use)
    except PermissionDenied as exc:
        return str(exc)
    return ""


def allows(tenant: Any, use: str) -> bool:
    return not refusal(tenant, use)
