"""JWT access tokens, rotating refresh tokens and API keys.

Access tokens are HS256 JWTs valid for ``JWT_ACCESS_TTL`` seconds; validating one is a signature check
in process plus a look-up in the in-memory set of revoked sessions (refreshed from the database at most
every ``AUTH_CACHE_SECONDS``), measured by ``benchmarks/auth_tokens.py``. An access token carries its
session id (``sid``, the refresh-token family): signing out or revoking the session refuses it at once in
this process and within ``AUTH_CACHE_SECONDS`` in the others. Refresh tokens and API keys are
``<id>.<secret>`` strings whose secret is stored as SHA-256: they are long random values, so a fast hash
is right (argon2 is for human passwords).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
import uuid
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from novasaas.platform import audit
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.ttlcache import TTLCache


class TokenError(Exception):
    pass


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _jwt_key() -> str:
    return settings.JWT_SECRET


@dataclass(frozen=True)
class AccessClaims:
    user_id: int
    tenant_id: int
    membership_id: int
    session_id: str | None = None


class RevokedSessions:
    """The ids of revoked sessions whose access tokens may still be unexpired, kept in process.

    ``is_revoked`` is a set look-up; at most every ``AUTH_CACHE_SECONDS`` it reloads the unexpired rows
    of RevokedSession (a small set: sessions ended in the last ``JWT_ACCESS_TTL`` seconds). A revocation
    made in this process is added at once.
    """

    def __init__(self) -> None:
        self._db: frozenset[str] = frozenset()
        self._local: dict[str, float] = {}  # sid -> wall-clock expiry, for revocations of this process
        self._loaded_at = -float("inf")
        self._lock = threading.Lock()

    def add(self, sid: str) -> None:
        with self._lock:
            self._local[sid] = time.time() + settings.JWT_ACCESS_TTL

    def clear(self) -> None:
        with self._lock:
            self._db, self._local, self._loaded_at = frozenset(), {}, -float("inf")

    def is_revoked(self, sid: str) -> bool:
        if time.monotonic() - self._loaded_at >= float(settings.AUTH_CACHE_SECONDS):
            self._reload()
        return sid in self._db or sid in self._local

    def _reload(self) -> None:
        from novasaas.identity.models import RevokedSession

        with platform_context():
            sids = frozenset(RevokedSession.objects.filter(expires_at__gt=timezone.now()).values_list("sid", flat=True))
        now = time.time()
        with self._lock:
            self._db = sids
            self._local = {s: exp for s, exp in self._local.items() if exp > now and s not in sids}
            self._loaded_at = time.monotonic()


REVOKED_SESSIONS = RevokedSessions()


def revoke_session(sid: str) -> None:
    """End an API session: its unexpired access tokens are refused from now on."""
    from novasaas.identity.models import RevokedSession

    now = timezone.now()
    with platform_context():
        RevokedSession.objects.filter(expires_at__lt=now).delete()
        RevokedSession.objects.get_or_create(
            sid=sid, defaults={"expires_at": now + dt.timedelta(seconds=settings.JWT_ACCESS_TTL)}
        )
    REVOKED_SESSIONS.add(sid)


def issue_access_token(user_id: int, tenant_id: int, membership_id: int, session_id: str | None = None) -> str:
    """A signed access token; ``session_id`` (the refresh-token family) lets sign-out revoke it."""
    now = int(timezone.now().timestamp())
    claims: dict[str, Any] = {
        "sub": str(user_id),
        "tid": tenant_id,
        "mid": membership_id,
        "typ": "access",
        "iat": now,
        "exp": now + settings.JWT_ACCESS_TTL,
        "jti": uuid.uuid4().hex,
    }
    if session_id:
        claims["sid"] = session_id
    return jwt.encode(claims, _jwt_key(), algorithm="HS256")


def decode_access_token(token: str) -> AccessClaims:
    try:
        claims = jwt.decode(token, _jwt_key(), algorithms=["HS256"], options={"require": ["exp", "sub", "tid"]})
    except jwt.PyJWTError as exc:
        raise TokenError(str(exc)) from exc
    if claims.get("typ") != "access":
        raise TokenError("not an access token")
    sid = claims.get("sid")
    if sid is not None and (not isinstance(sid, str) or REVOKED_SESSIONS.is_revoked(sid)):
        raise TokenError("this session was signed out")
    return AccessClaims(int(claims["sub"]), int(claims["tid"]), int(claims["mid"]), sid)


def issue_refresh_token(tenant: Tenant, user: Any, family: uuid.UUID | None = None) -> str:
    from novasaas.identity.models import RefreshToken

    secret = secrets.token_urlsafe(32)
    with tenant_context(tenant):
        token = RefreshToken.objects.create(
            user=user,
            family=family or uuid.uuid4(),
            secret_hash=_hash(secret),
            expires_at=timezone.now() + dt.timedelta(seconds=settings.JWT_REFRESH_TTL),
        )
    return f"{token.pk}.{secret}"


def refresh_family(raw: str) -> str:
    """The session id (refresh-token family, hex) of a refresh token string, without checking it."""
    from novasaas.identity.models import RefreshToken

    token_id, _secret = _split(raw)
    with platform_context():
        family = RefreshToken.objects.filter(pk=token_id).values_list("family", flat=True).first()
    if family is None:
        raise TokenError("invalid refresh token")
    return family.hex


def _split(raw: str) -> tuple[int, str]:
    try:
        ident, secret = raw.split(".", 1)
        return int(ident), secret
    except (ValueError, AttributeError) as exc:
        raise TokenError("malformed token") from exc


def rotate_refresh_token(raw: str) -> tuple[Tenant, Any, str]:
    """Use a refresh token once: returns (tenant, user, new refresh token).

    A token presented a second time means it was stolen or replayed: the whole family is revoked and
    the event audited.
    """
    from novasaas.identity.models import RefreshToken

    token_id, secret = _split(raw)
    with platform_context():
        token = RefreshToken.objects.select_related("tenant", "user").filter(pk=token_id).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        raise TokenError("invalid refresh token")
    tenant = token.tenant
    with tenant_context(tenant), transaction.atomic():
        locked = RefreshToken.objects.select_for_update().get(pk=token.pk)
        now = timezone.now()
        if locked.used_at is not None or locked.revoked_at is not None:
            RefreshToken.objects.filter(family=locked.family, revoked_at__isnull=True).update(revoked_at=now)
            revoke_session(locked.family.hex)  # the thief's access token too
            reused = True
        else:
            reused = False
            if locked.expires_at < now:
                raise TokenError("refresh token expired")
            locked.used_at = now
            locked.save(update_fields=["used_at"])
    if reused:
        with tenant_context(tenant):
            audit.record(AuditAction.TOKEN_REUSE, actor=token.user, message="refresh token replayed; family revoked")
        raise TokenError("refresh token reuse detected; please sign in again")
    new = issue_refresh_token(tenant, token.user, family=token.family)
    return tenant, token.user, new


def revoke_refresh_family(raw: str) -> Any:
    """Sign out: revoke the refresh-token family and the access tokens of that session. Returns the token."""
    from novasaas.identity.models import RefreshToken

    token_id, secret = _split(raw)
    with platform_context():
        token = RefreshToken.objects.select_related("tenant", "user").filter(pk=token_id).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        raise TokenError("invalid refresh token")
    end_session(token.tenant, token.family)
    return token


def end_session(tenant: Tenant, family: uuid.UUID) -> None:
    """Revoke every refresh token of ``family`` and refuse the access tokens issued with it."""
    from novasaas.identity.models import RefreshToken

    with tenant_context(tenant):
        RefreshToken.objects.filter(family=family, revoked_at__isnull=True).update(revoked_at=timezone.now())
    revoke_session(family.hex)


API_KEY_PREFIX = "nsk_"


def new_api_key_secret() -> tuple[str, str]:
    secret = secrets.token_urlsafe(32)
    return secret, _hash(secret)


def format_api_key(key_id: int, secret: str) -> str:
    return f"{API_KEY_PREFIX}{key_id}.{secret}"


# Validated keys are cached for a few seconds: validation is then a hash compare in memory
# (benchmarks/auth_tokens.py). Revoking clears this process's entry; other processes follow within the TTL.
API_KEY_CACHE: TTLCache[Any] = TTLCache(ttl=float(getattr(settings, "AUTH_CACHE_SECONDS", 10)))


def resolve_api_key(raw: str) -> Any:
    """Return the active ApiKey for ``raw`` or raise TokenError. One indexed lookup by primary key."""
    from novasaas.identity.models import ApiKey

    if not raw.startswith(API_KEY_PREFIX):
        raise TokenError("not an API key")
    key_id, secret = _split(raw[len(API_KEY_PREFIX) :])
    key = API_KEY_CACHE.get(key_id)
    if key is None:
        with platform_context():
            key = ApiKey.objects.select_related("tenant").filter(pk=key_id, revoked_at__isnull=True).first()
        if key is not None:
            API_KEY_CACHE.set(key_id, key)
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        raise TokenError("invalid API key")
    return key
