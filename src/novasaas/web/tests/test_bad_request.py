"""An unreadable or oversized request gets a clear 4xx in the client's format, never the HTML page on the API."""

from __future__ import annotations

from django.conf import settings

from novasaas.platform.testing.fixtures import ApiClient


def test_an_oversized_api_body_is_a_json_413(tenant_a, admin_a):
    api = ApiClient(tenant_a, admin_a)
    body = '{"name": "' + "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    r = api.post("/api/v1/parties/", body)
    assert r.status_code == 413
    assert r["Content-Type"].startswith("application/json")
    assert r.json() == {"detail": "Yêu cầu quá lớn: tối đa 5 MB."}


def test_an_oversized_form_on_a_page_is_a_413_page(tenant_a, admin_a):
    from novasaas.platform.testing.fixtures import web_client

    c = web_client(tenant_a, admin_a)
    r = c.post("/parties/new/", {"name": "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10)})
    assert r.status_code == 413
    assert "Yêu cầu quá lớn: tối đa 5 MB." in r.content.decode()
