"""Multi-currency: exchange-rate table, currency lines, realised FX on settlement, revaluation."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Sum

from novasaas.accounting import actions, fx, receivables, selectors
from novasaas.accounting.integrity import verify_ledger
from novasaas.accounting.models import (
    Allocation,
    EntryState,
    ExchangeRate,
    FiscalPeriod,
    JournalEntry,
    JournalLine,
)
from novasaas.accounting.tests.helpers import make_party, principal
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_tenant

pytestmark = [pytest.mark.django_db, pytest.mark.date_sensitive]  # fiscal years relative to the current one
D = dt.date


@pytest.fixture
def year(today):
    """A later fiscal year than the current one (created empty, the company's last): never overlaps it."""
    return today.year + 4


@pytest.fixture
def tenant(year):
    t = create_tenant(modules=["ACC"])
    actions.ensure_chart(t)
    fm = principal(t, "finance_manager")
    actions.create_fiscal_year(fm, D(year, 1, 1))
    return t


@pytest.fixture
def fm(tenant):
    return principal(tenant, "finance_manager")


def _balance(tenant, code, party=None):
    with tenant_context(tenant):
        qs = JournalLine.objects.filter(account__code__startswith=code, entry__state=EntryState.POSTED)
        if party is not None:
            qs = qs.filter(partner_id=party)
        agg = qs.aggregate(d=Sum("debit"), c=Sum("credit"))
    return (agg["d"] or Decimal(0)) - (agg["c"] or Decimal(0))


def _usd_invoice(fm, party, day, amount, rate=None, kind="receivable"):
    extra = {"currency": "USD"} | ({"exchange_rate": rate} if rate else {})
    if kind == "receivable":
        rows = [
            {"account": "131", "debit": amount, "credit": "0", "partner_id": party, **extra},
            {"account": "5111", "debit": "0", "credit": amount, **extra},
        ]
    else:
        rows = [
            {"account": "156", "debit": amount, "credit": "0", **extra},
            {"account": "331", "debit": "0", "credit": amount, "partner_id": party, **extra},
        ]
    entry = actions.create_entry(fm, journal_id="GEN", date=day, lines=rows)
    entry = actions.post_entry(fm, entry.pk)
    with tenant_context(fm.tenant):
        return entry.lines.get(partner_id=party)


def _check_invariants(tenant, party, year):
    ar = sum((i.open for i in receivables.open_items(tenant, "receivable", party_id=party)), Decimal(0))
    ap = sum((i.open for i in receivables.open_items(tenant, "payable", party_id=party)), Decimal(0))
    assert ar == _balance(tenant, "131", party)
    assert ap == -_balance(tenant, "331", party)
    assert selectors.trial_balance(tenant, D(year, 1, 1), D(year, 12, 31)).balanced
    assert verify_ledger(tenant).ok


def test_rate_table_latest_on_or_before(tenant, fm, year):
    fx.create_rate(fm, currency="usd", date=D(year, 1, 2), rate="25000")
    fx.create_rate(fm, currency="USD", date=D(year, 1, 10), rate="25100.5")
    with tenant_context(tenant):
        assert fx.rate_on("USD", D(year, 1, 1)) is None
        assert fx.rate_on("USD", D(year, 1, 9)) == Decimal("25000")
        assert fx.rate_on("USD", D(year, 3, 1)) == Decimal("25100.5")


@pytest.mark.parametrize(
    ("currency", "rate", "key"),
    [
        ("XYZ", "1", "currency"),
        ("VND", "1", "currency"),
        ("USD", "-1", "rate"),
        ("USD", "0", "rate"),
        ("USD", "1.1234567", "rate"),
        ("USD", "abc", "rate"),
    ],
)
def test_rate_bad_input_writes_nothing(tenant, fm, currency, rate, key, year):
    with pytest.raises(ValidationError) as exc:
        fx.create_rate(fm, currency=currency, date=D(year, 1, 2), rate=rate)
    assert key in exc.value.message_dict
    with tenant_context(tenant):
        assert not ExchangeRate.objects.exists()


def test_rate_unique_per_currency_and_date_and_roles(tenant, fm, year):
    fx.create_rate(fm, currency="USD", date=D(year, 1, 2), rate="25000")
    with pytest.raises(ValidationError):
        fx.create_rate(fm, currency="USD", date=D(year, 1, 2), rate="25001")
    accountant = principal(tenant, "accountant")
    with pytest.raises(PermissionDenied):
        fx.create_rate(accountant, currency="EUR", date=D(year, 1, 2), rate="27000")
    assert len(fx.list_rates(tenant)) == 1


def test_currency_line_converts_with_table_rate(tenant, fm, year):
    fx.create_rate(fm, currency="USD", date=D(year, 1, 1), rate="25450.5")
    party = make_party(tenant)
    line = _usd_invoice(fm, party, D(year, 1, 15), "100.01")
    assert line.currency == "USD"
    assert line.amount_currency == Decimal("100.01")
    assert line.exchange_rate == Decimal("25450.5")
    assert line.debit == Decimal("2545305")  # 2,545,304.505 rounded half up
    assert verify_ledger(tenant).ok


def test_rounding_difference_is_an_explicit_line(tenant, fm, year):
    party = make_party(tenant)
    rows = [
        {
            "account": "131",
            "debit": "0.03",
            "credit": "0",
            "partner_id": party,
            "currency": "USD",
            "exchange_rate": "25000.5",
        },
        {"account": "5111", "debit": "0", "credit": "0.01", "currency": "USD", "exchange_rate": "25000.5"},
        {"account": "5111", "debit": "0", "credit": "0.01", "currency": "USD", "exchange_rate": "25000.5"},
        {"account": "5111", "debit": "0", "credit": "0.01", "currency": "USD", "exchange_rate": "25000.5"},
    ]
    entry = actions.create_entry(fm, journal_id="GEN", date=D(year, 2, 1), lines=rows)
    with tenant_context(tenant):
        lines = list(entry.lines.select_related("account"))
    # 0.03 × 25000.5 = 750.015 → 750; 3 × (0.01 × 25000.5 = 250.005 → 250) = 750: balanced, no line
    assert len(lines) == 4
    rows[0]["exchange_rate"] = rows[1]["exchange_rate"] = rows[2]["exchange_rate"] = rows[3]["exchange_rate"] = (
        "25050.5"
    )
    entry = actions.create_entry(fm, journal_id="GEN", date=D(year, 2, 1), lines=rows)
    with tenant_context(tenant):
        lines = list(entry.lines.select_related("account"))
    # 0.03 × 25050.5 = 751.515 → 752; 0.01 × 25050.5 = 250.505 → 251 (×3 = 753): 1 đồng to 515... as a debit to 635
    assert len(lines) == 5
    assert lines[-1].account.code == "635" and lines[-1].debit == Decimal(1)
    posted = actions.post_entry(fm, entry.pk)
    assert posted.state == EntryState.POSTED


@pytest.mark.parametrize(
    ("patch", "key"),
    [
        ({"currency": "XYZ"}, "lines[0].currency"),
        ({"currency": "USD", "exchange_rate": "-5"}, "lines[0].exchange_rate"),
        ({"currency": "USD"}, "lines[0].exchange_rate"),  # no rate in the table
        ({"currency": "USD", "exchange_rate": "25000", "amount_base": "1"}, "lines[0].amount_base"),
        ({"currency": "JPY", "exchange_rate": "170", "debit": "1.5"}, "lines[0].debit"),
        ({"exchange_rate": "25000"}, "lines[0].currency"),
    ],
)
def test_bad_currency_lines_write_nothing(tenant, fm, patch, key, year):
    party = make_party(tenant)
    rows = [
        {"account": "131", "debit": "100", "credit": "0", "partner_id": party} | patch,
        {"account": "5111", "debit": "0", "credit": "2500000"},
    ]
    with pytest.raises(ValidationError) as exc:
        actions.create_entry(fm, journal_id="GEN", date=D(year, 2, 1), lines=rows)
    assert key in exc.value.message_dict
    with pytest.raises(ValidationError):
        actions.post_source_document(tenant, "test.doc", 1, D(year, 2, 1), rows)
    with tenant_context(tenant):
        assert not JournalEntry.objects.exists()


def test_post_source_document_accepts_currency_lines(tenant, fm, year):
    fx.create_rate(fm, currency="EUR", date=D(year, 3, 1), rate="27000")
    party = make_party(tenant)
    entry = actions.post_source_document(
        tenant,
        "sales.invoice",
        7,
        D(year, 3, 5),
        [
            actions.LineInput("receivable", Decimal("110"), Decimal(0), party, "INV", currency="EUR"),
            actions.LineInput("revenue", Decimal(0), Decimal("100"), None, "", currency="EUR"),
            actions.LineInput("output_vat", Decimal(0), Decimal("10"), None, "", currency="EUR"),
        ],
    )
    assert entry.state == EntryState.POSTED and entry.total == Decimal("2970000")


def test_receipt_at_another_rate_posts_realised_gain(tenant, fm, year):
    party = make_party(tenant)
    invoice = _usd_invoice(fm, party, D(year, 1, 10), "100", rate="25000")
    pay = receivables.record_payment(
        fm,
        kind="receipt",
        party_id=party,
        date=D(year, 2, 10),
        amount="40",
        currency="USD",
        exchange_rate="25500",
        allocations=[(invoice.pk, "40")],
    )
    assert pay.amount == Decimal("1020000")
    assert _balance(tenant, "515") == Decimal("-20000")  # 40 × (25,500 − 25,000) credited
    assert _balance(tenant, "1122") == Decimal("1020000")
    items = receivables.open_items(tenant, "receivable", party_id=party)
    assert [(i.open, i.open_currency, i.currency) for i in items] == [(Decimal("1500000"), Decimal("60"), "USD")]
    # the rest at a lower rate: a loss on the remaining 60 USD
    receivables.record_payment(
        fm,
        kind="receipt",
        party_id=party,
        date=D(year, 3, 10),
        amount="60",
        currency="USD",
        exchange_rate="24900",
    )
    assert _balance(tenant, "635") == Decimal("6000")
    assert receivables.open_items(tenant, "receivable", party_id=party) == []
    assert _balance(tenant, "131", party) == 0
    _check_invariants(tenant, party, year)


def test_realised_difference_of_an_invoice_in_a_closed_period_goes_to_the_next_open_date(tenant, fm, year):
    """A payment dated before an invoice whose period has been closed since still settles it: the
    realised difference is booked on the first open date after the invoice (then the last open one
    before it), never into the closed period, and the payment is not refused."""
    party = make_party(tenant)
    _usd_invoice(fm, party, D(year, 9, 10), "100", rate="25000")
    with tenant_context(tenant):
        sept = FiscalPeriod.objects.get(start_date=D(year, 9, 1))
    actions.close_period(fm, sept.pk)
    receivables.record_payment(
        fm, kind="receipt", party_id=party, date=D(year, 1, 15), amount="40", currency="USD", exchange_rate="25500"
    )
    with tenant_context(tenant):
        fx_entry = JournalEntry.objects.get(source_type="accounting.fx_settlement")
    assert fx_entry.date == D(year, 10, 1)
    assert _balance(tenant, "515") == Decimal("-20000")
    # nothing open after September: the last open date before it
    for month in (10, 11, 12):
        with tenant_context(tenant):
            period = FiscalPeriod.objects.get(start_date=D(year, month, 1))
        actions.close_period(fm, period.pk)
    receivables.record_payment(
        fm, kind="receipt", party_id=party, date=D(year, 2, 15), amount="60", currency="USD", exchange_rate="24900"
    )
    with tenant_context(tenant):
        dates = sorted(
            JournalEntry.objects.filter(source_type="accounting.fx_settlement").values_list("date", flat=True)
        )
    assert dates == [D(year, 8, 31), D(year, 10, 1)]
    assert receivables.open_items(tenant, "receivable", party_id=party) == []
    _check_invariants(tenant, party, year)


def test_settlement_date_rules(tenant, year):
    with tenant_context(tenant):
        assert receivables.settlement_date(D(year, 1, 5), D(year, 3, 7)) == D(year, 3, 7)
        FiscalPeriod.objects.filter(start_date__in=[D(year, 3, 1), D(year, 4, 1)]).update(state="closed")
        assert receivables.settlement_date(D(year, 1, 5), D(year, 3, 7)) == D(year, 5, 1)
        FiscalPeriod.objects.filter(start_date__gte=D(year, 3, 1)).update(state="closed")
        end_of_february = D(year, 3, 1) - dt.timedelta(days=1)  # the 29th in a leap year
        assert receivables.settlement_date(D(year, 1, 5), D(year, 3, 7)) == end_of_february
        FiscalPeriod.objects.all().update(state="closed")
        assert receivables.settlement_date(D(year, 1, 5), D(year, 3, 7)) == D(year, 3, 7)


def test_supplier_payment_at_higher_rate_is_a_loss(tenant, fm, year):
    party = make_party(tenant)
    invoice = _usd_invoice(fm, party, D(year, 1, 10), "200", rate="25000", kind="payable")
    receivables.record_payment(
        fm,
        kind="payment",
        party_id=party,
        date=D(year, 1, 20),
        amount="200",
        currency="USD",
        exchange_rate="25100",
        allocations=[(invoice.pk, "200")],
    )
    assert _balance(tenant, "635") == Decimal("20000")
    assert _balance(tenant, "331", party) == 0
    _check_invariants(tenant, party, year)


def test_currency_mismatch_and_over_allocation_refused(tenant, fm, year):
    party = make_party(tenant)
    invoice = _usd_invoice(fm, party, D(year, 1, 10), "100", rate="25000")
    fx.create_rate(fm, currency="EUR", date=D(year, 1, 1), rate="27000")
    for kwargs in (
        {"amount": "100", "currency": "EUR"},
        {"amount": "2500000"},
        {"amount": "150", "currency": "USD", "exchange_rate": "25000", "allocations_amount": "150"},
    ):
        alloc = kwargs.pop("allocations_amount", None) or kwargs["amount"]
        with pytest.raises(ValidationError):
            receivables.record_payment(
                fm, kind="receipt", party_id=party, date=D(year, 2, 1), allocations=[(invoice.pk, alloc)], **kwargs
            )
    with tenant_context(tenant):
        assert JournalEntry.objects.count() == 1 and not Allocation.objects.exists()


def test_revaluation_preview_post_idempotent(tenant, fm, year):
    party = make_party(tenant)
    fx.create_rate(fm, currency="USD", date=D(year, 1, 1), rate="25000")
    _usd_invoice(fm, party, D(year, 1, 10), "100")  # AR 2,500,000
    _usd_invoice(fm, party, D(year, 1, 11), "50", kind="payable")  # AP 1,250,000
    receivables.record_payment(
        fm, kind="receipt", party_id=make_party(tenant, "B"), date=D(year, 1, 12), amount="10", currency="USD"
    )  # unapplied receipt: bank 10 USD
    fx.create_rate(fm, currency="USD", date=D(year, 1, 31), rate="25200")
    preview = fx.revaluation_preview(tenant, D(year, 1, 31))
    diffs = sorted((r.kind, r.difference, r.gain) for r in preview.rows)
    assert diffs == [
        ("cash", Decimal("2000"), Decimal("2000")),
        ("payable", Decimal("10000"), Decimal("-10000")),
        ("receivable", Decimal("-2000"), Decimal("-2000")),  # the unapplied receipt (a credit item)
        ("receivable", Decimal("20000"), Decimal("20000")),
    ]
    assert preview.net == Decimal("10000")
    entry = fx.revalue(fm, D(year, 1, 31))
    assert fx.revalue(fm, D(year, 1, 31)).pk == entry.pk
    assert _balance(tenant, "413") == 0
    assert _balance(tenant, "515") == Decimal("-10000")
    assert fx.revaluation_preview(tenant, D(year, 1, 31)).entry == entry
    # items now carry the revalued book value; settling at that rate realises nothing more
    items = receivables.open_items(tenant, "receivable", party_id=party)
    assert items[0].open == Decimal("2520000")
    receivables.record_payment(
        fm, kind="receipt", party_id=party, date=D(year, 2, 5), amount="100", currency="USD", exchange_rate="25200"
    )
    assert _balance(tenant, "515") == Decimal("-10000") and _balance(tenant, "635") == 0
    _check_invariants(tenant, party, year)


def test_revaluation_refuses_closed_period_and_missing_rate(tenant, fm, year):
    party = make_party(tenant)
    _usd_invoice(fm, party, D(year, 1, 10), "100", rate="25000")
    with pytest.raises(ValidationError, match="No exchange rate"):
        fx.revalue(fm, D(year, 1, 31))
    fx.create_rate(fm, currency="USD", date=D(year, 1, 31), rate="25100")
    with tenant_context(tenant):
        period = FiscalPeriod.objects.get(start_date=D(year, 1, 1))
    actions.close_period(fm, period.pk)
    with pytest.raises(ValidationError):
        fx.revalue(fm, D(year, 1, 31))
    with pytest.raises(PermissionDenied):
        fx.revalue(principal(tenant, "accountant"), D(year, 2, 28))
    with tenant_context(tenant):
        assert JournalEntry.objects.count() == 1


def test_reversal_keeps_currency(tenant, fm, year):
    party = make_party(tenant)
    line = _usd_invoice(fm, party, D(year, 1, 10), "100", rate="25000")
    reversal = actions.reverse_entry(fm, line.entry_id, date=D(year, 1, 11))
    with tenant_context(tenant):
        rl = reversal.lines.get(partner_id=party)
    assert (rl.currency, rl.amount_currency, rl.credit) == ("USD", Decimal("100"), Decimal("2500000"))
    _check_invariants(tenant, party, year)
