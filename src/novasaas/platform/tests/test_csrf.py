"""Page tests run with CSRF enforced, as production: a forged post is refused, the page's own form passes."""

from __future__ import annotations

import re

from novasaas.identity.models import Role
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import web_client


def _roles(tenant):
    with tenant_context(tenant):
        return set(Role.objects.values_list("code", flat=True))


def test_a_post_without_the_token_is_refused_and_changes_nothing(tenant_a, admin_a):
    before = _roles(tenant_a)
    forged = web_client(tenant_a, admin_a, send_csrf_token=False)
    r = forged.post("/settings/roles/new/", {"code": "thu-ngan", "name": "Thu ngân"})
    assert r.status_code == 403
    assert _roles(tenant_a) == before
    # a wrong token in the form is refused too, even though the client holds a valid cookie
    r = web_client(tenant_a, admin_a).post(
        "/settings/roles/new/", {"code": "thu-ngan", "name": "Thu ngân", "csrfmiddlewaretoken": "x" * 64}
    )
    assert r.status_code == 403
    assert _roles(tenant_a) == before


def test_the_token_of_the_loaded_form_is_accepted(tenant_a, admin_a):
    client = web_client(tenant_a, admin_a, send_csrf_token=False)
    page = client.get("/settings/roles/new/").content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    r = client.post("/settings/roles/new/", {"code": "thu-ngan", "name": "Thu ngân", "csrfmiddlewaretoken": token})
    assert r.status_code == 302
    assert "thu-ngan" in _roles(tenant_a)


def test_htmx_style_header_is_accepted_and_its_absence_refused_on_the_session_api(tenant_a, admin_a):
    """The API with a session cookie (what htmx calls) checks CSRF as well; a Bearer token does not need it."""
    forged = web_client(tenant_a, admin_a, send_csrf_token=False)
    assert forged.post("/api/v1/roles", {"code": "x1", "name": "X"}, content_type="application/json").status_code == 403
    assert "x1" not in _roles(tenant_a)
    r = web_client(tenant_a, admin_a).post(
        "/api/v1/roles", {"code": "x1", "name": "X"}, content_type="application/json"
    )
    assert r.status_code == 201 and "x1" in _roles(tenant_a)
