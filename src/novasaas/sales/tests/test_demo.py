"""The CRM demo loader: groups, customers of the demo Sales Staff, draft orders; idempotent."""

from __future__ import annotations

from novasaas.inventory.tests.helpers import setup_catalogue
from novasaas.parties import demo as parties_demo
from novasaas.platform import demo
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user
from novasaas.sales import demo as sales_demo
from novasaas.sales.models import Customer, CustomerGroup, OrderStatus, SalesOrder


def test_registered_after_inventory():
    assert ("CRM", sales_demo.load_demo_sales) in demo._loaders


def test_demo_sales(tenant_a, tenant_b):
    staff = create_user(tenant_a, "sales_staff")
    parties_demo.load_demo_parties(tenant_a)
    with tenant_context(tenant_a):
        setup_catalogue(tenant_a)  # a small catalogue: the inventory demo's year is tested apart
    sales_demo.load_demo_sales(tenant_a)
    sales_demo.load_demo_sales(tenant_a)
    with tenant_context(tenant_a):
        assert CustomerGroup.objects.count() == 2
        assert Customer.objects.count() >= 5
        assert set(Customer.objects.values_list("salesperson_id", flat=True)) == {staff.pk}
        orders = SalesOrder.objects.all()
        assert orders.count() == 3 and {o.status for o in orders} == {OrderStatus.DRAFT}
        assert all(o.total > 0 for o in orders)
    with tenant_context(tenant_b):
        assert not Customer.objects.exists()
