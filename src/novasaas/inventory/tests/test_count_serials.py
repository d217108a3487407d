"""Inventory counts of serial-tracked goods (spec §6.2 "Thực hiện đếm", "Duyệt kiểm kê"): the count lists
the serial numbers the ledger expects at each location, the counter scans or types the units found, the
variance names the missing serials (expected, not counted) and the found ones (counted, not expected), and
the manager's approval moves unit by unit: missing → inventory loss, found → in from inventory loss (an
unknown serial is created), a unit counted at another location of the warehouse moves there. A unit of
another warehouse, in transit or issued is refused with a clear 4xx and nothing is written."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import translation
from django.utils.translation import gettext

from novasaas.inventory import actions, events, ledger
from novasaas.inventory.models import (
    InventoryCount,
    InventoryCountLine,
    Location,
    SerialNumber,
    Stock,
    StockMove,
)
from novasaas.inventory.tests.helpers import receive, setup_catalogue
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_user, web_client

URL = "/api/v1/inventory"


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):  # the messages matched below are the English ones
        yield


@pytest.fixture
def posted(monkeypatch):
    """The CountVariancePosted events published (and still published)."""
    got: list = []
    from novasaas.inventory.actions import counts

    original = counts.publish

    def publish(event):
        if isinstance(event, events.CountVariancePosted):
            got.append(event)
        return original(event)

    monkeypatch.setattr(counts, "publish", publish)
    return got


@pytest.fixture
def s(tenant_a):
    with tenant_context(tenant_a):
        yield setup_catalogue(tenant_a)


def _fan(s, codes=("SN1", "SN2", "SN3"), wh=None):
    fan = actions.save_product(s.manager, name="Quạt điện", stock_unit_id=s.chai.pk, tracking="serial")
    receive(s, len(codes), cost="1000000", product=fan, wh=wh, serials=list(codes))
    return fan


def _bin(wh, code):
    root = Location.objects.get(warehouse=wh, parent=None)
    return Location.objects.create(warehouse=wh, parent=root, code=code, name=code, level="bin")


def _where(code):
    serial = SerialNumber.objects.select_related("location").get(code=code)
    return serial.location.code if serial.location else None


def _line(count, location=None):
    lines = InventoryCountLine.objects.filter(count=count)
    if location is not None:
        lines = lines.filter(location=location)
    return lines.get()


def test_count_lists_the_expected_serials_and_approval_moves_unit_by_unit(s, posted):
    fan = _fan(s, ("SN1", "SN2", "SN3", "SN4"))
    # SN4 was lost earlier (an approved adjustment): counting it again finds it
    lost = actions.create_adjustment(
        s.manager,
        warehouse_id=s.wh.pk,
        reason="mất",
        lines=[{"product_id": fan.pk, "quantity_change": "-1", "serials": ["SN4"]}],
    )
    actions.approve_adjustment(s.manager, lost.pk)
    count = actions.create_count(s.manager, warehouse_id=s.wh.pk)
    line = _line(count)
    assert line.expected == 3 and line.expected_serials == ["SN1", "SN2", "SN3"]
    # staff counts SN1, SN3, SN4 (lost earlier) and NEW-1 (never seen): SN2 is missing
    actions.record_counts(s.staff, count.pk, [{"line_id": line.pk, "serials": "SN1\nSN3, SN4\nNEW-1"}])
    line.refresh_from_db()
    assert line.counted == 4 and line.variance == 1
    assert line.missing_serials == ["SN2"] and line.found_serials == ["NEW-1", "SN4"]
    actions.submit_count(s.staff, count.pk)
    with pytest.raises(PermissionDenied, match="Approve counts"):
        actions.approve_count(s.staff, count.pk)
    actions.approve_count(s.manager, count.pk)
    assert [_where(c) for c in ("SN1", "SN2", "SN3", "SN4", "NEW-1")] == ["HN", None, "HN", "HN", "HN"]
    loss = ledger.virtual_location("loss")
    moves = StockMove.objects.filter(document_type="inventory.count", document_id=count.pk)
    assert sorted((m.serial.code, m.from_location_id == loss.pk) for m in moves) == [
        ("NEW-1", True),
        ("SN2", False),
        ("SN4", True),
    ]
    assert all(m.quantity == 1 for m in moves)
    st = Stock.objects.get(product=fan, warehouse=s.wh)
    assert st.on_hand == 4 and st.value == Decimal(4_000_000)
    line.refresh_from_db()
    assert line.value == Decimal(1_000_000)  # two found at the average cost, one missing
    (event,) = posted
    assert (event.gain_value, event.loss_value, event.value) == ("2000000", "1000000", "1000000")
    assert ledger.ledger_differences() == []


def test_a_unit_counted_at_another_location_of_the_warehouse_moves_there(s, posted):
    fan = _fan(s, ("SN1", "SN2"))
    bin_a = _bin(s.wh, "A-01")
    count = actions.create_count(s.manager, warehouse_id=s.wh.pk)
    root_line = _line(count)
    actions.record_counts(
        s.staff,
        count.pk,
        [
            {"line_id": root_line.pk, "serials": ["SN1"]},
            {"product_id": fan.pk, "location_id": bin_a.pk, "serials": ["SN2"]},
        ],
    )
    bin_line = _line(count, bin_a)
    assert bin_line.found_serials == ["SN2"] and _line(count, root_line.location).missing_serials == ["SN2"]
    actions.submit_count(s.staff, count.pk)
    actions.approve_count(s.manager, count.pk)
    assert _where("SN2") == "A-01" and _where("SN1") == "HN"
    move = StockMove.objects.get(document_type="inventory.count", document_id=count.pk)
    assert (move.from_location_id, move.to_location_id) == (root_line.location_id, bin_a.pk)
    (event,) = posted
    assert (event.gain_value, event.loss_value) == ("0", "0")  # nothing was lost or found
    assert Stock.objects.get(product=fan, warehouse=s.wh).value == Decimal(2_000_000)
    assert ledger.ledger_differences() == []


def test_units_elsewhere_are_refused_and_nothing_is_written(s, tenant_a):
    fan = _fan(s, ("SN1", "SN2"))
    receive(s, 1, cost="500000", product=fan, wh=s.wh2, serials=["HCM-1"])
    actions.issue_goods(
        s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": fan.pk, "quantity": "1", "serials": ["SN2"]}]
    )
    receive(s, 1, product=fan, serials=["T-1"])
    transfer = actions.create_transfer(
        s.manager,
        from_warehouse_id=s.wh.pk,
        to_warehouse_id=s.wh2.pk,
        lines=[{"product_id": fan.pk, "serials": ["T-1"]}],
    )
    if transfer.status == "pending":
        actions.approve_transfer(s.manager, transfer.pk)
    actions.ship_transfer(s.manager, transfer.pk)
    count = actions.create_count(s.manager, warehouse_id=s.wh.pk)
    line = _line(count)
    assert line.expected_serials == ["SN1"]
    bad = [
        ({"serials": ["HCM-1"]}, "another warehouse"),
        ({"serials": ["T-1"]}, "in transit"),
        ({"serials": ["SN2"]}, "left the stock with XK-"),
        ({"serials": ["SN1", "SN1"]}, "listed twice"),
        ({"serials": ["SN1"], "counted": "2"}, "one serial number per unit"),
        ({"counted": "1"}, "serial numbers of"),
    ]
    for entry, message in bad:
        with pytest.raises(ValidationError, match=message):
            actions.record_counts(s.staff, count.pk, [{"line_id": line.pk, **entry}])
    beer_line = {"product_id": s.beer.pk, "counted": "1", "serials": ["X"]}
    with pytest.raises(ValidationError, match="not tracked by serial"):
        actions.record_counts(s.staff, count.pk, [beer_line])
    # a serial counted on two lines of one count
    bin_a = _bin(s.wh, "A-01")
    actions.record_counts(s.staff, count.pk, [{"line_id": line.pk, "serials": ["SN1"]}])
    with pytest.raises(ValidationError, match="already counted at HN"):
        actions.record_counts(s.staff, count.pk, [{"product_id": fan.pk, "location_id": bin_a.pk, "serials": ["SN1"]}])
    line.refresh_from_db()
    assert line.counted_serials == ["SN1"]
    # nothing found: 0 without serials is a count
    actions.record_counts(s.staff, count.pk, [{"line_id": line.pk, "counted": "0"}])
    line.refresh_from_db()
    assert line.counted == 0 and line.counted_serials == [] and line.missing_serials == ["SN1"]


def test_a_unit_issued_after_counting_refuses_the_approval(s):
    fan = _fan(s, ("SN1",))
    actions.receive_goods(
        s.manager, warehouse_id=s.wh2.pk, lines=[{"product_id": fan.pk, "quantity": "1", "serials": ["LATER"]}]
    )
    actions.issue_goods(
        s.manager, warehouse_id=s.wh2.pk, lines=[{"product_id": fan.pk, "quantity": "1", "serials": ["LATER"]}]
    )
    count = actions.create_count(s.manager, warehouse_id=s.wh.pk)
    line = _line(count)
    # LATER is known and issued: refused while counting
    with pytest.raises(ValidationError, match="left the stock"):
        actions.record_counts(s.staff, count.pk, [{"line_id": line.pk, "serials": ["SN1", "LATER"]}])
    actions.record_counts(s.staff, count.pk, [{"line_id": line.pk, "serials": ["SN1", "NEW"]}])
    actions.submit_count(s.staff, count.pk)
    # meanwhile NEW is received in the other warehouse: the approval refuses it and posts nothing
    receive(s, 1, product=fan, wh=s.wh2, serials=["NEW"])
    with pytest.raises(ValidationError, match="another warehouse"):
        actions.approve_count(s.manager, count.pk)
    assert InventoryCount.objects.get(pk=count.pk).status == "pending"
    assert not StockMove.objects.filter(document_type="inventory.count").exists()


def test_api_count_of_serials_with_scans_roles_and_bad_input(s, tenant_a, tenant_b):
    fan = _fan(s, ("SN1", "SN2"))
    with tenant_context(tenant_b):
        sb = setup_catalogue(tenant_b)
        _fan(sb, ("B-ONLY",))
    manager = ApiClient(tenant_a, s.manager.user)
    staff = ApiClient(tenant_a, s.staff.user)
    sales = ApiClient(tenant_a, create_user(tenant_a, "sales_staff"))
    count = manager.post(f"{URL}/counts", {"warehouse_id": s.wh.pk}).json()
    cid = count["id"]
    line = count["lines"][0]
    assert line["expected_serials"] == ["SN1", "SN2"] and line["missing_serials"] == []
    # scans: a serial alone, a product code with its serial; twice is refused
    r = staff.post(f"{URL}/counts/{cid}/scan", {"code": "SN1"})
    assert r.status_code == 200, r.content
    assert r.json()["counted_serials"] == ["SN1"] and Decimal(r.json()["counted"]) == 1
    assert staff.post(f"{URL}/counts/{cid}/scan", {"code": "SN1"}).status_code == 400
    r = staff.post(f"{URL}/counts/{cid}/scan", {"code": fan.sku, "serial": "NEW-9"})
    assert r.status_code == 200 and r.json()["found_serials"] == ["NEW-9"]
    for body in (
        {"code": fan.sku},  # no serial
        {"code": fan.sku, "serial": "SN2", "quantity": "2"},  # a serial is one unit
        {"code": s.beer.sku, "serial": "SN2"},  # beer is not serial-tracked
        {"code": "B-ONLY"},  # another company's unit is unknown here
        {"code": fan.sku, "serial": "B-ONLY", "location_id": 999999},
    ):
        r = staff.post(f"{URL}/counts/{cid}/scan", body)
        assert r.status_code == 400, (body, r.content)
    assert sales.post(f"{URL}/counts/{cid}/scan", {"code": "SN2"}).status_code == 403
    r = staff.post(f"{URL}/counts/{cid}/entries", {"entries": [{"line_id": line["id"], "serials": ["SN1", "NEW-9"]}]})
    assert r.status_code == 200, r.content
    got = r.json()["lines"][0]
    assert got["missing_serials"] == ["SN2"] and got["found_serials"] == ["NEW-9"]
    bad = {"entries": [{"line_id": line["id"], "serials": ["SN1"], "counted": "3"}]}
    assert staff.post(f"{URL}/counts/{cid}/entries", bad).status_code == 400
    assert staff.get(f"{URL}/counts/{cid}").json()["lines"][0]["counted_serials"] == ["SN1", "NEW-9"]
    variance = staff.get(f"{URL}/counts/{cid}/variance").json()
    keys = [c["key"] for c in variance["columns"]]
    assert "missing_serials" in keys and "found_serials" in keys
    assert variance["rows"][0]["missing_serials"] == "SN2" and variance["rows"][0]["found_serials"] == "NEW-9"
    assert staff.post(f"{URL}/counts/{cid}/submit").status_code == 200
    assert staff.post(f"{URL}/counts/{cid}/approve").status_code == 403
    assert manager.post(f"{URL}/counts/{cid}/approve").status_code == 200
    with tenant_context(tenant_a):
        assert _where("SN2") is None and _where("NEW-9") == "HN" and _where("SN1") == "HN"
        assert ledger.ledger_differences() == []
    with tenant_context(tenant_b):
        assert _where("B-ONLY") == "HN"


def test_count_page_scans_and_types_serials(s, tenant_a):
    fan = _fan(s, ("SN1", "SN2"))
    count = actions.create_count(s.manager, warehouse_id=s.wh.pk)
    line = _line(count)
    staff = web_client(tenant_a, s.staff.user)
    page = staff.get(f"/inventory/counts/{count.pk}/").content.decode()
    assert f'name="serials-{line.pk}"' in page and 'name="serial"' in page and "SN1, SN2" in page
    assert (
        staff.post(f"/inventory/counts/{count.pk}/", {"step": "scan", "code": "SN2", "quantity": "1"}).status_code
        == 302
    )
    r = staff.post(
        f"/inventory/counts/{count.pk}/", {"step": "scan", "code": fan.sku, "serial": "NEW-5", "quantity": "1"}
    )
    assert r.status_code == 302
    line.refresh_from_db()
    assert line.counted_serials == ["SN2", "NEW-5"]
    page = staff.get(f"/inventory/counts/{count.pk}/").content.decode()
    with translation.override("vi"):  # the member's language
        assert gettext("Missing serials") in page and gettext("Found serials") in page and "NEW-5" in page
    # typing the list replaces it; the counted box follows the serials
    staff.post(
        f"/inventory/counts/{count.pk}/",
        {"step": "save", f"counted-{line.pk}": "2", f"serials-{line.pk}": "SN1\r\nSN2\r\nSN3-X"},
    )
    line.refresh_from_db()
    assert line.counted_serials == ["SN1", "SN2", "SN3-X"] and line.counted == 3
    staff.post(f"/inventory/counts/{count.pk}/", {"step": "submit"})
    manager = web_client(tenant_a, s.manager.user)
    assert manager.post(f"/inventory/counts/{count.pk}/", {"step": "approve"}).status_code == 302
    assert InventoryCount.objects.get(pk=count.pk).status == "done"
    assert _where("SN3-X") == "HN"
    assert ledger.ledger_differences() == []
