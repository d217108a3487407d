from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest_plugins = ["novasaas.platform.testing.fixtures"]


@pytest.fixture(scope="session")
def django_db_setup(
    request: Any,
    django_test_environment: None,
    django_db_blocker: Any,
    django_db_modify_db_settings: None,
) -> Iterator[None]:
    """Every test process copies one migrated template instead of migrating its own database
    (novasaas/platform/testing/template_db.py; NOVASAAS_TEST_DB_TEMPLATE=0 migrates as before)."""
    from django.db import connections

    from novasaas.platform.testing import template_db

    if not template_db.enabled():
        from django.test.utils import setup_databases, teardown_databases

        with django_db_blocker.unblock():
            config = setup_databases(verbosity=0, interactive=False, serialized_aliases=[])
        yield
        with django_db_blocker.unblock():
            teardown_databases(config, verbosity=0)
        return
    connection = connections["default"]
    # the template is built at the real date, never at a --today pinned day (seed rows such as billing's
    # price versions are stamped when they are written; a template built on a pinned future day would
    # leave runs at the real date without prices)
    from novasaas.platform.testing.fixtures import _CLOCK

    clock = request.config.stash.get(_CLOCK, None)
    if clock is not None:
        clock.stop()
    try:
        with django_db_blocker.unblock():
            template_db.setup(connection)
    finally:
        if clock is not None:
            clock.start()
    yield
    with django_db_blocker.unblock():
        template_db.teardown(connection)
