"""Identity actions: tenants and their default roles, members, roles, invitations, API keys, passwords.

Each action takes the acting principal (or user) explicitly, checks permissions, runs in one
transaction and writes the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from novasaas.billing import limits as billing_limits
from novasaas.identity.access import Principal, ensure_can_grant, ensure_can_grant_roles
from novasaas.identity.catalogue import PERMISSIONS_BY_CODE, PORTAL_ROLES, ROLES, TENANT_ADMIN
from novasaas.identity.grants import role_ids_holding, set_role_permissions, stored_role_permissions
from novasaas.identity.models import (
    ApiKey,
    Invitation,
    Membership,
    MembershipRole,
    Role,
    RolePermission,
    User,
)
from novasaas.identity.tokens import format_api_key, new_api_key_secret
from novasaas.platform import audit
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.modules import normalize_modules, refuse_unbuilt_modules, set_up_modules
from novasaas.platform.tenancy import platform_context, tenant_context


def _forget_cached_access() -> None:
    """Drop this process's cached principals and API keys after a change of rights."""
    from novasaas.identity.resolve import PRINCIPAL_CACHE
    from novasaas.identity.tokens import API_KEY_CACHE

    PRINCIPAL_CACHE.clear()
    API_KEY_CACHE.clear()


def seed_default_roles(tenant: Tenant) -> dict[str, Role]:
    """Create (or complete) the default roles of spec §2 with the rights of the spec's tables."""
    roles: dict[str, Role] = {}
    with tenant_context(tenant):
        existing = {r.code: r for r in Role.objects.all()}
        for code, name_en, name_vi in ROLES:
            role = existing.get(code)
            if role is None:  # its grants are the catalogue's (identity/grants.py): no row
                role = Role.objects.create(
                    code=code, name=name_vi, name_en=name_en, is_system=True, has_own_grants=False
                )
            roles[code] = role
    return roles


@transaction.atomic
def create_tenant(
    *,
    slug: str,
    name: str,
    admin_email: str,
    admin_password: str | None = None,
    admin_name: str = "",
    modules: Iterable[str] = (),
    actor: Any = None,
    **fields: Any,
) -> tuple[Tenant, User]:
    """Create a tenant, its default roles, and its Tenant Admin (a new or existing user)."""
    tenant = Tenant(slug=slug, name=name, enabled_modules=normalize_modules(list(modules)), **fields)
    tenant.full_clean()
    with platform_context():
        tenant.save()
        user = User.objects.filter(email__iexact=admin_email).first()
        if user is None:
            if admin_password:
                validate_password(admin_password)
            user = User.objects.create_user(admin_email, admin_password, full_name=admin_name)
    roles = seed_default_roles(tenant)
    with tenant_context(tenant):
        membership = Membership.objects.create(user=user)
        MembershipRole.objects.create(membership=membership, role=roles[TENANT_ADMIN])
        audit.record(AuditAction.CREATE, actor=actor or user, obj=tenant, after={"slug": slug, "name": name})
    set_up_modules(tenant, tenant.enabled_modules)  # module data now, never on a first GET (issue 20)
    return tenant, user


def add_member(tenant: Tenant, user: User, role_codes: Iterable[str]) -> Membership:
    with tenant_context(tenant):
        membership, _created = Membership.objects.get_or_create(user=user)
        for code in role_codes:
            role = Role.objects.get(code=code)
            MembershipRole.objects.get_or_create(membership=membership, role=role)
        return membership


def set_tenant_modules(tenant: Tenant, modules: Iterable[str], *, actor: Any) -> Tenant:
    """Master Admin: choose a tenant's enabled modules (CORE is implicit; dependencies are added).

    A module without screens yet is refused (``ValidationError``) unless the tenant already has it."""
    _forget_cached_access()
    if actor is not None and not getattr(actor, "is_master_admin", False):
        raise PermissionDenied(_("Only a Master Admin changes a company's modules."))
    selected = normalize_modules(list(modules))
    refuse_unbuilt_modules(selected, already=tenant.enabled_modules)
    with platform_context(), transaction.atomic():
        before = list(tenant.enabled_modules)
        tenant.enabled_modules = selected
        tenant.save(update_fields=["enabled_modules"])
        set_up_modules(tenant, set(selected) - set(before))
        audit.record(
            AuditAction.MODULES_CHANGED,
            actor=actor,
            tenant=tenant,
            obj=tenant,
            before={"modules": before},
            after={"modules": selected},
        )
    return tenant


def set_tenant_status(tenant: Tenant, status: str, *, actor: Any) -> Tenant:
    _forget_cached_access()
    if actor is not None and not getattr(actor, "is_master_admin", False):
        raise PermissionDenied(_("Only a Master Admin suspends or reactivates a company."))
    with platform_context(), transaction.atomic():
        before = tenant.status
        tenant.status = status
        tenant.full_clean()
        tenant.save(update_fields=["status"])
        audit.record(
            AuditAction.TENANT_STATUS,
            actor=actor,
            tenant=tenant,
            obj=tenant,
            before={"status": before},
            after={"status": status},
        )
    return tenant


# --- roles ---------------------------------------------------------------------------------------


def _check_permission_codes(codes: Iterable[str]) -> list[str]:
    codes = sorted(set(codes))
    unknown = [c for c in codes if c not in PERMISSIONS_BY_CODE]
    if unknown:
        raise ValidationError(_("Unknown permission(s): %(codes)s") % {"codes": ", ".join(unknown)})
    return codes


@transaction.atomic
def create_role(
    principal: Principal, *, code: str, name: str, permissions: Iterable[str], description: str = "", name_en: str = ""
) -> Role:
    principal.require("core.roles.manage")
    codes = _check_permission_codes(permissions)
    ensure_can_grant(principal, codes)
    if Role.objects.filter(code=code).exists():
        raise ValidationError({"code": _("A role with this code already exists.")})
    role = Role(code=code, name=name, name_en=name_en, description=description)
    role.full_clean(exclude=["tenant"])
    role.save()
    RolePermission.objects.bulk_create(
        [RolePermission(tenant=principal.tenant, role=role, permission=c) for c in codes]
    )
    audit.record(
        AuditAction.ROLE_CHANGED,
        actor=principal.user,
        obj=role,
        after={"name": name, "permissions": codes},
        message="role created",
    )
    return role


@transaction.atomic
def update_role(
    principal: Principal,
    role: Role,
    *,
    name: str | None = None,
    description: str | None = None,
    permissions: Iterable[str] | None = None,
) -> Role:
    _forget_cached_access()
    principal.require("core.roles.manage")
    before = {
        "name": role.name,
        "description": role.description,
        "permissions": sorted(stored_role_permissions(role)),
    }
    if name is not None:
        role.name = name
    if description is not None:
        role.description = description
    role.full_clean(exclude=["tenant"])
    role.save()
    if permissions is not None:
        principal.require("core.roles.assign")
        codes = _check_permission_codes(permissions)
        if role.code == TENANT_ADMIN and set(codes) != set(PERMISSIONS_BY_CODE):
            raise ValidationError(_("The Tenant Admin role always has every permission."))
        have = set(before["permissions"])
        # Only what is added is a grant: renaming a role that holds more than the editor stays possible.
        ensure_can_grant(principal, set(codes) - have)
        set_role_permissions(principal.tenant, role, codes)
    after = {
        "name": role.name,
        "description": role.description,
        "permissions": sorted(stored_role_permissions(role)),
    }
    if after != before:
        audit.record(AuditAction.ROLE_CHANGED, actor=principal.user, obj=role, before=before, after=after)
    return role


@transaction.atomic
def delete_role(principal: Principal, role: Role) -> None:
    _forget_cached_access()
    principal.require("core.roles.manage")
    if role.is_system:
        raise ValidationError(_("Default roles cannot be deleted."))
    if MembershipRole.objects.filter(role=role).exists():
        raise ValidationError(_("This role is still assigned to users."))
    audit.record(
        AuditAction.ROLE_CHANGED, actor=principal.user, obj=role, before={"name": role.name}, message="role deleted"
    )
    role.delete()


def portal_roles_refusal(codes: Iterable[str], *, kept: Iterable[str] = ()) -> str | None:
    """The message refusing ``PORTAL_ROLES`` among ``codes`` (those in ``kept``, held already, excepted), or
    None. A portal role is granted only with its portal account, by the module owning the relation (Sales:
    a customer's contact, ``invite_portal_user``); given as a member's role it would open neither the
    portal (no account linked to a customer) nor the company's pages."""
    if (set(codes) & PORTAL_ROLES) - set(kept):
        return _(
            "The Customer role is given only through the customer portal: invite the contact person from "
            "the customer's page in Sales."
        )
    return None


@transaction.atomic
def set_member_roles(principal: Principal, membership: Membership, role_codes: Iterable[str]) -> Membership:
    _forget_cached_access()
    principal.require("core.users.manage")
    codes = sorted(set(role_codes))
    roles = list(Role.objects.filter(code__in=codes))
    if len(roles) != len(codes):
        raise ValidationError(_("Unknown role."))
    before = sorted(membership.role_links.values_list("role__code", flat=True))
    refused = portal_roles_refusal(codes, kept=before)
    if refused:
        raise ValidationError({"roles": refused})
    if before and set(before) <= PORTAL_ROLES and not set(codes) <= PORTAL_ROLES and membership.is_active:
        billing_limits.check(principal.tenant, "users")  # a portal user becoming staff takes a paid seat
    # Only added roles are grants; the rule also stops anyone raising their own roles (they can only
    # add what they hold already, and Tenant Admin only if they are one).
    ensure_can_grant_roles(principal, [r for r in roles if r.code not in before])
    if TENANT_ADMIN in before and TENANT_ADMIN not in codes:
        if not principal.is_tenant_admin:
            raise PermissionDenied(_("Only a Tenant Admin can take the Tenant Admin role away."))
        if _admin_count() <= 1:
            raise ValidationError(_("The company must keep at least one Tenant Admin."))
    MembershipRole.objects.filter(membership=membership).exclude(role__in=roles).delete()
    for role in roles:
        MembershipRole.objects.get_or_create(membership=membership, role=role)
    if before != codes:
        audit.record(
            AuditAction.ROLE_CHANGED,
            actor=principal.user,
            obj=membership,
            before={"roles": before},
            after={"roles": codes},
            message="member roles changed",
        )
    return membership


def _admin_count() -> int:
    return MembershipRole.objects.filter(role__code=TENANT_ADMIN, membership__is_active=True).count()


@transaction.atomic
def set_member_active(principal: Principal, membership: Membership, active: bool) -> Membership:
    _forget_cached_access()
    principal.require("core.users.manage")
    if not active and membership.user_id == getattr(principal.user, "pk", None):
        raise ValidationError(_("You cannot deactivate yourself."))
    roles = [link.role for link in membership.role_links.select_related("role")]
    if any(r.code == TENANT_ADMIN for r in roles) and not principal.is_tenant_admin:
        raise PermissionDenied(_("Only a Tenant Admin can deactivate or reactivate a Tenant Admin."))
    if active and not membership.is_active:
        ensure_can_grant_roles(principal, roles)  # reactivating gives the member's rights back
        if not (roles and {r.code for r in roles} <= PORTAL_ROLES):  # portal users are not paid seats
            billing_limits.check(principal.tenant, "users")
    if not active and membership.role_links.filter(role__code=TENANT_ADMIN).exists() and _admin_count() <= 1:
        raise ValidationError(_("The company must keep at least one Tenant Admin."))
    before = membership.is_active
    membership.is_active = active
    membership.save(update_fields=["is_active"])
    audit.record(
        AuditAction.UPDATE,
        actor=principal.user,
        obj=membership,
        before={"is_active": before},
        after={"is_active": active},
    )
    return membership


# --- invitations ---------------------------------------------------------------------------------


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def invite_user(
    principal: Principal, *, email: str, role_codes: Iterable[str], base_url: str = ""
) -> tuple[Invitation, str]:
    """Invite ``email`` with roles; returns the invitation and its one-time link token.

    Manager may invite (spec §3.1.1), but only with roles whose permissions he holds himself, and only
    a Tenant Admin invites a Tenant Admin (``access.ensure_can_grant``).
    """
    principal.require("core.users.invite")
    codes = sorted(set(role_codes))
    if not codes:
        raise ValidationError({"role_codes": _("Choose at least one role.")})
    refused = portal_roles_refusal(codes)
    if refused:
        raise ValidationError({"role_codes": refused})
    roles = list(Role.objects.filter(code__in=codes))
    if len(roles) != len(codes):
        raise ValidationError({"role_codes": _("Unknown role.")})
    ensure_can_grant_roles(principal, roles)
    return _create_invitation(principal, email=email, codes=codes, base_url=base_url)


@transaction.atomic
def invite_portal_user(
    principal: Principal, *, email: str, role_code: str, base_url: str = "", template: str = ""
) -> tuple[Invitation, str]:
    """Invite someone outside the company (``PORTAL_ROLES``: a customer's contact) with that one role.

    The caller — the module owning the relation (Sales for a customer's contact) — has checked its own
    right (e.g. ``crm.customer.edit`` on that customer) and links the account to what it may see: the
    portal role alone grants nothing else. Not a paid user (``billing.limits`` does not count it), so no
    seat is checked. ``template`` is the invitation email's body template (default the member one).
    """
    if role_code not in PORTAL_ROLES:
        raise ValidationError({"role_codes": _("Unknown role.")})
    if not Role.objects.filter(code=role_code).exists():
        raise ValidationError({"role_codes": _("Unknown role.")})
    return _create_invitation(principal, email=email, codes=[role_code], base_url=base_url, template=template)


def _create_invitation(
    principal: Principal, *, email: str, codes: list[str], base_url: str, template: str = ""
) -> tuple[Invitation, str]:
    email = email.strip().lower()
    from django.core.validators import validate_email

    validate_email(email)
    if Membership.objects.filter(user__email__iexact=email).exists():
        raise ValidationError({"email": _("This person is already a member.")})
    if not set(codes) <= PORTAL_ROLES:
        billing_limits.check(principal.tenant, "users")
    secret = secrets.token_urlsafe(24)
    invitation = Invitation.objects.create(
        email=email,
        role_codes=codes,
        secret_hash=_hash(secret),
        invited_by=principal.user,
        expires_at=timezone.now() + dt.timedelta(days=7),
    )
    token = f"{invitation.pk}.{secret}"
    link = f"{base_url.rstrip('/')}/invitations/{token}/"
    tenant = principal.tenant
    with translation.override(tenant.locale):
        subject = _("You are invited to %(company)s on NovaSaaS") % {"company": tenant.name}
        body = render_to_string(
            template or "identity/email/invitation.txt", {"tenant": tenant, "link": link, "inviter": principal.user}
        )
    transaction.on_commit(lambda: send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [email]))
    audit.record(AuditAction.INVITED, actor=principal.user, obj=invitation, after={"email": email, "roles": codes})
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    try:
        ident, secret = token.split(".", 1)
        pk = int(ident)
    except ValueError:
        return None
    with platform_context():
        inv = Invitation.objects.select_related("tenant").filter(pk=pk).first()
    if inv is None or not hmac.compare_digest(inv.secret_hash, _hash(secret)) or inv.status != "pending":
        return None
    return inv


class SignInRequired(Exception):
    """The invited email already has an account: only that account, signed in, may accept the invitation
    (the page shows "sign in to accept", the API answers 401)."""

    def __init__(self, invitation: Invitation) -> None:
        self.invitation = invitation
        super().__init__(
            _("%(email)s already has a NovaSaaS account: sign in as %(email)s to accept this invitation.")
            % {"email": invitation.email}
        )


def invitation_has_account(inv: Invitation) -> bool:
    with platform_context():
        return User.objects.filter(email__iexact=inv.email).exists()


def accept_invitation(token: str, *, password: str | None, full_name: str = "", user: User | None = None) -> Membership:
    """Accept an invitation: the invited person joins the company with the invitation's roles.

    ``user`` is the account signed in on the request (None when nobody is). An invitation to an email that
    already has an account is accepted only by that account, signed in: holding the link is not enough
    (``SignInRequired`` without a sign-in, ``PermissionDenied`` signed in as another account). Both
    refusals are audited as security events and write nothing else; the caller keeps that audit entry
    (``keep_writes`` on its error answer). A new email gets a new account with ``password``.
    """
    inv = find_invitation(token)
    if inv is None:
        raise ValidationError(_("This invitation link is invalid or has expired."))
    with platform_context():
        existing = User.objects.filter(email__iexact=inv.email).first()
    if user is not None and user.email.lower() != inv.email:
        _record_refused_acceptance(inv, user, existing, "signed in as another account")
        raise PermissionDenied(
            _("This invitation was sent to %(email)s. Sign out, then sign in as %(email)s to accept it.")
            % {"email": inv.email}
        )
    if existing is not None and user is None:
        _record_refused_acceptance(inv, None, existing, "the invited email has an account; nobody signed in")
        raise SignInRequired(inv)
    return _accept(inv, existing, password=password, full_name=full_name)


def _record_refused_acceptance(inv: Invitation, user: User | None, existing: User | None, reason: str) -> None:
    audit.record(
        AuditAction.OTHER,
        actor=user,
        tenant=inv.tenant,
        obj=inv,
        after={"email": inv.email, "account_id": existing.pk if existing else None, "signed_in_as": user and user.pk},
        message=f"invitation acceptance refused: {reason}",
    )


@transaction.atomic
def _accept(inv: Invitation, existing: User | None, *, password: str | None, full_name: str) -> Membership:
    # the invitation row is locked and read again: of two people sending the link at once, the second
    # finds it used (a clear refusal, not a duplicate account's IntegrityError)
    with platform_context():
        locked = Invitation.objects.select_for_update(of=("self",), no_key=True).filter(pk=inv.pk).first()
    if locked is None or locked.status != "pending":
        raise ValidationError(_("This invitation link is invalid or has expired."))
    _check_inviter_still_grants(inv)
    if existing is None:
        if not password:
            raise ValidationError({"password": _("Choose a password.")})
        validate_password(password)
        try:
            # savepoint: two companies' invitations to one new email accepted at the same moment
            with transaction.atomic(), platform_context():
                existing = User.objects.create_user(inv.email, password, full_name=full_name)
        except IntegrityError as exc:
            raise ValidationError(
                _("An account with this email was just created: sign in, then open the invitation again.")
            ) from exc
    membership = add_member(inv.tenant, existing, inv.role_codes)
    with tenant_context(inv.tenant):
        inv.accepted_at = timezone.now()
        inv.save(update_fields=["accepted_at"])
        audit.record(
            AuditAction.CREATE,
            actor=existing,
            obj=membership,
            after={"roles": inv.role_codes},
            message="invitation accepted",
        )
        _notify_invitation_accepted(inv, existing)
        from novasaas.identity.events import InvitationAccepted
        from novasaas.platform.events import publish

        publish(InvitationAccepted(tenant_id=inv.tenant_id, invitation_id=inv.pk, user_id=existing.pk))
    return membership


def _check_inviter_still_grants(inv: Invitation) -> None:
    """The grant rule again at acceptance: the inviter may have lost rights, or a role gained some, since."""
    from novasaas.identity.access import principal_for

    with tenant_context(inv.tenant):
        inviter = None
        if inv.invited_by_id is not None:  # an inviter whose account was deleted grants nothing
            inviter = (
                Membership.objects.select_related("tenant", "user")
                .filter(user_id=inv.invited_by_id, is_active=True)
                .first()
            )
        roles = list(Role.objects.filter(code__in=inv.role_codes))
        try:
            if inviter is None:
                raise PermissionDenied
            if inv.role_codes and set(inv.role_codes) <= PORTAL_ROLES:
                return  # the inviting module checked its right; the portal role grants only the portal
            ensure_can_grant_roles(principal_for(inviter), roles)
        except PermissionDenied as exc:
            raise ValidationError(_("This invitation is no longer valid: ask the company for a new one.")) from exc


def _notify_invitation_accepted(inv: Invitation, user: User) -> None:
    """Tell the inviter and whoever manages users that the invited person joined."""
    from novasaas.platform.notifications import notify

    tenant = inv.tenant
    with translation.override(tenant.locale):
        title = _("%(who)s joined %(company)s") % {"who": user.full_name or user.email, "company": tenant.name}
    recipients = set(_user_ids_with("core.users.manage"))
    if inv.invited_by_id:
        recipients.add(inv.invited_by_id)
    recipients.discard(user.pk)
    if recipients:
        notify(tenant, recipients, "users", title, url="/settings/users/")


def _user_ids_with(code: str) -> list[int]:
    return list(
        Membership.objects.filter(is_active=True, role_links__role_id__in=role_ids_holding(code)).values_list(
            "user_id", flat=True
        )
    )


def revoke_pending_invitation(invitation_id: int) -> None:
    """Revoke an invitation of the current tenant if still pending (a module re-inviting someone: the
    old link stops working); the caller has checked its own right."""
    Invitation.objects.filter(pk=invitation_id, accepted_at__isnull=True, revoked_at__isnull=True).update(
        revoked_at=timezone.now()
    )


@transaction.atomic
def revoke_invitation(principal: Principal, invitation: Invitation) -> None:
    principal.require("core.users.invite")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    audit.record(AuditAction.UPDATE, actor=principal.user, obj=invitation, message="invitation revoked")


# --- API keys ------------------------------------------------------------------------------------


@transaction.atomic
def create_api_key(principal: Principal, *, name: str, permissions: Iterable[str]) -> tuple[ApiKey, str]:
    """Create a key limited to ``permissions``; the returned secret is shown once and never stored."""
    principal.require("core.apikeys.manage")
    codes = _check_permission_codes(permissions)
    ensure_can_grant(principal, codes)
    if not name.strip():
        raise ValidationError({"name": _("Name the key.")})
    secret, secret_hash = new_api_key_secret()
    key = ApiKey.objects.create(
        name=name.strip()[:100],
        prefix=secret[:8],
        secret_hash=secret_hash,
        permissions=codes,
        created_by=principal.user,
    )
    audit.record(AuditAction.KEY_CREATED, actor=principal.user, obj=key, after={"name": key.name, "permissions": codes})
    return key, format_api_key(key.pk, secret)


@transaction.atomic
def revoke_api_key(principal: Principal, key: ApiKey) -> ApiKey:
    _forget_cached_access()
    principal.require("core.apikeys.manage")
    if key.revoked_at is None:
        key.revoked_at = timezone.now()
        key.save(update_fields=["revoked_at"])
        audit.record(AuditAction.KEY_REVOKED, actor=principal.user, obj=key)
    return key


# --- profile -------------------------------------------------------------------------------------


def change_password(user: User, *, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("The current password is wrong.")})
    validate_password(new_password, user)
    with platform_context(), transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record(AuditAction.PASSWORD_CHANGED, actor=user, tenant=None, obj=user)


def update_profile(
    user: User, *, full_name: str | None = None, phone: str | None = None, locale: str | None = None
) -> User:
    with platform_context(), transaction.atomic():
        before = audit.snapshot(user)
        if full_name is not None:
            user.full_name = full_name.strip()[:200]
        if phone is not None:
            user.phone = phone.strip()[:30]
        if locale is not None:
            if locale not in ("", "vi", "en"):
                raise ValidationError({"locale": _("Choose Vietnamese or English.")})
            user.locale = locale
        user.save()
        audit.record_updated(user, user, before)
    return user
