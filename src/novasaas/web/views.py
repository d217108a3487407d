"""Shell pages: dashboard, language switch, errors."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_POST

from novasaas.platform.dashboard import widgets_for


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    principal = getattr(request, "principal", None)
    if principal is None:
        if request.user.is_platform_staff:  # type: ignore[union-attr]
            return redirect("platform-tenants")
        return redirect("workspaces")
    return render(request, "web/dashboard.html", {"widgets": widgets_for(principal)})


@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    lang = request.POST.get("language", "vi")
    if lang not in dict(settings.LANGUAGES):
        lang = "vi"
    nxt = request.POST.get("next") or "/"
    if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}):
        nxt = "/"
    response = HttpResponseRedirect(nxt)
    response.set_cookie(settings.LANGUAGE_COOKIE_NAME, lang, max_age=365 * 24 * 3600, samesite="Lax")
    user = request.user
    if user.is_authenticated and user.locale != lang:  # type: ignore[union-attr]
        from novasaas.identity.actions import update_profile

        update_profile(user, locale=lang)  # type: ignore[arg-type]
    return response


def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/403.html", {"message": str(exception or "")}, status=403)


def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "web/404.html", status=404)
