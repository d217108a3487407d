"""Billing reads. Subscriptions are platform rows: every read names its tenant explicitly."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal
from typing import Any

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy

from novasaas.billing import limits
from novasaas.billing.features import features_of
from novasaas.billing.models import (
    LIMITS,
    AddOn,
    Charge,
    MrrSnapshot,
    Period,
    Plan,
    PlatformCredit,
    PlatformInvoice,
    PlatformRefund,
    PriceVersion,
    Promotion,
    Subscription,
    SubscriptionEvent,
    SubscriptionStatus,
)
from novasaas.billing.pricing import add_months
from novasaas.platform.models import Tenant
from novasaas.platform.reports import Column, Report
from novasaas.platform.tenancy import current_tenant_id, tenant_context


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


def list_promotions() -> QuerySet[Promotion]:
    return Promotion.objects.select_related("from_plan", "to_plan")


def list_credits(tenant: Tenant) -> QuerySet[PlatformCredit]:
    return PlatformCredit.objects.filter(tenant_id=tenant.pk).select_related("invoice").order_by("-created_on", "-id")


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


def feature(tenant: Tenant, name: str) -> Any:
    """A plan feature flag of ``tenant`` (``billing.features.GATED``: ai_tier, api_access,
    api_rate_per_minute, webhooks, multi_currency, multi_language, white_label), for other apps."""
    from novasaas.billing import features

    return features.feature(tenant, name)


def feature_refusal(tenant: Tenant, name: str) -> str:
    """Why ``tenant``'s plan refuses a boolean feature (multi_currency, multi_language, white_label,
    webhooks): the message naming the plan and the upgrade, ``""`` when the plan includes it."""
    from novasaas.billing import features

    return features.refusal(tenant, name)


def require_ai_tier(tenant: Tenant, use: str) -> None:
    """Refuse (403, ``FeatureNotInPlan``) an AI use (chat, functions, rag, api) above the plan's AI tier."""
    from novasaas.billing import features

    features.require_ai(tenant, use)


def subscription_mrr(sub: Subscription) -> Decimal:
    """Monthly recurring revenue of a subscription: its period amount per month (0 in a trial or once
    cancelled; an annual amount divided by 12, whole đồng)."""
    from novasaas.billing import actions

    if sub.status in (SubscriptionStatus.TRIALING, SubscriptionStatus.CANCELLED):
        return Decimal(0)
    amount = actions.amount_of(sub)
    return (amount / 12).quantize(Decimal(1)) if sub.period == Period.ANNUAL else amount


def mrr_history(today: dt.date, months: int = 12) -> list[dict[str, Any]]:
    """MRR per month of the last ``months`` months (from ``MrrSnapshot``, a month without a row is 0)
    with its movement against the month before: new (a tenant from 0), expansion (a rise), contraction
    (a fall to a positive amount), churned (to 0), and the churn rate = tenants churned / tenants paying
    the month before, in percent with one decimal (None when nobody paid the month before).
    Platform read: call inside ``platform_context()``."""
    first = add_months(today.replace(day=1), -(months - 1))
    before = add_months(first, -1)
    by_month: dict[dt.date, dict[int, Decimal]] = {}
    for tenant_id, month, mrr in MrrSnapshot.objects.filter(month__gte=before, month__lte=today).values_list(
        "tenant_id", "month", "mrr"
    ):
        by_month.setdefault(month, {})[tenant_id] = mrr
    rows = []
    for i in range(months):
        month = add_months(first, i)
        prev, cur = by_month.get(add_months(month, -1), {}), by_month.get(month, {})
        row: dict[str, Any] = {"month": month, "mrr": sum(cur.values(), Decimal(0))}
        new = expansion = contraction = churned = Decimal(0)
        churned_count = 0
        for tenant_id in set(prev) | set(cur):
            p, c = prev.get(tenant_id, Decimal(0)), cur.get(tenant_id, Decimal(0))
            if p == 0 and c > 0:
                new += c
            elif p > 0 and c == 0:
                churned += p
                churned_count += 1
            elif c > p:
                expansion += c - p
            elif c < p:
                contraction += p - c
        paying_before = sum(1 for v in prev.values() if v > 0)
        row.update(
            new=new,
            expansion=expansion,
            contraction=contraction,
            churned=churned,
            churned_tenants=churned_count,
            churn_rate=(
                (Decimal(100 * churned_count) / paying_before).quantize(Decimal("0.1")) if paying_before else None
            ),
        )
        rows.append(row)
    return rows


def tenant_detail(tenant: Tenant) -> dict[str, Any]:
    """What the Master Admin's tenant page shows: subscription, its history, invoices, charges, users,
    storage and last activity. Platform read: call inside ``platform_context()``."""
    from django.apps import apps

    sub = get_subscription(tenant)
    membership = apps.get_model("identity", "Membership")
    members = list(
        membership.objects.filter(tenant_id=tenant.pk).select_related("user").order_by("-is_active", "user__email")
    )
    audit_model = apps.get_model("platform", "AuditLog")
    last = audit_model.objects.filter(tenant_id=tenant.pk).order_by("-pk").values_list("created_at", flat=True).first()
    logins = [m.user.last_login for m in members if m.user.last_login]
    with tenant_context(tenant):
        storage = limits.storage_bytes()
    return {
        "sub": sub,
        "mrr": subscription_mrr(sub) if sub else Decimal(0),
        "events": list(SubscriptionEvent.objects.filter(tenant_id=tenant.pk)[:100]),
        "invoices": list(PlatformInvoice.objects.filter(tenant_id=tenant.pk)[:100]),
        "refunds": list(list_refunds(tenant)[:100]),
        "members": members,
        "active_users": sum(1 for m in members if m.is_active),
        "storage_bytes": storage,
        "storage_limit_mb": limits.allowed(sub, "storage_mb") if sub else None,
        "last_activity": max([d for d in [last, *logins] if d is not None], default=None),
        "features": features_of(tenant, sub),
    }


def activity_by_tenant(tenants: list[Tenant]) -> dict[int, dict[str, Any]]:
    """Per tenant, for the Master Admin's console list and API: active users, storage used (bytes) and
    last activity (latest audit entry or sign-in of a member). A few grouped queries plus one storage
    sum per tenant. Platform read: call inside ``platform_context()``."""
    from django.apps import apps
    from django.db.models import Count, Max, Q

    ids = [t.pk for t in tenants]
    audit_model = apps.get_model("platform", "AuditLog")
    membership = apps.get_model("identity", "Membership")
    last_audit = dict(
        audit_model.objects.filter(tenant_id__in=ids)
        .values("tenant_id")
        .annotate(last=Max("created_at"))
        .values_list("tenant_id", "last")
    )
    members = {
        row["tenant_id"]: row
        for row in membership.objects.filter(tenant_id__in=ids)
        .values("tenant_id")
        .annotate(active=Count("pk", filter=Q(is_active=True)), last_login=Max("user__last_login"))
    }
    out: dict[int, dict[str, Any]] = {}
    for tenant in tenants:
        with tenant_context(tenant):
            storage = limits.storage_bytes()
        row = members.get(tenant.pk, {})
        moments = [d for d in (last_audit.get(tenant.pk), row.get("last_login")) if d is not None]
        out[tenant.pk] = {
            "active_users": int(row.get("active") or 0),
            "storage_bytes": storage,
            "last_activity": max(moments, default=None),
        }
    return out


def mrr_report(today: dt.date, months: int = 12) -> Report:
    """``mrr_history`` on the house report table (page, xlsx, PDF, API)."""
    rows = [
        {
            **r,
            "month_label": f"{r['month']:%m/%Y}",
            "churn_rate": "" if r["churn_rate"] is None else f"{r['churn_rate']} %",
            "net": r["new"] + r["expansion"] - r["contraction"] - r["churned"],
        }
        for r in mrr_history(today, months)
    ]
    columns = [
        Column("month_label", gettext_lazy("Month")),
        Column("mrr", gettext_lazy("MRR"), "money"),
        Column("new", gettext_lazy("New"), "money"),
        Column("expansion", gettext_lazy("Expansion"), "money"),
        Column("contraction", gettext_lazy("Contraction"), "money"),
        Column("churned", gettext_lazy("Churned"), "money"),
        Column("net", gettext_lazy("Net change"), "money"),
        Column("churned_tenants", gettext_lazy("Companies churned"), "qty"),
        Column("churn_rate", gettext_lazy("Churn rate"), "percent"),
    ]
    for r in rows:
        r["month"] = r["month"].isoformat()
    return Report(name="mrr-history", title=str(gettext_lazy("MRR history")), columns=columns, rows=rows)


def paid_period(tenant: Tenant) -> tuple[dt.date, dt.date, str] | None:
    """The tenant's current paid period ``[start, end)`` and its kind (monthly/annual), for an app that
    sells a recurring fee with the subscription (AI BYOK plans); None without a subscription, during a
    trial (free) and once cancelled."""
    with tenant_context(tenant) if current_tenant_id() != tenant.pk else contextlib.nullcontext():
        sub = Subscription.objects.filter(tenant_id=tenant.pk).first()
    if sub is None or sub.status in (SubscriptionStatus.TRIALING, SubscriptionStatus.CANCELLED):
        return None
    return sub.period_start, sub.period_end, sub.period


def prorated_charge(
    old_amount: Decimal | int, new_amount: Decimal | int, start: dt.date, end: dt.date, on: dt.date
) -> Decimal:
    """Billing's one pro-rata rule (``pricing.prorated_charge``) for another app's mid-period upgrade."""
    from novasaas.billing.pricing import prorated_charge as rule

    return rule(old_amount, new_amount, start, end, on)


def list_refunds(tenant: Tenant | None = None) -> QuerySet[PlatformRefund]:
    """Refund credit notes, newest first: of one tenant, or all (Master Admin, in ``platform_context``)."""
    qs = PlatformRefund.objects.select_related("invoice")
    return qs.filter(tenant_id=tenant.pk) if tenant is not None else qs
