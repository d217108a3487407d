"""The revenue console's demo data: tenants on several plans over months, with MRR history (new,
expansion, churn), invoices and payments; idempotent; the console shows it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.management import call_command

from novasaas.billing import selectors
from novasaas.billing.demo import seed_billing_demo
from novasaas.billing.models import MrrSnapshot, PlatformInvoice, Subscription
from novasaas.billing.tests.helpers import master_client
from novasaas.platform.models import Tenant
from novasaas.platform.tenancy import platform_context

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 6, 20)


def test_demo_builds_a_billing_history_the_console_shows():
    counts = seed_billing_demo(today=TODAY, tenants=8, months=6, seed=7)
    assert counts["tenants"] == 8 and counts["invoices"] > 0 and counts["payments"] > 0
    with platform_context():
        assert Subscription.objects.filter(tenant__slug__startswith="billing-demo-").count() == 8
        assert len({s.plan.code for s in Subscription.objects.select_related("plan")}) >= 2
        assert PlatformInvoice.objects.filter(tenant__slug__startswith="billing-demo-").exists()
        months = set(MrrSnapshot.objects.values_list("month", flat=True))
        history = selectors.mrr_history(TODAY, 6)
    assert len(months) >= 3  # history over several months
    assert sum((r["new"] for r in history), Decimal(0)) > 0
    assert history[-1]["mrr"] > 0
    mc, _m = master_client()
    body = mc.get("/platform/billing/").content.decode()
    assert "billing-demo" in body or "Công ty TNHH" in body
    # idempotent: a second run creates nothing
    assert seed_billing_demo(today=TODAY, tenants=8, months=6, seed=7)["tenants"] == 0
    with platform_context():
        assert Tenant.objects.filter(slug__startswith="billing-demo-").count() == 8


def test_demo_command():
    call_command("billing_demo", "--tenants", "2", "--months", "2", "--date", "2026-06-20")
    with platform_context():
        assert Tenant.objects.filter(slug__startswith="billing-demo-").count() == 2
