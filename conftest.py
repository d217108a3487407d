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
    with django_db_blocker.unblock():
        template_db.setup(connection)
    yield
    with django_db_blocker.unblock():
        template_db.teardown(connection)
