"""Device cookies (OWASP "Slow brute force" defence): a browser that signed in successfully is known for
that account and may sign in even while the account is locked out for unknown devices, so an attacker
cannot lock the owner out. A known device has its own failure limit (``AXES_FAILURE_LIMIT``) and
cool-off (``AXES_COOLOFF_TIME``): a stolen cookie does not give unlimited guesses.

The cookie holds only the device's random id, signed with SECRET_KEY; the account it belongs to is in
the database.
"""

from __future__ import annotations

import uuid
from typing import Any

from django.conf import settings
from django.core import signing
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from novasaas.identity.models import KnownDevice, User
from novasaas.platform.tenancy import platform_context

SALT = "novasaas.identity.device"


def _device_id(request: HttpRequest) -> str | None:
    raw = request.COOKIES.get(settings.DEVICE_COOKIE_NAME)
    if not raw:
        return None
    try:
        value = signing.loads(raw, salt=SALT, max_age=settings.DEVICE_COOKIE_AGE)
    except signing.BadSignature:
        return None
    try:
        return str(uuid.UUID(value["d"]))
    except (TypeError, KeyError, ValueError, AttributeError):
        return None


def known_device(request: HttpRequest, email: str) -> KnownDevice | None:
    """The request's known device for the account ``email``, unless that device is itself locked out."""
    device_id = _device_id(request)
    if device_id is None:
        return None
    with platform_context():
        device = KnownDevice.objects.filter(pk=device_id, user__email__iexact=email).first()
    if device is None or (device.locked_until is not None and device.locked_until > timezone.now()):
        return None
    return device


def device_failed(device: KnownDevice) -> bool:
    """Count a failed sign-in from a known device; True when this failure locks the device out."""
    with platform_context():
        KnownDevice.objects.filter(pk=device.pk).update(failures=F("failures") + 1)
        device.refresh_from_db(fields=["failures"])
        if device.failures < settings.AXES_FAILURE_LIMIT:
            return False
        KnownDevice.objects.filter(pk=device.pk).update(
            failures=0, locked_until=timezone.now() + settings.AXES_COOLOFF_TIME
        )
    return True


def remember_device(request: HttpRequest, response: HttpResponse, user: User | Any) -> None:
    """After a successful sign-in: mark this browser as known for ``user`` (and reset its failures)."""
    now = timezone.now()
    with platform_context():
        device_id = _device_id(request)
        updated = device_id is not None and KnownDevice.objects.filter(pk=device_id, user=user).update(
            failures=0, locked_until=None, last_used_at=now
        )
        if not updated:
            device_id = str(KnownDevice.objects.create(user=user).pk)
    response.set_cookie(
        settings.DEVICE_COOKIE_NAME,
        signing.dumps({"d": str(device_id)}, salt=SALT),
        max_age=settings.DEVICE_COOKIE_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Lax",
    )
