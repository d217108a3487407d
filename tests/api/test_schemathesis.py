"""Property-based API fuzzing from the OpenAPI document: no input may cause a server error.

Every operation is called with generated valid and invalid data, authenticated as the Tenant Admin
of a tenant that has every module. The normal run (every push) tries a few examples per operation and
checks "not a 5xx" (schemathesis' not_a_server_error). ``SCHEMATHESIS_FULL=1`` (once per CI run, on one
database) tries 15 examples per operation with every check schemathesis has (``--checks all``: status code,
content type, headers and response body conform to the OpenAPI document, invalid data is rejected, …).
Select or skip these tests with ``-m schemathesis`` / ``-m "not schemathesis"``.
"""

from __future__ import annotations

import os

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import positive_data_acceptance

from novasaas.config.wsgi import application
from novasaas.platform.testing.fixtures import ApiClient

FULL = os.environ.get("SCHEMATHESIS_FULL") == "1"
pytestmark = pytest.mark.schemathesis

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
@settings(max_examples=15 if FULL else 3, deadline=None, suppress_health_check=list(HealthCheck))
def test_no_server_errors(case, token):
    # our token, unless the case is about a missing or broken Authorization header (then it must be a 401)
    headers = {} if schema.is_security_param_negated(case) else {"Authorization": f"Bearer {token}"}
    response = case.call(headers=headers)
    if FULL:
        # every check schemathesis has but one (the headers tell it the token was ours, not generated):
        # "schema-valid request accepted", since business rules rightly refuse schema-valid data (a tenant
        # admin creating a platform tenant is 403, an unknown id 404, a duplicate code 400). Status codes
        # are checked: config/api.py documents the errors its exception handlers answer on every operation.
        case.validate_response(response, headers=headers, excluded_checks=[positive_data_acceptance])
    else:
        case.validate_response(response, checks=[not_a_server_error])
