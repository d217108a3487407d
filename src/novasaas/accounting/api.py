"""Accounting API (/api/v1/accounting/): thin endpoints over actions, selectors and reports."""

import datetime as dt
from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import File, Form, Query, Router, Schema
from ninja.files import UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate
from pydantic import Field

from novasaas.accounting import actions, reports, selectors
from novasaas.accounting.charts import ROLES
from novasaas.accounting.excel import XLSX_TYPE, EntryImportError, import_entries
from novasaas.accounting.schemas import (
    Account,
    AccountCreate,
    AccountingImportResult,
    AccountingSettingsIn,
    AccountingSettingsOut,
    AccountLedger,
    AccountUpdate,
    Aging,
    AllocateIn,
    AllocationOut,
    AsOfQuery,
    AttachmentOut,
    BankAccountCreate,
    BankAccountOut,
    BankTransactionOut,
    BudgetCreate,
    BudgetLinesIn,
    BudgetOut,
    BudgetReport,
    Chart,
    CostOut,
    CostPostIn,
    CostQuery,
    DimensionCreate,
    DimensionOut,
    DimensionUpdate,
    Entry,
    EntryCreate,
    EntryListItem,
    EntryUpdate,
    ExchangeRateCreate,
    ExchangeRateOut,
    ExchangeRateUpdate,
    ExpenseIn,
    FiscalYear,
    FiscalYearCreate,
    ImportErrors,
    Journal,
    JournalCreate,
    JournalListingEntry,
    MappingIn,
    MappingOut,
    MatchIn,
    OpeningBalanceIn,
    OpenItemOut,
    PartyBalanceOut,
    PaymentCreate,
    PaymentOut,
    Period,
    ProposalOut,
    ReconciliationOut,
    RejectIn,
    ReminderIn,
    ReminderOut,
    RevaluationIn,
    RevaluationOut,
    RevenueIn,
    ReverseIn,
    SafeDate,
    Statement,
    StatementImportResult,
    StatementPreviewOut,
    StatementProfileCreate,
    StatementProfileOut,
    StockAccountIn,
    StockAccountsOut,
    StockReconciliationOut,
    TaxRateCreate,
    TaxRateOut,
    TemplateIn,
    TrialBalance,
    VatFilingCreate,
    VatFilingOut,
    VatListing,
    VatReturn,
)
from novasaas.identity.access import Principal
from novasaas.platform.api import ErrorOut, Id, UnknownIds, module_auth
from novasaas.platform.transactions import no_savepoints

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


def _stock_accounts_out(tenant: Any) -> dict[str, Any]:
    from novasaas.accounting import stock_accounts

    transit = stock_accounts.transit_account(tenant)
    return {
        "transit_account_id": transit.pk if transit else None,
        "transit_account_code": transit.code if transit else "",
        "warehouses": [
            {
                "warehouse_id": w.warehouse_id,
                "warehouse": w.warehouse,
                "is_active": w.is_active,
                "accounts": [
                    {"role": role, "account_id": acc.pk, "account_code": acc.code, "explicit": explicit}
                    for role, (acc, explicit) in w.accounts.items()
                ],
            }
            for w in stock_accounts.list_warehouse_accounts(tenant)
        ],
    }


@router.get("/stock-accounts", response=StockAccountsOut)
def list_stock_accounts(request: HttpRequest) -> Any:
    """Each warehouse's stock account per stock role (its own or the company's) and the account of goods
    in transit between warehouses (null: they stay in the source's account until received)."""
    p = _p(request, "acc.ledger.view")
    return _stock_accounts_out(p.tenant)


@router.put("/stock-accounts/warehouses/{int:warehouse_id}/{role}", response={200: StockAccountsOut, **E})
def set_warehouse_stock_account(request: HttpRequest, warehouse_id: int, role: str, data: StockAccountIn) -> Any:
    """Map a warehouse's goods of a stock role (``inventory``, ``raw_materials`` …) to its own account;
    ``account_id: null`` goes back to the company's account (Finance Manager)."""
    from novasaas.accounting import stock_accounts

    p = _p(request, "acc.coa.configure")
    stock_accounts.set_warehouse_account(p, warehouse_id, role, data.account_id)
    return _stock_accounts_out(p.tenant)


@router.put("/stock-accounts/transit", response={200: StockAccountsOut, **E})
def set_transit_stock_account(request: HttpRequest, data: StockAccountIn) -> Any:
    """The account of goods in transit between warehouses (e.g. 151), or null (Finance Manager)."""
    from novasaas.accounting import stock_accounts

    p = _p(request, "acc.coa.configure")
    stock_accounts.set_transit_account(p, data.account_id)
    return _stock_accounts_out(p.tenant)


@router.get("/settings", response=AccountingSettingsOut)
def get_settings(request: HttpRequest) -> Any:
    p = _p(request, "acc.ledger.view")
    return selectors.get_settings(p.tenant)


@router.patch("/settings", response={200: AccountingSettingsOut, **E})
def update_settings(request: HttpRequest, data: AccountingSettingsIn) -> Any:
    p = _p(request, "acc.coa.configure")
    return actions.update_settings(p, approval_threshold=data.approval_threshold, vat_period=data.vat_period)


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


@router.post("/fiscal-years/{int:year_id}/close", response={200: list[EntryListItem], **E})
def close_year(request: HttpRequest, year_id: Id) -> Any:
    """Year-end closing: revenues and expenses to 911, the result to 421, every period closed."""
    p = _p(request, "acc.period.close")
    return actions.close_fiscal_year(p, year_id)


@router.post("/fiscal-years/{int:year_id}/carry-forward", response={200: list[EntryListItem], **E})
def carry_forward(request: HttpRequest, year_id: Id) -> Any:
    """At the new year: the balance of 4212 (result of the closed year) moves to 4211. The entry posted
    (empty list when 4212 holds nothing); 400 while the previous year is open."""
    p = _p(request, "acc.period.close")
    entry = actions.carry_forward_result(p, year_id)
    return [entry] if entry is not None else []


@router.post("/fiscal-years/{int:year_id}/undo-closing", response={200: list[EntryListItem], **E})
def undo_year_closing(request: HttpRequest, year_id: Id, data: RejectIn | None = None) -> Any:
    """Undo a year-end closing: the closing entries are reversed, the year and its last period reopen.
    Refused (400) when a period is locked, a later year is closed or a later entry moved 421."""
    p = _p(request, "acc.period.close")
    return actions.undo_year_closing(p, year_id, reason=data.reason if data else "")


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
    _require_filter_ids(p, journal_id=filters.journal_id, account_id=filters.account_id)
    return selectors.list_entries(p.tenant, **filters.model_dump())


def _require_filter_ids(p: Principal, *, journal_id: int | None = None, account_id: int | None = None) -> None:
    """A filter naming a journal or an account this company does not have is a 404 naming it, not an
    empty list that reads as "nothing posted there"."""
    from novasaas.accounting import models

    unknown = []
    if journal_id and not models.Journal.objects.filter(tenant=p.tenant, pk=journal_id).exists():
        unknown.append(_("journal %(id)s") % {"id": journal_id})
    if account_id and not models.Account.objects.filter(tenant=p.tenant, pk=account_id).exists():
        unknown.append(_("account %(id)s") % {"id": account_id})
    if unknown:
        raise UnknownIds(_("Unknown %(what)s.") % {"what": ", ".join(unknown)})


@router.post("/entries", response={201: Entry, **E})
def create_entry(request: HttpRequest, data: EntryCreate) -> Any:
    """A draft entry; with ``post: true`` it is posted at once (or waits for approval above the
    threshold when the author cannot approve)."""
    p = _p(request, "acc.entry.create")
    with no_savepoints():  # an error answers 4xx, and the request's transaction rolls back whole
        entry = actions.create_entry(
            p,
            journal_id=data.journal,
            date=data.date,
            lines=_lines(data.lines),
            memo=data.memo,
            source_reference=data.reference,
            post=data.post,
        )
    return 201, entry  # built from the objects in memory (its lines included), not read again


@router.post(
    "/entries/import",
    response={200: AccountingImportResult, 400: ImportErrors, 403: ErrorOut, 413: ImportErrors},
)
def import_file(request: HttpRequest, file: File[UploadedFile], post: bool = True) -> Any:
    """Entries from CSV or xlsx (columns entry, date, journal, account, debit, credit, partner, memo).
    All or nothing, with a line-by-line error report."""
    p = _p(request, "acc.entry.import")
    try:
        created = import_entries(p, file, file.name or "", post=post)
    except EntryImportError as exc:
        return exc.status, {"detail": exc.detail, "errors": exc.as_json()}
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


# --- attachments --------------------------------------------------------------------------------------------


@router.get("/entries/{int:entry_id}/attachments", response={200: list[AttachmentOut], **E})
def list_attachments(request: HttpRequest, entry_id: Id) -> Any:
    from novasaas.accounting import attachments

    p = _p(request, "acc.ledger.view")
    return attachments.list_attachments(p.tenant, entry_id)


@router.post("/entries/{int:entry_id}/attachments", response={201: AttachmentOut, **E})
def add_attachment(request: HttpRequest, entry_id: Id, file: File[UploadedFile]) -> Any:
    """Attach an invoice or receipt (PDF, JPEG, PNG, WebP; at most 10 MB) to an entry in any state."""
    from novasaas.accounting import attachments

    p = _p(request, "acc.entry.create")
    return 201, attachments.add_attachment(p, entry_id, file, file.name or "")


@router.get("/entries/{int:entry_id}/attachments/{int:attachment_id}/download", response={200: None, **E})
def download_attachment(request: HttpRequest, entry_id: Id, attachment_id: Id) -> Any:
    from novasaas.accounting import attachments

    p = _p(request, "acc.ledger.view")
    return attachment_response(attachments.get_attachment(p.tenant, entry_id, attachment_id))


@router.delete("/entries/{int:entry_id}/attachments/{int:attachment_id}", response={204: None, **E})
def delete_attachment(request: HttpRequest, entry_id: Id, attachment_id: Id) -> Any:
    """Only while the entry is a draft."""
    from novasaas.accounting import attachments

    p = _p(request, "acc.entry.create")
    attachments.delete_attachment(p, entry_id, attachment_id)
    return 204, None


def attachment_response(att: Any) -> Any:
    """The stored file as a download (never rendered inline from our origin)."""
    from django.http import FileResponse

    from novasaas.accounting import attachments

    response = FileResponse(
        attachments.open_file(att), as_attachment=True, filename=att.name, content_type=att.content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    return response


# --- reports ------------------------------------------------------------------------------------------------


class RangeQuery(Schema):
    date_from: SafeDate | None = None
    date_to: SafeDate | None = None
    format: str = Field(default="json", pattern=r"^(json|xlsx|pdf)$")


def _export(fmt: str, build: Any, name: str) -> HttpResponse:
    """Excel or PDF of a report (503 when the machine has no Unicode font for PDF)."""
    from novasaas.accounting.pdf import PdfUnavailable

    if fmt == "pdf":
        try:
            response = HttpResponse(build("pdf"), content_type="application/pdf")
        except PdfUnavailable as exc:
            return JsonResponse({"detail": str(exc)}, status=503)
        response["Content-Disposition"] = f'attachment; filename="{name}.pdf"'
        return response
    return _xlsx(build("xlsx"), name)


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
    if filters.format in ("xlsx", "pdf"):
        return _export(filters.format, lambda fmt: exports.trial_balance_xlsx(tb, fmt=fmt), "trial-balance")
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


class JournalQuery(RangeQuery):
    journal_id: Id | None = None


@router.get("/reports/journal", response={200: list[JournalListingEntry], **E})
def general_journal(request: HttpRequest, filters: Query[JournalQuery]) -> Any:
    """The general journal (sổ nhật ký chung): posted entries with their lines in date and posting order,
    optionally of one journal (at most 2,000 entries; default this year to date); ``format=xlsx|pdf``."""
    from novasaas.accounting import exports

    p = _p(request, "acc.ledger.view")
    _require_filter_ids(p, journal_id=filters.journal_id)
    listing = selectors.journal_listing(p.tenant, filters.date_from, filters.date_to, filters.journal_id)
    if filters.format in ("xlsx", "pdf"):
        return _export(filters.format, lambda fmt: exports.journal_xlsx(listing, fmt=fmt), "general-journal")
    out = []
    for entry, lines in listing:
        entry.listing_lines = lines  # type: ignore[attr-defined]
        out.append(entry)
    return out


def _statement(st: reports.Statement) -> dict[str, Any]:
    from novasaas.accounting.statutory import FORMS

    return {
        "form": st.form,
        "number": FORMS[st.form][st.regime][0],
        "regime": st.regime,
        "date_from": st.date_from,
        "date_to": st.date_to,
        "lines": st.lines,
        "checks": st.checks,
        "warnings": st.warnings,
    }


@router.get("/reports/balance-sheet", response={200: Statement, **E})
def balance_sheet(request: HttpRequest, filters: Query[RangeQuery]) -> Any:
    """B01-DNN at the end of ``date_to``'s period (default today)."""
    from novasaas.accounting import statutory

    p = _p(request, "acc.statement.view")
    st = reports.balance_sheet(p.tenant, filters.date_to or timezone.localdate())
    if filters.format in ("xlsx", "pdf"):
        return _export(filters.format, lambda fmt: statutory.export(p.tenant, st, fmt), "B01-DNN")
    return _statement(st)


@router.get("/reports/income-statement", response={200: Statement, **E})
def income_statement(request: HttpRequest, filters: Query[RangeQuery]) -> Any:
    """B02-DNN over the periods covering the range (default: this year to date)."""
    from novasaas.accounting import statutory

    p = _p(request, "acc.statement.view")
    today = timezone.localdate()
    st = reports.income_statement(p.tenant, filters.date_from or dt.date(today.year, 1, 1), filters.date_to or today)
    if filters.format in ("xlsx", "pdf"):
        return _export(filters.format, lambda fmt: statutory.export(p.tenant, st, fmt), "B02-DNN")
    return _statement(st)


@router.get("/reports/cash-flow", response={200: Statement, **E})
def cash_flow(request: HttpRequest, filters: Query[RangeQuery]) -> Any:
    """B03-DNN (indirect method) over the periods covering the range (default: this year to date)."""
    from novasaas.accounting import statutory

    p = _p(request, "acc.statement.view")
    today = timezone.localdate()
    st = reports.cash_flow(p.tenant, filters.date_from or dt.date(today.year, 1, 1), filters.date_to or today)
    if filters.format in ("xlsx", "pdf"):
        return _export(filters.format, lambda fmt: statutory.export(p.tenant, st, fmt), "B03-DNN")
    return _statement(st)


@router.get("/parties/{int:party_id}/balance", response={200: PartyBalanceOut, **E})
def party_balance(request: HttpRequest, party_id: Id) -> Any:
    """The party's posted receivable and payable balance; 404 for an id that is no party of this company."""
    p = _p(request, "acc.ledger.view")
    _require_parties(p, [party_id])
    bal = selectors.party_balance(p.tenant, party_id)
    return {"party_id": party_id, "receivable": bal.receivable, "payable": bal.payable, "net": bal.net}


def _require_parties(p: Principal, party_ids: list[int]) -> None:
    """404 naming the ids that are no party of this company (an id of another company is unknown here)."""
    from novasaas.parties import selectors as parties

    unknown = sorted(pid for pid, found in parties.resolve_party_ids(p.tenant, party_ids).items() if found is None)
    if unknown:
        raise UnknownIds(_("Unknown parties: %(ids)s.") % {"ids": ", ".join(map(str, unknown))})


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
    today = timezone.localdate()
    start = filters.date_from or dt.date(today.year, today.month, 1)
    return start, filters.date_to or today


# --- multi-currency ----------------------------------------------------------------------------------------


class RateQuery(Schema):
    currency: str = Field(default="", max_length=3)


@router.get("/exchange-rates", response=list[ExchangeRateOut])
@paginate(LimitOffsetPagination)
def list_exchange_rates(request: HttpRequest, filters: Query[RateQuery]) -> Any:
    """The exchange-rate table (VND per unit), newest first per currency."""
    from novasaas.accounting import fx

    p = _p(request, "acc.ledger.view")
    return fx.list_rates(p.tenant, filters.currency)


class RateLookup(Schema):
    currency: str = Field(min_length=3, max_length=3)
    date: SafeDate


@router.get("/exchange-rates/lookup", response={200: ExchangeRateOut, **E})
def lookup_exchange_rate(request: HttpRequest, filters: Query[RateLookup]) -> Any:
    """The rate a posting on ``date`` uses: the latest on or before it (404 when there is none)."""
    from novasaas.accounting import fx

    p = _p(request, "acc.ledger.view")
    found = fx.get_rate(p.tenant, filters.currency, filters.date)
    if found is None:
        return 404, {"detail": _("No exchange rate for %(cur)s on or before this date.") % {"cur": filters.currency}}
    return found


@router.post("/exchange-rates", response={201: ExchangeRateOut, **E})
def create_exchange_rate(request: HttpRequest, data: ExchangeRateCreate) -> Any:
    from novasaas.accounting import fx

    p = _p(request, "acc.coa.configure")
    return 201, fx.create_rate(p, **data.model_dump())


@router.get("/exchange-rates/{int:rate_id}", response={200: ExchangeRateOut, **E})
def get_exchange_rate(request: HttpRequest, rate_id: Id) -> Any:
    from novasaas.accounting import fx

    p = _p(request, "acc.ledger.view")
    return fx.get_rate_row(p.tenant, rate_id)


@router.patch("/exchange-rates/{int:rate_id}", response={200: ExchangeRateOut, **E})
def update_exchange_rate(request: HttpRequest, rate_id: Id, data: ExchangeRateUpdate) -> Any:
    from novasaas.accounting import fx

    p = _p(request, "acc.coa.configure")
    return fx.update_rate(p, rate_id, rate=data.rate)


@router.delete("/exchange-rates/{int:rate_id}", response={204: None, **E})
def delete_exchange_rate(request: HttpRequest, rate_id: Id) -> Any:
    from novasaas.accounting import fx

    p = _p(request, "acc.coa.configure")
    fx.delete_rate(p, rate_id)
    return 204, None


@router.post(
    "/exchange-rates/import", response={200: AccountingImportResult, 400: ErrorOut, 403: ErrorOut, 413: ImportErrors}
)
def import_exchange_rates(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """CSV or Excel with columns currency, date, rate: all or nothing; existing rates are replaced."""
    from novasaas.accounting import fx

    p = _p(request, "acc.coa.configure")
    count = fx.import_rates(p, file, file.name or "rates.csv")
    return {"created": count, "references": []}


def _revaluation_out(rev: Any) -> dict[str, Any]:
    return {
        "date": rev.date,
        "rates": rev.rates,
        "missing_rates": rev.missing_rates,
        "rows": [
            {
                "kind": r.kind,
                "account_id": r.account_id,
                "account_code": r.account_code,
                "party_id": r.party_id,
                "line_id": r.line_id,
                "reference": r.reference,
                "currency": r.currency,
                "amount_currency": r.amount_currency,
                "book": r.book,
                "rate": r.rate,
                "revalued": r.revalued,
                "difference": r.difference,
                "gain": r.gain,
            }
            for r in rev.rows
        ],
        "gains": rev.gains,
        "losses": rev.losses,
        "net": rev.net,
        "entry_id": rev.entry.pk if rev.entry else None,
    }


@router.get("/fx-revaluation", response={200: RevaluationOut, **E})
def preview_revaluation(request: HttpRequest, filters: Query[RevaluationIn]) -> Any:
    """What the revaluation of ``date`` posts: open foreign-currency AR/AP items and cash/bank balances
    at that date's rate, with their differences (``entry_id`` when it is already posted)."""
    from novasaas.accounting import fx

    p = _p(request, "acc.period.close")
    return _revaluation_out(fx.revaluation_preview(p.tenant, filters.date))


@router.post("/fx-revaluation", response={201: Entry, **E})
def post_revaluation(request: HttpRequest, data: RevaluationIn) -> Any:
    """Post the revaluation of ``date`` (idempotent per date; refused in a closed period)."""
    from novasaas.accounting import fx

    p = _p(request, "acc.period.close")
    return 201, fx.revalue(p, data.date)


@router.get("/reports/vat-listing", response={200: VatListing, **E})
def vat_listing(request: HttpRequest, filters: Query[TaxQuery]) -> Any:
    """Sales (output) or purchase (input) VAT listing; default this month; ``format=xlsx``."""
    from novasaas.accounting import exports, taxes

    p = _p(request, "acc.tax.report")
    start, end = _month_range(filters)
    data = taxes.listing(p.tenant, start, end, filters.direction)
    if filters.format in ("xlsx", "pdf"):
        return _export(
            filters.format,
            lambda fmt: exports.vat_listing_xlsx(data, filters.direction, start, end, fmt=fmt),
            f"vat-{filters.direction}",
        )
    return {"direction": filters.direction, "date_from": start, "date_to": end, **data}


@router.get("/vat-filings", response={200: list[VatFilingOut], **E})
def list_vat_filings(request: HttpRequest) -> Any:
    """Filed 01/GTGT returns, latest first."""
    from novasaas.accounting.models import VatFiling

    p = _p(request, "acc.tax.report")
    return list(VatFiling.objects.filter(tenant=p.tenant)[:500])


@router.post("/vat-filings", response={201: VatFilingOut, **E})
def file_vat_return(request: HttpRequest, data: VatFilingCreate) -> Any:
    """File the 01/GTGT return of the (ended) filing period starting on ``date_from``, with the refund
    requested [42]; the next period's [22] is then its declared [43]."""
    from novasaas.accounting import taxes

    p = _p(request, "acc.tax.report")
    return 201, taxes.file_vat_return(p, data.date_from, data.refund_requested)


@router.get("/reports/vat-return", response={200: VatReturn, **E})
def vat_return(request: HttpRequest, filters: Query[RangeQuery]) -> Any:
    """Figures of form 01/GTGT for the range (default this month); ``format=xlsx``."""
    from novasaas.accounting import exports, taxes

    p = _p(request, "acc.tax.report")
    start, end = _month_range(filters)
    figures = taxes.vat_return(p.tenant, start, end)
    if filters.format in ("xlsx", "pdf"):
        return _export(filters.format, lambda fmt: exports.vat_return_xlsx(figures, start, end, fmt=fmt), "01-GTGT")
    from novasaas.accounting.models import VatFiling

    filing = VatFiling.objects.filter(tenant=p.tenant, period_start=start, period_end=end).first()
    return {"date_from": start, "date_to": end, "figures": figures, "filing_id": filing.pk if filing else None}


# --- receivables and payables -------------------------------------------------------------------------------


class OpenItemQuery(Schema):
    kind: str = Field(default="receivable", pattern=r"^(receivable|payable)$")
    party_id: Id | None = None
    as_of: SafeDate | None = None


@router.get("/open-items", response={200: list[OpenItemOut], **E})
def list_open_items(request: HttpRequest, filters: Query[OpenItemQuery]) -> Any:
    """Open receivable or payable items (per party with ``party_id``); unapplied payments are negative."""
    from novasaas.accounting import receivables

    p = _p(request, "acc.ledger.view")
    if filters.party_id is not None:
        _require_parties(p, [filters.party_id])
    return receivables.open_items(p.tenant, filters.kind, party_id=filters.party_id, as_of=filters.as_of)


class AgingQuery(Schema):
    kind: str = Field(default="receivable", pattern=r"^(receivable|payable)$")
    as_of: SafeDate | None = None
    format: str = Field(default="json", pattern=r"^(json|xlsx|pdf)$")


def _aging_row(row: Any) -> dict[str, Any]:
    b = row.buckets
    return {
        "party_id": row.party_id,
        "current": b["current"],
        "d1_30": b["1_30"],
        "d31_60": b["31_60"],
        "d61_90": b["61_90"],
        "over_90": b["over_90"],
        "unapplied": row.unapplied,
        "total": row.total,
    }


@router.get("/reports/aging", response={200: Aging, **E})
def aging_report(request: HttpRequest, filters: Query[AgingQuery]) -> Any:
    """AR or AP aging by due date: current, 1–30, 31–60, 61–90, > 90 days, per party and in total."""
    from novasaas.accounting import exports, receivables

    p = _p(request, "acc.aging.view")
    as_of = filters.as_of or timezone.localdate()
    rows, total = receivables.aging(p.tenant, filters.kind, as_of)
    if filters.format in ("xlsx", "pdf"):
        return _export(
            filters.format,
            lambda fmt: exports.aging_xlsx(p.tenant, filters.kind, as_of, rows, total, fmt=fmt),
            f"aging-{filters.kind}",
        )
    return {"kind": filters.kind, "as_of": as_of, "rows": [_aging_row(r) for r in rows], "total": _aging_row(total)}


def _voucher_file(name: str, build: Any) -> HttpResponse:
    from novasaas.accounting.pdf import PdfUnavailable

    try:
        response = HttpResponse(build(), content_type="application/pdf")
    except PdfUnavailable as exc:
        return HttpResponse(str(exc), status=503, content_type="text/plain; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@router.get("/entries/{int:entry_id}/cash-voucher", response={200: None, **E})
def entry_cash_voucher(request: HttpRequest, entry_id: Id) -> Any:
    """The Phiếu thu / Phiếu chi (PDF) of a posted entry that moves cash on hand (111x); 400 for a draft
    or a bank movement."""
    from novasaas.accounting import vouchers

    p = _p(request, "acc.ledger.view")
    entry = selectors.get_entry(p.tenant, entry_id)
    name, content = vouchers.entry_voucher_pdf(p.tenant, entry)
    return _voucher_file(name, lambda: content)


@router.get("/payments/{int:payment_id}/cash-voucher", response={200: None, **E})
def payment_cash_voucher(request: HttpRequest, payment_id: Id) -> Any:
    """The Phiếu thu / Phiếu chi (PDF) of a cash payment; 400 for a bank payment."""
    from novasaas.accounting import receivables, vouchers
    from novasaas.parties import selectors as parties

    p = _p(request, "acc.ledger.view")
    payment = receivables.list_payments(p.tenant).get(pk=payment_id)
    party = parties.party_summaries(p.tenant, [payment.party_id]).get(payment.party_id)
    name = f"{vouchers.FILE_NAMES[payment.kind]}-{payment.pk}.pdf"
    return _voucher_file(name, lambda: vouchers.voucher_pdf(p.tenant, payment, party))


@router.get("/payments", response=list[PaymentOut])
@paginate(LimitOffsetPagination)
def list_payments(request: HttpRequest, state: str = "") -> Any:
    from novasaas.accounting import receivables

    p = _p(request, "acc.ledger.view")
    return receivables.list_payments(p.tenant, state if state in ("pending", "posted", "rejected") else "")


@router.post("/payments", response={201: PaymentOut, **E})
def create_payment(request: HttpRequest, data: PaymentCreate) -> Any:
    """Record a receipt or payment, allocated to open items (or oldest first when none are given).
    Payments to suppliers by an Accountant wait for Finance Manager approval."""
    from novasaas.accounting import receivables

    p = _p(request, "acc.payment.record")
    fields = data.model_dump(exclude={"allocations"})
    payment = receivables.record_payment(p, **fields, allocations=[(a.line_id, a.amount) for a in data.allocations])
    return 201, payment


@router.post("/payments/{int:payment_id}/approve", response={200: PaymentOut, **E})
def approve_payment(request: HttpRequest, payment_id: Id) -> Any:
    from novasaas.accounting import receivables

    p = _p(request, "acc.payment.approve")
    return receivables.approve_payment(p, payment_id)


@router.post("/payments/{int:payment_id}/reject", response={200: PaymentOut, **E})
def reject_payment(request: HttpRequest, payment_id: Id) -> Any:
    from novasaas.accounting import receivables

    p = _p(request, "acc.payment.approve")
    return receivables.reject_payment(p, payment_id)


@router.post("/allocations", response={201: AllocationOut, **E})
def allocate(request: HttpRequest, data: AllocateIn) -> Any:
    """Reconcile by hand: apply a posted payment line (credit on 131 / debit on 331) to an open invoice line."""
    from novasaas.accounting import receivables

    p = _p(request, "acc.reconcile")
    return 201, receivables.allocate(p, **data.model_dump())


@router.post("/reminders", response={200: ReminderOut, **E})
def send_reminders(request: HttpRequest, data: ReminderIn) -> Any:
    """Email customers with overdue receivables (all, or the given parties: 404 naming any id that is no
    party of this company, and nothing is sent)."""
    from novasaas.accounting import receivables

    p = _p(request, "acc.reminder.send")
    if data.party_ids:
        _require_parties(p, data.party_ids)
    return {"reminded": receivables.send_reminders(p, data.party_ids)}


# --- budgets ---------------------------------------------------------------------------------------------------


@router.get("/budgets", response=list[BudgetOut])
def list_budgets(request: HttpRequest) -> Any:
    from novasaas.accounting.models import Budget

    p = _p(request, "acc.budget.view")
    return list(Budget.objects.filter(tenant=p.tenant))


@router.post("/budgets", response={201: BudgetOut, **E})
def create_budget(request: HttpRequest, data: BudgetCreate) -> Any:
    from novasaas.accounting import budgets

    p = _p(request, "acc.budget.manage")
    return 201, budgets.create_budget(p, **data.model_dump())


@router.put("/budgets/{int:budget_id}/lines", response={200: BudgetOut, **E})
def set_budget_lines(request: HttpRequest, budget_id: Id, data: BudgetLinesIn) -> Any:
    """Replace the lines: account (code or id), period number 1–12, amount."""
    from novasaas.accounting import budgets

    p = _p(request, "acc.budget.manage")
    return budgets.set_budget_lines(p, budget_id, [(x.account, x.period, x.amount, x.dimension) for x in data.lines])


class BudgetQuery(RangeQuery):
    dimension: Id | None = Field(default=None, description="only the budget lines of this dimension")
    kind: str = Field(default="", pattern=r"^(|department|project)$", description="only lines of this kind")


def _dim_label(dim: Any) -> str:
    return f"{dim.kind}:{dim.code}" if dim is not None else ""


@router.get("/budgets/{int:budget_id}/vs-actual", response={200: BudgetReport, **E})
def budget_vs_actual(request: HttpRequest, budget_id: Id, filters: Query[BudgetQuery]) -> Any:
    """Budget vs actual per account and dimension up to ``date_to`` (default: the whole year); lines
    budgeted for a department or project compare with the account's lines of that dimension. ``groups``
    gives the totals per dimension (``dimension_id`` null: account-wide lines)."""
    from novasaas.accounting import budgets, exports

    p = _p(request, "acc.budget.view")
    budget, rows = budgets.budget_vs_actual(
        p.tenant, budget_id, filters.date_to, dimension_id=filters.dimension, kind=filters.kind
    )
    if filters.format in ("xlsx", "pdf"):
        return _export(filters.format, lambda fmt: exports.budget_xlsx(budget, rows, fmt=fmt), "budget-vs-actual")
    return {
        "budget": budget,
        "rows": [
            {
                "account_id": r.account.pk,
                "code": r.account.code,
                "dimension_id": r.dimension.pk if r.dimension else None,
                "dimension": _dim_label(r.dimension),
                "budget": r.budget,
                "actual": r.actual,
                "variance": r.variance,
            }
            for r in rows
        ],
        "groups": [
            {
                "dimension_id": g.dimension.pk if g.dimension else None,
                "dimension": _dim_label(g.dimension),
                "budget": g.budget,
                "actual": g.actual,
                "variance": g.variance,
            }
            for g in budgets.group_rows(rows)
        ],
    }


# --- dimensions (departments, projects) ----------------------------------------------------------------------


class DimensionQuery(Schema):
    kind: str = Field(default="", pattern=r"^(|department|project)$")


@router.get("/dimensions", response=list[DimensionOut])
def list_dimensions(request: HttpRequest, filters: Query[DimensionQuery]) -> Any:
    """Departments and projects that lines and budget lines may carry (``kind`` filters)."""
    from novasaas.accounting import dimensions

    principal: Principal = request.auth  # type: ignore[attr-defined]
    if not (principal.has("acc.ledger.view") or principal.has("acc.budget.view")):
        principal.require("acc.ledger.view")
    return dimensions.list_dimensions(principal.tenant, filters.kind)


@router.post("/dimensions", response={201: DimensionOut, **E})
def create_dimension(request: HttpRequest, data: DimensionCreate) -> Any:
    from novasaas.accounting import dimensions

    p = _p(request, "acc.coa.configure")
    return 201, dimensions.create_dimension(p, **data.model_dump())


@router.patch("/dimensions/{int:dimension_id}", response={200: DimensionOut, **E})
def update_dimension(request: HttpRequest, dimension_id: Id, data: DimensionUpdate) -> Any:
    """Rename or (de)activate; codes never change (other modules refer to them)."""
    from novasaas.accounting import dimensions

    p = _p(request, "acc.coa.configure")
    return dimensions.update_dimension(p, dimension_id, **data.model_dump(exclude_unset=True))


# --- banking -------------------------------------------------------------------------------------------------


@router.get("/bank-accounts", response=list[BankAccountOut])
def list_bank_accounts(request: HttpRequest) -> Any:
    from novasaas.accounting.models import BankAccount

    p = _p(request, "acc.ledger.view")
    return list(BankAccount.objects.filter(tenant=p.tenant))


@router.post("/bank-accounts", response={201: BankAccountOut, **E})
def create_bank_account(request: HttpRequest, data: BankAccountCreate) -> Any:
    from novasaas.accounting import banking

    p = _p(request, "acc.bank.configure")
    return 201, banking.create_bank_account(p, **data.model_dump())


@router.get("/bank-accounts/{int:bank_id}/transactions", response={200: list[BankTransactionOut], **E})
@paginate(LimitOffsetPagination)
def list_bank_transactions(request: HttpRequest, bank_id: Id) -> Any:
    from novasaas.accounting.models import BankAccount, BankTransaction

    p = _p(request, "acc.ledger.view")
    bank = BankAccount.objects.get(tenant=p.tenant, pk=bank_id)
    return BankTransaction.objects.filter(bank_account=bank)


@router.post(
    "/bank-accounts/{int:bank_id}/statements",
    response={200: StatementImportResult, 400: ImportErrors, 403: ErrorOut, 404: ErrorOut, 413: ImportErrors},
    exclude_none=True,  # the balances appear only when a balance column was mapped
)
def import_statement(
    request: HttpRequest,
    bank_id: Id,
    file: File[UploadedFile],
    mapping: Form[str] = "",
    profile_id: Form[Id | None] = None,
    save_profile: Form[str] = "",
) -> Any:
    """A statement file; all or nothing with line errors; lines already imported are skipped.

    Without ``mapping``/``profile_id``: camt.053 XML, or CSV/Excel whose column titles are recognised
    (date, amount or debit/credit, reference, description, in Vietnamese or English). With ``mapping``
    (a JSON object: ``columns`` {date, amount | debit + credit, description, reference, balance} as
    titles or numbers, ``date_format``, ``decimal_separator``, ``thousands_separator``, ``header_row``,
    ``skip_undated``) or ``profile_id`` (a saved mapping of this bank account) the file is read that
    way; ``save_profile`` saves the mapping under that name."""
    from novasaas.accounting import banking

    p = _p(request, "acc.bank.import")
    if len(save_profile) > 80:
        return 400, {"detail": "import refused", "errors": [{"line": 0, "messages": ["save_profile: too long"]}]}
    try:
        return banking.import_statement(
            p,
            bank_id,
            file,
            file.name or "",
            mapping=mapping or None,
            profile_id=profile_id,
            save_profile=save_profile,
        )
    except EntryImportError as exc:
        return exc.status, {"detail": exc.detail, "errors": exc.as_json()}


@router.post(
    "/bank-accounts/{int:bank_id}/statements/preview",
    response={200: StatementPreviewOut, 400: ImportErrors, 403: ErrorOut, 404: ErrorOut, 413: ImportErrors},
)
def preview_statement(
    request: HttpRequest,
    bank_id: Id,
    file: File[UploadedFile],
    header_row: Form[int | None] = None,
    profile_id: Form[Id | None] = None,
) -> Any:
    """The column titles and first rows of a CSV/Excel statement with a suggested mapping (the profile's,
    else guessed from the titles and the look of dates and amounts). Writes nothing."""
    from novasaas.accounting import banking, statements

    p = _p(request, "acc.bank.import")
    profiles = banking.statement_profiles(p.tenant, bank_id)
    chosen = None
    if profile_id is not None:
        chosen = next((x for x in profiles if x.pk == profile_id), None)
        if chosen is None:
            return 404, {"detail": "Unknown column mapping profile for this bank account."}
    if header_row is not None and not 0 <= header_row <= 50:
        return 400, {"detail": "import refused", "errors": [{"line": 0, "messages": ["header_row: 0 to 50"]}]}
    try:
        pv = statements.preview(file.read(statements.MAX_BYTES + 1), header_row, chosen.mapping if chosen else None)
    except EntryImportError as exc:
        return exc.status, {"detail": exc.detail, "errors": exc.as_json()}
    return {
        "header_row": pv.header_row,
        "columns": [{"number": n, "title": t} for n, t in pv.columns],
        "rows": [{"line": n, "cells": cells} for n, cells in pv.rows],
        "mapping": pv.mapping,
        "profiles": profiles,
    }


@router.get("/bank-accounts/{int:bank_id}/statement-profiles", response={200: list[StatementProfileOut], **E})
def list_statement_profiles(request: HttpRequest, bank_id: Id) -> Any:
    from novasaas.accounting import banking

    p = _p(request, "acc.bank.import")
    return banking.statement_profiles(p.tenant, bank_id)


@router.post(
    "/bank-accounts/{int:bank_id}/statement-profiles",
    response={201: StatementProfileOut, 400: ImportErrors, 403: ErrorOut, 404: ErrorOut},
)
def save_statement_profile(request: HttpRequest, bank_id: Id, data: StatementProfileCreate) -> Any:
    """Save (or replace, by name) a column mapping for this bank account's statement files."""
    from novasaas.accounting import banking

    p = _p(request, "acc.bank.import")
    try:
        return 201, banking.save_statement_profile(p, bank_id, name=data.name, mapping=data.mapping)
    except EntryImportError as exc:
        return 400, {"detail": "mapping refused", "errors": exc.as_json()}


@router.delete("/statement-profiles/{int:profile_id}", response={204: None, **E})
def delete_statement_profile(request: HttpRequest, profile_id: Id) -> Any:
    from novasaas.accounting import banking

    p = _p(request, "acc.bank.import")
    banking.delete_statement_profile(p, profile_id)
    return 204, None


@router.get("/bank-accounts/{int:bank_id}/proposals", response={200: list[ProposalOut], **E})
def bank_proposals(request: HttpRequest, bank_id: Id) -> Any:
    """Match proposals for unmatched statement lines (same amount, ±5 days, reference), best first."""
    from novasaas.accounting import banking

    p = _p(request, "acc.reconcile")
    return [
        {
            "transaction": pr.transaction,
            "candidates": [
                {
                    "line_id": ln.pk,
                    "entry_id": ln.entry_id,
                    "reference": ln.entry.reference,
                    "date": ln.entry.date,
                    "score": score,
                }
                for ln, score in pr.candidates
            ],
        }
        for pr in banking.proposals(p.tenant, bank_id)
    ]


@router.post("/bank-transactions/{int:tx_id}/match", response={200: BankTransactionOut, **E})
def match_bank_transaction(request: HttpRequest, tx_id: Id, data: MatchIn) -> Any:
    from novasaas.accounting import banking

    p = _p(request, "acc.reconcile")
    return banking.match(p, tx_id, data.line_id)


@router.post("/bank-transactions/{int:tx_id}/fee", response={200: BankTransactionOut, **E})
def book_bank_fee(request: HttpRequest, tx_id: Id) -> Any:
    """Book an unmatched money-out line as a bank fee and match it."""
    from novasaas.accounting import banking

    p = _p(request, "acc.reconcile")
    return banking.post_fee(p, tx_id)


@router.get("/bank-accounts/{int:bank_id}/reconciliation", response={200: ReconciliationOut, **E})
def bank_reconciliation(request: HttpRequest, bank_id: Id) -> Any:
    from novasaas.accounting import banking

    p = _p(request, "acc.reconcile")
    r = banking.reconciliation(p.tenant, bank_id)
    return {
        "bank_account_id": r.bank.pk,
        "statement_balance": r.statement_balance,
        "book_balance": r.book_balance,
        "unmatched_statement": r.unmatched_statement,
        "unmatched_book_line_ids": [ln.pk for ln in r.unmatched_book],
    }


# --- daily shortcuts ------------------------------------------------------------------------------------------


@router.post("/revenues", response={201: Entry, **E})
def confirm_revenue(request: HttpRequest, data: RevenueIn) -> Any:
    """Confirm revenue: Dr receivable/cash/bank, Cr revenue and output VAT (rate computed)."""
    from novasaas.accounting import quick

    p = _p(request, "acc.revenue.confirm")
    entry = quick.confirm_revenue(p, **data.model_dump())
    return 201, selectors.get_entry(p.tenant, entry.pk)


@router.post("/expenses", response={201: Entry, **E})
def record_expense(request: HttpRequest, data: ExpenseIn) -> Any:
    """Record an expense: Dr expense and input VAT, Cr payable/cash/bank."""
    from novasaas.accounting import quick

    p = _p(request, "acc.expense.record")
    entry = quick.record_expense(p, **data.model_dump())
    return 201, selectors.get_entry(p.tenant, entry.pk)


# --- inventory reconciliation (spec §11.3) ---------------------------------------------------------------


def _stock_rec_out(rec: Any) -> dict[str, Any]:
    return {
        "as_of": rec.as_of,
        "inventory_enabled": rec.inventory_enabled,
        "warehouses": [vars(w) for w in rec.warehouses],
        "accounts": [{**vars(a), "difference": a.difference, "agrees": a.agrees} for a in rec.accounts],
        "in_transit": rec.in_transit,
        "valuation_total": rec.valuation_total,
        "ledger_total": rec.ledger_total,
        "difference": rec.difference,
        "agrees": rec.agrees,
    }


@router.get("/reports/stock-reconciliation", response={200: StockReconciliationOut, **E})
def stock_reconciliation(request: HttpRequest, filters: Query[AsOfQuery]) -> Any:
    """Inventory valuation against the balance of the stock accounts, to the đồng (Finance Manager,
    Accountant)."""
    from novasaas.accounting import stock_reconciliation as rec

    p = _p(request, "acc.ledger.view")
    return _stock_rec_out(rec.stock_reconciliation(p.tenant, filters.as_of))


@router.post("/reports/stock-reconciliation/opening-balance", response={201: Entry, **E})
def post_stock_opening_balance(request: HttpRequest, data: OpeningBalanceIn) -> Any:
    """Post the difference as an opening balance entry (Dr stock / Cr 4118) — for a company that kept
    stock before switching Accounting on. 400 when the two sides already agree (Finance Manager)."""
    from novasaas.accounting import stock_reconciliation as rec

    p = _p(request, "acc.entry.approve")
    entry = rec.post_inventory_opening_balance(p, data.as_of)
    return 201, selectors.get_entry(p.tenant, entry.pk)


# --- cost of goods sold (spec §7.2.2 "Tính giá vốn") ------------------------------------------------------


def _cost_range(
    month: str | None, date_from: dt.date | None, date_to: dt.date | None, *, default: bool = False
) -> tuple[dt.date, dt.date]:
    from django.core.exceptions import ValidationError

    from novasaas.accounting import cost

    if default and not (month or date_from or date_to):
        month = timezone.localdate().strftime("%Y-%m")
    if month:
        return cost.month_range(month)
    if date_from is None or date_to is None:
        raise ValidationError({"month": [_("Give a month (YYYY-MM) or both dates.")]})
    return date_from, date_to


def _cost_out(calc: Any) -> dict[str, Any]:
    rows = [{**vars(r), "closing": r.closing, "cogs": r.cogs, "to_post": r.to_post} for r in calc.rows]
    return {
        "date_from": calc.date_from,
        "date_to": calc.date_to,
        "inventory_enabled": calc.inventory_enabled,
        "rows": rows,
        "total_cogs": calc.total_cogs,
        "cogs_posted": calc.cogs_posted,
        "inventory_cogs": calc.inventory_cogs,
        "difference": calc.difference,
    }


@router.get("/cost-of-goods-sold", response={200: CostOut, **E})
def cost_of_goods_sold(request: HttpRequest, filters: Query[CostQuery]) -> Any:
    """Opening + receipts − closing = cost of goods sold per stock account (152/153/155/156) for a month
    or date range, 632 posted in it and, with Inventory, the inventory ledger's cost of sales and its
    difference from 632 (Accountant, Finance Manager)."""
    from novasaas.accounting import cost

    p = _p(request, "acc.cost.calculate")
    start, end = _cost_range(filters.month, filters.date_from, filters.date_to, default=True)
    return _cost_out(cost.cost_of_sales(p.tenant, start, end))


@router.post("/cost-of-goods-sold", response={201: Entry, **E})
def post_cost_of_goods_sold(request: HttpRequest, data: CostPostIn) -> Any:
    """Periodic method (no Inventory): post Dr 632 / Cr stock accounts for ledger closing − counted
    closing. A second calculation of the period posts only the change; 400 when nothing changed, with
    Inventory on, or in a closed period (Accountant, Finance Manager)."""
    from novasaas.accounting import cost

    p = _p(request, "acc.cost.calculate")
    start, end = _cost_range(data.month, data.date_from, data.date_to)
    ids = [c.account_id for c in data.closing]
    from django.core.exceptions import ValidationError

    if len(set(ids)) != len(ids):
        raise ValidationError({"closing": [_("Each stock account can be counted only once.")]})
    counted = cost.parse_counted({c.account_id: c.value for c in data.closing})
    entry = cost.post_periodic_cogs(p, start, end, counted)
    return 201, selectors.get_entry(p.tenant, entry.pk)
