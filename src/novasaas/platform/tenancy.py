"""Tenant context: who the current tenant is, and the guard that refuses unscoped queries.

Three layers keep tenants apart (docs/architecture.md, "Tenancy"):

1. Actions and selectors take the tenant explicitly and run inside ``tenant_context(tenant)``.
2. ``TenantManager`` (the default *and* base manager of every ``TenantModel``) filters every query on
   the current tenant and raises ``NoTenantError`` when there is none.
3. On PostgreSQL, ``tenant_context`` opens a transaction (a savepoint inside the caller's) and sets
   ``app.tenant_id`` (and, when configured, the non-owner role) with ``set_config(..., true)``; row-level
   security policies on every tenant table then hide other tenants' rows even from raw SQL.

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

from novasaas.platform.transactions import joins_outer

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


# The scope whose settings are in force in a connection's current transaction: an identity marker kept
# on the connection wrapper (per thread), so a nested block of the scope already applied in this very
# transaction skips its statements. Cleared whenever the database may hold another scope (a block left
# without restoring, an exception: a savepoint's rollback or a doomed transaction).
_APPLIED = "_novasaas_applied_scope"


def _applied(conn: Any) -> _Scope | None:
    return getattr(conn, _APPLIED, None)


def _mark_applied(conn: Any, scope: _Scope | None) -> None:
    setattr(conn, _APPLIED, scope)


@contextlib.contextmanager
def _enter(scope: _Scope, using: str, *, restore: bool = True, savepoint: bool = True) -> Iterator[None]:
    previous = _scope.get()
    conn = connections[using]
    if conn.vendor != "postgresql":
        token = _scope.set(scope)
        try:
            yield
        finally:
            _scope.reset(token)
        return
    if (
        conn.in_atomic_block
        and not conn.needs_rollback
        and _applied(conn) is previous
        and previous.platform == scope.platform
        and (previous.tenant.pk if previous.tenant is not None else None)
        == (scope.tenant.pk if scope.tenant is not None else None)
    ):
        # The same scope is already in force in this transaction (an action's own tenant_context inside the
        # request's): nothing to set, nothing to restore, no savepoint.
        yield
        return
    # set_config(..., true) lives as long as the transaction: open one, or join the caller's. Joined, the
    # block is a savepoint (unless the caller's transaction is rolled back whole on an error: an API
    # request, ``no_savepoints``, or the caller's own atomic() just around it), so an exception leaving
    # the block rolls back the block and its scope and leaves the caller's transaction usable, as it is
    # on SQLite. A block that opens the transaction ends with it: its scope needs no restoring.
    nested = conn.in_atomic_block or not conn.get_autocommit()
    restore = restore and nested
    token = _scope.set(scope)
    try:
        with transaction.atomic(using=using, savepoint=savepoint and nested and not joins_outer()):
            _apply_db_scope(scope, using)
            _mark_applied(conn, scope)
            ok = False
            try:
                yield
                ok = True
            finally:
                # a block whose transaction is already doomed (an inner atomic(savepoint=False) failed and its
                # error was caught) restores nothing: the rollback to this block's savepoint, or of the whole
                # transaction, takes its scope away (no statement may run before it)
                if ok and restore and not conn.needs_rollback:
                    _apply_db_scope(previous, using)
                    _mark_applied(conn, previous)
                else:
                    _mark_applied(conn, None)
    finally:
        _scope.reset(token)


@contextlib.contextmanager
def tenant_context(tenant: Tenant, *, using: str = "default", savepoint: bool = True) -> Iterator[Tenant]:
    """Run the block as ``tenant``: every TenantModel query is filtered on it (and RLS on PostgreSQL).

    On PostgreSQL, inside a caller's transaction the block is a savepoint (none inside an API request's
    transaction or ``no_savepoints``): an exception leaving it leaves the caller's transaction usable.
    ``savepoint=False`` is for a caller whose own ``transaction.atomic()`` sits right around the block
    (``with transaction.atomic(), tenant_context(t, savepoint=False)``): its savepoint is enough. Nested in
    a block of the same tenant, it costs nothing."""
    if tenant is None or getattr(tenant, "pk", None) is None:
        raise NoTenantError("tenant_context() needs a saved tenant")
    with _enter(_Scope(tenant=tenant, platform=False), using, savepoint=savepoint):
        yield tenant


@contextlib.contextmanager
def request_tenant_context(tenant: Tenant, *, using: str = "default") -> Iterator[Tenant]:
    """``tenant_context`` for a block that ends with its transaction (``TenantMiddleware``: the request's
    transaction commits or rolls back right after it): the scope is set once and not restored on exit,
    which would be one more statement per request for a transaction about to end."""
    if tenant is None or getattr(tenant, "pk", None) is None:
        raise NoTenantError("tenant_context() needs a saved tenant")
    with _enter(_Scope(tenant=tenant, platform=False), using, restore=False, savepoint=False):
        yield tenant


@contextlib.contextmanager
def platform_context(*, using: str = "default", savepoint: bool = True) -> Iterator[None]:
    """Run the block across all tenants. Only platform code (Master Admin, outbox, sign-up) uses it.
    Transactions and savepoints as ``tenant_context``."""
    with _enter(_Scope(tenant=None, platform=True), using, savepoint=savepoint):
        yield


def run_in_tenant(tenant_id: int, func: Any, *args: Any, **kwargs: Any) -> Any:
    """Re-enter a tenant from its id (tasks, outbox deliveries) and call ``func``."""
    from novasaas.platform.models import Tenant

    with platform_context():
        tenant = Tenant.objects.get(pk=tenant_id)
    with tenant_context(tenant):
        return func(*args, **kwargs)
