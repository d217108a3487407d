"""Requisitions: made by Purchase Staff or automatically when stock falls below its reorder level (once
per crossing, the Purchase Manager notified), approved by the manager, converted to a draft order."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.inventory import actions as inventory
from novasaas.inventory.tests.helpers import issue, receive
from novasaas.platform.notifications import Notification
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_tenant
from novasaas.purchasing import requisitions
from novasaas.purchasing.models import OrderStatus, PurchaseRequisition, RequisitionStatus
from novasaas.purchasing.tests.helpers import world

D = Decimal


def test_stock_below_reorder_level_drafts_one_requisition_per_crossing(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        inventory.set_reorder_rule(
            w.inv.manager, product_id=w.inv.beer.pk, warehouse_id=w.inv.wh.pk, reorder_level="10", reorder_quantity="48"
        )
        receive(w.inv, 20)
        issue(w.inv, 12)  # 8 < 10: crossing
        issue(w.inv, 2)  # still below: same crossing
        reqs = list(PurchaseRequisition.objects.all())
        assert len(reqs) == 1
        req = reqs[0]
        assert (req.quantity, req.is_automatic, req.status) == (D(48), True, RequisitionStatus.DRAFT)
        assert req.product_id == w.inv.beer.pk and req.warehouse_id == w.inv.wh.pk
        assert Notification.objects.filter(recipient=w.manager.user, url=f"/purchasing/requisitions/{req.pk}/").exists()
        assert not Notification.objects.filter(recipient=w.staff.user, url__startswith="/purchasing/").exists()
        receive(w.inv, 30)  # back above: re-armed
        issue(w.inv, 30)  # below again, but the first requisition is still open
        assert PurchaseRequisition.objects.count() == 1
        requisitions.reject_requisition(w.manager, req.pk)
        receive(w.inv, 30)
        issue(w.inv, 30)
        assert PurchaseRequisition.objects.count() == 2


def test_no_requisition_without_scm(db):
    tenant = create_tenant(modules=["ACC", "INV"])
    with tenant_context(tenant):
        from novasaas.inventory.tests.helpers import setup_catalogue

        s = setup_catalogue(tenant)
        inventory.set_reorder_rule(s.manager, product_id=s.beer.pk, warehouse_id=s.wh.pk, reorder_level="10")
        receive(s, 20)
        issue(s, 15)
        assert PurchaseRequisition.objects.count() == 0


def test_requisition_approval_and_conversion(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        req = requisitions.create_requisition(
            w.staff, product_id=w.inv.beer.pk, warehouse_id=w.inv.wh.pk, quantity="24"
        )
        with pytest.raises(PermissionDenied):
            requisitions.approve_requisition(w.staff, req.pk)
        with pytest.raises(ValidationError):
            requisitions.convert_to_order(w.staff, req.pk, vendor_id=w.vendor.pk)  # not approved
        requisitions.approve_requisition(w.manager, req.pk)
        order = requisitions.convert_to_order(w.staff, req.pk, vendor_id=w.vendor.pk)
        assert order.status == OrderStatus.DRAFT and order.requisition_id == req.pk
        assert order.lines.get().quantity == D(24) and order.untaxed == D(240000)
        req.refresh_from_db()
        assert req.status == RequisitionStatus.ORDERED
        with pytest.raises(ValidationError):
            requisitions.convert_to_order(w.staff, req.pk, vendor_id=w.vendor.pk)  # once
        with pytest.raises(ValidationError):
            requisitions.create_requisition(w.staff, product_id=w.inv.beer.pk, warehouse_id=w.inv.wh.pk, quantity="0")
        with pytest.raises(PermissionDenied):
            requisitions.create_requisition(w.keeper, product_id=w.inv.beer.pk, warehouse_id=w.inv.wh.pk, quantity="1")
