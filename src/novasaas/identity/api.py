"""Identity API: sign-in tokens, users, roles, invitations, API keys, audit log, company settings,
and the Master Admin's tenant endpoints."""

import datetime as dt
import uuid
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpRequest, JsonResponse
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.datastructures import MultiValueDict
from django.utils.translation import gettext as _
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from ninja.utils import check_csrf
from pydantic import Field

from novasaas.identity import actions
from novasaas.identity.access import Principal
from novasaas.identity.catalogue import PERMISSIONS
from novasaas.identity.grants import role_permissions
from novasaas.identity.login import LoginError, authenticate_for_tenant
from novasaas.identity.models import ApiKey, Invitation, Membership, Role, User
from novasaas.identity.tokens import (
    TokenError,
    end_session,
    issue_access_token,
    issue_refresh_token,
    refresh_family,
    revoke_refresh_family,
    rotate_refresh_token,
)
from novasaas.platform import audit
from novasaas.platform.api import ErrorOut, StrictSchema, module_auth
from novasaas.platform.models import AuditAction, Tenant, TenantStatus
from novasaas.platform.modules import normalize_modules, refuse_unbuilt_modules
from novasaas.platform.tenancy import platform_context, tenant_context

auth_router = Router(tags=["auth"])
router = Router(tags=["identity"], auth=module_auth())
platform_router = Router(tags=["platform"])


# --- auth ----------------------------------------------------------------------------------------


class LoginIn(StrictSchema):
    email: str = Field(max_length=254)
    password: str = Field(max_length=200)
    tenant: str = Field(max_length=50, description="tenant slug")
    totp: str | None = Field(default=None, max_length=10)


class TokenPair(Schema):
    access_token: str
    refresh_token: str
    token_type: str = "Bearer"
    expires_in: int


class RefreshIn(StrictSchema):
    refresh_token: str = Field(max_length=200)


def _pair(tenant: Tenant, user: User, membership_id: int, refresh: str | None = None) -> dict[str, Any]:
    """An access token and a refresh token of one session (the refresh-token family, ``sid`` in the JWT)."""
    if refresh is None:
        family = uuid.uuid4()
        refresh = issue_refresh_token(tenant, user, family=family)
        sid = family.hex
    else:
        sid = refresh_family(refresh)
    return {
        "access_token": issue_access_token(user.pk, tenant.pk, membership_id, session_id=sid),
        "refresh_token": refresh,
        "token_type": "Bearer",
        "expires_in": settings.JWT_ACCESS_TTL,
    }


@auth_router.post("/login", response={200: TokenPair, 401: ErrorOut, 403: ErrorOut, 429: ErrorOut}, auth=None)
def login(request: HttpRequest, data: LoginIn) -> Any:
    """Exchange email, password, tenant slug (and TOTP code when enabled) for a token pair."""
    try:
        user, membership = authenticate_for_tenant(request, data.email, data.password, data.tenant, data.totp)
    except LoginError as exc:
        response = JsonResponse({"detail": exc.message}, status=exc.status)
        response.keep_writes = True  # type: ignore[attr-defined]  # failed attempts must be recorded
        return response
    return 200, _pair(membership.tenant, user, membership.pk)


@auth_router.post("/refresh", response={200: TokenPair, 401: ErrorOut}, auth=None)
def refresh(request: HttpRequest, data: RefreshIn) -> Any:
    """Rotate a refresh token. Presenting a used token again revokes its whole family."""
    try:
        tenant, user, new_refresh = rotate_refresh_token(data.refresh_token)
    except TokenError as exc:
        response = JsonResponse({"detail": str(exc)}, status=401)
        response.keep_writes = True  # type: ignore[attr-defined]  # the family revocation must stick
        return response
    with platform_context():
        membership = Membership.objects.filter(tenant=tenant, user=user, is_active=True).first()
    if membership is None or not tenant.is_usable or not user.is_active:
        return 401, {"detail": _("This account no longer has access to this company.")}
    return 200, _pair(tenant, user, membership.pk, new_refresh)


@auth_router.post("/logout", response={204: None, 401: ErrorOut}, auth=None)
def logout(request: HttpRequest, data: RefreshIn) -> Any:
    """Sign out: revoke the refresh-token family and, at once, the access tokens of this session."""
    try:
        token = revoke_refresh_family(data.refresh_token)
    except TokenError:
        return 401, {"detail": _("Invalid refresh token.")}
    audit.record(AuditAction.LOGOUT, actor=token.user, tenant=token.tenant, message="api sign-out")
    return 204, None


class InvitationAcceptIn(StrictSchema):
    token: str = Field(
        min_length=1, max_length=200, description="the token of the invitation link /invitations/<token>/"
    )
    full_name: str = Field(default="", max_length=200, description="a new account's name")
    password: str | None = Field(default=None, max_length=200, description="a new account's password")


class InvitationAcceptedOut(Schema):
    tenant: str = Field(description="the company's slug (sign in to it with POST /auth/login)")
    tenant_name: str
    email: str
    roles: list[str]


def _accepting_user(request: HttpRequest) -> User | None | JsonResponse:
    """The account accepting: a bearer token's user, or the browser session's (with its CSRF token)."""
    principal = getattr(request, "principal", None)
    if principal is not None and principal.via == "jwt":
        return principal.user  # type: ignore[no-any-return]
    if principal is not None and principal.via == "api_key":
        return JsonResponse(
            {"detail": _("An API key cannot accept an invitation: sign in as the invited person.")}, status=403
        )
    if request.user.is_authenticated and not request.headers.get("Authorization"):
        if check_csrf(request) is not None:
            return JsonResponse({"detail": _("CSRF check failed.")}, status=403)
        return request.user  # type: ignore[return-value]
    return None


@auth_router.post(
    "/invitations/accept",
    response={201: InvitationAcceptedOut, 400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut},
    auth=None,
)
def accept_invitation(request: HttpRequest, data: InvitationAcceptIn) -> Any:
    """Accept an invitation. A new email creates its account with ``full_name`` and ``password``. An email
    that already has an account is accepted only by that account: send its access token (``Authorization:
    Bearer``, from ``/auth/login`` to any of its companies) — without one 401, as another account 403."""
    user = _accepting_user(request)
    if isinstance(user, JsonResponse):
        return user
    inv = actions.find_invitation(data.token)
    if inv is None:
        return 404, {"detail": _("This invitation link is invalid or has expired.")}
    try:
        membership = actions.accept_invitation(data.token, password=data.password, full_name=data.full_name, user=user)
    except (actions.SignInRequired, PermissionDenied) as exc:
        status = 401 if isinstance(exc, actions.SignInRequired) else 403
        response = JsonResponse({"detail": str(exc)}, status=status)
        if status == 401:
            response["WWW-Authenticate"] = "Bearer"
        response.keep_writes = True  # type: ignore[attr-defined]  # the refused attempt stays audited
        return response
    tenant = inv.tenant
    with tenant_context(tenant):
        roles = sorted(membership.role_links.values_list("role__code", flat=True))
    return 201, {"tenant": tenant.slug, "tenant_name": tenant.name, "email": inv.email, "roles": roles}


class ApiSessionOut(Schema):
    id: str = Field(description="session id: the refresh-token family")
    started_at: dt.datetime
    last_refreshed_at: dt.datetime
    current: bool


def _my_families(p: Principal) -> dict[uuid.UUID, list[dt.datetime]]:
    from novasaas.identity.models import RefreshToken

    now = timezone.now()
    rows = RefreshToken.objects.filter(user=p.user, revoked_at__isnull=True, expires_at__gt=now)
    families: dict[uuid.UUID, list[dt.datetime]] = {}
    for family, created in rows.values_list("family", "created_at"):
        families.setdefault(family, []).append(created)
    return families


@router.get("/me/sessions", response={200: list[ApiSessionOut], 403: ErrorOut})
def list_api_sessions(request: HttpRequest) -> Any:
    """The signed-in user's API sessions in this company (unrevoked refresh-token families)."""
    p: Principal = request.auth  # type: ignore[attr-defined]
    if p.user is None:
        raise PermissionDenied(_("API keys have no sessions."))
    current = getattr(request, "auth_session_id", None)
    families = sorted(_my_families(p).items(), key=lambda item: max(item[1]), reverse=True)
    return 200, [
        {"id": f.hex, "started_at": min(ts), "last_refreshed_at": max(ts), "current": f.hex == current}
        for f, ts in families
    ]


@router.delete("/me/sessions/{session_id}", response={204: None, 403: ErrorOut, 404: ErrorOut})
def revoke_api_session(request: HttpRequest, session_id: str) -> Any:
    """Sign one of your API sessions out (its access tokens stop working at once)."""
    p: Principal = request.auth  # type: ignore[attr-defined]
    if p.user is None:
        raise PermissionDenied(_("API keys have no sessions."))
    family = next((f for f in _my_families(p) if f.hex == session_id), None)
    if family is None:
        return 404, {"detail": _("No such session.")}
    end_session(p.tenant, family)
    audit.record(AuditAction.SESSION_REVOKED, actor=p.user, message=f"api session {session_id[:8]}… revoked")
    return 204, None


# --- me ------------------------------------------------------------------------------------------


class MeOut(Schema):
    email: str | None
    full_name: str
    tenant: str
    tenant_name: str
    roles: list[str]
    permissions: list[str]
    modules: list[str]
    via: str


@router.get("/me", response=MeOut)
def me(request: HttpRequest) -> Any:
    p: Principal = request.auth  # type: ignore[attr-defined]
    return {
        "email": p.user.email if p.user else None,
        "full_name": p.user.full_name if p.user else (p.api_key.name if p.api_key else ""),
        "tenant": p.tenant.slug,
        "tenant_name": p.tenant.name,
        "roles": sorted(p.role_codes),
        "permissions": sorted(p.permissions),
        "modules": ["CORE", *p.tenant.enabled_modules],
        "via": p.via,
    }


# --- users ---------------------------------------------------------------------------------------


class MemberOut(Schema):
    id: int
    email: str
    full_name: str
    is_active: bool
    roles: list[str]


class MemberUpdate(StrictSchema):
    roles: list[str] | None = None
    is_active: bool | None = None


def _member_out(m: Membership) -> dict[str, Any]:
    return {
        "id": m.pk,
        "email": m.user.email,
        "full_name": m.user.full_name,
        "is_active": m.is_active,
        "roles": sorted(link.role.code for link in m.role_links.all()),
    }


@router.get("/users", response=list[MemberOut])
@paginate(LimitOffsetPagination)
def list_users(request: HttpRequest, q: str = "") -> Any:
    request.auth.require("core.users.view")  # type: ignore[attr-defined]
    qs = Membership.objects.select_related("user").prefetch_related("role_links__role").order_by("user__email")
    if q:
        qs = qs.filter(user__email__icontains=q) | qs.filter(user__full_name__icontains=q)
    return [_member_out(m) for m in qs]


@router.get("/users/{member_id}", response=MemberOut)
def get_user(request: HttpRequest, member_id: int) -> Any:
    request.auth.require("core.users.view")  # type: ignore[attr-defined]
    m = get_object_or_404(Membership.objects.select_related("user").prefetch_related("role_links__role"), pk=member_id)
    return _member_out(m)


@router.patch("/users/{member_id}", response={200: MemberOut, 400: ErrorOut, 403: ErrorOut})
def update_user(request: HttpRequest, member_id: int, data: MemberUpdate) -> Any:
    p: Principal = request.auth  # type: ignore[attr-defined]
    p.require("core.users.manage")
    m = get_object_or_404(Membership.objects.select_related("user"), pk=member_id)
    if data.roles is not None:
        actions.set_member_roles(p, m, data.roles)
    if data.is_active is not None:
        actions.set_member_active(p, m, data.is_active)
    m = Membership.objects.select_related("user").prefetch_related("role_links__role").get(pk=m.pk)
    return 200, _member_out(m)


# --- roles ---------------------------------------------------------------------------------------


class PermissionOut(Schema):
    code: str
    module: str
    label: str
    label_en: str


class RoleOut(Schema):
    id: int
    code: str
    name: str
    name_en: str
    description: str
    is_system: bool
    permissions: list[str]


class RoleCreate(StrictSchema):
    code: str = Field(pattern=r"^[a-z0-9_-]{2,60}$")
    name: str = Field(min_length=1, max_length=120)
    description: str = Field(default="", max_length=300)
    permissions: list[str] = []


class RoleUpdate(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    description: str | None = Field(default=None, max_length=300)
    permissions: list[str] | None = None


def _role_out(role: Role) -> dict[str, Any]:
    return {
        "id": role.pk,
        "code": role.code,
        "name": role.name,
        "name_en": role.name_en,
        "description": role.description,
        "is_system": role.is_system,
        "permissions": sorted(role_permissions(role)),
    }


@router.get("/permissions", response=list[PermissionOut])
def list_permissions(request: HttpRequest) -> Any:
    return [{"code": p.code, "module": p.module, "label": p.label, "label_en": p.label_en} for p in PERMISSIONS]


@router.get("/roles", response=list[RoleOut])
def list_roles(request: HttpRequest) -> Any:
    request.auth.require("core.users.view") if not request.auth.has("core.roles.manage") else None  # type: ignore[attr-defined]
    return [_role_out(r) for r in Role.objects.prefetch_related("permissions")]


@router.post("/roles", response={201: RoleOut, 400: ErrorOut, 403: ErrorOut})
def create_role(request: HttpRequest, data: RoleCreate) -> Any:
    role = actions.create_role(
        request.auth,  # type: ignore[attr-defined]
        code=data.code,
        name=data.name,
        description=data.description,
        permissions=data.permissions,
    )
    return 201, _role_out(role)


@router.get("/roles/{role_id}", response=RoleOut)
def get_role(request: HttpRequest, role_id: int) -> Any:
    request.auth.require("core.users.view") if not request.auth.has("core.roles.manage") else None  # type: ignore[attr-defined]
    return _role_out(get_object_or_404(Role.objects.prefetch_related("permissions"), pk=role_id))


@router.patch("/roles/{role_id}", response={200: RoleOut, 400: ErrorOut, 403: ErrorOut})
def update_role(request: HttpRequest, role_id: int, data: RoleUpdate) -> Any:
    role = get_object_or_404(Role, pk=role_id)
    actions.update_role(
        request.auth,  # type: ignore[attr-defined]
        role,
        name=data.name,
        description=data.description,
        permissions=data.permissions,
    )
    return 200, _role_out(Role.objects.prefetch_related("permissions").get(pk=role.pk))


@router.delete("/roles/{role_id}", response={204: None, 400: ErrorOut, 403: ErrorOut})
def delete_role(request: HttpRequest, role_id: int) -> Any:
    actions.delete_role(request.auth, get_object_or_404(Role, pk=role_id))  # type: ignore[attr-defined]
    return 204, None


# --- invitations ---------------------------------------------------------------------------------


class InvitationIn(StrictSchema):
    email: str = Field(max_length=254)
    roles: list[str] = Field(min_length=1)


class InvitationOut(Schema):
    id: int
    email: str
    roles: list[str]
    status: str
    expires_at: dt.datetime


def _inv_out(inv: Invitation) -> dict[str, Any]:
    return {
        "id": inv.pk,
        "email": inv.email,
        "roles": inv.role_codes,
        "status": inv.status,
        "expires_at": inv.expires_at,
    }


@router.get("/invitations", response=list[InvitationOut])
def list_invitations(request: HttpRequest) -> Any:
    request.auth.require("core.users.invite")  # type: ignore[attr-defined]
    return [_inv_out(i) for i in Invitation.objects.all()[:200]]


@router.post("/invitations", response={201: InvitationOut, 400: ErrorOut, 403: ErrorOut})
def create_invitation(request: HttpRequest, data: InvitationIn) -> Any:
    inv, _token = actions.invite_user(
        request.auth,  # type: ignore[attr-defined]
        email=data.email,
        role_codes=data.roles,
        base_url=settings.PUBLIC_BASE_URL,
    )
    return 201, _inv_out(inv)


@router.delete("/invitations/{inv_id}", response={204: None, 403: ErrorOut})
def revoke_invitation(request: HttpRequest, inv_id: int) -> Any:
    actions.revoke_invitation(request.auth, get_object_or_404(Invitation, pk=inv_id))  # type: ignore[attr-defined]
    return 204, None


# --- API keys --------------------------------------------------------------------------------------


class ApiKeyIn(StrictSchema):
    name: str = Field(min_length=1, max_length=100)
    permissions: list[str] = []


class ApiKeyOut(Schema):
    id: int
    name: str
    prefix: str
    permissions: list[str]
    created_at: dt.datetime
    last_used_at: dt.datetime | None
    revoked_at: dt.datetime | None


class ApiKeyCreated(ApiKeyOut):
    key: str = Field(description="shown once; store it now")


def _key_out(k: ApiKey) -> dict[str, Any]:
    return {
        "id": k.pk,
        "name": k.name,
        "prefix": k.prefix,
        "permissions": k.permissions,
        "created_at": k.created_at,
        "last_used_at": k.last_used_at,
        "revoked_at": k.revoked_at,
    }


@router.get("/api-keys", response=list[ApiKeyOut])
def list_api_keys(request: HttpRequest) -> Any:
    request.auth.require("core.apikeys.manage")  # type: ignore[attr-defined]
    return [_key_out(k) for k in ApiKey.objects.all()]


@router.post("/api-keys", response={201: ApiKeyCreated, 400: ErrorOut, 403: ErrorOut})
def create_api_key(request: HttpRequest, data: ApiKeyIn) -> Any:
    key, raw = actions.create_api_key(request.auth, name=data.name, permissions=data.permissions)  # type: ignore[attr-defined]
    return 201, {**_key_out(key), "key": raw}


@router.delete("/api-keys/{key_id}", response={204: None, 403: ErrorOut})
def revoke_api_key(request: HttpRequest, key_id: int) -> Any:
    actions.revoke_api_key(request.auth, get_object_or_404(ApiKey, pk=key_id))  # type: ignore[attr-defined]
    return 204, None


# --- audit -----------------------------------------------------------------------------------------


class AuditOut(Schema):
    id: int
    created_at: dt.datetime
    actor: str
    action: str
    object_type: str
    object_id: str
    object_repr: str
    before: Any = None
    after: Any = None
    ip: str | None
    message: str


class AuditFilter(Schema):
    action: str | None = None
    actor: str | None = None
    object_type: str | None = None
    since: dt.date | None = None
    until: dt.date | None = None


def filter_audit(tenant: Tenant, f: AuditFilter) -> Any:
    from novasaas.identity.selectors import filter_audit as select

    return select(tenant, action=f.action, actor=f.actor, object_type=f.object_type, since=f.since, until=f.until)


@router.get("/audit", response=list[AuditOut])
@paginate(LimitOffsetPagination)
def list_audit(request: HttpRequest, filters: Query[AuditFilter]) -> Any:
    p: Principal = request.auth  # type: ignore[attr-defined]
    p.require("core.audit.view")
    return [
        {
            "id": e.pk,
            "created_at": e.created_at,
            "actor": e.actor_label,
            "action": e.action,
            "object_type": e.object_type,
            "object_id": e.object_id,
            "object_repr": e.object_repr,
            "before": e.before,
            "after": e.after,
            "ip": e.ip,
            "message": e.message,
        }
        for e in filter_audit(p.tenant, filters)
    ]


# --- company settings --------------------------------------------------------------------------------


class CompanyOut(Schema):
    slug: str
    name: str
    legal_name: str
    address: str
    tax_code: str
    phone: str
    email: str
    locale: str
    timezone: str
    base_currency: str
    theme_color: str
    require_mfa: bool
    status: str
    modules: list[str]


class CompanyUpdate(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=200)
    legal_name: str | None = Field(default=None, max_length=300)
    address: str | None = Field(default=None, max_length=2000)
    tax_code: str | None = Field(default=None, max_length=14)
    phone: str | None = Field(default=None, max_length=30)
    email: str | None = Field(default=None, max_length=254)
    locale: str | None = Field(default=None, pattern="^(vi|en)$")
    timezone: str | None = Field(default=None, max_length=64)
    base_currency: str | None = Field(default=None, pattern="^[A-Z]{3}$")
    theme_color: str | None = Field(default=None, pattern="^#[0-9a-fA-F]{6}$")
    require_mfa: bool | None = None


def company_out(t: Tenant) -> dict[str, Any]:
    return {
        "slug": t.slug,
        "name": t.name,
        "legal_name": t.legal_name,
        "address": t.address,
        "tax_code": t.tax_code,
        "phone": t.phone,
        "email": t.email,
        "locale": t.locale,
        "timezone": t.timezone,
        "base_currency": t.base_currency,
        "theme_color": t.theme_color,
        "require_mfa": t.require_mfa,
        "status": t.status,
        "modules": ["CORE", *t.enabled_modules],
    }


@router.get("/settings/company", response=CompanyOut)
def get_company(request: HttpRequest) -> Any:
    request.auth.require("core.settings.company.view")  # type: ignore[attr-defined]
    return company_out(request.auth.tenant)  # type: ignore[attr-defined]


@router.patch("/settings/company", response={200: CompanyOut, 400: ErrorOut, 403: ErrorOut})
def update_company(request: HttpRequest, data: CompanyUpdate) -> Any:
    from novasaas.platform.settings_actions import update_company_settings

    tenant = update_company_settings(request.auth, data.model_dump(exclude_unset=True))  # type: ignore[attr-defined]
    return 200, company_out(tenant)


class CompanyNotificationsIO(StrictSchema):
    email: bool = True
    in_app: bool = True


@router.get("/settings/notifications", response=CompanyNotificationsIO)
def get_company_notifications(request: HttpRequest) -> Any:
    """Company-wide notification switches (spec §3.1.2: Tenant Admin and Manager)."""
    from novasaas.platform.notifications import company_settings

    request.auth.require("core.settings.notifications")  # type: ignore[attr-defined]
    return company_settings(request.auth.tenant)  # type: ignore[attr-defined]


@router.put("/settings/notifications", response={200: CompanyNotificationsIO, 400: ErrorOut, 403: ErrorOut})
def put_company_notifications(request: HttpRequest, data: CompanyNotificationsIO) -> Any:
    from novasaas.platform.notifications import company_settings
    from novasaas.platform.settings_actions import update_company_settings

    p: Principal = request.auth  # type: ignore[attr-defined]
    value = {**(p.tenant.notification_settings or {}), **data.model_dump()}
    tenant = update_company_settings(p, {"notification_settings": value})
    return 200, company_settings(tenant)


class ModuleOut(Schema):
    code: str
    name: str
    enabled: bool


class SubscriptionOut(Schema):
    status: str
    modules: list[ModuleOut]


@router.get("/settings/subscription", response=SubscriptionOut)
def get_subscription(request: HttpRequest) -> Any:
    """The plan: status and enabled modules (read-only; upgrades go through NovaSaaS support)."""
    from novasaas.platform.modules import MODULES

    p: Principal = request.auth  # type: ignore[attr-defined]
    p.require("core.subscription.view")
    return {
        "status": p.tenant.status,
        "modules": [
            {"code": m.code, "name": str(m.name), "enabled": p.tenant.has_module(m.code)} for m in MODULES.values()
        ],
    }


@router.post("/settings/company/logo", response={200: CompanyOut, 400: ErrorOut, 403: ErrorOut})
def upload_logo(request: HttpRequest, logo: UploadedFile = File(...)) -> Any:  # noqa: B008
    """Upload the company logo (PNG or JPEG, at most 1 MB)."""
    from novasaas.identity.forms import CompanyForm
    from novasaas.platform.settings_actions import update_company_settings

    p: Principal = request.auth  # type: ignore[attr-defined]
    p.require("core.settings.company.edit")
    form = CompanyForm({"name": p.tenant.name}, MultiValueDict({"logo": [logo]}))
    if not form.is_valid() or not form.cleaned_data.get("logo"):
        raise ValidationError({"logo": form.errors.get("logo") or [_("Upload a PNG or JPEG image.")]})
    return 200, company_out(update_company_settings(p, {"logo": form.cleaned_data["logo"]}))


# --- Master Admin ------------------------------------------------------------------------------------


class TenantOut(Schema):
    id: int
    slug: str
    name: str
    status: str
    modules: list[str]
    created_at: dt.datetime


class TenantCreate(StrictSchema):
    slug: str = Field(pattern=r"^[a-z0-9](?:[a-z0-9-]{0,48}[a-z0-9])?$")
    name: str = Field(min_length=1, max_length=200)
    admin_email: str = Field(max_length=254)
    admin_name: str = Field(default="", max_length=200)
    tax_code: str = Field(default="", max_length=14)
    modules: list[str] = []


class ModulesIn(StrictSchema):
    modules: list[str]


class StatusIn(StrictSchema):
    status: TenantStatus


def _tenant_out(t: Tenant) -> dict[str, Any]:
    return {
        "id": t.pk,
        "slug": t.slug,
        "name": t.name,
        "status": t.status,
        "modules": ["CORE", *t.enabled_modules],
        "created_at": t.created_at,
    }


def _master(request: HttpRequest) -> User:
    user = request.user
    if not user.is_authenticated or not getattr(user, "is_platform_staff", False):
        raise PermissionDenied(_("Master Admin only."))
    if request.method not in ("GET", "HEAD", "OPTIONS") and check_csrf(request) is not None:
        raise PermissionDenied(_("CSRF check failed."))
    return user  # type: ignore[return-value]


@platform_router.get("/tenants", response={200: list[TenantOut], 403: ErrorOut})
def list_tenants(request: HttpRequest, q: str = "") -> Any:
    _master(request)
    with platform_context():
        qs = Tenant.objects.all()
        if q:
            qs = qs.filter(name__icontains=q) | qs.filter(slug__icontains=q)
        return 200, [_tenant_out(t) for t in qs[:500]]


@platform_router.post("/tenants", response={201: TenantOut, 400: ErrorOut, 403: ErrorOut})
def create_tenant(request: HttpRequest, data: TenantCreate) -> Any:
    user = _master(request)
    if not user.is_master_admin:
        raise PermissionDenied(_("Master Admin only."))
    with platform_context():
        if Tenant.objects.filter(slug=data.slug).exists():
            raise ValidationError({"slug": [_("This address is taken.")]})
    refuse_unbuilt_modules(normalize_modules(data.modules))
    tenant, _admin = actions.create_tenant(
        slug=data.slug,
        name=data.name,
        admin_email=data.admin_email,
        admin_name=data.admin_name,
        tax_code=data.tax_code,
        modules=data.modules,
        actor=user,
    )
    return 201, _tenant_out(tenant)


def _tenant(slug: str) -> Tenant:
    with platform_context():
        return get_object_or_404(Tenant, slug=slug)


@platform_router.put("/tenants/{slug}/modules", response={200: TenantOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def set_modules(request: HttpRequest, slug: str, data: ModulesIn) -> Any:
    user = _master(request)
    tenant = actions.set_tenant_modules(_tenant(slug), data.modules, actor=user)
    return 200, _tenant_out(tenant)


@platform_router.put("/tenants/{slug}/status", response={200: TenantOut, 400: ErrorOut, 403: ErrorOut, 404: ErrorOut})
def set_status(request: HttpRequest, slug: str, data: StatusIn) -> Any:
    user = _master(request)
    tenant = actions.set_tenant_status(_tenant(slug), data.status, actor=user)
    return 200, _tenant_out(tenant)


from novasaas.platform.core_api import router as core_router  # noqa: E402

router.add_router("", core_router)

__all__ = ["auth_router", "platform_router", "router", "tenant_context", "transaction"]
