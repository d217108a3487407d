"""Sign-in and account pages: login (+TOTP), logout, workspaces, profile, password, 2FA, sessions,
invitation acceptance and self-service sign-up."""

from __future__ import annotations

import base64
import io
from typing import Any

from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import logout as auth_logout
from django.contrib.auth.decorators import login_required
from django.contrib.sessions.backends.db import SessionStore
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseForbidden
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from novasaas.billing.actions import start_signup_subscription
from novasaas.identity import actions
from novasaas.identity.devices import remember_device
from novasaas.identity.forms import (
    AcceptInvitationForm,
    LoginForm,
    PasswordChangeForm,
    ProfileForm,
    SignupForm,
    TotpForm,
)
from novasaas.identity.login import LoginError, check_password, confirmed_totp_device, record_login
from novasaas.identity.models import Membership, User, UserSession
from novasaas.identity.resolve import SESSION_SUPPORT, SESSION_TENANT
from novasaas.platform import audit
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.modules import offerable_modules
from novasaas.platform.request_context import client_ip
from novasaas.platform.tenancy import platform_context

PENDING_USER = "novasaas_pending_user"


def locked_out(request: HttpRequest, credentials: Any = None, *args: Any, **kwargs: Any) -> HttpResponse:
    """django-axes lockout response (used when its middleware blocks a request)."""
    msg = _("Too many failed sign-in attempts. Try again in a few minutes.")
    if request.path.startswith("/api/"):
        from django.http import JsonResponse

        return JsonResponse({"detail": msg}, status=429)
    return render(request, "identity/login.html", {"form": LoginForm(), "error": msg}, status=429)


def _finish_login(request: HttpRequest, user: User, device: TOTPDevice | None = None) -> HttpResponse:
    auth_login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    if device is not None:
        otp_login(request, device)
    if not request.session.session_key:
        request.session.save()
    with platform_context():
        UserSession.objects.create(
            user=user,
            session_key=request.session.session_key or "",
            ip=client_ip(request),
            user_agent=request.headers.get("User-Agent", "")[:300],
        )
        memberships = list(Membership.objects.filter(user=user, is_active=True).select_related("tenant"))
    tenant = memberships[0].tenant if len(memberships) == 1 else None
    if tenant is not None:
        request.session[SESSION_TENANT] = tenant.pk
    record_login(user, tenant, "web sign-in")
    nxt = _safe_next(request)
    if nxt:
        response = redirect(nxt)
    elif tenant is None and len(memberships) > 1:
        response = redirect("workspaces")
    else:
        response = redirect("dashboard")
    remember_device(request, response, user)
    return response


def _safe_next(request: HttpRequest) -> str:
    """``?next=`` (or the form's ``next``) when it points into this site, else empty."""
    nxt = request.GET.get("next") or request.POST.get("next") or ""
    if nxt and url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        return nxt
    return ""


def login_view(request: HttpRequest) -> HttpResponse:
    if request.user.is_authenticated:
        return redirect(_safe_next(request) or "dashboard")
    form = LoginForm(request.POST or None)
    error = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            user = check_password(request, form.cleaned_data["email"], form.cleaned_data["password"])
        except LoginError as exc:
            error, status = exc.message, (429 if exc.status == 429 else 200)
        else:
            if confirmed_totp_device(user) is not None:
                request.session[PENDING_USER] = user.pk
                nxt = _safe_next(request)  # e.g. back to an invitation after the code
                return redirect(f"{reverse('login-totp')}?{urlencode({'next': nxt})}" if nxt else "login-totp")
            return _finish_login(request, user)
    response = render(request, "identity/login.html", {"form": form, "error": error}, status=status)
    response.keep_writes = True  # type: ignore[attr-defined]
    return response


def login_totp(request: HttpRequest) -> HttpResponse:
    user_id = request.session.get(PENDING_USER)
    if not user_id:
        return redirect("login")
    with platform_context():
        user = get_object_or_404(User, pk=user_id, is_active=True)
    form = TotpForm(request.POST or None)
    error = None
    if request.method == "POST" and form.is_valid():
        device = confirmed_totp_device(user)
        if device is not None and device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            del request.session[PENDING_USER]
            return _finish_login(request, user, device)
        audit.record(AuditAction.LOGIN_FAILED, actor=user, tenant=None, message="wrong two-factor code")
        error = _("Wrong two-factor code.")
    response = render(request, "identity/login_totp.html", {"form": form, "error": error})
    response.keep_writes = True  # type: ignore[attr-defined]
    return response


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    tenant = getattr(request, "tenant", None)
    if user.is_authenticated:
        key = request.session.session_key
        with platform_context():
            UserSession.objects.filter(session_key=key).delete()
        audit.record(AuditAction.LOGOUT, actor=user, tenant=tenant)
    nxt = _safe_next(request)  # e.g. an invitation to sign in to as another account
    auth_logout(request)
    return redirect(nxt or "login")


@login_required
def workspaces(request: HttpRequest) -> HttpResponse:
    with platform_context():
        memberships = list(
            Membership.objects.filter(user=request.user.pk, is_active=True)
            .select_related("tenant")
            .order_by("tenant__name")
        )
    if request.method == "POST":
        tenant_id = int(request.POST.get("tenant", "0") or 0)
        if any(m.tenant_id == tenant_id for m in memberships):
            request.session[SESSION_TENANT] = tenant_id
            request.session.pop(SESSION_SUPPORT, None)
            return redirect("dashboard")
        return HttpResponseForbidden(_("You are not a member of that company."))
    return render(request, "identity/workspaces.html", {"memberships": memberships})


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    form = ProfileForm(
        request.POST or None, initial={"full_name": user.full_name, "phone": user.phone, "locale": user.locale or "vi"}
    )
    if request.method == "POST" and form.is_valid():
        actions.update_profile(user, **form.cleaned_data)
        messages.success(request, _("Profile saved."))
        response = redirect("profile")
        from django.conf import settings

        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["locale"], samesite="Lax")
        return response
    has_mfa = confirmed_totp_device(user) is not None
    return render(request, "identity/profile.html", {"form": form, "has_mfa": has_mfa})


@login_required
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actions.change_password(request.user, **form.cleaned_data)  # type: ignore[arg-type]
        except ValidationError as exc:
            has_fields = hasattr(exc, "error_dict")
            pairs = exc.message_dict.items() if has_fields else [("new_password", exc.messages)]
            for field, errs in pairs:
                for e in errs:
                    form.add_error(field if field in form.fields else None, e)
        else:
            from django.contrib.auth import update_session_auth_hash

            update_session_auth_hash(request, request.user)  # type: ignore[arg-type]
            messages.success(request, _("Password changed."))
            return redirect("profile")
    return render(request, "identity/password_change.html", {"form": form})


def _qr_data_uri(url: str) -> str:
    import qrcode
    import qrcode.image.svg

    img = qrcode.make(url, image_factory=qrcode.image.svg.SvgPathImage)
    buf = io.BytesIO()
    img.save(buf)
    return "data:image/svg+xml;base64," + base64.b64encode(buf.getvalue()).decode()


@login_required
def mfa_setup(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    with platform_context():
        device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
        if device is None:
            device = TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)
    form = TotpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if device.verify_token(form.cleaned_data["code"].replace(" ", "")):
            with platform_context(), transaction.atomic():
                TOTPDevice.objects.filter(user=user, confirmed=True).delete()
                device.confirmed = True
                device.save()
                audit.record(AuditAction.MFA_CHANGED, actor=user, tenant=None, message="two-factor enabled")
            otp_login(request, device)
            messages.success(request, _("Two-factor sign-in is on."))
            return redirect("profile")
        form.add_error("code", _("Wrong two-factor code."))
    secret = base64.b32encode(device.bin_key).decode().rstrip("=")
    return render(
        request, "identity/mfa_setup.html", {"form": form, "qr": _qr_data_uri(device.config_url), "secret": secret}
    )


@login_required
@require_POST
def mfa_disable(request: HttpRequest) -> HttpResponse:
    user: User = request.user  # type: ignore[assignment]
    tenant = getattr(request, "tenant", None)
    if tenant is not None and tenant.require_mfa:
        messages.error(request, _("Your company requires two-factor sign-in."))
        return redirect("profile")
    with platform_context():
        TOTPDevice.objects.filter(user=user).delete()
        audit.record(AuditAction.MFA_CHANGED, actor=user, tenant=None, message="two-factor disabled")
    messages.success(request, _("Two-factor sign-in is off."))
    return redirect("profile")


def _api_sessions(user: Any) -> list[dict[str, Any]]:
    """The user's unrevoked API sessions (refresh-token families) in every company."""
    from novasaas.identity.models import RefreshToken

    families: dict[Any, dict[str, Any]] = {}
    with platform_context():
        rows = (
            RefreshToken.objects.filter(user=user, revoked_at__isnull=True, expires_at__gt=timezone.now())
            .select_related("tenant")
            .order_by("created_at")
        )
        for t in rows:
            entry = families.setdefault(
                t.family, {"id": t.family.hex, "tenant": t.tenant, "family": t.family, "started_at": t.created_at}
            )
            entry["last_refreshed_at"] = t.created_at
    return sorted(families.values(), key=lambda e: e["last_refreshed_at"], reverse=True)


@login_required
def sessions(request: HttpRequest) -> HttpResponse:
    with platform_context():
        rows = list(UserSession.objects.filter(user=request.user.pk))
    return render(
        request,
        "identity/sessions.html",
        {"rows": rows, "current": request.session.session_key, "api_sessions": _api_sessions(request.user)},
    )


@login_required
@require_POST
def api_session_revoke(request: HttpRequest, sid: str) -> HttpResponse:
    """Sign an app/API session out: its refresh tokens and, at once, its access tokens stop working."""
    from novasaas.identity.tokens import end_session

    entry = next((e for e in _api_sessions(request.user) if e["id"] == sid), None)
    if entry is None:
        raise Http404
    end_session(entry["tenant"], entry["family"])
    audit.record(
        AuditAction.SESSION_REVOKED,
        actor=request.user,
        tenant=entry["tenant"],
        message=f"api session {sid[:8]}… revoked",
    )
    messages.success(request, _("Session signed out."))
    return redirect("sessions")


@login_required
@require_POST
def session_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    with platform_context():
        row = get_object_or_404(UserSession, pk=pk, user=request.user)
        SessionStore(session_key=row.session_key).delete()
        row.delete()
        audit.record(AuditAction.SESSION_REVOKED, actor=request.user, tenant=None, message=f"session {pk} revoked")
    if row.session_key == request.session.session_key:
        auth_logout(request)
        return redirect("login")
    messages.success(request, _("Session signed out."))
    return redirect("sessions")


def accept_invitation(request: HttpRequest, token: str) -> HttpResponse:
    """The invitation link. A new email sets a name and password; an email that already has an account is
    accepted only by that account signed in (else "sign in to accept", returning here after sign-in)."""
    inv = actions.find_invitation(token)
    if inv is None:
        return render(request, "identity/invitation_invalid.html", status=404)
    has_account = actions.invitation_has_account(inv)
    user = request.user if request.user.is_authenticated else None
    here = reverse("invitation-accept", args=[token])
    form = AcceptInvitationForm(request.POST if request.method == "POST" else None)  # "Accept" posts no field
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            membership = actions.accept_invitation(
                token,
                password=form.cleaned_data["password"] or None,
                full_name=form.cleaned_data["full_name"],
                user=user,  # type: ignore[arg-type]
            )
        except (actions.SignInRequired, PermissionDenied) as exc:
            form.add_error(None, str(exc))
            status = 403
        except ValidationError as exc:
            for e in exc.messages:
                form.add_error(None, e)
        else:
            if user is not None and user.pk == membership.user_id:
                request.session[SESSION_TENANT] = membership.tenant_id
                messages.success(request, _("Welcome to %(company)s.") % {"company": inv.tenant.name})
                return redirect("dashboard")
            messages.success(request, _("Welcome to %(company)s. Sign in to start.") % {"company": inv.tenant.name})
            return redirect("login")
    context = {
        "inv": inv,
        "form": form,
        "has_account": has_account,
        "signed_in_as": user.email if user is not None else "",  # type: ignore[union-attr]
        "other_account": user is not None and user.email.lower() != inv.email,  # type: ignore[union-attr]
        "login_url": f"{reverse('login')}?{urlencode({'next': here})}",
        "here": here,
    }
    response = render(request, "identity/invitation_accept.html", context, status=status)
    if status == 403:
        response.keep_writes = True  # type: ignore[attr-defined]  # the refused attempt stays audited
    return response


def signup(request: HttpRequest) -> HttpResponse:
    """Self-service sign-up. The answer never tells whether the email already has an account (issue 9):
    both cases end on the same "check your inbox" page, and the owner of an existing account gets an
    email telling them to sign in instead."""
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        with platform_context():
            taken = Tenant.objects.filter(slug=data["slug"]).exists()
            existing = User.objects.filter(email__iexact=data["email"]).first()
        if taken:
            form.add_error("slug", _("This address is taken."))
        elif existing is not None:
            audit.record(
                AuditAction.OTHER,
                actor=existing,
                tenant=None,
                message="sign-up attempted with the email of an existing account",
            )
            _signup_mail(
                existing.email, "identity/email/signup_existing.txt", _("You already have a NovaSaaS account"), {}
            )
            request.session[SIGNUP_EMAIL] = data["email"].strip().lower()  # as a new account would show it
            return redirect("signup-sent")
        else:
            try:
                tenant, user = actions.create_tenant(
                    slug=data["slug"],
                    name=data["company_name"],
                    admin_email=data["email"],
                    admin_password=data["password"],
                    admin_name=data["full_name"],
                    tax_code=data["tax_code"],
                    modules=offerable_modules(),
                )
                start_signup_subscription(tenant, request.GET.get("plan"))  # billing: ?plan= or a Business trial
            except ValidationError as exc:
                for e in exc.messages:
                    form.add_error(None, e)
            else:
                _signup_mail(
                    user.email,
                    "identity/email/signup_welcome.txt",
                    _("Your company %(company)s is ready on NovaSaaS") % {"company": tenant.name},
                    {"tenant": tenant},
                )
                request.session[SIGNUP_EMAIL] = data["email"].strip().lower()
                return redirect("signup-sent")
    return render(request, "identity/signup.html", {"form": form})


SIGNUP_EMAIL = "novasaas_signup_email"


def _signup_mail(to: str, template: str, subject: str, context: dict[str, Any]) -> None:
    from django.conf import settings
    from django.core.mail import send_mail
    from django.template.loader import render_to_string

    base = settings.PUBLIC_BASE_URL.rstrip("/")
    body = render_to_string(
        template, {"login_url": f"{base}/login/", "reset_url": f"{base}/password-reset/", **context}
    )
    send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [to])


def signup_sent(request: HttpRequest) -> HttpResponse:
    return render(request, "identity/signup_sent.html", {"email": request.session.get(SIGNUP_EMAIL, "")})


__all__ = ["timezone"]
