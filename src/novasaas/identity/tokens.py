"""JWT access tokens, rotating refresh tokens and API keys.

Access tokens are HS256 JWTs valid for ``JWT_ACCESS_TTL`` seconds; validating one is a signature check
in process (no database), measured by ``benchmarks/auth_tokens.py``. Refresh tokens and API keys are
``<id>.<secret>`` strings whose secret is stored as SHA-256: they are long random values, so a fast hash
is right (argon2 is for human passwords).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
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


def issue_access_token(user_id: int, tenant_id: int, membership_id: int) -> str:
    now = int(timezone.now().timestamp())
    claims = {
        "sub": str(user_id), "tid": tenant_id, "mid": membership_id, "typ": "access",
        "iat": now, "exp": now + settings.JWT_ACCESS_TTL, "jti": uuid.uuid4().hex,
    }
    return jwt.encode(claims, _jwt_key(), algorithm="HS256")


def decode_access_token(token: str) -> AccessClaims:
    try:
        claims = jwt.decode(token, _jwt_key(), algorithms=["HS256"], options={"require": ["exp", "sub", "tid"]})
    except jwt.PyJWTError as exc:
        raise TokenError(str(exc)) from exc
    if claims.get("typ") != "access":
        raise TokenError("not an access token")
    return AccessClaims(int(claims["sub"]), int(claims["tid"]), int(claims["mid"]))


def issue_refresh_token(tenant: Tenant, user: Any, family: uuid.UUID | None = None) -> str:
    from novasaas.identity.models import RefreshToken

    secret = secrets.token_urlsafe(32)
    with tenant_context(tenant):
        token = RefreshToken.objects.create(
            user=user, family=family or uuid.uuid4(), secret_hash=_hash(secret),
            expires_at=timezone.now() + dt.timedelta(seconds=settings.JWT_REFRESH_TTL),
        )
    return f"{token.pk}.{secret}"


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


def revoke_refresh_family(raw: str) -> None:
    from novasaas.identity.models import RefreshToken

    token_id, secret = _split(raw)
    with platform_context():
        token = RefreshToken.objects.select_related("tenant").filter(pk=token_id).first()
    if token is None or not hmac.compare_digest(token.secret_hash, _hash(secret)):
        raise TokenError("invalid refresh token")
    with tenant_context(token.tenant):
        RefreshToken.objects.filter(family=token.family, revoked_at__isnull=True).update(revoked_at=timezone.now())


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
    key_id, secret = _split(raw[len(API_KEY_PREFIX):])
    key = API_KEY_CACHE.get(key_id)
    if key is None:
        with platform_context():
            key = ApiKey.objects.select_related("tenant").filter(pk=key_id, revoked_at__isnull=True).first()
        if key is not None:
            API_KEY_CACHE.set(key_id, key)
    if key is None or not hmac.compare_digest(key.secret_hash, _hash(secret)):
        raise TokenError("invalid API key")
    return key
