"""Valuation: backdated moves revalue synchronously; landed costs split between stock and COGS."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from novasaas.inventory import actions, events, ledger, selectors
from novasaas.inventory.models import Product, Stock, StockMove, StockMovement, ValueEntry
from novasaas.inventory.tests.helpers import setup_catalogue
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import recorded_events

pytestmark = pytest.mark.date_sensitive  # backdated moves, month closings, as-of valuations

D = Decimal


@pytest.fixture
def seen():
    """Revaluations and landed costs published during the test, as an INV subscriber sees them."""
    with recorded_events(events.StockRevalued, events.LandedCostAdded, module="INV") as published:
        yield published


@pytest.fixture
def s(tenant_a, seen):
    with tenant_context(tenant_a):
        yield setup_catalogue(tenant_a)


def _receive(s, qty, cost, on):
    return actions.receive_goods(
        s.manager,
        warehouse_id=s.wh.pk,
        date=on,
        lines=[{"product_id": s.beer.pk, "quantity": str(qty), "unit_cost": str(cost)}],
    )


def test_backdated_receipt_revalues_later_issues(s, tenant_a, seen):
    today = timezone.localdate()
    _receive(s, 10, 10000, today - timedelta(days=10))
    actions.issue_goods(
        s.manager,
        warehouse_id=s.wh.pk,
        date=today - timedelta(days=5),
        lines=[{"product_id": s.beer.pk, "quantity": "10"}],
    )
    _receive(s, 10, 20000, today - timedelta(days=7))  # backdated: the issue should have cost 15.000/chai
    stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
    assert stock.on_hand == D(10) and stock.value == D(150000)
    revalued = [e for e in seen if isinstance(e, events.StockRevalued)]
    assert len(revalued) == 1 and revalued[0].value == "-50000" and revalued[0].cogs_value == "50000"
    assert ledger.ledger_differences() == []
    assert ledger.replayed_value(stock, s.beer) == stock.value
    rows = selectors.valuation(tenant_a, today)
    assert rows[0].value == D(150000)


def test_landed_cost_split_between_stock_and_cogs(s, seen):
    doc = _receive(s, 10, 10000, timezone.localdate())
    actions.issue_goods(s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": s.beer.pk, "quantity": "4"}])
    lc = actions.add_landed_cost(s.manager, doc.pk, amount="20000", description="Cước vận chuyển")
    assert lc.cogs_value == D(8000)
    stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
    assert stock.value == D(60000 + 12000)
    event = [e for e in seen if isinstance(e, events.LandedCostAdded)][0]
    assert event.value == "20000" and event.cogs_value == "8000" and event.receipt_id == doc.pk
    assert ValueEntry.objects.count() == 1
    assert ledger.ledger_differences() == []
    assert ledger.replayed_value(stock, s.beer) == stock.value


def test_landed_cost_refused_on_a_draft_receipt(s):
    from django.core.exceptions import ValidationError

    draft = actions.create_movement(
        s.manager, kind="receipt", warehouse_id=s.wh.pk, lines=[{"product_id": s.beer.pk, "quantity": "1"}]
    )
    with pytest.raises(ValidationError):
        actions.add_landed_cost(s.manager, draft.pk, amount="1000", description="x")
    with pytest.raises(Exception):  # noqa: B017 - staff lacks the right
        actions.add_landed_cost(s.staff, draft.pk, amount="1000", description="x")


def test_valuation_as_of_a_past_date(s, tenant_a):
    today = timezone.localdate()
    _receive(s, 10, 10000, today - timedelta(days=10))
    actions.issue_goods(
        s.manager,
        warehouse_id=s.wh.pk,
        date=today - timedelta(days=2),
        lines=[{"product_id": s.beer.pk, "quantity": "4"}],
    )
    actions.create_transfer(
        s.manager,
        from_warehouse_id=s.wh.pk,
        to_warehouse_id=s.wh2.pk,
        lines=[{"product_id": s.beer.pk, "quantity": "1"}],
    )
    assert selectors.valuation(tenant_a, today - timedelta(days=11)) == []
    (past,) = selectors.valuation(tenant_a, today - timedelta(days=5))
    assert (past.quantity, past.value, past.warehouse.code) == (D(10), D(100000), "HN")
    (now,) = selectors.valuation(tenant_a)
    assert (now.quantity, now.value) == (D(6), D(60000))


def test_fifo_issues_the_oldest_cost_first(s, tenant_a):
    cat = actions.save_category(s.manager, name="Điện tử", valuation_method="fifo")
    actions.save_product(s.manager, s.beer.pk, category_id=cat.pk)
    today = timezone.localdate()
    _receive(s, 10, 10000, today - timedelta(days=9))
    _receive(s, 10, 13000, today - timedelta(days=8))
    doc = actions.issue_goods(
        s.manager,
        warehouse_id=s.wh.pk,
        date=today - timedelta(days=7),
        lines=[{"product_id": s.beer.pk, "quantity": "12"}],
    )
    assert doc.lines.get().value == D(10 * 10000 + 2 * 13000)
    stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
    assert stock.value == D(8 * 13000)
    # a backdated receipt before the issue: FIFO would have issued 10 @10.000 + 2 @ 9.000
    _receive(s, 5, 9000, today - timedelta(days=9))
    stock.refresh_from_db()
    assert stock.on_hand == D(13)
    assert stock.value == D(3 * 9000 + 10 * 13000)
    assert ledger.ledger_differences() == []
    # landed cost on the first receipt: nothing of it is left, all to COGS
    first = actions.receive_goods(
        s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": s.beer.pk, "quantity": "4", "unit_cost": "20000"}]
    )
    lc = actions.add_landed_cost(s.manager, first.pk, amount="4000", description="Cước")
    assert lc.cogs_value == 0
    stock.refresh_from_db()
    assert stock.value == D(3 * 9000 + 10 * 13000 + 4 * 20000 + 4000)
    assert ledger.ledger_differences() == []
    assert ledger.replayed_value(stock, Product.objects.get(pk=s.beer.pk)) == stock.value


def test_fifo_backdated_issue_dated_before_its_receipt_keeps_layers_equal_to_stock(s):
    cat = actions.save_category(s.manager, name="Điện tử", valuation_method="fifo")
    actions.save_product(s.manager, s.beer.pk, category_id=cat.pk)
    actions.save_warehouse(s.manager, s.wh.pk, allow_negative_stock=True)  # refused otherwise (next tests)
    today = timezone.localdate()
    _receive(s, 10, 10000, today - timedelta(days=3))
    # dated before the receipt that supplies it: in date order the goods were owed, then received
    actions.issue_goods(
        s.manager,
        warehouse_id=s.wh.pk,
        date=today - timedelta(days=20),
        lines=[{"product_id": s.beer.pk, "quantity": "4"}],
    )
    stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
    assert stock.on_hand == D(6) and stock.value == D(60000)
    assert ledger.ledger_differences() == []
    assert ledger.replayed_value(stock, Product.objects.get(pk=s.beer.pk)) == stock.value


def _issue(s, qty, on):
    return actions.issue_goods(
        s.manager, warehouse_id=s.wh.pk, date=on, lines=[{"product_id": s.beer.pk, "quantity": str(qty)}]
    )


@pytest.mark.parametrize("method", ["average", "fifo"])
def test_an_issue_dated_before_the_receipt_that_supplied_it_is_refused(s, method):
    if method == "fifo":
        cat = actions.save_category(s.manager, name="FIFO", valuation_method="fifo")
        actions.save_product(s.manager, s.beer.pk, category_id=cat.pk)
    today = timezone.localdate()
    _receive(s, 2, 0, today)
    with pytest.raises(ledger.InsufficientStock) as refused:
        _issue(s, 1, today - timedelta(days=1))
    yesterday = (today - timedelta(days=1)).strftime("%d/%m/%Y")
    assert f"vào ngày {yesterday}: yêu cầu 1 Chai, từ ngày đó chỉ có thể xuất 0 Chai" in str(refused.value)
    stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
    assert stock.on_hand == D(2) and stock.value == D(0)
    assert StockMove.objects.count() == 1 and not StockMovement.objects.filter(kind="issue").exists()
    assert ledger.ledger_differences() == []


def test_a_backdated_issue_must_leave_enough_for_the_issues_after_it(s):
    today = timezone.localdate()
    _receive(s, 10, 10000, today - timedelta(days=10))
    _issue(s, 6, today - timedelta(days=2))
    _receive(s, 5, 12000, today - timedelta(days=1))
    # 10 were there 5 days ago, but 6 of them left 2 days ago before the next receipt: only 4 can go
    with pytest.raises(ledger.InsufficientStock) as refused:
        _issue(s, 5, today - timedelta(days=5))
    low_on = (today - timedelta(days=2)).strftime("%d/%m/%Y")
    assert "yêu cầu 5 Chai, từ ngày đó chỉ có thể xuất 4 Chai" in str(refused.value) and low_on in str(refused.value)
    _issue(s, 4, today - timedelta(days=5))  # what the history can give is accepted and revalues the rest
    stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
    assert stock.on_hand == D(5) and stock.value == D(60000)
    assert ledger.replayed_value(stock, Product.objects.get(pk=s.beer.pk)) == stock.value
    assert ledger.ledger_differences() == []


def test_a_backdated_issue_is_valued_at_the_average_of_its_date(s, seen):
    today = timezone.localdate()
    _receive(s, 10, 10000, today - timedelta(days=10))
    _receive(s, 10, 20000, today - timedelta(days=2))  # today's average is 15.000
    seen.clear()
    movement = _issue(s, 5, today - timedelta(days=5))  # on that date the average was 10.000
    move = StockMove.objects.get(document_type="inventory.issue", document_id=movement.pk)
    assert move.value == D(50000) and move.unit_cost == D(10000)
    stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
    assert stock.on_hand == D(15) and stock.value == D(250000)
    # nothing after it was issued, so there is nothing to revalue
    assert not [e for e in seen if isinstance(e, events.StockRevalued)]
    assert ledger.replayed_value(stock, Product.objects.get(pk=s.beer.pk)) == stock.value
    assert ledger.ledger_differences() == []


def test_a_backdated_issue_is_accepted_where_the_warehouse_allows_negative_stock(s):
    actions.save_warehouse(s.manager, s.wh.pk, allow_negative_stock=True)
    today = timezone.localdate()
    _receive(s, 2, 1000, today)
    _issue(s, 1, today - timedelta(days=1))
    stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
    assert stock.on_hand == D(1)
    assert ledger.replayed_value(stock, Product.objects.get(pk=s.beer.pk)) == stock.value
    assert ledger.ledger_differences() == []


def test_a_backdated_shortage_adjustment_is_checked_against_later_issues_too(s):
    today = timezone.localdate()
    _receive(s, 3, 10000, today - timedelta(days=4))
    _issue(s, 3, today - timedelta(days=1))
    _receive(s, 3, 10000, today)
    adj = actions.create_adjustment(
        s.manager,
        warehouse_id=s.wh.pk,
        reason="hỏng",
        date=today - timedelta(days=2),
        lines=[{"product_id": s.beer.pk, "quantity_change": "-1"}],
    )
    with pytest.raises(ledger.InsufficientStock):
        actions.approve_adjustment(s.manager, adj.pk)
    stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
    assert stock.on_hand == D(3) and stock.value == D(30000)
    assert ledger.ledger_differences() == []


def test_backdated_issue_refused_through_the_api_moves_nothing(api_a, tenant_a):
    from novasaas.inventory.tests.test_api import URL, catalogue

    product, wh, _t = catalogue(api_a)
    today = timezone.localdate()
    r = api_a.post(
        f"{URL}/movements",
        {"kind": "receipt", "warehouse_id": wh["id"], "lines": [{"product_id": product["id"], "quantity": "2"}]},
    )
    assert api_a.post(f"{URL}/movements/{r.json()['id']}/validate").status_code == 200
    r = api_a.post(
        f"{URL}/movements",
        {
            "kind": "issue",
            "warehouse_id": wh["id"],
            "date": str(today - timedelta(days=1)),
            "lines": [{"product_id": product["id"], "quantity": "1"}],
        },
    )
    assert r.status_code == 201, r.content
    done = api_a.post(f"{URL}/movements/{r.json()['id']}/validate")
    assert done.status_code == 400 and "từ ngày đó chỉ có thể xuất 0" in str(done.json()["detail"])
    with tenant_context(tenant_a):
        assert StockMove.objects.count() == 1
        assert Stock.objects.get().on_hand == D(2)


def _months_back(today, n):
    """A day in the n-th month before today's, on the 20th (second half of the month)."""
    first = today.replace(day=1)
    for _ in range(n):
        first = (first - timedelta(days=1)).replace(day=1)
    return first.replace(day=20)


def test_monthly_closings_follow_backdated_moves_and_give_the_valuation_of_any_date(s, tenant_a):
    from novasaas.inventory.models import StockPeriodBalance
    from novasaas.inventory.tests.helpers import brute_valuation, reported_valuation

    today = timezone.localdate()
    m3, m2, m1 = (_months_back(today, n) for n in (3, 2, 1))
    _receive(s, 10, 10000, m2)
    actions.issue_goods(s.manager, warehouse_id=s.wh.pk, date=m1, lines=[{"product_id": s.beer.pk, "quantity": "4"}])
    _receive(s, 5, 20000, today)
    # backdated three months: every later closing changes (quantity, and value by the revaluation)
    _receive(s, 10, 16000, m3)
    closings = dict(StockPeriodBalance.objects.filter(product=s.beer, warehouse=s.wh).values_list("period", "value"))
    assert sorted(closings) == [m3.replace(day=1), m2.replace(day=1), m1.replace(day=1), today.replace(day=1)]
    stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
    assert closings[today.replace(day=1)] == stock.value
    assert ledger.ledger_differences() == []
    for on in [
        m3 - timedelta(days=10),
        m3,
        m3 + timedelta(days=15),
        m2 - timedelta(days=12),
        m2,
        m1,
        m1 + timedelta(days=1),
        today - timedelta(days=1),
        today,
    ]:
        assert reported_valuation(tenant_a, on) == brute_valuation(on), on
    assert selectors.valuation(tenant_a, m3 - timedelta(days=10)) == []


def test_verify_stock_detects_a_wrong_monthly_closing_and_the_backfill_rebuilds_it(s, tenant_a):
    import importlib

    from django.db import connection
    from django.db.models import F

    from novasaas.inventory.models import StockPeriodBalance

    today = timezone.localdate()
    _receive(s, 10, 10000, _months_back(today, 2))
    _receive(s, 10, 12000, today)
    before = sorted(StockPeriodBalance.objects.values_list("product_id", "warehouse_id", "period", "quantity", "value"))
    assert len(before) == 2
    StockPeriodBalance.objects.filter(period__lt=today.replace(day=1)).update(value=F("value") + 1)
    assert any(p.startswith("period") for p in ledger.ledger_differences())
    StockPeriodBalance.objects.all().delete()
    assert any("no closing balance" in p for p in ledger.ledger_differences())
    migration = importlib.import_module("novasaas.inventory.migrations.0006_val_period_balances")

    class Editor:
        pass

    editor = Editor()
    editor.connection = connection
    migration.backfill(None, editor)
    after = sorted(StockPeriodBalance.objects.values_list("product_id", "warehouse_id", "period", "quantity", "value"))
    assert after == before
    assert ledger.ledger_differences() == []


def test_stock_card(s, tenant_a, today):
    from novasaas.platform.testing.fixtures import web_client

    _receive(s, 10, 10000, today - timedelta(days=40))
    _receive(s, 10, 12000, today - timedelta(days=3))
    actions.issue_goods(
        s.manager,
        warehouse_id=s.wh.pk,
        date=today - timedelta(days=1),
        lines=[{"product_id": s.beer.pk, "quantity": "5"}],
    )
    (oq, ov), lines = selectors.stock_card(tenant_a, s.beer.pk, s.wh.pk, today - timedelta(days=10), today)
    assert (oq, ov) == (D(10), D(100000))
    assert [(ln.qty_in, ln.qty_out, ln.balance) for ln in lines] == [(D(10), 0, D(20)), (0, D(5), D(15))]
    assert lines[-1].balance_value == Stock.objects.get(product=s.beer, warehouse=s.wh).value
    web = web_client(tenant_a, s.manager.user)
    # the page opens on this month: on the 1st to the 3rd these moves are last month's, so ask for the period
    url = f"/inventory/reports/stock-card/?product={s.beer.pk}&warehouse={s.wh.pk}"
    url += f"&from={today - timedelta(days=10)}&to={today}"
    assert "NK-" in web.get(url).content.decode()
    assert web.get(url + "&format=xlsx").status_code == 200
    assert web.get(f"/inventory/reports/stock-card/?product=x&warehouse={s.wh.pk}").status_code == 404


def _month_start(on, back):
    first = on.replace(day=1)
    for _ in range(back):
        first = (first - timedelta(days=1)).replace(day=1)
    return first


@pytest.mark.parametrize("method", ["average", "fifo"])
def test_valuation_as_of_month_boundaries_and_mid_month_equals_a_sum_of_moves_and_value_entries(s, tenant_a, method):
    """The valuation as of any date (closing of a month ± the moves and value entries of the next one, added
    up in SQL) equals a brute-force sum of every move and value entry dated up to it — per product ×
    warehouse, to the đồng, for both costing methods, with variants, a transfer, a landed cost and the
    revaluation of a backdated receipt; and per warehouse."""
    from novasaas.inventory.tests.helpers import brute_valuation, reported_valuation

    today = timezone.localdate()
    category = actions.save_category(s.manager, name="Nhóm", valuation_method=method)
    actions.save_product(s.manager, s.beer.pk, category_id=category.pk)
    milk = actions.save_product(
        s.manager, name="Sữa tươi", stock_unit_id=s.chai.pk, cost_price=D(8000), category_id=category.pk
    )
    red = actions.save_variant(s.manager, milk.pk, attributes={"màu": "đỏ"})
    blue = actions.save_variant(s.manager, milk.pk, attributes={"màu": "xanh"})
    m3, m2, m1 = (_month_start(today, n) for n in (3, 2, 1))

    def receive(product, qty, cost, on, wh=None, variant=None):
        line = {"product_id": product.pk, "quantity": str(qty), "unit_cost": str(cost)}
        if variant is not None:
            line["variant_id"] = variant.pk
        return actions.receive_goods(s.manager, warehouse_id=(wh or s.wh).pk, date=on, lines=[line])

    def issue(product, qty, on, wh=None, variant=None):
        line = {"product_id": product.pk, "quantity": str(qty)}
        if variant is not None:
            line["variant_id"] = variant.pk
        return actions.issue_goods(s.manager, warehouse_id=(wh or s.wh).pk, date=on, lines=[line])

    receive(s.beer, 20, 10000, m3)
    receive(milk, 10, 8000, m3 + timedelta(days=14), variant=red)
    receive(milk, 6, 9000, m3 + timedelta(days=14), variant=blue)
    receive(milk, 5, 9500, m3 + timedelta(days=15), wh=s.wh2, variant=blue)
    t = actions.create_transfer(
        s.manager,
        from_warehouse_id=s.wh.pk,
        to_warehouse_id=s.wh2.pk,
        date=m2 - timedelta(days=1),  # the last day of a month
        lines=[{"product_id": s.beer.pk, "quantity": "6"}],
    )
    if t.status == "pending":
        actions.approve_transfer(s.manager, t.pk)
    actions.ship_transfer(s.manager, t.pk)
    actions.receive_transfer(s.manager, t.pk)
    issue(s.beer, 4, m2)
    second = receive(s.beer, 10, 12000, m2 + timedelta(days=14))
    issue(milk, 3, m1 - timedelta(days=1), variant=red)
    issue(milk, 2, m1 + timedelta(days=15), wh=s.wh2, variant=blue)
    issue(s.beer, 2, today, wh=s.wh2)  # the transfer arrived today
    actions.add_landed_cost(s.manager, second.pk, amount="7000", description="Cước vận chuyển")
    receive(s.beer, 8, 15000, m3 + timedelta(days=5))  # backdated: later issues are revalued
    issue(s.beer, 3, today)
    kinds = set(ValueEntry.objects.values_list("kind", flat=True))
    assert "landed_cost" in kinds and (method == "fifo" or "revaluation" in kinds)
    assert ledger.ledger_differences() == []

    dates = [m3 - timedelta(days=1), today - timedelta(days=1), today]
    for first in (m3, m2, m1):
        last = _month_start(first + timedelta(days=32), 0) - timedelta(days=1)
        dates += [first, first + timedelta(days=13), first + timedelta(days=14), first + timedelta(days=15), last]
    for on in dates:
        brute = brute_valuation(on)
        assert reported_valuation(tenant_a, on) == brute, on
        for wh in (s.wh, s.wh2):
            by_warehouse = {
                (r.product.pk, r.warehouse.pk): (r.quantity, r.value) for r in selectors.valuation(tenant_a, on, wh.pk)
            }
            assert by_warehouse == {k: v for k, v in brute.items() if k[1] == wh.pk}, (on, wh.code)
    assert brute_valuation(m3 - timedelta(days=1)) == {}
    assert len(brute_valuation(m1)) == 3  # the beer sent to HCM is in transit until today
    assert len(brute_valuation(today)) == 4


def test_recorded_events_leave_no_subscriber_behind():
    from novasaas.platform.events import subscriptions

    before = subscriptions(events.StockRevalued)
    with recorded_events(events.StockRevalued, module="INV"):
        assert len(subscriptions(events.StockRevalued)) == len(before) + 1
    assert subscriptions(events.StockRevalued) == before
