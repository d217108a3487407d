"""Every route of Documents (from the resolver and the API's operation table) answers 403 with the
module message for a company without DMS."""

from __future__ import annotations

import io

from django.core.management import call_command
from django.utils import translation

from novasaas.platform.modules import OPTIONAL_MODULES, ModuleDisabled
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant, web_client
from novasaas.platform.testing.routes import api_routes, page_routes


def test_every_real_route_of_documents_is_403_without_dms(db):
    without = [c for c in OPTIONAL_MODULES if c != "DMS"]
    tenant = create_tenant("no-dms", modules=without)
    admin = admin_of(tenant)
    api, web = ApiClient(tenant, admin), web_client(tenant, admin)
    apis, pages = api_routes("documents"), page_routes("documents")
    assert len(apis) >= 25 and len(pages) >= 10
    for route in apis:
        r = getattr(api, route.method)(route.path, {} if route.method != "get" else None)
        assert r.status_code == 403, (route, r.status_code)
        assert r.json()["module"] == "DMS", route
    for route in pages:
        r = getattr(web, route.method)(route.path)
        assert r.status_code == 403, (route, r.status_code)
        with translation.override(r.headers.get("Content-Language", "vi")):
            message = str(ModuleDisabled("DMS"))
        assert message in r.content.decode(), route
    assert "/documents/" not in web.get("/").content.decode()
    call_command("set_modules", tenant.slug, *without, "DMS", stdout=io.StringIO())
    assert web.get("/documents/").status_code == 200
    assert 'href="/documents/"' in web.get("/").content.decode()
