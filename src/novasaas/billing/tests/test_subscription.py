"""Subscriptions: sign-up, trial, upgrade with pro-rata, downgrade at the next period, renewal."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.utils import translation

from novasaas.billing import actions
from novasaas.billing.models import Charge, Subscription, SubscriptionStatus
from novasaas.billing.tests.helpers import D0, sub_of, subscribe
from novasaas.inventory.tests.helpers import principal
from novasaas.platform.models import Tenant
from novasaas.platform.modules import offerable_modules
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import create_tenant, create_user

D = Decimal


def _signup(plan=None):
    url = "/signup/" + (f"?plan={plan}" if plan else "")
    return Client().post(
        url,
        {
            "company_name": "Cửa hàng Hoa Mai",
            "slug": "hoa-mai",
            "tax_code": "",
            "full_name": "Trần Hoa",
            "email": "hoa@example.com",
            "password": "Strong-Password-77",
        },
    )


def _tenant():
    with platform_context():
        return Tenant.objects.get(slug="hoa-mai")


def test_signup_starts_a_business_trial_with_every_built_module(db, today):
    assert _signup().status_code == 302
    t = _tenant()
    sub = sub_of(t)
    assert (sub.plan.code, sub.status) == ("business", SubscriptionStatus.TRIALING)
    assert sub.trial_ends_on == today + dt.timedelta(days=14)
    assert sorted(t.enabled_modules) == sorted(offerable_modules())
    with tenant_context(t):
        assert not Charge.objects.filter(tenant_id=t.pk).exists()  # a trial is free


def test_signup_on_free_forever_has_no_trial_and_its_modules(db):
    assert _signup("free").status_code == 302
    t = _tenant()
    sub = sub_of(t)
    assert (sub.plan.code, sub.status, sub.trial_ends_on) == ("free", SubscriptionStatus.ACTIVE, None)
    assert sorted(t.enabled_modules) == ["CRM", "INV"]


def test_signup_with_an_unknown_plan_gets_the_default_trial(db):
    _signup("no-such-plan")
    assert sub_of(_tenant()).plan.code == "business"


def test_paid_start_charges_the_first_period(db):
    t = create_tenant()
    sub = subscribe(t, "starter")
    assert (sub.period_start, sub.period_end) == (D0, dt.date(2026, 4, 1))
    with tenant_context(t):
        assert [(c.kind, c.amount) for c in Charge.objects.filter(tenant_id=t.pk)] == [("plan", D(500_000))]


def test_annual_period_is_twelve_months_less_twenty_percent(db):
    t = create_tenant()
    subscribe(t, "business", period="annual")
    with tenant_context(t):
        # 2,000,000 × 12 × 80 % = 19,200,000
        assert sum(c.amount for c in Charge.objects.filter(tenant_id=t.pk)) == D(19_200_000)
        assert sub_of(t).period_end == dt.date(2027, 3, 1)


def test_upgrade_mid_period_charges_the_days_left(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter")
    with tenant_context(t):
        admin = principal(t)
        # 1 March → 1 April: 31 days; on 17 March 15 days are left (17…31 March).
        actions.change_plan(admin, "business", on=dt.date(2026, 3, 17))
        charge = Charge.objects.get(tenant_id=t.pk, kind="prorata")
        assert charge.amount == D(725_806)  # (2,000,000 − 500,000) × 15 / 31 = 725,806.45…
        sub = Subscription.objects.get(tenant_id=t.pk)
        assert sub.plan.code == "business"
    with platform_context():
        assert "ACC" in Tenant.objects.get(pk=t.pk).enabled_modules  # the added module at once


def test_downgrade_is_refused_with_what_exceeds_the_new_plan(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "business")
    with tenant_context(t):
        admin = principal(t)
        for _ in range(5):
            create_user(t, "manager")
        with pytest.raises(ValidationError) as exc, translation.override("en"):
            actions.change_plan(admin, "free", on=dt.date(2026, 3, 10))
        assert "6 users in use, the plan Miễn phí trọn đời allows 1." in exc.value.messages
        assert Subscription.objects.get(tenant_id=t.pk).next_plan is None


def test_downgrade_takes_effect_at_the_next_period_with_its_price(db):
    t = create_tenant(modules=["CRM", "INV", "ACC"])
    subscribe(t, "business")
    with tenant_context(t):
        admin = principal(t)
        actions.change_plan(admin, "starter", on=dt.date(2026, 3, 10))
        sub = Subscription.objects.get(tenant_id=t.pk)
        assert (sub.plan.code, sub.next_plan.code) == ("business", "starter")
        assert not Charge.objects.filter(kind="prorata").exists()
        assert actions.renew(t, on=dt.date(2026, 3, 31)) is None  # not yet
        actions.renew(t, on=dt.date(2026, 4, 1))
        sub = Subscription.objects.get(tenant_id=t.pk)
        assert (sub.plan.code, sub.next_plan, sub.period_start) == ("starter", None, dt.date(2026, 4, 1))
        assert Charge.objects.filter(on=dt.date(2026, 4, 1)).get().amount == D(500_000)
    with platform_context():
        assert sorted(Tenant.objects.get(pk=t.pk).enabled_modules) == ["CRM", "INV"]  # data kept, module off


def test_trial_ends_into_the_first_paid_period(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter", trial=True)
    with tenant_context(t):
        sub = Subscription.objects.get(tenant_id=t.pk)
        assert (sub.status, sub.trial_ends_on) == ("trialing", dt.date(2026, 3, 15))
        actions.change_plan(principal(t), "business", on=dt.date(2026, 3, 5))  # free during the trial
        assert not Charge.objects.exists()
        actions.renew(t, on=dt.date(2026, 3, 15))
        sub = Subscription.objects.get(tenant_id=t.pk)
        assert (sub.status, sub.plan.code, sub.period_end) == ("active", "business", dt.date(2026, 4, 15))
        assert Charge.objects.get().amount == D(2_000_000)


def test_price_change_applies_at_renewal_only(db):
    from novasaas.billing.models import Plan
    from novasaas.billing.tests.helpers import master_client

    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter")
    _c, master = master_client()
    actions.set_price(master, plan=Plan.objects.get(code="starter"), monthly_price=600_000)
    with tenant_context(t):
        assert actions.amount_of(Subscription.objects.get(tenant_id=t.pk)) == D(500_000)  # kept
        actions.renew(t, on=dt.date(2026, 4, 1))
        sub = Subscription.objects.get(tenant_id=t.pk)
        assert (sub.price.version, actions.amount_of(sub)) == (2, D(600_000))


def test_extra_users_and_addons_are_charged_pro_rata(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter")
    on = dt.date(2026, 3, 22)  # 10 of 31 days left
    with tenant_context(t):
        admin = principal(t)
        actions.set_quantity(admin, extra_users=2, on=on)  # 2 × 50,000 × 10/31 = 32,258.06
        actions.set_quantity(admin, addon_code="extra-warehouse", quantity=1, on=on)  # 200,000 × 10/31 = 64,516.13
        actions.set_quantity(admin, addon_code="data-migration", quantity=1, on=on)  # one-off 2,000,000
        amounts = sorted(c.amount for c in Charge.objects.filter(on=on))
        assert amounts == [D(32_258), D(64_516), D(2_000_000)]
        sub = Subscription.objects.get(tenant_id=t.pk)
        assert actions.amount_of(sub) == D(500_000 + 100_000 + 200_000)
        # fewer: from the next period, no refund
        actions.set_quantity(admin, extra_users=0, on=on)
        assert Subscription.objects.get(tenant_id=t.pk).next_extra_users == 0
        actions.renew(t, on=dt.date(2026, 4, 1))
        lines = {c.kind: c.amount for c in Charge.objects.filter(on=dt.date(2026, 4, 1))}
        assert lines == {"plan": D(500_000), "addon": D(200_000)}


def test_manager_views_but_cannot_change(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter")
    with tenant_context(t):
        manager = principal(t, "manager")
        manager.require("core.subscription.view")
        with pytest.raises(PermissionDenied):
            actions.change_plan(manager, "business")
        with pytest.raises(PermissionDenied):
            actions.set_quantity(manager, extra_users=1)
