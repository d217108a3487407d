"""Serial-tracked goods move by serial number (spec §6.2): transfers between warehouses (through transit,
with a receiving confirmation that can scan the units), put-away to a location and adjustments. Each
unit's location follows; a unit cannot be moved from where it is not, nor twice; the quantity is the
number of serials; bad input answers 4xx and moves nothing; the traceability report shows every move."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from novasaas.inventory import actions, ledger, selectors
from novasaas.inventory.models import (
    Location,
    SerialNumber,
    Stock,
    StockAdjustment,
    StockMove,
    StockTransfer,
)
from novasaas.inventory.tests.helpers import receive, setup_catalogue
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, web_client

URL = "/api/v1/inventory"


@pytest.fixture(autouse=True)
def english():
    from django.utils import translation

    with translation.override("en"):  # the messages matched below are the English ones
        yield


@pytest.fixture
def s(tenant_a):
    with tenant_context(tenant_a):
        yield setup_catalogue(tenant_a)


def _fan(s, codes=("SN1", "SN2", "SN3"), cost="1000000", wh=None):
    fan = actions.save_product(s.manager, name="Quạt điện", stock_unit_id=s.chai.pk, tracking="serial")
    receive(s, len(codes), cost=cost, product=fan, wh=wh, serials=list(codes))
    return fan


def _bin(wh, code):
    root = Location.objects.get(warehouse=wh, parent=None)
    return Location.objects.create(warehouse=wh, parent=root, code=code, name=code, level="bin")


def _where(code):
    serial = SerialNumber.objects.select_related("location").get(code=code)
    return serial.location.code if serial.location else None


def _transfer(s, fan, serials, **line):
    return actions.create_transfer(
        s.manager,
        from_warehouse_id=s.wh.pk,
        to_warehouse_id=s.wh2.pk,
        lines=[{"product_id": fan.pk, "serials": serials, **line}],
    )


def test_transfer_of_serials_through_transit_with_scanned_receipt(s, tenant_a):
    fan = _fan(s)
    t = _transfer(s, fan, ["SN1", "SN2"])
    line = t.lines.get()
    assert line.quantity == 2 and line.serials == ["SN1", "SN2"]  # the quantity is the number of serials
    actions.approve_transfer(s.manager, t.pk)
    actions.ship_transfer(s.staff, t.pk)
    transit = ledger.virtual_location("transit")
    assert _where("SN1") == transit.code and _where("SN2") == transit.code and _where("SN3") == "HN"
    assert Stock.objects.get(product=fan, warehouse=s.wh).on_hand == 1
    # a unit on the road cannot be issued, adjusted or transferred again
    with pytest.raises(ValidationError, match="transit"):
        _transfer(s, fan, ["SN1"])
    with pytest.raises(ValidationError):
        actions.issue_goods(
            s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": fan.pk, "quantity": "1", "serials": ["SN1"]}]
        )
    # the receiving confirmation scans the units: one missing or foreign unit refuses everything
    bin_b = _bin(s.wh2, "B-01")
    with pytest.raises(ValidationError, match="not scanned"):
        actions.receive_transfer(s.staff, t.pk, bin_b.pk, serials=["SN1"])
    with pytest.raises(ValidationError, match="not shipped"):
        actions.receive_transfer(s.staff, t.pk, bin_b.pk, serials=["SN1", "SN2", "SN3"])
    assert StockTransfer.objects.get(pk=t.pk).status == "in_transit" and _where("SN1") == transit.code
    actions.receive_transfer(s.staff, t.pk, bin_b.pk, serials="SN2\nSN1\n")  # as a scanner types them
    assert _where("SN1") == "B-01" and _where("SN2") == "B-01"
    st2 = Stock.objects.get(product=fan, warehouse=s.wh2)
    assert st2.on_hand == 2 and st2.value == Decimal(2_000_000)  # the cost travelled with the units
    serial, moves = selectors.trace_serial(tenant_a, SerialNumber.objects.get(code="SN1").pk)
    assert [(m.document_type, m.to_location.code) for m in moves] == [
        ("inventory.receipt", "HN"),
        ("inventory.transfer", transit.code),
        ("inventory.transfer", "B-01"),
    ]
    assert ledger.ledger_differences() == []


def test_transfer_refuses_bad_serials_and_creates_nothing(s, tenant_a):
    fan = _fan(s)
    _fan_b = actions.save_product(s.manager, name="Quạt trần", stock_unit_id=s.chai.pk, tracking="serial")
    receive(s, 1, product=_fan_b, wh=s.wh2, serials=["HCM-1"])
    receive(s, 1, product=fan, wh=s.wh2, serials=["SN9"])
    bad = [
        (["NOPE"], {}, "Unknown serial"),
        (["SN9"], {}, "another warehouse"),  # it is in HCM, the transfer leaves HN
        (["SN1", "SN1"], {}, "twice"),
        (["SN1"], {"quantity": "2"}, "one serial number per unit"),
        ([], {"quantity": "1"}, "serial numbers"),
    ]
    for serials, extra, message in bad:
        with pytest.raises(ValidationError, match=message):
            _transfer(s, fan, serials, **extra)
    with pytest.raises(ValidationError, match="twice"):  # the same unit on two lines of one document
        actions.create_transfer(
            s.manager,
            from_warehouse_id=s.wh.pk,
            to_warehouse_id=s.wh2.pk,
            lines=[{"product_id": fan.pk, "serials": ["SN2"]}, {"product_id": fan.pk, "serials": ["SN2"]}],
        )
    with pytest.raises(ValidationError, match="not tracked by serial"):
        actions.create_transfer(
            s.manager,
            from_warehouse_id=s.wh.pk,
            to_warehouse_id=s.wh2.pk,
            lines=[{"product_id": s.beer.pk, "quantity": "1", "serials": ["X"]}],
        )
    assert StockTransfer.objects.count() == 0
    first = _transfer(s, fan, ["SN1"])
    with pytest.raises(ValidationError, match=first.number):  # a unit cannot be picked for two transfers
        _transfer(s, fan, ["SN1"])
    assert (
        StockTransfer.objects.count() == 1 and StockMove.objects.filter(document_type="inventory.transfer").count() == 0
    )


def test_serial_moved_away_before_shipping_refuses_the_shipment(s):
    fan = _fan(s)
    t = _transfer(s, fan, ["SN1", "SN2"])
    actions.approve_transfer(s.manager, t.pk)
    actions.issue_goods(
        s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": fan.pk, "quantity": "1", "serials": ["SN2"]}]
    )
    with pytest.raises(ValidationError, match="not in stock"):
        actions.ship_transfer(s.manager, t.pk)
    assert _where("SN1") == "HN" and StockMove.objects.filter(document_type="inventory.transfer").count() == 0


def test_put_away_serials(s, tenant_a):
    fan = _fan(s)
    root = Location.objects.get(warehouse=s.wh, parent=None)
    bin_a, bin_b = _bin(s.wh, "A-01"), _bin(s.wh, "A-02")
    move = actions.put_away(
        s.staff, product_id=fan.pk, from_location_id=root.pk, to_location_id=bin_a.pk, serials=["SN1", "SN2"]
    )
    assert move.serial.code == "SN1"
    assert _where("SN1") == "A-01" and _where("SN2") == "A-01" and _where("SN3") == "HN"
    for kwargs, message in [
        ({"serials": ["SN1"]}, "not at"),  # SN1 is no longer at the root
        ({"serials": ["SN3", "SN3"]}, "twice"),
        ({"serials": ["ZZZ"]}, "Unknown serial"),
        ({"serials": ["SN3"], "quantity": "2"}, "one serial number per unit"),
        ({"quantity": "1"}, "serial numbers"),
    ]:
        with pytest.raises(ValidationError, match=message):
            actions.put_away(s.staff, product_id=fan.pk, from_location_id=root.pk, to_location_id=bin_b.pk, **kwargs)
    assert _where("SN3") == "HN"
    quants = {q.location.code: q.on_hand for q in selectors.stock_locations(tenant_a, fan.pk)}
    assert quants == {"A-01": 2, "HN": 1}
    assert ledger.ledger_differences() == []


def test_adjustment_of_serials_loss_and_gain(s):
    fan = _fan(s)
    bin_a = _bin(s.wh, "A-01")
    actions.put_away(
        s.manager, product_id=fan.pk, from_location_id=bin_a.parent_id, to_location_id=bin_a.pk, serials=["SN3"]
    )
    lost = actions.create_adjustment(
        s.manager,
        warehouse_id=s.wh.pk,
        reason="mất cắp",
        lines=[{"product_id": fan.pk, "quantity_change": "-2", "serials": ["SN1", "SN3"]}],
    )
    found = actions.create_adjustment(
        s.manager,
        warehouse_id=s.wh.pk,
        reason="tìm thấy",
        lines=[{"product_id": fan.pk, "quantity_change": "1", "serials": ["SN-NEW"], "location_id": bin_a.pk}],
    )
    actions.approve_adjustment(s.manager, lost.pk)
    assert _where("SN1") is None and _where("SN3") is None and _where("SN2") == "HN"
    assert StockAdjustment.objects.get(pk=lost.pk).lines.get().value == Decimal(-2_000_000)
    actions.approve_adjustment(s.manager, found.pk)
    assert _where("SN-NEW") == "A-01"
    st = Stock.objects.get(product=fan, warehouse=s.wh)
    assert st.on_hand == 2 and st.value == Decimal(2_000_000)
    bad = [
        ({"quantity_change": "1", "serials": ["SN2"]}, "already in stock"),
        ({"quantity_change": "-1", "serials": ["SN1"]}, "not in stock"),
        ({"quantity_change": "-1", "serials": ["NOPE"]}, "Unknown serial"),
        ({"quantity_change": "-1", "serials": ["SN2"], "location_id": bin_a.pk}, "not at"),
        ({"quantity_change": "-2", "serials": ["SN2"]}, "one serial number per unit"),
        ({"quantity_change": "-1"}, "serial numbers"),
    ]
    for line, message in bad:
        with pytest.raises(ValidationError, match=message):
            actions.create_adjustment(
                s.manager, warehouse_id=s.wh.pk, reason="x", lines=[{"product_id": fan.pk, **line}]
            )
    assert StockAdjustment.objects.count() == 2
    assert ledger.ledger_differences() == []


def test_api_transfer_put_away_adjustment_and_bad_input(s, tenant_a, tenant_b, api_a):
    fan = _fan(s)
    with tenant_context(tenant_b):
        sb = setup_catalogue(tenant_b)
        _fan(sb, codes=("B-ONLY",))
    body = {"from_warehouse_id": s.wh.pk, "to_warehouse_id": s.wh2.pk, "lines": [{"product_id": fan.pk}]}
    for serials in (["NOPE"], ["SN1", "SN1"], ["B-ONLY"]):  # unknown, repeated, another company's unit
        body["lines"][0]["serials"] = serials
        r = api_a.post(f"{URL}/transfers", body)
        assert r.status_code == 400, r.content
    body["lines"][0]["serials"] = ["SN1", "SN2"]
    t = api_a.post(f"{URL}/transfers", body)
    assert t.status_code == 201 and t.json()["lines"][0]["serials"] == ["SN1", "SN2"]
    assert Decimal(t.json()["lines"][0]["quantity"]) == 2
    tid = t.json()["id"]
    assert api_a.post(f"{URL}/transfers/{tid}/approve").status_code == 200
    assert api_a.post(f"{URL}/transfers/{tid}/ship").status_code == 200
    r = api_a.post(f"{URL}/transfers/{tid}/receive", {"serials": ["SN1", "SN3"]})
    assert r.status_code == 400 and "SN3" in r.json()["detail"]["serials"][0]  # SN3 was not shipped
    assert api_a.post(f"{URL}/transfers/{tid}/receive", {"serials": ["SN1", "SN2"]}).status_code == 200
    with tenant_context(tenant_a):
        assert _where("SN1") == "HCM"
        root = Location.objects.get(warehouse=s.wh2, parent=None)
        bin_b = _bin(s.wh2, "B-01")
    put = {"product_id": fan.pk, "from_location_id": root.pk, "to_location_id": bin_b.pk, "serials": ["SN2"]}
    r = api_a.post(f"{URL}/putaway", put)
    assert r.status_code == 201 and Decimal(r.json()["quantity"]) == 1
    assert api_a.post(f"{URL}/putaway", put).status_code == 400  # SN2 is no longer at the root
    adj = {
        "warehouse_id": s.wh.pk,
        "reason": "hỏng",
        "lines": [{"product_id": fan.pk, "quantity_change": "-1", "serials": ["SN1"]}],  # SN1 is in HCM now
    }
    assert api_a.post(f"{URL}/adjustments", adj).status_code == 400
    adj["lines"][0]["serials"] = ["SN3"]
    r = api_a.post(f"{URL}/adjustments", adj)
    assert r.status_code == 201 and r.json()["lines"][0]["serials"] == ["SN3"]
    assert api_a.post(f"{URL}/adjustments/{r.json()['id']}/approve").status_code == 200
    with tenant_context(tenant_a):
        assert _where("SN3") is None
        assert ledger.ledger_differences() == []
    with tenant_context(tenant_b):
        assert _where("B-ONLY") == "HN"  # the other company's unit never moved


def test_staff_ships_and_receives_but_cannot_adjust(s, tenant_a):
    fan = _fan(s)
    staff = ApiClient(tenant_a, s.staff.user)
    adj = {
        "warehouse_id": s.wh.pk,
        "reason": "x",
        "lines": [{"product_id": fan.pk, "quantity_change": "-1", "serials": ["SN1"]}],
    }
    assert staff.post(f"{URL}/adjustments", adj).status_code == 403
    t = _transfer(s, fan, ["SN1"])
    actions.approve_transfer(s.manager, t.pk)
    assert staff.post(f"{URL}/transfers/{t.pk}/ship").status_code == 200
    assert staff.post(f"{URL}/transfers/{t.pk}/receive", {"serials": ["SN1"]}).status_code == 200


def test_pages_transfer_with_scanned_serials_and_receipt(s, tenant_a):
    fan = _fan(s)
    web = web_client(tenant_a, s.manager.user)
    form = web.get("/inventory/transfers/new/").content.decode()
    assert 'name="lines-0-serials"' in form
    data = {
        "from_warehouse": s.wh.pk,
        "to_warehouse": s.wh2.pk,
        "note": "",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
        "lines-0-product": fan.pk,
        "lines-0-serials": "SN1\r\nSN1\r\n",
    }
    r = web.post("/inventory/transfers/new/", data)
    assert r.status_code == 400 and "SN1" in r.content.decode()
    with tenant_context(tenant_a):
        assert StockTransfer.objects.count() == 0
    data["lines-0-serials"] = "SN1\r\nSN3\r\n"
    r = web.post("/inventory/transfers/new/", data)
    assert r.status_code == 302, r.content.decode()[:2000]
    with tenant_context(tenant_a):
        t = StockTransfer.objects.get()
        assert t.lines.get().quantity == 2
    for step in ("approve", "ship"):
        assert web.post(f"/inventory/transfers/{t.pk}/", {"step": step}).status_code == 302
    page = web.get(f"/inventory/transfers/{t.pk}/").content.decode()
    assert 'name="serials"' in page and "SN3" in page
    r = web.post(f"/inventory/transfers/{t.pk}/", {"step": "receive", "serials": "SN1\r\n"})
    assert r.status_code == 400 and "SN3" in r.content.decode()
    r = web.post(f"/inventory/transfers/{t.pk}/", {"step": "receive", "serials": "SN1\r\nSN3\r\n"})
    assert r.status_code == 302
    with tenant_context(tenant_a):
        assert StockTransfer.objects.get().status == "done" and _where("SN3") == "HCM"
        serial = SerialNumber.objects.get(code="SN3")
    trace = web.get(f"/inventory/serials/{serial.pk}/").content.decode()
    assert t.number in trace  # the traceability report shows the transfer's moves
    # adjustment page with a serial line
    adj = {
        "warehouse": s.wh.pk,
        "reason": "vỡ",
        "lines-TOTAL_FORMS": "1",
        "lines-INITIAL_FORMS": "0",
        "lines-MIN_NUM_FORMS": "0",
        "lines-MAX_NUM_FORMS": "500",
        "lines-0-product": fan.pk,
        "lines-0-quantity_change": "-1",
        "lines-0-serials": "SN2",
    }
    assert web.post("/inventory/adjustments/new/", adj).status_code == 302
    with tenant_context(tenant_a):
        assert StockAdjustment.objects.get().lines.get().serials == ["SN2"]


def test_vietnamese_messages(s, tenant_a):
    from django.utils import translation

    fan = _fan(s)
    with translation.override("vi"), pytest.raises(ValidationError) as exc:
        _transfer(s, fan, ["NOPE"])
    assert "Không có serial" in " ".join(exc.value.messages)
