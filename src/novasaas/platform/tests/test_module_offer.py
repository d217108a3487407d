"""Only built modules are offered: sign-up, the Master Admin portal and the API never enable a module
whose screens do not exist yet (issue 10 §5); a company that already has one keeps it."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from novasaas.platform import modules
from novasaas.platform.models import Tenant
from novasaas.platform.modules import offerable_modules
from novasaas.platform.tenancy import platform_context
from novasaas.platform.testing.fixtures import PASSWORD, create_tenant

# Every module has screens now; two are made "unbuilt" for these tests by hiding their menu entries
# (a module becomes offerable when its app registers its menu, see platform.modules).
UNBUILT = {"PM", "DMS"}
BUILT = ["HRM", "CRM", "INV", "ACC", "SCM"]


@pytest.fixture(autouse=True)
def _unbuilt(monkeypatch):
    monkeypatch.setattr(modules, "NAVIGATION", [e for e in modules.NAVIGATION if e.module not in UNBUILT])


@pytest.fixture
def master(db):
    with platform_context():
        user = get_user_model().objects.create_user("root@novasaas.test", PASSWORD, platform_role="master_admin")
    c = Client()
    c.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return c


def _modules(slug):
    with platform_context():
        return Tenant.objects.get(slug=slug).enabled_modules


def _checkboxes(body):
    return {part.split('"', 1)[0] for part in body.split('name="modules" value="')[1:]}


def test_offerable_modules_are_the_built_ones():
    assert offerable_modules() == BUILT


def test_portal_offers_only_built_modules(master):
    assert _checkboxes(master.get("/platform/tenants/new/").content.decode()) == set(BUILT)
    create_tenant("hoa-mai", modules=["ACC"])
    assert _checkboxes(master.get("/platform/tenants/hoa-mai/").content.decode()) == set(BUILT)


def test_portal_refuses_an_unbuilt_module_and_changes_nothing(master):
    create_tenant("hoa-mai", modules=["ACC"])
    r = master.post("/platform/tenants/hoa-mai/modules/", {"modules": ["ACC", "DMS"]}, follow=True)
    assert "(DMS)" in r.content.decode()
    assert _modules("hoa-mai") == ["ACC"]
    r = master.post(
        "/platform/tenants/new/",
        {"name": "Lan Anh", "slug": "lan-anh", "admin_email": "a@lan.test", "modules": ["PM"]},
    )
    assert r.status_code == 200 and "(PM)" in r.content.decode()
    with platform_context():
        assert not Tenant.objects.filter(slug="lan-anh").exists()


def test_api_refuses_enabling_an_unbuilt_module(master):
    create_tenant("hoa-mai", modules=["ACC"])
    for code in sorted(UNBUILT):
        r = master.put(
            "/api/v1/platform/tenants/hoa-mai/modules", {"modules": ["ACC", code]}, content_type="application/json"
        )
        assert r.status_code == 400, code
        assert f"({code})" in str(r.json()["detail"]), code
    assert _modules("hoa-mai") == ["ACC"]
    r = master.post(
        "/api/v1/platform/tenants",
        {"slug": "lan-anh", "name": "Lan Anh", "admin_email": "a@lan.test", "modules": ["INV", "PM"]},
        content_type="application/json",
    )
    assert r.status_code == 400 and "(PM)" in str(r.json()["detail"])
    with platform_context():
        assert not Tenant.objects.filter(slug="lan-anh").exists()
    # built modules are enabled as before
    r = master.put(
        "/api/v1/platform/tenants/hoa-mai/modules", {"modules": ["ACC", "INV"]}, content_type="application/json"
    )
    assert r.status_code == 200 and r.json()["modules"] == ["CORE", "INV", "ACC"]


def test_a_module_the_company_already_has_is_kept(master):
    create_tenant("hoa-mai", modules=["ACC", "PM"])  # enabled before the rule (e.g. an old demo)
    r = master.put(
        "/api/v1/platform/tenants/hoa-mai/modules", {"modules": ["ACC", "PM", "INV"]}, content_type="application/json"
    )
    assert r.status_code == 200
    assert sorted(_modules("hoa-mai")) == ["ACC", "INV", "PM"]


def test_signup_enables_the_built_modules(db):
    r = Client().post(
        "/signup/",
        {
            "company_name": "Cửa hàng Hoa Mai",
            "slug": "hoa-mai",
            "tax_code": "0100109106",
            "full_name": "Trần Hoa",
            "email": "hoa@example.com",
            "password": "Strong-Password-77",
        },
    )
    assert r.status_code == 302
    assert sorted(_modules("hoa-mai")) == sorted(BUILT)
