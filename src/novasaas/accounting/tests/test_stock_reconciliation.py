"""INV ↔ ACC (spec §11.3): every valued stock movement posts to the stock accounts, so the inventory
valuation equals their ledger balance to the đồng; the reconciliation report shows it, and a company
that turns Accounting on later posts its stock as an opening balance."""

from __future__ import annotations

import datetime as dt
import unicodedata
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from novasaas.accounting import stock_reconciliation as rec
from novasaas.accounting.models import JournalEntry
from novasaas.inventory import actions as inv
from novasaas.inventory.ledger import InsufficientStock
from novasaas.inventory.models import StockMovement
from novasaas.inventory.tests.helpers import principal, setup_catalogue
from novasaas.parties import actions as parties
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_tenant, create_user, web_client

pytestmark = pytest.mark.date_sensitive  # backdated moves up to 60 days: across a year end in January

LOTS = ["LÔ-A", "LÔ-B", "LÔ-C"]


def _line(product, qty, cost=None, *, big=False, lot=LOTS[0]):
    """A movement line; ``big`` counts in the product's purchase unit (thùng, bao), a lot-tracked
    product names its lot."""
    line = {"product_id": product.pk, "quantity": str(qty)}
    if cost is not None:
        line["unit_cost"] = str(cost)
    if big:
        line["unit_id"] = product.purchase_unit_id
    if product.tracking == "lot":
        line["lot_code"] = lot
    return line


def _apply(s, product, op, wh, other, q, c, *, big=False, lot=LOTS[0], supplier=None, customer=None):
    """One random stock operation of the property tests below."""
    if op == "receive":
        inv.receive_goods(
            s.manager, warehouse_id=wh.pk, partner_id=supplier, lines=[_line(product, q, c, big=big, lot=lot)]
        )
    elif op == "issue":
        line = _line(product, q, big=big)
        line.pop("lot_code", None)  # picked first-expired-first-out
        inv.issue_goods(s.manager, warehouse_id=wh.pk, partner_id=customer, lines=[line])
    elif op in ("transfer", "ship"):
        line = _line(product, q)
        line.pop("lot_code", None)
        t = inv.create_transfer(s.manager, from_warehouse_id=wh.pk, to_warehouse_id=other.pk, lines=[line])
        inv.approve_transfer(s.manager, t.pk)
        inv.ship_transfer(s.manager, t.pk)
        if op == "transfer":
            inv.receive_transfer(s.manager, t.pk)
    elif op == "adjust":
        if q:
            line = {"product_id": product.pk, "quantity_change": str(q), "unit_cost": str(c)}
            if product.tracking == "lot":
                line["lot_code"] = LOTS[0]  # the opening lot, which both warehouses hold
            adj = inv.create_adjustment(s.manager, warehouse_id=wh.pk, reason="kiểm kê", lines=[line])
            inv.approve_adjustment(s.manager, adj.pk)
    elif op == "backdated_receive":
        inv.receive_goods(
            s.manager,
            warehouse_id=wh.pk,
            partner_id=supplier,
            date=timezone.localdate() - dt.timedelta(days=int(c) % 60 + 1),
            lines=[_line(product, q, c, big=big, lot=lot)],
        )
    elif op == "backdated_issue":  # valued at that date's average; the later moves are revalued
        line = _line(product, q)
        line.pop("lot_code", None)
        inv.issue_goods(
            s.manager,
            warehouse_id=wh.pk,
            partner_id=customer,
            date=timezone.localdate() - dt.timedelta(days=int(c) % 60 + 1),
            lines=[line],
        )
    elif op == "landed_cost":
        receipt = StockMovement.objects.filter(kind="receipt", lines__product=product).last()
        if receipt is not None and c:
            inv.add_landed_cost(s.manager, receipt.pk, amount=str(c), description="cước")
    else:
        raise AssertionError(op)


# operations that may be refused, and the only reason they may be: not enough stock on that date or
# later (any other ValidationError fails the test)
MAY_RUN_SHORT = {"issue", "transfer", "ship", "adjust", "backdated_issue"}


def _attempt(outcomes, op, run, product_i=0):
    try:
        run()
    except InsufficientStock as exc:  # a clean refusal changes nothing on either side (checked after)
        assert op in MAY_RUN_SHORT, (op, exc.messages)
        outcomes["refused"] += 1
    else:
        outcomes["ok"] += 1
        outcomes[f"ok:product{product_i}"] += 1


def _opening_stock(s, product):
    """Stock in both warehouses dated before every backdated operation, so most operations go through."""
    for wh in (s.wh, s.wh2):
        inv.receive_goods(
            s.manager,
            warehouse_id=wh.pk,
            date=timezone.localdate() - dt.timedelta(days=90),
            lines=[_line(product, 40, "11000.50")],
        )


def _nfd(text):
    """The name as macOS or a PDF copy types it: base letters followed by combining marks."""
    return unicodedata.normalize("NFD", text)


def _catalogue(s, fifo):
    """Several products in one sequence: beer counted in bottles and bought by the case, rice by the kg
    and bought by the 25 kg bag in lots, fish sauce in lots and cases; names typed decomposed (NFD).
    The first two follow the drawn valuation method, the third the other one. Opening stock in both
    warehouses, and two suppliers and customers. Call inside the tenant's context."""
    kg = inv.save_unit(s.manager, code="kg", name="Kilôgam")
    bao = inv.save_unit(s.manager, code="bao", name="Bao", base_id=kg.pk, factor="25")
    category = inv.save_category(s.manager, name="FIFO", valuation_method="fifo")
    products = []
    for i, (name, unit, purchase, tracking) in enumerate(
        [
            ("Bia Sài Gòn Lager", s.chai, s.thung, "none"),
            ("Gạo ST25 Sóc Trăng", kg, bao, "lot"),
            ("Nước mắm Phú Quốc 40°N", s.chai, s.thung, "lot"),
        ]
    ):
        product = inv.save_product(
            s.manager,
            name=_nfd(name),
            stock_unit_id=unit.pk,
            purchase_unit_id=purchase.pk,
            cost_price=Decimal("1000.50"),
            tracking=tracking,
            category_id=category.pk if fifo == (i < 2) else None,
        )
        _opening_stock(s, product)
        products.append(product)
    admin = principal(s.manager.tenant)
    suppliers = [
        parties.create_party(admin, name=_nfd(n), role="supplier").pk
        for n in ("Công ty TNHH Thực phẩm Đồng Tháp", "Hợp tác xã Phước Hưng")
    ]
    customers = [parties.create_party(admin, name=_nfd(n)).pk for n in ("Cửa hàng Bà Tư", "Siêu thị Hà Nội")]
    return products, suppliers, customers


def _enough_went_through(outcomes):
    # a run where (nearly) everything is refused would prove nothing; every product took part
    assert outcomes["ok"] >= 2 * outcomes["refused"] and outcomes["ok"] >= 40, outcomes
    assert min(outcomes[f"ok:product{i}"] for i in range(3)) >= 5, outcomes


def test_every_operation_keeps_the_valuation_equal_to_the_stock_accounts(tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        inv.receive_goods(s.manager, warehouse_id=s.wh.pk, lines=[_line(s.beer, 100, 10_000)])
        inv.receive_goods(s.manager, warehouse_id=s.wh.pk, lines=[_line(s.beer, 50, 13_000)])
        inv.issue_goods(s.manager, warehouse_id=s.wh.pk, lines=[_line(s.beer, 30)])
        adj = inv.create_adjustment(
            s.manager,
            warehouse_id=s.wh.pk,
            reason="vỡ",
            lines=[{"product_id": s.beer.pk, "quantity_change": "-7", "unit_cost": "0"}],
        )
        inv.approve_adjustment(s.manager, adj.pk)
        t = inv.create_transfer(
            s.manager, from_warehouse_id=s.wh.pk, to_warehouse_id=s.wh2.pk, lines=[_line(s.beer, 20)]
        )
        inv.approve_transfer(s.manager, t.pk)
        inv.ship_transfer(s.manager, t.pk)
        mid = rec.stock_reconciliation(tenant_a)
        assert mid.in_transit > 0  # goods on the road are still the company's stock
        assert mid.agrees, (mid.valuation_total, mid.ledger_total)
        inv.receive_transfer(s.manager, t.pk)
        receipt = StockMovement.objects.filter(kind="receipt").first()
        inv.add_landed_cost(s.manager, receipt.pk, amount="250000", description="cước vận chuyển")
        inv.receive_goods(
            s.manager,
            warehouse_id=s.wh.pk,
            date=timezone.localdate() - dt.timedelta(days=20),
            lines=[_line(s.beer, 10, 9_000)],
        )
        r = rec.stock_reconciliation(tenant_a)
        assert r.valuation_total > 0
        assert r.agrees, (r.valuation_total, r.ledger_total, r.difference)
        assert {w.warehouse_id for w in r.warehouses} == {s.wh.pk, s.wh2.pk}


qty = st.decimals(min_value=Decimal("0.25"), max_value=Decimal("30"), places=2)
big_qty = st.decimals(min_value=Decimal("0.05"), max_value=Decimal("1.5"), places=2)  # thùng / bao
cost = st.decimals(min_value=Decimal("0"), max_value=Decimal("40000"), places=2)
day_cost = st.integers(min_value=0, max_value=40_000).map(Decimal)  # also the days back of backdated ones
whole_dong = st.integers(min_value=1, max_value=40_000).map(Decimal)
change = st.decimals(min_value=Decimal("-15"), max_value=Decimal("15"), places=3)
NONE = st.just(Decimal(0))
SMALL, BIG = st.just(False), st.just(True)


def op(name, q=NONE, c=NONE, big=SMALL):
    """(operation, warehouse, product, counted in the purchase unit, quantity, cost, party, lot)."""
    return st.tuples(
        st.just(name), st.integers(0, 1), st.integers(0, 2), big, q, c, st.integers(0, 1), st.integers(0, 2)
    )


stock_ops = [
    op("receive", qty, cost),
    op("receive", big_qty, cost, BIG),
    op("issue", qty),
    op("issue", big_qty, big=BIG),
    op("transfer", qty),
    op("adjust", change, cost),
    op("backdated_receive", qty, day_cost),
    op("backdated_receive", big_qty, day_cost, BIG),
    op("backdated_issue", qty, day_cost),
    op("landed_cost", c=whole_dong),
]
ops = st.lists(st.one_of(*stock_ops), min_size=3, max_size=10)


def test_property_valuation_equals_the_stock_accounts(db):
    outcomes: Counter[str] = Counter()

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(ops=ops, fifo=st.booleans())
    def run(ops, fifo):
        _valuation_equals_the_stock_accounts(ops, fifo, outcomes)

    run()
    _enough_went_through(outcomes)


def _step(s, products, suppliers, customers, o):
    name, w, p, big, q, c, party, lot = o
    whs = [s.wh, s.wh2]
    return lambda: _apply(
        s,
        products[p],
        name,
        whs[w],
        whs[1 - w],
        q,
        c,
        big=big,
        lot=LOTS[lot],
        supplier=suppliers[party],
        customer=customers[party],
    )


def _valuation_equals_the_stock_accounts(ops, fifo, outcomes):
    tenant = create_tenant()
    with tenant_context(tenant):
        s = setup_catalogue(tenant)
        products, suppliers, customers = _catalogue(s, fifo)
        for o in ops:
            _attempt(outcomes, o[0], _step(s, products, suppliers, customers, o), o[2])
            r = rec.stock_reconciliation(tenant)
            assert r.agrees, (o, r.valuation_total, r.ledger_total)


transfer_ops = st.lists(
    st.one_of(
        *stock_ops,
        op("ship", qty),  # left on the road for a while
        op("receive_transfer"),
        op("toggle_transit"),
    ),
    min_size=3,
    max_size=12,
)


def test_property_two_warehouses_on_different_accounts_agree_per_account(db):
    """Hà Nội on 1561, TP.HCM on 1562 (and goods on the road on 151 when ``transit``): after every
    step, each stock account's balance equals the valuation of its warehouses (plus what is on the
    road from them, or on 151), to the đồng."""
    outcomes: Counter[str] = Counter()

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
    @given(ops=transfer_ops, fifo=st.booleans(), transit=st.booleans())
    def run(ops, fifo, transit):
        _two_warehouses_agree(ops, fifo, transit, outcomes)

    run()
    _enough_went_through(outcomes)


def _two_warehouses_agree(ops, fifo, transit, outcomes):
    from novasaas.accounting import actions as acc
    from novasaas.accounting import stock_accounts as sa
    from novasaas.accounting.models import Account
    from novasaas.inventory.models import StockTransfer

    tenant = create_tenant()
    with tenant_context(tenant):
        s = setup_catalogue(tenant)
        fm = principal(tenant, "finance_manager")
        acc.ensure_chart(tenant)
        parent = Account.objects.get(code="156")
        acc.create_account(fm, parent_id=parent.pk, code="1561", name_vi="Hàng hóa kho Hà Nội")
        hcm = acc.create_account(fm, parent_id=parent.pk, code="1562", name_vi="Hàng hóa kho TP.HCM")
        sa.set_warehouse_account(fm, s.wh2.pk, "inventory", hcm.pk)
        transit_account = Account.objects.get(code="151")
        if transit:
            sa.set_transit_account(fm, transit_account.pk)
        products, suppliers, customers = _catalogue(s, fifo)
        for o in ops:

            def step(o=o):
                if o[0] == "receive_transfer":
                    t = StockTransfer.objects.filter(status="in_transit").order_by("pk").first()
                    if t is not None:
                        inv.receive_transfer(s.manager, t.pk)
                elif o[0] == "toggle_transit":  # transfers on the road finish the way they were shipped
                    current = sa.transit_account(tenant)
                    sa.set_transit_account(fm, None if current else transit_account.pk)
                else:
                    _step(s, products, suppliers, customers, o)()

            _attempt(outcomes, o[0], step, o[2])
            r = rec.stock_reconciliation(tenant)
            assert r.agrees, (o, r.valuation_total, r.ledger_total, [vars(a) for a in r.accounts])
            assert {a.account_code for a in r.accounts} <= {"1561", "1562", "151"}


def test_opening_balance_when_accounting_is_switched_on_later(db):
    from novasaas.identity.actions import set_tenant_modules

    tenant = create_tenant(modules=["INV"])
    with tenant_context(tenant):
        s = setup_catalogue(tenant)
        inv.receive_goods(s.manager, warehouse_id=s.wh.pk, lines=[_line(s.beer, 40, 12_500)])
    with platform_context():
        set_tenant_modules(tenant, ["INV", "ACC"], actor=None)
        tenant.refresh_from_db()
    with tenant_context(tenant):
        before = rec.stock_reconciliation(tenant)
        assert before.valuation_total == Decimal(500_000) and before.ledger_total == 0
        fm = principal(tenant, "finance_manager")
        with pytest.raises(Exception):  # noqa: B017 - PermissionDenied for a warehouse manager
            rec.post_inventory_opening_balance(s.manager)
        entry = rec.post_inventory_opening_balance(fm)
        assert entry.state == "posted"
        assert rec.stock_reconciliation(tenant).agrees
        with pytest.raises(ValidationError):
            rec.post_inventory_opening_balance(fm)  # nothing left to post
        assert JournalEntry.objects.filter(source_type=rec.OPENING_SOURCE).count() == 1


def test_page_and_api_for_finance_manager_only(tenant_a, tenant_b):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        inv.receive_goods(s.manager, warehouse_id=s.wh.pk, lines=[_line(s.beer, 3, 1_000)])
    fm = create_user(tenant_a, "finance_manager")
    page = web_client(tenant_a, fm).get("/accounting/reports/stock-reconciliation/")
    assert page.status_code == 200
    assert "3.000" in page.content.decode()
    assert "HN – Kho Hà Nội" in page.content.decode()  # the warehouse by code and name
    api = ApiClient(tenant_a, fm)
    body = api.get("/api/v1/accounting/reports/stock-reconciliation").json()
    assert body["valuation_total"] == "3000" and body["difference"] == "0" and body["agrees"] is True
    assert body["warehouses"] == [
        {"warehouse_id": s.wh.pk, "warehouse": "HN – Kho Hà Nội", "quantity": "3", "value": "3000"}
    ]
    staff = create_user(tenant_a, "warehouse_staff")
    assert web_client(tenant_a, staff).get("/accounting/reports/stock-reconciliation/").status_code == 403
    assert ApiClient(tenant_a, staff).get("/api/v1/accounting/reports/stock-reconciliation").status_code == 403
    # the other company sees its own (empty) stock, nothing of tenant A
    other = ApiClient(tenant_b, create_user(tenant_b, "finance_manager"))
    assert other.get("/api/v1/accounting/reports/stock-reconciliation").json()["valuation_total"] == "0"
    r = api.post("/api/v1/accounting/reports/stock-reconciliation/opening-balance", {})
    assert r.status_code == 400  # already agrees: nothing posted
