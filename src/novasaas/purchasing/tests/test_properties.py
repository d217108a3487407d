"""Property test: random sequences of receipts, bills (matched, mismatched and approved, refused),
goods sold and payments keep goods received not invoiced = received − billed (against an oracle written
here), the ledger balanced, stock value = the stock account and the payable = bills − payments."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import Sum
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novasaas.inventory.models import Stock
from novasaas.inventory.tests.helpers import issue
from novasaas.platform.money import round_money
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_tenant
from novasaas.purchasing import actions, bills
from novasaas.purchasing.models import PurchaseOrderLine, VendorBill
from novasaas.purchasing.tests.helpers import approved, balance, beer_line, world

D = Decimal
LINES = [(D(10), D(10000), D(0)), (D(7), D(3333), D(1))]  # quantity, price, discount %
op_st = st.one_of(
    st.tuples(st.just("receive"), st.integers(0, 1), st.integers(1, 6), st.just(0), st.booleans()),
    st.tuples(st.just("bill"), st.integers(0, 1), st.integers(1, 6), st.sampled_from([0, 0, -5, 5, 50]), st.booleans()),
    st.tuples(st.just("sell"), st.just(0), st.integers(1, 4), st.just(0), st.booleans()),
    st.tuples(st.just("return"), st.integers(0, 1), st.integers(1, 4), st.just(0), st.booleans()),
    st.tuples(st.just("pay"), st.just(0), st.integers(1, 3), st.just(0), st.booleans()),
)
# every sequence starts by receiving part of both lines and billing part of the first at the order's price
START = [("receive", 0, 5, 0, False), ("receive", 1, 4, 0, False), ("bill", 0, 2, 0, False)]


def test_grni_stock_and_ledger_invariants(db):
    outcomes: Counter[str] = Counter()

    @settings(
        max_examples=12,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(ops=st.lists(op_st, min_size=4, max_size=14))
    def run(ops):
        _invariants([*START, *ops], outcomes)

    run()
    # Every refusal was predicted by the oracle; still, operations must have gone through. The fixed start
    # makes this hold for any draw: without it, 12 random sequences left fewer than 25 successes or 3
    # posted bills in about one run in six (measured by replaying the strategy against the oracle alone),
    # which was the test's flakiness: not shared state, not the date.
    assert outcomes["ok:bill"] >= 12 and outcomes["ok"] >= 36, outcomes


def _net(price, discount):
    return price * (100 - discount) / 100


def _invariants(ops, outcomes):
    tenant = create_tenant(modules=["ACC", "INV", "SCM"])
    with tenant_context(tenant):
        w = world(tenant)
        order = approved(w, *(beer_line(w, q, p, discount_percent=str(d)) for q, p, d in LINES))
        po_lines = list(order.lines.order_by("position"))
        rec_q, rec_v, bil_q, bil_v = [D(0)] * 2, [D(0)] * 2, [D(0)] * 2, [D(0)] * 2
        billed_total, paid_total, on_hand = D(0), D(0), D(0)
        for op, i, q, price_pct, flag in ops:
            quantity, price, discount = LINES[i]
            q = D(q)
            if op == "receive":
                expect_ok = rec_q[i] + q <= quantity and sum(rec_q) < sum(x[0] for x in LINES) + 1
                try:
                    actions.receive_order(w.keeper, order.pk, lines=[{"line_id": po_lines[i].pk, "quantity": str(q)}])
                except ValidationError:
                    assert not expect_ok or order_closed(order), (op, q, rec_q)
                    outcomes["refused"] += 1
                    continue
                assert expect_ok
                rec_q[i] += q
                rec_v[i] += round_money(q * _net(price, discount))
                on_hand += q
                outcomes["ok"] += 1
            elif op == "bill":
                bill_price = price + round_money(price * price_pct / 100)
                if not any(rec_q):
                    try:
                        bills.create_bill(w.staff, order_id=order.pk, vendor_invoice_no="x")
                    except ValidationError:
                        outcomes["refused"] += 1
                        continue
                    raise AssertionError("a bill before any receipt")
                bill = bills.create_bill(
                    w.staff,
                    order_id=order.pk,
                    vendor_invoice_no=f"HD{len(ops)}",
                    lines=[{"order_line_id": po_lines[i].pk, "quantity": str(q), "unit_price": str(bill_price)}],
                )
                unbilled = rec_q[i] - bil_q[i]
                mismatch = q > unbilled or abs(price_pct) > 1
                if mismatch and flag:
                    bills.approve_match(w.manager, bill.pk)
                try:
                    bills.post_bill(w.staff, bill.pk)
                except ValidationError:
                    assert mismatch and not flag
                    bills.delete_bill(w.staff, bill.pk)
                    outcomes["refused"] += 1
                    continue
                assert not mismatch or flag
                if unbilled <= 0:
                    cleared = D(0)
                elif q >= unbilled:
                    cleared = rec_v[i] - bil_v[i]
                else:
                    cleared = round_money((rec_v[i] - bil_v[i]) * q / unbilled)
                bil_q[i] += q
                bil_v[i] += cleared
                billed_total += bill.total
                outcomes["ok"] += 1
                outcomes["ok:bill"] += 1
            elif op == "return":
                unbilled = rec_q[i] - bil_q[i]
                expect_ok = q <= unbilled and q <= on_hand and not order_closed(order)
                try:
                    actions.return_to_vendor(
                        w.keeper, order.pk, lines=[{"line_id": po_lines[i].pk, "quantity": str(q)}]
                    )
                except ValidationError:
                    assert not expect_ok, (op, q, unbilled, on_hand)
                    outcomes["refused"] += 1
                    continue
                assert expect_ok
                open_v = rec_v[i] - bil_v[i]
                share = open_v if q >= unbilled else round_money(open_v * q / unbilled)
                rec_q[i] -= q
                rec_v[i] -= share
                on_hand -= q
                outcomes["ok"] += 1
                outcomes["ok:return"] += 1
            elif op == "sell":
                if q > on_hand:
                    continue
                issue(w.inv, q)
                on_hand -= q
                outcomes["ok"] += 1
            else:  # pay a third, two thirds or all of the oldest open bill
                bill = VendorBill.objects.filter(status__in=["unpaid", "partial"]).order_by("pk").first()
                if bill is None:
                    continue
                amount = round_money((bill.total - bill.paid) * q / 3)
                if amount <= 0:
                    continue
                bills.pay_bill(w.admin, bill.pk, amount=amount)
                paid_total += amount
                outcomes["ok"] += 1
        # the order lines hold what the oracle computed
        for i, line in enumerate(PurchaseOrderLine.objects.filter(order=order).order_by("position")):
            assert (line.received_quantity, line.received_value) == (rec_q[i], rec_v[i])
            assert (line.billed_quantity, line.billed_value) == (bil_q[i], bil_v[i])
        grni = sum(rec_v, D(0)) - sum(bil_v, D(0))
        assert balance(tenant, "3388") == -grni
        from novasaas.accounting.models import JournalLine

        totals = JournalLine.objects.filter(entry__state="posted").aggregate(d=Sum("debit"), c=Sum("credit"))
        assert (totals["d"] or 0) == (totals["c"] or 0)
        stock_value = sum((s.value for s in Stock.objects.all()), D(0))
        assert balance(tenant, "156") == stock_value
        assert balance(tenant, "331") == -(billed_total - paid_total)


def order_closed(order):
    """Neither receiving nor returning is possible (not approved / partially or fully received)."""
    order.refresh_from_db()
    return order.status not in ("approved", "partial", "received")
