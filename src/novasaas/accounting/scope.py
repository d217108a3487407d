"""Entering a tenant from accounting code without breaking the caller's transaction.

``tenant_context`` joins the caller's transaction on PostgreSQL (no savepoint), so an exception that
crosses it marks the whole outer transaction for rollback. Actions therefore open their savepoint
*outside* it (``atomic_in``), and reads reuse an already-entered context (``in_tenant``).
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator

from django.db import transaction

from novasaas.platform.models import Tenant
from novasaas.platform.tenancy import get_current_tenant, tenant_context


@contextlib.contextmanager
def in_tenant(tenant: Tenant) -> Iterator[None]:
    current = get_current_tenant()
    if current is not None and current.pk == tenant.pk:
        yield
        return
    with tenant_context(tenant):
        yield


# set by ``no_savepoints``: the caller's transaction is rolled back whole on any error
_JOIN_OUTER: contextvars.ContextVar[bool] = contextvars.ContextVar("accounting_join_outer", default=False)


@contextlib.contextmanager
def atomic_in(tenant: Tenant) -> Iterator[None]:
    with transaction.atomic(savepoint=not _JOIN_OUTER.get()), in_tenant(tenant):
        yield


@contextlib.contextmanager
def no_savepoints() -> Iterator[None]:
    """Actions called in the block join the caller's transaction instead of opening a savepoint in it
    (two statements each). Only for a caller whose transaction is rolled back whole when an action
    raises — an API endpoint inside the request transaction (``TenantMiddleware`` rolls back every
    response ≥ 400) — never for one that catches the error and goes on writing."""
    token = _JOIN_OUTER.set(True)
    try:
        yield
    finally:
        _JOIN_OUTER.reset(token)
