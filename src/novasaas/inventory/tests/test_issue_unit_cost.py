"""A goods issue line shows the unit cost it was valued at (the moving average at the issue), not 0."""

from __future__ import annotations

from decimal import Decimal

from novasaas.inventory.models import StockMovementLine
from novasaas.inventory.tests.helpers import issue, receive, setup_catalogue
from novasaas.platform.tenancy import tenant_context


def test_issue_line_shows_the_unit_cost_used(tenant_a):
    from novasaas.platform.testing.fixtures import ApiClient, admin_of, web_client

    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        receive(s, 10, "10000")  # 100,000
        receive(s, 20, "13000")  # 260,000: average (100,000 + 260,000) / 30 = 12,000
        out = issue(s, 5)
        line = StockMovementLine.objects.get(movement=out)
        assert (line.value, line.unit_cost) == (Decimal(60000), Decimal(12000))
    api = ApiClient(tenant_a, admin_of(tenant_a))
    got = api.get(f"/api/v1/inventory/movements/{out.pk}").json()["lines"][0]
    assert (Decimal(got["unit_cost"]), Decimal(got["value"])) == (Decimal(12000), Decimal(60000))
    page = web_client(tenant_a, admin_of(tenant_a)).get(f"/inventory/movements/{out.pk}/").content.decode()
    assert "12.000" in page and "60.000" in page
