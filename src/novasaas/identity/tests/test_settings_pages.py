"""Company settings pages and their JSON endpoints (spec §3.1.2)."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from novasaas.platform.models import AuditAction, AuditLog, Tenant
from novasaas.platform.tenancy import platform_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

VALID_MST = "0100109106"  # a real 10-digit tax code with a correct check digit


def _fresh(tenant):
    with platform_context():
        return Tenant.objects.get(pk=tenant.pk)


def _png() -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buf, format="PNG")
    return buf.getvalue()


def _company(**overrides):
    data = {
        "name": "Công ty Alpha Mới",
        "legal_name": "CÔNG TY TNHH ALPHA",
        "address": "1 Lê Lợi, Q.1, TP.HCM",
        "tax_code": VALID_MST,
        "phone": "028 1234 5678",
        "email": "info@alpha.vn",
    }
    data.update(overrides)
    return data


def test_admin_edits_company_information_with_logo(tenant_a, admin_a, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        logo = SimpleUploadedFile("logo.png", _png(), content_type="image/png")
        r = web_client(tenant_a, admin_a).post("/settings/company/", {**_company(), "logo": logo})
        assert r.status_code == 302, r.content[:800]
        t = _fresh(tenant_a)
        assert (t.name, t.tax_code, t.email) == ("Công ty Alpha Mới", VALID_MST, "info@alpha.vn")
        assert t.logo.name.startswith("logos/")
    with platform_context():
        assert AuditLog.objects.filter(
            tenant=tenant_a, action=AuditAction.UPDATE, object_type="platform.Tenant"
        ).exists()


def test_bad_tax_code_is_refused_and_nothing_changes(tenant_a, admin_a):
    r = web_client(tenant_a, admin_a).post("/settings/company/", _company(tax_code="0100109107"))
    assert r.status_code == 200 and b"is-invalid" in r.content
    assert _fresh(tenant_a).name == "Công ty Alpha"


def test_non_image_logo_is_refused(tenant_a, admin_a):
    fake = SimpleUploadedFile("logo.png", b"not an image", content_type="image/png")
    r = web_client(tenant_a, admin_a).post("/settings/company/", {**_company(), "logo": fake})
    assert r.status_code == 200 and b"is-invalid" in r.content  # the logo field is marked, the form shown again
    assert _fresh(tenant_a).name == "Công ty Alpha" and not _fresh(tenant_a).logo


def test_manager_sees_company_read_only(tenant_a):
    manager = create_user(tenant_a, "manager")
    client = web_client(tenant_a, manager)
    r = client.get("/settings/company/")
    assert r.status_code == 200 and b"disabled" in r.content
    assert client.post("/settings/company/", _company()).status_code == 403
    assert _fresh(tenant_a).name == "Công ty Alpha"


def test_appearance_region_and_security(tenant_a, admin_a):
    client = web_client(tenant_a, admin_a)
    assert client.post("/settings/appearance/", {"theme_color": "#123abc"}).status_code == 302
    r = client.post("/settings/appearance/", {"theme_color": "red"})
    assert r.status_code == 200 and b"is-invalid" in r.content
    assert _fresh(tenant_a).theme_color == "#123abc"  # the bad colour changed nothing
    assert (
        client.post(
            "/settings/region/", {"locale": "en", "timezone": "Asia/Bangkok", "base_currency": "USD"}
        ).status_code
        == 302
    )
    assert (
        client.post("/settings/region/", {"locale": "fr", "timezone": "Mars/Base", "base_currency": "XXX"}).status_code
        == 200
    )
    assert client.post("/settings/security/", {"require_mfa": "on"}).status_code == 302
    t = _fresh(tenant_a)
    assert (t.theme_color, t.locale, t.timezone, t.base_currency, t.require_mfa) == (
        "#123abc",
        "en",
        "Asia/Bangkok",
        "USD",
        True,
    )
    # a member without two-factor is now sent to set it up
    assert client.get("/settings/users/")["Location"] == "/account/mfa/setup/"


def test_theme_colour_is_applied_in_the_page(tenant_a, admin_a):
    client = web_client(tenant_a, admin_a)
    client.post("/settings/appearance/", {"theme_color": "#123abc"})
    assert b"#123abc" in client.get("/").content


def test_company_notification_switches(tenant_a, admin_a):
    manager = create_user(tenant_a, "manager")
    r = web_client(tenant_a, manager).post("/settings/notifications/", {"in_app": "on"})
    assert r.status_code == 302
    assert _fresh(tenant_a).notification_settings == {"in_app": True, "email": False}


def test_subscription_page_lists_modules(tenant_a):
    manager = create_user(tenant_a, "manager")
    body = web_client(tenant_a, manager).get("/settings/subscription/").content.decode()
    assert "ACC" in body and "INV" in body


@pytest.mark.parametrize(
    "path,data",
    [
        ("/settings/appearance/", {"theme_color": "#000000"}),
        ("/settings/region/", {"locale": "en", "timezone": "Asia/Bangkok", "base_currency": "USD"}),
        ("/settings/security/", {"require_mfa": "on"}),
    ],
)
def test_manager_cannot_post_admin_only_settings(tenant_a, path, data):
    manager = create_user(tenant_a, "manager")
    assert web_client(tenant_a, manager).post(path, data).status_code == 403
    t = _fresh(tenant_a)
    assert (t.theme_color, t.locale, t.require_mfa) == ("#0d6efd", "vi", False)


# --- JSON API -------------------------------------------------------------------------------------------


def test_api_notification_settings(api_a, tenant_a):
    assert api_a.get("/api/v1/settings/notifications").json() == {"email": True, "in_app": True}
    r = api_a.put("/api/v1/settings/notifications", {"email": False, "in_app": True})
    assert r.status_code == 200 and r.json() == {"email": False, "in_app": True}
    assert api_a.put("/api/v1/settings/notifications", {"email": False, "sms": True}).status_code == 422
    staff = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert staff.get("/api/v1/settings/notifications").status_code == 403
    assert staff.put("/api/v1/settings/notifications", {"email": True}).status_code == 403


def test_api_subscription(api_a, tenant_a):
    r = api_a.get("/api/v1/settings/subscription")
    assert r.status_code == 200
    assert {m["code"] for m in r.json()["modules"] if m["enabled"]} >= {"CORE", "ACC"}
    staff = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert staff.get("/api/v1/settings/subscription").status_code == 403


def test_api_logo_upload(api_a, tenant_a, tmp_path):
    with override_settings(MEDIA_ROOT=tmp_path):
        r = api_a.client.post(
            "/api/v1/settings/company/logo",
            {"logo": SimpleUploadedFile("l.png", _png(), content_type="image/png")},
            HTTP_AUTHORIZATION=f"Bearer {api_a.token}",
        )
        assert r.status_code == 200, r.content
        assert _fresh(tenant_a).logo.name.startswith("logos/")
        r = api_a.client.post(
            "/api/v1/settings/company/logo",
            {"logo": SimpleUploadedFile("l.png", b"nope", content_type="image/png")},
            HTTP_AUTHORIZATION=f"Bearer {api_a.token}",
        )
        assert r.status_code == 400


def test_api_company_tax_code_checksum(api_a):
    assert api_a.patch("/api/v1/settings/company", {"tax_code": "0100109107"}).status_code == 400
    assert api_a.patch("/api/v1/settings/company", {"tax_code": VALID_MST}).status_code == 200
