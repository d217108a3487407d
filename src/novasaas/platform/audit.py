"""Audit: who changed what, and every security event. Append-only (see AuditLog)."""

from __future__ import annotations

import datetime as dt
import decimal
import uuid
from typing import Any

from django.db import models
from django.db.models.fields.files import FieldFile
from django.forms.models import model_to_dict

from novasaas.platform.models import AuditAction, AuditLog, Tenant
from novasaas.platform.tenancy import get_current_tenant, platform_context, tenant_context

SECRET_FIELDS = {"password", "key_hash", "secret", "token_hash", "otp_secret", "key"}


def _jsonable(value: Any) -> Any:
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, dt.datetime | dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, uuid.UUID):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {k: _jsonable(v) for k, v in value.items()}
    if isinstance(value, FieldFile):  # an empty file field raises on ``.url``: use the name only
        return str(value.name or "")
    return value


def snapshot(obj: models.Model) -> dict[str, Any]:
    """Field values of ``obj`` for the audit trail, secrets removed."""
    data = model_to_dict(obj, fields=[f.name for f in obj._meta.concrete_fields])
    data.pop("tenant", None)
    return {k: _jsonable(v) for k, v in data.items() if k not in SECRET_FIELDS}


def diff(
    before: dict[str, Any] | None, after: dict[str, Any] | None
) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    if before is None or after is None:
        return before, after
    changed = {k for k in set(before) | set(after) if before.get(k) != after.get(k)}
    return {k: before.get(k) for k in changed}, {k: after.get(k) for k in changed}


def record(
    action: str,
    *,
    actor: Any = None,
    tenant: Tenant | None = None,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
    message: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditLog:
    """Append one audit entry. ``tenant`` defaults to the current tenant (None for platform events)."""
    entry = build(
        action,
        actor=actor,
        tenant=tenant,
        obj=obj,
        before=before,
        after=after,
        ip=ip,
        message=message,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr,
    )
    write([entry])
    return entry


def build(
    action: str,
    *,
    actor: Any = None,
    tenant: Tenant | None = None,
    obj: models.Model | None = None,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    ip: str | None = None,
    message: str = "",
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
) -> AuditLog:
    """The audit entry ``record`` would append, not yet written: for ``write``, which appends several
    of one tenant in one statement (a document created and posted in one request)."""
    tenant = tenant if tenant is not None else get_current_tenant()
    if obj is not None:
        object_type = object_type or obj._meta.label
        object_id = object_id or str(obj.pk)
        object_repr = object_repr or str(obj)[:300]
    if action == AuditAction.UPDATE:
        before, after = diff(before, after)
    from novasaas.platform.request_context import get_request_ip

    return AuditLog(
        tenant=tenant,
        actor=actor if getattr(actor, "pk", None) else None,
        actor_label=str(getattr(actor, "email", "") or "")[:254],
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=object_repr[:300],
        before=_jsonable(before),
        after=_jsonable(after),
        ip=ip or get_request_ip(),
        message=message[:500],
    )


def write(entries: list[AuditLog]) -> None:
    """Append entries built by ``build`` (all of one tenant, or all platform events), in order, in one
    statement."""
    if not entries:
        return
    tenant_ids = {e.tenant_id for e in entries}
    if len(tenant_ids) != 1:
        raise ValueError("audit.write: entries of one tenant at a time")
    tenant = entries[0].tenant
    current = get_current_tenant()
    if tenant is None:
        with platform_context():
            _append(entries)
    elif current is None or current.pk != tenant.pk:
        with tenant_context(tenant):
            _append(entries)
    else:
        _append(entries)


def _append(entries: list[AuditLog]) -> None:
    if len(entries) == 1:
        entries[0].save()
    else:
        AuditLog.objects.bulk_create(entries)


def record_created(obj: models.Model, actor: Any) -> None:
    record(AuditAction.CREATE, actor=actor, obj=obj, after=snapshot(obj))


def record_updated(obj: models.Model, actor: Any, before: dict[str, Any]) -> None:
    after = snapshot(obj)
    if before != after:
        record(AuditAction.UPDATE, actor=actor, obj=obj, before=before, after=after)


def record_deleted(obj: models.Model, actor: Any, before: dict[str, Any] | None = None) -> None:
    record(AuditAction.DELETE, actor=actor, obj=obj, before=before or snapshot(obj))


def list_entries(tenant: Tenant) -> models.QuerySet[AuditLog]:
    """A tenant's audit entries (explicit tenant filter: the audit table is not a TenantModel)."""
    return AuditLog.objects.filter(tenant=tenant).select_related("actor")
