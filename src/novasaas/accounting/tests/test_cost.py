"""Cost of goods sold (spec §7.2.2 "Tính giá vốn"): opening + receipts − closing per stock account,
632 posted, the inventory ledger compared with 632 (INV on), and the periodic method's posting."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from novasaas.accounting import actions, cost
from novasaas.accounting.models import Account, FiscalPeriod, JournalEntry, JournalLine
from novasaas.accounting.tests.helpers import post, principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import ApiClient, create_tenant, create_user, web_client


@pytest.fixture
def month(today):
    return today.strftime("%Y-%m")


@pytest.fixture
def start(month):
    return cost.month_range(month)[0]


@pytest.fixture
def end(month):
    return cost.month_range(month)[1]


URL = "/api/v1/accounting/cost-of-goods-sold"
PAGE = "/accounting/cost-of-goods-sold/"


@pytest.fixture
def periodic(db, start):
    """A company without Inventory: 156 opens the month at 1,000,000, receives 600,000; 152 receives 200,000."""
    tenant = create_tenant("periodic", modules=["ACC"])
    fm = principal(tenant, "finance_manager")
    actions.ensure_chart(tenant)
    with tenant_context(tenant):
        actions.post_source_document(
            tenant, "test.opening", 1, start - dt.timedelta(days=1), [("156", 1_000_000, 0), ("4111", 0, 1_000_000)]
        )
        post(fm, ("156", "600000", "0"), ("1111", "0", "600000"), day=start)
        post(fm, ("152", "200000", "0"), ("1111", "0", "200000"), day=start)
        ids = {a.code: a.pk for a in Account.objects.filter(code__in=["152", "156", "632"])}
    return tenant, ids


def _entries(tenant):
    with tenant_context(tenant):
        return JournalEntry.objects.filter(source_type=cost.SOURCE).count()


def test_periodic_calculation_previews_and_posts_only_the_change(periodic, start, end):
    tenant, ids = periodic
    acc = principal(tenant, "accountant")
    with tenant_context(tenant):
        calc = cost.cost_of_sales(tenant, start, end, {ids["156"]: Decimal(700_000)})
        row = next(r for r in calc.rows if r.account_code == "156")
        assert (row.opening, row.debit, row.credit, row.closing) == (1_000_000, 600_000, 0, 1_600_000)
        assert row.cogs == 900_000 and row.to_post == 900_000  # 1,000,000 + 600,000 − 700,000
        assert _entries(tenant) == 0  # a preview writes nothing

        entry = cost.post_periodic_cogs(acc, start, end, {ids["156"]: Decimal(700_000)})
        got = {(ln.account.code, ln.debit, ln.credit) for ln in entry.lines.select_related("account")}
        assert got == {("632", 900_000, 0), ("156", 0, 900_000)}
        after = cost.cost_of_sales(tenant, start, end)
        assert after.cogs_posted == 900_000
        assert next(r for r in after.rows if r.account_code == "156").closing == 700_000

        with pytest.raises(ValidationError, match="already posted"):
            cost.post_periodic_cogs(acc, start, end, {ids["156"]: Decimal(700_000)})
        assert _entries(tenant) == 1

        # a recount posts only the change, for both accounts in one entry
        again = cost.post_periodic_cogs(acc, start, end, {ids["156"]: Decimal(650_000), ids["152"]: Decimal(50_000)})
        got = {(ln.account.code, ln.debit, ln.credit) for ln in again.lines.select_related("account")}
        assert got == {("632", 200_000, 0), ("156", 0, 50_000), ("152", 0, 150_000)}
        final = cost.cost_of_sales(tenant, start, end, {ids["156"]: Decimal(650_000), ids["152"]: Decimal(50_000)})
        assert final.cogs_posted == 1_100_000 == final.total_cogs
        assert final.total_to_post == 0

        # counted more than the ledger holds: the excess goes back from 632
        back = cost.post_periodic_cogs(acc, start, end, {ids["152"]: Decimal(80_000)})
        got = {(ln.account.code, ln.debit, ln.credit) for ln in back.lines.select_related("account")}
        assert got == {("632", 0, 30_000), ("152", 30_000, 0)}


def test_periodic_posting_refuses_bad_input_and_writes_nothing(periodic, start, end):
    tenant, ids = periodic
    acc = principal(tenant, "accountant")
    with tenant_context(tenant):
        lines = JournalLine.objects.count()
        with pytest.raises(ValidationError, match="negative"):
            cost.post_periodic_cogs(acc, start, end, {ids["156"]: Decimal(-1)})
        with pytest.raises(ValidationError, match="stock account"):
            cost.post_periodic_cogs(acc, start, end, {ids["632"]: Decimal(1)})
        with pytest.raises(ValidationError, match="at least one"):
            cost.post_periodic_cogs(acc, start, end, {})
        with pytest.raises(ValidationError):
            cost.parse_counted({ids["156"]: "abc"})
        with pytest.raises(ValidationError):
            cost.parse_counted({ids["156"]: "1.001"})
        for month in ("2026-13", "9999-12", "2026", "x-y-z", "2026-00"):
            with pytest.raises(ValidationError):
                cost.month_range(month)
        with pytest.raises(ValidationError):
            cost.cost_of_sales(tenant, end, start)
        with pytest.raises(PermissionDenied):
            cost.post_periodic_cogs(principal(tenant, "sales_staff"), start, end, {ids["156"]: Decimal(1)})
        period = FiscalPeriod.objects.get(start_date__lte=end, end_date__gte=end)
        actions.close_period(principal(tenant, "finance_manager"), period.pk)
        with pytest.raises(ValidationError, match="closed"):
            cost.post_periodic_cogs(acc, start, end, {ids["156"]: Decimal(1)})
        assert JournalLine.objects.count() == lines


def test_with_inventory_the_ledger_matches_632_and_manual_posting_is_refused(tenant_a, start, end):
    from novasaas.inventory import actions as inv
    from novasaas.inventory.tests.helpers import setup_catalogue

    with tenant_context(tenant_a):
        s = setup_catalogue(tenant_a)
        line = {"product_id": s.beer.pk, "quantity": "100", "unit_cost": "10000"}
        inv.receive_goods(s.manager, warehouse_id=s.wh.pk, lines=[line])
        inv.issue_goods(s.manager, warehouse_id=s.wh.pk, lines=[{"product_id": s.beer.pk, "quantity": "30"}])
        inv.issue_goods(
            s.manager, warehouse_id=s.wh.pk, purpose="internal", lines=[{"product_id": s.beer.pk, "quantity": "5"}]
        )
        calc = cost.cost_of_sales(tenant_a, start, end)
        assert calc.inventory_enabled
        assert calc.inventory_cogs == 300_000 == calc.cogs_posted
        assert calc.difference == 0
        row = next(r for r in calc.rows if r.account_code.startswith("156"))
        assert (row.debit, row.credit, row.closing) == (1_000_000, 350_000, 650_000)
        acc = principal(tenant_a, "accountant")
        with pytest.raises(ValidationError, match="Inventory is enabled"):
            cost.post_periodic_cogs(acc, start, end, {row.account_id: Decimal(0)})
        assert not JournalEntry.objects.filter(source_type=cost.SOURCE).exists()
    page = web_client(tenant_a, create_user(tenant_a, "accountant")).get(PAGE)
    assert page.status_code == 200
    assert 'data-total="difference"' in page.content.decode()
    assert "closing_" not in page.content.decode()


def test_api_and_page_for_the_periodic_method(periodic, month, start, end):
    tenant, ids = periodic
    for role in ("accountant", "finance_manager"):
        api = ApiClient(tenant, create_user(tenant, role))
        got = api.get(URL, {"month": month})
        assert got.status_code == 200, got.content
        body = got.json()
        assert body["inventory_enabled"] is False and body["inventory_cogs"] is None
        assert {r["account_code"] for r in body["rows"]} == {"152", "156"}
    api = ApiClient(tenant, create_user(tenant, "accountant"))
    bad = [
        {"month": month, "closing": [{"account_id": ids["156"], "value": "-5"}]},
        {"month": month, "closing": [{"account_id": ids["632"], "value": "5"}]},
        {"month": "2026-99", "closing": [{"account_id": ids["156"], "value": "5"}]},
        {"closing": [{"account_id": ids["156"], "value": "5"}]},
        {"month": month, "closing": []},
        {"month": month, "closing": [{"account_id": ids["156"], "value": 5.5}]},
        # the same account twice: refused, not "last one wins"
        {
            "month": month,
            "closing": [{"account_id": ids["156"], "value": "5"}, {"account_id": ids["156"], "value": "7"}],
        },
    ]
    for payload in bad:
        r = api.post(URL, payload)
        assert 400 <= r.status_code < 500, (payload, r.status_code)
    assert _entries(tenant) == 0
    r = api.post(URL, {"month": month, "closing": [{"account_id": ids["156"], "value": "700000"}]})
    assert r.status_code == 201, r.content
    assert (
        api.post(URL, {"month": month, "closing": [{"account_id": ids["156"], "value": "700000"}]}).status_code == 400
    )
    assert _entries(tenant) == 1

    web = web_client(tenant, create_user(tenant, "finance_manager"))
    page = web.get(PAGE, {"month": month})
    assert page.status_code == 200 and f'name="closing_{ids["156"]}"' in page.content.decode()
    assert web.get(PAGE, {"month": "2026-99"}).status_code == 400
    form = {"date_from": start.isoformat(), "date_to": end.isoformat(), f"closing_{ids['152']}": "150000"}
    preview = web.post(PAGE, {**form, "action": "preview"})
    assert preview.status_code == 200
    assert 'data-total="to-post">50' in preview.content.decode()  # 200,000 − 150,000
    assert _entries(tenant) == 1
    assert web.post(PAGE, {**form, f"closing_{ids['152']}": "-1", "action": "post"}).status_code == 400
    refused = web.post(PAGE, {**form, f"closing_{ids['152']}": "x", "action": "post"})
    assert refused.status_code == 400
    # the refused page gives back what was typed, to correct it rather than type it again
    assert f'name="closing_{ids["152"]}" inputmode="decimal" value="x"' in refused.content.decode()
    assert _entries(tenant) == 1
    done = web.post(PAGE, {**form, "action": "post"})
    assert done.status_code == 302
    assert _entries(tenant) == 2


def test_roles_and_isolation(periodic, tenant_b, month):
    tenant, ids = periodic
    staff = create_user(tenant, "sales_staff")
    assert ApiClient(tenant, staff).get(URL, {"month": month}).status_code == 403
    assert (
        ApiClient(tenant, staff)
        .post(URL, {"month": month, "closing": [{"account_id": ids["156"], "value": "1"}]})
        .status_code
        == 403
    )
    assert web_client(tenant, staff).get(PAGE).status_code == 403
    # another company sees none of this one's stock, and cannot post against its accounts
    other = ApiClient(tenant_b, create_user(tenant_b, "accountant"))
    body = other.get(URL, {"month": month}).json()
    assert all(r["account_id"] not in ids.values() for r in body["rows"])
    assert body["total_cogs"] == "0"
    r = other.post(URL, {"month": month, "closing": [{"account_id": ids["156"], "value": "1"}]})
    assert r.status_code == 400
    assert _entries(tenant) == 0 and _entries(tenant_b) == 0
