"""API schemas of the accounting module (inputs are strict: unknown fields are a 422). Amounts are
decimal strings or integers on input (never floats) and decimal strings on output."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import BeforeValidator, Field, PlainSerializer

from novasaas.platform.api import Id, StrictSchema
from novasaas.platform.api import ImportErrorLine as ImportErrorLine
from novasaas.platform.api import ImportErrors as ImportErrors


def _no_float(value: Any) -> Any:
    if isinstance(value, float) or isinstance(value, bool):
        raise ValueError("amounts are decimal strings or integers, never floats")
    if isinstance(value, str):
        value = value.strip()
        if len(value) > 30:
            raise ValueError("amount too long")
    return value


Amount = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(ge=0, lt=Decimal("1e15"), max_digits=17, decimal_places=2),
]
MoneyOut = Annotated[Decimal, PlainSerializer(lambda v: str(v), return_type=str)]
Rate = Annotated[
    Decimal,
    BeforeValidator(_no_float),
    Field(gt=0, lt=Decimal("1e9"), max_digits=16, decimal_places=6),
]
SafeDate = Annotated[dt.date, Field(ge=dt.date(1900, 1, 1), le=dt.date(2999, 12, 31))]


class Account(Schema):
    id: int
    code: str
    name_vi: str
    name_en: str
    parent_id: int | None
    level: int
    type: str
    normal_balance: str
    allows_posting: bool
    needs_partner: bool
    is_active: bool


class AccountCreate(StrictSchema):
    parent_id: Id
    code: str = Field(min_length=1, max_length=20)
    name_vi: str = Field(min_length=1, max_length=200)
    name_en: str = Field(default="", max_length=200)
    needs_partner: bool | None = None


class AccountUpdate(StrictSchema):
    name_vi: str | None = Field(default=None, min_length=1, max_length=200)
    name_en: str | None = Field(default=None, max_length=200)
    needs_partner: bool | None = None


class TemplateIn(StrictSchema):
    template: Literal["tt133", "tt99"]


class Chart(Schema):
    template: str
    name: str


class MappingOut(Schema):
    role: str
    account_id: int | None
    account_code: str
    explicit: bool


class MappingIn(StrictSchema):
    account_id: Id


class AccountingSettingsOut(Schema):
    approval_threshold: MoneyOut
    base_currency: str
    vat_period: str


class AccountingSettingsIn(StrictSchema):
    approval_threshold: Amount | None = None
    vat_period: Literal["month", "quarter"] | None = None


class Period(Schema):
    id: int
    number: int
    start_date: dt.date
    end_date: dt.date
    state: str


class FiscalYear(Schema):
    id: int
    name: str
    start_date: dt.date
    end_date: dt.date
    state: str
    periods: list[Period]

    @staticmethod
    def resolve_periods(obj: Any) -> list[Any]:
        return list(obj.periods.order_by("start_date"))


class FiscalYearCreate(StrictSchema):
    start_date: SafeDate


class Journal(Schema):
    id: int
    code: str
    name: str
    kind: str
    is_active: bool


class JournalCreate(StrictSchema):
    code: str = Field(min_length=1, max_length=10)
    name: str = Field(min_length=1, max_length=120)
    kind: Literal["general", "sales", "purchase", "cash", "bank", "inventory", "payroll", "closing"] = "general"


class LineIn(StrictSchema):
    account: Annotated[str, Field(min_length=1, max_length=20)] | Id = Field(
        description='account code (e.g. "1111") or id'
    )
    debit: Amount = Decimal(0)
    credit: Amount = Decimal(0)
    partner_id: Id | None = None
    memo: str = Field(default="", max_length=300)
    due_date: SafeDate | None = None
    tax_rate: str | None = Field(default=None, max_length=20, description="VAT rate code, e.g. VAT10")
    tax_base: Amount = Decimal(0)
    paid_in_cash: bool = False
    dimension: Annotated[str, Field(min_length=1, max_length=45)] | Id | None = Field(
        default=None, description='department or project: id, "department:KD" or "project:P01"'
    )
    currency: str = Field(
        default="",
        max_length=3,
        description="ISO code of a foreign currency: debit/credit are then amounts in that currency",
    )
    exchange_rate: Rate | None = Field(default=None, description="VND per unit; default: the rate table")
    amount_base: Amount | None = Field(default=None, description="expected VND amount (checked)")


class EntryCreate(StrictSchema):
    journal: str = Field(default="GEN", min_length=1, max_length=10, description="journal code")
    date: SafeDate
    memo: str = Field(default="", max_length=500)
    reference: str = Field(default="", max_length=60)
    lines: list[LineIn] = Field(min_length=2, max_length=500)
    post: bool = False


class EntryUpdate(StrictSchema):
    date: SafeDate | None = None
    memo: str | None = Field(default=None, max_length=500)
    lines: list[LineIn] | None = Field(default=None, min_length=2, max_length=500)


class ReverseIn(StrictSchema):
    date: SafeDate | None = None
    memo: str = Field(default="", max_length=500)


class RejectIn(StrictSchema):
    reason: str = Field(default="", max_length=500)


class Line(Schema):
    id: int
    line_no: int
    account_id: int
    account_code: str
    debit: MoneyOut
    credit: MoneyOut
    partner_id: int | None
    memo: str
    due_date: dt.date | None
    tax_rate_id: int | None
    tax_base: MoneyOut
    paid_in_cash: bool
    dimension_id: int | None
    dimension_code: str
    currency: str
    amount_currency: MoneyOut
    exchange_rate: MoneyOut | None
    fx_adjusts_id: int | None

    @staticmethod
    def resolve_account_code(obj: Any) -> str:
        return str(obj.account.code)

    @staticmethod
    def resolve_dimension_code(obj: Any) -> str:
        return f"{obj.dimension.kind}:{obj.dimension.code}" if obj.dimension_id else ""


class EntryListItem(Schema):
    id: int
    journal_code: str
    reference: str
    number: int | None
    date: dt.date
    memo: str
    state: str
    total: MoneyOut
    source_type: str
    source_id: int | None
    source_reference: str
    reversal_of_id: int | None

    @staticmethod
    def resolve_journal_code(obj: Any) -> str:
        return str(obj.journal.code)


class Entry(EntryListItem):
    period_id: int
    hash: str
    prev_hash: str
    posted_at: dt.datetime | None
    reversed_by_id: int | None
    lines: list[Line]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        fresh = getattr(obj, "in_memory_lines", None)  # an entry just written (actions.create_entry)
        if fresh is not None:
            return sorted(fresh, key=lambda line: (line.line_no, line.pk))
        return list(obj.lines.select_related("account", "dimension").order_by("line_no", "id"))

    @staticmethod
    def resolve_reversed_by_id(obj: Any) -> int | None:
        if getattr(obj, "in_memory_lines", None) is not None:
            return None  # written in this request: nothing reverses it yet
        rev = obj.reversals.first()
        return rev.pk if rev else None


class JournalListingEntry(EntryListItem):
    """A posted entry of the general journal with its lines."""

    lines: list[Line]

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.listing_lines)


class AccountingImportResult(Schema):
    created: int
    references: list[str]


class TrialBalanceRow(Schema):
    account_id: int
    code: str
    name: str
    level: int
    opening_debit: MoneyOut
    opening_credit: MoneyOut
    debit: MoneyOut
    credit: MoneyOut
    closing_debit: MoneyOut
    closing_credit: MoneyOut


class TrialBalance(Schema):
    date_from: dt.date
    date_to: dt.date
    balanced: bool
    totals: dict[str, MoneyOut]
    rows: list[TrialBalanceRow]


class LedgerRow(Schema):
    date: dt.date
    entry_id: int
    reference: str
    memo: str
    debit: MoneyOut
    credit: MoneyOut
    balance: MoneyOut
    partner_id: int | None
    currency: str
    amount_currency: MoneyOut
    exchange_rate: MoneyOut | None


class AccountLedger(Schema):
    account_id: int
    code: str
    date_from: dt.date
    date_to: dt.date
    opening: MoneyOut
    debit: MoneyOut
    credit: MoneyOut
    closing: MoneyOut
    rows: list[LedgerRow]


class StatementLine(Schema):
    code: str
    label: str = Field(description="The form's Vietnamese caption (as filed)")
    label_en: str = Field("", description="English caption")
    note: str = Field("", description="The form's notes reference (Thuyết minh), e.g. V.01")
    current: MoneyOut
    previous: MoneyOut
    level: int


class Statement(Schema):
    form: str
    number: str = Field(
        "", description="The form number its circular gives: B01a-DNN (Circular 133), B01-DN (Circular 99) …"
    )
    regime: str = Field("", description="tt133 or tt99: the tenant's chart template")
    date_from: dt.date
    date_to: dt.date
    lines: list[StatementLine]
    checks: dict[str, bool]
    warnings: list[str] = []


class PartyBalanceOut(Schema):
    party_id: int
    receivable: MoneyOut
    payable: MoneyOut
    net: MoneyOut


class TaxRateOut(Schema):
    id: int
    code: str
    name: str
    rate: MoneyOut
    is_exempt: bool
    valid_from: dt.date
    valid_to: dt.date | None


class TaxRateCreate(StrictSchema):
    code: str = Field(min_length=1, max_length=20, pattern=r"^[A-Za-z0-9_.-]+$")
    name: str = Field(min_length=1, max_length=120)
    rate: Annotated[Decimal, BeforeValidator(_no_float), Field(ge=0, le=100, max_digits=8, decimal_places=4)]
    is_exempt: bool = False
    valid_from: SafeDate
    valid_to: SafeDate | None = None


class VatReturn(Schema):
    date_from: dt.date
    date_to: dt.date
    figures: dict[str, MoneyOut]
    filing_id: int | None = None  # the filed return of exactly this period, if any


class VatFilingOut(Schema):
    id: int
    period_start: dt.date
    period_end: dt.date
    figures: dict[str, str]
    refund_requested: MoneyOut
    filed_at: dt.datetime
    filed_by_id: int | None


class VatFilingCreate(StrictSchema):
    date_from: SafeDate
    refund_requested: Amount = Decimal(0)


class TaxTx(Schema):
    date: dt.date
    entry_id: int
    rate_code: str
    partner_id: int | None
    base: MoneyOut
    tax: MoneyOut
    deductible: bool

    @staticmethod
    def resolve_rate_code(obj: Any) -> str:
        return str(obj.rate.code)


class VatListing(Schema):
    direction: str
    date_from: dt.date
    date_to: dt.date
    total_base: MoneyOut
    total_tax: MoneyOut
    non_deductible_tax: MoneyOut
    rows: list[TaxTx]


class OpenItemOut(Schema):
    line_id: int
    entry_id: int
    reference: str
    date: dt.date
    due_date: dt.date
    party_id: int
    amount: MoneyOut
    open: MoneyOut
    memo: str
    currency: str
    amount_currency: MoneyOut
    open_currency: MoneyOut


class AgingRowOut(Schema):
    party_id: int
    current: MoneyOut
    d1_30: MoneyOut
    d31_60: MoneyOut
    d61_90: MoneyOut
    over_90: MoneyOut
    unapplied: MoneyOut
    total: MoneyOut


class Aging(Schema):
    kind: str
    as_of: dt.date
    rows: list[AgingRowOut]
    total: AgingRowOut


class AllocationIn(StrictSchema):
    line_id: Id
    amount: Amount


class PaymentCreate(StrictSchema):
    kind: Literal["receipt", "payment"]
    party_id: Id
    date: SafeDate
    amount: Amount
    method: Literal["bank", "cash"] = "bank"
    memo: str = Field(default="", max_length=300)
    allocations: list[AllocationIn] = Field(default_factory=list, max_length=200)
    currency: str = Field(default="", max_length=3, description="foreign currency: amount and allocations are in it")
    exchange_rate: Rate | None = Field(default=None, description="VND per unit; default: the rate table")


class PaymentOut(Schema):
    id: int
    kind: str
    party_id: int
    date: dt.date
    amount: MoneyOut
    method: str
    memo: str
    currency: str
    amount_currency: MoneyOut
    exchange_rate: MoneyOut | None
    state: str
    entry_id: int | None


class ReminderIn(StrictSchema):
    party_ids: list[Id] | None = Field(default=None, max_length=1000)


class ReminderOut(Schema):
    reminded: list[int]


class BudgetCreate(StrictSchema):
    fiscal_year_id: Id
    name: str = Field(min_length=1, max_length=120)


class BudgetOut(Schema):
    id: int
    fiscal_year_id: int
    name: str


class BudgetLineIn(StrictSchema):
    account: Annotated[str, Field(min_length=1, max_length=20)] | Id
    period: int = Field(ge=1, le=12)
    amount: Amount
    dimension: Annotated[str, Field(min_length=1, max_length=45)] | Id | None = Field(
        default=None, description='optional department or project: id, "department:KD" or "project:P01"'
    )


class BudgetLinesIn(StrictSchema):
    lines: list[BudgetLineIn] = Field(max_length=5000)


class BudgetRowOut(Schema):
    account_id: int
    code: str
    dimension_id: int | None = None
    dimension: str = ""
    budget: MoneyOut
    actual: MoneyOut
    variance: MoneyOut


class BudgetGroupOut(Schema):
    dimension_id: int | None
    dimension: str
    budget: MoneyOut
    actual: MoneyOut
    variance: MoneyOut


class BudgetReport(Schema):
    budget: BudgetOut
    rows: list[BudgetRowOut]
    groups: list[BudgetGroupOut] = []


class DimensionOut(Schema):
    id: int
    kind: str
    code: str
    name: str
    is_active: bool


class DimensionCreate(StrictSchema):
    kind: Literal["department", "project"]
    code: str = Field(min_length=1, max_length=30)
    name: str = Field(min_length=1, max_length=120)


class DimensionUpdate(StrictSchema):
    name: str | None = Field(default=None, min_length=1, max_length=120)
    is_active: bool | None = None


class AttachmentOut(Schema):
    id: int
    entry_id: int
    name: str
    content_type: str
    size: int
    sha256: str
    uploaded_at: dt.datetime
    uploaded_by_id: int | None
    download_url: str

    @staticmethod
    def resolve_download_url(obj: Any) -> str:
        return f"/api/v1/accounting/entries/{obj.entry_id}/attachments/{obj.pk}/download"


class AllocateIn(StrictSchema):
    payment_line_id: Id
    invoice_line_id: Id
    amount: Amount


class AllocationOut(Schema):
    id: int
    payment_line_id: int
    invoice_line_id: int
    amount: MoneyOut


class BankAccountCreate(StrictSchema):
    name: str = Field(min_length=1, max_length=120)
    bank_name: str = Field(default="", max_length=120)
    number: str = Field(min_length=1, max_length=40)
    account_id: Id


class BankAccountOut(Schema):
    id: int
    name: str
    bank_name: str
    number: str
    account_id: int
    is_active: bool


class BankTransactionOut(Schema):
    id: int
    date: dt.date
    amount: MoneyOut
    reference: str
    description: str
    matched_line_id: int | None


class StatementImportResult(Schema):
    created: int
    skipped: int
    opening_balance: MoneyOut | None = None
    closing_balance: MoneyOut | None = None


class StatementProfileOut(Schema):
    id: int
    bank_account_id: int
    name: str
    mapping: dict[str, Any]
    updated_at: dt.datetime


class PreviewColumn(Schema):
    number: int
    title: str


class PreviewRow(Schema):
    line: int
    cells: list[str]


class StatementPreviewOut(Schema):
    header_row: int
    columns: list[PreviewColumn]
    rows: list[PreviewRow]
    mapping: dict[str, Any] = Field(description="suggested mapping: the chosen profile's, else guessed from titles")
    profiles: list[StatementProfileOut]


class StatementProfileCreate(StrictSchema):
    name: str = Field(min_length=1, max_length=80)
    mapping: dict[str, Any]


class MatchIn(StrictSchema):
    line_id: Id


class CandidateOut(Schema):
    line_id: int
    entry_id: int
    reference: str
    date: dt.date
    score: int


class ProposalOut(Schema):
    transaction: BankTransactionOut
    candidates: list[CandidateOut]


class ReconciliationOut(Schema):
    bank_account_id: int
    statement_balance: MoneyOut
    book_balance: MoneyOut
    unmatched_statement: list[BankTransactionOut]
    unmatched_book_line_ids: list[int]


class RevenueIn(StrictSchema):
    date: SafeDate
    amount: Amount
    revenue_account: str = Field(default="", max_length=20)
    tax_rate: str | None = Field(default="VAT10", max_length=20)
    settlement: Literal["receivable", "cash", "bank"] = "receivable"
    partner_id: Id | None = None
    memo: str = Field(default="", max_length=300)


class ExpenseIn(StrictSchema):
    date: SafeDate
    amount: Amount
    expense_account: str = Field(default="", max_length=20)
    tax_rate: str | None = Field(default="VAT10", max_length=20)
    settlement: Literal["payable", "cash", "bank"] = "payable"
    partner_id: Id | None = None
    memo: str = Field(default="", max_length=300)


class StockReconciliationWarehouse(Schema):
    warehouse_id: int
    warehouse: str
    quantity: MoneyOut
    value: MoneyOut


class StockReconciliationAccount(Schema):
    """One stock account: its warehouses' valuation (and goods in transit) against its balance."""

    account_id: int
    account_code: str
    account_name: str
    warehouses: list[str]
    in_transit: MoneyOut
    valuation: MoneyOut
    ledger: MoneyOut
    difference: MoneyOut
    agrees: bool


class StockReconciliationOut(Schema):
    """Inventory valuation (warehouses + goods in transit) against the stock accounts' balance, in total
    and per stock account."""

    as_of: dt.date
    inventory_enabled: bool
    warehouses: list[StockReconciliationWarehouse]
    accounts: list[StockReconciliationAccount]
    in_transit: MoneyOut
    valuation_total: MoneyOut
    ledger_total: MoneyOut
    difference: MoneyOut
    agrees: bool


class AsOfQuery(Schema):
    as_of: SafeDate | None = None


class OpeningBalanceIn(StrictSchema):
    as_of: SafeDate | None = None


class ExchangeRateOut(Schema):
    id: int
    currency: str
    date: dt.date
    rate: MoneyOut


class ExchangeRateCreate(StrictSchema):
    currency: str = Field(min_length=3, max_length=3, description="ISO code, e.g. USD")
    date: SafeDate
    rate: Rate = Field(description="VND per one unit")


class ExchangeRateUpdate(StrictSchema):
    rate: Rate


class RevaluationIn(StrictSchema):
    date: SafeDate


class RevaluationRowOut(Schema):
    kind: str
    account_id: int
    account_code: str
    party_id: int | None
    line_id: int | None
    reference: str
    currency: str
    amount_currency: MoneyOut
    book: MoneyOut
    rate: MoneyOut
    revalued: MoneyOut
    difference: MoneyOut
    gain: MoneyOut


class RevaluationOut(Schema):
    date: dt.date
    rates: dict[str, MoneyOut]
    missing_rates: list[str]
    rows: list[RevaluationRowOut]
    gains: MoneyOut
    losses: MoneyOut
    net: MoneyOut
    entry_id: int | None


class StockAccountRole(Schema):
    role: str
    account_id: int
    account_code: str
    explicit: bool  # mapped for this warehouse (else the company's role)


class WarehouseStockAccounts(Schema):
    warehouse_id: int
    warehouse: str
    is_active: bool
    accounts: list[StockAccountRole]


class StockAccountsOut(Schema):
    """Per-warehouse stock accounts and the account of goods in transit between warehouses."""

    transit_account_id: int | None
    transit_account_code: str
    warehouses: list[WarehouseStockAccounts]


class StockAccountIn(StrictSchema):
    account_id: Id | None = None  # null: back to the company's account (or: no transit account)


class CostQuery(Schema):
    """A month (``YYYY-MM``) or a date range; snapped to whole fiscal periods."""

    month: str | None = Field(default=None, max_length=7)
    date_from: SafeDate | None = None
    date_to: SafeDate | None = None


class CostClosingIn(StrictSchema):
    account_id: int
    value: Amount


class CostPostIn(StrictSchema):
    """Counted closing stock per stock account for the period (periodic method)."""

    month: str | None = Field(default=None, max_length=7)
    date_from: SafeDate | None = None
    date_to: SafeDate | None = None
    closing: list[CostClosingIn] = Field(min_length=1, max_length=200)


class CostRowOut(Schema):
    account_id: int
    account_code: str
    account_name: str
    opening: MoneyOut
    debit: MoneyOut
    credit: MoneyOut
    closing: MoneyOut
    counted: MoneyOut | None
    cogs: MoneyOut
    to_post: MoneyOut


class CostOut(Schema):
    """Opening + receipts − closing = cost of goods sold per stock account, 632 posted in the period and,
    with Inventory, the inventory ledger's cost of sales and its difference from 632."""

    date_from: dt.date
    date_to: dt.date
    inventory_enabled: bool
    rows: list[CostRowOut]
    total_cogs: MoneyOut
    cogs_posted: MoneyOut
    inventory_cogs: MoneyOut | None
    difference: MoneyOut | None
