"""The valuation checked against an independent oracle written here, from the raw inputs of the moves.

The oracle knows nothing of the code's ledger: it keeps, per warehouse, the list of moves a user entered
(date, quantity, value for goods coming in) and recomputes moving average or FIFO in date order. It
predicts which issues must be refused (not enough on that date or on any later one), the stock value
and quantity per warehouse, and the valuation as of any date: each posting changes the value by what
the date-ordered recomputation changes, dated on the posting's date (a backdated document's
revaluation counts from its own date, docs/inventory.md "Valuation").

Random sequences mix receipts, issues, positive and negative adjustments and transfers, dated today or
backdated (month ends included), with fractional quantities and costs, and receipts in the purchase unit
(a case of 24 bottles, priced per case).
"""

from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novasaas.inventory import actions
from novasaas.inventory.ledger import InsufficientStock
from novasaas.inventory.models import Stock
from novasaas.inventory.tests.helpers import reported_valuation, setup_catalogue
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_tenant

ZERO = Decimal(0)


def _vnd(x: Decimal) -> Decimal:
    return x.quantize(Decimal(1), rounding=ROUND_HALF_UP)


@dataclass
class Move:
    on: date
    seq: int
    qty: Decimal  # > 0 in, < 0 out
    value: Decimal | None  # value of goods coming in; None: goods leaving (valued by the method)


@dataclass
class Warehouse:
    moves: list[Move] = field(default_factory=list)
    history: list[tuple[date, Decimal]] = field(default_factory=list)  # (posting date, value change)


def replay(moves: list[Move], fifo: bool, until: date | None = None) -> tuple[Decimal, Decimal]:
    """Quantity and value after the moves dated up to ``until``, in date order then entry order."""
    qty, value, layers = ZERO, ZERO, []  # FIFO layers: [remaining qty, remaining value]
    for m in sorted(moves, key=lambda m: (m.on, m.seq)):
        if until is not None and m.on > until:
            break
        if m.qty > 0:
            qty += m.qty
            value += m.value
            layers.append([m.qty, m.value])
            continue
        out_q = -m.qty
        if fifo:
            left = out_q
            for layer in layers:
                take = min(layer[0], left)
                if take <= 0:
                    continue
                part = layer[1] if take == layer[0] else _vnd(layer[1] * take / layer[0])
                layer[0] -= take
                layer[1] -= part
                value -= part
                left -= take
        else:
            value -= value if out_q == qty else _vnd(out_q * value / qty)
        qty -= out_q
        if qty == 0:
            value = ZERO
    return qty, value


def can_leave(moves: list[Move], on: date, q: Decimal) -> bool:
    """Enough on ``on`` (after that date's moves) and on every later date."""
    running = lowest = sum((m.qty for m in moves if m.on <= on), ZERO)
    for m in sorted((m for m in moves if m.on > on), key=lambda m: (m.on, m.seq)):
        running += m.qty
        lowest = min(lowest, running)
    return lowest >= q


class Oracle:
    def __init__(self, fifo: bool) -> None:
        self.fifo, self.seq = fifo, 0
        self.wh = [Warehouse(), Warehouse()]

    def post(self, w: int, on: date, qty: Decimal, value: Decimal | None) -> Decimal:
        """Add a move and return its value change to the warehouse (what a transfer carries on)."""
        self.seq += 1
        wh = self.wh[w]
        before = replay(wh.moves, self.fifo)[1]
        wh.moves.append(Move(on, self.seq, qty, value))
        change = replay(wh.moves, self.fifo)[1] - before
        wh.history.append((on, change))
        return change

    def state(self, w: int) -> tuple[Decimal, Decimal]:
        return replay(self.wh[w].moves, self.fifo)

    def as_of(self, w: int, on: date) -> tuple[Decimal, Decimal]:
        wh = self.wh[w]
        qty = sum((m.qty for m in wh.moves if m.on <= on), ZERO)
        return qty, sum((v for d, v in wh.history if d <= on), ZERO)


def _month_ends_back(today: date, months: int = 3) -> list[int]:
    """Days back from ``today`` to the last day of each of the previous months."""
    out, d = [], today.replace(day=1)
    for _ in range(months):
        d -= timedelta(days=1)
        out.append((today - d).days)
        d = d.replace(day=1)
    return out


quantity = st.decimals(min_value=Decimal("0.5"), max_value=Decimal(30), places=1)
unit_cost = st.decimals(min_value=Decimal(0), max_value=Decimal(90_000), places=1)
days_back = st.one_of(st.just(0), st.integers(1, 80), st.sampled_from(["month_end_1", "month_end_2"]))
operation = st.tuples(
    st.sampled_from(["receive", "receive_cases", "issue", "adjust_in", "adjust_out", "transfer"]),
    st.integers(0, 1),
    quantity,
    unit_cost,
    days_back,
)


@pytest.fixture
def shop(db):
    tenant = create_tenant()
    with tenant_context(tenant):
        s = setup_catalogue(tenant)
        fifo = actions.save_category(s.manager, name="FIFO", valuation_method="fifo")
    return {"tenant": tenant, "s": s, "fifo": fifo, "n": 0}


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(ops=st.lists(operation, min_size=4, max_size=14), fifo=st.booleans())
def test_valuation_equals_the_independent_oracle(shop, ops, fifo):
    tenant, s = shop["tenant"], shop["s"]
    shop["n"] += 1
    today = timezone.localdate()
    month_ends = _month_ends_back(today)
    oracle = Oracle(fifo)
    posted = refused = 0
    with tenant_context(tenant):
        product = actions.save_product(
            s.manager,
            name=f"Hàng {shop['n']}",
            stock_unit_id=s.chai.pk,
            cost_price=Decimal(1000),
            category_id=shop["fifo"].pk if fifo else None,
        )
        whs = [s.wh, s.wh2]
        # a first receipt far enough back that most backdated operations have something to work with
        actions.receive_goods(
            s.manager,
            warehouse_id=s.wh.pk,
            date=today - timedelta(days=120),
            lines=[{"product_id": product.pk, "quantity": "40", "unit_cost": "12345.5"}],
        )
        oracle.post(0, today - timedelta(days=120), Decimal(40), _vnd(Decimal(40) * Decimal("12345.5")))
        dates = {today - timedelta(days=120)}
        for op, w, q, c, back in ops:
            if isinstance(back, str):
                back = month_ends[int(back[-1]) - 1]
            on = today - timedelta(days=back)
            if op == "transfer":
                on = today  # transfers are shipped and received today
            line = {"product_id": product.pk, "quantity": str(q)}
            if op == "receive_cases":  # in the purchase unit: a case (thùng) of 24 bottles, cost per case
                q = Decimal(int(q) % 3 + 1)
                line["quantity"] = str(q)
            incoming = op in ("receive", "receive_cases", "adjust_in")
            expect_ok = incoming or can_leave(oracle.wh[w].moves, on, q)
            try:
                if op == "receive_cases":
                    actions.receive_goods(
                        s.manager,
                        warehouse_id=whs[w].pk,
                        date=on,
                        lines=[{**line, "unit_id": s.thung.pk, "unit_cost": str(c)}],
                    )
                elif op == "receive":
                    actions.receive_goods(
                        s.manager, warehouse_id=whs[w].pk, date=on, lines=[{**line, "unit_cost": str(c)}]
                    )
                elif op == "issue":
                    actions.issue_goods(s.manager, warehouse_id=whs[w].pk, date=on, lines=[line])
                elif op in ("adjust_in", "adjust_out"):
                    change = q if op == "adjust_in" else -q
                    adj = actions.create_adjustment(
                        s.manager,
                        warehouse_id=whs[w].pk,
                        reason="kiểm kê",
                        date=on,
                        lines=[{"product_id": product.pk, "quantity_change": str(change), "unit_cost": str(c)}],
                    )
                    actions.approve_adjustment(s.manager, adj.pk)
                else:
                    t = actions.create_transfer(
                        s.manager, from_warehouse_id=whs[w].pk, to_warehouse_id=whs[1 - w].pk, lines=[line]
                    )
                    actions.approve_transfer(s.manager, t.pk)
                    actions.ship_transfer(s.manager, t.pk)
                    actions.receive_transfer(s.manager, t.pk)
            except InsufficientStock as exc:
                assert not expect_ok, (op, w, q, on, exc.messages)
                assert "Not enough" in exc.messages[0] or "Không đủ" in exc.messages[0]
                refused += 1
                continue
            assert expect_ok, (op, w, q, on, "accepted although the oracle has too little")
            posted += 1
            dates.add(on)
            if op == "receive_cases":
                oracle.post(w, on, q * 24, _vnd(q * c))
            elif incoming:
                oracle.post(w, on, q, _vnd(q * c))
            elif op == "transfer":
                carried = -oracle.post(w, on, -q, None)
                oracle.post(1 - w, on, q, carried)
            else:
                oracle.post(w, on, -q, None)

            for i, wh in enumerate(whs):
                stock = Stock.objects.filter(product=product, warehouse=wh).first()
                got = (stock.on_hand, stock.value) if stock else (ZERO, ZERO)
                assert got == oracle.state(i), (op, i, got, oracle.state(i))
        assert posted >= 1  # the first receipt aside, some operations went through
        # the valuation report as of every posting date, the day before each and month ends
        checks = dates | {d - timedelta(days=1) for d in dates} | {today - timedelta(days=b) for b in month_ends}
        for as_of in sorted(checks):
            report = reported_valuation(tenant, as_of)
            for i, wh in enumerate(whs):
                expected = oracle.as_of(i, as_of)
                got = report.get((product.pk, wh.pk), (ZERO, ZERO))
                assert got == expected, (as_of, i, got, expected)
    shop.setdefault("counts", []).append((posted, refused))


def test_month_end_helper_gives_last_days_of_previous_months():
    today = timezone.localdate()
    for back in _month_ends_back(today):
        d = today - timedelta(days=back)
        assert d.day == calendar.monthrange(d.year, d.month)[1] and d < today
