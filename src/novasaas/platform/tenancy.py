"""Tenant context: who the current tenant is, and the guard that refuses unscoped queries.

Three layers keep tenants apart (docs/architecture.md, "Tenancy"):

1. Actions and selectors take the tenant explicitly and run inside ``tenant_context(tenant)``.
2. ``TenantManager`` (the default *and* base manager of every ``TenantModel``) filters every query on
   the current tenant and raises ``NoTenantError`` when there is none.
3. On PostgreSQL, ``tenant_context`` opens a transaction and sets ``app.tenant_id`` (and, when
   configured, the non-owner role) with ``set_config(..., true)``; row-level security policies on every
   tenant table then hide other tenants' rows even from raw SQL.

``platform_context()`` is the one explicit, grep-able way to work across tenants (Master Admin
portal, outbox delivery, sign-up). Inside it the manager does not filter and the RLS policies let
rows through; a ``tenant_context`` nested inside it scopes again.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.conf import settings
from django.db import connections, transaction

if TYPE_CHECKING:
    from novasaas.platform.models import Tenant


class NoTenantError(RuntimeError):
    """A tenant-scoped table was queried with no tenant context: a bug, never a user error."""


class CrossTenantError(RuntimeError):
    """An object of one tenant was about to be written under another tenant."""


@dataclass(frozen=True)
class _Scope:
    tenant: Tenant | None
    platform: bool


_scope: ContextVar[_Scope] = ContextVar("novasaas_scope", default=_Scope(tenant=None, platform=False))  # noqa: B039 (frozen)


def get_current_tenant() -> Tenant | None:
    return _scope.get().tenant


def current_tenant() -> Tenant:
    tenant = _scope.get().tenant
    if tenant is None:
        raise NoTenantError("No tenant context. Wrap the call in tenant_context(tenant).")
    return tenant


def current_tenant_id() -> int | None:
    tenant = _scope.get().tenant
    return tenant.pk if tenant is not None else None


def in_platform_context() -> bool:
    scope = _scope.get()
    return scope.platform and scope.tenant is None


def _apply_db_scope(scope: _Scope, using: str) -> None:
    """Push the scope into the PostgreSQL transaction (no-op on other databases).

    A tenant scope runs as the app role, whose only policy is ``tenant_id = app.tenant_id``; the
    platform scope switches to the platform role, the one (with the owner) that ``app.platform = 'on'``
    opens every row to (platform/rls.py)."""
    conn = connections[using]
    if conn.vendor != "postgresql":
        return
    tenant_id = "" if scope.tenant is None else str(scope.tenant.pk)
    platform = "on" if scope.platform and scope.tenant is None else ""
    app_role = getattr(settings, "DATABASE_APP_ROLE", "") or ""
    platform_role = getattr(settings, "DATABASE_PLATFORM_ROLE", "") or ""
    # "none" = back to the session's role (a connection that logs in as the app role)
    if platform:
        role = platform_role or ("none" if app_role else "")
    else:
        role = app_role or ("none" if platform_role else "")
    with conn.cursor() as cursor:
        if role:
            cursor.execute(
                "SELECT set_config('app.tenant_id', %s, true), set_config('app.platform', %s, true),"
                " set_config('role', %s, true)",
                [tenant_id, platform, role],
            )
        else:
            cursor.execute(
                "SELECT set_config('app.tenant_id', %s, true), set_config('app.platform', %s, true)",
                [tenant_id, platform],
            )


@contextlib.contextmanager
def _enter(scope: _Scope, using: str, *, restore: bool = True) -> Iterator[None]:
    previous = _scope.get()
    token = _scope.set(scope)
    try:
        conn = connections[using]
        if conn.vendor == "postgresql":
            # a block that opens the transaction ends with it: its scope needs no restoring (set_config's
            # values end with the transaction), one statement less per posting outside a request
            restore = restore and (conn.in_atomic_block or not conn.get_autocommit())
            # set_config(..., true) lives as long as the transaction: open one (or join the outer one).
            with transaction.atomic(using=using, savepoint=False):
                _apply_db_scope(scope, using)
                try:
                    yield
                finally:
                    if restore and conn.in_atomic_block and not conn.needs_rollback and conn.connection is not None:
                        with contextlib.suppress(Exception):
                            _apply_db_scope(previous, using)
        else:
            yield
    finally:
        _scope.reset(token)


@contextlib.contextmanager
def tenant_context(tenant: Tenant, *, using: str = "default") -> Iterator[Tenant]:
    """Run the block as ``tenant``: every TenantModel query is filtered on it (and RLS on PostgreSQL)."""
    if tenant is None or getattr(tenant, "pk", None) is None:
        raise NoTenantError("tenant_context() needs a saved tenant")
    with _enter(_Scope(tenant=tenant, platform=False), using):
        yield tenant


@contextlib.contextmanager
def request_tenant_context(tenant: Tenant, *, using: str = "default") -> Iterator[Tenant]:
    """``tenant_context`` for a block that ends with its transaction (``TenantMiddleware``: the request's
    transaction commits or rolls back right after it): the scope is set once and not restored on exit,
    which would be one more statement per request for a transaction about to end."""
    if tenant is None or getattr(tenant, "pk", None) is None:
        raise NoTenantError("tenant_context() needs a saved tenant")
    with _enter(_Scope(tenant=tenant, platform=False), using, restore=False):
        yield tenant


@contextlib.contextmanager
def platform_context(*, using: str = "default") -> Iterator[None]:
    """Run the block across all tenants. Only platform code (Master Admin, outbox, sign-up) uses it."""
    with _enter(_Scope(tenant=None, platform=True), using):
        yield


def run_in_tenant(tenant_id: int, func: Any, *args: Any, **kwargs: Any) -> Any:
    """Re-enter a tenant from its id (tasks, outbox deliveries) and call ``func``."""
    from novasaas.platform.models import Tenant

    with platform_context():
        tenant = Tenant.objects.get(pk=tenant_id)
    with tenant_context(tenant):
        return func(*args, **kwargs)
