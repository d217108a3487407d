"""Master Admin console: users, storage and last activity of each tenant in the list (page and API),
and the tenant-detail API (Master Admin and Support Staff; a tenant's own admin is refused)."""

from __future__ import annotations

import re

import pytest

from novasaas.billing import invoicing
from novasaas.billing.tests.helpers import master_client, subscribe
from novasaas.documents import actions as dms
from novasaas.documents.tests.helpers import upload
from novasaas.inventory.tests.helpers import principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_tenant, create_user, web_client

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _two(today):
    t, other = create_tenant(modules=["DMS", "CRM"]), create_tenant(modules=["CRM"])
    subscribe(t, "enterprise", on=today)
    subscribe(other, "business", on=today)
    create_user(t, "manager")
    with tenant_context(t):
        folder = dms.create_folder(principal(t), "Hợp đồng")
        dms.upload_document(principal(t), folder.pk, upload("a" * 300_000, "mot.txt"))
    web_client(t, admin_of(t)).get("/billing/")  # a member signed in
    invoicing.invoice_charges(t, on=today)
    return t, other


def test_console_lists_users_storage_and_last_activity(today):
    t, other = _two(today)
    mc, _m = master_client()
    body = mc.get("/platform/billing/").content.decode()
    assert re.search(r"293[,.]0\s?KB", body.replace("\xa0", " "))  # 300,000 bytes
    assert "Hoạt động gần nhất" in body or "Last activity" in body
    rows = {r["tenant_id"]: r for r in mc.get("/api/v1/platform/billing/subscriptions").json()}
    assert rows[t.pk]["storage_bytes"] == 300_000 and rows[t.pk]["active_users"] == 2
    assert rows[other.pk]["storage_bytes"] == 0 and rows[other.pk]["active_users"] == 1
    assert rows[t.pk]["last_activity"] is not None


def test_tenant_detail_api(today):
    t, other = _two(today)
    mc, _m = master_client()
    r = mc.get(f"/api/v1/platform/billing/tenants/{t.pk}")
    assert r.status_code == 200, r.content
    data = r.json()
    assert data["tenant_slug"] == t.slug and data["subscription"]["plan"] == "enterprise"
    assert data["active_users"] == 2 and data["storage_bytes"] == 300_000 and data["last_activity"]
    assert len(data["invoices"]) == 1 and data["invoices"][0]["number"].startswith("NS-")
    assert any(e["kind"] == "started" for e in data["events"])
    storage = next(u for u in data["subscription"]["usage"] if u["limit"] == "storage_mb")
    assert storage["used"] == 1  # measured in the tenant's own context
    # the other tenant's detail holds none of its invoices
    assert mc.get(f"/api/v1/platform/billing/tenants/{other.pk}").json()["invoices"] == []
    sc, _s = master_client("support")
    assert sc.get(f"/api/v1/platform/billing/tenants/{t.pk}").status_code == 200
    assert ApiClient(t, admin_of(t)).get(f"/api/v1/platform/billing/tenants/{t.pk}").status_code in (401, 403)
    assert mc.get("/api/v1/platform/billing/tenants/999999").status_code == 404
