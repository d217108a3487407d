"""Inventory throughput and report timings. Prints figures; asserts nothing.

    .venv/bin/python benchmarks/inventory.py [--products 1000] [--warehouses 5] [--moves 100000]
                                             [--later-moves 20000] [--postings 300] [--repeat 1]
    .venv/bin/python benchmarks/inventory.py --tenant invbench1764493000 [--repeat 3]

Uses a throw-away SQLite database (or DATABASE_URL, e.g. PostgreSQL). Measures:
  1. postings through the actions (receipt/issue documents of one line): documents and moves per second;
  2. reservations (one conditional UPDATE each) per second;
  3. the stock list page's query count;
  4. stock-on-hand and valuation reports over ``--products`` × ``--warehouses`` with ``--moves`` ledger rows
     (bulk-inserted, consistent with the stock rows and the monthly closing balances);
  5. the synchronous revaluation after a backdated receipt dated before ``--later-moves`` moves of one product;
  6. the same for a backdated issue (history check, valued at that date's average, revaluation).

``--tenant SLUG`` measures only the reports (4.) over the data an earlier run left in the database (its slug
is printed): a large ledger is seeded once and measured many times, before and after a change.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")
if "DATABASE_URL" not in os.environ:
    os.environ["DATABASE_URL"] = f"sqlite:///{tempfile.mkdtemp()}/bench.sqlite3"

import django  # noqa: E402

django.setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402


def line(name: str, value: float, unit: str) -> None:
    print(f"{name:<58} {value:>12,.1f} {unit}")


def main() -> None:  # noqa: PLR0915 - a linear script
    parser = argparse.ArgumentParser()
    parser.add_argument("--products", type=int, default=1000)
    parser.add_argument("--warehouses", type=int, default=5)
    parser.add_argument("--moves", type=int, default=100_000)
    parser.add_argument("--later-moves", type=int, default=20_000)
    parser.add_argument("--postings", type=int, default=300)
    parser.add_argument("--repeat", type=int, default=1, help="measure each report this many times")
    parser.add_argument("--tenant", default="", help="only measure the reports of this earlier run's tenant")
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    if args.tenant:
        reuse(args.tenant, args.repeat)
        return
    from novasaas.identity import actions as identity_actions
    from novasaas.identity.access import principal_for
    from novasaas.identity.models import Membership
    from novasaas.inventory import actions, ledger, selectors
    from novasaas.inventory.models import Product, Stock, StockMove, StockPeriodBalance, StockQuant
    from novasaas.platform.models import Tenant
    from novasaas.platform.tenancy import platform_context, tenant_context

    slug = f"invbench{int(time.time())}"
    tenant, admin = identity_actions.create_tenant(
        slug=slug,
        name="Bench",
        admin_email=f"{slug}@example.com",
        admin_password="Bench-password-1",
        modules=["INV"],
    )
    with platform_context():
        Tenant.objects.filter(pk=tenant.pk).update(status="active")
        tenant.refresh_from_db()
    print(f"database: {connection.vendor}, tenant: {slug}")
    with tenant_context(tenant):
        p = principal_for(Membership.objects.select_related("tenant", "user").get(user=admin))
        unit = actions.save_unit(p, code="cai", name="Cái")
        whs = [actions.save_warehouse(p, code=f"W{i}", name=f"Kho {i}") for i in range(args.warehouses)]
        beer = actions.save_product(p, name="Bia", stock_unit_id=unit.pk, cost_price=Decimal(10000))

        # 1. postings through the actions
        t0 = time.perf_counter()
        for i in range(args.postings):
            actions.receive_goods(
                p,
                warehouse_id=whs[0].pk,
                lines=[{"product_id": beer.pk, "quantity": "10", "unit_cost": str(9000 + i % 7 * 500)}],
            )
            actions.issue_goods(p, warehouse_id=whs[0].pk, lines=[{"product_id": beer.pk, "quantity": "7"}])
        elapsed = time.perf_counter() - t0
        line("postings: documents per second (1 line each)", 2 * args.postings / elapsed, "docs/s")
        line("postings: moves per second", 2 * args.postings / elapsed, "moves/s")

        # 2. reservations
        n = 2000
        t0 = time.perf_counter()
        for i in range(n):
            try:
                ledger.reserve(tenant, beer, whs[0], Decimal(1), f"bench:{i}")
            except ledger.InsufficientStock:
                ledger.release(tenant, beer, whs[0], None, f"bench:{i - 1}")
        line("reservations per second (one conditional UPDATE each)", n / (time.perf_counter() - t0), "res/s")

        # 3. stock list query count
        with CaptureQueriesContext(connection) as ctx:
            rows = list(selectors.stock_levels(tenant)[:50])
            for r in rows:
                _ = (r.product.name, r.product.stock_unit.code, r.warehouse.code, r.variant)
        line("stock list (50 rows): queries", len(ctx), "queries")

        # 4. reports over a large ledger (bulk-inserted, consistent with stock rows)
        t0 = time.perf_counter()
        supplier = ledger.virtual_location("supplier")
        customer = ledger.virtual_location("customer")
        roots = [ledger.root_location(w) for w in whs]
        products = Product.objects.bulk_create(
            [
                Product(tenant=tenant, sku=f"B{i:06d}", name=f"Hàng {i}", stock_unit=unit, search_text=f"hang {i}")
                for i in range(args.products)
            ]
        )
        per_pair = max(2, args.moves // (args.products * args.warehouses))
        start = timezone.localdate() - timedelta(days=365)
        batch: list[StockMove] = []
        totals: dict[tuple[int, int], list[Decimal]] = {
            (prod.pk, wi): [Decimal(0), Decimal(0)] for prod in products for wi in range(len(roots))
        }
        # monthly closing balances, as the ledger maintains them: (period, product, warehouse) -> (q, v)
        months: dict[tuple[date, int, int], tuple[Decimal, Decimal]] = {}
        # in date order, the physical order of a ledger written day by day (and of its closings, month by month)
        for k in range(per_pair):
            incoming = k % 2 == 0
            qty = Decimal(10) if incoming else Decimal(4)
            val = Decimal(100000) if incoming else Decimal(40000)
            on = start + timedelta(days=k * 365 // per_pair)
            for prod in products:
                for wi, root in enumerate(roots):
                    batch.append(
                        StockMove(
                            tenant=tenant,
                            product=prod,
                            from_location=supplier if incoming else root,
                            to_location=root if incoming else customer,
                            quantity=qty,
                            unit_cost=Decimal(10000),
                            value=val,
                            document_type="bench",
                            document_id=k,
                            reference="BENCH",
                            date=on,
                        )
                    )
                    acc = totals[(prod.pk, wi)]
                    acc[0] += qty if incoming else -qty
                    acc[1] += val if incoming else -val
                    months[(on.replace(day=1), prod.pk, wi)] = (acc[0], acc[1])
                    if len(batch) >= 20000:
                        StockMove.objects.bulk_create(batch)
                        batch = []
        StockMove.objects.bulk_create(batch)
        StockPeriodBalance.objects.bulk_create(
            [
                StockPeriodBalance(tenant=tenant, product_id=pid, warehouse=whs[wi], period=m, quantity=mq, value=mv)
                for (m, pid, wi), (mq, mv) in sorted(months.items(), key=lambda item: item[0])
            ],
            batch_size=20000,
        )
        Stock.objects.bulk_create(
            [
                Stock(tenant=tenant, product_id=pid, warehouse=whs[wi], on_hand=q, value=v)
                for (pid, wi), (q, v) in totals.items()
            ]
        )
        StockQuant.objects.bulk_create(
            [
                StockQuant(tenant=tenant, product_id=pid, location=roots[wi], warehouse=whs[wi], on_hand=q)
                for (pid, wi), (q, _v) in totals.items()
            ]
        )
        total_moves = StockMove.objects.count()
        line(f"bulk load: {total_moves:,} moves, {len(totals):,} product×warehouse", time.perf_counter() - t0, "s")
        measure_reports(tenant, start, args.repeat)

        # 5. revaluation after a backdated receipt
        hot = actions.save_product(p, name="Hàng nóng", stock_unit_id=unit.pk, cost_price=Decimal(10000))
        root = roots[0]
        batch = []
        hot_months: dict[date, tuple[Decimal, Decimal]] = {}
        q = v = Decimal(0)
        for k in range(args.later_moves):
            incoming = k % 2 == 0
            qty = Decimal(10) if incoming else Decimal(5)
            if incoming:
                val = Decimal(100000 + k % 3 * 1000)
                q, v = q + qty, v + val
            else:
                val = ledger.round_money(qty * v / q)
                q, v = q - qty, v - val
            on = date(timezone.localdate().year, 1, 2) + timedelta(days=k * 300 // args.later_moves)
            batch.append(
                StockMove(
                    tenant=tenant,
                    product=hot,
                    from_location=supplier if incoming else root,
                    to_location=root if incoming else customer,
                    quantity=qty,
                    unit_cost=val / qty,
                    value=val,
                    document_type="bench",
                    document_id=k,
                    reference="BENCH",
                    date=on,
                )
            )
            hot_months[on.replace(day=1)] = (q, v)
        StockMove.objects.bulk_create(batch, batch_size=10000)
        StockPeriodBalance.objects.bulk_create(
            [
                StockPeriodBalance(tenant=tenant, product=hot, warehouse=whs[0], period=m, quantity=mq, value=mv)
                for m, (mq, mv) in hot_months.items()
            ]
        )
        Stock.objects.create(tenant=tenant, product=hot, warehouse=whs[0], on_hand=q, value=v)
        StockQuant.objects.create(tenant=tenant, product=hot, location=root, warehouse=whs[0], on_hand=q)
        t0 = time.perf_counter()
        with transaction.atomic():
            actions.receive_goods(
                p,
                warehouse_id=whs[0].pk,
                date=date(timezone.localdate().year, 1, 1),
                lines=[{"product_id": hot.pk, "quantity": "100", "unit_cost": "20000"}],
            )
        line(
            f"backdated receipt + revaluation over {args.later_moves:,} later moves",
            (time.perf_counter() - t0) * 1000,
            "ms",
        )
        # 6. a backdated issue: history check over the later moves, valued at that date's average
        # (a replay up to it), then the revaluation of the later moves
        t0 = time.perf_counter()
        with transaction.atomic():
            actions.issue_goods(
                p,
                warehouse_id=whs[0].pk,
                date=date(timezone.localdate().year, 1, 1),
                lines=[{"product_id": hot.pk, "quantity": "50"}],
            )
        line(
            f"backdated issue + check + revaluation over {args.later_moves:,} later moves",
            (time.perf_counter() - t0) * 1000,
            "ms",
        )
    print("done")


def timed(label: str, repeat: int, run: Any) -> Any:
    """Run ``run`` ``repeat`` times; print each time in ms (the label gets the result's size)."""
    times, result = [], None
    for _ in range(repeat):
        t0 = time.perf_counter()
        result = run()
        times.append((time.perf_counter() - t0) * 1000)
    size = f" ({len(result):,})" if hasattr(result, "__len__") else ""
    print(f"{label + size:<58} {' '.join(f'{t:,.0f}' for t in times):>20} ms")
    return result


def measure_reports(tenant: Any, start: date, repeat: int) -> None:
    """Section 4: the stock-on-hand and valuation reports (selectors, report tables, Excel files)."""
    from novasaas.inventory import reports, selectors

    def no_pdf(text: str) -> Any:
        raise AssertionError(text)

    timed("stock-on-hand report rows", repeat, lambda: selectors.stock_on_hand_rows(tenant))
    table = timed("stock-on-hand table (reports.stock_on_hand)", repeat, lambda: reports.stock_on_hand(tenant).rows)
    soh = reports.stock_on_hand(tenant)
    xlsx = timed(
        f"stock-on-hand xlsx of {len(table):,} rows, bytes",
        repeat,
        lambda: reports.file_response(soh, "xlsx", unavailable=no_pdf).content,
    )
    print(f"    {len(xlsx):,} bytes")
    # the rows the report reads: plain tuples since the valuation is summed in SQL (older code: row objects)
    rows_of = getattr(selectors, "valuation_table", selectors.valuation)
    timed("valuation as of today, rows", repeat, lambda: rows_of(tenant, timezone.localdate()))
    for label, days in (("six months ago", 180), ("three months ago", 270), ("last month", 335)):
        as_of = start + timedelta(days=days)
        timed(f"valuation as of {label} ({as_of}), rows", repeat, lambda as_of=as_of: rows_of(tenant, as_of))
        rows = selectors.valuation(tenant, as_of)
        print(f"    total: {sum(r.quantity for r in rows)} units, {sum(r.value for r in rows)} đ")
    as_of = start + timedelta(days=180)
    report = timed(f"valuation report table as of {as_of}", repeat, lambda: reports.valuation(tenant, as_of).rows)
    built = reports.valuation(tenant, as_of)
    timed("  all its rows formatted as page cells (pages show 200)", repeat, built.page_rows)
    xlsx = timed("  its xlsx, bytes", repeat, lambda: reports.file_response(built, "xlsx", unavailable=no_pdf).content)
    print(f"    {len(report):,} rows, total {built.totals['value']} đ, {len(xlsx):,} bytes")


def reuse(slug: str, repeat: int) -> None:
    from django.db.models import Min

    from novasaas.identity.models import Membership
    from novasaas.inventory.models import Stock, StockMove
    from novasaas.platform.models import Tenant
    from novasaas.platform.tenancy import platform_context, tenant_context
    from novasaas.platform.testing.fixtures import web_client

    with platform_context():
        tenant = Tenant.objects.get(slug=slug)
    print(f"database: {connection.vendor}, tenant: {slug} (reused)")
    with tenant_context(tenant):
        start = StockMove.objects.filter(reference="BENCH").aggregate(d=Min("date"))["d"]
        print(f"{StockMove.objects.count():,} moves, {Stock.objects.count():,} stock rows, first move {start}")
        measure_reports(tenant, start, repeat)
        admin = Membership.objects.select_related("user").filter(user__email=f"{slug}@example.com").get().user
    # the valuation page (view, template, one page of rows) and its Excel file, through a signed-in client
    web = web_client(tenant, admin)
    as_of = start + timedelta(days=180)
    for label, url in (
        (f"valuation page as of {as_of}", f"/inventory/reports/?as_of={as_of}"),
        (f"valuation page as of {as_of}, Excel file", f"/inventory/reports/?as_of={as_of}&format=xlsx"),
    ):
        response = timed(label, repeat, lambda url=url: web.get(url, HTTP_HOST="localhost"))
        print(f"    HTTP {response.status_code}, {len(response.content):,} bytes")
    print("done")


if __name__ == "__main__":
    main()
