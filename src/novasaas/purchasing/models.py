"""Purchasing and supply chain (spec §8, module SCM): vendors and their price lists, purchase orders,
receipts against them, vendor bills matched three ways, vendor payments and purchase requisitions.

A vendor is a role on a ``parties.Party`` (the shared directory). Products and warehouses are
Inventory's: lines keep their ids (no foreign key across modules) and a snapshot of the product's
name and stock unit taken when the line was written. Quantities are in the product's stock unit.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from novasaas.platform.models import TenantModel
from novasaas.platform.money import FixedPointField, MoneyField, QuantityField

ZERO = Decimal(0)


class ReorderAction(models.TextChoices):
    REQUISITION = "requisition", _("Draft requisition")
    ORDER = "order", _("Draft purchase order to the product's preferred or last vendor")


class PurchasingSettings(TenantModel):
    """The company's purchasing rules. No row: the defaults below (read without writing)."""

    approval_limit = MoneyField(_("approval limit"), default=Decimal(50_000_000))
    receipt_tolerance_percent = FixedPointField(_("over-receipt tolerance %"), scale=2, default=ZERO)
    quantity_tolerance_percent = FixedPointField(_("bill quantity tolerance %"), scale=2, default=ZERO)
    price_tolerance_percent = FixedPointField(_("bill price tolerance %"), scale=2, default=Decimal(1))
    # what a product falling below its reorder level creates (spec §8 names both; default: requisition)
    reorder_action = models.CharField(
        _("on low stock"), max_length=12, choices=ReorderAction.choices, default=ReorderAction.REQUISITION
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant"], name="purchasing_settings_tenant_unique")]


class Vendor(TenantModel):
    party = models.ForeignKey("parties.Party", on_delete=models.PROTECT, related_name="+", verbose_name=_("party"))
    code = models.CharField(_("code"), max_length=20, editable=False)
    payment_terms_days = models.PositiveIntegerField(_("payment terms (days)"), default=0)
    currency = models.CharField(_("currency"), max_length=3, default="VND")
    bank_name = models.CharField(_("bank"), max_length=100, blank=True)
    bank_account = models.CharField(_("bank account"), max_length=40, blank=True)
    note = models.TextField(_("note"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "code"], name="purchasing_vendor_code_unique"),
            models.UniqueConstraint(fields=["tenant", "party"], name="purchasing_vendor_party_unique"),
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class VendorPrice(TenantModel):
    """One line of a vendor's price list: the price of a product from ``min_quantity`` up, valid
    between two dates (open-ended when ``valid_to`` is empty)."""

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="prices")
    product_id = models.BigIntegerField(_("product"))  # inventory.Product id
    product_name = models.CharField(_("product"), max_length=300)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    min_quantity = QuantityField(_("minimum quantity"), default=ZERO)
    price = MoneyField(_("price"))
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)
    valid_from = models.DateField(_("valid from"))
    valid_to = models.DateField(_("valid to"), null=True, blank=True)

    class Meta:
        ordering = ["product_name", "min_quantity", "-valid_from"]
        indexes = [models.Index(fields=["tenant", "vendor", "product_id"], name="purchasing_price_lookup_idx")]
        constraints = [
            models.CheckConstraint(condition=Q(min_quantity__gte=0), name="purchasing_price_min_qty_ge_0"),
            models.CheckConstraint(condition=Q(price__gte=0), name="purchasing_price_ge_0"),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="purchasing_price_valid_range",
            ),
        ]


class PreferredVendor(TenantModel):
    """The vendor a product is bought from first (a purchasing-side product setting; Inventory's
    product knows nothing of it): the low-stock draft order goes to it before the last vendor and the
    cheapest listing."""

    product_id = models.BigIntegerField(_("product"))  # inventory.Product id
    product_name = models.CharField(_("product"), max_length=300)
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="preferred_for", verbose_name=_("vendor"))

    class Meta:
        ordering = ["product_name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "product_id"], name="purchasing_preferred_vendor_unique")
        ]


class OrderStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("purchase order", "Draft")
    WAITING = "waiting", pgettext_lazy("purchase order", "Waiting for approval")
    APPROVED = "approved", pgettext_lazy("purchase order", "Approved")
    PARTIAL = "partial", pgettext_lazy("purchase order", "Partially received")
    RECEIVED = "received", pgettext_lazy("purchase order", "Received")
    CLOSED = "closed", pgettext_lazy("purchase order", "Closed")
    CANCELLED = "cancelled", pgettext_lazy("purchase order", "Cancelled")


class VatCode(models.TextChoices):
    VAT0 = "VAT0", "0%"
    VAT5 = "VAT5", "5%"
    VAT8 = "VAT8", "8%"
    VAT10 = "VAT10", "10%"
    EXEMPT = "EXEMPT", pgettext_lazy("vat", "Not subject (KCT)")


class PurchaseOrder(TenantModel):
    number = models.CharField(_("number"), max_length=30)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="orders", verbose_name=_("vendor"))
    date = models.DateField(_("date"))
    expected_date = models.DateField(_("expected date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=OrderStatus.choices, default=OrderStatus.DRAFT)
    warehouse_id = models.BigIntegerField(_("warehouse"))  # inventory.Warehouse id
    currency = models.CharField(_("currency"), max_length=3, default="VND")
    note = models.TextField(_("note"), blank=True)
    untaxed = MoneyField(_("amount before VAT"), default=ZERO)
    vat = MoneyField(_("VAT"), default=ZERO)
    total = MoneyField(_("total"), default=ZERO)
    requisition = models.ForeignKey(
        "PurchaseRequisition", on_delete=models.PROTECT, null=True, blank=True, related_name="orders", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    approved_at = models.DateTimeField(null=True, blank=True, editable=False)
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True)  # last email of the PDF to the vendor
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "number"], name="purchasing_order_number_unique")]
        indexes = [models.Index(fields=["tenant", "vendor", "status"], name="purchasing_order_vendor_idx")]
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number


class PurchaseOrderLine(TenantModel):
    order = models.ForeignKey(PurchaseOrder, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    product_id = models.BigIntegerField(_("product"))  # inventory.Product id
    description = models.CharField(_("description"), max_length=300)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    quantity = QuantityField(_("quantity"))
    unit_price = MoneyField(_("unit price"))
    discount_percent = FixedPointField(_("discount %"), scale=2, default=ZERO)
    vat_code = models.CharField(_("VAT rate"), max_length=6, choices=VatCode.choices, default=VatCode.VAT10)
    net_amount = MoneyField(_("amount before VAT"), default=ZERO)
    vat_amount = MoneyField(_("VAT"), default=ZERO)
    total = MoneyField(_("total"), default=ZERO)
    received_quantity = QuantityField(_("received"), default=ZERO)
    received_value = MoneyField(_("received value"), default=ZERO)  # credited to 3388 by the receipts
    billed_quantity = QuantityField(_("billed"), default=ZERO)
    billed_value = MoneyField(_("GRNI cleared"), default=ZERO)  # debited to 3388 by posted bills
    # refused at the quality check of a receipt: never stocked, sent back with the carrier
    rejected_quantity = QuantityField(_("rejected"), default=ZERO)
    # the automatic requisition (low-stock crossing) this line was added for: a draft reorder order
    # groups the crossings of one vendor's products, one line per product
    requisition = models.ForeignKey(
        "PurchaseRequisition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="order_lines",
        editable=False,
    )

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchasing_line_quantity_gt_0"),
            models.CheckConstraint(condition=Q(received_quantity__gte=0), name="purchasing_line_received_ge_0"),
            models.CheckConstraint(condition=Q(billed_quantity__gte=0), name="purchasing_line_billed_ge_0"),
            models.CheckConstraint(condition=Q(rejected_quantity__gte=0), name="purchasing_line_rejected_ge_0"),
        ]

    @property
    def open_quantity(self) -> Decimal:
        return max(self.quantity - self.received_quantity, ZERO)

    @property
    def unbilled_quantity(self) -> Decimal:
        return self.received_quantity - self.billed_quantity


class PurchaseReceipt(TenantModel):
    """A goods receipt of inventory made against the order (GoodsReceipt of the spec)."""

    order = models.ForeignKey(PurchaseOrder, on_delete=models.PROTECT, related_name="receipts")
    # inventory.StockMovement id; none for a delivery rejected in full at the quality check (nothing stocked)
    movement_id = models.BigIntegerField(null=True, blank=True)
    number = models.CharField(_("number"), max_length=30)
    date = models.DateField(_("date"))
    value = MoneyField(_("value"), default=ZERO)
    quantity = QuantityField(_("quantity"), default=ZERO)
    # quality check: what the delivery brought and was refused (not in ``quantity``, not stocked)
    rejected_quantity = QuantityField(_("rejected"), default=ZERO)
    rejection_reason = models.CharField(_("reason for rejection"), max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )

    class Meta:
        ordering = ["date", "id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "movement_id"], name="purchasing_receipt_unique")]

    def __str__(self) -> str:
        return self.number


class BillStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("vendor bill", "Draft")
    UNPAID = "unpaid", pgettext_lazy("vendor bill", "Unpaid")
    PARTIAL = "partial", pgettext_lazy("vendor bill", "Partially paid")
    PAID = "paid", pgettext_lazy("vendor bill", "Paid")


class MatchStatus(models.TextChoices):
    NONE = "none", pgettext_lazy("three-way match", "No purchase order")
    MATCHED = "matched", pgettext_lazy("three-way match", "Matched")
    MISMATCH = "mismatch", pgettext_lazy("three-way match", "Mismatch")
    APPROVED = "approved", pgettext_lazy("three-way match", "Mismatch approved")


class PaymentMethod(models.TextChoices):
    BANK = "bank", _("Bank transfer")
    CASH = "cash", _("Cash")


class ExpenseRole(models.TextChoices):
    ADMIN = "admin_expense", _("Administrative expense")
    SELLING = "selling_expense", _("Selling expense")
    OTHER = "other_expense", _("Other expense")


class BillKind(models.TextChoices):
    STANDARD = "standard", pgettext_lazy("vendor bill", "Goods, service or expense")
    LANDED_COST = "landed_cost", pgettext_lazy("vendor bill", "Landed cost (freight, insurance, duty, import VAT)")


class LandedSplit(models.TextChoices):
    VALUE = "value", pgettext_lazy("landed cost split", "By value")
    QUANTITY = "quantity", pgettext_lazy("landed cost split", "By quantity")


class CostKind(models.TextChoices):
    FREIGHT = "freight", _("Freight")
    INSURANCE = "insurance", _("Insurance")
    DUTY = "duty", _("Import duty")
    IMPORT_VAT = "import_vat", _("Import VAT")


class VendorBill(TenantModel):
    """A purchase invoice. With an order its lines are matched to the order's lines (three-way: ordered,
    received, billed); without one it is a service or expense bill. A landed-cost bill (``kind``)
    carries freight, insurance, duty and import VAT of goods received from another vendor, allocated
    to the receipts in ``landed_allocations``."""

    number = models.CharField(_("number"), max_length=30)
    vendor_invoice_no = models.CharField(_("vendor invoice number"), max_length=40)
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="bills", verbose_name=_("vendor"))
    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="bills", verbose_name=_("order")
    )
    date = models.DateField(_("date"))
    due_date = models.DateField(_("due date"))
    status = models.CharField(_("status"), max_length=10, choices=BillStatus.choices, default=BillStatus.DRAFT)
    match_status = models.CharField(
        _("three-way match"), max_length=10, choices=MatchStatus.choices, default=MatchStatus.NONE
    )
    match_notes = models.TextField(_("match notes"), blank=True)
    payment_method = models.CharField(
        _("payment method"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.BANK
    )
    kind = models.CharField(_("kind"), max_length=12, choices=BillKind.choices, default=BillKind.STANDARD)
    landed_split = models.CharField(
        _("allocation"), max_length=10, choices=LandedSplit.choices, default=LandedSplit.VALUE
    )
    untaxed = MoneyField(_("amount before VAT"), default=ZERO)
    vat = MoneyField(_("VAT"), default=ZERO)
    total = MoneyField(_("total"), default=ZERO)
    paid = MoneyField(_("paid"), default=ZERO)
    credited = MoneyField(_("credited"), default=ZERO)  # by the vendor's credit notes
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    match_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    posted_at = models.DateTimeField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="purchasing_bill_number_unique"),
            models.CheckConstraint(condition=Q(paid__lte=models.F("total")), name="purchasing_bill_paid_le_total"),
            models.CheckConstraint(
                condition=Q(credited__gte=0) & Q(paid__lte=models.F("total") - models.F("credited")),
                name="purchasing_bill_paid_credited_le_total",
            ),
        ]
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number


class VendorBillLine(TenantModel):
    bill = models.ForeignKey(VendorBill, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    order_line = models.ForeignKey(
        PurchaseOrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="bill_lines"
    )
    expense_role = models.CharField(_("expense"), max_length=20, choices=ExpenseRole.choices, blank=True)
    cost_kind = models.CharField(_("cost"), max_length=12, choices=CostKind.choices, blank=True)
    description = models.CharField(_("description"), max_length=300)
    quantity = QuantityField(_("quantity"))
    unit_price = MoneyField(_("unit price"))
    discount_percent = FixedPointField(_("discount %"), scale=2, default=ZERO)
    vat_code = models.CharField(_("VAT rate"), max_length=6, choices=VatCode.choices, default=VatCode.VAT10)
    net_amount = MoneyField(_("amount before VAT"), default=ZERO)
    vat_amount = MoneyField(_("VAT"), default=ZERO)
    total = MoneyField(_("total"), default=ZERO)
    grni_value = MoneyField(_("GRNI cleared"), default=ZERO)  # set at posting
    # the project the expense is for (Projects' id, no FK across modules); its code is the ledger
    # dimension ``project:<code>`` the expense line is posted on
    project_id = models.BigIntegerField(null=True, blank=True)
    project_code = models.CharField(_("project"), max_length=30, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="purchasing_bill_line_qty_gt_0")]


class VendorPayment(TenantModel):
    bill = models.ForeignKey(VendorBill, on_delete=models.PROTECT, related_name="payments")
    date = models.DateField(_("date"))
    amount = MoneyField(_("amount"))
    method = models.CharField(_("method"), max_length=10, choices=PaymentMethod.choices, default=PaymentMethod.BANK)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["date", "id"]
        constraints = [models.CheckConstraint(condition=Q(amount__gt=0), name="purchasing_payment_amount_gt_0")]


class RequisitionStatus(models.TextChoices):
    DRAFT = "draft", pgettext_lazy("requisition", "Draft")
    APPROVED = "approved", pgettext_lazy("requisition", "Approved")
    ORDERED = "ordered", pgettext_lazy("requisition", "Ordered")
    REJECTED = "rejected", pgettext_lazy("requisition", "Rejected")


class PurchaseRequisition(TenantModel):
    """A request to buy one product for one warehouse (made by Purchase Staff or automatically when
    stock falls below its reorder level); approved by a Purchase Manager, it becomes a purchase order."""

    number = models.CharField(_("number"), max_length=30)
    date = models.DateField(_("date"))
    product_id = models.BigIntegerField(_("product"))
    product_name = models.CharField(_("product"), max_length=300)
    warehouse_id = models.BigIntegerField(_("warehouse"))
    quantity = QuantityField(_("quantity"))
    status = models.CharField(
        _("status"), max_length=10, choices=RequisitionStatus.choices, default=RequisitionStatus.DRAFT
    )
    is_automatic = models.BooleanField(_("automatic"), default=False)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="purchasing_requisition_number_unique"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="purchasing_requisition_qty_gt_0"),
        ]
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number


class LandedCostAllocation(TenantModel):
    """A receipt a landed-cost bill is spread over, and the amount it received at posting."""

    bill = models.ForeignKey(VendorBill, on_delete=models.CASCADE, related_name="landed_allocations")
    receipt = models.ForeignKey(PurchaseReceipt, on_delete=models.PROTECT, related_name="landed_allocations")
    amount = MoneyField(_("amount"), default=ZERO)
    landed_cost_id = models.BigIntegerField(null=True, blank=True)  # inventory.LandedCost id

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "bill", "receipt"], name="purchasing_landed_alloc_unique")
        ]


class CreditKind(models.TextChoices):
    RETURN = "return", pgettext_lazy("vendor credit note", "Return of billed goods")
    PRICE = "price", pgettext_lazy("vendor credit note", "Lower price")


class VendorCreditNote(TenantModel):
    """A vendor's credit note against a posted bill: goods sent back after billing (they leave stock
    through inventory) or a lower price. Posted when created; it reduces what the bill leaves open."""

    number = models.CharField(_("number"), max_length=30)
    vendor_credit_no = models.CharField(_("vendor credit note number"), max_length=40)
    bill = models.ForeignKey(VendorBill, on_delete=models.PROTECT, related_name="credit_notes", verbose_name=_("bill"))
    kind = models.CharField(_("kind"), max_length=10, choices=CreditKind.choices)
    date = models.DateField(_("date"))
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    untaxed = MoneyField(_("amount before VAT"), default=ZERO)
    vat = MoneyField(_("VAT"), default=ZERO)
    total = MoneyField(_("total"), default=ZERO)
    cost = MoneyField(_("cost of the goods returned"), default=ZERO)
    movement_id = models.BigIntegerField(null=True, blank=True)  # inventory.StockMovement id (returns)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "number"], name="purchasing_credit_number_unique"),
            models.CheckConstraint(condition=Q(total__gt=0), name="purchasing_credit_total_gt_0"),
        ]
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number


class VendorCreditNoteLine(TenantModel):
    credit_note = models.ForeignKey(VendorCreditNote, on_delete=models.CASCADE, related_name="lines")
    bill_line = models.ForeignKey(VendorBillLine, on_delete=models.PROTECT, related_name="credit_lines")
    quantity = QuantityField(_("quantity"))
    unit_price = MoneyField(_("unit price"))  # returns: the bill's net unit price; price: the reduction
    net_amount = MoneyField(_("amount before VAT"), default=ZERO)
    vat_amount = MoneyField(_("VAT"), default=ZERO)
    total = MoneyField(_("total"), default=ZERO)

    class Meta:
        ordering = ["id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="purchasing_credit_line_qty_gt_0")]


class RfqStatus(models.TextChoices):
    OPEN = "open", pgettext_lazy("request for quotation", "Open")
    AWARDED = "awarded", pgettext_lazy("request for quotation", "Awarded")
    CANCELLED = "cancelled", pgettext_lazy("request for quotation", "Cancelled")


class RequestForQuotation(TenantModel):
    """A request for quotation sent to several vendors: their answers are entered per line, compared,
    and the chosen vendor's answer becomes a draft purchase order."""

    number = models.CharField(_("number"), max_length=30)
    date = models.DateField(_("date"))
    deadline = models.DateField(_("quotes due by"), null=True, blank=True)
    warehouse_id = models.BigIntegerField(_("warehouse"))  # inventory.Warehouse id
    status = models.CharField(_("status"), max_length=10, choices=RfqStatus.choices, default=RfqStatus.OPEN)
    note = models.TextField(_("note"), blank=True)
    awarded_vendor = models.ForeignKey(
        Vendor, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    order = models.ForeignKey(
        PurchaseOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="+", editable=False
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+", editable=False
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["tenant", "number"], name="purchasing_rfq_number_unique")]
        ordering = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number


class RfqLine(TenantModel):
    rfq = models.ForeignKey(RequestForQuotation, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveIntegerField(default=0)
    product_id = models.BigIntegerField(_("product"))  # inventory.Product id
    description = models.CharField(_("description"), max_length=300)
    unit = models.CharField(_("unit"), max_length=30, blank=True)
    quantity = QuantityField(_("quantity"))

    class Meta:
        ordering = ["position", "id"]
        constraints = [models.CheckConstraint(condition=Q(quantity__gt=0), name="purchasing_rfq_line_qty_gt_0")]


class RfqVendor(TenantModel):
    """A vendor invited to quote (explicit many-to-many with the tenant)."""

    rfq = models.ForeignKey(RequestForQuotation, on_delete=models.CASCADE, related_name="invited")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateField(_("answered on"), null=True, blank=True)

    class Meta:
        ordering = ["id"]
        constraints = [models.UniqueConstraint(fields=["tenant", "rfq", "vendor"], name="purchasing_rfq_vendor_unique")]


class RfqQuote(TenantModel):
    """One vendor's answer for one line: unit price and lead time."""

    invited = models.ForeignKey(RfqVendor, on_delete=models.CASCADE, related_name="quotes")
    line = models.ForeignKey(RfqLine, on_delete=models.CASCADE, related_name="quotes")
    unit_price = MoneyField(_("unit price"))
    lead_time_days = models.PositiveIntegerField(_("lead time (days)"), default=0)

    class Meta:
        ordering = ["id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "invited", "line"], name="purchasing_rfq_quote_unique"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="purchasing_rfq_quote_price_ge_0"),
        ]
