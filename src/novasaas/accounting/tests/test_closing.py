"""Year-end closing: P&L to 911, result to 421, periods closed, balances carried forward."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from novasaas.accounting import actions, reports, selectors
from novasaas.accounting.integrity import verify_ledger
from novasaas.accounting.models import FiscalPeriod, FiscalYear
from novasaas.accounting.tests.helpers import lines, principal
from novasaas.accounting.tests.test_api import URL, fm_client
from novasaas.platform.tenancy import tenant_context

pytestmark = pytest.mark.date_sensitive  # fiscal years relative to the current one

LATER = dt.date(2100, 1, 1)


def after_the_years():
    """The clock after every year these tests close (a year closes on or after its last day only)."""
    return mock.patch("django.utils.timezone.localdate", return_value=LATER)


def _close(fm, year_id):
    with after_the_years():
        return actions.close_fiscal_year(fm, year_id)


@pytest.fixture
def base_year(today):
    """Years base_year … base_year + 9 are closed here: later than the current year (closing creates the
    next year only for the company's last year), so they never overlap it, whatever the day."""
    return today.year + 5


def test_close_year(tenant_a, base_year):
    fm = principal(tenant_a, "finance_manager")
    actions.ensure_chart(tenant_a)
    actions.create_fiscal_year(fm, dt.date(base_year, 1, 1))
    day = dt.date(base_year, 6, 1)
    for rows in [
        (("1111", 1000, 0), ("4111", 0, 1000)),
        (("1111", 700, 0), ("5111", 0, 700)),
        (("632", 300, 0), ("1111", 0, 300)),
        (("6422", 100, 0), ("1111", 0, 100)),
    ]:
        e = actions.create_entry(fm, journal_id="GEN", date=day, lines=lines(*rows))
        actions.post_entry(fm, e.pk)
    with tenant_context(tenant_a):
        year = FiscalYear.objects.get(start_date=dt.date(base_year, 1, 1))
    entries = _close(fm, year.pk)
    assert len(entries) == 2
    tb = selectors.trial_balance(tenant_a, dt.date(base_year, 12, 1), dt.date(base_year, 12, 31))
    closing = {r.account.code: (r.closing_debit, r.closing_credit) for r in tb.rows}
    assert closing["4212"] == (0, Decimal(300)) and closing["5111"] == (0, 0) and closing["911"] == (0, 0)
    inc = {
        ln.code: ln.current
        for ln in reports.income_statement(tenant_a, dt.date(base_year, 1, 1), dt.date(base_year, 12, 31)).lines
    }
    assert inc["60"] == Decimal(300)  # closing entries do not hide the year's result
    bs = reports.balance_sheet(tenant_a, dt.date(base_year, 12, 31))
    assert bs.checks["assets_equal_sources"]
    with tenant_context(tenant_a):
        assert not FiscalPeriod.objects.filter(fiscal_year=year, state="open").exists()
        assert FiscalYear.objects.filter(start_date=dt.date(base_year + 1, 1, 1)).exists()
    # carried forward: next year's opening equals this year's closing
    nxt = selectors.trial_balance(tenant_a, dt.date(base_year + 1, 1, 1), dt.date(base_year + 1, 1, 31))
    assert {r.account.code: (r.opening_debit, r.opening_credit) for r in nxt.rows}["1111"] == (Decimal(1300), 0)
    with pytest.raises(ValidationError):
        _close(fm, year.pk)
    e = actions.create_entry(fm, journal_id="GEN", date=day, lines=lines(("1111", 1, 0), ("4111", 0, 1)))
    with pytest.raises(ValidationError):
        actions.post_entry(fm, e.pk)
    assert verify_ledger(tenant_a).ok


def test_close_year_api_requires_finance_manager(tenant_a):
    from novasaas.platform.testing.fixtures import ApiClient, create_user

    c = fm_client(tenant_a)
    year_id = c.get(f"{URL}/fiscal-years").json()[0]["id"]
    acc = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    assert acc.post(f"{URL}/fiscal-years/{year_id}/close").status_code == 403
    with tenant_context(tenant_a):
        year = FiscalYear.objects.get(pk=year_id)
    if timezone.localdate() < year.end_date:  # the year is not over: refused, nothing closed
        r = c.post(f"{URL}/fiscal-years/{year_id}/close")
        assert r.status_code == 400 and year.end_date.strftime("%d/%m/%Y") in str(r.json())
        assert c.get(f"{URL}/fiscal-years").json()[0]["state"] == "open"
    with after_the_years():
        assert c.post(f"{URL}/fiscal-years/{year_id}/close").status_code == 200
    year = next(y for y in c.get(f"{URL}/fiscal-years").json() if y["id"] == year_id)
    assert year["state"] == "closed"


def test_cash_flow_ties_to_cash(tenant_a, today):
    from novasaas.accounting.demo import demo_start, load_demo_accounting
    from novasaas.parties.demo import load_demo_parties

    load_demo_parties(tenant_a)
    load_demo_accounting(tenant_a)
    start = demo_start(today)  # the capital of a shop with Inventory (5,000,000,000) is paid in on the demo's first day
    st = reports.cash_flow(tenant_a, start, today)
    assert st.checks["ties_to_cash"]
    values = {ln.code: ln.current for ln in st.lines}
    income = {ln.code: ln.current for ln in reports.income_statement(tenant_a, start, today).lines}
    assert values["01"] == income["50"] and values["31"] == Decimal(5000000000)
    c = fm_client(tenant_a)
    assert c.get(f"{URL}/reports/cash-flow").json()["checks"]["ties_to_cash"]


def _closed_year(tenant, fm, y):
    actions.ensure_chart(tenant)
    actions.create_fiscal_year(fm, dt.date(y, 1, 1))
    day = dt.date(y, 6, 1)
    for rows in [(("1111", 1000, 0), ("5111", 0, 1000)), (("6422", 400, 0), ("1111", 0, 400))]:
        e = actions.create_entry(fm, journal_id="GEN", date=day, lines=lines(*rows))
        actions.post_entry(fm, e.pk)
    with tenant_context(tenant):
        year = FiscalYear.objects.get(start_date=dt.date(y, 1, 1))
        march = FiscalPeriod.objects.get(fiscal_year=year, number=3)
    actions.close_period(fm, march.pk)  # closed by hand before the year-end closing
    return year, _close(fm, year.pk)


def _tb(tenant, y, month=12):
    tb = selectors.trial_balance(tenant, dt.date(y, month, 1), dt.date(y, month, 28))
    return {r.account.code: (r.closing_debit, r.closing_credit) for r in tb.rows}


def test_undo_year_closing_reverses_and_reopens(tenant_a, base_year):
    from novasaas.platform.models import AuditLog

    fm = principal(tenant_a, "finance_manager")
    y = base_year + 2
    year, closing = _closed_year(tenant_a, fm, y)
    with tenant_context(tenant_a):
        march = FiscalPeriod.objects.get(fiscal_year=year, number=3)
    assert _tb(tenant_a, y)["4212"] == (0, Decimal(600))
    reversals = actions.undo_year_closing(fm, year.pk, reason="thiếu hóa đơn tháng 12")
    assert len(reversals) == 2
    assert {r.reversal_of_id for r in reversals} == {e.pk for e in closing}
    assert all(r.journal.code == "CLO" and r.date == dt.date(y, 12, 31) for r in reversals)
    with tenant_context(tenant_a):
        year.refresh_from_db()
        march.refresh_from_db()
        assert year.state == "open"
        assert FiscalPeriod.objects.get(fiscal_year=year, number=12).state == "open"
        assert march.state == "closed"  # the others keep their state
        log = (
            AuditLog.objects.filter(object_type__icontains="fiscalyear", object_id=str(year.pk)).order_by("-id").first()
        )
        assert log is not None and "thiếu hóa đơn" in log.message
    tb = _tb(tenant_a, y)
    assert tb["5111"] == (0, Decimal(1000)) and tb["6422"] == (Decimal(400), 0)
    assert tb.get("4212", (0, 0)) == (0, 0) and tb.get("911", (0, 0)) == (0, 0)
    # a forgotten December invoice, then the year is closed again with the right result
    e = actions.create_entry(
        fm, journal_id="GEN", date=dt.date(y, 12, 20), lines=lines(("1111", 200, 0), ("5111", 0, 200))
    )
    actions.post_entry(fm, e.pk)
    again = _close(fm, year.pk)
    assert len(again) == 2
    assert _tb(tenant_a, y)["4212"] == (0, Decimal(800))
    inc = {ln.code: ln.current for ln in reports.income_statement(tenant_a, dt.date(y, 1, 1), dt.date(y, 12, 31)).lines}
    assert inc["60"] == Decimal(800)
    assert reports.balance_sheet(tenant_a, dt.date(y, 12, 31)).checks["assets_equal_sources"]
    assert verify_ledger(tenant_a).ok
    with pytest.raises(ValidationError, match="not closed"):
        actions.undo_year_closing(fm, _year_pk(tenant_a, y + 1))


def _year_pk(tenant, y):
    with tenant_context(tenant):
        return FiscalYear.objects.get(start_date=dt.date(y, 1, 1)).pk


def test_undo_year_closing_is_refused_when_something_depends_on_it(tenant_a, base_year):
    fm = principal(tenant_a, "finance_manager")
    y = base_year + 4
    year, _closing = _closed_year(tenant_a, fm, y)
    # the result moved to prior-year retained earnings in the next year
    transfer = actions.create_entry(
        fm, journal_id="GEN", date=dt.date(y + 1, 1, 2), lines=lines(("4212", 600, 0), ("4211", 0, 600))
    )
    actions.post_entry(fm, transfer.pk)
    with pytest.raises(ValidationError, match="421"):
        actions.undo_year_closing(fm, year.pk)
    actions.reverse_entry(fm, transfer.pk, date=dt.date(y + 1, 1, 3))
    # a later closed year
    nxt = _year_pk(tenant_a, y + 1)
    _close(fm, nxt)
    with pytest.raises(ValidationError, match="later fiscal year"):
        actions.undo_year_closing(fm, year.pk)
    actions.undo_year_closing(fm, nxt)
    # a locked period
    with tenant_context(tenant_a):
        june = FiscalPeriod.objects.get(fiscal_year=year, number=6)
    actions.lock_period(fm, june.pk)
    with pytest.raises(ValidationError, match="locked"):
        actions.undo_year_closing(fm, year.pk)
    with tenant_context(tenant_a):
        year.refresh_from_db()
        assert year.state == "closed"
    assert verify_ledger(tenant_a).ok


def test_undo_year_closing_page_and_api_roles(tenant_a, tenant_b, base_year):
    from novasaas.platform.testing.fixtures import ApiClient, create_user

    fm = principal(tenant_a, "finance_manager")
    y = base_year + 6
    year, _closing = _closed_year(tenant_a, fm, y)
    acc = ApiClient(tenant_a, create_user(tenant_a, "accountant"))
    url = f"{URL}/fiscal-years/{year.pk}/undo-closing"
    assert acc.post(url, {}).status_code == 403
    other = fm_client(tenant_b)
    assert other.post(url, {}).status_code == 404
    c = fm_client(tenant_a)
    r = c.post(url, {"reason": "sai"})
    assert r.status_code == 200 and len(r.json()) == 2
    r = c.post(url, {})
    assert r.status_code == 400 and "chưa khóa sổ" in r.json()["detail"][0]
    with after_the_years():
        assert c.post(f"{URL}/fiscal-years/{year.pk}/close").status_code == 200
    years = {y_["id"]: y_["state"] for y_ in c.get(f"{URL}/fiscal-years").json()}
    assert years[year.pk] == "closed"


def test_undo_year_closing_page(tenant_a, base_year):
    from novasaas.platform.testing.fixtures import create_user, web_client

    fm = principal(tenant_a, "finance_manager")
    y = base_year + 8
    year, _closing = _closed_year(tenant_a, fm, y)
    web = web_client(tenant_a, create_user(tenant_a, "finance_manager"))
    page = web.get("/accounting/periods/", HTTP_ACCEPT_LANGUAGE="vi").content.decode()
    assert "Hủy kết chuyển cuối năm" in page and f"/accounting/years/{year.pk}/undo-closing/" in page
    acc_web = web_client(tenant_a, create_user(tenant_a, "accountant"))
    assert f"/accounting/years/{year.pk}/undo-closing/" not in acc_web.get("/accounting/periods/").content.decode()
    assert acc_web.post(f"/accounting/years/{year.pk}/undo-closing/").status_code == 403
    r = web.post(f"/accounting/years/{year.pk}/undo-closing/", {"reason": "sai"}, HTTP_ACCEPT_LANGUAGE="vi")
    assert r.status_code == 302
    with tenant_context(tenant_a):
        year.refresh_from_db()
        assert year.state == "open"
    r = web.post(f"/accounting/years/{year.pk}/undo-closing/", follow=True, HTTP_ACCEPT_LANGUAGE="vi")
    assert "Năm tài chính này chưa khóa sổ cuối năm." in r.content.decode()


def test_closing_is_gross_per_account_then_next_year_opens_and_carries_forward(tenant_a, base_year):
    """Revenue 700 and 50 (two accounts), costs 300 and 100: 911 gets 750 on credit and 400 on debit
    (each account's balance), not the net 350; 4212 holds 350, carried to 4211 at the new year."""
    from novasaas.accounting.models import JournalEntry, JournalLine

    fm = principal(tenant_a, "finance_manager")
    actions.ensure_chart(tenant_a)
    y = base_year + 10
    actions.create_fiscal_year(fm, dt.date(y, 1, 1))
    day = dt.date(y, 6, 1)
    for rows in [
        (("1111", 700, 0), ("5111", 0, 700)),
        (("1111", 50, 0), ("515", 0, 50)),
        (("632", 300, 0), ("1111", 0, 300)),
        (("6422", 100, 0), ("1111", 0, 100)),
    ]:
        actions.post_entry(fm, actions.create_entry(fm, journal_id="GEN", date=day, lines=lines(*rows)).pk)
    with tenant_context(tenant_a):
        year = FiscalYear.objects.get(start_date=dt.date(y, 1, 1))
        FiscalYear.objects.filter(start_date__gt=year.end_date).delete()  # no later year yet
    with (
        pytest.raises(ValidationError, match="31/12"),
        mock.patch("django.utils.timezone.localdate", return_value=dt.date(y, 12, 30)),
    ):
        actions.close_fiscal_year(fm, year.pk)
    with mock.patch("django.utils.timezone.localdate", return_value=dt.date(y, 12, 31)):
        first, transfer = actions.close_fiscal_year(fm, year.pk)  # on the last day: allowed
    with tenant_context(tenant_a):
        moved = list(
            JournalLine.objects.filter(entry=first, account__code="911").values_list("debit", "credit").order_by("id")
        )
        assert sorted(moved) == [(0, 50), (0, 700), (100, 0), (300, 0)]
        assert sum(d for d, _c in moved) == 400 and sum(c for _d, c in moved) == 750
    # the first date of the next year opens it (no "no fiscal period" error), and 4212 → 4211 is offered
    with tenant_context(tenant_a):
        FiscalYear.objects.filter(start_date=dt.date(y + 1, 1, 1)).delete()
    e = actions.create_entry(
        fm, journal_id="GEN", date=dt.date(y + 1, 1, 5), lines=lines(("1111", 1, 0), ("4111", 0, 1))
    )
    assert e.period.start_date == dt.date(y + 1, 1, 1)
    with pytest.raises(ValidationError):  # far ahead is a typo, not a year to open
        actions.create_entry(
            fm, journal_id="GEN", date=dt.date(y + 3, 1, 5), lines=lines(("1111", 1, 0), ("4111", 0, 1))
        )
    with tenant_context(tenant_a):
        new_year = FiscalYear.objects.get(start_date=dt.date(y + 1, 1, 1))
    web = __import__("novasaas.platform.testing.fixtures", fromlist=["web_client"])
    page = web.web_client(tenant_a, web.create_user(tenant_a, "finance_manager")).get("/accounting/periods/")
    assert f"/accounting/years/{new_year.pk}/carry-forward/" in page.content.decode()
    carried = actions.carry_forward_result(fm, new_year.pk)
    assert carried is not None and carried.date == dt.date(y + 1, 1, 1)
    tb = selectors.trial_balance(tenant_a, dt.date(y + 1, 1, 1), dt.date(y + 1, 1, 31))
    closing = {r.account.code: (r.closing_debit, r.closing_credit) for r in tb.rows}
    assert closing["4212"] == (0, 0) and closing["4211"] == (0, Decimal(350))
    assert actions.carry_forward_result(fm, new_year.pk) is None  # done once
    with tenant_context(tenant_a):
        assert JournalEntry.objects.filter(memo__contains="4211").count() == 1
