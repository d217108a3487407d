"""Sales and CRM (spec §5, module CRM): customers, customer groups, sales orders and sales invoices.

A customer is a role on a ``parties.Party`` (the shared directory): the party holds name, tax code,
addresses and contacts; ``Customer`` adds what selling needs (code, group, credit limit, payment
terms, salesperson). Products and warehouses are Inventory's: lines keep their ids (no foreign key
across modules) and a snapshot of the product's code, name and unit taken when the line was written.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.platform.models import TenantModel
from novasaas.platform.money import FixedPointField, MoneyField, QuantityField

ZERO = Decimal(0)


class CustomerGroup(TenantModel):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    discount_percent = FixedPointField(_("default discount %"), scale=2, default=ZERO)
    price_list = models.ForeignKey(
        "sales.PriceList",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="groups",
        verbose_name=_("default price list"),
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="sales_group_code_unique"),
            models.CheckConstraint(
                condition=Q(discount_percent__gte=0) & Q(discount_percent__lte=100),
                name="sales_group_discount_range",
            ),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class Customer(TenantModel):
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("party"))
    code = models.CharField(_("code"), max_length=20, editable=False)
    group = models.ForeignKey(
        CustomerGroup,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="customers",
        verbose_name=_("customer group"),
    )
    # None: no limit; 0: nothing on credit
    credit_limit = MoneyField(_("credit limit"), null=True, blank=True, default=None)
    payment_terms_days = models.PositiveIntegerField(_("payment terms (days)"), default=0)
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("salesperson"),
    )
    is_active = models.BooleanField(_("active"), default=True)
    # the balance of the loyalty points ledger (``LoyaltyEntry``), kept under the customer's row lock
    loyalty_points = models.IntegerField(_("loyalty points"), default=0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(condition=Q(loyalty_points__gte=0), name="sales_customer_points_ge_0"),
            models.UniqueConstraint(fields=["tenant", "code"], name="sales_customer_code_unique"),
            models.UniqueConstraint(fields=["tenant", "party"], name="sales_customer_party_unique"),
            models.CheckConstraint(
                condition=Q(credit_limit__isnull=True) | Q(credit_limit__gte=0), name="sales_customer_credit_limit_ge_0"
            ),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class CustomerContact(TenantModel):
    """A person to deal with at a customer (buyer, accountant, director): name, position, phone, email."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=100, blank=True)
    phone = models.CharField(_("phone"), max_length=30, blank=True)
    email = models.EmailField(_("email"), max_length=254, blank=True)
    is_primary = models.BooleanField(_("primary contact"), default=False)
    note = models.CharField(_("note"), max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-is_primary", "name", "id"]

    def __str__(self) -> str:
        return self.name


class OrderStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("sales order", "Draft")
    TO_APPROVE = "to_approve", pgettext_lazy("sales order", "Awaiting approval")
    CONFIRMED = "confirmed", pgettext_lazy("sales order", "Confirmed")
    PARTIAL = "partial", pgettext_lazy("sales order", "Partly delivered")
    DELIVERED = "delivered", pgettext_lazy("sales order", "Delivered")
    INVOICED = "invoiced", pgettext_lazy("sales order", "Invoiced")
    CANCELLED = "cancelled", pgettext_lazy("sales order", "Cancelled")


class SalesOrder(TenantModel):
    number = models.CharField(_("number"), max_length=30)
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="orders", verbose_name=_("customer"))
    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    warehouse_id = models.BigIntegerField(_("warehouse"), null=True, blank=True)  # inventory.Warehouse id
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("salesperson"),
    )
    note = models.TextField(_("note"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="VND")
    untaxed = MoneyField(_("amount before VAT"), default=ZERO)
    vat = MoneyField(_("VAT"), default=ZERO)
    total = MoneyField(_("total"), default=ZERO)
    invoiced_amount = MoneyField(_("invoiced"), default=ZERO)  # Σ totals of the invoice lines of this order
    closed_amount = MoneyField(_("closed back-order"), default=ZERO)  # value of the back-order given up
    # promotions (``promotions.py``): spread over the lines as their ``allowance``, before VAT
    coupon = models.ForeignKey(
        "sales.Coupon", on_delete=models.PROTECT, null=True, blank=True, related_name="orders", editable=False
    )
    coupon_discount = MoneyField(_("coupon discount"), default=ZERO)
    points_redeemed = models.PositiveIntegerField(_("loyalty points redeemed"), default=0)
    points_discount = MoneyField(_("loyalty points discount"), default=ZERO)
    issue_id = models.BigIntegerField(null=True, blank=True)  # inventory.StockMovement of the last delivery
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "number"], name="sales_order_number_unique")]
        indexes = [models.Index(fields=["tenant", "customer", "status"], name="sales_order_customer_idx")]
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number

    @property
    def document(self) -> str:
        """The name inventory's reservations and issues carry for this order."""
        return f"crm.salesorder:{self.pk}"


class VatCode(models.TextChoices):
    VAT0 = "VAT0", "0%"
    VAT5 = "VAT5", "5%"
    VAT8 = "VAT8", "8%"
    VAT10 = "VAT10", "10%"
    EXEMPT = "EXEMPT", pgettext_lazy("vat", "Not subject (KCT)")


class DocumentLine(TenantModel):
    """The fields of a sales document line, shared by order and quotation lines (one validation and
    totals path: ``actions._build_lines`` and ``totals.document_totals``)."""

    position = models.PositiveIntegerField(default=0)
    product_id = models.BigIntegerField(_("product"), null=True, blank=True)  # inventory.Product id
    description = models.CharField(_("description"), max_length=300)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    quantity = QuantityField(_("quantity"))
    unit_price = MoneyField(_("unit price"))
    discount_percent = FixedPointField(_("discount %"), scale=2, default=ZERO)
    # the document's promotion discount (coupon, loyalty points) carried by this line: whole đồng off the
    # line's amount before VAT, so the VAT is computed on the reduced amount (``totals.line_amounts``)
    allowance = MoneyField(_("promotion discount"), default=ZERO)
    vat_code = models.CharField(_("VAT rate"), max_length=6, choices=VatCode.choices, default=VatCode.VAT10)
    is_stocked = models.BooleanField(default=False)  # a product inventory keeps stock of
    is_service = models.BooleanField(default=False)  # revenue role service_revenue (5113), else revenue (5111)
    net_amount = MoneyField(_("amount before VAT"), default=ZERO)
    vat_amount = MoneyField(_("VAT"), default=ZERO)
    total = MoneyField(_("total"), default=ZERO)

    class Meta:
        abstract = True


class SalesOrderLine(DocumentLine):
    order = models.ForeignKey(SalesOrder, on_delete=models.CASCADE, related_name="lines")
    delivered_quantity = QuantityField(_("delivered"), default=ZERO)
    invoiced_quantity = QuantityField(_("invoiced"), default=ZERO)
    returned_quantity = QuantityField(_("returned"), default=ZERO)
    # the back-order given up when a partly delivered order is closed (never delivered)
    closed_quantity = QuantityField(_("closed"), default=ZERO)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_line_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(delivered_quantity__gte=0) & Q(delivered_quantity__lte=models.F("quantity")),
                name="sales_line_delivered_le_quantity",
            ),
            models.CheckConstraint(
                condition=Q(invoiced_quantity__gte=0) & Q(invoiced_quantity__lte=models.F("delivered_quantity")),
                name="sales_line_invoiced_le_delivered",
            ),
        ]

    @property
    def remaining(self) -> Decimal:
        """What is still to deliver (the back-order of this line)."""
        return self.quantity - self.delivered_quantity - self.closed_quantity


class QuotationStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("quotation", "Draft")
    SENT = "sent", pgettext_lazy("quotation", "Sent")
    ACCEPTED = "accepted", pgettext_lazy("quotation", "Accepted")
    DECLINED = "declined", pgettext_lazy("quotation", "Declined")
    REVISED = "revised", pgettext_lazy("quotation", "Replaced by a revision")


class Quotation(TenantModel):
    """A price offer to a customer, valid until ``valid_until``; accepted, it becomes a draft order.
    "Expired" is not stored: a draft or sent quotation past its validity date is shown and treated as
    expired (``is_expired``)."""

    number = models.CharField(_("number"), max_length=30)
    customer = models.ForeignKey(
        Customer, on_delete=models.PROTECT, related_name="quotations", verbose_name=_("customer")
    )
    date = models.DateField(_("date"))
    valid_until = models.DateField(_("valid until"))
    status = models.CharField(
        _("status"), max_length=12, choices=QuotationStatus.choices, default=QuotationStatus.DRAFT
    )
    salesperson = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("salesperson"),
    )
    note = models.TextField(_("note"), blank=True)
    currency = models.CharField(_("currency"), max_length=3, default="VND")
    untaxed = MoneyField(_("amount before VAT"), default=ZERO)
    vat = MoneyField(_("VAT"), default=ZERO)
    total = MoneyField(_("total"), default=ZERO)
    coupon = models.ForeignKey(
        "sales.Coupon", on_delete=models.PROTECT, null=True, blank=True, related_name="quotations", editable=False
    )
    coupon_discount = MoneyField(_("coupon discount"), default=ZERO)
    order = models.ForeignKey(  # the draft order made on acceptance (one per quotation, one quotation per order)
        SalesOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="quotations", editable=False
    )
    sent_to = models.EmailField(_("sent to"), blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, editable=False)
    expiry_notified_at = models.DateTimeField(null=True, blank=True, editable=False)
    # a revision is a new quotation (number <first>-R<n>) replacing a sent or declined one
    revision_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="revisions", editable=False
    )
    revision = models.PositiveSmallIntegerField(_("revision"), default=0, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="sales_quotation_number_unique"),
            models.UniqueConstraint(fields=["tenant", "order"], name="sales_quotation_order_unique"),
            models.UniqueConstraint(fields=["tenant", "revision_of"], name="sales_quotation_revision_unique"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("date")), name="sales_quotation_valid_ge_date"
            ),
        ]
        indexes = [models.Index(fields=["tenant", "customer", "status"], name="sales_quotation_customer_idx")]
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number

    def is_expired(self, today: dt.date | None = None) -> bool:
        from django.utils import timezone

        on = today or timezone.localdate()
        return self.status in (QuotationStatus.DRAFT, QuotationStatus.SENT) and self.valid_until < on

    @property
    def expired(self) -> bool:
        return self.is_expired()


class QuotationLine(DocumentLine):
    quotation = models.ForeignKey(Quotation, on_delete=models.CASCADE, related_name="lines")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_qline_quantity_gt_0")]


class InvoiceStatus(models.TextChoices):
    POSTED = "posted", pgettext_lazy("sales invoice", "Issued")
    PAID = "paid", pgettext_lazy("sales invoice", "Paid")


class SalesInvoice(TenantModel):
    """Invoice of one or more deliveries of one customer (``order`` is set when they all belong to one
    order); its lines are ``SalesInvoiceLine``."""

    number = models.CharField(_("number"), max_length=30)
    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    date = models.DateField(_("date"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=InvoiceStatus.choices, default=InvoiceStatus.POSTED)
    untaxed = MoneyField(_("amount before VAT"), default=ZERO)
    vat = MoneyField(_("VAT"), default=ZERO)
    total = MoneyField(_("total"), default=ZERO)
    paid = MoneyField(_("paid"), default=ZERO)
    credited = MoneyField(_("credited"), default=ZERO)  # Σ credit notes against this invoice
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="sales_invoice_number_unique"),
            models.CheckConstraint(
                condition=Q(paid__lte=models.F("total") - models.F("credited")), name="sales_invoice_paid_le_open"
            ),
        ]
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number


class PaymentMethod(models.TextChoices):
    CASH = "cash", _("Cash")
    BANK = "bank", _("Bank transfer")
    CREDIT = "credit", _("Customer credit")


class SalesPayment(TenantModel):
    """Money received against one sales invoice (with ACC: also a receipt in accounting's receivables)."""

    invoice = models.ForeignKey(SalesInvoice, on_delete=models.PROTECT, related_name="payments")
    date = models.DateField(_("date"))
    amount = MoneyField(_("amount"))
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.BANK)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="sales_payment_amount_gt_0")]


class SalesInvoiceLine(DocumentLine):
    """A line of an invoice: the delivered quantity of one order line, priced like the order line
    (``totals.document_totals`` on the invoiced quantity)."""

    invoice = models.ForeignKey(SalesInvoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="invoice_lines")
    credited_quantity = QuantityField(_("credited"), default=ZERO)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_iline_quantity_gt_0")]


class SalesDelivery(TenantModel):
    """One delivery of (part of) a sales order: the delivery note (biên bản giao hàng) and, with INV, its
    goods issue (``issue_id``). ``invoice`` is the invoice that billed it (None: not yet invoiced)."""

    number = models.CharField(_("number"), max_length=30)
    order = models.ForeignKey(SalesOrder, on_delete=models.PROTECT, related_name="deliveries")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="deliveries")
    date = models.DateField(_("date"))
    issue_id = models.BigIntegerField(null=True, blank=True)  # inventory.StockMovement
    invoice = models.ForeignKey(
        SalesInvoice, on_delete=models.PROTECT, null=True, blank=True, related_name="deliveries"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "number"], name="sales_delivery_number_unique")]
        indexes = [models.Index(fields=["tenant", "customer", "invoice"], name="sales_delivery_customer_idx")]
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number


class SalesDeliveryLine(TenantModel):
    delivery = models.ForeignKey(SalesDelivery, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(SalesOrderLine, on_delete=models.PROTECT, related_name="delivery_lines")
    quantity = QuantityField(_("quantity"))
    returned_quantity = QuantityField(_("returned"), default=ZERO)

    class Meta:
        ordering = ["order_line__position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_dline_quantity_gt_0"),
            models.CheckConstraint(
                condition=Q(returned_quantity__gte=0) & Q(returned_quantity__lte=models.F("quantity")),
                name="sales_dline_returned_le_quantity",
            ),
        ]


class StockCheck(models.TextChoices):
    REFUSE = "refuse", _("Refuse the confirmation")
    WARN = "warn", _("Warn, reserve what is available (back-order the rest)")


class SalesSettings(TenantModel):
    """Per-company order policy: stock check on confirmation and approval above an amount."""

    stock_check = models.CharField(
        _("when stock is short on confirmation"), max_length=10, choices=StockCheck.choices, default=StockCheck.REFUSE
    )
    approval_limit = MoneyField(_("orders above this total need approval"), null=True, blank=True, default=None)
    # the account customers pay into, printed as a VietQR code on invoices (empty: no code)
    payee_bank_bin = models.CharField(_("bank BIN (NAPAS, 6 digits)"), max_length=6, blank=True)
    payee_account = models.CharField(_("bank account number"), max_length=19, blank=True)
    # a new quotation is valid this many days unless its author says otherwise
    quotation_validity_days = models.PositiveSmallIntegerField(_("quotations valid for (days)"), default=30)
    # the salesperson is told this many days before a sent quotation expires (0: on the day)
    quotation_expiry_notice_days = models.PositiveSmallIntegerField(
        _("notify before a quotation expires (days)"), default=3
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant"], name="sales_settings_unique"),
            models.CheckConstraint(
                condition=Q(approval_limit__isnull=True) | Q(approval_limit__gte=0), name="sales_settings_limit_ge_0"
            ),
        ]


class SalesReturn(TenantModel):
    """Goods a customer sends back from one delivery (TL-<year>-<n>): with INV a customer-return receipt
    at the unit cost the goods left at (``receipt_id``; ACC reverses the COGS: Dr 156 / Cr 632)."""

    number = models.CharField(_("number"), max_length=30)
    delivery = models.ForeignKey(SalesDelivery, on_delete=models.PROTECT, related_name="returns")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="returns")
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    receipt_id = models.BigIntegerField(null=True, blank=True)  # inventory.StockMovement (customer return)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "number"], name="sales_return_number_unique")]
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number


class SalesReturnLine(TenantModel):
    sales_return = models.ForeignKey(SalesReturn, on_delete=models.CASCADE, related_name="lines")
    delivery_line = models.ForeignKey(SalesDeliveryLine, on_delete=models.PROTECT, related_name="return_lines")
    quantity = QuantityField(_("quantity"))
    unit_cost = FixedPointField(_("unit cost"), scale=6, default=ZERO)  # the cost it left at (INV)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_rline_quantity_gt_0")]


class SalesCreditNote(TenantModel):
    """A credit note against an invoice (GG-<year>-<n>): revenue, VAT and the receivable reversed (ACC:
    Dr 5111/5113, Dr 33311 / Cr 131 through ``post_source_document``)."""

    number = models.CharField(_("number"), max_length=30)
    invoice = models.ForeignKey(SalesInvoice, on_delete=models.PROTECT, related_name="credit_notes")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="credit_notes")
    sales_return = models.ForeignKey(
        SalesReturn, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_notes"
    )
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    untaxed = MoneyField(_("amount before VAT"), default=ZERO)
    vat = MoneyField(_("VAT"), default=ZERO)
    total = MoneyField(_("total"), default=ZERO)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="sales_credit_note_number_unique"),
            models.CheckConstraint(condition=Q(total__gt=0), name="sales_credit_note_total_gt_0"),
        ]
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number


class SalesCreditNoteLine(DocumentLine):
    credit_note = models.ForeignKey(SalesCreditNote, on_delete=models.CASCADE, related_name="lines")
    invoice_line = models.ForeignKey(SalesInvoiceLine, on_delete=models.PROTECT, related_name="credit_lines")

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="sales_cline_quantity_gt_0")]


class CustomerCreditEntry(TenantModel):
    """The customer's credit ledger (append-only): + an over-payment or a credit note on a paid invoice,
    − credit used to pay an invoice. The balance is the sum."""

    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="credit_entries")
    date = models.DateField(_("date"))
    amount = MoneyField(_("amount"))  # signed
    source = models.CharField(max_length=60)  # "payment:<id>" | "credit_note:<id>" | "invoice:<id>"
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [models.CheckConstraint(condition=~Q(amount=0), name="sales_credit_entry_not_zero")]


from novasaas.sales.pipeline_models import (  # noqa: E402, F401  (pipeline tables: leads, opportunities, activities)
    Activity,
    ActivityKind,
    Lead,
    LeadSource,
    LeadStatus,
    Opportunity,
    Stage,
)
from novasaas.sales.portal_models import (  # noqa: E402, F401
    PortalAccount,
    SupportTicket,
    TicketMessage,
    TicketStatus,
)
from novasaas.sales.pricing_models import PriceList, PriceListItem  # noqa: E402, F401
from novasaas.sales.promotion_models import (  # noqa: E402, F401  (coupons, campaigns, loyalty)
    Campaign,
    Coupon,
    CouponKind,
    CouponRedemption,
    LoyaltyEntry,
    LoyaltyKind,
    LoyaltyProgramme,
    LoyaltyTier,
)
