"""List pages and list endpoints: the number of SQL statements does not grow with the rows (no N+1)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext

from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client
from novasaas.purchasing import actions, bills
from novasaas.purchasing.tests.helpers import approved, beer_line, order, party, world

PAGES = ["/purchasing/", "/purchasing/vendors/", "/purchasing/bills/", "/purchasing/requisitions/", "/purchasing/grni/"]
APIS = [
    "/api/v1/purchasing/orders",
    "/api/v1/purchasing/vendors",
    "/api/v1/purchasing/bills",
    "/api/v1/purchasing/reports/grni",
]


def _add(w, n):
    for i in range(n):
        o = approved(w, beer_line(w, 2))
        actions.receive_order(w.keeper, o.pk)
        bills.create_bill(w.staff, order_id=o.pk, vendor_invoice_no=f"{n}-{i}")
        order(w, beer_line(w, 1))
        actions.create_vendor(w.manager, party_id=party(w.manager, f"Nhà cung cấp {n}-{i}").pk)


def _counts(tenant, user):
    web, api = web_client(tenant, user), ApiClient(tenant, user)
    out = {}
    for url in PAGES + APIS:
        client = api if url.startswith("/api/") else web
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200, url
        out[url] = len(ctx.captured_queries)
    return out


def test_lists_do_not_grow_with_rows(tenant_a, admin_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        _add(w, 1)
    few = _counts(tenant_a, admin_a)
    with tenant_context(tenant_a):
        _add(w, 6)
    many = _counts(tenant_a, admin_a)
    assert {url: many[url] - few[url] for url in few} == dict.fromkeys(few, 0)
