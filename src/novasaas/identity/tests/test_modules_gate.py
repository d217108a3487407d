"""The set_modules command and the module gate: a disabled module's API is 403, its menu hidden."""

import io

import pytest
from django.core.management import CommandError, call_command
from django.test import override_settings
from django.urls import include, path
from ninja import NinjaAPI, Router

from novasaas.platform.api import module_auth
from novasaas.platform.models import AuditAction, AuditLog, Tenant
from novasaas.platform.modules import NAVIGATION, ModuleDisabled, NavEntry, register_nav, requires_module
from novasaas.platform.tenancy import platform_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client


def _modules(tenant):
    with platform_context():
        return Tenant.objects.get(pk=tenant.pk).enabled_modules


def test_set_modules_command(tenant_a):
    out = io.StringIO()
    call_command("set_modules", "alpha", "acc", "SCM", stdout=out)
    assert _modules(tenant_a) == ["INV", "ACC", "SCM"]  # SCM brings INV
    assert "CORE INV ACC SCM" in out.getvalue()
    with platform_context():
        assert AuditLog.objects.filter(tenant=tenant_a, action=AuditAction.MODULES_CHANGED).exists()
    call_command("set_modules", "alpha", stdout=io.StringIO())
    assert _modules(tenant_a) == []


def test_set_modules_command_refuses_bad_input(tenant_a):
    with pytest.raises(CommandError):
        call_command("set_modules", "nope", "ACC")
    with pytest.raises(CommandError):
        call_command("set_modules", "alpha", "XYZ")
    assert "ACC" in _modules(tenant_a)


# A tiny API and page behind the real gate (module apps add their own routes in their branches).
gated = Router(auth=module_auth("ACC"))


@gated.get("/ping")
def ping(request):
    return {"ok": True}


test_api = NinjaAPI(urls_namespace="gate-test")
test_api.add_router("/acc", gated)


@test_api.exception_handler(ModuleDisabled)
def _disabled(request, exc):
    from novasaas.config.api import on_module_disabled

    return on_module_disabled(request, exc)


@requires_module("ACC")
def gated_page(request):
    from django.http import HttpResponse

    return HttpResponse("ok")


handler403 = "novasaas.web.views.permission_denied"
urlpatterns = [
    path("api/gate-test/", test_api.urls),
    path("gated-page/", gated_page),
    path("", include("novasaas.config.urls")),
]


@override_settings(ROOT_URLCONF=__name__)
def test_disabled_module_api_is_403_with_a_clear_message(tenant_a, admin_a):
    client = ApiClient(tenant_a, admin_a)
    assert client.get("/api/gate-test/acc/ping").status_code == 200
    call_command("set_modules", "alpha", "INV", stdout=io.StringIO())
    r = client.get("/api/gate-test/acc/ping")
    assert r.status_code == 403
    assert r.json()["module"] == "ACC" and "ACC" in r.json()["detail"]


@override_settings(ROOT_URLCONF=__name__)
def test_disabled_module_page_is_403(tenant_a, admin_a):
    client = web_client(tenant_a, admin_a)
    assert client.get("/gated-page/").status_code == 200
    call_command("set_modules", "alpha", stdout=io.StringIO())
    r = client.get("/gated-page/")
    assert r.status_code == 403 and "ACC" in r.content.decode()


def test_disabled_module_permissions_are_off(tenant_a):
    accountant = create_user(tenant_a, "accountant")
    api = ApiClient(tenant_a, accountant)
    assert "acc.entry.create" in api.get("/api/v1/me").json()["permissions"]
    call_command("set_modules", "alpha", "INV", stdout=io.StringIO())
    assert "ACC" not in api.get("/api/v1/me").json()["modules"]


@pytest.fixture
def acc_menu():
    entry = NavEntry(module="ACC", label="Sổ kế toán thử", url_name="dashboard", icon="bi-journal")
    register_nav(entry)
    yield entry
    NAVIGATION.remove(entry)


def test_disabled_module_menu_entries_are_hidden(tenant_a, admin_a, acc_menu):
    client = web_client(tenant_a, admin_a)
    assert "Sổ kế toán thử" in client.get("/").content.decode()
    call_command("set_modules", "alpha", "INV", stdout=io.StringIO())
    assert "Sổ kế toán thử" not in client.get("/").content.decode()


@pytest.mark.parametrize(("module", "prefix"), [("ACC", "accounting"), ("INV", "inventory")])
def test_every_real_route_of_a_disabled_module_is_403_with_the_module_message(db, module, prefix):
    """Every route of the module, from the resolver and the API's operation table (none by hand)."""
    from django.utils import translation

    from novasaas.platform.modules import MODULES, OPTIONAL_MODULES
    from novasaas.platform.testing.fixtures import admin_of, create_tenant
    from novasaas.platform.testing.routes import api_routes, page_routes

    without = [c for c in OPTIONAL_MODULES if c != module and module not in MODULES[c].depends_on]
    tenant = create_tenant(f"no-{prefix}", modules=without)
    admin = admin_of(tenant)
    api, web = ApiClient(tenant, admin), web_client(tenant, admin)
    apis, pages = api_routes(prefix), page_routes(prefix)
    assert len(apis) > 50 and len(pages) > 50  # the real routers, not an empty walk
    for route in apis:
        r = getattr(api, route.method)(route.path, {} if route.method != "get" else None)
        assert r.status_code == 403, (route, r.status_code)
        assert r.json()["module"] == module, route
    for route in pages:
        r = getattr(web, route.method)(route.path)
        assert r.status_code == 403, (route, r.status_code)
        with translation.override(r.headers.get("Content-Language", "vi")):
            message = str(ModuleDisabled(module))
        assert message in r.content.decode(), route
    # the same tenant with the module on reaches the first page (the gate, not the routes, refused)
    call_command("set_modules", tenant.slug, *without, module, stdout=io.StringIO())
    assert web.get(f"/{prefix}/").status_code == 200
