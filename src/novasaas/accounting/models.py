"""The ledger: charts of accounts, fiscal periods, journals, entries and lines, maintained balances.

Invariants and where they are enforced:
- an entry balances (Σ debit = Σ credit > 0): ``posting._post`` and, on PostgreSQL, a deferred
  constraint trigger at commit (migration 0002);
- a posted entry and its lines never change: the actions never write them and, on PostgreSQL, row
  triggers refuse UPDATE/DELETE (migration 0002); the per-tenant hash chain makes edits detectable;
- a line is one-sided and non-negative: check constraints below;
- ``AccountBalance`` equals the sum of posted lines per account × period: maintained in the posting
  transaction (``posting._after_post``), verified by ``verify_ledger`` and the property tests;
- ``OpenItem.open`` equals its partner line's amount less the allocations on it: inserted by posting,
  lowered by ``receivables._allocate`` in the same transaction, verified by ``verify_ledger``.
"""

from __future__ import annotations

import secrets
from datetime import date
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.platform.models import TenantModel
from novasaas.platform.money import PRICE_SCALE, FixedPointField, MoneyField


class AccountType(models.TextChoices):
    ASSET = "asset", _("Asset")
    LIABILITY = "liability", _("Liability")
    EQUITY = "equity", _("Equity")
    REVENUE = "revenue", _("Revenue")
    EXPENSE = "expense", _("Expense")
    CLOSING = "closing", _("Income summary")


class NormalBalance(models.TextChoices):
    DEBIT = "debit", _("Debit")
    CREDIT = "credit", _("Credit")


class ChartOfAccount(TenantModel):
    """The tenant's chart: which template it was created from (one chart per tenant)."""

    template = models.CharField(_("template"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["tenant"], name="acc_chart_one_per_tenant")]

    def __str__(self) -> str:
        return self.name


class Account(TenantModel):
    chart = models.ForeignKey(ChartOfAccount, on_delete=models.CASCADE, related_name="accounts")
    code = models.CharField(_("code"), max_length=20)
    name_vi = models.CharField(_("Vietnamese name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="children", verbose_name=_("parent")
    )
    level = models.PositiveSmallIntegerField(_("level"), default=1)
    type = models.CharField(_("type"), max_length=12, choices=AccountType.choices)
    normal_balance = models.CharField(_("normal balance"), max_length=6, choices=NormalBalance.choices)
    allows_posting = models.BooleanField(_("allows posting"), default=True)
    needs_partner = models.BooleanField(_("needs partner"), default=False)
    is_active = models.BooleanField(pgettext_lazy("accounting", "active"), default=True)
    from_template = models.BooleanField(default=False, editable=False)

    class Meta:
        ordering: ClassVar = ["code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "code"], name="acc_account_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name_vi}"

    def display_name(self, language: str = "vi") -> str:
        return self.name_en if language.startswith("en") and self.name_en else self.name_vi


def new_config_version() -> int:
    """A fresh ``AccountingSettings.config_version`` (see ``config_cache``)."""
    return secrets.randbits(62) + 1


class AccountingSettings(TenantModel):
    """Per-tenant ledger settings (one row, created by ``ensure_chart``)."""

    approval_threshold = MoneyField(
        _("approval threshold"),
        default=Decimal("100000000"),
        help_text=_("Entries created by an Accountant above this total wait for Finance Manager approval."),
    )
    base_currency = models.CharField(_("base currency"), max_length=3, default="VND")
    # a random value, replaced with every change of the ledger configuration (``config_cache.bump``); random
    # from the start, so a chart created in a transaction that rolled back never shares its version
    config_version = models.BigIntegerField(default=new_config_version, editable=False)
    payment_terms_days = models.PositiveSmallIntegerField(
        _("payment terms (days)"), default=30, help_text=_("Due date of an invoice line that gives none.")
    )
    vat_period = models.CharField(
        _("VAT filing period"),
        max_length=7,
        choices=[("month", _("Monthly")), ("quarter", _("Quarterly"))],
        default="month",
        help_text=_("How often the 01/GTGT return is filed: the credit [43] of one period is [22] of the next."),
    )

    # Goods shipped between warehouses and not yet received: with an account here (e.g. 151), a transfer
    # posts Dr this / Cr source stock account when shipped and Dr destination / Cr this when received;
    # without one the goods stay in the source's account until they arrive.
    transfer_transit_account = models.ForeignKey(
        Account,
        verbose_name=_("goods in transit between warehouses"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["tenant"], name="acc_settings_one_per_tenant")]


class AccountMapping(TenantModel):
    """Which account a posting role (``receivable``, ``revenue``, ``output_vat`` …) resolves to."""

    role = models.CharField(_("role"), max_length=60)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering: ClassVar = ["role"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["tenant", "role"], name="acc_mapping_role_unique")]


class WarehouseAccount(TenantModel):
    """A warehouse's own stock account for a posting role (e.g. warehouse B's goods in 15612 instead of
    the company's ``inventory`` account). ``warehouse_id`` is Inventory's warehouse id (read through
    ``inventory.selectors``; no foreign key across modules)."""

    warehouse_id = models.PositiveBigIntegerField(_("warehouse"))
    role = models.CharField(_("role"), max_length=60)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering: ClassVar = ["warehouse_id", "role"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "warehouse_id", "role"], name="acc_warehouse_account_unique")
        ]


class FiscalYearState(models.TextChoices):
    OPEN = "open", pgettext_lazy("accounting", "Open")
    CLOSED = "closed", pgettext_lazy("accounting", "Closed")


class PeriodState(models.TextChoices):
    OPEN = "open", pgettext_lazy("accounting", "Open")
    CLOSED = "closed", pgettext_lazy("accounting", "Closed")
    LOCKED = "locked", _("Locked")


class FiscalYear(TenantModel):
    name = models.CharField(_("name"), max_length=40)
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    state = models.CharField(_("state"), max_length=10, choices=FiscalYearState.choices, default="open")

    class Meta:
        ordering: ClassVar = ["start_date"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "start_date"], name="acc_fiscalyear_start_unique"),
            models.CheckConstraint(condition=Q(end_date__gt=models.F("start_date")), name="acc_fiscalyear_dates"),
        ]

    def __str__(self) -> str:
        return self.name


class FiscalPeriod(TenantModel):
    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.CASCADE, related_name="periods")
    number = models.PositiveSmallIntegerField(_("number"))
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"))
    state = models.CharField(_("state"), max_length=10, choices=PeriodState.choices, default="open")

    class Meta:
        ordering: ClassVar = ["start_date"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "start_date"], name="acc_period_start_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.start_date:%m/%Y}"


class JournalKind(models.TextChoices):
    GENERAL = "general", _("General")
    SALES = "sales", _("Sales")
    PURCHASE = "purchase", _("Purchases")
    CASH = "cash", _("Cash")
    BANK = "bank", _("Bank")
    INVENTORY = "inventory", _("Inventory")
    PAYROLL = "payroll", _("Payroll")
    CLOSING = "closing", _("Closing")


class Journal(TenantModel):
    code = models.CharField(_("code"), max_length=10)
    name = models.CharField(_("name"), max_length=120)
    kind = models.CharField(_("kind"), max_length=12, choices=JournalKind.choices, default="general")
    is_active = models.BooleanField(pgettext_lazy("accounting", "active"), default=True)

    class Meta:
        ordering: ClassVar = ["code"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["tenant", "code"], name="acc_journal_code_unique")]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EntryState(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Awaiting approval")
    POSTED = "posted", _("Posted")


class JournalEntry(TenantModel):
    journal = models.ForeignKey(Journal, on_delete=models.PROTECT, related_name="entries")
    year = models.PositiveSmallIntegerField(_("year"))  # the fiscal year's start year: numbering scope
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    reference = models.CharField(_("reference"), max_length=40, blank=True)  # e.g. GEN-2026-00001
    date = models.DateField(_("date"))
    period = models.ForeignKey(FiscalPeriod, on_delete=models.PROTECT, related_name="entries")
    memo = models.CharField(pgettext_lazy("accounting", "description"), max_length=500, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=EntryState.choices, default="draft")
    total = MoneyField(_("total"))
    source_type = models.CharField(_("source type"), max_length=60, blank=True)
    source_id = models.BigIntegerField(_("source id"), null=True, blank=True)
    source_reference = models.CharField(_("source reference"), max_length=60, blank=True)
    reversal_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals", verbose_name=_("reverses")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    posted_at = models.DateTimeField(null=True, blank=True)
    chain_seq = models.BigIntegerField(null=True, blank=True, editable=False)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    class Meta:
        ordering: ClassVar = ["-date", "-id"]
        verbose_name = _("journal entry")
        verbose_name_plural = _("journal entries")
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["tenant", "journal", "year", "number"],
                condition=Q(number__isnull=False),
                name="acc_entry_number_unique",
            ),
            models.UniqueConstraint(
                fields=["tenant", "source_type", "source_id"],
                condition=~Q(source_type=""),
                name="acc_entry_source_unique",
            ),
            models.UniqueConstraint(
                fields=["tenant", "chain_seq"], condition=Q(chain_seq__isnull=False), name="acc_entry_chain_unique"
            ),
            models.UniqueConstraint(
                fields=["tenant", "reversal_of"],
                condition=Q(reversal_of__isnull=False),
                name="acc_entry_one_reversal",
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["tenant", "state", "date"], name="acc_entry_state_date_idx"),
        ]

    def __str__(self) -> str:
        return self.reference or f"#{self.pk}"

    @property
    def is_posted(self) -> bool:
        return self.state == EntryState.POSTED


class TaxRate(TenantModel):
    """A VAT rate, effective-dated (``valid_to`` inclusive, empty = open-ended). Seeded per tenant by
    ``ensure_chart`` from ``taxes.DEFAULT_RATES``; a Finance Manager adds rates when decrees change."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=120)
    rate = FixedPointField(_("rate (%)"), scale=4, default=Decimal(0))
    is_exempt = models.BooleanField(_("exempt"), default=False)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["code", "valid_from"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "code", "valid_from"], name="acc_taxrate_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def valid_on(self, day: date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or day <= self.valid_to)


class ExchangeRate(TenantModel):
    """VND per one unit of a foreign currency on a date; a posting uses the latest rate on or before
    its date (``fx.rate_on``). Maintained by the Finance Manager."""

    currency = models.CharField(_("currency"), max_length=3)
    date = models.DateField(_("date"))
    rate = FixedPointField(_("rate (VND per unit)"), scale=PRICE_SCALE)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["currency", "-date"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "currency", "date"], name="acc_fxrate_unique"),
            models.CheckConstraint(condition=Q(rate__gt=0), name="acc_fxrate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.date:%d/%m/%Y} {self.rate}"


class ChainHead(TenantModel):
    """The head of a tenant's hash chain: the last position handed out and its hash. One row per tenant,
    advanced under its row lock by the statement that posts an entry (``chain``): the statement that
    waited for the lock reads the latest head (``ON CONFLICT DO UPDATE`` and ``UPDATE`` see the row as
    committed by the previous holder, not the statement's snapshot), so the new hash is computed in that
    same statement. ``prev_hash`` is the hash the head linked to before its last move."""

    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["tenant"], name="acc_chain_head_unique")]

    def __str__(self) -> str:
        return f"{self.seq}:{self.hash[:12]}"


class JournalLine(TenantModel):
    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="lines")
    line_no = models.PositiveSmallIntegerField(default=1)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    debit = MoneyField(_("debit"))
    credit = MoneyField(_("credit"))
    partner_id = models.BigIntegerField(_("partner"), null=True, blank=True)  # parties.Party id
    memo = models.CharField(pgettext_lazy("accounting", "description"), max_length=300, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    # VAT: on a VAT account line the rate and the taxable base; on a revenue/cost line of an exempt or
    # 0% sale/purchase the rate alone. ``paid_in_cash`` marks a purchase paid in cash (deductibility).
    tax_rate = models.ForeignKey(TaxRate, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    tax_base = MoneyField(_("tax base"))
    paid_in_cash = models.BooleanField(_("paid in cash"), default=False)
    dimension = models.ForeignKey(
        "Dimension", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("dimension")
    )
    # Foreign currency: ``currency`` empty = the base currency (VND). On a currency line debit/credit
    # (VND) = amount_currency × exchange_rate rounded by ``round_money``; an FX adjustment line (realised
    # difference on settlement, revaluation) has amount_currency 0, no rate, and ``fx_adjusts`` names the
    # open item (invoice or payment line) whose VND book value it changes.
    currency = models.CharField(_("currency"), max_length=3, blank=True, default="", db_default="")
    amount_currency = MoneyField(_("amount in currency"), db_default=0)
    exchange_rate = FixedPointField(_("exchange rate"), scale=PRICE_SCALE, null=True, blank=True)
    fx_adjusts = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="fx_adjustments"
    )

    class Meta:
        ordering: ClassVar = ["entry_id", "line_no", "id"]
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(debit__gte=0) & Q(credit__gte=0), name="acc_line_non_negative"),
            models.CheckConstraint(condition=Q(amount_currency__gte=0), name="acc_line_currency_non_negative"),
            models.CheckConstraint(
                condition=(Q(debit=0) & Q(credit__gt=0)) | (Q(credit=0) & Q(debit__gt=0)), name="acc_line_one_sided"
            ),
        ]
        indexes: ClassVar = [
            models.Index(fields=["tenant", "account", "entry"], name="acc_line_account_idx"),
            models.Index(fields=["tenant", "partner_id", "account"], name="acc_line_partner_idx"),
        ]


class TaxDirection(models.TextChoices):
    OUTPUT = "output", _("Output (sales)")
    INPUT = "input", _("Input (purchases)")


class TaxTransaction(TenantModel):
    """One taxed line of a posted entry: what the VAT listings and the 01/GTGT return add up."""

    line = models.ForeignKey(JournalLine, on_delete=models.PROTECT, related_name="+")
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="tax_transactions")
    rate = models.ForeignKey(TaxRate, on_delete=models.PROTECT, related_name="transactions")
    direction = models.CharField(_("direction"), max_length=6, choices=TaxDirection.choices)
    date = models.DateField(_("date"))
    partner_id = models.BigIntegerField(null=True, blank=True)
    base = MoneyField(_("taxable base"))
    tax = MoneyField(_("tax"))
    paid_in_cash = models.BooleanField(default=False)
    deductible = models.BooleanField(_("deductible"), default=True)
    # the tax was moved from 1331 into the cost of the purchase (non-deductible input VAT); the posting
    # rule keeps it equal to ``not deductible`` for input VAT (``posting._move_nondeductible_vat``)
    moved_to_cost = models.BooleanField(default=False)

    class Meta:
        ordering: ClassVar = ["date", "id"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["tenant", "line"], name="acc_taxtx_line_unique")]
        indexes: ClassVar = [models.Index(fields=["tenant", "direction", "date"], name="acc_taxtx_date_idx")]


class VatFiling(TenantModel):
    """A filed VAT return 01/GTGT of one filing period: the figures as declared (amounts as strings) and
    the refund requested [42]. [22] of the next period is the declared [43] of the last filing before it."""

    period_start = models.DateField(_("from"))
    period_end = models.DateField(_("to"))
    figures = models.JSONField(default=dict)
    refund_requested = MoneyField(_("refund requested [42]"))
    filed_at = models.DateTimeField(default=timezone.now, editable=False)
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+")

    class Meta:
        ordering: ClassVar = ["-period_start"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "period_start"], name="acc_vatfiling_period_unique"),
        ]

    def __str__(self) -> str:
        return f"01/GTGT {self.period_start:%m/%Y}"


class AccountBalance(TenantModel):
    """Σ debit and Σ credit of posted lines per account and period, kept current by posting."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="balances")
    period = models.ForeignKey(FiscalPeriod, on_delete=models.PROTECT, related_name="balances")
    # Year-end closing entries are kept apart so the income statement of the last period still shows
    # its revenues and expenses (the trial balance adds both).
    closing = models.BooleanField(default=False)
    debit = MoneyField()
    credit = MoneyField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "account", "period", "closing"], name="acc_balance_unique"),
        ]
        indexes: ClassVar = [models.Index(fields=["tenant", "period"], name="acc_balance_period_idx")]


class PaymentKind(models.TextChoices):
    RECEIPT = "receipt", _("Receipt from a customer")
    PAYMENT = "payment", _("Payment to a supplier")


class PaymentState(models.TextChoices):
    PENDING = "pending", _("Awaiting approval")
    POSTED = "posted", _("Posted")
    REJECTED = "rejected", _("Rejected")


class Payment(TenantModel):
    """A receipt or a payment of a party, allocated to its open items. Payments to suppliers recorded
    by someone without the approval right wait for a Finance Manager."""

    kind = models.CharField(_("kind"), max_length=10, choices=PaymentKind.choices)
    party_id = models.BigIntegerField(pgettext_lazy("accounting", "party"))
    date = models.DateField(_("date"))
    amount = MoneyField(_("amount"))
    method = models.CharField(_("method"), max_length=10, choices=[("bank", _("Bank")), ("cash", _("Cash"))])
    # a payment in a foreign currency: ``amount`` is its VND value at ``exchange_rate``
    currency = models.CharField(_("currency"), max_length=3, blank=True, default="", db_default="")
    amount_currency = MoneyField(_("amount in currency"), db_default=0)
    exchange_rate = FixedPointField(_("exchange rate"), scale=PRICE_SCALE, null=True, blank=True)
    memo = models.CharField(pgettext_lazy("accounting", "description"), max_length=300, blank=True)
    state = models.CharField(_("state"), max_length=10, choices=PaymentState.choices, default="pending")
    allocations_requested = models.JSONField(default=list, blank=True)  # [[line_id, "amount"], …] until posted
    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["-date", "-id"]
        constraints: ClassVar = [models.CheckConstraint(condition=Q(amount__gt=0), name="acc_payment_positive")]


class Allocation(TenantModel):
    """Part of a payment-side line (a credit on 131, a debit on 331) settling an invoice-side line."""

    invoice_line = models.ForeignKey(JournalLine, on_delete=models.PROTECT, related_name="settled_by")
    payment_line = models.ForeignKey(JournalLine, on_delete=models.PROTECT, related_name="settles")
    amount = MoneyField(_("amount"))  # VND book value settled
    # foreign-currency items: the amount settled in the currency
    amount_currency = MoneyField(_("amount in currency"), db_default=0)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        constraints: ClassVar = [
            models.CheckConstraint(
                condition=Q(amount__gte=0) & Q(amount_currency__gte=0) & (Q(amount__gt=0) | Q(amount_currency__gt=0)),
                name="acc_allocation_positive",
            ),
            models.UniqueConstraint(fields=["tenant", "invoice_line", "payment_line"], name="acc_allocation_unique"),
        ]


class OpenItem(TenantModel):
    """What is still open of one posted line with a partner: kept in the posting transaction (a row per
    partner line, ``open`` = its amount) and lowered by each ``Allocation`` in the allocating
    transaction, so aging reads the open items alone (partial index) instead of every partner line
    and allocation. ``receivables.open_items`` recomputes the same from lines and allocations;
    ``verify_ledger`` compares both."""

    line = models.ForeignKey(JournalLine, on_delete=models.CASCADE, related_name="+")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    partner_id = models.BigIntegerField()
    date = models.DateField()  # the entry's date
    due_date = models.DateField(null=True, blank=True)  # the line's own; empty = date + payment terms
    debit = MoneyField()
    credit = MoneyField()
    open = MoneyField()  # debit + credit − Σ allocations on the line (either side), never negative

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "line"], name="acc_openitem_line_unique"),
            models.CheckConstraint(condition=Q(open__gte=0), name="acc_openitem_open_non_negative"),
        ]
        indexes: ClassVar = [
            models.Index(
                fields=["tenant", "account", "partner_id"], condition=Q(open__gt=0), name="acc_openitem_open_idx"
            ),
        ]


class Budget(TenantModel):
    """A budget for one fiscal year: amounts per account and period (``BudgetLine``)."""

    fiscal_year = models.ForeignKey(FiscalYear, on_delete=models.PROTECT, related_name="budgets")
    name = models.CharField(_("name"), max_length=120)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["-fiscal_year__start_date", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "fiscal_year", "name"], name="acc_budget_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class BudgetLine(TenantModel):
    budget = models.ForeignKey(Budget, on_delete=models.CASCADE, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(FiscalPeriod, on_delete=models.PROTECT, related_name="+")
    amount = MoneyField(_("amount"))
    # optional: the line budgets only the account's lines carrying this department or project
    dimension = models.ForeignKey(
        "Dimension", on_delete=models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("dimension")
    )
    exceeded_notified = models.BooleanField(default=False, editable=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["tenant", "budget", "account", "period"],
                condition=Q(dimension__isnull=True),
                name="acc_budgetline_unique",
            ),
            models.UniqueConstraint(
                fields=["tenant", "budget", "account", "period", "dimension"],
                condition=Q(dimension__isnull=False),
                name="acc_budgetline_dim_unique",
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="acc_budgetline_non_negative"),
        ]


class BankAccount(TenantModel):
    """A bank account of the company, linked to its ledger account (112x)."""

    name = models.CharField(_("name"), max_length=120)
    bank_name = models.CharField(_("bank"), max_length=120)
    number = models.CharField(_("account number"), max_length=40)
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    is_active = models.BooleanField(pgettext_lazy("accounting", "active"), default=True)

    class Meta:
        ordering: ClassVar = ["name"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["tenant", "number"], name="acc_bankaccount_unique")]

    def __str__(self) -> str:
        return f"{self.name} ({self.number})"


class BankTransaction(TenantModel):
    """One line of an imported bank statement; ``amount`` is signed (+ money in, − money out)."""

    bank_account = models.ForeignKey(BankAccount, on_delete=models.PROTECT, related_name="transactions")
    date = models.DateField(_("date"))
    amount = MoneyField(_("amount"))
    reference = models.CharField(_("reference"), max_length=120, blank=True)
    description = models.CharField(pgettext_lazy("accounting", "description"), max_length=500, blank=True)
    fingerprint = models.CharField(max_length=64, editable=False)
    matched_line = models.ForeignKey(JournalLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    imported_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["-date", "-id"]
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["tenant", "bank_account", "fingerprint"], name="acc_banktx_fingerprint_unique"
            ),
            models.UniqueConstraint(
                fields=["tenant", "matched_line"],
                condition=Q(matched_line__isnull=False),
                name="acc_banktx_line_unique",
            ),
        ]


class DimensionKind(models.TextChoices):
    DEPARTMENT = "department", _("Department")
    PROJECT = "project", _("Project")


class Dimension(TenantModel):
    """An analytic dimension (department or project) that journal lines and budget lines may carry.
    Other modules (HR, projects) refer to a dimension by ``(kind, code)``; codes never change."""

    kind = models.CharField(_("kind"), max_length=12, choices=DimensionKind.choices)
    code = models.CharField(_("code"), max_length=30)
    name = models.CharField(_("name"), max_length=120)
    is_active = models.BooleanField(pgettext_lazy("accounting", "active"), default=True)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["kind", "code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "kind", "code"], name="acc_dimension_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class DimensionBalance(TenantModel):
    """Σ debit and Σ credit of posted lines per account × period × dimension (lines with a dimension
    only), kept current by posting like ``AccountBalance``: budget vs actual per dimension reads it."""

    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="+")
    period = models.ForeignKey(FiscalPeriod, on_delete=models.PROTECT, related_name="+")
    dimension = models.ForeignKey(Dimension, on_delete=models.PROTECT, related_name="balances")
    debit = MoneyField()
    credit = MoneyField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "account", "period", "dimension"], name="acc_dimbalance_unique"),
        ]


def attachment_path(instance: EntryAttachment, filename: str) -> str:
    """Tenant-scoped storage name: ``acc/<tenant id>/entries/<entry id>/<random>.<ext>``."""
    import uuid
    from pathlib import PurePosixPath

    ext = PurePosixPath(filename).suffix.lower()[:8]
    return f"acc/{instance.tenant_id}/entries/{instance.entry_id}/{uuid.uuid4().hex}{ext}"


class EntryAttachment(TenantModel):
    """A document (invoice, receipt: PDF or image) attached to a journal entry. Added at any state;
    removed only while the entry is a draft."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(_("file"), upload_to=attachment_path, max_length=200)
    name = models.CharField(_("name"), max_length=200)
    content_type = models.CharField(_("type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64, editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(default=timezone.now, editable=False)

    class Meta:
        ordering: ClassVar = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.name


class StatementProfile(TenantModel):
    """A saved column mapping for statement files of one bank account (see ``statements.py``)."""

    bank_account = models.ForeignKey(BankAccount, on_delete=models.CASCADE, related_name="statement_profiles")
    name = models.CharField(_("name"), max_length=80)
    mapping = models.JSONField(_("mapping"))
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-updated_at", "name"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "bank_account", "name"], name="acc_stmtprofile_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name
