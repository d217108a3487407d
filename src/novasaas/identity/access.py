"""Who is acting: the Principal attached to each request, and permission checks."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from novasaas.identity.catalogue import PERMISSIONS_BY_CODE, TENANT_ADMIN
from novasaas.platform.ttlcache import BoundedCache

if TYPE_CHECKING:
    from collections.abc import Iterable

    from novasaas.identity.models import ApiKey, Membership, Role, User
    from novasaas.platform.models import Tenant


@dataclass
class Principal:
    """The acting user (or API key) in one tenant, with its effective permission codes."""

    tenant: Tenant
    user: User | None
    membership: Membership | None
    permissions: frozenset[str]
    api_key: ApiKey | None = None
    via: str = "session"  # session | jwt | api_key | support
    role_codes: frozenset[str] = field(default_factory=frozenset)
    read_only: bool = False

    def has(self, code: str) -> bool:
        if code not in PERMISSIONS_BY_CODE:
            raise KeyError(f"unknown permission {code}")
        perm = PERMISSIONS_BY_CODE[code]
        if not self.tenant.has_module(perm.module):
            return False
        return code in self.permissions

    def require(self, code: str) -> None:
        if not self.has(code):
            perm = PERMISSIONS_BY_CODE[code]
            language = get_language()
            roles = perm.role_names(language)
            if roles:
                raise PermissionDenied(
                    _("You do not have the right “%(perm)s” (role %(roles)s). Ask your company's administrator.")
                    % {"perm": perm.display(language), "roles": ", ".join(roles)}
                )
            raise PermissionDenied(_("You do not have the permission “%(perm)s”.") % {"perm": perm.display(language)})

    def has_any(self, *codes: str) -> bool:
        return any(self.has(c) for c in codes)

    @property
    def is_tenant_admin(self) -> bool:
        return self.membership is not None and TENANT_ADMIN in self.role_codes


def permission_label(code: str) -> str:
    """The permission's name in words, in the active language."""
    perm = PERMISSIONS_BY_CODE.get(code)
    if perm is None:
        return code
    return perm.label_en if (get_language() or "vi").startswith("en") else perm.label


def ensure_can_grant(principal: Principal, permissions: Iterable[str], *, tenant_admin: bool = False) -> None:
    """The one rule for every path that grants rights (roles of a member, invitations, role edits, API keys).

    Nobody grants a permission they do not hold themselves, and only a Tenant Admin grants the Tenant
    Admin role. Raises PermissionDenied (403) naming the first permission that may not be granted.
    """
    if tenant_admin and not principal.is_tenant_admin:
        raise PermissionDenied(_("Only a Tenant Admin can grant the Tenant Admin role."))
    missing = sorted(set(permissions) - principal.permissions)
    if missing:
        raise PermissionDenied(
            _("You cannot grant the permission “%(perm)s”: you do not hold it yourself.")
            % {"perm": permission_label(missing[0])}
        )


def ensure_can_grant_roles(principal: Principal, roles: Iterable[Role]) -> None:
    """``ensure_can_grant`` for roles: every permission of every role, and Tenant Admin only by a Tenant Admin."""
    from novasaas.identity.grants import permissions_of_roles

    roles = list(roles)
    codes = permissions_of_roles((r.pk, r.code, r.has_own_grants) for r in roles)
    ensure_can_grant(principal, codes, tenant_admin=any(r.code == TENANT_ADMIN for r in roles))


def load_permissions(membership: Membership) -> tuple[frozenset[str], frozenset[str]]:
    """(permission codes, role codes) of an active membership: one query, two when a role has its own
    grants (identity/grants.py)."""
    from novasaas.identity.grants import permissions_of_roles
    from novasaas.identity.models import MembershipRole

    roles = list(
        MembershipRole.objects.filter(membership=membership).values_list(
            "role_id", "role__code", "role__has_own_grants"
        )
    )
    codes = permissions_of_roles(roles)
    return intern_permissions(codes), frozenset(c for _r, c, _o in roles)


# Principals of the same roles share one frozenset of the catalogue's own strings, instead of each
# cached principal holding ~140 freshly allocated strings (issue 20: ~21 KB per admin principal).
_CATALOGUE_CODES = {code: perm.code for code, perm in PERMISSIONS_BY_CODE.items()}
_PERMISSION_SETS: BoundedCache[frozenset[str]] = BoundedCache(maxsize=1_000)


def intern_permissions(codes: frozenset[str]) -> frozenset[str]:
    """The shared, interned copy of a set of permission codes."""
    canonical = frozenset(_CATALOGUE_CODES.get(c, c) for c in codes)
    shared = _PERMISSION_SETS.get(canonical)
    if shared is None:
        _PERMISSION_SETS.set(canonical, canonical)
        shared = canonical
    return shared


def principal_for(membership: Membership, *, via: str = "session") -> Principal:
    perms, roles = load_permissions(membership)
    return Principal(
        tenant=membership.tenant,
        user=membership.user,
        membership=membership,
        permissions=perms,
        via=via,
        role_codes=roles,
    )


def require_perm(request: Any, code: str) -> Principal:
    principal: Principal | None = getattr(request, "principal", None)
    if principal is None:
        raise PermissionDenied(_("Sign in to a company first."))
    if principal.read_only and not code.endswith(".view"):
        # support view: reading only
        pass
    principal.require(code)
    return principal
