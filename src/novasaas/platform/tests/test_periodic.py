"""Daily jobs inside the worker (platform/periodic.py): once a day after DAILY_JOBS_AT, once per day
and job across processes sharing the cache, a failure retried an hour later, the worker's sweep runs them."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.core.cache import cache

from novasaas.platform import periodic

HCM = ZoneInfo("Asia/Ho_Chi_Minh")


def _at(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 3, day, hour, minute, tzinfo=HCM)


@pytest.fixture(autouse=True)
def _fresh() -> Any:
    cache.clear()
    periodic.forget()
    yield
    cache.clear()
    periodic.forget()


class _Calls(list):
    """The commands run (instead of running them); those in ``failing`` raise."""

    def __init__(self) -> None:
        super().__init__()
        self.failing: set[str] = set()

    def __call__(self, name: str, **_kw: Any) -> None:
        self.append(name)
        if name in self.failing:
            raise RuntimeError("boom")


@pytest.fixture
def calls(monkeypatch: Any, settings: Any) -> _Calls:
    settings.DAILY_JOBS = ("billing_day", "ai_release_stale")
    settings.DAILY_JOBS_AT = "00:05"
    made = _Calls()
    monkeypatch.setattr(periodic, "call_command", made)
    return made


def test_each_job_runs_once_a_day_after_the_start_time(calls: Any) -> None:
    assert periodic.run_daily_jobs(_at(2, 0, 4)) == {} and calls == []  # before 00:05
    assert periodic.run_daily_jobs(_at(2, 0, 5)) == {"billing_day": "ok", "ai_release_stale": "ok"}
    assert periodic.run_daily_jobs(_at(2, 18)) == {}  # the same day again: nothing
    cache.clear()  # evicted: this process remembers
    assert periodic.run_daily_jobs(_at(2, 19)) == {}
    assert calls == ["billing_day", "ai_release_stale"]
    assert periodic.run_daily_jobs(_at(3, 1)) == {"billing_day": "ok", "ai_release_stale": "ok"}  # next day


def test_another_process_that_ran_the_job_today_is_not_repeated(calls: Any) -> None:
    periodic.run_daily_jobs(_at(2, 1))
    periodic.forget()  # another worker process, sharing the cache (Redis)
    assert periodic.run_daily_jobs(_at(2, 2)) == {}
    assert calls == ["billing_day", "ai_release_stale"]


def test_a_failed_job_does_not_stop_the_others_and_is_retried_later(calls: Any) -> None:
    calls.failing.add("billing_day")
    assert periodic.run_daily_jobs(_at(2, 1)) == {"billing_day": "failed", "ai_release_stale": "ok"}
    assert periodic.run_daily_jobs(_at(2, 1, 30)) == {}  # within the hour: not hammered
    calls.failing.clear()
    cache.delete("periodic:billing_day:2026-03-02")  # the failure's marker lived its hour
    assert periodic.run_daily_jobs(_at(2, 2, 1)) == {"billing_day": "ok"}


@pytest.mark.django_db
def test_the_real_daily_commands_run(settings: Any) -> None:
    settings.DAILY_JOBS = ("billing_day", "sales_remind_activities", "ai_expire_credits", "ai_release_stale")
    done = periodic.run_daily_jobs(_at(2, 1))
    assert done == dict.fromkeys(settings.DAILY_JOBS, "ok")


@pytest.mark.django_db(transaction=True)
def test_the_worker_sweep_runs_the_due_jobs(monkeypatch: Any, settings: Any) -> None:
    from novasaas.platform import worker as worker_module
    from novasaas.platform.tests.test_worker import _Sleeps, _worker

    # the worker closes stale connections each turn; on PostgreSQL that would close the test's own
    # connection (as in test_worker, which keeps it the same way)
    monkeypatch.setattr(worker_module, "close_old_connections", lambda: None)
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    seen: list[int] = []
    monkeypatch.setattr(periodic, "run_daily_jobs", lambda: seen.append(1) or {})
    worker = _worker(_Sleeps(), sweep_interval=3600)
    assert worker.step() == "idle" and seen == [1]
    worker.step()
    assert seen == [1]  # the next sweep only after sweep_interval
