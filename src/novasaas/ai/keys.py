"""BYOK provider keys: add (validated by the provider, then sealed), revoke, open, circuit breaker."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.ai import catalogue, crypto, providers
from novasaas.ai.models import KeyStatus, Provider, ProviderKey
from novasaas.billing import selectors as billing_selectors
from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.models import AuditAction
from novasaas.platform.notifications import notify
from novasaas.platform.tenant_cache import TenantCache
from novasaas.platform.transactions import atomic

MANAGE = "core.ai.manage"
BREAKER_FAILURES = 3  # consecutive failures that open the circuit
BREAKER_SECONDS = 60  # how long an open circuit skips the key


def _clean_secret(secret: str) -> str:
    secret = (secret or "").strip()
    if not 8 <= len(secret) <= 300 or not secret.isascii() or any(c.isspace() for c in secret):
        raise ValidationError({"secret": [_("A provider key is 8 to 300 characters without spaces.")]})
    return secret


def byok_limit(tenant: Any) -> int | None:
    """How many providers the company's own keys may cover: its BYOK plan's number (None: unlimited). A
    company without a BYOK plan may connect none once it has a subscription; without a subscription (made
    by hand, demo, tests) nothing is limited, like billing's plan limits."""
    from novasaas.ai.credits import in_tenant
    from novasaas.ai.models import Wallet

    with in_tenant(tenant):
        code = Wallet.objects.filter(tenant=tenant).values_list("byok_plan", flat=True).first() or ""
        return limit_of(tenant, code)


def limit_of(tenant: Any, code: str) -> int | None:
    row = catalogue.byok_plan(code)
    if row is not None:
        return row[2]
    return 0 if billing_selectors.get_subscription(tenant) is not None else None


def connected_providers() -> set[str]:
    """Providers covered by the company's active own keys (the current tenant's)."""
    return set(ProviderKey.objects.filter(status=KeyStatus.ACTIVE).values_list("provider", flat=True))


def check_byok_limit(tenant: Any, provider: str) -> None:
    """Refuse (ValidationError on ``provider``) a key for a new provider beyond the BYOK plan."""
    from novasaas.ai.credits import in_tenant

    limit = byok_limit(tenant)
    with in_tenant(tenant):
        connected = connected_providers()
    if limit is None or provider in connected or len(connected) < limit:
        return
    if limit == 0:
        message = _("Own provider keys need a BYOK plan: choose one in the wallet settings.")
    else:
        message = _(
            "Your BYOK plan allows keys of %(n)d provider(s) (%(used)s connected): choose a larger BYOK plan."
        ) % {"n": limit, "used": ", ".join(sorted(connected))}
    raise ValidationError({"provider": [message]})


def add_key(principal: Principal, *, provider: str, secret: str, label: str = "", priority: int = 100) -> ProviderKey:
    """Validate the key with a cheap call to the provider, then store it sealed (AES-256-GCM, envelope).
    Guarantees: a refused key is never stored; the secret is never stored or logged in clear; audited."""
    principal.require(MANAGE)
    if provider not in Provider.values:
        raise ValidationError({"provider": [_("Unknown provider.")]})
    secret = _clean_secret(secret)
    if not 0 <= priority <= 1000:
        raise ValidationError({"priority": [_("Priority is between 0 and 1000.")]})
    check_byok_limit(principal.tenant, provider)  # before the provider call: a refused plan costs nothing
    try:
        providers.validate_key(provider, secret)
    except providers.ProviderFailure as exc:
        if exc.status in (401, 403):
            raise ValidationError({"secret": [_("The provider refused this key.")]}) from exc
        raise ValidationError(
            {"secret": [_("The provider could not be reached to check this key (%(e)s).") % {"e": exc}]}
        ) from exc
    tenant = principal.tenant
    with atomic():
        # again under the wallet's row lock: two keys added at once cannot both pass the plan's limit
        from novasaas.ai.credits import ensure_wallet
        from novasaas.ai.models import Wallet

        ensure_wallet(tenant)
        Wallet.objects.select_for_update().filter(tenant=tenant).first()
        check_byok_limit(tenant, provider)
        key = ProviderKey.objects.create(
            provider=provider,
            label=label[:100],
            priority=priority,
            sealed=b"",
            last4=secret[-4:],
            created_by=principal.user,
        )
        key.sealed = crypto.seal(tenant, key.pk, provider, secret)
        key.save(update_fields=["sealed"])
        audit.record(
            AuditAction.KEY_CREATED,
            actor=principal.user,
            obj=key,
            after={"provider": provider, "label": key.label, "last4": key.last4, "priority": priority},
            message=f"AI provider key {provider} …{key.last4} added",
        )
        notify(tenant, MANAGE, "security", _("AI provider key added: %(key)s") % {"key": str(key)})
        _forget(tenant.pk)
    return key


# the company's active keys, read by every gateway request (gateway._routes); forgotten by this process
# whenever a key is added, revoked or its circuit changes, other processes within the TTL
ACTIVE_KEYS: TenantCache[list[ProviderKey]] = TenantCache("ai.keys", ttl=5.0, maxsize=10_000)


def _forget(tenant_id: int) -> None:
    ACTIVE_KEYS.forget(tenant_id, "active")
    transaction.on_commit(lambda: ACTIVE_KEYS.forget(tenant_id, "active"))


def revoke_key(principal: Principal, key_id: int) -> ProviderKey:
    """Revoke at once: the sealed secret is erased, the key is never used again. Audited and notified."""
    principal.require(MANAGE)
    with atomic():
        key = ProviderKey.objects.select_for_update().get(pk=key_id)
        if key.status == KeyStatus.REVOKED:
            raise ValidationError(_("This key is already revoked."))
        key.status = KeyStatus.REVOKED
        key.revoked_at = timezone.now()
        key.sealed = b""
        key.save(update_fields=["status", "revoked_at", "sealed"])
        _forget(key.tenant_id)
        audit.record(
            AuditAction.KEY_REVOKED,
            actor=principal.user,
            obj=key,
            message=f"AI provider key {key.provider} …{key.last4} revoked",
        )
        notify(principal.tenant, MANAGE, "security", _("AI provider key revoked: %(key)s") % {"key": str(key)})
    return key


def open_secret(key: ProviderKey) -> str:
    """The key in clear, for the provider call only (never returned by the API or shown)."""
    return crypto.unseal(key.tenant, key.pk, key.provider, key.sealed)


def usable(key: ProviderKey, now: dt.datetime) -> bool:
    return key.status == KeyStatus.ACTIVE and (key.open_until is None or key.open_until <= now)


def record_failure(key: ProviderKey, message: str) -> None:
    """Count a failure; the third in a row opens the circuit for BREAKER_SECONDS and alerts the admins."""
    with atomic():
        ProviderKey.objects.filter(pk=key.pk).update(failures=F("failures") + 1, last_error=message[:200])
        _forget(key.tenant_id)
        key.refresh_from_db(fields=["failures", "open_until"])
        if key.failures >= BREAKER_FAILURES:
            key.open_until = timezone.now() + dt.timedelta(seconds=BREAKER_SECONDS)
            ProviderKey.objects.filter(pk=key.pk).update(open_until=key.open_until, failures=0)
            notify(
                key.tenant,
                MANAGE,
                "security",
                _("AI provider key %(key)s keeps failing (%(e)s): skipped for %(s)d seconds.")
                % {"key": str(key), "e": message[:100], "s": BREAKER_SECONDS},
            )


def record_success(key: ProviderKey) -> None:
    if key.failures or key.open_until:
        ProviderKey.objects.filter(pk=key.pk).update(failures=0, open_until=None, last_error="")
        _forget(key.tenant_id)
