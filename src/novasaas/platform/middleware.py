"""Request middleware: language, and the tenant context every signed-in request runs in."""

from __future__ import annotations

import logging
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.utils import translation
from django.utils.translation import gettext as _

from novasaas.platform.request_context import client_ip, reset_request_ip, set_request_ip
from novasaas.platform.tenancy import platform_context, request_tenant_context, tenant_context
from novasaas.platform.transactions import api_request_transaction, is_self_managed

log = logging.getLogger(__name__)

SAFE_METHODS = {"GET", "HEAD", "OPTIONS"}
MFA_EXEMPT_PREFIXES = ("/account/mfa", "/logout", "/static/", "/i18n/", "/login")


class LocaleMiddleware:
    """Language: the user's choice, else the language cookie, else Vietnamese."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        lang = None
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and getattr(user, "locale", ""):
            lang = user.locale
        if not lang:
            lang = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        if lang not in dict(settings.LANGUAGES):
            lang = settings.LANGUAGE_CODE
        translation.activate(lang)
        request.LANGUAGE_CODE = lang  # type: ignore[attr-defined]
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", lang)
        return response


class RejectNulMiddleware:
    """Refuse NUL characters in URLs and non-file bodies: PostgreSQL cannot store them, and no
    legitimate text contains them. Answers 400 before any view runs."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        query = request.META.get("QUERY_STRING", "")
        bad = "\x00" in request.path or "%00" in query
        if not bad and request.method not in SAFE_METHODS and not (request.content_type or "").startswith("multipart/"):
            try:
                body = request.body
            except Exception:  # too large: Django answers 400 itself when the view reads it
                body = b""
            bad = b"\x00" in body or b"%00" in body or b"\\u0000" in body.lower()
        if bad:
            return JsonResponse({"detail": _("NUL characters are not allowed.")}, status=400)
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if isinstance(exception, OverflowError):  # e.g. /parties/99999999999999999999/ on SQLite
            return HttpResponse(_("A number is out of range."), status=400)
        return None


def _api_error(status: int, detail: str) -> JsonResponse:
    return JsonResponse({"detail": detail}, status=status)


class TenantMiddleware:
    """Resolve the acting principal (session, JWT or API key) and run the request in its tenant.

    On PostgreSQL, and for every unsafe request on any database, the request is one transaction that is
    rolled back when the response is an error: a 4xx never leaves half a write behind.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        ip_token = set_request_ip(client_ip(request))
        try:
            return self._handle(request)
        finally:
            reset_request_ip(ip_token)

    def _handle(self, request: HttpRequest) -> HttpResponse:
        from novasaas.identity.resolve import resolve_principal

        request.principal = None  # type: ignore[attr-defined]
        request.tenant = None  # type: ignore[attr-defined]
        result = resolve_principal(request)
        if isinstance(result, HttpResponse):
            return result
        if result is None:
            return self._run(request, None)
        principal = result
        request.principal = principal  # type: ignore[attr-defined]
        request.tenant = principal.tenant  # type: ignore[attr-defined]
        is_api = request.path.startswith("/api/")
        if not principal.tenant.is_usable and principal.via != "support":
            message = _("This company's workspace is suspended. Contact NovaSaaS support.")
            if is_api:
                return _api_error(403, message)
            from django.shortcuts import render

            return render(request, "web/suspended.html", {"message": message}, status=403)
        if principal.read_only and request.method not in SAFE_METHODS and not request.path.startswith("/platform/"):
            message = _("The support view is read-only.")
            return _api_error(403, message) if is_api else HttpResponse(message, status=403)
        if (
            principal.via == "session"
            and principal.tenant.require_mfa
            and request.user.is_authenticated
            and not request.user.is_verified()  # type: ignore[union-attr,attr-defined]
            and not request.path.startswith(MFA_EXEMPT_PREFIXES)
        ):
            if is_api:
                return _api_error(403, _("This company requires two-factor sign-in. Set it up first."))
            return redirect("mfa-setup")
        return self._run(request, principal.tenant)

    def _run(self, request: HttpRequest, tenant: Any) -> HttpResponse:
        # PostgreSQL needs a transaction to carry the tenant (set_config(..., true)); writes need one
        # everywhere so that an error response rolls them back. Anonymous reads need none.
        if tenant is not None and is_self_managed(request.path):
            return self.get_response(request)  # the view opens its own short transactions (AI gateway)
        wrap = (tenant is not None and connection.vendor == "postgresql") or request.method not in SAFE_METHODS
        if not wrap:
            if tenant is None:
                return self.get_response(request)
            with tenant_context(tenant):
                return self.get_response(request)
        # A savepoint-capable block, so that a 4xx rolls back exactly this request's writes. An API request's
        # actions join it without savepoints (platform.transactions); the tenant scope is set once and not
        # restored at the end (the transaction ends with the block).
        block = api_request_transaction() if request.path.startswith("/api/") else transaction.atomic()
        with block:
            if tenant is None:
                response = self.get_response(request)
            else:
                with request_tenant_context(tenant):
                    response = self.get_response(request)
            if response.status_code >= 400 and not getattr(response, "keep_writes", False):
                transaction.set_rollback(True)
            return response


__all__ = ["LocaleMiddleware", "TenantMiddleware", "platform_context"]
