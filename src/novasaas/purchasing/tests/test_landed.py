"""Landed-cost bills from another vendor: freight, insurance and duty spread over receipts by value or
quantity through inventory's landed cost (stock for goods on hand, COGS for goods issued), import VAT
as deductible input VAT; entries checked to the đồng; refusals; the API and the roles."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.inventory.models import Stock
from novasaas.inventory.tests.helpers import issue
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient
from novasaas.purchasing import actions, bills, landed
from novasaas.purchasing.models import LandedCostAllocation, VendorBill
from novasaas.purchasing.subscribers import BILL_SOURCE
from novasaas.purchasing.tests.helpers import approved, balance, beer_line, ledger_lines, party, world

D = Decimal
URL = "/api/v1/purchasing"


def _forwarder(w):
    return actions.create_vendor(w.manager, party_id=party(w.manager, "Công ty Giao nhận Sao Mai").pk)


def _two_receipts(w):
    o = approved(w, beer_line(w, 10))
    line = o.lines.get()
    r1 = actions.receive_order(w.keeper, o.pk, lines=[{"line_id": line.pk, "quantity": "6"}])  # 60,000
    r2 = actions.receive_order(w.keeper, o.pk)  # 4 × 10,000 = 40,000
    return o, r1, r2


COSTS = [
    {"cost_kind": "freight", "amount": "10000", "vat_code": "VAT10"},
    {"cost_kind": "duty", "amount": "5000"},
    {"cost_kind": "import_vat", "amount": "10000", "vat_code": "VAT10"},
]


def test_landed_cost_bill_by_value_goes_to_stock_and_cogs(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        fw = _forwarder(w)
        _o, r1, r2 = _two_receipts(w)
        issue(w.inv, 5)  # half the goods are sold before the costs arrive
        grni_before = balance(tenant_a, "3388")
        bill = landed.create_landed_bill(
            w.staff, vendor_id=fw.pk, vendor_invoice_no="GN-7", receipt_ids=[r1.pk, r2.pk], lines=COSTS
        )
        # freight 10,000 + VAT 1,000; duty 5,000 (no VAT); import VAT 10,000 paid at customs
        assert (bill.untaxed, bill.vat, bill.total) == (D(15000), D(11000), D(26000))
        bills.post_bill(w.staff, bill.pk)
        # 15,000 by value: r1 60 % = 9,000, r2 the rest 6,000
        shares = dict(LandedCostAllocation.objects.filter(bill=bill).values_list("receipt_id", "amount"))
        assert shares == {r1.pk: D(9000), r2.pk: D(6000)}
        assert ledger_lines(tenant_a, BILL_SOURCE, bill.pk) == {
            "3388": (D(15000), D(0)),
            "1331": (D(11000), D(0)),
            "331": (D(0), D(26000)),
        }
        assert balance(tenant_a, "3388") == grni_before  # the landed costs credit what the bill debits
        # 5 beers left (inventory's rule per receipt line): r1's 6 beers are 5/6 on hand → 7,500 to stock,
        # 1,500 to COGS; r2's 4 beers are covered by the 5 on hand → 6,000 to stock
        assert balance(tenant_a, "632") == D(50000) + D(1500)
        stock = Stock.objects.get(product=w.inv.beer, warehouse=w.inv.wh)
        assert stock.value == D(50000) + D(13500) == balance(tenant_a, "156")
        from novasaas.accounting.models import TaxTransaction

        bases = sorted(TaxTransaction.objects.filter(entry__source_type=BILL_SOURCE).values_list("base", "tax"))
        assert bases == [(D(10000), D(1000)), (D(100000), D(10000))]  # import VAT: base = 10,000 / 10 %
        bills.pay_bill(w.admin, bill.pk)
        assert balance(tenant_a, "331") == 0


def test_landed_cost_by_quantity_and_refusals(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        fw = _forwarder(w)
        o = approved(w, beer_line(w, 4, "30000"))
        r1 = actions.receive_order(w.keeper, o.pk)  # 4 beers worth 120,000
        o2 = approved(w, beer_line(w, 6))
        r2 = actions.receive_order(w.keeper, o2.pk)  # 6 beers worth 60,000
        bill = landed.create_landed_bill(
            w.staff,
            vendor_id=fw.pk,
            vendor_invoice_no="BH-1",
            receipt_ids=[r1.pk, r2.pk],
            split="quantity",
            lines=[{"cost_kind": "insurance", "amount": "1000", "vat_code": "EXEMPT"}],
        )
        bills.post_bill(w.staff, bill.pk)
        shares = dict(LandedCostAllocation.objects.filter(bill=bill).values_list("receipt_id", "amount"))
        assert shares == {r1.pk: D(400), r2.pk: D(600)}  # 4 : 6 by quantity (by value it would be 667 : 333)
        with pytest.raises(PermissionDenied):
            landed.create_landed_bill(
                w.keeper, vendor_id=fw.pk, vendor_invoice_no="x", receipt_ids=[r1.pk], lines=COSTS
            )
        count = VendorBill.objects.count()
        for bad in (
            {"receipt_ids": []},
            {"receipt_ids": [999999]},
            {"split": "weight"},
            {"lines": [{"cost_kind": "tip", "amount": "1"}]},
            {"lines": [{"cost_kind": "freight", "amount": "0"}]},
            {"lines": [{"cost_kind": "import_vat", "amount": "100", "vat_code": "EXEMPT"}]},
            {"vendor_id": 0},
        ):
            kw = {"vendor_id": fw.pk, "vendor_invoice_no": "x", "receipt_ids": [r1.pk], "lines": COSTS, **bad}
            with pytest.raises(ValidationError):
                landed.create_landed_bill(w.staff, **kw)
        assert VendorBill.objects.count() == count


def test_landed_cost_bill_api(tenant_a):
    with tenant_context(tenant_a):
        w = world(tenant_a)
        fw = _forwarder(w)
        _o, r1, r2 = _two_receipts(w)
    staff, keeper = ApiClient(tenant_a, w.staff.user), ApiClient(tenant_a, w.keeper.user)
    body = {"vendor_id": fw.pk, "vendor_invoice_no": "GN-1", "receipt_ids": [r1.pk, r2.pk], "lines": COSTS}
    assert keeper.post(f"{URL}/landed-cost-bills", body).status_code == 403
    r = staff.post(f"{URL}/landed-cost-bills", body)
    assert r.status_code == 201, r.json()
    got = r.json()
    assert got["kind"] == "landed_cost" and sorted(got["receipt_ids"]) == sorted([r1.pk, r2.pk])
    assert D(got["total"]) == D(26000)
    assert staff.post(f"{URL}/bills/{got['id']}/post").status_code == 200
    assert staff.post(f"{URL}/landed-cost-bills", {**body, "receipt_ids": [999999]}).status_code == 400
    assert staff.post(f"{URL}/landed-cost-bills", {**body, "split": "weight"}).status_code == 422
