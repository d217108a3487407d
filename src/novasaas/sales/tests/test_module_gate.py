"""Every route of Sales (from the resolver and the API's operation table) answers 403 with the module
message for a company without CRM."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.utils import translation

from novasaas.platform.modules import OPTIONAL_MODULES, ModuleDisabled
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant, web_client
from novasaas.platform.testing.routes import api_routes, page_routes


def test_every_real_route_of_sales_is_403_without_crm(db):
    without = [c for c in OPTIONAL_MODULES if c != "CRM"]
    tenant = create_tenant("no-crm", modules=without)
    admin = admin_of(tenant)
    api, web = ApiClient(tenant, admin), web_client(tenant, admin)
    apis, pages = api_routes("sales"), page_routes("sales")
    assert len(apis) >= 15 and len(pages) >= 12  # the real routers, not an empty walk
    portal_apis, portal_pages = api_routes("portal"), page_routes("portal")  # the customer portal is CRM too
    assert len(portal_apis) >= 10 and len(portal_pages) >= 8
    apis, pages = [*apis, *portal_apis], [*pages, *portal_pages]
    for route in apis:
        r = getattr(api, route.method)(route.path, {} if route.method != "get" else None)
        assert r.status_code == 403, (route, r.status_code)
        assert r.json()["module"] == "CRM", route
    for route in pages:
        r = getattr(web, route.method)(route.path)
        assert r.status_code == 403, (route, r.status_code)
        with translation.override(r.headers.get("Content-Language", "vi")):
            message = str(ModuleDisabled("CRM"))
        assert message in r.content.decode(), route
    assert "/sales/" not in web.get("/").content.decode()  # no menu entry
    call_command("set_modules", tenant.slug, *without, "CRM", stdout=io.StringIO())
    assert web.get("/sales/").status_code == 200
    assert 'href="/sales/"' in web.get("/").content.decode()
