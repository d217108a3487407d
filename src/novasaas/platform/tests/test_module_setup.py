"""Module data is created when a module is enabled — at sign-up or by the Master Admin — never by a GET
(issue 20: the chart of accounts was created on the first dashboard view, a write inside a read)."""

from __future__ import annotations

from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from novasaas.accounting.models import Account, ChartOfAccount, Journal
from novasaas.identity.actions import set_tenant_modules
from novasaas.inventory.models import Location
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import admin_of, create_tenant, web_client


def _has_chart(tenant) -> bool:
    with tenant_context(tenant):
        return ChartOfAccount.objects.exists()


def test_a_new_company_has_its_chart_and_journals_at_sign_up(db):
    tenant = create_tenant("hoa-mai", modules=["ACC", "INV"])
    with tenant_context(tenant):
        assert Account.objects.filter(code="1111", allows_posting=True).exists()
        assert Account.objects.get(code="1111").parent.code == "111"
        assert Journal.objects.count() >= 4
        assert Location.objects.filter(usage="supplier").exists()


def test_switching_accounting_on_creates_its_data_then(db):
    tenant = create_tenant("hoa-mai", modules=["INV"])
    assert not _has_chart(tenant)
    set_tenant_modules(tenant, ["INV", "ACC"], actor=None)
    assert _has_chart(tenant)


def test_pages_of_a_new_company_write_nothing(db):
    tenant = create_tenant("hoa-mai", modules=["ACC", "INV"])
    client = web_client(tenant, admin_of(tenant))
    with CaptureQueriesContext(connection) as queries:
        for url in ("/", "/accounting/", "/accounting/chart/", "/accounting/reports/trial-balance/", "/inventory/"):
            assert client.get(url).status_code == 200, url
    writes = [
        q["sql"]
        for q in queries.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and ('"accounting_' in q["sql"] or '"inventory_' in q["sql"])
    ]
    assert writes == []


def test_the_upgrade_command_sets_up_tenants_created_before(db):
    from novasaas.platform.models import Tenant
    from novasaas.platform.tenancy import platform_context

    tenant = create_tenant("hoa-mai", modules=["INV"])
    with platform_context():
        Tenant.objects.filter(pk=tenant.pk).update(enabled_modules=["INV", "ACC"])  # as an old database had it
    assert not _has_chart(tenant)
    call_command("setup_modules", "hoa-mai")
    assert _has_chart(tenant)


def test_every_menu_page_of_a_new_company_with_every_module_writes_no_tenant_row(db):
    """Issue 20, item 3, for every module: the first GET of each menu page (the Tenant Admin sees them
    all) writes no row of a tenant table (sessions and sign-in records are not tenant rows)."""
    from django.urls import NoReverseMatch, reverse

    from novasaas.platform import scaleout
    from novasaas.platform.modules import NAVIGATION

    tenant = create_tenant("hoa-mai")  # every optional module
    client = web_client(tenant, admin_of(tenant))
    tenant_tables = {t for t, (_label, kind, _reason) in scaleout.classify().items() if kind == scaleout.DISTRIBUTED}
    urls = ["/"]
    for entry in NAVIGATION:
        for item in [entry, *entry.children]:
            try:
                urls.append(reverse(item.url_name))
            except NoReverseMatch:  # a page that needs arguments
                continue
    assert len(urls) > 10
    writes = []
    for url in dict.fromkeys(urls):
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        assert status in (200, 302), (url, status)
        for q in queries.captured_queries:
            sql = q["sql"].lstrip()
            if sql.upper().startswith(("INSERT", "UPDATE", "DELETE")):
                table = sql.split('"')[1] if '"' in sql else ""
                if table in tenant_tables:
                    writes.append(f"{url}: {sql[:200]}")
    assert writes == []
