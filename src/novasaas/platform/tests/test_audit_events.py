from dataclasses import dataclass

import pytest
from django.db import DatabaseError, connection, transaction

from novasaas.platform import audit
from novasaas.platform.events import DomainEvent, publish, subscriber
from novasaas.platform.models import AuditAction, AuditLog, OutboxMessage, OutboxStatus
from novasaas.platform.tenancy import tenant_context


def test_audit_log_is_append_only(tenant_a, admin_a):
    with tenant_context(tenant_a):
        entry = audit.record(AuditAction.OTHER, actor=admin_a, message="hello")
        with pytest.raises(PermissionError):
            entry.message = "changed"
            entry.save()
        with pytest.raises(PermissionError):
            entry.delete()
        with pytest.raises(PermissionError):
            AuditLog.objects.filter(pk=entry.pk).update(message="x")
        with pytest.raises(PermissionError):
            AuditLog.objects.filter(pk=entry.pk).delete()


@pytest.mark.postgres_only
def test_audit_log_refuses_sql_update_and_delete(tenant_a, admin_a):
    with tenant_context(tenant_a):
        entry = audit.record(AuditAction.OTHER, actor=admin_a, message="hello")
        for sql in (
            "UPDATE platform_auditlog SET message = 'x' WHERE id = %s",
            "DELETE FROM platform_auditlog WHERE id = %s",
        ):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql, [entry.pk])


@dataclass(frozen=True, kw_only=True)
class _Pinged(DomainEvent):
    value: int


_seen: list[tuple[str, int]] = []


@subscriber(_Pinged, module="ACC")
def _on_ping_acc(event: _Pinged) -> None:
    _seen.append(("ACC", event.value))


@subscriber(_Pinged, module="HRM")
def _on_ping_hrm(event: _Pinged) -> None:
    _seen.append(("HRM", event.value))


@subscriber(_Pinged, module="ACC", after_commit=True)
def _on_ping_later(event: _Pinged, message_id: int) -> None:
    _seen.append(("later", event.value))


def test_subscribers_run_only_for_enabled_modules(db):
    from novasaas.platform.testing.fixtures import create_tenant

    tenant = create_tenant("evt", modules=["ACC"])
    _seen.clear()
    with tenant_context(tenant):
        publish(_Pinged(tenant_id=tenant.pk, value=7))
        assert ("ACC", 7) in _seen and ("HRM", 7) not in _seen
        assert OutboxMessage.objects.filter(status=OutboxStatus.PENDING).count() == 1


def test_outbox_delivers_after_commit(db):
    from novasaas.platform.events import deliver_pending
    from novasaas.platform.testing.fixtures import create_tenant

    tenant = create_tenant("evt2", modules=["ACC"])
    _seen.clear()
    with tenant_context(tenant):
        publish(_Pinged(tenant_id=tenant.pk, value=9))
    assert deliver_pending() == 1
    assert ("later", 9) in _seen
    assert deliver_pending() == 0  # delivered once, not again
