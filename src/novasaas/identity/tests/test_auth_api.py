import json

import pytest
from django.test import Client

from novasaas.identity.catalogue import PERMISSIONS_BY_CODE
from novasaas.platform.models import AuditLog
from novasaas.platform.tenancy import platform_context
from novasaas.platform.testing.fixtures import PASSWORD, ApiClient, create_user


def _login(client, email, tenant, password=PASSWORD, **extra):
    body = {"email": email, "password": password, "tenant": tenant, **extra}
    return client.post("/api/v1/auth/login", json.dumps(body), content_type="application/json")


def test_login_returns_tokens_that_work(tenant_a, admin_a):
    c = Client()
    r = _login(c, admin_a.email, "alpha")
    assert r.status_code == 200, r.content
    body = r.json()
    me = c.get("/api/v1/me", HTTP_AUTHORIZATION=f"Bearer {body['access_token']}")
    assert me.status_code == 200 and me.json()["tenant"] == "alpha"


def test_wrong_password_is_401_and_audited(tenant_a, admin_a):
    r = _login(Client(), admin_a.email, "alpha", password="nope-nope-nope")
    assert r.status_code == 401
    with platform_context():
        assert AuditLog.objects.filter(action="login_failed").exists()


def test_member_of_other_tenant_cannot_log_into_it(tenant_a, tenant_b, admin_a):
    assert _login(Client(), admin_a.email, "beta").status_code == 401


def test_lockout_after_repeated_failures(tenant_a, admin_a, settings):
    c = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(c, admin_a.email, "alpha", password="wrong-password-1")
    r = _login(c, admin_a.email, "alpha")  # even the right password is refused while locked
    assert r.status_code == 429


def test_refresh_rotates_and_reuse_revokes_family(tenant_a, admin_a):
    c = Client()
    first = _login(c, admin_a.email, "alpha").json()["refresh_token"]
    r = c.post("/api/v1/auth/refresh", json.dumps({"refresh_token": first}), content_type="application/json")
    assert r.status_code == 200
    second = r.json()["refresh_token"]
    assert second != first
    replay = c.post("/api/v1/auth/refresh", json.dumps({"refresh_token": first}), content_type="application/json")
    assert replay.status_code == 401
    # the replay revoked the whole family, so the legitimate newer token is dead too
    r = c.post("/api/v1/auth/refresh", json.dumps({"refresh_token": second}), content_type="application/json")
    assert r.status_code == 401
    with platform_context():
        assert AuditLog.objects.filter(action="token_reuse").exists()


def test_logout_revokes_refresh(tenant_a, admin_a):
    c = Client()
    refresh = _login(c, admin_a.email, "alpha").json()["refresh_token"]
    assert (
        c.post(
            "/api/v1/auth/logout", json.dumps({"refresh_token": refresh}), content_type="application/json"
        ).status_code
        == 204
    )
    assert (
        c.post(
            "/api/v1/auth/refresh", json.dumps({"refresh_token": refresh}), content_type="application/json"
        ).status_code
        == 401
    )


def test_totp_required_when_enabled(tenant_a, admin_a):
    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    with platform_context():
        device = TOTPDevice.objects.create(user=admin_a, name="app", confirmed=True)
    c = Client()
    assert _login(c, admin_a.email, "alpha").status_code == 401
    code = str(totp(device.bin_key)).zfill(6)
    assert _login(c, admin_a.email, "alpha", totp=code).status_code == 200


def test_api_key_is_shown_once_and_limited(api_a):
    r = api_a.post("/api/v1/api-keys", {"name": "shop", "permissions": ["core.users.view"]})
    assert r.status_code == 201, r.content
    raw = r.json()["key"]
    listed = api_a.get("/api/v1/api-keys").json()
    assert all("key" not in k for k in listed)
    c = Client()
    assert c.get("/api/v1/users", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert c.get("/api/v1/roles", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 200
    assert (
        c.post(
            "/api/v1/roles",
            json.dumps({"code": "x1", "name": "X"}),
            content_type="application/json",
            HTTP_AUTHORIZATION=f"Bearer {raw}",
        ).status_code
        == 403
    )
    key_id = r.json()["id"]
    assert api_a.delete(f"/api/v1/api-keys/{key_id}").status_code == 204
    assert c.get("/api/v1/users", HTTP_AUTHORIZATION=f"Bearer {raw}").status_code == 401


def test_bad_tokens_are_401(db):
    c = Client()
    assert c.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer garbage").status_code == 401
    assert c.get("/api/v1/me", HTTP_AUTHORIZATION="Bearer nsk_1.nope").status_code == 401
    assert c.get("/api/v1/me").status_code == 401


@pytest.mark.parametrize("body", ["{not json", "[]", '{"email": 1}'])
def test_malformed_login_is_4xx(db, body):
    r = Client().post("/api/v1/auth/login", body, content_type="application/json")
    assert 400 <= r.status_code < 500


def test_unknown_fields_are_refused(api_a):
    r = api_a.post("/api/v1/roles", {"code": "r1", "name": "R", "surprise": True})
    assert r.status_code == 422


def test_huge_body_is_refused(api_a):
    r = api_a.post("/api/v1/roles", {"code": "r2", "name": "R", "description": "x" * (6 * 1024 * 1024)})
    assert r.status_code == 413, r.status_code  # over DATA_UPLOAD_MAX_MEMORY_SIZE: JSON, not the HTML 400 page
    assert r.json()["detail"].startswith("Yêu cầu quá lớn")


def test_permission_catalogue_is_consistent():
    modules = {"core", "hrm", "crm", "inv", "acc", "scm", "pm", "dms"}
    assert all(code.split(".")[0] in modules for code in PERMISSIONS_BY_CODE)


def test_accountant_cannot_manage_users(tenant_a):
    acc = create_user(tenant_a, "accountant")
    api = ApiClient(tenant_a, acc)
    assert api.get("/api/v1/users").status_code == 403
    assert api.get("/api/v1/audit").status_code == 403


def test_nul_characters_are_refused(api_a):
    r = api_a.post("/api/v1/invitations", '{"email": "a@b.vn", "roles": ["x\\u0000"]}')
    assert r.status_code == 400
    assert api_a.get("/api/v1/users?q=%00").status_code == 400


def test_ids_beyond_64_bits_are_a_clean_4xx(api_a):
    # no such role (never a 500 from the database's 64-bit integer)
    assert api_a.get("/api/v1/roles/99999999999999999999999").status_code == 404
    r = api_a.post("/api/v1/parties/merge", {"keep_id": 1, "duplicate_ids": [99999999999999999999999]})
    assert r.status_code == 422, r.status_code  # refused by the request schema
