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
from datetime import timedelta
from typing import Any, TypeVar

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
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


MAX_ATTEMPTS = 5


def _lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "OUTBOX_LEASE_SECONDS", 300))


def deliver_pending(limit: int = 100) -> int:
    """Deliver pending outbox messages; returns how many were delivered. Safe to run concurrently.

    Each message goes through three short transactions: the claim (count the attempt, take a lease),
    the handler (its writes and effect markers commit with it), and the outcome (done, or the error).
    A worker killed at any point leaves the attempt counted: the message is retried when its lease
    expires, and after ``MAX_ATTEMPTS`` tries — crashes included — it ends as failed, visible to
    Master Admin, instead of killing every worker that picks it up.
    """
    from novasaas.platform.models import OutboxMessage, OutboxStatus, Tenant
    from novasaas.platform.tenancy import platform_context, tenant_context

    delivered = 0
    now = timezone.now()
    with platform_context():
        pending = list(
            OutboxMessage.objects.filter(status=OutboxStatus.PENDING)
            .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
            .order_by("id")
            .values_list("id", "tenant_id")[:limit]
        )
    tenants: dict[int, Tenant] = {}
    for message_id, tenant_id in pending:
        if tenant_id not in tenants:
            with platform_context():
                tenants[tenant_id] = Tenant.objects.get(pk=tenant_id)
        tenant = tenants[tenant_id]
        with transaction.atomic(), tenant_context(tenant, savepoint=False):  # atomic's savepoint when nested
            message = _claim(message_id)
        if message is None:
            continue
        error = ""
        try:
            with transaction.atomic(), tenant_context(tenant, savepoint=False):  # atomic's savepoint when nested
                handler = _resolve(message.handler)
                payload = dict(message.payload)
                event_cls = _events_by_name.get(message.event)
                event = event_cls(**payload) if event_cls else payload
                if _takes_message_id(handler):
                    handler(event, message_id=message.pk)
                else:
                    handler(event)
        except Exception as exc:  # recorded, retried up to MAX_ATTEMPTS times, then visible as failed
            log.exception("outbox message %s failed (attempt %s)", message.pk, message.attempts)
            error = f"{type(exc).__name__}: {exc}"[:2000]
        with transaction.atomic(), tenant_context(tenant, savepoint=False):  # atomic's savepoint when nested
            _record_outcome(message, error)
        delivered += not error
    return delivered


def _record_outcome(message: Any, error: str) -> None:
    """Mark a claimed message done, or record its error: retried after a back-off, failed at the last try."""
    from novasaas.platform.models import OutboxMessage, OutboxStatus

    if error:
        failed = message.attempts >= MAX_ATTEMPTS
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxStatus.FAILED if failed else OutboxStatus.PENDING,
            last_error=error,
            locked_until=None if failed else timezone.now() + _retry_delay(message.attempts),
        )
    else:
        OutboxMessage.objects.filter(pk=message.pk).update(
            status=OutboxStatus.DONE, delivered_at=timezone.now(), locked_until=None
        )


def _retry_delay(attempts: int) -> timedelta:
    """Back off after a failure: 0 s after the first (a sweep retries at once), then 30 s, 2, 8, 32 min."""
    return timedelta(seconds=0 if attempts <= 1 else 30 * 4 ** (attempts - 2))


def _claim(message_id: int) -> Any:
    """Count an attempt and lease the message, or None when another worker holds it or it is done.
    A message whose earlier attempts all died with their worker ends here as failed."""
    from novasaas.platform.models import OutboxMessage, OutboxStatus

    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, status=OutboxStatus.PENDING)
        .filter(Q(locked_until__isnull=True) | Q(locked_until__lte=now))
        .update(attempts=F("attempts") + 1, locked_until=now + _lease())
    )
    if not claimed:
        return None
    message = OutboxMessage.objects.get(pk=message_id)
    if message.attempts > MAX_ATTEMPTS:
        message.attempts = MAX_ATTEMPTS
        message.status = OutboxStatus.FAILED
        message.locked_until = None
        message.last_error = (message.last_error or f"the worker stopped during delivery {MAX_ATTEMPTS} times")[:2000]
        message.save(update_fields=["attempts", "status", "locked_until", "last_error"])
        log.error("outbox message %s failed: its deliveries kept stopping the worker", message_id)
        return None
    return message


def message_key(message_id: int, recipient: str = "") -> str:
    """The stable key of one outside effect of an outbox message: the Message-ID of its email, the
    ``Idempotency-Key`` header of its webhook, the key of its ``EffectMarker``."""
    return f"outbox-{message_id}" + (f"-{recipient}" if recipient else "")


def _takes_message_id(handler: Callable[..., Any]) -> bool:
    import inspect

    return "message_id" in inspect.signature(handler).parameters
