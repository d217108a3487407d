"""Billing reads. Subscriptions are platform rows: every read names its tenant explicitly."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from novasaas.billing import limits
from novasaas.billing.models import LIMITS, AddOn, Charge, Plan, PriceVersion, Subscription, SubscriptionEvent
from novasaas.platform.models import Tenant


def list_plans(*, include_inactive: bool = False) -> QuerySet[Plan]:
    qs = Plan.objects.all()
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.prefetch_related("prices")


def list_addons(*, include_inactive: bool = False) -> QuerySet[AddOn]:
    qs = AddOn.objects.all()
    if not include_inactive:
        qs = qs.filter(is_active=True)
    return qs.prefetch_related("prices")


def latest_price(item: Plan | AddOn) -> PriceVersion | None:
    """The newest price of a prefetched plan or add-on (no query when ``prices`` is prefetched)."""
    prices = sorted(item.prices.all(), key=lambda p: p.version)
    return prices[-1] if prices else None


def get_subscription(tenant: Tenant) -> Subscription | None:
    return (
        Subscription.objects.filter(tenant_id=tenant.pk)
        .select_related("plan", "price", "next_plan")
        .prefetch_related("addons__addon", "addons__price")
        .first()
    )


def list_charges(tenant: Tenant) -> QuerySet[Charge]:
    return Charge.objects.filter(tenant_id=tenant.pk).order_by("-on", "-id")


def list_events(tenant: Tenant) -> QuerySet[SubscriptionEvent]:
    return SubscriptionEvent.objects.filter(tenant_id=tenant.pk)


def usage_rows(subscription: Subscription) -> list[dict[str, Any]]:
    """Each limit with its use and what the subscription allows (None: unlimited / not measured)."""
    return [
        {
            "limit": name,
            "label": str(limits.LABELS[name]),
            "used": limits.usage(name),
            "allowed": limits.allowed(subscription, name),
        }
        for name in LIMITS
    ]
