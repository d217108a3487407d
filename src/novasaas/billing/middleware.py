"""Read-only mode of an unpaid workspace (dunning): every write is refused with a clear message,
every read still works, and nothing is lost. The one enforcement point for pages and API alike.

Placed right after ``TenantMiddleware`` (inside the request's tenant context). Only writes are checked,
and the state is cached per tenant and process (``platform.tenant_cache``, 10 s; the process that changes
it forgets it at once), so a hot write path pays no extra query."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from novasaas.billing.models import Subscription, SubscriptionStatus
from novasaas.platform.tenant_cache import TenantCache

SAFE_METHODS = ("GET", "HEAD", "OPTIONS", "TRACE")
# paying, signing out and switching language stay possible
EXEMPT_PREFIXES = ("/billing/", "/api/v1/billing/", "/logout", "/i18n/", "/api/v1/auth/", "/platform/", "/login")


READ_ONLY_CACHE: TenantCache[str] = TenantCache("billing.read_only", ttl=10.0)


def is_read_only(tenant_id: int) -> bool:
    def load() -> str:
        ro = Subscription.objects.filter(
            tenant_id=tenant_id, status__in=(SubscriptionStatus.READ_ONLY, SubscriptionStatus.CANCELLED)
        ).exists()
        return "read_only" if ro else "writable"

    return READ_ONLY_CACHE.get(tenant_id, "state", load) == "read_only"


def forget(tenant_id: int) -> None:
    """Call where a subscription's status changes (this process sees it at once, others within 10 s)."""
    READ_ONLY_CACHE.forget(tenant_id, "state")


class ReadOnlyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        tenant = getattr(request, "tenant", None)
        if (
            tenant is not None
            and request.method not in SAFE_METHODS
            and not request.path.startswith(EXEMPT_PREFIXES)
            and is_read_only(tenant.pk)
        ):
            message = _(
                "This workspace is read-only: its NovaSaaS invoice is overdue or its subscription has ended."
                " Your data is kept; see the Subscription page."
            )
            if request.path.startswith("/api/"):
                return JsonResponse({"detail": message, "upgrade_url": "/billing/"}, status=403)
            return render(request, "web/suspended.html", {"message": message}, status=403)
        return self.get_response(request)
