"""Helpers of the billing tests: a subscribed tenant, the Master Admin's client."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.test import Client

from novasaas.billing import actions
from novasaas.billing.models import Plan, Subscription
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import PASSWORD

D0 = dt.date(2026, 3, 1)


def subscribe(
    tenant: Any, plan: str, *, on: dt.date = D0, trial: bool = False, period: str = "monthly"
) -> Subscription:
    with tenant_context(tenant):
        return actions.start_subscription(tenant, plan, on=on, trial=trial, period=period)


def sub_of(tenant: Any) -> Subscription:
    with tenant_context(tenant):
        return Subscription.objects.select_related("plan", "price").get(tenant_id=tenant.pk)


def plan(code: str) -> Plan:
    return Plan.objects.get(code=code)


def master_client(role: str = "master_admin") -> tuple[Client, Any]:
    with platform_context():
        user = get_user_model().objects.create_user(f"{role}@novasaas.test", PASSWORD, platform_role=role)
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c, user
