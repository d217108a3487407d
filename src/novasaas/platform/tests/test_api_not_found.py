"""Ids the API does not know: JSON 404 for a non-numeric path id on every route, 404 for a party that is
not this company's (never zeros, never silently ignored)."""

from __future__ import annotations

import re
from decimal import Decimal

from novasaas.accounting.tests.helpers import make_party
from novasaas.accounting.tests.test_api import fm_client
from novasaas.config.api import api
from novasaas.platform.models import OutboxMessage
from novasaas.platform.tenancy import tenant_context

URL = "/api/v1/accounting"


def test_every_route_answers_json_for_a_non_numeric_id(api_a):
    doc = api.get_openapi_schema()
    checked = 0
    for path, operations in doc["paths"].items():
        if "{" not in path:
            continue
        url = re.sub(r"\{[^}]+\}", "abc", path)
        for method in operations:
            r = api_a._call(method, url, {} if method != "get" else None)
            assert 400 <= r.status_code < 500, (method, url, r.status_code)
            assert r["Content-Type"].startswith("application/json"), (method, url, r.content[:200])
            checked += 1
    assert checked > 100
    # and a URL no route has at all
    r = api_a.get("/api/v1/no-such-thing/12")
    assert r.status_code == 404 and r.json() == {"detail": r.json()["detail"]} and r.json()["detail"]


def test_party_balance_of_an_unknown_party_is_404(tenant_a, tenant_b):
    c = fm_client(tenant_a)
    mine = make_party(tenant_a)
    theirs = make_party(tenant_b)
    r = c.get(f"{URL}/parties/{mine}/balance")
    assert r.status_code == 200 and Decimal(r.json()["receivable"]) == 0
    for unknown in (theirs, 987654321):
        r = c.get(f"{URL}/parties/{unknown}/balance")
        assert r.status_code == 404 and str(unknown) in r.json()["detail"]
        assert c.get(f"{URL}/open-items", {"party_id": unknown}).status_code == 404


def test_reminders_refuse_ids_of_other_companies(tenant_a, tenant_b):
    c = fm_client(tenant_a)
    mine = make_party(tenant_a)
    theirs = make_party(tenant_b)
    r = c.post(f"{URL}/reminders", {"party_ids": [mine, theirs]})
    assert r.status_code == 404 and str(theirs) in r.json()["detail"] and str(mine) not in r.json()["detail"]
    assert c.post(f"{URL}/reminders", {"party_ids": [mine]}).json() == {"reminded": []}  # nothing overdue
    with tenant_context(tenant_a):
        assert OutboxMessage.objects.count() == 0


def test_an_unsafe_request_to_an_unknown_api_url_gets_json_not_the_csrf_page(api_a):
    """A Bearer client (no CSRF cookie, like every API client) PATCHing a wrong URL: JSON 404, not Django's
    HTML 403 CSRF page (found by the full schemathesis run)."""
    from django.test import Client

    client = Client(enforce_csrf_checks=True)
    for method in ("patch", "post", "delete"):
        r = getattr(client, method)(
            "/api/v1/parties/null,null",
            data="{}",
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {api_a.token}",
        )
        assert r.status_code == 404 and r["Content-Type"].startswith("application/json"), (method, r.status_code)
        assert r.json()["detail"]
