"""The customer portal role is granted only with a portal account (Sales invites a customer's contact).

Given through a normal member invitation or role assignment it opened neither the portal (no account
linked to a customer) nor the company's pages: both answered 403. Now refused with a clear 400 on the
page and the API, nothing written; a portal member keeps the role when other roles are edited."""

from __future__ import annotations

import pytest

from novasaas.billing import actions as billing_actions
from novasaas.billing import limits
from novasaas.billing.tests.helpers import master_client, subscribe
from novasaas.identity.catalogue import PORTAL_ROLES
from novasaas.identity.models import Invitation, Membership
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

REFUSED = "cổng khách hàng"  # the message names the customer portal (Vietnamese, the site's language)


def _roles(tenant, user) -> list[str]:
    with tenant_context(tenant):
        m = Membership.objects.get(user=user)
        return sorted(m.role_links.values_list("role__code", flat=True))


def _member_id(tenant, user) -> int:
    with tenant_context(tenant):
        return Membership.objects.get(user=user).pk


def _invitations(tenant) -> int:
    with tenant_context(tenant):
        return Invitation.objects.count()


def test_portal_roles_are_the_customer_role():
    assert PORTAL_ROLES == {"customer"}


@pytest.mark.parametrize("roles", [["customer"], ["customer", "accountant"]])
def test_api_member_invitation_refuses_the_portal_role(tenant_a, api_a, roles):
    r = api_a.post("/api/v1/invitations", {"email": "hoa@minhphat.vn", "roles": roles})
    assert r.status_code == 400
    assert REFUSED in r.json()["detail"]["role_codes"][0]
    assert _invitations(tenant_a) == 0
    assert api_a.post("/api/v1/invitations", {"email": "hoa@minhphat.vn", "roles": ["accountant"]}).status_code == 201


def test_page_member_invitation_neither_offers_nor_accepts_the_portal_role(tenant_a, admin_a):
    c = web_client(tenant_a, admin_a)
    page = c.get("/settings/invitations/").content.decode()
    assert 'value="accountant"' in page and 'value="customer"' not in page
    r = c.post("/settings/invitations/", {"email": "hoa@minhphat.vn", "roles": ["customer"]})
    assert r.status_code == 400 and REFUSED in r.content.decode()
    assert _invitations(tenant_a) == 0


def test_role_assignment_refuses_the_portal_role_on_the_api_and_the_page(tenant_a, admin_a, api_a):
    clerk = create_user(tenant_a, "accountant")
    pk = _member_id(tenant_a, clerk)
    r = api_a.patch(f"/api/v1/users/{pk}", {"roles": ["accountant", "customer"]})
    assert r.status_code == 400 and REFUSED in r.json()["detail"]["roles"][0]
    assert _roles(tenant_a, clerk) == ["accountant"]
    c = web_client(tenant_a, admin_a)
    assert 'value="customer"' not in c.get(f"/settings/users/{pk}/").content.decode()
    r = c.post(f"/settings/users/{pk}/", {"roles": ["customer"]})
    assert r.status_code == 400 and REFUSED in r.content.decode()
    assert _roles(tenant_a, clerk) == ["accountant"]


def test_a_portal_member_keeps_the_role(tenant_a, admin_a, api_a):
    contact = create_user(tenant_a, "customer")  # as the portal's invitation leaves it
    pk = _member_id(tenant_a, contact)
    assert 'value="customer"' in web_client(tenant_a, admin_a).get(f"/settings/users/{pk}/").content.decode()
    assert api_a.patch(f"/api/v1/users/{pk}", {"roles": ["customer"]}).status_code == 200
    assert _roles(tenant_a, contact) == ["customer"]


def test_a_portal_member_given_a_staff_role_takes_a_paid_seat(tenant_a, api_a):
    contact = create_user(tenant_a, "customer")
    with tenant_context(tenant_a):
        used = limits.usage("users")  # the portal member is not counted
    _c, master = master_client()
    billing_actions.save_plan(
        master,
        code="tight",
        name="Tight",
        included_users=None,
        modules=["CRM", "INV"],
        monthly_price=100_000,
        max_users=used,
    )
    subscribe(tenant_a, "tight")
    r = api_a.patch(f"/api/v1/users/{_member_id(tenant_a, contact)}", {"roles": ["customer", "accountant"]})
    assert r.status_code == 403 and r.json()["limit"] == "users"
    assert _roles(tenant_a, contact) == ["customer"]


def test_refusals_are_per_tenant(tenant_a, tenant_b, api_b):
    """Tenant B's refused invitation writes nothing anywhere; tenant A's member ids are unknown to B."""
    clerk = create_user(tenant_a, "accountant")
    assert api_b.post("/api/v1/invitations", {"email": "x@example.com", "roles": ["customer"]}).status_code == 400
    assert _invitations(tenant_a) == _invitations(tenant_b) == 0
    r = ApiClient(tenant_b, api_b.user).patch(f"/api/v1/users/{_member_id(tenant_a, clerk)}", {"roles": ["accountant"]})
    assert r.status_code == 404
