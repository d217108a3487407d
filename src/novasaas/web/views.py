"""Shell pages: dashboard (with arranging), notifications, language switch, errors."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from novasaas.billing import selectors as billing_selectors
from novasaas.identity.catalogue import PORTAL_ROLES
from novasaas.platform import notifications
from novasaas.platform.dashboard import arrange_dashboard, layout_for, quick_actions_for, widgets_for
from novasaas.platform.models import Notification


def _member(request: HttpRequest) -> Any:
    """The request's principal; pages of a company need one (signed in and inside a company)."""
    principal = getattr(request, "principal", None)
    if principal is None or principal.user is None:
        raise PermissionDenied(_("Sign in to a company first."))
    return principal


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    principal = getattr(request, "principal", None)
    if principal is None:
        if request.user.is_platform_staff:  # type: ignore[union-attr]
            return redirect("platform-tenants")
        return redirect("workspaces")
    if principal.role_codes and principal.role_codes <= PORTAL_ROLES:
        return redirect("portal-home")  # a customer's contact: the portal, never the staff dashboard
    alerts = list(notifications.list_for(principal.user, unread_only=True)[:5]) if principal.user else []
    return render(
        request,
        "web/dashboard.html",
        {
            "widgets": widgets_for(principal),
            "quick_actions": quick_actions_for(principal),
            "alerts": alerts,
            "can_arrange": principal.has("core.dashboard.customize"),
        },
    )


@login_required
def dashboard_arrange(request: HttpRequest) -> HttpResponse:
    """Order and hide the company's widgets (Tenant Admin and Manager; others get 403)."""
    principal = _member(request)
    principal.require("core.dashboard.customize")
    items = layout_for(principal)
    if request.method == "POST":
        keys = [k for k in request.POST.getlist("order") if k]
        visible = set(request.POST.getlist("visible"))
        move = request.POST.get("move", "")
        if move and ":" in move:
            direction, key = move.split(":", 1)
            if key in keys:
                i = keys.index(key)
                j = i - 1 if direction == "up" else i + 1
                if 0 <= j < len(keys):
                    keys[i], keys[j] = keys[j], keys[i]
        try:
            arrange_dashboard(principal, [{"key": k, "visible": k in visible} for k in keys])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Dashboard arranged."))
        return redirect("dashboard" if not move else "dashboard-arrange")
    return render(request, "web/dashboard_arrange.html", {"items": items})


# --- notifications ------------------------------------------------------------------------------------


@login_required
def notification_list(request: HttpRequest) -> HttpResponse:
    principal = _member(request)
    unread_only = request.GET.get("unread") == "1"
    rows = notifications.list_for(principal.user, unread_only=unread_only)
    page = Paginator(rows, 30).get_page(request.GET.get("page"))
    return render(
        request,
        "web/notifications.html",
        {"page": page, "unread_only": unread_only, "query": "unread=1" if unread_only else ""},
    )


def notification_bell(request: HttpRequest) -> HttpResponse:
    """The header bell (an htmx partial polled every 30 s).

    Signed out (session expired): status 286, which tells htmx to stop polling instead of swapping
    a login page into the header.
    """
    principal = getattr(request, "principal", None)
    if principal is None or principal.user is None:
        return HttpResponse(status=286)
    count = notifications.unread_count(principal.user)
    return render(request, "web/notification_bell.html", {"unread_count": count})


@login_required
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _member(request)
    item = get_object_or_404(Notification, pk=pk, recipient=principal.user)
    notifications.mark_read(principal.user, item)
    if item.url and url_has_allowed_host_and_scheme(item.url, allowed_hosts={request.get_host()}):
        return redirect(item.url)
    return redirect("notifications")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    principal = _member(request)
    n = notifications.mark_all_read(principal.user)
    messages.success(request, _("%(n)s notifications marked as read.") % {"n": n})
    return redirect("notifications")


@login_required
def notification_preferences(request: HttpRequest) -> HttpResponse:
    principal = _member(request)
    if request.method == "POST":
        choices = {
            kind: {
                "in_app": request.POST.get(f"{kind}-in_app") == "on",
                "email": request.POST.get(f"{kind}-email") == "on",
            }
            for kind in notifications.KINDS
        }
        notifications.set_preferences(principal.user, choices)
        messages.success(request, _("Preferences saved."))
        return redirect("notification-preferences")
    return render(
        request,
        "web/notification_preferences.html",
        {
            "rows": notifications.preferences_for(principal.user),
            "company": notifications.company_settings(principal.tenant),
        },
    )


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    lang = request.POST.get("language", "vi")
    if lang not in dict(settings.LANGUAGES):
        lang = "vi"
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    principal = getattr(request, "principal", None)
    tenant = getattr(principal, "tenant", None)
    if tenant is not None and lang != (tenant.locale or "vi"):
        # a language other than the company's needs the plan's multi-language feature (§12.3)
        refusal = billing_selectors.feature_refusal(tenant, "multi_language")
        if refusal:
            messages.error(request, refusal)
            return HttpResponseRedirect(nxt)
    response = HttpResponseRedirect(nxt)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, max_age=365 * 24 * 3600, samesite="Lax")
    user = request.user
    if user.is_authenticated and user.locale != lang:  # type: ignore[union-attr]
        from novasaas.identity.actions import update_profile

        update_profile(user, locale=lang)  # type: ignore[arg-type]
    return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/403.html", {"message": str(exception or "")}, status=403)


def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    """An unreadable request: 413 when the body is over DATA_UPLOAD_MAX_MEMORY_SIZE, else 400; JSON for
    the API (its clients parse errors), the page otherwise. Never the reason's internals."""
    if isinstance(exception, RequestDataTooBig):
        status = 413
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE // (1024 * 1024)
        message = _("The request is too large: at most %(mb)s MB.") % {"mb": limit}
    else:
        status = 400
        message = _("The request could not be read.")
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": message}, status=status)
    return render(request, "web/400.html", {"message": message, "status": status}, status=status)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/404.html", status=404)
