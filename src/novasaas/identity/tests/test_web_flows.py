import re

from django.core import mail
from django.test import Client
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from novasaas.identity import actions
from novasaas.identity.access import principal_for
from novasaas.identity.models import Membership, User, UserSession
from novasaas.platform.models import AuditLog, Tenant
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import PASSWORD, create_tenant, create_user, web_client


def test_login_page_and_dashboard(tenant_a, admin_a):
    c = Client()
    assert c.get("/login/").status_code == 200
    r = c.post("/login/", {"email": admin_a.email, "password": PASSWORD})
    assert r.status_code == 302
    r = c.get("/")
    assert r.status_code == 200 and "Công ty Alpha" in r.content.decode()
    with platform_context():
        assert UserSession.objects.filter(user=admin_a).count() == 1
        assert AuditLog.objects.filter(action="login", actor=admin_a).exists()


def test_login_with_totp_step(tenant_a, admin_a):
    with platform_context():
        device = TOTPDevice.objects.create(user=admin_a, name="app", confirmed=True)
    c = Client()
    r = c.post("/login/", {"email": admin_a.email, "password": PASSWORD})
    assert r.status_code == 302 and r["Location"].endswith("/login/totp/")
    assert c.get("/").status_code == 302  # not signed in yet
    r = c.post("/login/totp/", {"code": "000000"})
    assert "alert-danger" in r.content.decode()
    with platform_context():
        device.refresh_from_db()
        device.throttle_reset()  # django-otp throttles after a failure; let the delay pass
    r = c.post("/login/totp/", {"code": str(totp(device.bin_key)).zfill(6)})
    assert r.status_code == 302
    assert c.get("/").status_code == 200


def test_tenant_requiring_mfa_sends_users_to_setup(tenant_a, admin_a):
    with platform_context():
        Tenant.objects.filter(pk=tenant_a.pk).update(require_mfa=True)
    c = web_client(tenant_a, admin_a)
    r = c.get("/")
    assert r.status_code == 302 and "/account/mfa/setup/" in r["Location"]


def test_user_with_two_companies_switches_workspace(tenant_a, tenant_b, admin_a):
    actions.add_member(tenant_b, admin_a, ["accountant"])
    c = Client()
    r = c.post("/login/", {"email": admin_a.email, "password": PASSWORD})
    assert r["Location"].endswith("/workspaces/")
    r = c.post("/workspaces/", {"tenant": tenant_b.pk})
    assert r.status_code == 302
    assert "Công ty Beta" in c.get("/").content.decode()
    other = create_tenant("gamma")
    assert c.post("/workspaces/", {"tenant": other.pk}).status_code == 403


def test_invitation_email_and_acceptance(tenant_a, admin_a, django_capture_on_commit_callbacks):
    with tenant_context(tenant_a):
        membership = Membership.objects.get(user=admin_a)
        principal = principal_for(membership)
    with tenant_context(tenant_a), django_capture_on_commit_callbacks(execute=True):
        _inv, token = actions.invite_user(
            principal, email="new.person@example.com", role_codes=["sales_staff"], base_url="http://testserver"
        )
    assert len(mail.outbox) == 1 and token in mail.outbox[0].body
    c = Client()
    assert c.get(f"/invitations/{token}/").status_code == 200
    r = c.post(f"/invitations/{token}/", {"full_name": "Người Mới", "password": "Another-Strong-Pass-9"})
    assert r.status_code == 302
    with platform_context():
        user = User.objects.get(email="new.person@example.com")
    with tenant_context(tenant_a):
        m = Membership.objects.get(user=user)
        assert list(m.role_links.values_list("role__code", flat=True)) == ["sales_staff"]
    # a used link does not work twice
    assert Client().get(f"/invitations/{token}/").status_code == 404


def test_password_reset_sends_an_email(tenant_a, admin_a):
    r = Client().post("/password-reset/", {"email": admin_a.email})
    assert r.status_code == 302
    assert len(mail.outbox) == 1
    link = re.search(r"http://\S+/password-reset/\S+/", mail.outbox[0].body).group(0)
    c = Client()
    r = c.get(link, follow=True)
    assert r.status_code == 200 and "new_password1" in r.content.decode()


def test_sessions_can_be_revoked(tenant_a, admin_a):
    c1, c2 = Client(), Client()
    for c in (c1, c2):
        c.post("/login/", {"email": admin_a.email, "password": PASSWORD})
    with platform_context():
        rows = list(UserSession.objects.filter(user=admin_a).order_by("created_at"))
    assert len(rows) == 2
    r = c2.post(f"/account/sessions/{rows[0].pk}/revoke/")
    assert r.status_code == 302
    assert c1.get("/").status_code == 302  # the revoked browser is signed out
    assert c2.get("/").status_code == 200


def _signup(email, slug, password="Strong-Password-77"):
    c = Client()
    r = c.post(
        "/signup/",
        {
            "company_name": "Cửa hàng Hoa Mai",
            "slug": slug,
            "tax_code": "0100109106",
            "full_name": "Trần Hoa",
            "email": email,
            "password": password,
        },
        follow=True,
    )
    return c, r


def test_signup_creates_tenant_and_admin(db):
    c, r = _signup("hoa@example.com", "hoa-mai")
    assert r.redirect_chain == [("/signup/sent/", 302)]
    assert "Chúng tôi đã gửi tới hoa@example.com một thư hướng dẫn bước tiếp theo." in r.content.decode()
    with platform_context():
        t = Tenant.objects.get(slug="hoa-mai")
    assert t.has_module("ACC")
    assert [(m.to, m.subject) for m in mail.outbox] == [
        (["hoa@example.com"], "Công ty Cửa hàng Hoa Mai của bạn đã sẵn sàng trên NovaSaaS")
    ]
    assert "/login/" in mail.outbox[0].body
    # the new owner signs in with the password chosen
    assert c.post("/login/", {"email": "hoa@example.com", "password": "Strong-Password-77"}).status_code == 302
    assert c.get("/").status_code == 200
    bad = Client().post(
        "/signup/",
        {
            "company_name": "X",
            "slug": "x-y",
            "tax_code": "0100109107",
            "full_name": "X",
            "email": "x@example.com",
            "password": "Strong-Password-77",
        },
    )
    assert bad.status_code == 200 and "tax_code" in bad.content.decode()
    with platform_context():
        assert not Tenant.objects.filter(slug="x-y").exists()


def test_master_admin_portal_sets_modules_and_suspends(tenant_a, admin_a):
    with platform_context():
        master = User.objects.create_user("root@novasaas.test", PASSWORD, platform_role="master_admin")
    c = Client()
    c.force_login(master, backend="django.contrib.auth.backends.ModelBackend")
    assert c.get("/platform/").status_code == 200
    r = c.post(f"/platform/tenants/{tenant_a.slug}/modules/", {"modules": ["ACC"]})
    assert r.status_code == 302
    with platform_context():
        assert Tenant.objects.get(pk=tenant_a.pk).enabled_modules == ["ACC"]
    c.post(f"/platform/tenants/{tenant_a.slug}/status/", {"status": "suspended"})
    admin = web_client(tenant_a, admin_a)
    assert admin.get("/").status_code == 403
    with platform_context():
        assert AuditLog.objects.filter(action="tenant_status", tenant=tenant_a).exists()
    # tenant users cannot reach the portal
    assert admin.get("/platform/").status_code == 403


def test_support_view_is_read_only_and_audited(tenant_a):
    with platform_context():
        support = User.objects.create_user("help@novasaas.test", PASSWORD, platform_role="support")
    c = Client()
    c.force_login(support, backend="django.contrib.auth.backends.ModelBackend")
    assert c.post(f"/platform/tenants/{tenant_a.slug}/modules/", {"modules": []}).status_code == 403
    r = c.post(f"/platform/tenants/{tenant_a.slug}/support/")
    assert r.status_code == 302
    assert c.get("/").status_code == 200
    assert c.post("/api/v1/roles", {"code": "x", "name": "x"}, content_type="application/json").status_code == 403
    with platform_context():
        assert AuditLog.objects.filter(action="support_view", tenant=tenant_a, actor=support).exists()


def test_manager_reads_but_cannot_change_company(tenant_a):
    from novasaas.platform.testing.fixtures import ApiClient

    mgr = ApiClient(tenant_a, create_user(tenant_a, "manager"))
    assert mgr.get("/api/v1/settings/company").status_code == 200
    assert mgr.patch("/api/v1/settings/company", {"name": "Hacked"}).status_code == 403
    admin = ApiClient(tenant_a, create_user(tenant_a, "tenant_admin"))
    r = admin.patch("/api/v1/settings/company", {"name": "Công ty Alpha Mới", "tax_code": "0300588569"})
    assert r.status_code == 200, r.content
    assert r.json()["name"] == "Công ty Alpha Mới"
    assert admin.patch("/api/v1/settings/company", {"tax_code": "123"}).status_code == 400


def test_signup_does_not_reveal_an_existing_account(db):
    _c, first = _signup("hoa@example.com", "hoa-mai")
    mail.outbox.clear()
    c, again = _signup("HOA@example.com", "hoa-mai-2", password="Another-Password-88")
    # the same answer as for a new email, word for word apart from the address
    assert again.redirect_chain == first.redirect_chain == [("/signup/sent/", 302)]

    def page(r, email):  # per-request CSRF token and CSP nonce aside
        return re.sub(r'(content|nonce|value)="[^"]*"', "", r.content.decode().replace(email, "X"))

    assert page(again, "hoa@example.com") == page(first, "hoa@example.com")
    with platform_context():
        assert not Tenant.objects.filter(slug="hoa-mai-2").exists()
        assert AuditLog.objects.filter(action="other", message__contains="existing account").count() == 1
    # the owner of the existing account gets an email instead
    assert [(m.to, m.subject) for m in mail.outbox] == [(["hoa@example.com"], "Bạn đã có tài khoản NovaSaaS")]
    assert "/password-reset/" in mail.outbox[0].body and "/login/" in mail.outbox[0].body
    # the attempt's password did not become the account's
    assert c.post("/login/", {"email": "hoa@example.com", "password": "Another-Password-88"}).status_code == 200
