"""Which permissions a role grants (issue 20).

The default roles' grants live in the catalogue, in code (``identity/catalogue.py``): a new tenant's
default roles have no ``RolePermission`` row. The database holds only a tenant's own grants: those of
custom roles, and of default roles whose grants the tenant edited (``Role.has_own_grants``). A default
role edited back to the catalogue's grants drops its rows again. A default role that was never edited
follows the catalogue when it changes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Q, QuerySet

from novasaas.identity.catalogue import PERMISSIONS_BY_CODE, default_role_permissions

if TYPE_CHECKING:
    from novasaas.identity.models import Role
    from novasaas.platform.models import Tenant

# the catalogue's own strings, shared by every principal that holds them
DEFAULT_GRANTS: dict[str, frozenset[str]] = {
    code: frozenset(PERMISSIONS_BY_CODE[p].code for p in perms) for code, perms in default_role_permissions().items()
}


def uses_catalogue(role: Role) -> bool:
    return not role.has_own_grants and role.code in DEFAULT_GRANTS


def role_permissions(role: Role) -> frozenset[str]:
    """The permission codes a role grants (uses ``prefetch_related("permissions")`` when done)."""
    if uses_catalogue(role):
        return DEFAULT_GRANTS[role.code]
    return frozenset(rp.permission for rp in role.permissions.all())


def stored_role_permissions(role: Role) -> frozenset[str]:
    """``role_permissions`` read from the database now (flag and rows, never an instance's stale copy
    or a prefetch cache): for actions and tests."""
    from novasaas.identity.models import Role, RolePermission

    role.has_own_grants = bool(Role.objects.filter(pk=role.pk).values_list("has_own_grants", flat=True).first())
    if uses_catalogue(role):
        return DEFAULT_GRANTS[role.code]
    return frozenset(RolePermission.objects.filter(role=role).values_list("permission", flat=True))


def permissions_of_roles(roles: Iterable[tuple[int, str, bool]]) -> frozenset[str]:
    """Union of the grants of roles given as (id, code, has_own_grants): at most one query, none when
    every role follows the catalogue."""
    from novasaas.identity.models import RolePermission

    codes: set[str] = set()
    own: list[int] = []
    for role_id, code, has_own in roles:
        if not has_own and code in DEFAULT_GRANTS:
            codes |= DEFAULT_GRANTS[code]
        else:
            own.append(role_id)
    if own:
        codes.update(RolePermission.objects.filter(role_id__in=own).values_list("permission", flat=True))
    return frozenset(codes)


def roles_holding(permission: str, prefix: str = "") -> Q:
    """A filter on roles (``prefix`` = the path to the role, e.g. ``"role_links__role__"``) that grant
    ``permission``, whether from the catalogue or from the tenant's own rows."""
    defaults = [code for code, perms in DEFAULT_GRANTS.items() if permission in perms]
    return Q(**{f"{prefix}has_own_grants": False, f"{prefix}code__in": defaults}) | Q(
        **{f"{prefix}has_own_grants": True, f"{prefix}permissions__permission": permission}
    )


def role_ids_holding(permission: str) -> QuerySet[Any]:
    """Ids of the current tenant's roles that grant ``permission`` (a subquery)."""
    from novasaas.identity.models import Role

    return Role.objects.filter(roles_holding(permission)).values("id")


def set_role_permissions(tenant: Tenant, role: Role, codes: Iterable[str]) -> None:
    """Give ``role`` exactly ``codes``: rows only when they differ from the catalogue's default grants."""
    from novasaas.identity.models import Role, RolePermission

    # the row lock orders concurrent edits of one role; the flag is read under it
    role.has_own_grants = bool(
        Role.objects.select_for_update().filter(pk=role.pk).values_list("has_own_grants", flat=True).first()
    )
    wanted = set(codes)
    if role.code in DEFAULT_GRANTS and role.is_system and wanted == DEFAULT_GRANTS[role.code]:
        RolePermission.objects.filter(role=role).delete()
        if role.has_own_grants:
            role.has_own_grants = False
            role.save(update_fields=["has_own_grants"])
        return
    if not role.has_own_grants:
        have: set[str] = set()
        role.has_own_grants = True
        role.save(update_fields=["has_own_grants"])
    else:
        have = set(RolePermission.objects.filter(role=role).values_list("permission", flat=True))
    RolePermission.objects.filter(role=role).exclude(permission__in=wanted).delete()
    RolePermission.objects.bulk_create(
        [RolePermission(tenant=tenant, role=role, permission=c) for c in sorted(wanted - have)]
    )
