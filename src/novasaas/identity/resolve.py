"""Find the acting principal of a request: bearer JWT, API key, or the browser session."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal, intern_permissions, load_permissions
from novasaas.identity.catalogue import PERMISSIONS
from novasaas.identity.models import Membership
from novasaas.identity.tokens import API_KEY_PREFIX, TokenError, decode_access_token, resolve_api_key
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.ttlcache import TTLCache

SESSION_TENANT = "novasaas_tenant_id"
SESSION_SUPPORT = "novasaas_support_tenant_id"
VIEW_PERMISSIONS = frozenset(p.code for p in PERMISSIONS if p.code.endswith(".view"))


def _unauthorized(detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=401)
    response["WWW-Authenticate"] = "Bearer"
    return response


def _bearer(request: HttpRequest) -> str | None:
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        return header[7:].strip()
    key = request.headers.get("X-API-Key")
    return key.strip() if key else None


# Principals are cached for a few seconds per process (see platform/ttlcache.py); identity actions that
# change roles, memberships, tenants or modules clear the cache of their process.
PRINCIPAL_CACHE: TTLCache[Principal] = TTLCache(ttl=float(getattr(settings, "AUTH_CACHE_SECONDS", 10)))


def membership_principal(membership_id: int, tenant_id: int, user_id: int, via: str) -> Principal | None:
    cached = PRINCIPAL_CACHE.get((membership_id, tenant_id, user_id, via))
    if cached is not None:
        return cached
    principal = _load_membership_principal(membership_id, tenant_id, user_id, via)
    if principal is not None:
        PRINCIPAL_CACHE.set((membership_id, tenant_id, user_id, via), principal)
    return principal


def _load_membership_principal(membership_id: int, tenant_id: int, user_id: int, via: str) -> Principal | None:
    with platform_context():
        membership = (
            Membership.objects.select_related("tenant", "user")
            .filter(pk=membership_id, tenant_id=tenant_id, user_id=user_id, is_active=True, user__is_active=True)
            .first()
        )
    if membership is None:
        return None
    with tenant_context(membership.tenant):
        perms, roles = load_permissions(membership)
    return Principal(
        tenant=membership.tenant,
        user=membership.user,
        membership=membership,
        permissions=perms,
        via=via,
        role_codes=roles,
    )


def resolve_principal(request: HttpRequest) -> Principal | HttpResponse | None:
    raw = _bearer(request) if request.path.startswith("/api/") else None
    if raw:
        if raw.startswith(API_KEY_PREFIX):
            try:
                key = resolve_api_key(raw)
            except TokenError:
                return _unauthorized(_("Invalid or revoked API key."))
            now = timezone.now()
            if key.last_used_at is None or (now - key.last_used_at).total_seconds() > 60:
                with tenant_context(key.tenant):
                    type(key).objects.filter(pk=key.pk).update(last_used_at=now)
            return Principal(
                tenant=key.tenant,
                user=None,
                membership=None,
                permissions=intern_permissions(frozenset(key.permissions)),
                api_key=key,
                via="api_key",
            )
        try:
            claims = decode_access_token(raw)
        except TokenError:
            return _unauthorized(_("Invalid or expired access token."))
        principal = membership_principal(claims.membership_id, claims.tenant_id, claims.user_id, "jwt")
        request.auth_session_id = claims.session_id  # type: ignore[attr-defined]
        if principal is None:
            return _unauthorized(_("This account no longer has access to this company."))
        return principal

    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return None
    session = request.session
    support_tenant = session.get(SESSION_SUPPORT)
    if support_tenant and user.is_platform_staff:
        from novasaas.platform.models import Tenant

        with platform_context():
            tenant = Tenant.objects.filter(pk=support_tenant).first()
        if tenant is not None:
            return Principal(
                tenant=tenant, user=user, membership=None, permissions=VIEW_PERMISSIONS, via="support", read_only=True
            )
    tenant_id = session.get(SESSION_TENANT)
    if tenant_id is None:
        with platform_context():
            ids = list(Membership.objects.filter(user=user, is_active=True).values_list("id", "tenant_id")[:2])
        if len(ids) != 1:
            return None
        session[SESSION_TENANT] = tenant_id = ids[0][1]
    with platform_context():
        membership_id = (
            Membership.objects.filter(user=user, tenant_id=tenant_id, is_active=True)
            .values_list("id", flat=True)
            .first()
        )
    if membership_id is None:
        session.pop(SESSION_TENANT, None)
        return None
    return membership_principal(membership_id, tenant_id, user.pk, "session")
