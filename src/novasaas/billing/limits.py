"""The one limit guard of the plans (spec §12.3): ``check(tenant, "customers")`` at every point of creation.

Called inside the creating action's transaction, it locks the tenant's subscription row
(``select_for_update``) before counting, so two requests racing for the last allowed seat are
serialised: the second counts the first's row and is refused. A tenant without a subscription
(created by hand by a Master Admin before billing existed) has no limits.

Counting reads other modules' tables by name through the app registry, in the caller's tenant
context, without importing their models (billing sits below them).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Sum
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from novasaas.billing.models import AddOn, Subscription, SubscriptionStatus
from novasaas.platform.models import Tenant

LABELS: dict[str, Any] = {
    "users": gettext_lazy("users"),
    "customers": gettext_lazy("customers"),
    "products": gettext_lazy("products"),
    "warehouses": gettext_lazy("warehouses"),
    "orders_per_month": gettext_lazy("orders this month"),
    "storage_mb": gettext_lazy("MB of storage"),
}
UPGRADE_URL = "/billing/"


class LimitReached(PermissionDenied):
    """A plan limit refuses a creation: 403 in the API (with ``limit`` and ``upgrade_url``) and on pages."""

    def __init__(self, name: str, used: int, allowed: int, plan: str) -> None:
        self.limit, self.used, self.allowed, self.plan = name, used, allowed, plan
        super().__init__(
            _(
                "Limit reached: %(used)s %(what)s, the plan %(plan)s allows %(allowed)s."
                " Upgrade the plan or add an add-on on the Subscription page."
            )
            % {"used": used, "what": LABELS[name], "plan": plan, "allowed": allowed}
        )


def _count(app_label: str, model: str, **filters: Any) -> int:
    return int(apps.get_model(app_label, model).objects.filter(**filters).count())


def _users() -> int:
    """Active members and pending invitations, except people outside the company (``PORTAL_ROLES``: a
    customer's contact on the portal), who are not paid users — as the large ERPs count portal users."""
    from novasaas.identity.catalogue import PORTAL_ROLES

    link = apps.get_model("identity", "MembershipRole").objects.filter(membership=OuterRef("pk"))
    outside_only = Exists(link.filter(role__code__in=PORTAL_ROLES)) & ~Exists(link.exclude(role__code__in=PORTAL_ROLES))
    members = apps.get_model("identity", "Membership").objects.filter(is_active=True).exclude(outside_only).count()
    pending = apps.get_model("identity", "Invitation").objects.filter(
        accepted_at__isnull=True, revoked_at__isnull=True, expires_at__gt=timezone.now()
    )
    invited = sum(
        1 for codes in pending.values_list("role_codes", flat=True) if not (codes and set(codes) <= PORTAL_ROLES)
    )
    return int(members) + invited


def _orders_this_month() -> int:
    month_start = timezone.localtime().replace(day=1, hour=0, minute=0, second=0, microsecond=0)
    return _count("sales", "SalesOrder", created_at__gte=month_start)


# Stored files that count toward the storage limit: (app, model, size field in bytes). Every version of
# every document (trash included until purged: the attachments of any record are documents too) and the
# accounting entries' own attachments.
STORED_FILES = (("documents", "DocumentVersion", "size"), ("accounting", "EntryAttachment", "size"))
MB = 1024 * 1024


def storage_bytes() -> int:
    """Bytes of files the current tenant stores (``STORED_FILES``; an app not installed counts 0)."""
    total = 0
    for app_label, model, field in STORED_FILES:
        try:
            model_class = apps.get_model(app_label, model)
        except LookupError:
            continue
        total += int(model_class.objects.aggregate(s=Sum(field))["s"] or 0)
    return total


def _storage_mb() -> int:
    return -(-storage_bytes() // MB)  # whole MB, rounded up


COUNTERS: dict[str, Callable[[], int]] = {
    "users": _users,
    "customers": lambda: _count("sales", "Customer", is_active=True),
    "products": lambda: _count("inventory", "Product", is_active=True),
    "warehouses": lambda: _count("inventory", "Warehouse", is_active=True),
    "orders_per_month": _orders_this_month,
    "storage_mb": _storage_mb,
}


def allowed(subscription: Subscription, name: str, plan: Any = None) -> int | None:
    """The effective limit: the plan's limit, plus add-ons that raise it; users are the included users
    plus the extra users bought (capped by the plan's own user limit). None means unlimited."""
    plan = plan or subscription.plan
    value = plan.limit(name)
    if name == "users" and plan.included_users is not None:
        bought = plan.included_users + subscription.extra_users
        value = bought if value is None else min(value, bought)
    if value is None:
        return None
    for link in subscription.addons.all():
        addon: AddOn = link.addon
        if addon.limit == name:
            value += addon.limit_step * link.quantity
    return value


def usage(name: str) -> int | None:
    """How much of limit ``name`` the current tenant uses (None: not measured)."""
    counter = COUNTERS.get(name)
    return counter() if counter else None


def check(tenant: Tenant, name: str, adding: int = 1) -> None:
    """Refuse (``LimitReached``) to create ``adding`` more of ``name`` beyond the tenant's plan.
    Call inside the creating transaction and tenant context; ``adding=0`` checks nothing (an update)."""
    if adding <= 0:
        return
    subscription = (
        Subscription.objects.select_for_update(of=("self",)).filter(tenant_id=tenant.pk).select_related("plan").first()
    )
    if subscription is None or subscription.status == SubscriptionStatus.CANCELLED:
        return
    limit = allowed(subscription, name)
    if limit is None:
        return
    used = usage(name)
    if used is not None and used + adding > limit:
        raise LimitReached(name, used, limit, subscription.plan.name)


def check_storage(tenant: Tenant, size: int) -> None:
    """Refuse (``LimitReached``, 403) to store ``size`` more bytes beyond the plan's storage (MB, add-ons
    included). Call inside the upload's transaction and tenant context, before the file is written; the
    subscription row is locked, so two uploads cannot both take the last free space."""
    if size <= 0:
        return
    subscription = (
        Subscription.objects.select_for_update(of=("self",)).filter(tenant_id=tenant.pk).select_related("plan").first()
    )
    if subscription is None or subscription.status == SubscriptionStatus.CANCELLED:
        return
    limit = allowed(subscription, "storage_mb")
    if limit is None:
        return
    used = storage_bytes()
    if used + size > limit * MB:
        raise LimitReached("storage_mb", -(-used // MB), limit, subscription.plan.name)
