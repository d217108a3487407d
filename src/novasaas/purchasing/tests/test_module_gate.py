"""Every route of Purchasing (from the resolver and the API's operation table) answers 403 with the
module message for a company without SCM."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.utils import translation

from novasaas.platform.modules import OPTIONAL_MODULES, ModuleDisabled
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant, web_client
from novasaas.platform.testing.routes import api_routes, page_routes


def test_every_real_route_of_purchasing_is_403_without_scm(db):
    without = [c for c in OPTIONAL_MODULES if c != "SCM"]
    tenant = create_tenant("no-scm", modules=without)
    admin = admin_of(tenant)
    api, web = ApiClient(tenant, admin), web_client(tenant, admin)
    apis, pages = api_routes("purchasing"), page_routes("purchasing")
    assert len(apis) >= 25 and len(pages) >= 15  # the real routers, not an empty walk
    for route in apis:
        r = getattr(api, route.method)(route.path, {} if route.method != "get" else None)
        assert r.status_code == 403, (route, r.status_code)
        assert r.json()["module"] == "SCM", route
    for route in pages:
        r = getattr(web, route.method)(route.path)
        assert r.status_code == 403, (route, r.status_code)
        with translation.override(r.headers.get("Content-Language", "vi")):
            message = str(ModuleDisabled("SCM"))
        assert message in r.content.decode(), route
    assert "/purchasing/" not in web.get("/").content.decode()  # no menu entry
    call_command("set_modules", tenant.slug, *without, "SCM", stdout=io.StringIO())
    assert web.get("/purchasing/").status_code == 200
    assert 'href="/purchasing/"' in web.get("/").content.decode()
