"""Modules without pages yet are not promised: the demo enables only modules with screens, the
subscription page says which are not available yet; the Master Admin list shows addresses."""

from __future__ import annotations

import io

from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import Client

from novasaas.platform import demo, modules
from novasaas.platform.models import Tenant
from novasaas.platform.modules import OPTIONAL_MODULES, modules_with_screens
from novasaas.platform.tenancy import platform_context
from novasaas.platform.testing.fixtures import PASSWORD, create_tenant, create_user, web_client


def test_every_module_has_screens():
    assert modules_with_screens() == {"CORE", *OPTIONAL_MODULES}


def test_only_modules_with_a_menu_have_screens(monkeypatch):
    monkeypatch.setattr(modules, "NAVIGATION", [e for e in modules.NAVIGATION if e.module != "PM"])
    assert "PM" not in modules_with_screens() and "DMS" in modules_with_screens()


def test_demo_enables_only_modules_with_screens(db, monkeypatch):
    monkeypatch.setattr(modules, "NAVIGATION", [e for e in modules.NAVIGATION if e.module not in {"PM", "DMS"}])
    monkeypatch.setattr(demo, "load_module_data", lambda tenant: None)  # the data loaders are tested apart
    call_command("seed_demo", stdout=io.StringIO())
    with platform_context():
        tenant = Tenant.objects.get(slug="demo")
    assert sorted(tenant.enabled_modules) == ["ACC", "CRM", "HRM", "INV", "SCM"]
    # a demo made before (every module on) is corrected by running the command again
    with platform_context():
        tenant.enabled_modules = ["HRM", "CRM", "INV", "ACC", "SCM", "PM", "DMS"]
        tenant.save(update_fields=["enabled_modules"])
    call_command("seed_demo", stdout=io.StringIO())
    with platform_context():
        assert sorted(Tenant.objects.get(slug="demo").enabled_modules) == ["ACC", "CRM", "HRM", "INV", "SCM"]


def test_subscription_page_does_not_promise_modules_without_screens(tenant_a, monkeypatch):
    monkeypatch.setattr(modules, "NAVIGATION", [e for e in modules.NAVIGATION if e.module != "PM"])
    body = web_client(tenant_a, create_user(tenant_a, "manager")).get("/settings/subscription/").content.decode()
    rows = {row.split("<code>")[1].split("</code>")[0]: row for row in body.split("<tr>")[2:]}
    assert "Có" in rows["ACC"] and "Chưa có màn hình" not in rows["ACC"]
    assert "Chưa có màn hình" in rows["PM"] and "bi-check-circle" not in rows["PM"]


def test_master_admin_company_list_shows_the_address(db):
    create_tenant("hoa-mai", name="Cửa hàng Hoa Mai", address="5 Lê Lợi, Quận 1, TP. Hồ Chí Minh")
    with platform_context():
        master = get_user_model().objects.create_user("root@novasaas.test", PASSWORD, platform_role="master_admin")
    c = Client()
    c.force_login(master, backend="django.contrib.auth.backends.ModelBackend")
    body = c.get("/platform/").content.decode()
    row = body.split("Cửa hàng Hoa Mai", 1)[1].split("</tr>", 1)[0]
    assert "5 Lê Lợi, Quận 1, TP. Hồ Chí Minh" in row and "<td>hoa-mai</td>" not in row
