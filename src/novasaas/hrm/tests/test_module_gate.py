"""Every route of HRM (from the resolver and the API's operation table) answers 403 with the module
message for a company without HRM."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.utils import translation

from novasaas.platform.modules import OPTIONAL_MODULES, ModuleDisabled
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant, web_client
from novasaas.platform.testing.routes import api_routes, page_routes


def test_every_real_route_of_hrm_is_403_without_hrm(db):
    without = [c for c in OPTIONAL_MODULES if c != "HRM"]
    tenant = create_tenant("no-hrm", modules=without)
    admin = admin_of(tenant)
    api, web = ApiClient(tenant, admin), web_client(tenant, admin)
    apis, pages = api_routes("hrm"), page_routes("hrm")
    assert len(apis) >= 20 and len(pages) >= 15
    for route in apis:
        r = getattr(api, route.method)(route.path, {} if route.method != "get" else None)
        assert r.status_code == 403, (route, r.status_code)
        assert r.json()["module"] == "HRM", route
    for route in pages:
        r = getattr(web, route.method)(route.path)
        assert r.status_code == 403, (route, r.status_code)
        with translation.override(r.headers.get("Content-Language", "vi")):
            message = str(ModuleDisabled("HRM"))
        assert message in r.content.decode(), route
    assert "/hrm/" not in web.get("/").content.decode()
    call_command("set_modules", tenant.slug, *without, "HRM", stdout=io.StringIO())
    assert web.get("/hrm/").status_code == 302
    assert 'href="/hrm/"' in web.get("/").content.decode()
