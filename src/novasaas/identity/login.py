"""Sign-in shared by the web form and the API: password (argon2), lockout (django-axes), TOTP, audit."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth import authenticate
from django.contrib.auth.backends import ModelBackend
from django.contrib.auth.signals import user_login_failed
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from novasaas.identity.devices import device_failed, known_device
from novasaas.identity.models import KnownDevice, Membership, User
from novasaas.platform import audit
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.request_context import client_ip
from novasaas.platform.tenancy import platform_context


class LoginError(Exception):
    def __init__(self, message: str, status: int = 401) -> None:
        self.message = message
        self.status = status
        super().__init__(message)


def confirmed_totp_device(user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).first()


def _ip_failures(request: HttpRequest) -> int:
    """Failed sign-ins from the client's address over all accounts within the cool-off (axes' records)."""
    from axes.models import AccessAttempt
    from django.db.models import Sum
    from django.utils import timezone

    ip = client_ip(request)
    if not ip:
        return 0
    since = timezone.now() - settings.AXES_COOLOFF_TIME
    total = AccessAttempt.objects.filter(ip_address=ip, attempt_time__gte=since).aggregate(
        n=Sum("failures_since_start")
    )["n"]
    return int(total or 0)


def _check_known_device(request: HttpRequest, device: KnownDevice, email: str, password: str) -> User:
    """Sign-in from a known device: outside the account's lockout, with the device's own limit."""
    user = ModelBackend().authenticate(request, username=email, password=password)
    if user is None:
        # Also count it for the address and account (axes), so that dropping the cookie gives no fresh guesses.
        user_login_failed.send(sender=__name__, credentials={"username": email}, request=request)
        locked = device_failed(device)
        audit.record(
            AuditAction.LOGIN_FAILED, tenant=None, message=f"failed sign-in from a known device: {email}"[:500]
        )
        if locked:
            audit.record(AuditAction.LOCKED_OUT, tenant=None, message=f"known device locked out: {email}"[:500])
        raise LoginError(_("Wrong email or password."))
    return user  # type: ignore[return-value]


def check_password(request: HttpRequest, email: str, password: str) -> User:
    """Verify email + password with lockout. Raises LoginError (401, or 429 when locked out).

    Lockout (django-axes) is per client address and account; a per-address limit over all accounts
    (``LOCKOUT_IP_FAILURES``) stops password spraying. A browser holding this account's device cookie
    (identity/devices.py) is exempt from both, so nobody can lock the owner out of a known device.
    """
    email = (email or "").strip().lower()
    device = known_device(request, email)
    if device is not None:
        return _check_known_device(request, device, email, password)
    if _ip_failures(request) >= settings.LOCKOUT_IP_FAILURES:
        audit.record(
            AuditAction.LOCKED_OUT,
            tenant=None,
            message=f"address over the sign-in failure limit: {client_ip(request)}"[:500],
        )
        raise LoginError(_("Too many failed sign-in attempts. Try again in a few minutes."), status=429)
    try:
        user = authenticate(request=request, username=email, password=password)
    except PermissionDenied:  # axes: too many failures
        user = None
        locked = True
    else:
        locked = bool(getattr(request, "axes_locked_out", False))
    if locked:
        audit.record(AuditAction.LOCKED_OUT, tenant=None, message=f"locked out: {email}"[:500])
        raise LoginError(_("Too many failed sign-in attempts. Try again in a few minutes."), status=429)
    if user is None:
        audit.record(AuditAction.LOGIN_FAILED, tenant=None, message=f"failed sign-in: {email}"[:500])
        raise LoginError(_("Wrong email or password."))
    return user  # type: ignore[return-value]


def verify_totp(user: User, code: str | None) -> bool:
    device = confirmed_totp_device(user)
    return device is not None and bool(code) and device.verify_token(str(code).replace(" ", ""))


def authenticate_for_tenant(
    request: HttpRequest, email: str, password: str, tenant_slug: str, totp: str | None
) -> tuple[User, Membership]:
    user = check_password(request, email, password)
    with platform_context():
        membership = (
            Membership.objects.select_related("tenant")
            .filter(user=user, tenant__slug=tenant_slug, is_active=True)
            .first()
        )
    if membership is None:
        audit.record(AuditAction.LOGIN_FAILED, actor=user, tenant=None, message=f"no access to {tenant_slug}"[:500])
        raise LoginError(_("Wrong email or password."))
    tenant: Tenant = membership.tenant
    if not tenant.is_usable:
        raise LoginError(_("This company's workspace is suspended. Contact NovaSaaS support."), status=403)
    device = confirmed_totp_device(user)
    if device is not None:
        if not totp:
            raise LoginError(_("Enter the 6-digit code from your authenticator app."), status=401)
        if not verify_totp(user, totp):
            audit.record(AuditAction.LOGIN_FAILED, actor=user, tenant=tenant, message="wrong two-factor code")
            raise LoginError(_("Wrong two-factor code."))
    elif tenant.require_mfa:
        raise LoginError(_("This company requires two-factor sign-in. Set it up in the web app first."), status=403)
    audit.record(AuditAction.LOGIN, actor=user, tenant=tenant, message="api sign-in")
    return user, membership


def record_login(user: Any, tenant: Tenant | None, how: str) -> None:
    audit.record(AuditAction.LOGIN, actor=user, tenant=tenant, message=how)
