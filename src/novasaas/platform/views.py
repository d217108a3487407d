"""Master Admin portal (spec §1.1): tenants, their modules and status, platform users, support view."""

from __future__ import annotations

from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from novasaas.identity import actions
from novasaas.identity.models import PlatformRole, User
from novasaas.identity.resolve import SESSION_SUPPORT
from novasaas.platform import audit
from novasaas.platform.models import AuditAction, OutboxMessage, OutboxStatus, Tenant, TenantStatus
from novasaas.platform.modules import MODULES, normalize_modules, offerable_modules, refuse_unbuilt_modules
from novasaas.platform.tenancy import platform_context


def platform_staff(view: Any) -> Any:
    @login_required
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_platform_staff:  # type: ignore[union-attr]
            raise PermissionDenied(_("Master Admin only."))
        with platform_context():
            return view(request, *args, **kwargs)

    return wrapped


def _master_only(request: HttpRequest) -> None:
    if not request.user.is_master_admin:  # type: ignore[union-attr]
        raise PermissionDenied(_("Master Admin only."))


@platform_staff
def tenants(request: HttpRequest) -> HttpResponse:
    q = request.GET.get("q", "").strip()
    qs = Tenant.objects.all()
    if q:
        qs = qs.filter(name__icontains=q) | qs.filter(slug__icontains=q) | qs.filter(tax_code__icontains=q)
    page = Paginator(qs.order_by("name"), 50).get_page(request.GET.get("page"))
    failed = OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count()
    return render(request, "platform/tenants.html", {"page": page, "q": q, "failed": failed})


@platform_staff
def tenant_create(request: HttpRequest) -> HttpResponse:
    _master_only(request)
    errors: list[str] = []
    if request.method == "POST":
        try:
            if Tenant.objects.filter(slug=request.POST.get("slug", "")).exists():
                raise ValidationError(_("This address is taken."))
            refuse_unbuilt_modules(normalize_modules(request.POST.getlist("modules")))
            tenant, _admin = actions.create_tenant(
                slug=request.POST.get("slug", "").strip(),
                name=request.POST.get("name", "").strip(),
                admin_email=request.POST.get("admin_email", "").strip(),
                tax_code=request.POST.get("tax_code", "").strip(),
                modules=request.POST.getlist("modules"),
                actor=request.user,
            )
        except ValidationError as exc:
            errors = exc.messages
        except ValueError as exc:  # an unknown module code
            errors = [str(exc)]
        else:
            messages.success(request, _("Company created. Invite its admin from the company's users page."))
            return redirect("platform-tenant", slug=tenant.slug)
    modules = [MODULES[c] for c in offerable_modules()]
    return render(request, "platform/tenant_create.html", {"errors": errors, "modules": modules})


@platform_staff
def tenant_detail(request: HttpRequest, slug: str) -> HttpResponse:
    tenant = get_object_or_404(Tenant, slug=slug)
    from novasaas.identity.models import Membership

    members = Membership.objects.filter(tenant=tenant).count()
    return render(
        request,
        "platform/tenant_detail.html",
        {
            "t": tenant,
            "members": members,
            "modules": [MODULES[c] for c in offerable_modules()],
            "statuses": TenantStatus.choices,
        },
    )


@platform_staff
@require_POST
def tenant_modules(request: HttpRequest, slug: str) -> HttpResponse:
    _master_only(request)
    tenant = get_object_or_404(Tenant, slug=slug)
    try:
        actions.set_tenant_modules(tenant, request.POST.getlist("modules"), actor=request.user)
    except (ValidationError, ValueError) as exc:
        messages.error(request, "; ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
        return redirect("platform-tenant", slug=slug)
    messages.success(request, _("Modules saved."))
    return redirect("platform-tenant", slug=slug)


@platform_staff
@require_POST
def tenant_status(request: HttpRequest, slug: str) -> HttpResponse:
    _master_only(request)
    tenant = get_object_or_404(Tenant, slug=slug)
    try:
        actions.set_tenant_status(tenant, request.POST.get("status", ""), actor=request.user)
    except ValidationError as exc:
        messages.error(request, "; ".join(exc.messages))
    else:
        messages.success(request, _("Status saved."))
    return redirect("platform-tenant", slug=slug)


@platform_staff
@require_POST
def support_view(request: HttpRequest, slug: str) -> HttpResponse:
    """Open a read-only view of a tenant's workspace; audited in the tenant's log."""
    tenant = get_object_or_404(Tenant, slug=slug)
    request.session[SESSION_SUPPORT] = tenant.pk
    audit.record(
        AuditAction.SUPPORT_VIEW, actor=request.user, tenant=tenant, obj=tenant, message="read-only support view opened"
    )
    return redirect("dashboard")


@login_required
@require_POST
def support_view_exit(request: HttpRequest) -> HttpResponse:
    request.session.pop(SESSION_SUPPORT, None)
    return redirect("platform-tenants")


@platform_staff
def platform_users(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        _master_only(request)
        user = get_object_or_404(User, pk=request.POST.get("user"))
        role = request.POST.get("platform_role", "")
        if role not in PlatformRole.values:
            raise PermissionDenied
        if user.pk == request.user.pk:
            messages.error(request, _("You cannot change your own platform role."))
        else:
            before = user.platform_role
            user.platform_role = role
            user.save(update_fields=["platform_role"])
            audit.record(
                AuditAction.ROLE_CHANGED,
                actor=request.user,
                tenant=None,
                obj=user,
                before={"platform_role": before},
                after={"platform_role": role},
            )
        return redirect("platform-users")
    users = User.objects.exclude(platform_role="").order_by("email")
    return render(request, "platform/users.html", {"users": users, "roles": PlatformRole.choices})


@platform_staff
def failed_tasks(request: HttpRequest) -> HttpResponse:
    failed_outbox = OutboxMessage.objects.filter(status=OutboxStatus.FAILED).select_related("tenant")[:200]
    from django_tasks_db.models import DBTaskResult

    failed = list(DBTaskResult.objects.filter(status="FAILED").order_by("-enqueued_at")[:200])
    counts = Tenant.objects.aggregate(n=Count("id"))
    from novasaas.platform.models import WorkerHeartbeat
    from novasaas.platform.worker import lease

    workers = list(WorkerHeartbeat.objects.order_by("-seen_at")[:20])
    context = {
        "outbox": failed_outbox,
        "tasks": failed,
        "counts": counts,
        "workers": workers,
        "alive_since": timezone.now() - lease(),
    }
    return render(request, "platform/failed_tasks.html", context)
