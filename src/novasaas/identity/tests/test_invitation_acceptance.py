"""An invitation to an email that already has an account is accepted only by that account, signed in.

Before, whoever held the link added the existing account to the company without signing in (security
finding). Now: anonymous → "sign in to accept" (page 403 on POST, API 401), signed in as another account →
403, both audited and nothing else written; the invited account signed in (session or bearer token)
accepts. A new email still sets its password from the link."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from novasaas.identity import actions
from novasaas.identity.access import principal_for
from novasaas.identity.models import Membership, User
from novasaas.platform import audit
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import (
    PASSWORD,
    ApiClient,
    BrowserClient,
    admin_of,
    create_user,
    web_client,
)

ACCEPT = "/api/v1/auth/invitations/accept"
EMAIL = "lan@example.com"


def _invite(tenant, email=EMAIL, roles=("accountant",)) -> str:
    with tenant_context(tenant):
        membership = Membership.objects.select_related("tenant", "user").get(user=admin_of(tenant))
        _inv, token = actions.invite_user(principal_for(membership), email=email, role_codes=list(roles))
    return token


def _roles_in(tenant, user) -> list[str] | None:
    """The user's roles in ``tenant``, None when not a member."""
    with tenant_context(tenant):
        m = Membership.objects.filter(user=user).first()
        return None if m is None else sorted(m.role_links.values_list("role__code", flat=True))


def _refusals(tenant) -> list:
    with tenant_context(tenant):
        return list(audit.list_entries(tenant).filter(message__startswith="invitation acceptance refused"))


def _pending(token: str) -> bool:
    return actions.find_invitation(token) is not None


@pytest.fixture
def lan(tenant_b):
    """An account of another company, whose email tenant A invites."""
    return create_user(tenant_b, "accountant", email=EMAIL)


def _post_json(client, data, **extra):
    return client.post(ACCEPT, json.dumps(data), content_type="application/json", **extra)


# --- page -------------------------------------------------------------------------------------------


def test_page_holding_the_link_is_not_enough_to_add_an_existing_account(tenant_a, tenant_b, lan):
    token = _invite(tenant_a)
    here = f"/invitations/{token}/"
    c = BrowserClient()
    page = c.get(here)
    html = page.content.decode()
    assert page.status_code == 200
    assert f'href="/login/?next={quote(here, safe="")}"' in html  # sign in, then back here
    assert 'name="password"' not in html  # no way to accept from here
    r = c.post(here, {"full_name": "Kẻ lạ", "password": "Another-Strong-Pass-9"})
    assert r.status_code == 403 and EMAIL in r.content.decode()
    assert _roles_in(tenant_a, lan) is None and _pending(token)
    with platform_context():
        assert User.objects.get(email=EMAIL).check_password(PASSWORD)  # the account is untouched
    [entry] = _refusals(tenant_a)  # a security event of the inviting company, kept despite the 403
    assert entry.actor_id is None and entry.after["account_id"] == lan.pk
    assert _refusals(tenant_b) == []


def test_page_signed_in_as_the_invited_account_accepts_after_the_sign_in_round_trip(tenant_a, tenant_b, lan):
    token = _invite(tenant_a)
    here = f"/invitations/{token}/"
    c = BrowserClient()
    r = c.post(f"/login/?next={quote(here, safe='')}", {"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == here
    page = c.get(here).content.decode()
    assert "invitation-sign-in" not in page and 'method="post"' in page
    r = c.post(here)
    assert r.status_code == 302 and r["Location"] == "/"
    assert _roles_in(tenant_a, lan) == ["accountant"] and _roles_in(tenant_b, lan) == ["accountant"]
    assert c.session["novasaas_tenant_id"] == tenant_a.pk  # straight into the company joined
    assert not _pending(token) and _refusals(tenant_a) == []


def test_page_two_factor_sign_in_returns_to_the_invitation(tenant_a, lan):
    token = _invite(tenant_a)
    here = f"/invitations/{token}/"
    with platform_context():
        TOTPDevice.objects.create(user=lan, name="phone", confirmed=True)
    r = BrowserClient().post(f"/login/?next={quote(here, safe='')}", {"email": EMAIL, "password": PASSWORD})
    assert r.status_code == 302 and r["Location"] == f"/login/totp/?next={quote(here, safe='')}"


def test_page_signed_in_as_another_account_is_refused_and_offers_to_sign_out(tenant_a, tenant_b, lan):
    token = _invite(tenant_a)
    here = f"/invitations/{token}/"
    other = admin_of(tenant_b)
    c = web_client(tenant_b, other)
    page = c.get(here).content.decode()
    assert other.email in page and 'action="/logout/"' in page and f'value="{here}"' in page
    r = c.post(here)
    assert r.status_code == 403
    assert _roles_in(tenant_a, lan) is None and _roles_in(tenant_a, other) is None and _pending(token)
    [entry] = _refusals(tenant_a)
    assert entry.actor_id == other.pk
    # a new email's invitation is refused the same way to a signed-in stranger
    fresh = _invite(tenant_a, "moi@example.com")
    assert c.post(f"/invitations/{fresh}/", {"password": "Another-Strong-Pass-9"}).status_code == 403
    with platform_context():
        assert not User.objects.filter(email="moi@example.com").exists()
    # signing out comes back to the invitation, which now asks to sign in
    r = c.post("/logout/", {"next": here})
    assert r.status_code == 302 and r["Location"] == here
    assert "invitation-sign-in" in c.get(here).content.decode()


def test_sign_out_ignores_a_next_address_of_another_site(tenant_a, admin_a):
    r = web_client(tenant_a, admin_a).post("/logout/", {"next": "https://evil.example/"})
    assert r.status_code == 302 and r["Location"] == "/login/"


# --- API --------------------------------------------------------------------------------------------


def test_api_without_a_sign_in_answers_401_and_writes_only_the_audit_entry(tenant_a, tenant_b, lan):
    token = _invite(tenant_a)
    r = _post_json(Client(), {"token": token, "password": "Another-Strong-Pass-9"})
    assert r.status_code == 401 and r["WWW-Authenticate"] == "Bearer"
    assert EMAIL in r.json()["detail"]
    assert _roles_in(tenant_a, lan) is None and _pending(token)
    with platform_context():
        assert User.objects.get(email=EMAIL).check_password(PASSWORD)
    assert len(_refusals(tenant_a)) == 1


def test_api_token_of_another_account_is_refused(tenant_a, tenant_b, lan):
    token = _invite(tenant_a)
    other = admin_of(tenant_b)
    r = ApiClient(tenant_b, other).post(ACCEPT, {"token": token})
    assert r.status_code == 403 and EMAIL in r.json()["detail"]
    assert _roles_in(tenant_a, lan) is None and _roles_in(tenant_a, other) is None and _pending(token)
    [entry] = _refusals(tenant_a)
    assert entry.actor_id == other.pk


def test_api_the_invited_account_accepts_with_its_own_token(tenant_a, tenant_b, lan):
    token = _invite(tenant_a, roles=("sales_staff",))
    api = ApiClient(tenant_b, lan)  # signed in to the company it already belongs to
    r = api.post(ACCEPT, {"token": token})
    assert r.status_code == 201, r.content
    assert r.json() == {"tenant": tenant_a.slug, "tenant_name": tenant_a.name, "email": EMAIL, "roles": ["sales_staff"]}
    assert _roles_in(tenant_a, lan) == ["sales_staff"]
    assert api.post(ACCEPT, {"token": token}).status_code == 404  # a used link
    login = {"email": EMAIL, "password": PASSWORD, "tenant": tenant_a.slug}
    assert Client().post("/api/v1/auth/login", login, content_type="application/json").status_code == 200


def test_api_browser_session_accepts_only_with_its_csrf_token(tenant_a, tenant_b, lan):
    token = _invite(tenant_a)
    forged = web_client(tenant_b, lan, send_csrf_token=False)
    assert _post_json(forged, {"token": token}).status_code == 403
    assert _roles_in(tenant_a, lan) is None
    assert _post_json(web_client(tenant_b, lan), {"token": token}).status_code == 201
    assert _roles_in(tenant_a, lan) == ["accountant"]


def test_api_key_cannot_accept(tenant_a, tenant_b, lan):
    token = _invite(tenant_a)
    with tenant_context(tenant_b):
        membership = Membership.objects.select_related("tenant", "user").get(user=admin_of(tenant_b))
        _key, secret = actions.create_api_key(principal_for(membership), name="bot", permissions=["core.users.view"])
    r = _post_json(Client(), {"token": token}, HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert r.status_code == 403
    assert _roles_in(tenant_a, lan) is None and _pending(token)


def test_api_new_email_sets_its_password_and_bad_input_changes_nothing(tenant_a):
    token = _invite(tenant_a, "moi@example.com")
    assert _post_json(Client(), {"token": "1.nope"}).status_code == 404
    assert _post_json(Client(), {"token": token}).status_code == 400  # no password
    assert _post_json(Client(), {"token": token, "password": "123"}).status_code == 400  # too weak
    assert _post_json(Client(), {"token": token, "password": 5}).status_code == 422
    with platform_context():
        assert not User.objects.filter(email="moi@example.com").exists()
    assert _pending(token)
    r = _post_json(Client(), {"token": token, "password": "Another-Strong-Pass-9", "full_name": "Người Mới"})
    assert r.status_code == 201 and r.json()["roles"] == ["accountant"]
    with platform_context():
        user = User.objects.get(email="moi@example.com")
    assert user.full_name == "Người Mới" and _roles_in(tenant_a, user) == ["accountant"]
    assert _refusals(tenant_a) == []


@pytest.mark.postgres_only
def test_two_people_sending_one_new_email_link_at_once_make_one_account(transactional_db, tenant_a):
    """Both hold the link of a new email: one account and one membership, the other gets a clear refusal."""
    import threading

    from django.core.exceptions import ValidationError
    from django.db import connections

    token = _invite(tenant_a, email="race@example.com")
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def accept() -> None:
        try:
            barrier.wait(timeout=10)
            actions.accept_invitation(token, password="Mat-khau-rat-dai-2026", full_name="Lan")
            outcomes.append("ok")
        except ValidationError:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=accept) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert sorted(outcomes) == ["ok", "refused"]
    with platform_context():
        user = User.objects.get(email="race@example.com")
        assert Membership.objects.filter(user=user).count() == 1
