"""Sign-out ends access at once (issue 9, item 4): the access JWT carries its session id, and signing
out or revoking the session refuses it immediately in this process, and in other processes within
AUTH_CACHE_SECONDS."""

import json

from django.test import Client

from novasaas.identity.models import RevokedSession
from novasaas.identity.tokens import REVOKED_SESSIONS, decode_access_token
from novasaas.platform.models import AuditLog
from novasaas.platform.tenancy import platform_context
from novasaas.platform.testing.fixtures import PASSWORD, create_user


def _login(client, email, tenant="alpha"):
    r = client.post(
        "/api/v1/auth/login",
        json.dumps({"email": email, "password": PASSWORD, "tenant": tenant}),
        content_type="application/json",
    )
    assert r.status_code == 200, r.content
    return r.json()


def _post(client, path, body):
    return client.post(path, json.dumps(body), content_type="application/json")


def _me(client, access):
    return client.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {access}")


def test_logout_refuses_the_access_token_at_once(tenant_a, admin_a):
    c = Client()
    pair = _login(c, admin_a.email)
    assert _me(c, pair["access_token"]).json()["email"] == admin_a.email
    assert _post(c, "/api/v1/auth/logout", {"refresh_token": pair["refresh_token"]}).status_code == 204
    r = _me(c, pair["access_token"])
    assert r.status_code == 401 and r.json()["detail"] == "Access token không hợp lệ hoặc đã hết hạn."
    assert _post(c, "/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]}).status_code == 401
    # another session of the same user is untouched
    other = _login(Client(), admin_a.email)
    assert _me(c, other["access_token"]).status_code == 200
    with platform_context():
        assert AuditLog.objects.filter(action="logout", actor=admin_a, tenant=tenant_a).count() == 1


def test_rotated_access_tokens_share_the_session(tenant_a, admin_a):
    c = Client()
    pair = _login(c, admin_a.email)
    new = _post(c, "/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]}).json()
    sid = decode_access_token(pair["access_token"]).session_id
    assert sid and decode_access_token(new["access_token"]).session_id == sid
    _post(c, "/api/v1/auth/logout", {"refresh_token": new["refresh_token"]})
    assert _me(c, pair["access_token"]).status_code == 401
    assert _me(c, new["access_token"]).status_code == 401


def test_refresh_replay_also_ends_the_access_token(tenant_a, admin_a):
    c = Client()
    pair = _login(c, admin_a.email)
    new = _post(c, "/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]}).json()
    assert _post(c, "/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]}).status_code == 401
    assert _me(c, new["access_token"]).status_code == 401


def test_list_and_revoke_api_sessions(tenant_a, admin_a):
    c = Client()
    phone = _login(c, admin_a.email)
    laptop = _login(c, admin_a.email)
    r = c.get("/api/v1/me/sessions", HTTP_AUTHORIZATION=f"Bearer {laptop['access_token']}")
    sessions = r.json()
    assert r.status_code == 200 and len(sessions) == 2
    phone_sid = decode_access_token(phone["access_token"]).session_id
    assert {s["id"]: s["current"] for s in sessions} == {
        phone_sid: False,
        decode_access_token(laptop["access_token"]).session_id: True,
    }

    auth = {"HTTP_AUTHORIZATION": f"Bearer {laptop['access_token']}"}
    assert c.delete(f"/api/v1/me/sessions/{phone_sid}", **auth).status_code == 204
    assert _me(c, phone["access_token"]).status_code == 401
    assert _me(c, laptop["access_token"]).status_code == 200
    assert [s["id"] for s in c.get("/api/v1/me/sessions", **auth).json()] != [phone_sid]
    assert c.delete(f"/api/v1/me/sessions/{phone_sid}", **auth).status_code == 404
    # someone else's session is not yours to end
    colleague = create_user(tenant_a, "manager")
    theirs = _login(Client(), colleague.email)
    their_sid = decode_access_token(theirs["access_token"]).session_id
    assert c.delete(f"/api/v1/me/sessions/{their_sid}", **auth).status_code == 404
    assert _me(c, theirs["access_token"]).status_code == 200
    with platform_context():
        assert AuditLog.objects.filter(action="session_revoked", actor=admin_a).count() == 1


def test_other_processes_follow_within_the_cache_ttl(tenant_a, admin_a, settings):
    settings.AUTH_CACHE_SECONDS = 60
    REVOKED_SESSIONS.clear()
    c = Client()
    pair = _login(c, admin_a.email)
    assert _me(c, pair["access_token"]).status_code == 200  # loads the (empty) revoked set
    sid = decode_access_token(pair["access_token"]).session_id
    # another process revokes the session: a row in the table, nothing in this process's memory
    from django.utils import timezone

    with platform_context():
        RevokedSession.objects.create(sid=sid, expires_at=timezone.now() + timezone.timedelta(minutes=15))
    assert _me(c, pair["access_token"]).status_code == 200  # still within this process's TTL
    REVOKED_SESSIONS._loaded_at -= 60  # the TTL passes (no sleeping in tests)
    assert _me(c, pair["access_token"]).status_code == 401
    REVOKED_SESSIONS.clear()


def test_sessions_page_signs_an_api_session_out(tenant_a, admin_a):
    from novasaas.platform.testing.fixtures import web_client

    c = Client()
    pair = _login(c, admin_a.email)
    sid = decode_access_token(pair["access_token"]).session_id
    browser = web_client(tenant_a, admin_a)
    page = browser.get("/account/sessions/").content.decode()
    assert "Đăng nhập từ ứng dụng và API" in page and f"/account/api-sessions/{sid}/revoke/" in page
    # another user cannot end it
    other = web_client(tenant_a, create_user(tenant_a, "manager"))
    assert other.post(f"/account/api-sessions/{sid}/revoke/").status_code == 404
    assert _me(c, pair["access_token"]).status_code == 200
    r = browser.post(f"/account/api-sessions/{sid}/revoke/")
    assert r.status_code == 302
    assert _me(c, pair["access_token"]).status_code == 401
    assert _post(c, "/api/v1/auth/refresh", {"refresh_token": pair["refresh_token"]}).status_code == 401
    assert f"/account/api-sessions/{sid}/revoke/" not in browser.get("/account/sessions/").content.decode()
