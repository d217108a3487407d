"""Lots (expiry, FEFO picking), serial numbers (unique per product, never issued twice), traceability."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from novasaas.inventory import actions, ledger, selectors
from novasaas.inventory.models import LotNumber, SerialNumber, StockMove
from novasaas.inventory.tests.helpers import receive, setup_catalogue
from novasaas.platform.tenancy import tenant_context

pytestmark = pytest.mark.date_sensitive  # expiry dates (FEFO, expiring lots)

URL = "/api/v1/inventory"


@pytest.fixture
def s(tenant_a):
    with tenant_context(tenant_a):
        yield setup_catalogue(tenant_a)


def test_fefo_picks_the_lot_expiring_first(s, tenant_a):
    # Expiry dates relative to the day the test runs: the AUTO lot expires in 30 days (shelf life).
    today = timezone.localdate()
    milk = actions.save_product(s.manager, name="Sữa tươi", stock_unit_id=s.chai.pk, tracking="lot", shelf_life_days=30)
    receive(s, 5, product=milk, lot_code="LATE", expires_on=today + timedelta(days=180))
    receive(s, 5, product=milk, lot_code="EARLY", expires_on=today + timedelta(days=60))
    receive(s, 5, product=milk, lot_code="AUTO")  # expiry from shelf life
    assert LotNumber.objects.get(code="AUTO").expires_on is not None
    picks = actions.suggest_picks(s.wh, milk, None, Decimal(7))
    assert [(lot.code, q) for _loc, lot, q in picks] == [("AUTO", Decimal(5)), ("EARLY", Decimal(2))]  # AUTO: 30 days
    doc = actions.issue_goods(s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": milk.pk, "quantity": "7"}])
    assert sorted(ln.lot_code for ln in doc.lines.all()) == ["AUTO", "EARLY"]
    lot, moves = selectors.trace_lot(tenant_a, LotNumber.objects.get(code="EARLY").pk)
    assert [m.document_type for m in moves] == ["inventory.receipt", "inventory.issue"]
    with pytest.raises(ValidationError):
        receive(s, 1, product=milk)  # a lot-tracked receipt needs its lot number
    assert ledger.ledger_differences() == []


def test_serials_unique_and_never_issued_twice(s, tenant_a):
    fan = actions.save_product(s.manager, name="Quạt", stock_unit_id=s.chai.pk, tracking="serial")
    receive(s, 2, product=fan, serials=["SN1", "SN2"])
    with pytest.raises(ValidationError):
        receive(s, 1, product=fan, serials=["SN1"])  # already in stock
    with pytest.raises(ValidationError):
        receive(s, 2, product=fan, serials=["SN3"])  # one serial per unit
    line = {"product_id": fan.pk, "quantity": "1", "serials": ["SN1"]}
    actions.issue_goods(s.manager, warehouse_id=s.wh.pk, lines=[line])
    with pytest.raises(ValidationError):
        actions.issue_goods(s.manager, warehouse_id=s.wh.pk, lines=[line])
    assert SerialNumber.objects.get(code="SN1").location_id is None
    assert StockMove.objects.filter(serial__code="SN1").count() == 2
    serial, moves = selectors.trace_serial(tenant_a, SerialNumber.objects.get(code="SN1").pk)
    assert moves.count() == 2
    assert ledger.ledger_differences() == []


def test_serial_issued_twice_is_a_400_through_the_api(api_a, tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        fan = actions.save_product(s.manager, name="Quạt", stock_unit_id=s.chai.pk, tracking="serial")
        receive(s, 1, product=fan, serials=["X1"])
    body = {
        "kind": "issue",
        "warehouse_id": s.wh.pk,
        "lines": [{"product_id": fan.pk, "quantity": "1", "serials": ["X1"]}],
    }
    first = api_a.post(f"{URL}/movements", body).json()
    assert api_a.post(f"{URL}/movements/{first['id']}/validate").status_code == 200
    second = api_a.post(f"{URL}/movements", body).json()
    assert api_a.post(f"{URL}/movements/{second['id']}/validate").status_code == 400
    serial = api_a.get(f"{URL}/moves", {"product_id": fan.pk}).json()
    assert serial["count"] == 2


def test_count_for_a_closed_warehouse_is_refused(api_a, tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
    assert api_a.delete(f"{URL}/warehouses/{s.wh2.pk}").status_code == 204
    r = api_a.post(f"{URL}/counts", {"warehouse_id": s.wh2.pk})
    assert r.status_code == 400


def test_landed_cost_api(api_a, tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        doc = receive(s, 10)
    r = api_a.post(f"{URL}/movements/{doc.pk}/landed-costs", {"amount": "50000", "description": "Thuế nhập khẩu"})
    assert r.status_code == 201 and Decimal(r.json()["cogs_value"]) == 0
    assert api_a.post(f"{URL}/movements/{doc.pk}/landed-costs", {"amount": "-1", "description": "x"}).status_code == 422


def test_expiry_dates_are_days_apart(s):
    milk = actions.save_product(s.manager, name="Sữa", stock_unit_id=s.chai.pk, tracking="lot", shelf_life_days=10)
    doc = receive(s, 1, product=milk, lot_code="L")
    assert LotNumber.objects.get(code="L").expires_on == doc.date + timedelta(days=10)


def test_trace_pages(s, tenant_a):
    from novasaas.platform.testing.fixtures import web_client

    milk = actions.save_product(s.manager, name="Sữa", stock_unit_id=s.chai.pk, tracking="lot")
    fan = actions.save_product(s.manager, name="Quạt", stock_unit_id=s.chai.pk, tracking="serial")
    receive(s, 3, product=milk, lot_code="L-77")
    receive(s, 1, product=fan, serials=["Q-1"])
    web = web_client(tenant_a, s.staff.user)
    lot = LotNumber.objects.get(code="L-77")
    serial = SerialNumber.objects.get(code="Q-1")
    assert "L-77" in web.get(f"/inventory/stock/{milk.pk}/").content.decode()
    page = web.get(f"/inventory/lots/{lot.pk}/").content.decode()
    assert "L-77" in page and "NK-" in page
    assert "Q-1" in web.get(f"/inventory/serials/{serial.pk}/").content.decode()
