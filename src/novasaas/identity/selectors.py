"""Read queries of the identity app: members, roles, the audit log of a tenant."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db.models import Prefetch, QuerySet

from novasaas.identity.catalogue import PERMISSIONS
from novasaas.identity.models import Membership, MembershipRole, Role
from novasaas.platform import audit
from novasaas.platform.models import AuditLog, Tenant
from novasaas.platform.modules import MODULES


def list_members(q: str = "") -> QuerySet[Membership]:
    """Members of the current tenant with their user and roles (three queries in all)."""
    qs = (
        Membership.objects.select_related("user")
        .prefetch_related(Prefetch("role_links", queryset=MembershipRole.objects.select_related("role")))
        .order_by("user__email")
    )
    if q:
        qs = qs.filter(user__email__icontains=q) | qs.filter(user__full_name__icontains=q)
    return qs


def list_roles() -> QuerySet[Role]:
    return Role.objects.prefetch_related("permissions").order_by("id")


def permissions_by_module() -> list[tuple[Any, list[Any]]]:
    """The permission catalogue grouped by module, in the catalogue's order: [(module, [Perm])]."""
    groups: dict[str, list[Any]] = {}
    for perm in PERMISSIONS:
        groups.setdefault(perm.module, []).append(perm)
    return [(MODULES[code], perms) for code, perms in groups.items()]


def filter_audit(
    tenant: Tenant,
    *,
    action: str | None = None,
    actor: str | None = None,
    object_type: str | None = None,
    since: dt.date | None = None,
    until: dt.date | None = None,
) -> QuerySet[AuditLog]:
    """A tenant's audit entries, newest first, filtered by action, actor, object type and dates."""
    qs = audit.list_entries(tenant)
    if action:
        qs = qs.filter(action=action)
    if actor:
        qs = qs.filter(actor_label__icontains=actor)
    if object_type:
        qs = qs.filter(object_type__icontains=object_type)
    if since:
        qs = qs.filter(created_at__date__gte=since)
    if until:
        qs = qs.filter(created_at__date__lte=until)
    return qs


def audit_changes(entry: AuditLog) -> list[tuple[str, Any, Any]]:
    """(field, before, after) rows of an entry, for the before/after diff."""
    before = entry.before if isinstance(entry.before, dict) else {}
    after = entry.after if isinstance(entry.after, dict) else {}
    keys = sorted(set(before) | set(after))
    return [(k, before.get(k), after.get(k)) for k in keys]
