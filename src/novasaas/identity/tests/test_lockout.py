"""Lockout behind a reverse proxy (issue 9, item 10): the client address comes from X-Forwarded-For only
through TRUSTED_PROXY_COUNT trusted proxies, a per-address limit stops password spraying, and a browser
that signed in before (device cookie) is never locked out of its own account by someone else."""

import pytest
from django.test import Client, RequestFactory

from novasaas.platform.models import AuditLog
from novasaas.platform.request_context import client_ip
from novasaas.platform.tenancy import platform_context
from novasaas.platform.testing.fixtures import PASSWORD, create_user

PROXY = "10.0.0.2"


@pytest.mark.parametrize(
    ("count", "xff", "expected"),
    [
        (0, "203.0.113.9", PROXY),  # not configured: X-Forwarded-For is ignored (a client can write it)
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "1.2.3.4, 203.0.113.9", "203.0.113.9"),  # the forged left entry is ignored
        (2, "203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (1, "", PROXY),
        (1, "not-an-address", PROXY),
    ],
)
def test_client_ip_trusts_only_the_configured_proxies(settings, count, xff, expected):
    settings.TRUSTED_PROXY_COUNT = count
    meta = {"REMOTE_ADDR": PROXY, **({"HTTP_X_FORWARDED_FOR": xff} if xff else {})}
    assert client_ip(RequestFactory().get("/", **meta)) == expected


def _login(client, email, password, ip=None):
    extra = {"REMOTE_ADDR": PROXY, "HTTP_X_FORWARDED_FOR": ip} if ip else {}
    return client.post("/login/", {"email": email, "password": password}, **extra)


def _locked_out_entries():
    with platform_context():
        return list(AuditLog.objects.filter(action="locked_out").values_list("message", flat=True))


def test_behind_a_proxy_the_attacker_locks_only_his_own_address(tenant_a, admin_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    attacker, owner = Client(), Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(attacker, admin_a.email, "wrong-password-1", ip="203.0.113.9")
    assert _login(attacker, admin_a.email, PASSWORD, ip="203.0.113.9").status_code == 429
    r = _login(owner, admin_a.email, PASSWORD, ip="198.51.100.7")
    assert r.status_code == 302 and owner.get("/").status_code == 200
    with platform_context():
        # audited with the client's address, not the proxy's
        failed = AuditLog.objects.filter(action="login_failed", ip="203.0.113.9").count()
        assert failed == settings.AXES_FAILURE_LIMIT - 1
        assert AuditLog.objects.filter(action="locked_out", ip="203.0.113.9").exists()
        assert not AuditLog.objects.filter(ip=PROXY).exists()


def test_per_address_limit_over_all_accounts(tenant_a, admin_a, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    settings.LOCKOUT_IP_FAILURES = 3
    victims = [create_user(tenant_a, "employee") for _ in range(3)]
    sprayer = Client()
    for v in victims:  # one guess per account: no account reaches its own limit
        assert _login(sprayer, v.email, "Summer-2026!", ip="203.0.113.9").status_code == 200
    r = _login(sprayer, admin_a.email, PASSWORD, ip="203.0.113.9")
    assert r.status_code == 429
    assert any("203.0.113.9" in m for m in _locked_out_entries())
    assert _login(Client(), admin_a.email, PASSWORD, ip="198.51.100.7").status_code == 302


def test_known_device_signs_in_while_the_account_is_locked_out(tenant_a, admin_a, settings):
    # No proxy setting: every request comes from the same address, the situation of issue 9.
    owner = Client()
    assert _login(owner, admin_a.email, PASSWORD).status_code == 302
    assert settings.DEVICE_COOKIE_NAME in owner.cookies
    owner.post("/logout/")
    attacker = Client()
    for _ in range(settings.AXES_FAILURE_LIMIT):
        _login(attacker, admin_a.email, "wrong-password-1")
    assert _login(Client(), admin_a.email, PASSWORD).status_code == 429  # unknown devices are locked out
    # the cookie of another account's device does not help, nor does a forged cookie
    other = create_user(tenant_a, "employee")
    stranger = Client()
    assert _login(stranger, other.email, PASSWORD).status_code == 302
    stranger.post("/logout/")
    assert _login(stranger, admin_a.email, PASSWORD).status_code == 429
    forged = Client()
    forged.cookies[settings.DEVICE_COOKIE_NAME] = owner.cookies[settings.DEVICE_COOKIE_NAME].value[:-2] + "xx"
    assert _login(forged, admin_a.email, PASSWORD).status_code == 429
    # the owner's browser signs in
    r = _login(owner, admin_a.email, PASSWORD)
    assert r.status_code == 302 and owner.get("/").status_code == 200


def test_a_known_device_has_its_own_limit(tenant_a, admin_a, settings):
    device = Client()
    assert _login(device, admin_a.email, PASSWORD).status_code == 302
    device.post("/logout/")
    statuses = [
        _login(device, admin_a.email, "wrong-password-1").status_code for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    assert any("known device locked out" in m for m in _locked_out_entries())
    # the device is now an unknown one; its failures counted for the address and account too, so
    # dropping the cookie gives no fresh guesses
    assert _login(device, admin_a.email, PASSWORD).status_code == 429
    assert _login(Client(), admin_a.email, PASSWORD).status_code == 429
