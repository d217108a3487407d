"""Inventory events post their ledger entries (published directly: the contract, not the module)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from novasaas.accounting import actions, selectors
from novasaas.accounting.integrity import verify_ledger
from novasaas.accounting.models import JournalEntry
from novasaas.accounting.tests.helpers import make_party, principal
from novasaas.inventory.events import (
    CountVariancePosted,
    GoodsIssued,
    GoodsReceived,
    LandedCostAdded,
    StockAdjusted,
    StockRevalued,
)
from novasaas.platform.events import publish
from novasaas.platform.tenancy import tenant_context


@pytest.fixture
def common(today):
    """The fields every inventory event below shares."""
    return {"reference": "NK-0001", "date": today.isoformat(), "warehouse_id": 1}


def lines_of(tenant, source_type, source_id):
    with tenant_context(tenant):
        entry = JournalEntry.objects.get(source_type=source_type, source_id=source_id)
        return entry, sorted(
            (line.account.code, line.debit, line.credit, line.partner_id)
            for line in entry.lines.select_related("account")
        )


def emit(tenant, event):
    with tenant_context(tenant):
        publish(event)


def D(x):
    return Decimal(str(x))


def test_goods_received_grni_payable_and_customer_return(tenant_a, today, common):
    vendor = make_party(tenant_a, "Nhà cung cấp A")
    emit(
        tenant_a,
        GoodsReceived(
            tenant_id=tenant_a.pk,
            document_type="inventory.receipt",
            document_id=1,
            value="1500000",
            purchase_order_id=9,
            partner_id=vendor,
            **common,
        ),
    )
    entry, rows = lines_of(tenant_a, "inventory.receipt", 1)
    assert rows == [("156", D(1500000), 0, None), ("3388", 0, D(1500000), vendor)]
    assert entry.reference.startswith("INV-") and entry.source_reference == "NK-0001"
    emit(
        tenant_a,
        GoodsReceived(
            tenant_id=tenant_a.pk,
            document_type="inventory.receipt",
            document_id=2,
            value="200000",
            partner_id=vendor,
            **common,
        ),
    )
    assert lines_of(tenant_a, "inventory.receipt", 2)[1] == [("156", D(200000), 0, None), ("331", 0, D(200000), vendor)]
    emit(
        tenant_a,
        GoodsReceived(
            tenant_id=tenant_a.pk,
            document_type="inventory.receipt",
            document_id=3,
            value="50000",
            is_customer_return=True,
            **common,
        ),
    )
    assert lines_of(tenant_a, "inventory.receipt", 3)[1] == [("156", D(50000), 0, None), ("632", 0, D(50000), None)]
    # the same document again posts nothing new
    emit(
        tenant_a,
        GoodsReceived(
            tenant_id=tenant_a.pk,
            document_type="inventory.receipt",
            document_id=1,
            value="1500000",
            purchase_order_id=9,
            **common,
        ),
    )
    with tenant_context(tenant_a):
        assert JournalEntry.objects.count() == 3
    assert selectors.inventory_account_balance(tenant_a, today) == D(1750000)
    assert selectors.party_balance(tenant_a, vendor).payable == D(200000)


@pytest.mark.parametrize(("purpose", "debit"), [("sale", "632"), ("internal", "6422"), ("return_to_vendor", "3388")])
def test_goods_issued_by_purpose(tenant_a, purpose, debit, common):
    emit(
        tenant_a,
        GoodsIssued(
            tenant_id=tenant_a.pk,
            document_type="inventory.issue",
            document_id=5,
            value="300000",
            purpose=purpose,
            **common,
        ),
    )
    assert lines_of(tenant_a, "inventory.issue", 5)[1] == sorted(
        [(debit, D(300000), 0, None), ("156", 0, D(300000), None)]
    )


def test_unknown_issue_purpose_is_refused(tenant_a, common):
    with pytest.raises(ValidationError):
        emit(
            tenant_a,
            GoodsIssued(
                tenant_id=tenant_a.pk,
                document_type="inventory.issue",
                document_id=6,
                value="1",
                purpose="gift",
                **common,
            ),
        )


def test_adjustments_and_count_variances(tenant_a, common):
    emit(
        tenant_a,
        StockAdjusted(
            tenant_id=tenant_a.pk, document_type="inventory.adjustment", document_id=1, value="-40000", **common
        ),
    )
    assert lines_of(tenant_a, "inventory.adjustment", 1)[1] == [("1381", D(40000), 0, None), ("156", 0, D(40000), None)]
    emit(
        tenant_a,
        StockAdjusted(
            tenant_id=tenant_a.pk, document_type="inventory.adjustment", document_id=2, value="25000", **common
        ),
    )
    assert lines_of(tenant_a, "inventory.adjustment", 2)[1] == [("156", D(25000), 0, None), ("3381", 0, D(25000), None)]
    emit(
        tenant_a,
        CountVariancePosted(
            tenant_id=tenant_a.pk,
            document_type="inventory.count",
            document_id=1,
            value="-5000",
            gain_value="10000",
            loss_value="15000",
            **common,
        ),
    )
    assert lines_of(tenant_a, "inventory.count", 1)[1] == [
        ("1381", D(15000), 0, None),
        ("156", 0, D(15000), None),
        ("156", D(10000), 0, None),
        ("3381", 0, D(10000), None),
    ]
    emit(
        tenant_a,
        StockAdjusted(tenant_id=tenant_a.pk, document_type="inventory.adjustment", document_id=3, value="0", **common),
    )
    with tenant_context(tenant_a):
        assert not JournalEntry.objects.filter(source_id=3).exists()


def test_landed_cost_and_revaluation(tenant_a, common):
    vendor = make_party(tenant_a)
    emit(
        tenant_a,
        LandedCostAdded(
            tenant_id=tenant_a.pk,
            document_type="inventory.landed_cost",
            document_id=1,
            value="100000",
            cogs_value="30000",
            receipt_id=1,
            partner_id=vendor,
            **common,
        ),
    )
    assert lines_of(tenant_a, "inventory.landed_cost", 1)[1] == [
        ("156", D(70000), 0, None),
        ("331", 0, D(100000), vendor),
        ("632", D(30000), 0, None),
    ]
    emit(
        tenant_a,
        StockRevalued(
            tenant_id=tenant_a.pk,
            document_type="inventory.revaluation",
            document_id=1,
            value="-20000",
            cogs_value="5000",
            product_id=3,
            **common,
        ),
    )
    assert lines_of(tenant_a, "inventory.revaluation#3", 1)[1] == [
        ("156", 0, D(20000), None),
        ("3388", D(15000), 0, None),
        ("632", D(5000), 0, None),
    ]
    assert verify_ledger(tenant_a).ok
    assert selectors.trial_balance(tenant_a).balanced


def test_events_of_a_tenant_without_acc_post_nothing(db, common):
    from novasaas.platform.testing.fixtures import create_tenant

    tenant = create_tenant("noacc", modules=["INV"])
    emit(
        tenant,
        GoodsReceived(tenant_id=tenant.pk, document_type="inventory.receipt", document_id=1, value="1", **common),
    )
    with tenant_context(tenant):
        assert not JournalEntry.objects.exists()


def test_closed_period_refuses_the_inventory_document(tenant_a, today, common):
    fm = principal(tenant_a, "finance_manager")
    actions.ensure_chart(tenant_a)
    with tenant_context(tenant_a):
        from novasaas.accounting.models import FiscalPeriod

        period = FiscalPeriod.objects.get(start_date__lte=today, end_date__gte=today)
    actions.close_period(fm, period.pk)
    with pytest.raises(ValidationError):
        emit(
            tenant_a,
            GoodsReceived(tenant_id=tenant_a.pk, document_type="inventory.receipt", document_id=1, value="1", **common),
        )


def test_backdated_stock_event_before_the_first_year_opens_earlier_years(tenant_a):
    import datetime as dt

    from novasaas.accounting.actions import _ensure_year_for
    from novasaas.accounting.models import FiscalPeriod, FiscalYear
    from novasaas.platform.tenancy import tenant_context

    with tenant_context(tenant_a):
        _ensure_year_for(dt.date(2026, 11, 30))
        _ensure_year_for(dt.date(2024, 5, 3))
        assert list(FiscalYear.objects.order_by("start_date").values_list("name", flat=True)) == [
            "2024",
            "2025",
            "2026",
        ]
        assert FiscalPeriod.objects.filter(
            start_date__lte=dt.date(2024, 5, 3), end_date__gte=dt.date(2024, 5, 3)
        ).exists()
