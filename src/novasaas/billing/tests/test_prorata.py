"""Pro-rata: hand-computed cases of ``pricing`` and a property test over random sequences of upgrades,
downgrades, extra users and add-ons on random dates, checked against an oracle written here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from fractions import Fraction

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novasaas.billing import actions, pricing
from novasaas.billing.models import Charge
from novasaas.inventory.tests.helpers import principal
from novasaas.platform.tenancy import tenant_context

D = Decimal


def test_period_ends():
    assert pricing.period_end(dt.date(2026, 1, 31), "monthly") == dt.date(2026, 2, 28)
    assert pricing.period_end(dt.date(2028, 1, 31), "monthly") == dt.date(2028, 2, 29)
    assert pricing.period_end(dt.date(2026, 12, 15), "monthly") == dt.date(2027, 1, 15)
    assert pricing.period_end(dt.date(2028, 2, 29), "annual") == dt.date(2029, 2, 28)


def test_hand_computed_charges():
    # Starter → Business on 17 March of a March period: 15 of 31 days, 1,500,000 × 15 / 31 = 725,806.45
    assert pricing.prorated_charge(
        500_000, 2_000_000, dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 3, 17)
    ) == D(725_806)
    # on the first day: the whole difference; on the last day: one day of it
    assert pricing.prorated_charge(0, 3_100_000, dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 3, 1)) == D(
        3_100_000
    )
    assert pricing.prorated_charge(0, 3_100_000, dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 3, 31)) == D(
        100_000
    )
    # a lower amount is never a negative charge
    assert pricing.prorated_charge(
        2_000_000, 500_000, dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 3, 2)
    ) == D(0)
    # half a đồng rounds up: 1 × 1 / 2
    assert pricing.prorated_charge(0, 1, dt.date(2026, 3, 1), dt.date(2026, 3, 3), dt.date(2026, 3, 2)) == D(1)
    # annual: Business 2,000,000 × 12 × 80 % = 19,200,000
    assert pricing.period_amount(2_000_000, "annual", 20) == D(19_200_000)
    with pytest.raises(ValueError):
        pricing.prorated_charge(0, 1, dt.date(2026, 3, 1), dt.date(2026, 4, 1), dt.date(2026, 4, 1))


# The seeded catalogue's numbers, written again here (the oracle must not read the code's tables).
PLAN_PRICE = {
    "free": (0, 0),
    "starter": (500_000, 50_000),
    "business": (2_000_000, 80_000),
    "professional": (5_000_000, 100_000),
    "enterprise": (20_000_000, 0),
}
PLAN_USERS = {
    "free": (1, 1),
    "starter": (5, None),
    "business": (10, None),
    "professional": (30, None),
    "enterprise": (None, None),
}  # included, max
ADDON_PRICE = {"extra-storage": 100_000, "extra-warehouse": 200_000, "ai-advanced": 500_000}

steps = st.lists(
    st.tuples(
        st.integers(0, 400),  # day of the period (modulo its length)
        st.one_of(
            st.tuples(st.just("plan"), st.sampled_from(sorted(PLAN_PRICE))),
            st.tuples(st.just("users"), st.integers(0, 6)),
            st.tuples(st.just("addon"), st.tuples(st.sampled_from(sorted(ADDON_PRICE)), st.integers(0, 3))),
        ),
    ),
    max_size=8,
)


@pytest.mark.django_db
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    start=st.dates(dt.date(2026, 1, 1), dt.date(2028, 12, 31)),
    first=st.sampled_from(["starter", "business", "professional"]),
    period=st.sampled_from(["monthly", "annual"]),
    changes=steps,
)
def test_invoiced_equals_the_day_weighted_sum_of_prices(tenant_a, start, first, period, changes):
    end = pricing.period_end(start, period)
    days = (end - start).days
    factor = Fraction(12 * 80, 100) if period == "annual" else Fraction(1)
    # the oracle's state: plan, extra users, add-on quantities in force; what was in force each day
    state = {"plan": first, "users": 0, "addons": {}}

    def monthly(s):
        price, extra = PLAN_PRICE[s["plan"]]
        return price + s["users"] * extra + sum(ADDON_PRICE[a] * q for a, q in s["addons"].items())

    in_force = [None] * days
    with transaction.atomic(), tenant_context(tenant_a):
        actions.start_subscription(tenant_a, first, on=start, trial=False, period=period)
        admin = principal(tenant_a)
        timeline = sorted(((d % days, change) for d, change in changes), key=lambda x: x[0])
        cursor = 0
        for day, (kind, value) in timeline:
            for i in range(cursor, day + 1):
                in_force[i] = monthly(state)
            cursor = day
            on = start + dt.timedelta(days=day)
            before = Charge.objects.count()
            try:
                if kind == "plan":
                    actions.change_plan(admin, value, on=on)
                elif kind == "users":
                    actions.set_quantity(admin, extra_users=value, on=on)
                else:
                    actions.set_quantity(admin, addon_code=value[0], quantity=value[1], on=on)
            except ValidationError:
                assert Charge.objects.count() == before  # a refusal charges nothing
                continue
            new = {"plan": state["plan"], "users": state["users"], "addons": dict(state["addons"])}
            if kind == "plan":
                new["plan"] = value
            elif kind == "users":
                new["users"] = max(value, state["users"])  # fewer users: from the next period
            else:
                new["addons"][value[0]] = max(value[1], state["addons"].get(value[0], 0))
            if kind != "plan" or monthly(new) > monthly(state):  # a cheaper plan: from the next period
                state = new
        for i in range(cursor, days):  # the last change's day onwards
            in_force[i] = monthly(state)
        exact = sum(Fraction(m) * factor / days for m in in_force)
        charges = list(Charge.objects.values_list("amount", flat=True))
        invoiced = sum(charges, D(0))
        assert all(c >= 0 and c == c.to_integral_value() for c in charges)
        assert abs(Fraction(invoiced) - exact) <= Fraction(len(charges), 2), (invoiced, float(exact), charges)
        transaction.set_rollback(True)
