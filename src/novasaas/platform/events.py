"""Domain events: how modules integrate without importing each other (spec §11).

    @dataclass(frozen=True)
    class InvoiceIssued(DomainEvent):
        invoice_id: int
        total: str

    @subscriber(InvoiceIssued, module="ACC")
    def post_invoice(event: InvoiceIssued) -> None: ...

    publish(InvoiceIssued(tenant_id=t.pk, invoice_id=inv.pk, total="100000"))

``publish`` runs the synchronous subscribers at once, inside the caller's transaction and tenant
context, only for modules the tenant has enabled: if a subscriber fails, the whole business action
rolls back. Subscribers registered with ``after_commit=True`` (emails, webhooks, slow work) are written
to the outbox in the same transaction and delivered after commit by a task, at least once; their
handler receives the outbox message id so it can be idempotent.
"""

from __future__ import annotations

import dataclasses
import importlib
import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction
from django.utils import timezone

from novasaas.platform.tenancy import current_tenant

log = logging.getLogger(__name__)


@dataclass(frozen=True, kw_only=True)
class DomainEvent:
    tenant_id: int

    @classmethod
    def event_name(cls) -> str:
        return f"{cls.__module__}.{cls.__qualname__}"

    def to_payload(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


E = TypeVar("E", bound=DomainEvent)


@dataclass(frozen=True)
class _Subscription:
    module: str
    handler: Callable[[Any], None]
    after_commit: bool

    @property
    def path(self) -> str:
        return f"{self.handler.__module__}.{self.handler.__qualname__}"


_subscribers: dict[type[DomainEvent], list[_Subscription]] = defaultdict(list)
_events_by_name: dict[str, type[DomainEvent]] = {}


def subscriber(
    event: type[E], *, module: str, after_commit: bool = False
) -> Callable[[Callable[[E], None]], Callable[[E], None]]:
    """Register ``handler`` for ``event``; it runs only for tenants that have ``module`` enabled."""

    def decorator(handler: Callable[[E], None]) -> Callable[[E], None]:
        _events_by_name[event.event_name()] = event
        subs = _subscribers[event]
        if not any(s.handler is handler for s in subs):
            subs.append(_Subscription(module=module, handler=handler, after_commit=after_commit))
        return handler

    return decorator


def subscriptions(event: type[DomainEvent]) -> list[_Subscription]:
    return list(_subscribers.get(event, []))


def publish(event: DomainEvent) -> None:
    """Deliver ``event`` to the subscribers of enabled modules (see module docstring)."""
    tenant = current_tenant()
    if event.tenant_id != tenant.pk:
        raise ValueError("an event is published in its own tenant's context")
    from novasaas.platform.models import OutboxMessage

    queued = False
    for sub in _subscribers.get(type(event), []):
        if not tenant.has_module(sub.module):
            continue
        if sub.after_commit:
            OutboxMessage.objects.create(event=event.event_name(), handler=sub.path, payload=event.to_payload())
            queued = True
        else:
            sub.handler(event)
    if queued:
        transaction.on_commit(_enqueue_delivery)


def _enqueue_delivery() -> None:
    from novasaas.platform.tasks import deliver_outbox

    try:
        deliver_outbox.enqueue()
    except Exception:  # the worker's periodic sweep picks pending messages up anyway
        log.exception("could not enqueue outbox delivery")


def _resolve(path: str) -> Callable[..., Any]:
    module_name, _, attr = path.rpartition(".")
    obj: Any = importlib.import_module(module_name)
    for part in attr.split("."):
        obj = getattr(obj, part)
    return obj  # type: ignore[no-any-return]


def deliver_pending(limit: int = 100) -> int:
    """Deliver pending outbox messages; returns how many were delivered. Safe to run concurrently."""
    from novasaas.platform.models import OutboxMessage, OutboxStatus, Tenant
    from novasaas.platform.tenancy import platform_context, tenant_context

    delivered = 0
    with platform_context():
        pending = list(
            OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
            .order_by("id")
            .values_list("id", "tenant_id")[:limit]
        )
    tenants: dict[int, Tenant] = {}
    for message_id, tenant_id in pending:
        if tenant_id not in tenants:
            with platform_context():
                tenants[tenant_id] = Tenant.objects.get(pk=tenant_id)
        with tenant_context(tenants[tenant_id]):
            message = OutboxMessage.objects.select_for_update(skip_locked=True).filter(
                pk=message_id, status=OutboxStatus.PENDING
            ).first()
            if message is None:
                continue
            event_cls = _events_by_name.get(message.event)
            try:
                handler = _resolve(message.handler)
                payload = dict(message.payload)
                event = event_cls(**payload) if event_cls else payload
                with transaction.atomic():
                    if _takes_message_id(handler):
                        handler(event, message_id=message.pk)
                    else:
                        handler(event)
                message.status = OutboxStatus.DONE
                message.delivered_at = timezone.now()
                delivered += 1
            except Exception as exc:  # recorded, retried up to 5 times, then visible as failed
                log.exception("outbox message %s failed", message.pk)
                message.attempts += 1
                message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
                if message.attempts >= 5:
                    message.status = OutboxStatus.FAILED
            message.save(update_fields=["status", "attempts", "last_error", "delivered_at"])
    return delivered


def _takes_message_id(handler: Callable[..., Any]) -> bool:
    import inspect

    return "message_id" in inspect.signature(handler).parameters
