"""Lots about to expire and lots already expired are listed apart (report, API, reports page, widget)."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from novasaas.inventory import actions
from novasaas.inventory.tests.helpers import receive, setup_catalogue
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client

URL = "/api/v1/inventory"


def test_expired_lots_are_not_in_the_expiring_list_but_in_their_own(tenant_a):
    today = timezone.localdate()
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        milk = actions.save_product(s.manager, name="Sữa tươi", stock_unit_id=s.chai.pk, tracking="lot")
        receive(s, 4, product=milk, lot_code="OLD", expires_on=today - timedelta(days=3))
        receive(s, 6, product=milk, lot_code="SOON", expires_on=today + timedelta(days=10))
        receive(s, 8, product=milk, lot_code="LATER", expires_on=today + timedelta(days=90))
    api = ApiClient(tenant_a, s.manager.user)
    expiring = api.get(f"{URL}/reports/expiring", {"days": 30}).json()
    assert [r["lot"] for r in expiring["rows"]] == ["SOON"]
    expired = api.get(f"{URL}/reports/expired").json()
    assert [(r["lot"], Decimal(r["on_hand"])) for r in expired["rows"]] == [("OLD", 4)]
    web = web_client(tenant_a, s.manager.user)
    page = web.get("/inventory/reports/").content.decode()
    soon_block = page.split("expired-lots")[0]
    assert "SOON" in soon_block and "OLD" not in soon_block
    assert "Lô đã hết hạn còn trong kho" in page and "OLD" in page.split("expired-lots")[1]
    assert "OLD" in web.get("/inventory/reports/expired/").content.decode()
    dashboard = web.get("/").content.decode()
    assert "lô hết hạn trong 30 ngày; 1 lô đã hết hạn" in dashboard
