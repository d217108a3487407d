"""Dates typed day first (dd/mm/yyyy) are read as such in every form and filter, in both languages."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone, translation

from novasaas.accounting.forms import EntryForm, RangeForm
from novasaas.accounting.models import JournalEntry
from novasaas.inventory.forms import MovementForm
from novasaas.platform.dates import parse_date
from novasaas.platform.tenancy import tenant_context
from novasaas.platform.testing.fixtures import create_user, web_client


def _day() -> dt.date:
    # a day of the current month whose day number is above 12, so day and month cannot be swapped
    today = timezone.localdate()
    return today.replace(day=13) if today.day < 13 else today


def test_parse_date_reads_day_first_and_iso_and_refuses_impossible_dates():
    assert parse_date("07/12/2026") == dt.date(2026, 12, 7)
    assert parse_date(" 7/1/2027 ") == dt.date(2027, 1, 7)
    assert parse_date("2026-12-07") == dt.date(2026, 12, 7)
    assert parse_date("") is None and parse_date(None) is None
    for bad in ("31/02/2026", "12/31/2026", "hôm qua"):
        with pytest.raises(ValueError):
            parse_date(bad)


@pytest.mark.parametrize("lang", ["vi", "en"])
def test_forms_accept_dd_mm_yyyy_and_iso_and_show_dd_mm_yyyy(lang):
    day = _day()
    with translation.override(lang):
        for typed in (day.strftime("%d/%m/%Y"), day.isoformat()):
            form = RangeForm({"date_from": typed, "date_to": typed})
            assert form.is_valid(), form.errors
            assert form.cleaned_data["date_from"] == day
        bad = RangeForm({"date_from": "31/02/2026"})
        assert not bad.is_valid() and "date_from" in bad.errors
        html = str(EntryForm(initial={"date": day})["date"])
        assert 'type="text"' in html and "data-datepicker" in html and f'value="{day:%d/%m/%Y}"' in html
        assert "data-datepicker" in str(MovementForm.base_fields["date"].widget.render("date", day))


@pytest.mark.django_db
@pytest.mark.parametrize("lang", ["vi", "en"])
def test_journal_entry_page_saves_the_day_typed_day_first(tenant_a, lang):
    user = create_user(tenant_a, "accountant")
    web = web_client(tenant_a, user)
    web.cookies["novasaas_language"] = lang
    day = _day()
    page = web.get("/accounting/entries/new/").content.decode()
    assert 'placeholder="dd/mm/yyyy"' in page and 'type="date"' not in page
    data = {
        "journal": "GEN",
        "date": day.strftime("%d/%m/%Y"),
        "memo": "Ngày gõ kiểu Việt Nam",
        "lines-TOTAL_FORMS": "2",
        "lines-INITIAL_FORMS": "0",
        "lines-0-account": "6422",
        "lines-0-debit": "50000",
        "lines-1-account": "1111",
        "lines-1-credit": "50000",
        "save": "1",
    }
    r = web.post("/accounting/entries/new/", data)
    assert r.status_code == 302, r.content.decode()[:1500]
    with tenant_context(tenant_a):
        assert JournalEntry.objects.get(memo="Ngày gõ kiểu Việt Nam").date == day
    # the entry list filter takes the same form and shows it back day first
    listing = web.get(
        "/accounting/entries/", {"date_from": day.strftime("%d/%m/%Y"), "date_to": day.strftime("%d/%m/%Y")}
    )
    text = listing.content.decode()
    assert "Ngày gõ kiểu Việt Nam" in text and f'value="{day:%d/%m/%Y}"' in text
    before = web.get("/accounting/entries/", {"date_to": (day - dt.timedelta(days=1)).strftime("%d/%m/%Y")})
    assert "Ngày gõ kiểu Việt Nam" not in before.content.decode()
    # a nonsense date is refused with a message, nothing breaks
    bad = web.post("/accounting/entries/new/", {**data, "date": "31/02/2026", "memo": "không hợp lệ"})
    assert bad.status_code == 400
    with tenant_context(tenant_a):
        assert not JournalEntry.objects.filter(memo="không hợp lệ").exists()


@pytest.mark.django_db
def test_report_and_audit_filters_read_day_first(tenant_a, admin_a):
    web = web_client(tenant_a, admin_a)
    day = _day()
    typed = day.strftime("%d/%m/%Y")
    page = web.get("/inventory/reports/in-out/", {"from": typed, "to": typed}).content.decode()
    assert f'value="{typed}"' in page and "data-datepicker" in page
    audit = web.get("/settings/audit/", {"since": typed}).content.decode()
    assert f'value="{typed}"' in audit
    stock = web.get("/accounting/reports/stock-reconciliation/", {"as_of": typed}).content.decode()
    assert f'value="{typed}"' in stock and "Enter a valid date" not in stock
