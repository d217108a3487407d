"""Entering a tenant from accounting code without breaking the caller's transaction.

Actions open their savepoint *outside* the tenant scope (``atomic_in``: ``platform.transactions.atomic``,
then ``tenant_context(savepoint=False)``, so one savepoint, not two), and reads reuse an already-entered
context (``in_tenant``). Savepoints follow ``platform.transactions`` (the one mechanism): none inside an API
request's transaction.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from django.db import connection

from novasaas.platform.models import Tenant
from novasaas.platform.tenancy import get_current_tenant, request_tenant_context, tenant_context
from novasaas.platform.transactions import atomic


@contextlib.contextmanager
def in_tenant(tenant: Tenant) -> Iterator[None]:
    current = get_current_tenant()
    if current is not None and current.pk == tenant.pk:
        yield
        return
    with tenant_context(tenant):
        yield


@contextlib.contextmanager
def atomic_in(tenant: Tenant) -> Iterator[None]:
    """An action's transaction in ``tenant``: ``platform.transactions.atomic`` (no savepoint inside an API
    request's transaction or a ``no_savepoints`` block, one everywhere else), then the tenant. When the
    block opens the transaction (a task, the shell, a benchmark), the tenant scope ends with it: it is not
    restored before COMMIT (one statement less per posting)."""
    outermost = not connection.in_atomic_block and connection.get_autocommit()
    with atomic():
        current = get_current_tenant()
        if outermost and (current is None or current.pk != tenant.pk):
            with request_tenant_context(tenant):
                yield
        elif current is not None and current.pk == tenant.pk:
            yield
        else:
            with tenant_context(tenant, savepoint=False):  # atomic() above is the savepoint
                yield
