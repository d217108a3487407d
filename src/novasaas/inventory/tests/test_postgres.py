"""PostgreSQL only: row-level security on every inventory table, and concurrency of the ledger."""

from __future__ import annotations

import threading
from decimal import Decimal

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db import OperationalError, connection, connections

from novasaas.inventory import ledger
from novasaas.inventory.models import Stock
from novasaas.inventory.tests.helpers import issue, receive, setup_catalogue
from novasaas.platform.tenancy import platform_context, tenant_context

pytestmark = pytest.mark.postgres_only


def test_raw_sql_sees_only_the_current_tenants_rows(tenant_a, tenant_b):
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            s = setup_catalogue(tenant)
            receive(s, 5)
    models = list(apps.get_app_config("inventory").get_models())
    with platform_context():
        both = {m for m in models if all(m.objects.filter(tenant=t).exists() for t in (tenant_a, tenant_b))}
        of_a = {m for m in models if m.objects.filter(tenant=tenant_a).exists()}
    assert len(both) >= 5  # rows of both tenants exist, so hiding B's rows is actually proven
    with tenant_context(tenant_a), connection.cursor() as cur:
        for model in models:
            cur.execute(f"SELECT DISTINCT tenant_id FROM {model._meta.db_table}")  # noqa: S608
            seen = {row[0] for row in cur.fetchall()}
            assert seen == ({tenant_a.pk} if model in of_a else set()), model.__name__


def _race(tenant, n_threads, per_thread, work):
    barrier = threading.Barrier(n_threads)
    outcomes: list[str] = []
    lock = threading.Lock()

    def run() -> None:
        try:
            barrier.wait(timeout=30)
            for _ in range(per_thread):
                try:
                    with tenant_context(tenant):
                        work()
                    result = "ok"
                except ValidationError:
                    result = "refused"
                except OperationalError as exc:  # a deadlock would land here
                    result = f"error: {exc}"
                except Exception as exc:  # reported, never a silently dead thread
                    result = f"error: {exc!r}"
                with lock:
                    outcomes.append(result)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(n_threads)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not [t for t in threads if t.is_alive()], "a thread is still running"
    # every thread reported every attempt (a thread that died early would leave fewer outcomes)
    assert len(outcomes) == n_threads * per_thread, outcomes
    return outcomes


def test_100_concurrent_reservations_of_1_against_10_available(transactional_db, tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        receive(s, 10)
    counter = iter(range(1000))

    def work() -> None:
        ledger.reserve(tenant_a, s.beer, s.wh, Decimal(1), f"crm.salesorder:{next(counter)}")

    # 25 connections at once (PostgreSQL's default limit is 100 for every client of the server),
    # each making 4 reservations: 100 reservations racing for 10 units.
    outcomes = _race(tenant_a, 25, 4, work)
    assert len(outcomes) == 100
    assert outcomes.count("ok") == 10, outcomes
    assert outcomes.count("refused") == 90
    with tenant_context(tenant_a):
        stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
        assert stock.reserved == Decimal(10) and stock.on_hand == Decimal(10)
        assert ledger.ledger_differences() == []


def test_concurrent_issues_never_take_more_than_on_hand(transactional_db, tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        receive(s, 10, "10000")
        receive(s, 10, "12000")

    outcomes = _race(tenant_a, 10, 3, lambda: issue(s, 1))
    assert outcomes.count("ok") == 20 and outcomes.count("refused") == 10, outcomes
    with tenant_context(tenant_a):
        stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
        assert stock.on_hand == 0 and stock.value == 0
        assert ledger.ledger_differences() == []


def test_receipts_racing_issues_keep_the_ledger_exact(transactional_db, tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        receive(s, 5, "10000")
    flip = iter(range(1000))

    def work() -> None:
        if next(flip) % 2:
            receive(s, 2, "13000")
        else:
            issue(s, 1)

    outcomes = _race(tenant_a, 8, 5, work)
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    issued = outcomes.count("ok") - 20  # the 20 receipts are never refused
    # an issue is refused only when the shelf is empty, so the 5 opening units were issued before any
    # refusal: at least 5 issues went through, whatever the order
    assert 5 <= issued <= 20 and outcomes.count("refused") == 20 - issued, outcomes
    with tenant_context(tenant_a):
        stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
        assert stock.on_hand == 5 + 2 * 20 - issued and stock.value >= 0
        assert ledger.ledger_differences() == []


def test_backdated_receipt_racing_new_issues_stays_consistent(transactional_db, tenant_a):
    """Issue 4: backdated receipts (dated last month, so they revalue the product × warehouse and
    update every later monthly closing) racing new issues of the same product: no deadlock, every
    commit consistent — stock row = ledger = replay, closings = ledger, valuation as of any date = a
    recomputation from the moves."""
    from datetime import timedelta

    from django.utils import timezone

    from novasaas.inventory import actions
    from novasaas.inventory.tests.helpers import brute_valuation, reported_valuation

    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=10)
    two_months_ago = (last_month.replace(day=1) - timedelta(days=1)).replace(day=20)
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        actions.receive_goods(
            s.manager,
            warehouse_id=s.wh.pk,
            date=two_months_ago,
            lines=[{"product_id": s.beer.pk, "quantity": "50", "unit_cost": "10000"}],
        )
        for _ in range(5):
            issue(s, 2)
    flip = iter(range(1000))

    def work() -> None:
        if next(flip) % 3 == 0:
            actions.receive_goods(
                s.manager,
                warehouse_id=s.wh.pk,
                date=last_month,
                lines=[{"product_id": s.beer.pk, "quantity": "5", "unit_cost": "16000"}],
            )
        else:
            issue(s, 1)

    outcomes = _race(tenant_a, 6, 4, work)
    assert outcomes.count("ok") == 24, outcomes
    with tenant_context(tenant_a):
        stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
        assert ledger.ledger_differences() == []
        # after every commit the stock value equals a date-ordered replay of the ledger
        assert ledger.replayed_value(stock, s.beer) == stock.value
        for on in (two_months_ago, last_month - timedelta(days=1), last_month, last_month + timedelta(days=9), today):
            assert reported_valuation(tenant_a, on) == brute_valuation(on), on


def test_backdated_issues_racing_new_issues_never_take_goods_the_history_did_not_have(transactional_db, tenant_a):
    """Issue 4: issues dated three days ago race issues dated today for 10 units received a week ago.
    Whatever the interleaving, at most 10 leave, no issue is valued at a made-up cost, and the stock
    row equals a date-ordered replay of the ledger after every commit."""
    from datetime import timedelta

    from django.utils import timezone

    from novasaas.inventory import actions

    today = timezone.localdate()
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        actions.receive_goods(
            s.manager,
            warehouse_id=s.wh.pk,
            date=today - timedelta(days=7),
            lines=[{"product_id": s.beer.pk, "quantity": "10", "unit_cost": "10000"}],
        )
    flip = iter(range(1000))

    def work() -> None:
        on = today - timedelta(days=3) if next(flip) % 2 else today
        actions.issue_goods(
            s.manager, warehouse_id=s.wh.pk, date=on, lines=[{"product_id": s.beer.pk, "quantity": "1"}]
        )

    outcomes = _race(tenant_a, 6, 3, work)
    assert outcomes.count("ok") == 10 and outcomes.count("refused") == 8, outcomes
    with tenant_context(tenant_a):
        stock = Stock.objects.get(product=s.beer, warehouse=s.wh)
        assert stock.on_hand == 0 and stock.value == 0
        assert ledger.replayed_value(stock, s.beer) == stock.value
        assert ledger.ledger_differences() == []


def test_the_ledger_is_append_only_even_for_raw_sql(tenant_a):
    from django.db import DatabaseError, transaction

    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        receive(s, 5)
        for sql in ("UPDATE inventory_stockmove SET quantity = 1", "DELETE FROM inventory_stockmove"):
            with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
                cur.execute(sql)
        assert ledger.ledger_differences() == []


def test_one_serial_racing_transfers_and_issues_leaves_once(transactional_db, tenant_a):
    """Eight sessions try to ship or issue the same serial unit at once: exactly one succeeds, the others
    are refused cleanly (no deadlock), and the unit's location and the quants equal the ledger."""
    from novasaas.inventory import actions
    from novasaas.inventory.models import SerialNumber

    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        fan = actions.save_product(s.manager, name="Quạt", stock_unit_id=s.chai.pk, tracking="serial")
        receive(s, 2, product=fan, serials=["R1", "R2"])
    turn = iter(range(100))

    def work() -> None:
        if next(turn) % 2:
            actions.issue_goods(
                s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": fan.pk, "quantity": "1", "serials": ["R1"]}]
            )
            return
        t = actions.create_transfer(
            s.manager,
            from_warehouse_id=s.wh.pk,
            to_warehouse_id=s.wh2.pk,
            lines=[{"product_id": fan.pk, "serials": ["R1"]}],
        )
        actions.approve_transfer(s.manager, t.pk)
        actions.ship_transfer(s.manager, t.pk)

    outcomes = _race(tenant_a, 8, 1, work)
    assert outcomes.count("ok") == 1, outcomes
    assert outcomes.count("refused") == 7, outcomes
    with tenant_context(tenant_a):
        unit = SerialNumber.objects.select_related("location").get(code="R1")
        assert unit.location is None or unit.location.usage == "transit"
        assert SerialNumber.objects.get(code="R2").location.code == "HN"
        assert Stock.objects.get(product=fan, warehouse=s.wh).on_hand == 1
        assert ledger.ledger_differences() == []


def test_late_document_numbers_stay_gapless_and_match_the_ledger_under_concurrency(transactional_db, tenant_a):
    """Receipts and issues created and validated in one go take their NK-/XK- number late in the
    transaction (issue 11). 8 sessions racing receipts and issues (some refused for lack of stock):
    the numbers of the documents that exist are gapless per kind (a refused one gives its number back),
    every stock move and accounting entry carries its document's number, stock = ledger, stock vs
    accounting 0 and the ledger's chain verifies."""
    from django.utils import timezone

    from novasaas.accounting.integrity import verify_ledger
    from novasaas.accounting.models import JournalEntry
    from novasaas.accounting.selectors import inventory_account_balance
    from novasaas.inventory import selectors
    from novasaas.inventory.models import StockMove, StockMovement

    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        receive(s, 1, "10000")
    flip = iter(range(1000))

    def work() -> None:
        if next(flip) % 3 == 0:
            receive(s, 1, "11000")
        else:
            issue(s, 1)

    outcomes = _race(tenant_a, 8, 6, work)
    assert not [o for o in outcomes if o.startswith("error")], outcomes
    assert "refused" in outcomes  # some issues found the shelf empty and gave their number back
    with tenant_context(tenant_a):
        docs = list(StockMovement.objects.all())
        assert all(d.status == "done" for d in docs)
        for prefix in ("NK", "XK"):
            numbers = sorted(int(d.number.rsplit("-", 1)[1]) for d in docs if d.number.startswith(prefix))
            assert numbers == list(range(1, len(numbers) + 1)), (prefix, numbers)
        for d in docs:
            refs = set(
                StockMove.objects.filter(document_id=d.pk, document_type=f"inventory.{d.kind}").values_list(
                    "reference", flat=True
                )
            )
            assert refs == {d.number}
            entry = JournalEntry.objects.get(source_type=f"inventory.{d.kind}", source_id=d.pk)
            assert entry.source_reference == d.number
        assert ledger.ledger_differences() == []
        valuation = sum((r.value for r in selectors.valuation(tenant_a)), Decimal(0))
        assert inventory_account_balance(tenant_a, timezone.localdate()) == valuation
    report = verify_ledger(tenant_a)
    assert report.ok, report.problems
