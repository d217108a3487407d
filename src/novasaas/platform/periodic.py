"""Daily jobs run by the worker (``novasaas worker``), so no cron line is needed.

``settings.DAILY_JOBS`` names management commands (billing_day, sales_remind_activities,
sales_quotation_expiry, sales_expire_points, ai_expire_credits, ai_release_stale); each runs once a day,
on the worker's first sweep after ``settings.DAILY_JOBS_AT`` (local time of ``TIME_ZONE``, "00:05").
Once per day and job:

- a marker ``periodic:<job>:<day>`` is added to Django's cache (``cache.add`` is atomic): with a shared
  cache (``REDIS_URL``) only one worker process of the platform runs the job that day; with the local-memory
  cache each worker process runs it once. The marker says "running" for at most an hour (a worker killed
  mid-job does not block the day), then "ok" for two days;
- the process also remembers the days it ran, so a cache eviction does not repeat a job.

Every job is itself idempotent per day (a second run does nothing new), so a worker restarted the same
day, two processes without a shared cache, or a cron line kept alongside are harmless. A failed job is
logged and tried again an hour later (the marker of a failure lives one hour). Empty in tests.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.core.management import call_command
from django.utils import timezone

log = logging.getLogger(__name__)

_ran: set[tuple[str, dt.date]] = set()  # (job, day) this process ran


def jobs() -> tuple[str, ...]:
    return tuple(getattr(settings, "DAILY_JOBS", ()))


def start_time() -> dt.time:
    return dt.time.fromisoformat(getattr(settings, "DAILY_JOBS_AT", "00:05"))


def run_daily_jobs(now: dt.datetime | None = None) -> dict[str, str]:
    """Run the jobs due at ``now`` that no process has run today: {job: "ok" | "failed"}."""
    local = timezone.localtime(now or timezone.now())
    if local.time() < start_time():
        return {}
    day = local.date()
    done: dict[str, str] = {}
    for name in jobs():
        if (name, day) in _ran:
            continue
        key = f"periodic:{name}:{day.isoformat()}"
        if not cache.add(key, "running", timeout=3600):
            if cache.get(key) == "ok":
                _ran.add((name, day))  # done today by another process
            continue  # running elsewhere, or failed within the hour: looked at again on the next sweep
        out = io.StringIO()
        try:
            call_command(name, stdout=out)
        except Exception:  # noqa: BLE001 - one failing job must not stop the worker nor the other jobs
            log.exception("daily job %s of %s failed; tried again in an hour", name, day)
            cache.set(key, "failed", timeout=3600)
            done[name] = "failed"
            continue
        cache.set(key, "ok", timeout=2 * 24 * 3600)
        _ran.add((name, day))
        done[name] = "ok"
        log.info("daily job %s of %s: %s", name, day, out.getvalue().strip()[:500])
    return done


def forget(*_args: Any) -> None:
    """Forget what this process ran (tests)."""
    _ran.clear()
