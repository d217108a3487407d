"""Per-warehouse stock accounts (spec §11.3): a Finance Manager maps a warehouse to its own stock
account; Inventory's events post to it, transfers between warehouses with different accounts post
Dr destination / Cr source (through a transit account when one is set), nothing when they share one;
the stock-vs-ledger reconciliation compares per account and the opening balance respects the mapping."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.accounting import actions as acc
from novasaas.accounting import stock_accounts as sa
from novasaas.accounting import stock_reconciliation as rec
from novasaas.accounting.models import Account, JournalEntry, WarehouseAccount
from novasaas.inventory import actions as inv
from novasaas.inventory import selectors as inv_selectors
from novasaas.inventory.models import InventoryCount, StockMovement
from novasaas.inventory.tests.helpers import principal, setup_catalogue
from novasaas.platform.tenancy import platform_context, tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_tenant, create_user, web_client

URL = "/api/v1/accounting"


def _line(product, qty, cost=None, **extra):
    line = {"product_id": product.pk, "quantity": str(qty), **extra}
    if cost is not None:
        line["unit_cost"] = str(cost)
    return line


def _sub_accounts(fm):
    acc.ensure_chart(fm.tenant)
    parent = Account.objects.get(code="156")
    hn = acc.create_account(fm, parent_id=parent.pk, code="1561", name_vi="Hàng hóa kho Hà Nội")
    hcm = acc.create_account(fm, parent_id=parent.pk, code="1562", name_vi="Hàng hóa kho TP.HCM")
    return hn, hcm


def _lines(source_type, source_id):
    entry = JournalEntry.objects.get(source_type=source_type, source_id=source_id)
    return sorted((ln.account.code, ln.debit, ln.credit) for ln in entry.lines.select_related("account"))


def _ship_and_receive(s, qty, src=None, dst=None, receive=True):
    t = inv.create_transfer(
        s.manager,
        from_warehouse_id=(src or s.wh).pk,
        to_warehouse_id=(dst or s.wh2).pk,
        lines=[_line(s.beer, qty)],
    )
    inv.approve_transfer(s.manager, t.pk)
    inv.ship_transfer(s.manager, t.pk)
    if receive:
        inv.receive_transfer(s.manager, t.pk)
    return t


def _rows(r):
    return {a.account_code: (a.valuation, a.ledger) for a in r.accounts}


@pytest.fixture
def setup(tenant_a):
    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        fm = principal(tenant_a, "finance_manager")
        hn, hcm = _sub_accounts(fm)
        yield s, fm, hn, hcm


def test_each_warehouse_posts_to_its_own_account_and_transfers_move_value(setup, tenant_a):
    s, fm, hn, hcm = setup
    sa.set_warehouse_account(fm, s.wh2.pk, "inventory", hcm.pk)  # HN keeps the company's 1561
    r1 = inv.receive_goods(s.manager, warehouse_id=s.wh.pk, lines=[_line(s.beer, 100, 10_000)])
    r2 = inv.receive_goods(s.manager, warehouse_id=s.wh2.pk, lines=[_line(s.beer, 10, 12_000)])
    assert _lines("inventory.receipt", r1.pk)[0][0] == "1561"
    assert ("1562", Decimal(120_000), Decimal(0)) in _lines("inventory.receipt", r2.pk)
    issue = inv.issue_goods(s.manager, warehouse_id=s.wh2.pk, lines=[_line(s.beer, 4)])
    assert ("1562", Decimal(0), Decimal(48_000)) in _lines("inventory.issue", issue.pk)
    t = _ship_and_receive(s, 30, receive=False)
    assert not JournalEntry.objects.filter(source_type__startswith="inventory.transfer").exists()  # no transit account
    mid = rec.stock_reconciliation(tenant_a)
    assert mid.agrees, _rows(mid)
    assert _rows(mid)["1561"] == (Decimal(1_000_000), Decimal(1_000_000))  # on the road: still HN's account
    inv.receive_transfer(s.manager, t.pk)
    assert _lines(sa.RECEIVED_SOURCE, t.pk) == [("1561", 0, Decimal(300_000)), ("1562", Decimal(300_000), 0)]
    # counts, adjustments and landed costs of HCM go to HCM's account
    adj = inv.create_adjustment(
        s.manager, warehouse_id=s.wh2.pk, reason="vỡ", lines=[{"product_id": s.beer.pk, "quantity_change": "-1"}]
    )
    inv.approve_adjustment(s.manager, adj.pk)
    assert [code for code, _d, c in _lines("inventory.adjustment", adj.pk) if c] == ["1562"]
    count = inv.create_count(s.manager, warehouse_id=s.wh2.pk)
    line = count.lines.get()
    inv.record_counts(s.manager, count.pk, [{"line_id": line.pk, "counted": str(line.expected + 2)}])
    inv.submit_count(s.manager, count.pk)
    inv.approve_count(s.manager, count.pk)
    assert any(code == "1562" and d > 0 for code, d, _c in _lines("inventory.count", count.pk))
    inv.add_landed_cost(s.manager, r2.pk, amount="60000", description="cước")
    lc = JournalEntry.objects.get(source_type="inventory.landed_cost")
    assert "1562" in {ln.account.code for ln in lc.lines.all() if ln.debit}
    r = rec.stock_reconciliation(tenant_a)
    assert r.agrees, _rows(r)
    assert {a.account_code for a in r.accounts} == {"1561", "1562"}
    assert {a.account_code: a.warehouses for a in r.accounts} == {
        "1561": ["HN – Kho Hà Nội"],
        "1562": ["HCM – Kho TP.HCM"],
    }
    assert InventoryCount.objects.get().status == "done"


def test_same_account_transfers_post_nothing(setup, tenant_a):
    s, fm, hn, hcm = setup
    inv.receive_goods(s.manager, warehouse_id=s.wh.pk, lines=[_line(s.beer, 10, 1_000)])
    sa.set_warehouse_account(fm, s.wh.pk, "inventory", hcm.pk)
    sa.set_warehouse_account(fm, s.wh2.pk, "inventory", hcm.pk)
    t = _ship_and_receive(s, 5)
    assert not JournalEntry.objects.filter(source_type__startswith="inventory.transfer", source_id=t.pk).exists()
    r = rec.stock_reconciliation(tenant_a)
    assert r.agrees and _rows(r)["1562"] == (Decimal(10_000), Decimal(10_000))
    assert "1561" not in _rows(r)  # the reclassification moved HN's stock to 1562 when it was remapped
    reclass = JournalEntry.objects.get(source_type=sa.RECLASS_SOURCE)
    assert sorted((ln.account.code, ln.debit, ln.credit) for ln in reclass.lines.all()) == [
        ("1561", 0, Decimal(10_000)),
        ("1562", Decimal(10_000), 0),
    ]


def test_transit_account_carries_goods_on_the_road(setup, tenant_a):
    s, fm, hn, hcm = setup
    transit = Account.objects.get(code="151")
    sa.set_transit_account(fm, transit.pk)
    inv.receive_goods(s.manager, warehouse_id=s.wh.pk, lines=[_line(s.beer, 10, 1_000)])
    t = _ship_and_receive(s, 4, receive=False)  # both warehouses share 1561: the legs still go through 151
    assert _lines(sa.SHIPPED_SOURCE, t.pk) == [("151", Decimal(4_000), 0), ("1561", 0, Decimal(4_000))]
    mid = rec.stock_reconciliation(tenant_a)
    assert mid.agrees and _rows(mid)["151"] == (Decimal(4_000), Decimal(4_000))
    sa.set_transit_account(fm, None)  # removed while on the road: the transfer finishes through 151
    sa.set_warehouse_account(fm, s.wh2.pk, "inventory", hcm.pk)
    inv.receive_transfer(s.manager, t.pk)
    assert _lines(sa.RECEIVED_SOURCE, t.pk) == [("151", 0, Decimal(4_000)), ("1562", Decimal(4_000), 0)]
    r = rec.stock_reconciliation(tenant_a)
    assert r.agrees, _rows(r)


def test_reconciliation_shows_a_difference_per_account(setup, tenant_a):
    s, fm, hn, hcm = setup
    sa.set_warehouse_account(fm, s.wh2.pk, "inventory", hcm.pk)
    inv.receive_goods(s.manager, warehouse_id=s.wh2.pk, lines=[_line(s.beer, 10, 1_000)])
    # a manual entry moving value between the two stock accounts keeps the total, not the accounts
    acc.post_source_document(
        tenant_a, "test.manual", 1, JournalEntry.objects.get().date, [("1561", "3000", "0"), ("1562", "0", "3000")]
    )
    r = rec.stock_reconciliation(tenant_a)
    assert r.difference == 0 and not r.agrees
    assert {a.account_code: a.difference for a in r.accounts} == {"1561": Decimal(-3000), "1562": Decimal(3000)}


def test_opening_balance_respects_the_mapping(db):
    from novasaas.identity.actions import set_tenant_modules

    tenant = create_tenant(modules=["INV"])
    with tenant_context(tenant):
        s = setup_catalogue(tenant)
        inv.receive_goods(s.manager, warehouse_id=s.wh.pk, lines=[_line(s.beer, 40, 12_500)])
        inv.receive_goods(s.manager, warehouse_id=s.wh2.pk, lines=[_line(s.beer, 10, 10_000)])
    with platform_context():
        set_tenant_modules(tenant, ["INV", "ACC"], actor=None)
        tenant.refresh_from_db()
    with tenant_context(tenant):
        fm = principal(tenant, "finance_manager")
        hn, hcm = _sub_accounts(fm)
        sa.set_warehouse_account(fm, s.wh2.pk, "inventory", hcm.pk)
        assert not JournalEntry.objects.exists()  # nothing in the ledger yet: nothing to reclassify
        entry = rec.post_inventory_opening_balance(fm)
        got = sorted((ln.account.code, ln.debit, ln.credit) for ln in entry.lines.select_related("account"))
        assert got == [("1561", Decimal(500_000), 0), ("1562", Decimal(100_000), 0), ("4118", 0, Decimal(600_000))]
        assert rec.stock_reconciliation(tenant).agrees


def test_bad_input_and_permissions(setup, tenant_a, tenant_b):
    s, fm, hn, hcm = setup
    with tenant_context(tenant_b):
        other = setup_catalogue(tenant_b)
    with pytest.raises(PermissionDenied):
        sa.set_warehouse_account(s.manager, s.wh.pk, "inventory", hcm.pk)
    for args in [
        (other.wh.pk, "inventory", hcm.pk),  # another company's warehouse
        (999_999, "inventory", hcm.pk),
        (s.wh.pk, "revenue", hcm.pk),  # not a stock role
        (s.wh.pk, "inventory", Account.objects.get(code="156").pk),  # has sub-accounts: no posting
    ]:
        with pytest.raises(ValidationError):
            sa.set_warehouse_account(fm, *args)
    assert not WarehouseAccount.objects.exists()


def test_api_and_pages(setup, tenant_a, tenant_b):
    s, fm, hn, hcm = setup
    inv.receive_goods(s.manager, warehouse_id=s.wh2.pk, lines=[_line(s.beer, 3, 1_000)])
    with tenant_context(tenant_b):
        other = setup_catalogue(tenant_b)
    api = ApiClient(tenant_a, fm.user)
    body = api.get(f"{URL}/stock-accounts").json()
    assert body["transit_account_id"] is None
    hcm_row = next(w for w in body["warehouses"] if w["warehouse_id"] == s.wh2.pk)
    assert {"role": "inventory", "account_id": hn.pk, "account_code": "1561", "explicit": False} in hcm_row["accounts"]
    url = f"{URL}/stock-accounts/warehouses/{s.wh2.pk}/inventory"
    r = api.put(url, {"account_id": hcm.pk})
    assert r.status_code == 200, r.content
    hcm_row = next(w for w in r.json()["warehouses"] if w["warehouse_id"] == s.wh2.pk)
    assert {"role": "inventory", "account_id": hcm.pk, "account_code": "1562", "explicit": True} in hcm_row["accounts"]
    assert (
        api.put(f"{URL}/stock-accounts/warehouses/{other.wh.pk}/inventory", {"account_id": hcm.pk}).status_code == 400
    )
    assert api.put(f"{URL}/stock-accounts/warehouses/{s.wh.pk}/revenue", {"account_id": hcm.pk}).status_code == 400
    assert api.put(url, {"account_id": "x"}).status_code == 422
    transit = Account.objects.get(code="151")
    assert api.put(f"{URL}/stock-accounts/transit", {"account_id": transit.pk}).status_code == 200
    assert api.get(f"{URL}/stock-accounts").json()["transit_account_code"] == "151"
    assert api.put(f"{URL}/stock-accounts/transit", {"account_id": None}).status_code == 200
    rep = api.get(f"{URL}/reports/stock-reconciliation").json()
    assert rep["agrees"] is True
    assert [(a["account_code"], a["valuation"], a["ledger"]) for a in rep["accounts"]] == [("1562", "3000", "3000")]
    # an accountant reads, only the Finance Manager maps; warehouse staff see nothing
    accountant = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert accountant.get(f"{URL}/stock-accounts").status_code == 200
    assert accountant.put(url, {"account_id": hn.pk}).status_code == 403
    assert ApiClient(tenant_a, s.staff.user).get(f"{URL}/stock-accounts").status_code == 403
    # the other company sees its own warehouses only
    b_body = ApiClient(tenant_b, create_user(tenant_b, "finance_manager")).get(f"{URL}/stock-accounts").json()
    assert {w["warehouse_id"] for w in b_body["warehouses"]} == {other.wh.pk, other.wh2.pk}
    # pages
    web = web_client(tenant_a, fm.user)
    page = web.get("/accounting/settings/").content.decode()
    assert 'id="stock-accounts"' in page and "HCM – Kho TP.HCM" in page
    r = web.post("/accounting/settings/", {"warehouse_id": s.wh2.pk, "stock_role": "inventory", "account_id": ""})
    assert r.status_code == 302
    assert not WarehouseAccount.objects.exists()  # back to the company's account (value moved back)
    r = web.post(
        "/accounting/settings/", {"warehouse_id": other.wh.pk, "stock_role": "inventory", "account_id": hcm.pk}
    )
    assert r.status_code == 400 and not WarehouseAccount.objects.exists()
    r = web.post("/accounting/settings/", {"warehouse_id": s.wh2.pk, "stock_role": "inventory", "account_id": hcm.pk})
    assert r.status_code == 302 and WarehouseAccount.objects.get().account == hcm
    r = web.post("/accounting/settings/", {"transit_account_id": transit.pk})
    assert r.status_code == 302 and sa.transit_account(tenant_a) == transit
    report = web.get("/accounting/reports/stock-reconciliation/").content.decode()
    assert 'id="stock-reconciliation-accounts"' in report and 'data-account="1562"' in report
    assert rec.stock_reconciliation(tenant_a).agrees
    assert StockMovement.objects.count() == 1


def test_mappings_are_per_company(tenant_a, tenant_b):
    mapped = {}
    for tenant in (tenant_a, tenant_b):
        with tenant_context(tenant):
            s = setup_catalogue(tenant)
            fm = principal(tenant, "finance_manager")
            _hn, hcm = _sub_accounts(fm)
            sa.set_warehouse_account(fm, s.wh.pk, "inventory", hcm.pk)
            sa.set_transit_account(fm, Account.objects.get(code="151").pk)
            mapped[tenant.pk] = WarehouseAccount.objects.get().pk
    with tenant_context(tenant_a):
        assert list(WarehouseAccount.objects.values_list("pk", flat=True)) == [mapped[tenant_a.pk]]
        assert {w.warehouse_id for w in sa.list_warehouse_accounts(tenant_a)} == set(
            inv_selectors.list_warehouses(tenant_a).values_list("pk", flat=True)
        )
        assert sa.transit_account(tenant_a).tenant_id == tenant_a.pk


def test_postings_follow_a_warehouse_mapping_change_at_once(setup, tenant_a):
    """Inventory's postings resolve the warehouse's account from the cached configuration (issue 11): a
    mapping change is seen by the very next posting, and a warm posting reads no mapping at all."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    s, fm, hn, hcm = setup
    r1 = inv.receive_goods(s.manager, warehouse_id=s.wh2.pk, lines=[_line(s.beer, 1, 10_000)])
    assert _lines("inventory.receipt", r1.pk)[0][0] == "1561"
    sa.set_warehouse_account(fm, s.wh2.pk, "inventory", hcm.pk)
    r2 = inv.receive_goods(s.manager, warehouse_id=s.wh2.pk, lines=[_line(s.beer, 1, 10_000)])
    assert _lines("inventory.receipt", r2.pk)[0][0] == "1562"
    with CaptureQueriesContext(connection) as ctx:
        r3 = inv.receive_goods(s.manager, warehouse_id=s.wh2.pk, lines=[_line(s.beer, 1, 10_000)])
    assert _lines("inventory.receipt", r3.pk)[0][0] == "1562"
    assert not [q for q in ctx.captured_queries if "accounting_warehouseaccount" in q["sql"]]
    assert not [q for q in ctx.captured_queries if "accounting_accountmapping" in q["sql"]]
    sa.set_warehouse_account(fm, s.wh2.pk, "inventory", hn.pk)
    r4 = inv.receive_goods(s.manager, warehouse_id=s.wh2.pk, lines=[_line(s.beer, 1, 10_000)])
    assert _lines("inventory.receipt", r4.pk)[0][0] == "1561"
    assert rec.stock_reconciliation(tenant_a).agrees
