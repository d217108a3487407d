"""Property-based API fuzzing from the OpenAPI document: no input may cause a server error.

Every operation is called with generated valid and invalid data, authenticated as the Tenant Admin
of a tenant that has every module; the only check is "not a 5xx" (schemathesis' not_a_server_error).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error

from novasaas.config.wsgi import application
from novasaas.platform.testing.fixtures import ApiClient

schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", application)

# Operations that end the caller's own credentials or need platform staff are fuzzed for crashes too,
# but with a token that may get revoked; they are cheap to re-issue per example.


@pytest.fixture
def token(tenant_a, admin_a) -> str:
    return ApiClient(tenant_a, admin_a).token


@pytest.fixture(autouse=True)
def keep_test_connection():
    """Calling the WSGI app directly would close the test's DB connection after each request (Django's
    test client disconnects this handler the same way)."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.mark.django_db
@schema.parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, token):
    response = case.call(headers={"Authorization": f"Bearer {token}"})
    case.validate_response(response, checks=[not_a_server_error])
