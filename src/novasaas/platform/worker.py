"""The background worker that survives faults (``novasaas worker``).

It is django-tasks-db's worker loop with three additions:

- **Reconnect.** A database error outside a task (PostgreSQL restarted, the connection cut) is logged,
  every connection is closed and the loop goes on after a back-off (1 s doubling to 30 s), instead of
  the process exiting with ``OperationalError`` and background work stopping until someone restarts it.
- **Heartbeat and lease.** A thread writes ``WorkerHeartbeat.seen_at`` every ``WORKER_HEARTBEAT_SECONDS``
  (also while a long task runs). A task left ``RUNNING`` by a worker whose heartbeat is older than
  ``WORKER_LEASE_SECONDS`` (kill -9, lost machine) is put back in the queue; a crash counts as an attempt
  (``DBTaskResult.worker_ids`` holds one id per claim) and after ``TASK_MAX_ATTEMPTS`` claims it ends as
  failed, so a task that kills its worker does not loop forever.
- **Sweep.** Every ``--sweep-interval`` seconds it re-queues such tasks and delivers pending outbox
  messages, so nothing waits for an unrelated event to queue a delivery (platform/events.py), and runs
  the daily jobs that are due (``platform/periodic.py``: ``DAILY_JOBS`` once a day after ``DAILY_JOBS_AT``).
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from collections.abc import Callable
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, OperationalError, close_old_connections, connections, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception

from novasaas.platform import periodic
from novasaas.platform.models import WorkerHeartbeat

log = logging.getLogger(__name__)

TASK_MAX_ATTEMPTS = 3
WORKER_LOST = "novasaas.platform.worker.WorkerLost"


class WorkerLost(Exception):
    """Recorded as the failure of a task whose worker died on each of its attempts."""


def lease() -> timedelta:
    return timedelta(seconds=getattr(settings, "WORKER_LEASE_SECONDS", 60))


def heartbeat_every() -> float:
    return float(getattr(settings, "WORKER_HEARTBEAT_SECONDS", 10))


def beat(worker_id: str, *, started: bool = False) -> None:
    """Record that ``worker_id`` is alive now."""
    now = timezone.now()
    defaults: dict[str, Any] = {"seen_at": now, "host": socket.gethostname()[:200], "pid": os.getpid()}
    if started:
        defaults["started_at"] = now
    WorkerHeartbeat.objects.update_or_create(worker_id=worker_id, defaults=defaults)


def requeue_stale_tasks(*, now: Any = None) -> tuple[int, int]:
    """Put back in the queue the tasks whose worker stopped beating; fail those out of attempts.
    Returns (re-queued, failed)."""
    now = now or timezone.now()
    cutoff = now - lease()
    alive = set(WorkerHeartbeat.objects.filter(seen_at__gte=cutoff).values_list("worker_id", flat=True))
    requeued = failed = 0
    with transaction.atomic():
        running = DBTaskResult.objects.running().filter(started_at__lt=cutoff).select_for_update(skip_locked=True)
        for task in running:
            if task.worker_ids and task.worker_ids[-1] in alive:
                continue  # a long task of a living worker
            if len(task.worker_ids) >= TASK_MAX_ATTEMPTS:
                task.status = TaskResultStatus.FAILED
                task.finished_at = now
                task.exception_class_path = WORKER_LOST
                task.traceback = (
                    f"{WORKER_LOST}: the worker stopped while running this task "
                    f"{len(task.worker_ids)} times ({', '.join(task.worker_ids)})"
                )
                task.save(update_fields=["status", "finished_at", "exception_class_path", "traceback"])
                log.error("task %s (%s) failed: worker died %d times", task.pk, task.task_path, len(task.worker_ids))
                failed += 1
            else:
                task.status = TaskResultStatus.READY
                task.run_after = now
                task.save(update_fields=["status", "run_after"])
                log.warning("task %s (%s) re-queued: worker %s stopped", task.pk, task.task_path, task.worker_ids[-1:])
                requeued += 1
    return requeued, failed


def sweep(limit: int = 500) -> dict[str, int]:
    """One maintenance pass: stale tasks back in the queue, pending outbox messages delivered."""
    from novasaas.platform.events import deliver_pending

    requeued, failed = requeue_stale_tasks()
    delivered = 0
    while True:
        batch = deliver_pending(limit=limit)
        delivered += batch
        if batch < limit:
            break
    return {"requeued": requeued, "failed": failed, "delivered": delivered}


class _Heartbeat(threading.Thread):
    def __init__(self, worker_id: str) -> None:
        super().__init__(name=f"heartbeat-{worker_id[:8]}", daemon=True)
        self.worker_id = worker_id
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(heartbeat_every()):
                try:
                    beat(self.worker_id)
                except DatabaseError:
                    log.warning("heartbeat of worker %s not written (database unavailable)", self.worker_id)
                    connections.close_all()
        finally:
            connections.close_all()


class ResilientWorker(Worker):
    """``Worker.run`` with reconnect/back-off, heartbeat and a periodic sweep (see module docstring)."""

    def __init__(self, *, sweep_interval: float = 30.0, sleep: Callable[[float], None] = time.sleep, **kw: Any):
        super().__init__(**kw)
        self.sweep_interval = sweep_interval
        self.sleep = sleep
        self.backoff = 0.0
        self.last_sweep = float("-inf")
        self.database_errors = 0

    def run(self) -> None:
        log.info("worker %s starting (queues %s)", self.worker_id, ",".join(self.queue_names))
        heartbeat = _Heartbeat(self.worker_id)
        try:
            self._guard(lambda: beat(self.worker_id, started=True))
            heartbeat.start()
            while self.running:
                outcome = self._guard(self.step)
                if outcome == "stop":
                    return
                if outcome == "error":
                    self.sleep(self.backoff)
                elif outcome == "idle" and self.running:
                    self.sleep(self.interval)
        finally:
            heartbeat.stopped.set()

    def _guard(self, func: Callable[[], Any]) -> Any:
        """Run one step; a database error is logged and turns into a back-off, never an exit."""
        try:
            result = func()
        except DatabaseError as exc:
            self.database_errors += 1
            self.backoff = min(max(self.backoff * 2, 1.0), 30.0)
            log.warning("worker %s: database unavailable (%s); retrying in %.0f s", self.worker_id, exc, self.backoff)
            connections.close_all()
            return "error"
        if self.backoff:
            log.info("worker %s: database reachable again", self.worker_id)
            self.backoff = 0.0
        return result

    def step(self) -> str:
        """Sweep if due, then claim and run at most one task: 'ran', 'idle' or 'stop'."""
        close_old_connections()
        if time.monotonic() - self.last_sweep >= self.sweep_interval:
            self.last_sweep = time.monotonic()
            done = sweep()
            if any(done.values()):
                log.info("worker %s sweep: %s", self.worker_id, done)
            periodic.run_daily_jobs()  # the daily jobs, once a day (platform/periodic.py)
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        if self.excluded_queue_names:
            tasks = tasks.exclude(queue_name__in=self.excluded_queue_names)
        task_result = None
        try:
            with exclusive_transaction(tasks.db):
                task_result = tasks.get_locked()
                if task_result is not None:
                    task_result.claim(self.worker_id)
        except OperationalError as exc:
            if not is_locked_database_exception(exc):
                raise
            task_result = None  # SQLite busy: try again on the next turn
        if task_result is not None:
            self.run_task(task_result)
        if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
            return "stop"
        if task_result is None and self.batch:
            return "stop"
        close_old_connections()
        return "ran" if task_result is not None else "idle"
