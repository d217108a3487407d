"""The receipt + issue write path through the API: ``validate: true`` posts the document in the request
that creates it (and a refused validation creates nothing), and the whole flow, posting to accounting,
stays within its statement budget. Issue 11 sets ≤ 50 SQL statements for a one-line receipt and a one-unit
issue, posting included; this file holds Inventory's own part (everything but the accounting posting, which
Accounting's subscribers run, and the principal look-up, cached per process outside tests) to
``INVENTORY_BUDGET`` and prints every statement of each request (``-s``) so a regression names the culprit."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from novasaas.inventory import ledger, selectors
from novasaas.inventory.models import Stock, StockMove, StockMovement
from novasaas.inventory.tests.helpers import setup_catalogue
from novasaas.platform.tenancy import tenant_context

URL = "/api/v1/inventory/movements"
INVENTORY_BUDGET = 32  # per flow, SQLite and PostgreSQL (one audit statement per document); was 88, 36/40, 32/34


def _post(api, body):
    # each request commits in production: run its on-commit callbacks (they fill the per-tenant caches)
    with TestCase.captureOnCommitCallbacks(execute=True), CaptureQueriesContext(connection) as ctx:
        r = api.post(URL, body)
    return r, [q["sql"] for q in ctx.captured_queries]


def _in_transaction(statements):
    """The statements of the request's transaction (a savepoint in the test's, released last): the principal
    look-up before it (its own transaction in production, savepoints in the test's) is cached per process
    outside tests."""
    release = statements[-1]
    assert release.startswith("RELEASE SAVEPOINT"), release
    first = statements.index(release.replace("RELEASE ", "", 1))
    return statements[first:]


def _foreign(sql):
    """Statements of the accounting posting (Accounting's subscribers) or of the principal look-up."""
    return "accounting_" in sql or "acc.ledger.chain" in sql


def _show(name, statements):
    print(f"\n{name}: {len(statements)} statements")
    for sql in statements:
        print("   ", sql[:160])


@pytest.fixture
def shop(tenant_a):
    with tenant_context(tenant_a):
        return setup_catalogue(tenant_a)


def test_create_with_validate_posts_the_receipt_and_the_issue(api_a, tenant_a, shop):
    r = api_a.post(
        URL,
        {
            "kind": "receipt",
            "warehouse_id": shop.wh.pk,
            "validate": True,
            "lines": [{"product_id": shop.beer.pk, "quantity": "2", "unit_id": shop.thung.pk, "unit_cost": "240000"}],
        },
    )
    assert r.status_code == 201, r.content
    receipt = r.json()
    assert receipt["status"] == "done" and receipt["number"].startswith("NK-")
    assert [(ln["stock_quantity"], ln["value"]) for ln in receipt["lines"]] == [("48.0000", "480000.00")]
    r = api_a.post(
        URL,
        {
            "kind": "issue",
            "warehouse_id": shop.wh.pk,
            "validate": True,
            "lines": [{"product_id": shop.beer.pk, "quantity": "5"}],
        },
    )
    assert r.status_code == 201, r.content
    issued = r.json()
    # the response shows the document as posted: done, its line picked at the warehouse's location and
    # valued at the average cost (480,000 / 48 = 10,000 a bottle)
    assert issued["status"] == "done"
    assert [(ln["stock_quantity"], ln["unit_cost"], ln["value"]) for ln in issued["lines"]] == [
        ("5.0000", "10000.000000", "50000.00")
    ]
    assert issued["lines"][0]["location_id"] is not None
    assert api_a.get(f"{URL}/{issued['id']}").json() == issued
    with tenant_context(tenant_a):
        stock = Stock.objects.get(product=shop.beer, warehouse=shop.wh)
        assert (stock.on_hand, stock.value) == (Decimal(43), Decimal(430000))
        assert StockMove.objects.filter(document_id=issued["id"], document_type="inventory.issue").count() == 1
        assert not ledger.ledger_differences()


def test_without_validate_the_document_stays_a_draft(api_a, shop):
    r = api_a.post(
        URL, {"kind": "receipt", "warehouse_id": shop.wh.pk, "lines": [{"product_id": shop.beer.pk, "quantity": "1"}]}
    )
    assert r.status_code == 201 and r.json()["status"] == "draft"


def test_a_refused_validation_creates_nothing(api_a, tenant_a, shop):
    r = api_a.post(
        URL,
        {
            "kind": "issue",
            "warehouse_id": shop.wh.pk,
            "validate": True,
            "lines": [{"product_id": shop.beer.pk, "quantity": "1"}],
        },
    )
    assert r.status_code == 400
    assert "Bia Sài Gòn 330ml" in r.json()["detail"][0]
    with tenant_context(tenant_a):
        assert not StockMovement.objects.exists() and not StockMove.objects.exists()


def test_validate_is_documented_in_openapi(api_a):
    schema = api_a.get("/api/v1/openapi.json").json()
    props = schema["components"]["schemas"]["MovementIn"]["properties"]
    assert props["validate"]["type"] == "boolean" and "same request" in props["validate"]["description"]


def test_receipt_and_issue_flow_statement_budget(api_a, tenant_a, shop):
    """A warm flow (the second one: settings, virtual locations, accounts and journals exist) of a
    one-line receipt and a one-unit issue, each created with ``validate: true`` and posted to accounting."""
    line = {"product_id": shop.beer.pk, "quantity": "1", "unit_cost": "10000"}
    counts = []
    for _round in range(2):
        receipt, rs = _post(api_a, {"kind": "receipt", "warehouse_id": shop.wh.pk, "validate": True, "lines": [line]})
        issue, is_ = _post(
            api_a,
            {
                "kind": "issue",
                "warehouse_id": shop.wh.pk,
                "validate": True,
                "lines": [{"product_id": shop.beer.pk, "quantity": "1"}],
            },
        )
        assert receipt.status_code == 201 and issue.status_code == 201, (receipt.content, issue.content)
        assert receipt.json()["status"] == issue.json()["status"] == "done"
        counts.append((rs, is_))
    rs, is_ = counts[-1]
    _show("receipt (validate)", rs)
    _show("issue (validate)", is_)
    own = [sql for sql in _in_transaction(rs) + _in_transaction(is_) if not _foreign(sql)]
    print(f"flow: {len(rs) + len(is_)} statements, of which Inventory's own {len(own)} (budget {INVENTORY_BUDGET})")
    with tenant_context(tenant_a):
        from django.utils import timezone

        from novasaas.accounting.selectors import inventory_account_balance

        valuation = sum((r.value for r in selectors.valuation(tenant_a)), Decimal(0))
        assert inventory_account_balance(tenant_a, timezone.localdate()) == valuation == Decimal(0)
    assert len(own) <= INVENTORY_BUDGET
    # one savepoint mechanism (platform.transactions): the request's own is the only one, the accounting
    # posting inside it joins the request's transaction
    assert [sql for sql in _in_transaction(rs)[1:] + _in_transaction(is_)[1:] if sql.startswith("SAVEPOINT")] == []


@pytest.mark.date_sensitive
def test_a_row_without_a_known_last_move_date_still_checks_the_history(tenant_a, shop, today):
    """Stock rows older than ``last_move_on`` (NULL) have it computed on first use, so a backdated issue is
    still checked against the later moves, and a document dated after them skips that check."""
    from datetime import timedelta

    from novasaas.inventory import actions

    with tenant_context(tenant_a):
        actions.receive_goods(
            shop.manager,
            warehouse_id=shop.wh.pk,
            date=today - timedelta(days=5),
            lines=[{"product_id": shop.beer.pk, "quantity": "10", "unit_cost": "10000"}],
        )
        actions.issue_goods(
            shop.manager, warehouse_id=shop.wh.pk, lines=[{"product_id": shop.beer.pk, "quantity": "10"}]
        )
        actions.receive_goods(
            shop.manager,
            warehouse_id=shop.wh.pk,
            lines=[{"product_id": shop.beer.pk, "quantity": "10", "unit_cost": "10000"}],
        )
        # 10 on hand now, but on that date the 10 were all needed by today's issue (received again after it)
        Stock.objects.filter(product=shop.beer).update(last_move_on=None)
        with pytest.raises(ledger.InsufficientStock):
            actions.issue_goods(
                shop.manager,
                warehouse_id=shop.wh.pk,
                date=today - timedelta(days=3),
                lines=[{"product_id": shop.beer.pk, "quantity": "1"}],
            )
        actions.receive_goods(
            shop.manager,
            warehouse_id=shop.wh.pk,
            lines=[{"product_id": shop.beer.pk, "quantity": "2", "unit_cost": "10000"}],
        )
        assert Stock.objects.get(product=shop.beer, warehouse=shop.wh).last_move_on == today
        assert not ledger.ledger_differences()


def test_a_refused_validation_with_an_idempotency_key_can_be_retried(api_a, tenant_a, shop):
    """The action joins the request's transaction without a savepoint: its refusal is still a clean 400
    (not a 500 from the Idempotency-Key bookkeeping), and the same key runs again once stock is there."""
    body = {
        "kind": "issue",
        "warehouse_id": shop.wh.pk,
        "validate": True,
        "lines": [{"product_id": shop.beer.pk, "quantity": "1"}],
    }
    assert api_a.post(URL, body, HTTP_IDEMPOTENCY_KEY="issue-1").status_code == 400
    with tenant_context(tenant_a):
        from novasaas.inventory.tests.helpers import receive

        receive(shop, 1)
    again = api_a.post(URL, body, HTTP_IDEMPOTENCY_KEY="issue-1")
    assert again.status_code == 201 and again.json()["status"] == "done"
    assert again.get("Idempotent-Replayed") is None
