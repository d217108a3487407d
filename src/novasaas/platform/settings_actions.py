"""Company settings (spec §3.1.2): each section has its own permission."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.platform import audit
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.tenancy import platform_context

SECTIONS: dict[str, tuple[str, ...]] = {
    "core.settings.company.edit": ("name", "legal_name", "address", "tax_code", "phone", "email", "logo"),
    "core.settings.appearance": ("theme_color",),
    "core.settings.region": ("locale", "timezone", "base_currency"),
    "core.settings.notifications": ("notification_settings",),
    "core.users.manage": ("require_mfa",),
}
FIELD_PERMISSION = {field: perm for perm, fields in SECTIONS.items() for field in fields}
# Checks of a module on a change (tenant, changes) before anything is written; they raise
# ValidationError/PermissionDenied. billing appends its plan gate of branding (logo, theme colour).
CHANGE_CHECKS: list[Callable[[Tenant, dict[str, Any]], None]] = []


def update_company_settings(principal: Any, changes: dict[str, Any]) -> Tenant:
    """Apply ``changes`` to the principal's tenant; every field needs its section's permission."""
    unknown = set(changes) - set(FIELD_PERMISSION)
    if unknown:
        raise ValidationError(_("Unknown setting(s): %(s)s") % {"s": ", ".join(sorted(unknown))})
    for field in changes:
        if not principal.has(FIELD_PERMISSION[field]):
            raise PermissionDenied(_("You cannot change this setting."))
    tenant: Tenant = principal.tenant
    if "timezone" in changes:
        import zoneinfo

        if changes["timezone"] not in zoneinfo.available_timezones():
            raise ValidationError({"timezone": [_("Unknown time zone.")]})
    for check in CHANGE_CHECKS:
        check(tenant, changes)
    with platform_context(), transaction.atomic():
        fresh = Tenant.objects.select_for_update().get(pk=tenant.pk)
        before = audit.snapshot(fresh)
        for field, value in changes.items():
            setattr(fresh, field, value if value is not None else "")
        fresh.full_clean(exclude=["logo"])
        fresh.save()
        audit.record(
            AuditAction.UPDATE,
            actor=principal.user,
            tenant=fresh,
            obj=fresh,
            before=before,
            after=audit.snapshot(fresh),
        )
    for field in changes:
        setattr(tenant, field, getattr(fresh, field))
    return fresh
