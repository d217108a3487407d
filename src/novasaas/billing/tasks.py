"""Billing background task: the daily run (renewals, trial ends, invoicing, dunning)."""

from __future__ import annotations

from django_tasks import task

from novasaas.billing.invoicing import run_billing_day


@task()
def billing_day() -> dict[str, int]:
    """Run once a day (``novasaas billing_day`` from cron enqueues nothing: it runs it directly)."""
    return run_billing_day()
