"""NovaSaaS settings: one module, configured by environment variables (see README)."""

from __future__ import annotations

import datetime as dt
import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import dj_database_url
from csp.constants import NONCE

BASE_DIR = Path(__file__).resolve().parent.parent  # src/novasaas
PROJECT_DIR = BASE_DIR.parent.parent
VAR_DIR = Path(os.environ.get("NOVASAAS_VAR_DIR", PROJECT_DIR / "var"))
VAR_DIR.mkdir(parents=True, exist_ok=True)

TESTING = "pytest" in sys.modules or os.environ.get("NOVASAAS_TESTING") == "1"
DEBUG = os.environ.get("DEBUG", "0") == "1"
# The development default is published in this file: anyone can sign sessions and tokens with it.
DEV_SECRET = "insecure-dev-key-change-me-" + "x" * 32
MIN_SECRET_LENGTH = 32
SECRET_KEY = os.environ.get("SECRET_KEY") or DEV_SECRET
JWT_SECRET = os.environ.get("JWT_SECRET") or SECRET_KEY


def _secret_problems() -> list[str]:
    """What is wrong with SECRET_KEY and JWT_SECRET for a real deployment (DEBUG off, not tests).

    Refused at startup by the system check novasaas.E010 (runserver, migrate, db_worker, check) and by
    the WSGI/ASGI entry points (gunicorn, uvicorn); see platform/checks.py.
    """
    if DEBUG or TESTING:
        return []
    problems = []
    for name in ("SECRET_KEY", "JWT_SECRET"):
        value = os.environ.get(name, "")
        if not value:
            problems.append(f"{name} is not set: set it to a long random value (DEBUG is off).")
        elif value == DEV_SECRET or value.startswith(("insecure-", "django-insecure-")):
            problems.append(f"{name} is the published development default: set a long random value.")
        elif len(value) < MIN_SECRET_LENGTH:
            problems.append(f"{name} is shorter than {MIN_SECRET_LENGTH} characters.")
    return problems


SECRET_PROBLEMS = _secret_problems()
JWT_ACCESS_TTL = int(os.environ.get("JWT_ACCESS_TTL", "900"))
JWT_REFRESH_TTL = int(os.environ.get("JWT_REFRESH_TTL", str(14 * 24 * 3600)))
AUTH_CACHE_SECONDS = float(os.environ.get("AUTH_CACHE_SECONDS", "0" if TESTING else "10"))
ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost,testserver").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django_htmx",
    "template_partials",
    "django_tasks",
    "django_tasks_db",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "axes",
    "novasaas.platform",
    "novasaas.identity",
    "novasaas.parties",
    "novasaas.accounting",
    "novasaas.inventory",
    "novasaas.sales",
    "novasaas.purchasing",
    "novasaas.hrm",
    "novasaas.billing",
    "novasaas.ai",
    "novasaas.projects",
    "novasaas.documents",
    "novasaas.web",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "novasaas.platform.middleware.RejectNulMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "novasaas.platform.middleware.LocaleMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
    "novasaas.platform.middleware.TenantMiddleware",
    "novasaas.billing.middleware.ReadOnlyMiddleware",
    "novasaas.platform.idempotency.IdempotencyMiddleware",
]

ROOT_URLCONF = "novasaas.config.urls"
WSGI_APPLICATION = "novasaas.config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "novasaas.web.context.shell",
            ],
            "builtins": ["novasaas.web.templatetags.nova"],
        },
    }
]

# --- database ---------------------------------------------------------------------------------
SQLITE_PATH = VAR_DIR / "novasaas.sqlite3"
DATABASE_URL = os.environ.get("DATABASE_URL") or f"sqlite:///{SQLITE_PATH}"
# Connections are kept 60 s and checked before reuse (conn_health_checks): a connection the database
# dropped meanwhile (restart, failover, idle timeout) is replaced instead of failing the next request.
_db = dj_database_url.parse(DATABASE_URL, conn_max_age=0 if TESTING else 60, conn_health_checks=True)
if _db["ENGINE"] == "django.db.backends.sqlite3":
    _db["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;",
    }
    if os.environ.get("NOVASAAS_SQLITE_FILE_TEST"):
        _db.setdefault("TEST", {})["NAME"] = str(VAR_DIR / "test.sqlite3")
DATABASES = {"default": _db}
# The non-owner role the app works as inside tenant/platform contexts on PostgreSQL (row-level
# security applies to it); migrations grant it table privileges. Empty: connect as the app role.
DATABASE_APP_ROLE = os.environ.get("DATABASE_APP_ROLE", "")
# The role platform_context switches to on PostgreSQL (its own row-level policy, gated on app.platform,
# which the app role does not have): README "Production".
DATABASE_PLATFORM_ROLE = os.environ.get(
    "DATABASE_PLATFORM_ROLE", f"{DATABASE_APP_ROLE}_platform" if DATABASE_APP_ROLE else ""
)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- auth -------------------------------------------------------------------------------------
AUTH_USER_MODEL = "identity.User"
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.Argon2PasswordHasher"]
if TESTING:
    PASSWORD_HASHERS = ["novasaas.platform.testing.FastArgon2Hasher", *PASSWORD_HASHERS]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = 14 * 24 * 3600
# --- HTTPS (README "Production"): SECURE_COOKIES=1 means the site is served over HTTPS only.
SECURE = os.environ.get("SECURE_COOKIES", "0") == "1"
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = os.environ.get("SECURE_SSL_REDIRECT", "1" if SECURE else "0") == "1"
SECURE_HSTS_SECONDS = int(os.environ.get("HSTS_SECONDS", str(365 * 24 * 3600))) if SECURE else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = os.environ.get("HSTS_INCLUDE_SUBDOMAINS", "1") == "1"
# Preloading is the domain owner's decision (a submission to the browsers' list): opt in with HSTS_PRELOAD=1.
SECURE_HSTS_PRELOAD = os.environ.get("HSTS_PRELOAD", "0") == "1"
# Behind a reverse proxy that terminates TLS: trust its X-Forwarded-Proto header. Only set this when the
# proxy always sets (overwrites) that header, otherwise a client could claim HTTPS.
if os.environ.get("SECURE_PROXY_SSL_HEADER", "0") == "1":
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many reverse proxies stand in front of the app. 0 (default): the client IP is REMOTE_ADDR and
# X-Forwarded-For is ignored (a client could forge it). N: the client IP is the N-th address from the
# right of X-Forwarded-For, the one the outermost trusted proxy saw (platform/request_context.py).
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))

AXES_FAILURE_LIMIT = int(os.environ.get("LOCKOUT_FAILURES", "5"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
SILENCED_SYSTEM_CHECKS = ["axes.W006", *([] if SECURE_HSTS_PRELOAD else ["security.W021"])]
AXES_USERNAME_FORM_FIELD = "username"  # we call authenticate(username=email)
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "novasaas.identity.views.locked_out"
AXES_CLIENT_IP_CALLABLE = "novasaas.platform.request_context.client_ip"  # honours TRUSTED_PROXY_COUNT
AXES_VERBOSE = False
# Per-IP limit over all accounts (password spraying), within the same cool-off (identity/login.py).
LOCKOUT_IP_FAILURES = int(os.environ.get("LOCKOUT_IP_FAILURES", "50"))
# A browser that signed in successfully gets a signed device cookie; it may still sign in to that account
# while the account is locked out for unknown devices (OWASP "device cookies"), with its own failure limit.
DEVICE_COOKIE_NAME = "novasaas_device"
DEVICE_COOKIE_AGE = int(os.environ.get("DEVICE_COOKIE_DAYS", "180")) * 24 * 3600

OTP_TOTP_ISSUER = "NovaSaaS"

# --- i18n -------------------------------------------------------------------------------------
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", "Tiếng Việt"), ("en", "English")]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "Asia/Ho_Chi_Minh"
LANGUAGE_COOKIE_NAME = "novasaas_language"
# dd/mm/yyyy typed in every date field, in both languages (ISO still accepted): platform/dates.py.
FORMAT_MODULE_PATH = ["novasaas.config.formats"]
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y", "%d/%m/%y"]

# --- static / media -------------------------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = VAR_DIR / "media"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"
        if not (DEBUG or TESTING)
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

# --- email ------------------------------------------------------------------------------------
EMAIL_BACKEND = os.environ.get("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
EMAIL_FILE_PATH = VAR_DIR / "mail"
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = os.environ.get("EMAIL_USE_TLS", "0") == "1"
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "NovaSaaS <no-reply@novasaas.local>")
PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000")

# --- cache ------------------------------------------------------------------------------------
# Django's cache holds what every process must share (billing: the API requests per minute of a
# tenant). REDIS_URL (e.g. redis://127.0.0.1:6379/0) makes it Redis, shared by every web process and
# worker; without it, local memory: each process counts on its own (development, tests).


def _caches(env: Mapping[str, str], testing: bool) -> dict[str, Any]:
    url = env.get("REDIS_URL", "")
    if url and not testing:  # tests never depend on a running Redis
        return {
            "default": {
                "BACKEND": "django.core.cache.backends.redis.RedisCache",
                "LOCATION": url,
                "KEY_PREFIX": "novasaas",
                "TIMEOUT": 300,
            }
        }
    return {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}


CACHES = _caches(os.environ, TESTING)

# --- tasks ------------------------------------------------------------------------------------
TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
if TESTING:
    TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
# The worker (platform/worker.py): heartbeat period, how long a silent worker's task is kept RUNNING
# before it is re-queued, and the lease of an outbox delivery in progress.
WORKER_HEARTBEAT_SECONDS = int(os.environ.get("WORKER_HEARTBEAT_SECONDS", "10"))
WORKER_LEASE_SECONDS = int(os.environ.get("WORKER_LEASE_SECONDS", "60"))
OUTBOX_LEASE_SECONDS = int(os.environ.get("OUTBOX_LEASE_SECONDS", "300"))
# Daily jobs the worker runs once a day after DAILY_JOBS_AT (local time), platform/periodic.py:
# management commands, each idempotent per day. DAILY_JOBS="" turns it off (cron instead).
DAILY_JOBS = tuple(
    j
    for j in os.environ.get(
        "DAILY_JOBS",
        ""
        if TESTING
        else "billing_day,sales_remind_activities,sales_quotation_expiry,sales_expire_points,"
        "ai_expire_credits,ai_release_stale",
    ).split(",")
    if j
)
DAILY_JOBS_AT = os.environ.get("DAILY_JOBS_AT", "00:05")

# --- security headers ---------------------------------------------------------------------------
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'", NONCE],
        "img-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "font-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
    }
}
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

NINJA_PAGINATION_PER_PAGE = 50

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"refusals": {"()": "novasaas.platform.logfilters.RefusalsWithoutTraceback"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["refusals"]}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    # Django's own "django" logger prints to the console under DEBUG and also passes the record to
    # the root handler: every line twice. Let the root handler print it once.
    "loggers": {"django": {"handlers": [], "level": "INFO", "propagate": True}},
}

# A Unicode TrueType font for PDF reports (Vietnamese text); DejaVu Sans from fonts-dejavu when empty.
ACC_PDF_FONT = os.environ.get("ACC_PDF_FONT", "")

# --- AI gateway (app ai, docs/ai.md) ------------------------------------------------------------
# Master key of the envelope encryption of BYOK provider keys: base64 of 32 random bytes. A published
# development key is used only under DEBUG or tests (like SECRET_KEY); elsewhere the gateway refuses to
# seal or open a key without it. AI_PREVIOUS_MASTER_KEYS (comma-separated) still open data keys wrapped
# before a rotation, until `novasaas ai_rewrap_keys` has re-wrapped them under AI_MASTER_KEY.
AI_DEV_MASTER_KEY = "bm92YXNhYXMtZGV2LW1hc3Rlci1rZXktMzItYnl0ZXM="  # "novasaas-dev-master-key-32-bytes"
AI_MASTER_KEY = os.environ.get("AI_MASTER_KEY") or (AI_DEV_MASTER_KEY if DEBUG or TESTING else "")
AI_PREVIOUS_MASTER_KEYS = [k for k in os.environ.get("AI_PREVIOUS_MASTER_KEYS", "").split(",") if k]
# Where each provider is reached (OpenAI protocol); empty = the provider's public URL. `dev.py up` and the
# tests point them at the loopback fake provider. AI_SHARED_KEY_<PROVIDER> is the platform's own key that
# serves shared credits.
AI_BASE_URLS = {
    p: os.environ.get(f"AI_{p.upper()}_BASE_URL", "") for p in ("openai", "anthropic", "google", "openrouter")
}
AI_SHARED_KEYS = {p: os.environ.get(f"AI_SHARED_KEY_{p.upper()}", "") for p in AI_BASE_URLS}
AI_PROVIDER_TIMEOUT = float(os.environ.get("AI_PROVIDER_TIMEOUT", "60"))
