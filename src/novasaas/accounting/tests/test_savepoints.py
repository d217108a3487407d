"""One savepoint mechanism (``platform.transactions``, issue 11): an action's transaction opens a savepoint
in its caller's transaction on pages, tasks and the shell, and none inside an API request's transaction or
a ``no_savepoints`` block, whose transaction is rolled back whole when the action raises."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from novasaas.accounting.scope import atomic_in
from novasaas.platform.transactions import atomic, joins_outer, no_savepoints


def _savepoints(ctx):
    return [q["sql"] for q in ctx.captured_queries if "SAVEPOINT" in q["sql"]]


@pytest.mark.django_db
def test_accounting_and_platform_actions_share_one_savepoint_rule(tenant_a):
    with CaptureQueriesContext(connection) as ctx:
        with atomic_in(tenant_a):
            pass
        with atomic():
            pass
    assert not joins_outer()
    assert len(_savepoints(ctx)) == 4  # SAVEPOINT + RELEASE each: outside an API request, both open one
    with no_savepoints(), CaptureQueriesContext(connection) as ctx:
        assert joins_outer()
        with atomic_in(tenant_a):
            pass
        with atomic():
            pass
    assert _savepoints(ctx) == []
    assert not joins_outer()


@pytest.mark.django_db
def test_an_error_in_a_joined_action_rolls_the_whole_transaction_back(tenant_a):
    """Without a savepoint, the caller cannot go on writing after the action raised: the transaction is
    marked for rollback (never half an action committed); a caller that catches opens its own savepoint."""
    with pytest.raises(ValidationError), transaction.atomic():
        with no_savepoints():
            try:
                with atomic_in(tenant_a):
                    raise ValidationError("refused")
            finally:
                assert connection.needs_rollback
        raise ValidationError("the caller passes the error on")
    assert not connection.needs_rollback
    with transaction.atomic(), no_savepoints():
        with pytest.raises(ValidationError), transaction.atomic():  # the caller's own savepoint
            with atomic_in(tenant_a):
                raise ValidationError("refused")
        assert not connection.needs_rollback  # rolled back to the savepoint: the caller may go on
