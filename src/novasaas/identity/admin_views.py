"""Tenant administration pages (spec §3.1.1, §3.1.2): users, invitations, roles, audit log, settings.

Thin views over ``identity.actions`` and ``platform.settings_actions``: each page checks the
permission of the spec table, business-rule errors come back as form errors or messages.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST, require_safe

from novasaas.identity import actions, selectors
from novasaas.identity.access import Principal
from novasaas.identity.catalogue import PERMISSIONS_BY_CODE, PORTAL_ROLES, TENANT_ADMIN
from novasaas.identity.forms import (
    ApiKeyForm,
    AppearanceForm,
    CompanyForm,
    CompanyNotificationsForm,
    InvitationForm,
    MemberForm,
    RegionForm,
    RoleForm,
    SecurityForm,
)
from novasaas.identity.grants import role_permissions
from novasaas.identity.models import ApiKey, Invitation, Membership, Role
from novasaas.platform import notifications
from novasaas.platform.dates import parse_date
from novasaas.platform.models import AuditAction
from novasaas.platform.modules import MODULES, OPTIONAL_MODULES, modules_with_screens
from novasaas.platform.settings_actions import update_company_settings

# (url name, label, permission) of the settings tabs, in the order shown.
SETTINGS_TABS: list[tuple[str, Any, str]] = [
    ("settings-users", gettext_lazy("Users"), "core.users.view"),
    ("settings-invitations", gettext_lazy("Invitations"), "core.users.invite"),
    ("settings-roles", gettext_lazy("Roles"), "core.roles.manage"),
    ("settings-audit", gettext_lazy("Audit log"), "core.audit.view"),
    ("settings-company", gettext_lazy("Company information"), "core.settings.company.view"),
    ("settings-appearance", gettext_lazy("Appearance"), "core.settings.appearance"),
    ("settings-notifications", gettext_lazy("Notifications"), "core.settings.notifications"),
    ("settings-region", gettext_lazy("Region"), "core.settings.region"),
    ("settings-api-keys", gettext_lazy("API keys"), "core.apikeys.manage"),
    ("settings-subscription", gettext_lazy("Subscription"), "core.subscription.view"),
    ("settings-security", gettext_lazy("Security"), "core.users.manage"),
]


def _principal(request: HttpRequest, code: str) -> Principal:
    principal: Principal | None = getattr(request, "principal", None)
    if principal is None:
        raise PermissionDenied(_("Sign in to a company first."))
    principal.require(code)
    return principal


def _render(request: HttpRequest, template: str, context: dict[str, Any], status: int = 200) -> HttpResponse:
    principal = request.principal  # type: ignore[attr-defined]
    tabs = [(name, label) for name, label, perm in SETTINGS_TABS if principal.has(perm)]
    return render(
        request,
        template,
        {
            "settings_tabs": tabs,
            "active_tab": request.resolver_match.url_name,  # type: ignore[union-attr]
            **context,
        },
        status=status,
    )


def _errors(exc: ValidationError) -> list[str]:
    return [str(m) for m in exc.messages]


def _role_label(role: Role) -> str:
    return role.name_en if get_language() == "en" and role.name_en else role.name


@login_required
def settings_home(request: HttpRequest) -> HttpResponse:
    principal = getattr(request, "principal", None)
    if principal is None:
        raise PermissionDenied(_("Sign in to a company first."))
    for name, _label, perm in SETTINGS_TABS:
        if principal.has(perm):
            return redirect(name)
    raise PermissionDenied(_("You do not have permission to open this page."))


# --- users -------------------------------------------------------------------------------------------


@login_required
def user_list(request: HttpRequest) -> HttpResponse:
    principal = _principal(request, "core.users.view")
    q = request.GET.get("q", "").strip()[:100]
    page = Paginator(selectors.list_members(q), 50).get_page(request.GET.get("page"))
    return _render(
        request,
        "identity/settings/users.html",
        {
            "page": page,
            "q": q,
            "can_manage": principal.has("core.users.manage"),
            "can_invite": principal.has("core.users.invite"),
        },
    )


@login_required
def user_edit(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _principal(request, "core.users.view")
    membership = get_object_or_404(selectors.list_members(), pk=pk)
    current = sorted(link.role.code for link in membership.role_links.all())
    # a portal role is shown only to a member who has it (granted with the portal account, never here)
    choices = [
        (r.code, _role_label(r)) for r in selectors.list_roles() if r.code not in PORTAL_ROLES or r.code in current
    ]
    form = MemberForm(request.POST or None, role_choices=choices, initial={"roles": current})
    can_manage = principal.has("core.users.manage")
    status = 200
    if request.method == "POST":
        principal.require("core.users.manage")
        refused = actions.portal_roles_refusal(request.POST.getlist("roles"), kept=current)
        if refused:
            form.is_valid()
            form.errors.pop("roles", None)  # "not a valid choice": the message below says why
            form.add_error("roles", refused)
            status = 400
        elif form.is_valid():
            try:
                actions.set_member_roles(principal, membership, form.cleaned_data["roles"])
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            except ValidationError as exc:
                for e in _errors(exc):
                    form.add_error(None, e)
            else:
                messages.success(request, _("Roles saved."))
                return redirect("settings-users")
    if not can_manage:
        for field in form.fields.values():
            field.disabled = True
    return _render(
        request,
        "identity/settings/user_edit.html",
        {"m": membership, "form": form, "can_manage": can_manage},
        status=status,
    )


@login_required
@require_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _principal(request, "core.users.manage")
    membership = get_object_or_404(Membership, pk=pk)
    active = request.POST.get("active") == "1"
    try:
        actions.set_member_active(principal, membership, active)
    except (ValidationError, PermissionDenied) as exc:
        messages.error(request, str(exc) if isinstance(exc, PermissionDenied) else " ".join(_errors(exc)))
    else:
        messages.success(request, _("Member activated.") if active else _("Member deactivated."))
    return redirect("settings-users")


# --- invitations ----------------------------------------------------------------------------------------


def _invitable_roles(principal: Principal) -> list[tuple[str, str]]:
    roles = selectors.list_roles().exclude(code__in=PORTAL_ROLES)  # the portal invites its users itself
    if not principal.is_tenant_admin:
        roles = roles.exclude(code=TENANT_ADMIN)
    return [(r.code, _role_label(r)) for r in roles]


@login_required
def invitation_list(request: HttpRequest) -> HttpResponse:
    principal = _principal(request, "core.users.invite")
    form = InvitationForm(request.POST or None, role_choices=_invitable_roles(principal))
    status = 200
    refused = actions.portal_roles_refusal(request.POST.getlist("roles")) if request.method == "POST" else None
    if refused:
        form.is_valid()
        form.errors.pop("roles", None)  # "not a valid choice": the message below says why
        form.add_error("roles", refused)
        status = 400
    elif request.method == "POST" and form.is_valid():
        try:
            inv, _token = actions.invite_user(
                principal,
                email=form.cleaned_data["email"],
                role_codes=form.cleaned_data["roles"],
                base_url=settings.PUBLIC_BASE_URL,
            )
        except PermissionDenied as exc:
            form.add_error("roles", str(exc))
            status = 403
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errs in exc.message_dict.items():
                    for e in errs:
                        form.add_error(field if field in form.fields else None, e)
            else:
                for e in _errors(exc):
                    form.add_error(None, e)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": inv.email})
            return redirect("settings-invitations")
    pending = [i for i in Invitation.objects.select_related("invited_by")[:200] if i.status == "pending"]
    roles = {r.code: _role_label(r) for r in selectors.list_roles()}
    rows = [(i, [roles.get(c, c) for c in i.role_codes]) for i in pending]
    return _render(request, "identity/settings/invitations.html", {"form": form, "rows": rows}, status=status)


@login_required
@require_POST
def invitation_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _principal(request, "core.users.invite")
    actions.revoke_invitation(principal, get_object_or_404(Invitation, pk=pk))
    messages.success(request, _("Invitation revoked."))
    return redirect("settings-invitations")


# --- roles ---------------------------------------------------------------------------------------------


@login_required
def role_list(request: HttpRequest) -> HttpResponse:
    _principal(request, "core.roles.manage")
    roles = list(selectors.list_roles())
    counts: dict[int, int] = {}
    from django.db.models import Count

    for row in Role.objects.annotate(n=Count("membership_links")).values("id", "n"):
        counts[row["id"]] = row["n"]
    rows = [(r, _role_label(r), len(role_permissions(r)), counts.get(r.pk, 0)) for r in roles]
    return _render(request, "identity/settings/roles.html", {"rows": rows})


def _checked_permissions(request: HttpRequest, name: str) -> list[str]:
    return [c for c in request.POST.getlist(name) if c in PERMISSIONS_BY_CODE]


@login_required
def role_create(request: HttpRequest) -> HttpResponse:
    principal = _principal(request, "core.roles.manage")
    form = RoleForm(request.POST or None)
    checked: set[str] = set()
    status = 200
    if request.method == "POST":
        checked = set(_checked_permissions(request, "permissions"))
        if form.is_valid():
            try:
                role = actions.create_role(
                    principal,
                    code=form.cleaned_data["code"],
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    permissions=sorted(checked),
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            except ValidationError as exc:
                for e in _errors(exc):
                    form.add_error(None, e)
            else:
                messages.success(request, _("Role “%(name)s” created.") % {"name": role.name})
                return redirect("settings-roles")
    return _render(
        request,
        "identity/settings/role_form.html",
        {
            "form": form,
            "groups": selectors.permissions_by_module(),
            "checked": checked,
            "role": None,
        },
        status=status,
    )


@login_required
def role_edit(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _principal(request, "core.roles.manage")
    role = get_object_or_404(Role.objects.prefetch_related("permissions"), pk=pk)
    form = RoleForm(
        request.POST or None, initial={"code": role.code, "name": role.name, "description": role.description}
    )
    form.fields["code"].disabled = True
    checked = set(role_permissions(role))
    locked = role.code == TENANT_ADMIN
    status = 200
    if request.method == "POST":
        if not locked:
            checked = set(_checked_permissions(request, "permissions"))
        if form.is_valid():
            try:
                actions.update_role(
                    principal,
                    role,
                    name=form.cleaned_data["name"],
                    description=form.cleaned_data["description"],
                    permissions=None if locked else sorted(checked),
                )
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
                status = 403
            except ValidationError as exc:
                for e in _errors(exc):
                    form.add_error(None, e)
            else:
                messages.success(request, _("Role saved."))
                return redirect("settings-roles")
    return _render(
        request,
        "identity/settings/role_form.html",
        {
            "form": form,
            "groups": selectors.permissions_by_module(),
            "checked": checked,
            "role": role,
            "locked": locked,
        },
        status=status,
    )


@login_required
@require_POST
def role_delete(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _principal(request, "core.roles.manage")
    role = get_object_or_404(Role, pk=pk)
    try:
        actions.delete_role(principal, role)
    except ValidationError as exc:
        messages.error(request, " ".join(_errors(exc)))
    else:
        messages.success(request, _("Role deleted."))
    return redirect("settings-roles")


@login_required
def role_matrix(request: HttpRequest) -> HttpResponse:
    """Permission matrix: rows are permissions grouped by module, columns are roles."""
    principal = _principal(request, "core.roles.manage")
    roles = list(selectors.list_roles())
    granted = {r.pk: set(role_permissions(r)) for r in roles}
    if request.method == "POST":
        principal.require("core.roles.assign")
        changed = 0
        # Only the columns the form showed: a role created meanwhile must not lose its permissions.
        shown = set(request.POST.getlist("roles"))
        try:
            with transaction.atomic():  # all columns or none: a refused column leaves the others unchanged
                for role in roles:
                    if role.code == TENANT_ADMIN or str(role.pk) not in shown:
                        continue  # Tenant Admin always has every permission
                    wanted = set(_checked_permissions(request, f"role_{role.pk}"))
                    if wanted != granted[role.pk]:
                        actions.update_role(principal, role, permissions=sorted(wanted))
                        changed += 1
        except PermissionDenied as exc:
            messages.error(request, str(exc))
            return redirect("settings-role-matrix")
        except ValidationError as exc:
            messages.error(request, " ".join(_errors(exc)))
            return redirect("settings-role-matrix")
        messages.success(request, _("Permissions saved (%(n)s roles changed).") % {"n": changed})
        return redirect("settings-role-matrix")
    columns = [(r, _role_label(r)) for r in roles]
    groups = []
    for module, perms in selectors.permissions_by_module():
        rows = [(p, [(r, p.code in granted[r.pk], r.code == TENANT_ADMIN) for r in roles]) for p in perms]
        groups.append((module, rows))
    return _render(request, "identity/settings/role_matrix.html", {"columns": columns, "groups": groups})


# --- audit log ------------------------------------------------------------------------------------------


def _date(value: str | None) -> dt.date | None:
    try:
        return parse_date(value)
    except ValueError:
        return None


@require_safe
@login_required
def audit_list(request: HttpRequest) -> HttpResponse:
    """The company's audit log, read-only for everyone (spec §3.1.1: Tenant Admin, Manager view)."""
    principal = _principal(request, "core.audit.view")
    g = request.GET
    qs = selectors.filter_audit(
        principal.tenant,
        action=g.get("action") if g.get("action") in AuditAction.values else None,
        actor=g.get("actor", "").strip()[:100] or None,
        object_type=g.get("object_type", "").strip()[:100] or None,
        since=_date(g.get("since")),
        until=_date(g.get("until")),
    )
    page = Paginator(qs, 50).get_page(g.get("page"))
    entries = [(e, selectors.audit_changes(e)) for e in page]
    query = g.copy()
    query.pop("page", None)
    return _render(
        request,
        "identity/settings/audit.html",
        {
            "page": page,
            "entries": entries,
            "actions": AuditAction.choices,
            "f": g,
            "query": query.urlencode(),
        },
    )


# --- company settings ------------------------------------------------------------------------------------


def _apply_settings(request: HttpRequest, principal: Principal, form: Any, changes: dict[str, Any]) -> bool:
    try:
        update_company_settings(principal, changes)
    except ValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, errs in exc.message_dict.items():
                for e in errs:
                    form.add_error(field if field in form.fields else None, e)
        else:
            for e in _errors(exc):
                form.add_error(None, e)
        return False
    messages.success(request, _("Settings saved."))
    return True


COMPANY_FIELDS = ("name", "legal_name", "address", "tax_code", "phone", "email")


@login_required
def company_settings(request: HttpRequest) -> HttpResponse:
    principal = _principal(request, "core.settings.company.view")
    tenant = principal.tenant
    can_edit = principal.has("core.settings.company.edit")
    form = CompanyForm(
        request.POST or None, request.FILES or None, initial={f: getattr(tenant, f) for f in COMPANY_FIELDS}
    )
    if request.method == "POST":
        principal.require("core.settings.company.edit")
        if form.is_valid():
            changes = {f: form.cleaned_data[f] for f in COMPANY_FIELDS}
            if form.cleaned_data.get("logo"):
                changes["logo"] = form.cleaned_data["logo"]
            if _apply_settings(request, principal, form, changes):
                return redirect("settings-company")
    if not can_edit:
        for field in form.fields.values():
            field.disabled = True
    return _render(request, "identity/settings/company.html", {"form": form, "can_edit": can_edit})


def _simple_settings(
    request: HttpRequest,
    *,
    permission: str,
    form_class: Any,
    fields: tuple[str, ...],
    template: str,
    url_name: str,
) -> HttpResponse:
    principal = _principal(request, permission)
    tenant = principal.tenant
    form = form_class(request.POST or None, initial={f: getattr(tenant, f) for f in fields})
    if request.method == "POST" and form.is_valid():
        if _apply_settings(request, principal, form, {f: form.cleaned_data[f] for f in fields}):
            return redirect(url_name)
    return _render(request, template, {"form": form})


@login_required
def appearance_settings(request: HttpRequest) -> HttpResponse:
    return _simple_settings(
        request,
        permission="core.settings.appearance",
        form_class=AppearanceForm,
        fields=("theme_color",),
        template="identity/settings/appearance.html",
        url_name="settings-appearance",
    )


@login_required
def region_settings(request: HttpRequest) -> HttpResponse:
    return _simple_settings(
        request,
        permission="core.settings.region",
        form_class=RegionForm,
        fields=("locale", "timezone", "base_currency"),
        template="identity/settings/region.html",
        url_name="settings-region",
    )


@login_required
def security_settings(request: HttpRequest) -> HttpResponse:
    return _simple_settings(
        request,
        permission="core.users.manage",
        form_class=SecurityForm,
        fields=("require_mfa",),
        template="identity/settings/security.html",
        url_name="settings-security",
    )


@login_required
def notification_settings(request: HttpRequest) -> HttpResponse:
    principal = _principal(request, "core.settings.notifications")
    form = CompanyNotificationsForm(request.POST or None, initial=notifications.company_settings(principal.tenant))
    if request.method == "POST" and form.is_valid():
        value = {**(principal.tenant.notification_settings or {}), **form.cleaned_data}
        if _apply_settings(request, principal, form, {"notification_settings": value}):
            return redirect("settings-notifications")
    return _render(request, "identity/settings/notifications.html", {"form": form})


@login_required
def subscription(request: HttpRequest) -> HttpResponse:
    principal = _principal(request, "core.subscription.view")
    tenant = principal.tenant
    screens = modules_with_screens()
    modules = [(MODULES["CORE"], True, True)] + [
        (MODULES[c], tenant.has_module(c), c in screens) for c in OPTIONAL_MODULES
    ]
    return _render(request, "identity/settings/subscription.html", {"modules": modules})


# --- API keys -----------------------------------------------------------------------------------------


@login_required
def api_keys(request: HttpRequest) -> HttpResponse:
    principal = _principal(request, "core.apikeys.manage")
    form = ApiKeyForm(request.POST or None)
    new_key = None
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            key, new_key = actions.create_api_key(
                principal, name=form.cleaned_data["name"], permissions=form.cleaned_data["permissions"]
            )
        except PermissionDenied as exc:
            form.add_error(None, str(exc))
            status = 403
        except ValidationError as exc:
            for e in _errors(exc):
                form.add_error(None, e)
        else:
            form = ApiKeyForm()
    keys = list(ApiKey.objects.all())
    return _render(
        request,
        "identity/settings/api_keys.html",
        {
            "form": form,
            "keys": keys,
            "new_key": new_key,
            "groups": selectors.permissions_by_module(),
            "checked": set(request.POST.getlist("permissions")) if new_key is None else set(),
        },
        status=status,
    )


@login_required
@require_POST
def api_key_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    principal = _principal(request, "core.apikeys.manage")
    actions.revoke_api_key(principal, get_object_or_404(ApiKey, pk=pk))
    messages.success(request, _("API key revoked."))
    return redirect("settings-api-keys")
