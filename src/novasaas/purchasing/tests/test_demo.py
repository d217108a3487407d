"""The SCM demo loader: vendors with price lists, orders in several states, a requisition; idempotent."""

from __future__ import annotations

from novasaas.inventory.tests.helpers import setup_catalogue
from novasaas.parties import demo as parties_demo
from novasaas.platform import demo
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user
from novasaas.purchasing import demo as purchasing_demo
from novasaas.purchasing.models import PurchaseOrder, PurchaseRequisition, Vendor, VendorPrice


def test_registered():
    assert ("SCM", purchasing_demo.load_demo_purchasing) in demo._loaders


def test_demo_purchasing(tenant_a, tenant_b):
    create_user(tenant_a, "purchase_staff")
    parties_demo.load_demo_parties(tenant_a)
    with tenant_context(tenant_a):
        setup_catalogue(tenant_a)
    purchasing_demo.load_demo_purchasing(tenant_a)
    purchasing_demo.load_demo_purchasing(tenant_a)
    with tenant_context(tenant_a):
        assert Vendor.objects.count() >= 2
        assert all(v.code.startswith("NCC-") for v in Vendor.objects.all())
        assert VendorPrice.objects.count() >= 2
        assert {o.status for o in PurchaseOrder.objects.all()} == {"draft", "approved", "waiting", "cancelled"}
        assert PurchaseRequisition.objects.count() == 1
    with tenant_context(tenant_b):
        assert not Vendor.objects.exists()
