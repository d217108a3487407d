"""The demo loader posts the twelve months ending today as balanced entries, once (as full in January as in
December)."""

from __future__ import annotations

import datetime as dt

import pytest

from novasaas.accounting import reports, selectors
from novasaas.accounting.demo import _months, demo_start, load_demo_accounting, payroll_in_hrm
from novasaas.accounting.integrity import verify_ledger
from novasaas.accounting.models import JournalEntry
from novasaas.parties.demo import load_demo_parties
from novasaas.platform.tenancy import tenant_context

pytestmark = pytest.mark.date_sensitive  # the demo is the twelve months ending today


def test_demo_loader_is_idempotent_and_balanced(tenant_a, today):
    load_demo_parties(tenant_a)
    load_demo_accounting(tenant_a)
    with tenant_context(tenant_a):
        count = JournalEntry.objects.count()
        months = {(d.year, d.month) for d in JournalEntry.objects.values_list("date", flat=True)}
        first = JournalEntry.objects.order_by("date").values_list("date", flat=True).first()
    assert first == demo_start(today) and first.day == 1 and (today - first).days >= 365
    assert len(months) == len(_months(first, today)) >= 12 and (today.year, today.month) in months  # every month
    # cash for the month, rent, salaries and their payment every month (trade: load_demo_trade); with HRM
    # the salaries from 2026 are HRM's payroll (hrm/demo.py)
    per_month = [2 if payroll_in_hrm(tenant_a, dt.date(y, m, 1)) else 4 for y, m in sorted(months)]
    assert count >= sum(per_month)
    load_demo_accounting(tenant_a)
    with tenant_context(tenant_a):
        assert JournalEntry.objects.count() == count
    assert selectors.trial_balance(tenant_a).balanced
    assert reports.balance_sheet(tenant_a, today).checks["assets_equal_sources"]
    assert verify_ledger(tenant_a).ok
    from novasaas.accounting import taxes
    from novasaas.accounting.demo import load_demo_trade
    from novasaas.accounting.models import BankAccount, Budget
    from novasaas.inventory.demo import load_demo_inventory

    load_demo_inventory(tenant_a)
    load_demo_trade(tenant_a)  # the invoices of what the warehouse received and sold
    figures = taxes.vat_return(tenant_a, demo_start(today), today)
    assert figures["33"] > 0 and figures["24"] > 0
    with tenant_context(tenant_a):
        assert Budget.objects.count() == 1 and BankAccount.objects.count() == 1
        # USD: rates, an export sale, an open import bill, and a realised difference
        from novasaas.accounting.models import ExchangeRate, JournalLine

        assert ExchangeRate.objects.filter(currency="USD").exists()
        assert JournalLine.objects.filter(currency="USD").exists()
        assert JournalEntry.objects.filter(source_type="accounting.fx_settlement").count() == 1


def test_dashboard_shows_the_widget(tenant_a):
    from novasaas.platform.testing.fixtures import create_user, web_client

    load_demo_parties(tenant_a)
    load_demo_accounting(tenant_a)
    page = web_client(tenant_a, create_user(tenant_a, "finance_manager")).get("/").content.decode()
    assert "accounting/reports/trial-balance" in page
