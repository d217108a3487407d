"""Excel versions of the reports (the page and the API share them)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import get_language, pgettext
from django.utils.translation import gettext as _

from novasaas.accounting.excel import workbook
from novasaas.accounting.selectors import AccountLedger, TrialBalance


def trial_balance_xlsx(tb: TrialBalance, fmt: str = "xlsx") -> bytes:
    headers = [
        _("Account"),
        _("Name"),
        _("Opening debit"),
        _("Opening credit"),
        _("Debit"),
        _("Credit"),
        _("Closing debit"),
        _("Closing credit"),
    ]
    rows: list[list[Any]] = [
        [
            r.account.code,
            r.account.display_name(get_language() or "vi"),
            r.opening_debit,
            r.opening_credit,
            r.debit,
            r.credit,
            r.closing_debit,
            r.closing_credit,
        ]
        for r in tb.rows
    ]
    t = tb.totals
    rows.append(
        [
            "",
            _("Total"),
            t["opening_debit"],
            t["opening_credit"],
            t["debit"],
            t["credit"],
            t["closing_debit"],
            t["closing_credit"],
        ]
    )
    return _emit(fmt, _("Trial balance"), headers, rows, subtitle=f"{tb.date_from:%d/%m/%Y} – {tb.date_to:%d/%m/%Y}")


def ledger_xlsx(ledger: AccountLedger, fmt: str = "xlsx") -> bytes:
    headers = [_("Date"), _("Entry"), pgettext("accounting", "Description"), _("Debit"), _("Credit"), _("Balance")]
    rows: list[list[Any]] = [["", "", _("Opening balance"), "", "", ledger.opening]]
    rows += [[r.date.isoformat(), r.reference, r.memo, r.debit, r.credit, r.balance] for r in ledger.rows]
    rows.append(["", "", _("Total"), ledger.debit, ledger.credit, ledger.closing])
    title = f"{_('Account ledger')} {ledger.account.code}"
    return _emit(
        fmt, title, headers, rows, subtitle=f"{ledger.account} {ledger.date_from:%d/%m/%Y} – {ledger.date_to:%d/%m/%Y}"
    )


def journal_xlsx(listing: list[Any], fmt: str = "xlsx") -> bytes:
    headers = [_("Date"), _("Entry"), pgettext("accounting", "Description"), _("Account"), _("Debit"), _("Credit")]
    rows: list[list[Any]] = []
    for entry, lines in listing:
        for line in lines:
            rows.append(
                [
                    entry.date.isoformat(),
                    entry.reference,
                    line.memo or entry.memo,
                    line.account.code,
                    line.debit,
                    line.credit,
                ]
            )
    return _emit(fmt, _("General journal"), headers, rows)


def vat_listing_xlsx(data: dict[str, Any], direction: str, start: Any, end: Any, fmt: str = "xlsx") -> bytes:
    headers = [_("Date"), _("Entry"), _("Rate"), _("Partner"), _("Taxable base"), _("Tax"), _("Deductible")]
    rows: list[list[Any]] = [
        [
            t.date.isoformat(),
            t.entry.reference,
            t.rate.code,
            str(t.partner_id or ""),
            t.base,
            t.tax,
            _("yes") if t.deductible else _("no"),
        ]
        for t in data["rows"]
    ]
    rows.append(["", "", "", _("Total"), data["total_base"], data["total_tax"], ""])
    title = _("Sales VAT listing") if direction == "output" else _("Purchase VAT listing")
    return _emit(fmt, title, headers, rows, subtitle=f"{start:%d/%m/%Y} – {end:%d/%m/%Y}")


def vat_return_xlsx(figures: dict[str, Any], start: Any, end: Any, fmt: str = "xlsx") -> bytes:
    from novasaas.accounting.taxes import VAT_RETURN_LABELS

    rows = [[f"[{k}]", VAT_RETURN_LABELS.get(k, ""), v] for k, v in figures.items()]
    return _emit(
        fmt, "01/GTGT", [_("Code"), _("Item"), _("Amount")], rows, subtitle=f"{start:%d/%m/%Y} – {end:%d/%m/%Y}"
    )


def aging_xlsx(tenant: Any, kind: str, as_of: Any, rows: list[Any], total: Any, fmt: str = "xlsx") -> bytes:
    from novasaas.parties import selectors as parties

    names = parties.party_summaries(tenant, [r.party_id for r in rows])
    headers = [_("Party"), _("Current"), "1–30", "31–60", "61–90", "> 90", _("Unapplied"), _("Total")]
    out: list[list[Any]] = []
    for r in [*rows, total]:
        s = names.get(r.party_id)
        label = f"{s.code} {s.name}" if s else (_("Total") if r is total else str(r.party_id))
        b = r.buckets
        out.append([label, b["current"], b["1_30"], b["31_60"], b["61_90"], b["over_90"], r.unapplied, r.total])
    title = _("Receivables aging") if kind == "receivable" else _("Payables aging")
    return _emit(fmt, title, headers, out, subtitle=f"{as_of:%d/%m/%Y}")


def budget_xlsx(budget: Any, rows: list[Any], fmt: str = "xlsx") -> bytes:
    headers = [_("Department / project"), _("Account"), _("Name"), _("Budget"), _("Actual"), _("Variance"), "%"]
    out: list[list[Any]] = [
        [
            f"{r.dimension.code} {r.dimension.name}" if getattr(r, "dimension", None) else _("Whole account"),
            r.account.code,
            r.account.display_name(get_language() or "vi"),
            r.budget,
            r.actual,
            r.variance,
            str(r.used_pct or ""),
        ]
        for r in rows
    ]
    return _emit(fmt, f"{_('Budget vs actual')}: {budget.name}", headers, out)


def _emit(fmt: str, title: str, headers: list[str], rows: list[Any], subtitle: str = "") -> bytes:
    if fmt == "pdf":
        from novasaas.accounting.pdf import render_table

        return render_table(title, headers, rows, subtitle=subtitle)
    return workbook(title, headers, rows, subtitle=subtitle)
