"""Inventory tables (spec §6.1): catalogue, warehouses and locations, the stock ledger, documents.

The ledger is ``StockMove``: immutable rows, each moving a quantity (in the product's stock unit) from
one location to another at a unit cost. Two derived tables are maintained in the same transaction as
the moves and always equal their sums (``novasaas verify_stock`` proves it):

* ``StockQuant`` — on hand per product × variant × location × lot (internal and transit locations);
* ``Stock`` — on hand, reserved and value per product × variant × warehouse. Reservations live here:
  Sales reserves "10 units in warehouse HN", the location and lot are chosen when picking.

Nullable product variant and lot are mirrored in ``variant_key``/``lot_key`` (id or 0) so that the
unique constraints also hold for rows without a variant or lot.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any, ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from novasaas.platform.models import TenantManager, TenantModel, TenantQuerySet
from novasaas.platform.money import FixedPointField, MoneyField, QuantityField

# --- catalogue -------------------------------------------------------------------------------------


class ValuationMethod(models.TextChoices):
    AVERAGE = "average", _("Moving weighted average")
    FIFO = "fifo", _("FIFO")


class Category(TenantModel):
    name = models.CharField(_("name"), max_length=200)
    parent = models.ForeignKey(
        "self",
        verbose_name=pgettext_lazy("category", "parent"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    valuation_method = models.CharField(
        _("valuation method"), max_length=10, choices=ValuationMethod.choices, default=ValuationMethod.AVERAGE
    )
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("category")
        verbose_name_plural = _("categories")
        ordering: ClassVar = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "parent", "name"], name="inventory_category_name_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def path(self) -> str:
        names: list[str] = []
        node: Category | None = self
        seen: set[int] = set()
        while node is not None and node.pk not in seen:
            seen.add(node.pk)
            names.append(node.name)
            node = node.parent
        return " / ".join(reversed(names))


def unit_label(name: str, name_en: str = "") -> str:
    """The one rule for showing a unit: its English name in English (when it has one), else its name.
    Reports that read plain values pass both columns (``stock_unit__name``, ``stock_unit__name_en``)."""
    if name_en and (get_language() or "").startswith("en"):
        return name_en
    return name


class Unit(TenantModel):
    """A unit of measure. ``base`` + ``factor``: 1 thùng = 24 chai has base=chai, factor=24."""

    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=100)
    name_en = models.CharField(_("English name"), max_length=100, blank=True, default="")
    base = models.ForeignKey(
        "self", verbose_name=_("base unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="derived"
    )
    factor = FixedPointField(_("factor"), scale=6, default=Decimal(1))
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("unit")
        ordering: ClassVar = ["code"]
        constraints: ClassVar = [models.UniqueConstraint(fields=["tenant", "code"], name="inventory_unit_code_unique")]

    def __str__(self) -> str:
        # pickers and pages show the unit's name as people write it ("Hộp", "Thùng (24 chai)"), in English
        # on English pages when the unit has an English name
        return unit_label(self.name or self.code, self.name_en)

    def root(self) -> tuple[Unit, Decimal]:
        """The unit at the bottom of the chain and how many of it one of this unit is."""
        unit, factor, seen = self, Decimal(1), set()
        while unit.base_id is not None and unit.pk not in seen:
            seen.add(unit.pk)
            factor *= unit.factor
            unit = unit.base  # type: ignore[assignment]
        return unit, factor


class ProductKind(models.TextChoices):
    GOODS = "goods", _("Goods")
    SERVICE = "service", _("Service")
    CONSUMABLE = "consumable", _("Consumable")


class Tracking(models.TextChoices):
    NONE = "none", _("No tracking")
    LOT = "lot", _("By lot")
    SERIAL = "serial", _("By serial number")


class TaxCategory(models.TextChoices):
    VAT10 = "vat10", _("VAT 10%")
    VAT8 = "vat8", _("VAT 8%")
    VAT5 = "vat5", _("VAT 5%")
    VAT0 = "vat0", _("VAT 0%")
    EXEMPT = "exempt", _("Not subject to VAT")


class Product(TenantModel):
    sku = models.CharField(_("SKU"), max_length=40)
    name = models.CharField(_("name"), max_length=300)
    kind = models.CharField(_("kind"), max_length=12, choices=ProductKind.choices, default=ProductKind.GOODS)
    category = models.ForeignKey(
        Category, verbose_name=_("category"), null=True, blank=True, on_delete=models.PROTECT, related_name="products"
    )
    stock_unit = models.ForeignKey(Unit, verbose_name=_("stock unit"), on_delete=models.PROTECT, related_name="+")
    purchase_unit = models.ForeignKey(
        Unit, verbose_name=_("purchase unit"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    barcode = models.CharField(_("barcode"), max_length=20, blank=True)
    sale_price = MoneyField(_("sale price"))
    cost_price = MoneyField(_("cost price"))
    tax_category = models.CharField(
        _("tax category"), max_length=10, choices=TaxCategory.choices, default=TaxCategory.VAT10
    )
    tracking = models.CharField(_("tracking"), max_length=10, choices=Tracking.choices, default=Tracking.NONE)
    shelf_life_days = models.PositiveIntegerField(_("shelf life (days)"), null=True, blank=True)
    reorder_level = QuantityField(_("reorder level"))
    reorder_quantity = QuantityField(_("reorder quantity"))
    image = models.ImageField(_("image"), upload_to="products/", blank=True)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    search_text = models.TextField(blank=True, editable=False)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)

    class Meta:
        verbose_name = _("product")
        ordering: ClassVar = ["name", "id"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "sku"], name="inventory_product_sku_unique"),
            models.UniqueConstraint(
                fields=["tenant", "barcode"], name="inventory_product_barcode_unique", condition=~Q(barcode="")
            ),
        ]
        indexes: ClassVar = [models.Index(fields=["tenant", "is_active", "name"], name="inventory_product_list_idx")]

    def __str__(self) -> str:
        return f"{self.sku} {self.name}"

    @property
    def is_stocked(self) -> bool:
        return self.kind != ProductKind.SERVICE

    @property
    def valuation_method(self) -> str:
        return self.category.valuation_method if self.category_id else ValuationMethod.AVERAGE  # type: ignore[union-attr]


class ProductVariant(TenantModel):
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="variants")
    sku = models.CharField(_("SKU"), max_length=40)
    barcode = models.CharField(_("barcode"), max_length=20, blank=True)
    attributes = models.JSONField(_("attributes"), default=dict, blank=True)  # {"size": "L", "colour": "Đỏ"}
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("product variant")
        ordering: ClassVar = ["sku"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "sku"], name="inventory_variant_sku_unique"),
            models.UniqueConstraint(
                fields=["tenant", "barcode"], name="inventory_variant_barcode_unique", condition=~Q(barcode="")
            ),
        ]

    def __str__(self) -> str:
        attrs = ", ".join(f"{v}" for v in (self.attributes or {}).values())
        return f"{self.sku} ({attrs})" if attrs else self.sku


# --- warehouses and locations ----------------------------------------------------------------------


class Warehouse(TenantModel):
    code = models.CharField(_("code"), max_length=20)
    name = models.CharField(_("name"), max_length=200)
    address = models.CharField(_("address"), max_length=300, blank=True)
    allow_negative_stock = models.BooleanField(_("allow negative stock"), default=False)
    is_default = models.BooleanField(_("default warehouse"), default=False)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("warehouse")
        ordering: ClassVar = ["code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "code"], name="inventory_warehouse_code_unique"),
            models.UniqueConstraint(
                fields=["tenant"], condition=Q(is_default=True), name="inventory_warehouse_one_default"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class UserWarehouse(TenantModel):
    """A member's own default warehouse (overrides the company's)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="+")

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "user"], name="inventory_userwarehouse_unique")
        ]


class LocationUsage(models.TextChoices):
    INTERNAL = "internal", _("Internal")
    SUPPLIER = "supplier", _("Suppliers")
    CUSTOMER = "customer", _("Customers")
    LOSS = "loss", _("Inventory loss")
    TRANSIT = "transit", _("In transit")


VIRTUAL_USAGES = (LocationUsage.SUPPLIER, LocationUsage.CUSTOMER, LocationUsage.LOSS, LocationUsage.TRANSIT)


class LocationLevel(models.TextChoices):
    WAREHOUSE = "warehouse", _("Warehouse")
    ZONE = "zone", _("Zone")
    AISLE = "aisle", _("Aisle")
    SHELF = "shelf", _("Shelf")
    BIN = "bin", _("Bin")


class Location(TenantModel):
    """A place stock can be. Internal locations form a tree under their warehouse's root location;
    virtual ones (suppliers, customers, loss, transit) exist once per tenant and hold no warehouse."""

    warehouse = models.ForeignKey(Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="locations")
    parent = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="children")
    code = models.CharField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    usage = models.CharField(_("usage"), max_length=10, choices=LocationUsage.choices, default=LocationUsage.INTERNAL)
    level = models.CharField(_("level"), max_length=10, choices=LocationLevel.choices, default=LocationLevel.BIN)
    is_active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("location")
        ordering: ClassVar = ["code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "warehouse", "code"], name="inventory_location_code_unique"),
            models.UniqueConstraint(
                fields=["tenant", "usage"], condition=~Q(usage="internal"), name="inventory_location_virtual_unique"
            ),
        ]

    def __str__(self) -> str:
        return self.code

    @property
    def is_stock(self) -> bool:
        """Whether quants are kept here (warehouse locations and goods in transit)."""
        return self.usage in (LocationUsage.INTERNAL, LocationUsage.TRANSIT)


class InventorySettings(TenantModel):
    """Per-company thresholds above which a receipt/issue needs a Warehouse Manager's approval."""

    approval_value_threshold = MoneyField(_("approval above value"), null=True, blank=True, default=None)
    approval_quantity_threshold = QuantityField(_("approval above quantity"), null=True, blank=True, default=None)

    class Meta:
        constraints: ClassVar = [models.UniqueConstraint(fields=["tenant"], name="inventory_settings_unique")]


# --- lots and serials ------------------------------------------------------------------------------


class LotNumber(TenantModel):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="lots")
    code = models.CharField(_("lot number"), max_length=60)
    manufactured_on = models.DateField(_("manufacturing date"), null=True, blank=True)
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)

    class Meta:
        verbose_name = _("lot number")
        ordering: ClassVar = ["expires_on", "code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "product", "code"], name="inventory_lot_unique")
        ]

    def __str__(self) -> str:
        return self.code


class SerialNumber(TenantModel):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="serials")
    code = models.CharField(_("serial number"), max_length=80)
    # Where the unit is now: a location of a warehouse, the transit location while a transfer carries
    # it, or null (not in stock: issued to a customer, lost, or not yet received).
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = _("serial number")
        ordering: ClassVar = ["code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "product", "code"], name="inventory_serial_unique")
        ]

    def __str__(self) -> str:
        return self.code


# --- the ledger ------------------------------------------------------------------------------------


class ImmutableQuerySet(TenantQuerySet):
    def update(self, **kwargs: Any) -> int:
        raise PermissionError("stock moves are immutable")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise PermissionError("stock moves are immutable")


class ImmutableManager(TenantManager):
    _queryset_class = ImmutableQuerySet


class StockMove(TenantModel):
    """One immutable movement of stock. Corrections are new moves, never edits."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="moves")
    variant = models.ForeignKey(ProductVariant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(LotNumber, null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    serial = models.ForeignKey(SerialNumber, null=True, blank=True, on_delete=models.PROTECT, related_name="moves")
    from_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    to_location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField(_("quantity"))
    unit_cost = FixedPointField(_("unit cost"), scale=6, default=Decimal(0))
    value = MoneyField(_("value"))
    document_type = models.CharField(max_length=40)
    document_id = models.BigIntegerField()
    reference = models.CharField(_("reference"), max_length=40)
    date = models.DateField(_("date"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = ImmutableManager()  # type: ignore[misc]

    class Meta:
        ordering: ClassVar = ["date", "id"]
        base_manager_name = "objects"
        constraints: ClassVar = [
            models.CheckConstraint(condition=Q(quantity__gt=0), name="inventory_move_quantity_positive"),
        ]
        indexes: ClassVar = [
            models.Index(fields=["tenant", "product", "date"], name="inventory_move_product_idx"),
            models.Index(fields=["tenant", "document_type", "document_id"], name="inventory_move_doc_idx"),
            # the valuation as of a date reads the moves of one month (``StockPeriodBalance``)
            models.Index(fields=["tenant", "date"], name="inventory_move_date_idx"),
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("stock moves are immutable")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> Any:
        raise PermissionError("stock moves are immutable")


class StockQuant(TenantModel):
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="quants")
    variant = models.ForeignKey(ProductVariant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    variant_key = models.BigIntegerField(default=0)
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="quants")
    warehouse = models.ForeignKey(Warehouse, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(LotNumber, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lot_key = models.BigIntegerField(default=0)
    on_hand = QuantityField(_("on hand"))

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["tenant", "product", "variant_key", "location", "lot_key"], name="inventory_quant_unique"
            ),
        ]


class Stock(TenantModel):
    """Per product × variant × warehouse: on hand, reserved and the value of what is on hand."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="stocks")
    variant = models.ForeignKey(ProductVariant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    variant_key = models.BigIntegerField(default=0)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="stocks")
    on_hand = QuantityField(_("on hand"))
    reserved = QuantityField(_("reserved"))
    value = MoneyField(_("value"))
    reorder_alerted = models.BooleanField(default=False)
    # The latest date of a move or value entry of this row (``NO_MOVES`` when none, NULL when not known yet,
    # e.g. rows created before it existed: the ledger computes it on first use). A document dated on or
    # after it cannot be backdated, so the history queries are skipped (issue 11).
    last_move_on = models.DateField(null=True, blank=True, editable=False)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["tenant", "product", "variant_key", "warehouse"], name="inventory_stock_unique"
            ),
            models.CheckConstraint(condition=Q(reserved__gte=0), name="inventory_stock_reserved_nonneg"),
        ]

    @property
    def available(self) -> Decimal:
        return self.on_hand - self.reserved

    @property
    def average_cost(self) -> Decimal:
        return (self.value / self.on_hand) if self.on_hand > 0 else Decimal(0)


class Reservation(TenantModel):
    """What a document (e.g. a sales order) holds of a product in a warehouse."""

    stock = models.ForeignKey(Stock, on_delete=models.PROTECT, related_name="reservations")
    for_document = models.CharField(max_length=80)  # e.g. "crm.salesorder:42"
    quantity = QuantityField(_("quantity"))  # still held (reserved − released − consumed)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "stock", "for_document"], name="inventory_reservation_unique"),
            models.CheckConstraint(condition=Q(quantity__gte=0), name="inventory_reservation_nonneg"),
        ]


# --- documents -------------------------------------------------------------------------------------


class DocumentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PENDING = "pending", _("Waiting for approval")
    APPROVED = "approved", _("Approved")
    PICKED = "picked", _("Picked")
    PACKED = "packed", _("Packed")
    IN_TRANSIT = "in_transit", _("In transit")
    DONE = "done", _("Done")
    CANCELLED = "cancelled", _("Cancelled")


class MovementKind(models.TextChoices):
    RECEIPT = "receipt", _("Goods receipt")
    ISSUE = "issue", _("Goods issue")


class IssuePurpose(models.TextChoices):
    SALE = "sale", _("Sale")
    INTERNAL = "internal", _("Internal use")
    RETURN_TO_VENDOR = "return_to_vendor", _("Return to supplier")


class StockMovement(TenantModel):
    """A goods receipt (phiếu nhập) or goods issue (phiếu xuất)."""

    kind = models.CharField(_("kind"), max_length=10, choices=MovementKind.choices)
    number = models.CharField(_("number"), max_length=30, blank=True)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    partner_id = models.BigIntegerField(pgettext_lazy("stock", "partner"), null=True, blank=True)
    purpose = models.CharField(_("purpose"), max_length=20, choices=IssuePurpose.choices, default=IssuePurpose.SALE)
    is_customer_return = models.BooleanField(_("customer return"), default=False)
    source_document = models.CharField(_("source document"), max_length=80, blank=True)
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering: ClassVar = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class StockMovementLine(TenantModel):
    movement = models.ForeignKey(StockMovement, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey(ProductVariant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField(_("quantity"))  # in ``unit``
    stock_quantity = QuantityField(_("quantity in stock unit"))
    unit_cost = FixedPointField(_("unit cost"), scale=6, default=Decimal(0))  # per stock unit (receipts)
    value = MoneyField(_("value"))
    lot_code = models.CharField(_("lot"), max_length=60, blank=True)
    expires_on = models.DateField(_("expiry date"), null=True, blank=True)
    serials = models.JSONField(_("serial numbers"), default=list, blank=True)

    class Meta:
        ordering: ClassVar = ["id"]


class StockAdjustment(TenantModel):
    number = models.CharField(_("number"), max_length=30, blank=True)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    date = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    reason = models.CharField(_("reason"), max_length=300)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class StockAdjustmentLine(TenantModel):
    adjustment = models.ForeignKey(StockAdjustment, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey(ProductVariant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    lot_code = models.CharField(_("lot"), max_length=60, blank=True)
    quantity_change = QuantityField(_("quantity change"))  # signed, stock unit
    unit_cost = FixedPointField(_("unit cost"), scale=6, null=True, blank=True, default=None)  # gains only
    value = MoneyField(_("value"))
    # serial-tracked goods: the units found (gain) or lost (loss); one per unit of quantity_change
    serials = models.JSONField(_("serial numbers"), default=list, blank=True)

    class Meta:
        ordering: ClassVar = ["id"]


class StockTransfer(TenantModel):
    number = models.CharField(_("number"), max_length=30, blank=True)
    from_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("from warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    to_warehouse = models.ForeignKey(
        Warehouse, verbose_name=_("to warehouse"), on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(
        _("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.PENDING
    )
    note = models.TextField(_("note"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    shipped_at = models.DateTimeField(null=True, blank=True)
    received_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"

    def clean(self) -> None:
        if self.from_warehouse_id and self.from_warehouse_id == self.to_warehouse_id:
            raise ValidationError({"to_warehouse": _("Choose a different warehouse to transfer to.")})


class StockTransferLine(TenantModel):
    transfer = models.ForeignKey(StockTransfer, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey(ProductVariant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    quantity = QuantityField(_("quantity"))  # stock unit
    value = MoneyField(_("value"))  # cost that left the source warehouse (set when shipped)
    lot_code = models.CharField(_("lot"), max_length=60, blank=True)
    # serial-tracked goods: the units picked (scanned) for this transfer; quantity = their number
    serials = models.JSONField(_("serial numbers"), default=list, blank=True)

    class Meta:
        ordering: ClassVar = ["id"]


class InventoryCount(TenantModel):
    number = models.CharField(_("number"), max_length=30, blank=True)
    warehouse = models.ForeignKey(Warehouse, verbose_name=_("warehouse"), on_delete=models.PROTECT, related_name="+")
    zone = models.ForeignKey(
        Location, verbose_name=_("zone"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    date = models.DateField(_("date"), default=timezone.localdate)
    status = models.CharField(_("status"), max_length=12, choices=DocumentStatus.choices, default=DocumentStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number or f"#{self.pk}"


class InventoryCountLine(TenantModel):
    count = models.ForeignKey(InventoryCount, on_delete=models.CASCADE, related_name="lines")
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey(ProductVariant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    lot = models.ForeignKey(LotNumber, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    expected = QuantityField(_("expected"))
    counted = QuantityField(_("counted"), null=True, blank=True, default=None)
    value = MoneyField(_("variance value"))
    # serial-tracked goods: the units the ledger has at the location (set when the count is created,
    # refreshed at approval) and the units counted there (``counted`` is their number)
    expected_serials = models.JSONField(_("expected serial numbers"), default=list, blank=True)
    counted_serials = models.JSONField(_("counted serial numbers"), default=list, blank=True)

    class Meta:
        ordering: ClassVar = ["location__code", "product__sku", "id"]

    @property
    def variance(self) -> Decimal | None:
        return None if self.counted is None else self.counted - self.expected

    @property
    def missing_serials(self) -> list[str]:
        """Expected here but not counted (none before anything is counted)."""
        if self.counted is None:
            return []
        counted = set(self.counted_serials or [])
        return sorted(c for c in self.expected_serials or [] if c not in counted)

    @property
    def found_serials(self) -> list[str]:
        """Counted here but not expected here."""
        expected = set(self.expected_serials or [])
        return sorted(c for c in self.counted_serials or [] if c not in expected)


class ValueEntryKind(models.TextChoices):
    LANDED_COST = "landed_cost", _("Landed cost")
    REVALUATION = "revaluation", _("Revaluation")


class ValueEntry(TenantModel):
    """An immutable change of stock value without a change of quantity: a landed cost added to a
    receipt, or the revaluation that follows a backdated move. ``value`` changes the warehouse's stock
    value; ``cogs_value`` is the part that belongs to goods already issued (cost of goods sold)."""

    kind = models.CharField(max_length=12, choices=ValueEntryKind.choices)
    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    variant = models.ForeignKey(ProductVariant, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    value = MoneyField(_("value"))
    cogs_value = MoneyField(_("cost of goods sold"))
    document_type = models.CharField(max_length=40)
    document_id = models.BigIntegerField()
    reference = models.CharField(max_length=40)
    date = models.DateField()
    created_at = models.DateTimeField(default=timezone.now)

    objects = ImmutableManager()  # type: ignore[misc]

    class Meta:
        ordering: ClassVar = ["date", "id"]
        base_manager_name = "objects"
        indexes: ClassVar = [
            models.Index(fields=["tenant", "product", "warehouse", "date"], name="inventory_value_idx")
        ]

    def save(self, *args: Any, **kwargs: Any) -> None:
        if self.pk is not None:
            raise PermissionError("value entries are immutable")
        super().save(*args, **kwargs)


class LandedCostSplit(models.TextChoices):
    VALUE = "value", _("By value")
    QUANTITY = "quantity", _("By quantity")


class LandedCost(TenantModel):
    """Freight, duty or insurance added to a posted receipt after the fact."""

    number = models.CharField(_("number"), max_length=30)
    receipt = models.ForeignKey(
        StockMovement, verbose_name=_("receipt"), on_delete=models.PROTECT, related_name="landed_costs"
    )
    amount = MoneyField(_("amount"))
    split = models.CharField(_("split"), max_length=10, choices=LandedCostSplit.choices, default=LandedCostSplit.VALUE)
    description = models.CharField(_("description"), max_length=300)
    partner_id = models.BigIntegerField(pgettext_lazy("stock", "partner"), null=True, blank=True)
    date = models.DateField(_("date"), default=timezone.localdate)
    cogs_value = MoneyField(_("cost of goods sold"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering: ClassVar = ["-date", "-id"]

    def __str__(self) -> str:
        return self.number


class CostLayer(TenantModel):
    """FIFO: what is left of one incoming move in a warehouse (derived state, rebuilt by revaluation).
    Layers are consumed in (date, id) order; the stock row's value equals the sum of remaining values."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    variant_key = models.BigIntegerField(default=0)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    move = models.ForeignKey(StockMove, on_delete=models.PROTECT, related_name="+")
    date = models.DateField()
    quantity = QuantityField()
    remaining_quantity = QuantityField()
    remaining_value = MoneyField()

    class Meta:
        ordering: ClassVar = ["date", "id"]
        indexes: ClassVar = [
            models.Index(fields=["tenant", "product", "variant_key", "warehouse", "date"], name="inventory_layer_idx")
        ]


class StockPeriodBalance(TenantModel):
    """Closing quantity and value of a product × variant × warehouse at the end of ``period`` (the first
    day of a month), for every month in which it had a move or value entry.

    Maintained in the same transaction as the moves and value entries, on the locked stock row: an entry
    dated in month M adds to the row of M (created from the previous closing when missing) and to every
    later row, so a backdated move or revaluation updates all later closings. The valuation as of a date D
    is then the latest row before (or of) D's month ± the moves of D's month, whatever the history's
    length. ``verify_stock`` checks every row against the ledger."""

    product = models.ForeignKey(Product, on_delete=models.PROTECT, related_name="+")
    variant_key = models.BigIntegerField(default=0)
    warehouse = models.ForeignKey(Warehouse, on_delete=models.PROTECT, related_name="+")
    period = models.DateField()
    quantity = QuantityField()
    value = MoneyField()

    class Meta:
        constraints: ClassVar = [
            models.UniqueConstraint(
                fields=["tenant", "product", "variant_key", "warehouse", "period"], name="inventory_period_unique"
            ),
        ]


class ReorderRule(TenantModel):
    """Reorder level and quantity of a product in one warehouse (overrides the product's own)."""

    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="reorder_rules")
    warehouse = models.ForeignKey(Warehouse, on_delete=models.CASCADE, related_name="+")
    reorder_level = QuantityField(_("reorder level"))
    reorder_quantity = QuantityField(_("reorder quantity"))

    class Meta:
        ordering: ClassVar = ["warehouse__code"]
        constraints: ClassVar = [
            models.UniqueConstraint(fields=["tenant", "product", "warehouse"], name="inventory_reorder_rule_unique")
        ]
