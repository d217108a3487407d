"""Every plan limit refuses the creation beyond it, at its point of creation, with a clear message;
an add-on or an upgrade lifts it; a tenant without subscription has no limits."""

from __future__ import annotations

import pytest
from django.utils import translation

from novasaas.billing import actions, limits
from novasaas.billing.tests.helpers import master_client, subscribe
from novasaas.identity import actions as identity_actions
from novasaas.inventory import actions as inv
from novasaas.inventory.tests.helpers import principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant, create_user, web_client
from novasaas.sales import actions as sales
from novasaas.sales.tests.helpers import beer_line, order, party, world


def _tight_plan(**limits_: int) -> str:
    """A plan whose limits are exactly what the test world already uses."""
    _c, master = master_client()
    actions.save_plan(
        master,
        code="tight",
        name="Tight",
        included_users=None,
        modules=["CRM", "INV"],
        monthly_price=100_000,
        **{f"max_{k}": v for k, v in limits_.items()},
    )
    return "tight"


@pytest.fixture
def full(db):
    t = create_tenant(modules=["CRM", "INV"])
    with tenant_context(t):
        w = world(t, 0)  # admin + warehouse manager/staff + sales manager/staff = 5 members, 1 customer
        order(w, beer_line(w, 1))
    return t, w


def test_every_limit_refuses_one_more_and_names_itself(full):
    t, w = full
    code = _tight_plan(users=5, customers=1, products=1, warehouses=2, orders_per_month=1)
    subscribe(t, code)
    with tenant_context(t), translation.override("en"):
        admin = principal(t)
        attempts = {
            "users": lambda: identity_actions.invite_user(admin, email="new@x.test", role_codes=["manager"]),
            "customers": lambda: sales.create_customer(w.manager, party_id=party(w.manager, "Lan Anh").pk),
            "products": lambda: inv.save_product(w.inv.manager, name="Nước suối", stock_unit_id=w.inv.chai.pk),
            "warehouses": lambda: inv.save_warehouse(w.inv.manager, code="DN", name="Kho Đà Nẵng"),
            "orders_per_month": lambda: order(w, beer_line(w, 1)),
        }
        for name, attempt in attempts.items():
            with pytest.raises(limits.LimitReached) as exc:
                attempt()
            assert exc.value.limit == name
            assert "the plan Tight allows" in str(exc.value), str(exc.value)
        # an update is never refused
        inv.save_product(w.inv.manager, w.inv.beer.pk, name="Bia Sài Gòn lon")


def test_limit_message_counts_and_extra_warehouse_addon_lifts_it(full):
    t, w = full
    subscribe(t, _tight_plan(warehouses=2))
    with tenant_context(t), translation.override("en"):
        with pytest.raises(limits.LimitReached) as exc:
            inv.save_warehouse(w.inv.manager, code="DN", name="Kho Đà Nẵng")
        assert str(exc.value).startswith("Limit reached: 2 warehouses, the plan Tight allows 2.")
        actions.set_quantity(principal(t), addon_code="extra-warehouse", quantity=1)
        inv.save_warehouse(w.inv.manager, code="DN", name="Kho Đà Nẵng")


def test_extra_users_lift_the_user_limit_of_a_paid_plan(db):
    t = create_tenant(modules=["CRM", "INV"])
    subscribe(t, "starter")  # 5 users included
    with tenant_context(t):
        for _ in range(4):
            create_user(t, "manager")
        admin = principal(t)
        with pytest.raises(limits.LimitReached):
            identity_actions.invite_user(admin, email="six@x.test", role_codes=["manager"])
        actions.set_quantity(admin, extra_users=1)
        identity_actions.invite_user(admin, email="six@x.test", role_codes=["manager"])
        with pytest.raises(limits.LimitReached):  # the pending invitation holds the seat
            identity_actions.invite_user(admin, email="seven@x.test", role_codes=["manager"])


def test_no_subscription_means_no_limit(full):
    t, w = full
    with tenant_context(t):
        for n in range(3):
            inv.save_warehouse(w.inv.manager, code=f"W{n}", name=f"Kho {n}")


def test_the_api_answers_403_naming_the_limit(full):
    t, w = full
    subscribe(t, _tight_plan(warehouses=2))
    api = ApiClient(t, admin_of(t))
    r = api.post("/api/v1/inventory/warehouses", {"code": "DN", "name": "Kho Đà Nẵng"})
    assert r.status_code == 403, r.content
    body = r.json()
    assert (body["limit"], body["upgrade_url"]) == ("warehouses", "/billing/")
    assert "Tight" in body["detail"]


def test_the_page_answers_403_with_the_message(full):
    t, w = full
    subscribe(t, _tight_plan(warehouses=2))
    c = web_client(t, admin_of(t))
    r = c.post("/inventory/warehouses/new/", {"code": "DN", "name": "Kho Đà Nẵng"})
    assert r.status_code == 403
    assert "Tight" in r.content.decode()
