"""Background tasks (Django tasks API, database backend). Arguments are ids, the tenant id first."""

from __future__ import annotations

from django_tasks import task

from novasaas.platform.events import deliver_pending


@task()
def deliver_outbox() -> int:
    """Deliver pending outbox messages (enqueued after each commit that wrote some)."""
    return deliver_pending()
