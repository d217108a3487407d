"""Transactions of actions: one per request, without savepoints where nothing can use them.

An API request runs in one transaction (``TenantMiddleware``) that is rolled back whenever the answer is an
error, and an action's exception always becomes that error answer: a savepoint around the action would
only cost two statements (``SAVEPOINT``/``RELEASE``) for a partial rollback nobody asks for. Inside such a
request ``atomic()`` joins the request's transaction without a savepoint; everywhere else (pages, which
catch an action's ``ValidationError`` to show the form again and keep querying; tasks; shell) it is
``transaction.atomic()``. Blocks that catch an error themselves to carry on (``IntegrityError`` of a
get-or-create) keep using ``transaction.atomic()``: they need their savepoint.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar

from django.db import transaction

_in_api_request: ContextVar[bool] = ContextVar("novasaas_api_request", default=False)


@contextlib.contextmanager
def api_request_transaction() -> Iterator[None]:
    """The transaction of an API request (``TenantMiddleware``): actions inside join it without savepoints."""
    with transaction.atomic():
        token = _in_api_request.set(True)
        try:
            yield
        finally:
            _in_api_request.reset(token)


@contextlib.contextmanager
def no_savepoints() -> Iterator[None]:
    """Actions called in the block join the caller's transaction instead of opening a savepoint in it, as
    inside an API request. Only for a caller whose transaction is rolled back whole when an action raises,
    never for one that catches the error and goes on writing (that one opens ``transaction.atomic()``
    around the call: an action joined into a savepoint rolls back with it)."""
    token = _in_api_request.set(True)
    try:
        yield
    finally:
        _in_api_request.reset(token)


def joins_outer() -> bool:
    """Whether ``atomic`` joins the caller's transaction here (an API request, ``no_savepoints``)."""
    return _in_api_request.get()


@contextlib.contextmanager
def _atomic() -> Iterator[None]:
    with transaction.atomic(savepoint=not _in_api_request.get()):
        yield


def atomic(func=None):  # type: ignore[no-untyped-def]
    """``transaction.atomic`` for actions, as a decorator (``@atomic``) or a block (``with atomic():``);
    no savepoint inside an API request's transaction."""
    if func is None:
        return _atomic()
    return _atomic()(func)


# URL prefixes whose views manage their own short transactions instead of running in one request
# transaction (the AI gateway: a reservation must commit before a provider call of seconds, and holding a
# row lock across that call would serialise a company's requests). ``TenantMiddleware`` runs them without
# a transaction or tenant context and the idempotency middleware leaves them alone; such a view enters
# ``tenant_context`` itself for each step.
SELF_MANAGED_PREFIXES: list[str] = []


def register_self_managed(prefix: str) -> None:
    if prefix not in SELF_MANAGED_PREFIXES:
        SELF_MANAGED_PREFIXES.append(prefix)


def is_self_managed(path: str) -> bool:
    return any(path.startswith(p) for p in SELF_MANAGED_PREFIXES)
