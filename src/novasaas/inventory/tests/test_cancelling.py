"""Cancelling documents, expired lots never picked by themselves, releasing reservations, tracing lots
and serials: what the user sees, and that a refusal changes nothing."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from novasaas.identity import actions as identity
from novasaas.inventory import actions
from novasaas.inventory.ledger import InsufficientStock
from novasaas.inventory.models import Stock, StockMovement
from novasaas.inventory.tests.helpers import principal, receive, setup_catalogue
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, admin_of, create_user

URL = "/api/v1/inventory"


@pytest.fixture
def s(tenant_a):
    with tenant_context(tenant_a):
        yield setup_catalogue(tenant_a)


def _stock(s, wh=None):
    row = Stock.objects.filter(product=s.beer, warehouse=wh or s.wh).first()
    return (row.on_hand, row.reserved) if row else (Decimal(0), Decimal(0))


def test_cancel_a_draft_receipt_and_never_a_done_one(s):
    draft = actions.create_movement(
        s.manager, kind="receipt", warehouse_id=s.wh.pk, lines=[{"product_id": s.beer.pk, "quantity": "5"}]
    )
    assert actions.cancel_movement(s.manager, draft.pk).status == "cancelled"
    with pytest.raises(ValidationError, match="Đã hủy|Cancelled"):
        actions.cancel_movement(s.manager, draft.pk)
    with pytest.raises(ValidationError):
        actions.validate_movement(s.manager, draft.pk)
    assert _stock(s) == (0, 0)
    done = receive(s, 7)
    with pytest.raises(ValidationError):
        actions.cancel_movement(s.manager, done.pk)
    assert StockMovement.objects.get(pk=done.pk).status == "done" and _stock(s) == (7, 0)


def test_cancel_a_transfer_needs_the_approve_right_and_moves_nothing(s):
    receive(s, 10)
    t = actions.create_transfer(
        s.manager,
        from_warehouse_id=s.wh.pk,
        to_warehouse_id=s.wh2.pk,
        lines=[{"product_id": s.beer.pk, "quantity": "4"}],
    )
    with pytest.raises(PermissionDenied):
        actions.cancel_transfer(s.staff, t.pk)
    assert actions.cancel_transfer(s.manager, t.pk).status == "cancelled"
    with pytest.raises(ValidationError):
        actions.approve_transfer(s.manager, t.pk)
    assert _stock(s) == (10, 0) and _stock(s, s.wh2) == (0, 0)


def test_a_rejected_adjustment_changes_no_stock_and_cannot_be_approved_after(s):
    receive(s, 10)
    adj = actions.create_adjustment(
        s.manager, warehouse_id=s.wh.pk, reason="vỡ", lines=[{"product_id": s.beer.pk, "quantity_change": "-3"}]
    )
    with pytest.raises(PermissionDenied):
        actions.reject_adjustment(s.staff, adj.pk)
    assert actions.reject_adjustment(s.manager, adj.pk).status == "cancelled"
    with pytest.raises(ValidationError):
        actions.approve_adjustment(s.manager, adj.pk)
    assert _stock(s) == (10, 0)


def test_a_draft_count_is_cancelled_by_its_creator_a_pending_one_only_by_an_approver(s, tenant_a):
    receive(s, 10)
    identity.create_role(
        principal(tenant_a),
        code="lap-kiem-ke",
        name="Lập lệnh kiểm kê",
        permissions=["inv.stock.view", "inv.count.create"],
    )
    creator = principal(tenant_a, "lap-kiem-ke")
    draft = actions.create_count(creator, warehouse_id=s.wh.pk)
    assert actions.cancel_count(creator, draft.pk).status == "cancelled"

    pending = actions.create_count(creator, warehouse_id=s.wh.pk)
    actions.record_counts(s.manager, pending.pk, [{"line_id": ln.pk, "counted": "8"} for ln in pending.lines.all()])
    assert actions.submit_count(s.manager, pending.pk).status == "pending"
    with pytest.raises(PermissionDenied):
        actions.cancel_count(creator, pending.pk)  # awaiting approval: the approver decides
    assert actions.cancel_count(s.manager, pending.pk).status == "cancelled"
    with pytest.raises(ValidationError):
        actions.approve_count(s.manager, pending.pk)
    assert _stock(s) == (10, 0)  # the shortage of 2 was never posted


def test_expired_lots_are_never_picked_unless_named(s):
    today = timezone.localdate()
    milk = actions.save_product(s.manager, name="Sữa tươi", stock_unit_id=s.chai.pk, tracking="lot")
    receive(s, 5, product=milk, lot_code="HET-HAN", expires_on=today - timedelta(days=1))
    receive(s, 4, product=milk, lot_code="CON-HAN", expires_on=today + timedelta(days=30))
    picks = actions.suggest_picks(s.wh, milk, None, Decimal(3))
    assert [(lot.code, q) for _loc, lot, q in picks] == [("CON-HAN", 3)]
    issued = actions.issue_goods(s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": milk.pk, "quantity": "3"}])
    assert {ln.lot_code for ln in issued.lines.exclude(lot_code="")} == {"CON-HAN"}
    # more than the unexpired stock: refused, saying why, nothing issued
    with pytest.raises(InsufficientStock, match="HET|hết hạn|expired") as refused:
        actions.issue_goods(s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": milk.pk, "quantity": "2"}])
    assert "5" in refused.value.messages[0]
    assert Stock.objects.get(product=milk, warehouse=s.wh).on_hand == 6
    # naming the expired lot (to dispose of it) is allowed
    actions.issue_goods(
        s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": milk.pk, "quantity": "5", "lot_code": "HET-HAN"}]
    )
    assert Stock.objects.get(product=milk, warehouse=s.wh).on_hand == 1


def test_release_a_reservation_through_the_api(tenant_a, s):
    receive(s, 10)
    api = ApiClient(tenant_a, create_user(tenant_a, "warehouse_staff"))
    body = {"product_id": s.beer.pk, "warehouse_id": s.wh.pk, "for_document": "crm.salesorder:7"}
    assert api.post(f"{URL}/reservations", {**body, "quantity": "6"}).status_code == 201
    assert _stock(s) == (10, 6)
    r = api.post(f"{URL}/reservations/release", {**body, "quantity": "4"})
    assert r.status_code == 200 and Decimal(r.json()["quantity"]) == 4
    assert _stock(s) == (10, 2)
    # releasing more than is left gives back what is left; another document's release gives nothing
    r = api.post(f"{URL}/reservations/release", {**body, "quantity": "5"})
    assert Decimal(r.json()["quantity"]) == 2 and _stock(s) == (10, 0)
    r = api.post(f"{URL}/reservations/release", {**body, "for_document": "crm.salesorder:8", "quantity": "1"})
    assert Decimal(r.json()["quantity"]) == 0 and _stock(s) == (10, 0)
    sales = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert sales.post(f"{URL}/reservations/release", {**body, "quantity": "1"}).status_code == 403


def test_trace_a_lot_and_a_serial(tenant_a, s):
    milk = actions.save_product(s.manager, name="Sữa", stock_unit_id=s.chai.pk, tracking="lot")
    machine = actions.save_product(s.manager, name="Máy xay", stock_unit_id=s.chai.pk, tracking="serial")
    receive(s, 6, product=milk, lot_code="L-01")
    actions.issue_goods(
        s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": milk.pk, "quantity": "2", "lot_code": "L-01"}]
    )
    receive(s, 2, product=machine, serials=["SN-1", "SN-2"])
    actions.issue_goods(
        s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": machine.pk, "quantity": "1", "serials": ["SN-1"]}]
    )
    api = ApiClient(tenant_a, admin_of(tenant_a))
    from novasaas.inventory.models import LotNumber

    lot = LotNumber.objects.get(product=milk, code="L-01")
    r = api.get(f"{URL}/lots/{lot.pk}/trace")
    assert r.status_code == 200 and r.json()["lot"]["code"] == "L-01"
    assert sorted(Decimal(m["quantity"]) for m in r.json()["moves"]) == [2, 6]
    from novasaas.inventory.models import SerialNumber

    serial = SerialNumber.objects.get(code="SN-1")
    r = api.get(f"{URL}/serials/{serial.pk}/trace")
    assert r.status_code == 200 and r.json()["serial"] == "SN-1" and len(r.json()["moves"]) == 2
    assert api.get(f"{URL}/lots/{2**40}/trace").status_code == 404
    assert api.get(f"{URL}/serials/{2**40}/trace").status_code == 404
