"""Accounting API (/api/v1/accounting/): thin endpoints over actions, selectors and reports."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import File, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from novasaas.accounting import actions, reports, selectors
from novasaas.accounting.charts import ROLES
from novasaas.accounting.excel import XLSX_TYPE, EntryImportError, import_entries
from novasaas.accounting.schemas import (
    Account,
    AccountCreate,
    AccountLedger,
    AccountUpdate,
    Chart,
    Entry,
    EntryCreate,
    EntryListItem,
    EntryUpdate,
    FiscalYear,
    FiscalYearCreate,
    ImportErrors,
    ImportResult,
    Journal,
    JournalCreate,
    MappingIn,
    MappingOut,
    PartyBalanceOut,
    Period,
    RejectIn,
    ReverseIn,
    SafeDate,
    SettingsIn,
    SettingsOut,
    Statement,
    TaxRateCreate,
    TaxRateOut,
    TemplateIn,
    TrialBalance,
    VatListing,
    VatReturn,
)
from novasaas.identity.access import Principal
from novasaas.platform.api import ErrorOut, Id, module_auth

router = Router(tags=["accounting"], auth=module_auth("ACC"))
E = {400: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _p(request: HttpRequest, perm: str) -> Principal:
    principal: Principal = request.auth  # type: ignore[attr-defined]
    principal.require(perm)
    actions.ensure_chart(principal.tenant)
    return principal


def _lines(data: Any) -> list[dict[str, Any]]:
    return [line.model_dump() for line in data]


# --- chart -------------------------------------------------------------------------------------------


@router.get("/chart", response=Chart)
def get_chart(request: HttpRequest) -> Any:
    p = _p(request, "acc.ledger.view")
    return selectors.get_chart(p.tenant)


@router.post("/chart/template", response={200: Chart, **E})
def set_template(request: HttpRequest, data: TemplateIn) -> Any:
    """Switch the chart to another template (Circular 133 or 99) while the ledger is empty."""
    p = _p(request, "acc.coa.configure")
    return actions.apply_chart_template(p, data.template)


class AccountFilter(Schema):
    q: str = Field(default="", max_length=100)
    include_inactive: bool = True
    postable: bool = False


@router.get("/accounts", response=list[Account])
def list_accounts(request: HttpRequest, filters: Query[AccountFilter]) -> Any:
    """The chart as a flat list in code order (``parent_id`` and ``level`` give the tree)."""
    p = _p(request, "acc.ledger.view")
    return selectors.list_accounts(
        p.tenant, q=filters.q, include_inactive=filters.include_inactive, postable=filters.postable
    )


@router.post("/accounts", response={201: Account, **E})
def create_account(request: HttpRequest, data: AccountCreate) -> Any:
    p = _p(request, "acc.coa.configure")
    return 201, actions.create_account(p, **data.model_dump())


@router.get("/accounts/{int:account_id}", response={200: Account, **E})
def get_account(request: HttpRequest, account_id: Id) -> Any:
    p = _p(request, "acc.ledger.view")
    return selectors.get_account(p.tenant, account_id)


@router.patch("/accounts/{int:account_id}", response={200: Account, **E})
def update_account(request: HttpRequest, account_id: Id, data: AccountUpdate) -> Any:
    p = _p(request, "acc.coa.configure")
    return actions.update_account(p, account_id, **data.model_dump(exclude_unset=True))


@router.post("/accounts/{int:account_id}/deactivate", response={200: Account, **E})
def deactivate_account(request: HttpRequest, account_id: Id) -> Any:
    p = _p(request, "acc.coa.configure")
    return actions.set_account_active(p, account_id, False)


@router.post("/accounts/{int:account_id}/activate", response={200: Account, **E})
def activate_account(request: HttpRequest, account_id: Id) -> Any:
    p = _p(request, "acc.coa.configure")
    return actions.set_account_active(p, account_id, True)


@router.delete("/accounts/{int:account_id}", response={204: None, **E})
def delete_account(request: HttpRequest, account_id: Id) -> Any:
    """Refused (400) for an account with entries, sub-accounts, or from the chart template."""
    p = _p(request, "acc.coa.configure")
    actions.delete_account(p, account_id)
    return 204, None


class LedgerQuery(Schema):
    date_from: SafeDate | None = None
    date_to: SafeDate | None = None


@router.get("/accounts/{int:account_id}/ledger", response={200: AccountLedger, **E})
def account_ledger(request: HttpRequest, account_id: Id, filters: Query[LedgerQuery]) -> Any:
    """Posted lines of the account (and sub-accounts) with a running balance."""
    p = _p(request, "acc.ledger.view")
    ledger = selectors.account_ledger(p.tenant, account_id, filters.date_from, filters.date_to)
    return {
        "account_id": ledger.account.pk,
        "code": ledger.account.code,
        "date_from": ledger.date_from,
        "date_to": ledger.date_to,
        "opening": ledger.opening,
        "debit": ledger.debit,
        "credit": ledger.credit,
        "closing": ledger.closing,
        "rows": ledger.rows,
    }


@router.get("/mappings", response=list[MappingOut])
def list_mappings(request: HttpRequest) -> Any:
    """Posting roles and the account each resolves to (tenant mapping or template default)."""
    p = _p(request, "acc.ledger.view")
    return [
        {
            "role": r["role"],
            "account_id": r["account"].pk if r["account"] else None,
            "account_code": r["account"].code if r["account"] else "",
            "explicit": r["explicit"],
        }
        for r in selectors.role_mappings(p.tenant)
    ]


@router.put("/mappings/{role}", response={200: MappingOut, **E})
def set_mapping(request: HttpRequest, role: str, data: MappingIn) -> Any:
    p = _p(request, "acc.coa.configure")
    if role not in ROLES:
        return 404, {"detail": "unknown role"}
    m = actions.set_account_mapping(p, role, data.account_id)
    return {"role": m.role, "account_id": m.account_id, "account_code": m.account.code, "explicit": True}


@router.get("/settings", response=SettingsOut)
def get_settings(request: HttpRequest) -> Any:
    p = _p(request, "acc.ledger.view")
    return selectors.get_settings(p.tenant)


@router.patch("/settings", response={200: SettingsOut, **E})
def update_settings(request: HttpRequest, data: SettingsIn) -> Any:
    p = _p(request, "acc.coa.configure")
    return actions.update_settings(p, approval_threshold=data.approval_threshold)


# --- fiscal years and periods ---------------------------------------------------------------------------


@router.get("/fiscal-years", response=list[FiscalYear])
def list_years(request: HttpRequest) -> Any:
    p = _p(request, "acc.ledger.view")
    return list(selectors.list_years(p.tenant))


@router.post("/fiscal-years", response={201: FiscalYear, **E})
def create_year(request: HttpRequest, data: FiscalYearCreate) -> Any:
    """Twelve monthly periods from ``start_date`` (first day of a month)."""
    p = _p(request, "acc.period.configure")
    return 201, actions.create_fiscal_year(p, data.start_date)


@router.post("/periods/{int:period_id}/close", response={200: Period, **E})
def close_period(request: HttpRequest, period_id: Id) -> Any:
    p = _p(request, "acc.period.close")
    return actions.close_period(p, period_id)


@router.post("/periods/{int:period_id}/reopen", response={200: Period, **E})
def reopen_period(request: HttpRequest, period_id: Id) -> Any:
    p = _p(request, "acc.period.close")
    return actions.reopen_period(p, period_id)


@router.post("/periods/{int:period_id}/lock", response={200: Period, **E})
def lock_period(request: HttpRequest, period_id: Id) -> Any:
    """Irreversible; only a closed period can be locked."""
    p = _p(request, "acc.period.close")
    return actions.lock_period(p, period_id)


# --- journals ---------------------------------------------------------------------------------------------


@router.get("/journals", response=list[Journal])
def list_journals(request: HttpRequest) -> Any:
    p = _p(request, "acc.ledger.view")
    return list(selectors.list_journals(p.tenant))


@router.post("/journals", response={201: Journal, **E})
def create_journal(request: HttpRequest, data: JournalCreate) -> Any:
    p = _p(request, "acc.coa.configure")
    return 201, actions.create_journal(p, **data.model_dump())


# --- entries ----------------------------------------------------------------------------------------------


class EntryFilter(Schema):
    journal_id: Id | None = None
    state: str = Field(default="", pattern=r"^(|draft|pending|posted)$")
    date_from: SafeDate | None = None
    date_to: SafeDate | None = None
    account_id: Id | None = None
    q: str = Field(default="", max_length=100)
    source_type: str = Field(default="", max_length=60)


@router.get("/entries", response=list[EntryListItem])
@paginate(LimitOffsetPagination)
def list_entries(request: HttpRequest, filters: Query[EntryFilter]) -> Any:
    p = _p(request, "acc.ledger.view")
    return selectors.list_entries(p.tenant, **filters.model_dump())


@router.post("/entries", response={201: Entry, **E})
def create_entry(request: HttpRequest, data: EntryCreate) -> Any:
    """A draft entry; with ``post: true`` it is posted at once (or waits for approval above the
    threshold when the author cannot approve)."""
    p = _p(request, "acc.entry.create")
    entry = actions.create_entry(
        p,
        journal_id=data.journal,
        date=data.date,
        lines=_lines(data.lines),
        memo=data.memo,
        source_reference=data.reference,
    )
    if data.post:
        entry = actions.post_entry(p, entry.pk)
    return 201, selectors.get_entry(p.tenant, entry.pk)


@router.post("/entries/import", response={200: ImportResult, 400: ImportErrors, 403: ErrorOut})
def import_file(request: HttpRequest, file: File[UploadedFile], post: bool = True) -> Any:
    """Entries from CSV or xlsx (columns entry, date, journal, account, debit, credit, partner, memo).
    All or nothing, with a line-by-line error report."""
    p = _p(request, "acc.entry.import")
    try:
        created = import_entries(p, file, file.name or "", post=post)
    except EntryImportError as exc:
        return 400, {"detail": "import refused", "errors": exc.as_json()}
    return 200, {"created": len(created), "references": [e.reference or f"#{e.pk}" for e in created]}


@router.get("/entries/{int:entry_id}", response={200: Entry, **E})
def get_entry(request: HttpRequest, entry_id: Id) -> Any:
    p = _p(request, "acc.ledger.view")
    return selectors.get_entry(p.tenant, entry_id)


@router.patch("/entries/{int:entry_id}", response={200: Entry, **E})
def update_entry(request: HttpRequest, entry_id: Id, data: EntryUpdate) -> Any:
    p = _p(request, "acc.entry.create")
    changes = data.model_dump(exclude_unset=True)
    if data.lines is not None:
        changes["lines"] = _lines(data.lines)
    actions.update_entry(p, entry_id, **changes)
    return selectors.get_entry(p.tenant, entry_id)


@router.delete("/entries/{int:entry_id}", response={204: None, **E})
def delete_entry(request: HttpRequest, entry_id: Id) -> Any:
    p = _p(request, "acc.entry.create")
    actions.delete_entry(p, entry_id)
    return 204, None


@router.post("/entries/{int:entry_id}/post", response={200: Entry, **E})
def post_entry(request: HttpRequest, entry_id: Id) -> Any:
    p = _p(request, "acc.entry.create")
    actions.post_entry(p, entry_id)
    return selectors.get_entry(p.tenant, entry_id)


@router.post("/entries/{int:entry_id}/approve", response={200: Entry, **E})
def approve_entry(request: HttpRequest, entry_id: Id) -> Any:
    p = _p(request, "acc.entry.approve")
    actions.approve_entry(p, entry_id)
    return selectors.get_entry(p.tenant, entry_id)


@router.post("/entries/{int:entry_id}/reject", response={200: Entry, **E})
def reject_entry(request: HttpRequest, entry_id: Id, data: RejectIn) -> Any:
    p = _p(request, "acc.entry.approve")
    actions.reject_entry(p, entry_id, data.reason)
    return selectors.get_entry(p.tenant, entry_id)


@router.post("/entries/{int:entry_id}/reverse", response={201: Entry, **E})
def reverse_entry(request: HttpRequest, entry_id: Id, data: ReverseIn) -> Any:
    """Post the linked reversal of a posted entry (Finance Manager)."""
    p = _p(request, "acc.entry.reverse")
    reversal = actions.reverse_entry(p, entry_id, date=data.date, memo=data.memo)
    return 201, selectors.get_entry(p.tenant, reversal.pk)


# --- reports ------------------------------------------------------------------------------------------------


class RangeQuery(Schema):
    date_from: SafeDate | None = None
    date_to: SafeDate | None = None
    format: str = Field(default="json", pattern=r"^(json|xlsx)$")


def _xlsx(content: bytes, name: str) -> HttpResponse:
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
    return response


@router.get("/reports/trial-balance", response={200: TrialBalance, **E})
def trial_balance(request: HttpRequest, filters: Query[RangeQuery]) -> Any:
    """Opening, movements and closing per account for whole periods; ``format=xlsx`` for Excel."""
    from novasaas.accounting import exports

    p = _p(request, "acc.ledger.view")
    tb = selectors.trial_balance(p.tenant, filters.date_from, filters.date_to)
    if filters.format == "xlsx":
        return _xlsx(exports.trial_balance_xlsx(tb), "trial-balance")
    return {
        "date_from": tb.date_from,
        "date_to": tb.date_to,
        "balanced": tb.balanced,
        "totals": tb.totals,
        "rows": [
            {
                "account_id": r.account.pk,
                "code": r.account.code,
                "name": r.account.name_vi,
                "level": r.account.level,
                **{k: getattr(r, k) for k in tb.totals},
            }
            for r in tb.rows
        ],
    }


def _statement(st: reports.Statement) -> dict[str, Any]:
    return {
        "form": st.form,
        "date_from": st.date_from,
        "date_to": st.date_to,
        "lines": st.lines,
        "checks": st.checks,
    }


@router.get("/reports/balance-sheet", response={200: Statement, **E})
def balance_sheet(request: HttpRequest, filters: Query[RangeQuery]) -> Any:
    """B01-DNN at the end of ``date_to``'s period (default today)."""
    from novasaas.accounting import exports

    p = _p(request, "acc.statement.view")
    st = reports.balance_sheet(p.tenant, filters.date_to or dt.date.today())  # noqa: DTZ011
    if filters.format == "xlsx":
        return _xlsx(exports.statement_xlsx(st), "B01-DNN")
    return _statement(st)


@router.get("/reports/income-statement", response={200: Statement, **E})
def income_statement(request: HttpRequest, filters: Query[RangeQuery]) -> Any:
    """B02-DNN over the periods covering the range (default: this year to date)."""
    from novasaas.accounting import exports

    p = _p(request, "acc.statement.view")
    today = dt.date.today()  # noqa: DTZ011
    st = reports.income_statement(p.tenant, filters.date_from or dt.date(today.year, 1, 1), filters.date_to or today)
    if filters.format == "xlsx":
        return _xlsx(exports.statement_xlsx(st), "B02-DNN")
    return _statement(st)


@router.get("/parties/{int:party_id}/balance", response={200: PartyBalanceOut, **E})
def party_balance(request: HttpRequest, party_id: Id) -> Any:
    p = _p(request, "acc.ledger.view")
    bal = selectors.party_balance(p.tenant, party_id)
    return {"party_id": party_id, "receivable": bal.receivable, "payable": bal.payable, "net": bal.net}


# --- taxes ----------------------------------------------------------------------------------------------


@router.get("/tax-rates", response=list[TaxRateOut])
def list_tax_rates(request: HttpRequest) -> Any:
    p = _p(request, "acc.ledger.view")
    return list(selectors.list_tax_rates(p.tenant))


@router.post("/tax-rates", response={201: TaxRateOut, **E})
def create_tax_rate(request: HttpRequest, data: TaxRateCreate) -> Any:
    p = _p(request, "acc.tax.configure")
    return 201, actions.create_tax_rate(p, **data.model_dump())


class TaxQuery(RangeQuery):
    direction: str = Field(default="output", pattern=r"^(output|input)$")


def _month_range(filters: Any) -> tuple[dt.date, dt.date]:
    today = dt.date.today()  # noqa: DTZ011
    start = filters.date_from or dt.date(today.year, today.month, 1)
    return start, filters.date_to or today


@router.get("/reports/vat-listing", response={200: VatListing, **E})
def vat_listing(request: HttpRequest, filters: Query[TaxQuery]) -> Any:
    """Sales (output) or purchase (input) VAT listing; default this month; ``format=xlsx``."""
    from novasaas.accounting import exports, taxes

    p = _p(request, "acc.tax.report")
    start, end = _month_range(filters)
    data = taxes.listing(p.tenant, start, end, filters.direction)
    if filters.format == "xlsx":
        return _xlsx(exports.vat_listing_xlsx(data, filters.direction, start, end), f"vat-{filters.direction}")
    return {"direction": filters.direction, "date_from": start, "date_to": end, **data}


@router.get("/reports/vat-return", response={200: VatReturn, **E})
def vat_return(request: HttpRequest, filters: Query[RangeQuery]) -> Any:
    """Figures of form 01/GTGT for the range (default this month); ``format=xlsx``."""
    from novasaas.accounting import exports, taxes

    p = _p(request, "acc.tax.report")
    start, end = _month_range(filters)
    figures = taxes.vat_return(p.tenant, start, end)
    if filters.format == "xlsx":
        return _xlsx(exports.vat_return_xlsx(figures, start, end), "01-GTGT")
    return {"date_from": start, "date_to": end, "figures": figures}
