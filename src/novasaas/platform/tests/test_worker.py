"""Background work that survives faults (issue 19): the worker outlives database errors, a task whose
worker died is re-queued and counted, the outbox never loses a message and repeats no effect."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.db import OperationalError, connection, connections, transaction
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult
from hypothesis import HealthCheck, given
from hypothesis import settings as hsettings
from hypothesis import strategies as st

from novasaas.platform import events, worker
from novasaas.platform.models import EffectMarker, OutboxMessage, OutboxStatus, WorkerHeartbeat
from novasaas.platform.notifications import EMAIL_EVENT, EMAIL_HANDLER, email_message_id
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.worker import ResilientWorker, requeue_stale_tasks, sweep

TASK = "novasaas.platform.tasks.deliver_outbox"


@pytest.fixture(autouse=True)
def _database_task_backend(settings: Any) -> None:
    """The worker runs tasks queued in the database (tests otherwise run tasks at once)."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}


def _task(**fields: Any) -> DBTaskResult:
    fields.setdefault("run_after", timezone.now())
    return DBTaskResult.objects.create(
        task_path=TASK, args_kwargs={"args": [], "kwargs": {}}, backend_name="default", **fields
    )


class _Sleeps(list):
    """Records the worker's sleeps instead of sleeping; a worker that loops without end fails the test."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)
        assert len(self) < 50, "the worker kept looping"


def _worker(sleeps: list[float], **kw: Any) -> ResilientWorker:
    options: dict[str, Any] = {
        "queue_names": ["default"],
        "interval": 0,
        "batch": False,
        "backend_name": "default",
        "startup_delay": False,
        "max_tasks": 1,
        "worker_id": "worker-test",
        "excluded_queue_names": [],
        "sweep_interval": 3600,
        "sleep": sleeps if isinstance(sleeps, _Sleeps) else _Sleeps(),
    }
    options.update(kw)
    return ResilientWorker(**options)


def _email(tenant: Any, to: str) -> OutboxMessage:
    with tenant_context(tenant):
        return OutboxMessage.objects.create(
            event=EMAIL_EVENT,
            handler=EMAIL_HANDLER,
            payload={"tenant_id": tenant.pk, "to": to, "subject": "Nhắc nợ", "body": "Hạn 31/12", "locale": "vi"},
        )


def _state(message: OutboxMessage) -> OutboxMessage:
    with platform_context():
        return OutboxMessage.objects.get(pk=message.pk)


# --- the worker loop --------------------------------------------------------------------------------


def test_a_database_error_backs_off_and_the_worker_goes_on(transactional_db, monkeypatch):
    task = _task()
    real_ready = DBTaskResult.objects.ready
    failures = iter([OperationalError("terminating connection due to administrator command")] * 2)

    def flaky_ready() -> Any:
        exc = next(failures, None)
        if exc is not None:
            raise exc
        return real_ready()

    monkeypatch.setattr(DBTaskResult.objects, "ready", flaky_ready)
    sleeps = _Sleeps()
    w = _worker(sleeps)
    w.run()  # returns after its one task instead of dying on the first error
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert sleeps == [1.0, 2.0] and w.database_errors == 2 and w.backoff == 0
    assert WorkerHeartbeat.objects.get(worker_id="worker-test").pid > 0


@pytest.mark.postgres_only
def test_the_worker_survives_its_connection_being_terminated(transactional_db, monkeypatch):
    """What a PostgreSQL restart does to the worker: its backend is terminated between two turns."""
    import psycopg

    monkeypatch.setattr(worker, "close_old_connections", lambda: None)  # keep the connection, as in production
    _task()
    pid = connection.connection.info.backend_pid
    params = connection.get_connection_params()
    with psycopg.connect(**{k: v for k, v in params.items() if k in {"host", "port", "user", "dbname"}}) as admin:
        admin.execute("SELECT pg_terminate_backend(%s)", [pid])
    sleeps = _Sleeps()
    w = _worker(sleeps)
    w.run()
    # the health check replaces the dead connection before use (else: one back-off, then a new one)
    assert sleeps in ([], [1.0])
    assert connection.connection.info.backend_pid != pid
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL
    connections.close_all()


# --- lease and re-queue of tasks whose worker died --------------------------------------------------


def test_a_task_left_running_by_a_dead_worker_is_requeued_and_run(transactional_db):
    stale = timezone.now() - timedelta(minutes=5)
    task = _task(status=TaskResultStatus.RUNNING, started_at=stale, worker_ids=["dead-worker"])
    alive = _task(status=TaskResultStatus.RUNNING, started_at=stale, worker_ids=["busy-worker"])
    worker.beat("busy-worker")  # a long task of a worker still beating is left alone
    assert requeue_stale_tasks() == (1, 0)
    task.refresh_from_db()
    alive.refresh_from_db()
    assert task.status == TaskResultStatus.READY and alive.status == TaskResultStatus.RUNNING
    _worker([]).run()
    task.refresh_from_db()
    assert task.status == TaskResultStatus.SUCCESSFUL
    assert task.worker_ids == ["dead-worker", "worker-test"]  # the crash counted as an attempt


def test_a_fresh_running_task_is_not_requeued(db):
    task = _task(status=TaskResultStatus.RUNNING, started_at=timezone.now(), worker_ids=["dead-worker"])
    assert requeue_stale_tasks() == (0, 0)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_task_that_kills_its_worker_every_time_ends_failed(db):
    stale = timezone.now() - timedelta(minutes=5)
    task = _task(status=TaskResultStatus.RUNNING, started_at=stale, worker_ids=["w1", "w2", "w3"])
    assert requeue_stale_tasks() == (0, 1)
    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert task.exception_class_path == worker.WORKER_LOST and "3 times" in task.traceback


def test_the_sweep_delivers_what_no_event_queued(db, tenant_a):
    """A message whose delivery task was lost (kill between commit and enqueue) goes out on the next sweep."""
    message = _email(tenant_a, "ke.toan@example.vn")
    assert sweep()["delivered"] == 1
    assert _state(message).status == OutboxStatus.DONE
    assert [m.to for m in mail.outbox] == [["ke.toan@example.vn"]]


def test_the_worker_sweeps_on_its_first_turn(transactional_db, tenant_a):
    message = _email(tenant_a, "a@example.vn")
    _worker([], sweep_interval=30, batch=True, max_tasks=None).run()
    assert _state(message).status == OutboxStatus.DONE


# --- outbox delivery: attempts, leases, effects -------------------------------------------------------


def test_email_message_id_is_derived_from_the_outbox_message(db, tenant_a):
    message = _email(tenant_a, "a@example.vn")
    assert events.deliver_pending() == 1
    assert mail.outbox[0].extra_headers["Message-ID"] == email_message_id(message.pk)
    assert email_message_id(message.pk) == email_message_id(message.pk)
    with tenant_context(tenant_a):
        assert EffectMarker.objects.filter(key__contains=f"outbox-{message.pk}-a@example.vn").count() == 1


def test_a_redelivery_after_the_effect_does_not_send_again(db, tenant_a):
    """The mail server accepted it, then the worker died before the outbox row said so."""
    message = _email(tenant_a, "a@example.vn")
    assert events.deliver_pending() == 1
    with platform_context():  # as if the outcome had not committed
        OutboxMessage.objects.filter(pk=message.pk).update(status=OutboxStatus.PENDING, locked_until=None)
    assert events.deliver_pending() == 1
    assert len(mail.outbox) == 1


def test_a_failing_message_backs_off_and_ends_failed_after_five_attempts(db, tenant_a, monkeypatch):
    message = _email(tenant_a, "a@example.vn")

    def refuse(self: Any, *a: Any, **kw: Any) -> int:
        raise ConnectionRefusedError("mail server down")

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", refuse)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for attempt in range(1, 6):
            assert events.deliver_pending() == 0
            state = _state(message)
            assert state.attempts == attempt and "mail server down" in state.last_error
            if attempt >= 2:  # backed off: a sweep right after does not hammer the mail server
                assert events.deliver_pending() == 0 and _state(message).attempts == attempt
            clock.shift(timedelta(hours=1))
    assert _state(message).status == OutboxStatus.FAILED
    assert not mail.outbox


def test_a_message_whose_delivery_kills_the_worker_ends_failed(db, tenant_a, monkeypatch):
    message = _email(tenant_a, "a@example.vn")

    class Killed(BaseException):
        pass

    def die(self: Any, *a: Any, **kw: Any) -> int:
        raise Killed

    monkeypatch.setattr("django.core.mail.backends.locmem.EmailBackend.send_messages", die)
    with time_machine.travel(timezone.now(), tick=False) as clock:
        for _ in range(events.MAX_ATTEMPTS):
            with pytest.raises(Killed):
                events.deliver_pending()
            assert events.deliver_pending() == 0  # leased: nobody else picks it up meanwhile
            clock.shift(timedelta(seconds=301))
        assert events.deliver_pending() == 0
    state = _state(message)
    assert state.status == OutboxStatus.FAILED and state.attempts == events.MAX_ATTEMPTS
    assert "stopped during delivery" in state.last_error


class Crash(BaseException):
    """A kill -9 at one point of delivery: nothing after it runs, the open transaction rolls back."""


POINTS = ["claim", "before_send", "after_send", "outcome", None]


@hsettings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(plan=st.lists(st.sampled_from(POINTS), min_size=1, max_size=12), n=st.integers(min_value=1, max_value=3))
def test_random_crashes_never_lose_a_message_nor_repeat_an_email(tenant_a, monkeypatch, plan, n):
    """Property: whatever crashes happen and wherever, after the lease every message is delivered, its
    email accepted by the server under one Message-ID, and sent twice only when the crash fell between
    the server's acceptance and the commit of the effect marker (then with the same Message-ID, which
    mail servers and clients collapse)."""
    from django.core.mail.backends.locmem import EmailBackend

    real_send = EmailBackend.send_messages
    real_claim = events._claim
    real_outcome = events._record_outcome
    crashes = iter(plan)
    window: dict[int, int] = {}  # message id -> crashes between acceptance and marker
    counted: dict[int, int] = {}  # message id -> crashes after its attempt was counted

    def next_point(point: str) -> None:
        if current["point"] == point:
            current["point"] = next(crashes, None)
            raise Crash(point)

    def send(self: Any, messages: Any) -> int:
        (pk,) = {int(m.extra_headers["Message-ID"].split("-")[1].split("@")[0]) for m in messages}
        if current["point"] in ("before_send", "after_send"):
            counted[pk] = counted.get(pk, 0) + 1
        next_point("before_send")
        sent = real_send(self, messages)
        if current["point"] == "after_send":
            window[pk] = window.get(pk, 0) + 1
        next_point("after_send")
        return sent

    def claim(message_id: int) -> Any:
        next_point("claim")
        return real_claim(message_id)

    def outcome(message: Any, error: str) -> None:
        if current["point"] == "outcome":
            counted[message.pk] = counted.get(message.pk, 0) + 1
        next_point("outcome")
        real_outcome(message, error)

    current: dict[str, Any] = {"point": next(crashes, None)}
    mail.outbox = []
    with monkeypatch.context() as patch, transaction.atomic():
        patch.setattr(EmailBackend, "send_messages", send)
        patch.setattr(events, "_claim", claim)
        patch.setattr(events, "_record_outcome", outcome)
        sid = transaction.savepoint()
        messages = [_email(tenant_a, f"nv{i}@example.vn") for i in range(n)]
        with time_machine.travel(timezone.now(), tick=False) as clock:
            for _ in range(len(plan) + n + 2):
                try:
                    events.deliver_pending()
                except Crash:
                    pass
                clock.shift(timedelta(seconds=301))
        states = {m.pk: _state(m) for m in messages}
        sent: dict[str, list[str]] = {}
        for m in mail.outbox:
            sent.setdefault(m.to[0], []).append(m.extra_headers["Message-ID"])
        for m in messages:
            ids = sent.get(m.payload["to"], [])
            assert set(ids) <= {email_message_id(m.pk)}  # one Message-ID per message, whatever the attempts
            assert len(ids) <= 1 + window.get(m.pk, 0)  # a second copy only after a crash in the window
            if counted.get(m.pk, 0) >= events.MAX_ATTEMPTS:  # a poison message ends failed, visible
                assert states[m.pk].status == OutboxStatus.FAILED
            else:  # never lost: delivered
                assert states[m.pk].status == OutboxStatus.DONE and ids, (states[m.pk].__dict__, counted)
        transaction.savepoint_rollback(sid)


@pytest.mark.postgres_only
def test_concurrent_deliveries_send_each_email_once(transactional_db, tenant_a):
    """Two workers sweeping at once: the lease makes each message go out once."""
    messages = [_email(tenant_a, f"nv{i}@example.vn") for i in range(10)]
    barrier = threading.Barrier(2)

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            events.deliver_pending()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not any(t.is_alive() for t in threads)
    assert sorted(m.to[0] for m in mail.outbox) == sorted(m.payload["to"] for m in messages)


def test_master_admin_sees_the_workers_and_the_tasks_they_lost(db):
    from django.contrib.auth import get_user_model
    from django.test import Client

    from novasaas.platform.testing.fixtures import PASSWORD

    worker.beat("alive-1")
    WorkerHeartbeat.objects.create(worker_id="gone-2", seen_at=timezone.now() - timedelta(hours=1))
    stale = timezone.now() - timedelta(minutes=5)
    _task(status=TaskResultStatus.RUNNING, started_at=stale, worker_ids=["w1", "w2", "w3"])
    requeue_stale_tasks()
    with platform_context():
        master = get_user_model().objects.create_user("root@novasaas.test", PASSWORD, platform_role="master_admin")
    c = Client()
    c.force_login(master, backend="django.contrib.auth.backends.ModelBackend")
    body = c.get("/platform/tasks/").content.decode()
    rows = body.split("<tr>")
    alive = next(r for r in rows if "alive-1" in r)
    gone = next(r for r in rows if "gone-2" in r)
    assert "Đang chạy" in alive and "Đã dừng" in gone
    assert worker.WORKER_LOST in next(r for r in rows if TASK in r)
