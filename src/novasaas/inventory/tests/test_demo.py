"""The INV demo loader: a realistic catalogue, two warehouses, a year of movements, idempotent."""

from __future__ import annotations

import pytest

from novasaas.inventory import demo as inv_demo
from novasaas.inventory import ledger
from novasaas.inventory.models import Product, StockMove, StockMovement, Unit, Warehouse
from novasaas.platform import demo
from novasaas.platform.tenancy import tenant_context

pytestmark = pytest.mark.date_sensitive  # a year of movements back from today


def test_loader_is_registered():
    assert ("INV", inv_demo.load_demo_inventory) in demo._loaders


def test_demo_inventory(tenant_a, tenant_b):
    inv_demo.load_demo_inventory(tenant_a)
    inv_demo.load_demo_inventory(tenant_a)
    with tenant_context(tenant_a):
        assert Product.objects.count() == len(inv_demo.PRODUCTS)
        assert Warehouse.objects.count() == 2
        dates = StockMovement.objects.values_list("date", flat=True)
        assert (max(dates) - min(dates)).days > 300
        assert StockMove.objects.count() > 300
        assert ledger.ledger_differences() == []
        # every unit has its English name for English pages
        assert dict(Unit.objects.values_list("code", "name_en")) == inv_demo.UNIT_NAMES_EN
    with tenant_context(tenant_b):
        assert Product.objects.count() == 0
