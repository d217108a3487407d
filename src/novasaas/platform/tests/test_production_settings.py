"""Production configuration (issue 9, items 2 and 3): the app refuses to start with a default or short
secret when DEBUG is off, and the documented production environment passes ``check --deploy`` and sends
HSTS. Each case runs a fresh process with exactly the environment it describes."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[3]
GOOD_KEY = "k7Qm2-Vx9pLr4Tz8Wc1Ny6Hb3Jd5Fs0Ge7Ua2Io9Pk4Ml8Nq1Rt6Ys3Xw5Zv0Bc2"  # 64 varied characters
GOOD_JWT = "jwt-Qm2Vx9pLr4Tz8Wc1Ny6Hb3Jd5Fs0Ge7Ua2"

# The production environment README "Production" documents (HTTPS behind a TLS-terminating proxy).
PRODUCTION = {
    "DEBUG": "0",
    "SECRET_KEY": GOOD_KEY,
    "JWT_SECRET": GOOD_JWT,
    "SECURE_COOKIES": "1",
    "SECURE_PROXY_SSL_HEADER": "1",
    "TRUSTED_PROXY_COUNT": "1",
    "ALLOWED_HOSTS": "erp.example.com",
    "CSRF_TRUSTED_ORIGINS": "https://erp.example.com",
}


def _run(env: dict[str, str], *args: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    base = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "SECRET_KEY",
            "JWT_SECRET",
            "DEBUG",
            "NOVASAAS_TESTING",
            "SECURE_COOKIES",
            "SECURE_PROXY_SSL_HEADER",
            "TRUSTED_PROXY_COUNT",
            "ALLOWED_HOSTS",
            "DATABASE_URL",
            "DJANGO_ALLOW_ASYNC_UNSAFE",  # set by the browser tests' conftest in the same worker
        }
    }
    full = {
        **base,
        "DJANGO_SETTINGS_MODULE": "novasaas.config.settings",
        "PYTHONPATH": str(SRC),
        "NOVASAAS_VAR_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path}/db.sqlite3",
        **env,
    }
    return subprocess.run([sys.executable, *args], env=full, capture_output=True, text=True, timeout=120, check=False)


def _check(env: dict[str, str], tmp_path: Path, *flags: str) -> subprocess.CompletedProcess[str]:
    return _run(env, "-m", "django", "check", *flags, tmp_path=tmp_path)


def test_debug_off_without_secrets_refuses_to_start(tmp_path):
    r = _check({"DEBUG": "0"}, tmp_path)
    assert r.returncode != 0
    assert "SECRET_KEY is not set" in r.stderr and "JWT_SECRET is not set" in r.stderr
    # gunicorn/uvicorn run no system checks: the entry points refuse by themselves
    for entry in ("novasaas.config.wsgi", "novasaas.config.asgi"):
        r = _run({"DEBUG": "0"}, "-c", f"import {entry}", tmp_path=tmp_path)
        assert r.returncode != 0
        assert "ImproperlyConfigured" in r.stderr and "SECRET_KEY is not set" in r.stderr


@pytest.mark.parametrize(
    ("env", "message"),
    [
        (
            {"SECRET_KEY": "insecure-dev-key-change-me-" + "x" * 32, "JWT_SECRET": GOOD_JWT},
            "SECRET_KEY is the published development default: set a long random value.",
        ),
        ({"SECRET_KEY": GOOD_KEY, "JWT_SECRET": "short-secret"}, "JWT_SECRET is shorter than 32 characters."),
        ({"SECRET_KEY": GOOD_KEY}, "JWT_SECRET is not set: set it to a long random value (DEBUG is off)."),
    ],
)
def test_default_or_short_secret_is_named(monkeypatch, env, message):
    from novasaas.config import settings as module

    monkeypatch.delenv("SECRET_KEY", raising=False)
    monkeypatch.delenv("JWT_SECRET", raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    monkeypatch.setattr(module, "TESTING", False)
    monkeypatch.setattr(module, "DEBUG", False)
    assert module._secret_problems() == [message]
    monkeypatch.setattr(module, "DEBUG", True)  # dev.py up keeps the development defaults
    assert module._secret_problems() == []


def test_documented_production_configuration_is_deploy_clean(tmp_path):
    r = _check(PRODUCTION, tmp_path, "--deploy", "--fail-level", "WARNING")
    assert r.returncode == 0, r.stderr + r.stdout
    assert "System check identified no issues" in r.stdout
    r = _run(PRODUCTION, "-c", "import novasaas.config.wsgi", tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr


PROBE = """
from django.test import Client
import django
django.setup()
c = Client()
plain = c.get("/login/", HTTP_HOST="erp.example.com")
print("plain", plain.status_code, plain.get("Location"))
proxied = c.get("/login/", HTTP_HOST="erp.example.com", HTTP_X_FORWARDED_PROTO="https")
print("proxied", proxied.status_code, proxied.get("Strict-Transport-Security"))
"""


def test_https_behind_the_proxy_sends_hsts_and_redirects_plain_http(tmp_path):
    r = _run(PRODUCTION, "-c", PROBE, tmp_path=tmp_path)
    assert r.returncode == 0, r.stderr
    lines = dict(line.split(" ", 1) for line in r.stdout.strip().splitlines())
    assert lines["plain"] == "301 https://erp.example.com/login/"
    assert lines["proxied"] == "200 max-age=31536000; includeSubDomains"
