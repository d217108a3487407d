"""State changes of Inventory (spec §6.2). Each action runs in one transaction, takes the acting
principal explicitly, checks the spec's permission, validates before writing, is audited and publishes
the events of ``inventory/events.py``.

Public interface for other modules (Sales, Purchasing): ``receive_goods``, ``issue_goods``,
``reserve``/``release`` (re-exported from ``ledger``; an issue with ``for_document`` consumes that
document's reservation).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from datetime import date as Date
from datetime import timedelta
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import OuterRef, Q, Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.inventory import events, ledger
from novasaas.inventory.barcodes import internal_barcode, validate_barcode
from novasaas.inventory.ledger import (  # noqa: F401  (public interface)
    InsufficientStock,
    MoveContext,
    release,
    reserve,
)
from novasaas.inventory.models import (
    Category,
    DocumentStatus,
    InventoryCount,
    InventoryCountLine,
    InventorySettings,
    IssuePurpose,
    Location,
    LocationLevel,
    LocationUsage,
    LotNumber,
    MovementKind,
    Product,
    ProductKind,
    ProductVariant,
    SerialNumber,
    Stock,
    StockAdjustment,
    StockAdjustmentLine,
    StockMove,
    StockMovement,
    StockMovementLine,
    StockQuant,
    StockTransfer,
    StockTransferLine,
    Tracking,
    Unit,
    UserWarehouse,
    ValuationMethod,
    Warehouse,
)
from novasaas.platform import audit
from novasaas.platform.events import publish
from novasaas.platform.money import quantize, round_money, to_decimal
from novasaas.platform.numbering import next_number

ZERO = Decimal(0)
Rows = Sequence[Mapping[str, Any]]
PREFIX = {
    "inventory.receipt": "NK",
    "inventory.issue": "XK",
    "inventory.adjustment": "DC",
    "inventory.transfer": "CK",
    "inventory.count": "KK",
    "inventory.putaway": "CV",
    "inventory.landedcost": "CP",
}


# --- helpers ---------------------------------------------------------------------------------------


def _number(key: str, on: Date) -> str:
    return f"{PREFIX[key]}-{on.year}-{next_number(key, str(on.year)):05d}"


def _money(value: Any) -> Decimal:
    return round_money(_dec(value, "value"), _currency())


def _amt(value: Decimal) -> str:
    """An event amount: a decimal string rounded per the tenant's currency (VND: whole đồng)."""
    return str(round_money(value, _currency()))


def _currency() -> str:
    from novasaas.platform.tenancy import current_tenant

    return current_tenant().base_currency or "VND"


def _dec(value: Any, field: str) -> Decimal:
    try:
        return to_decimal(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError({field: _("Enter a number.")}) from exc


def _qty(value: Any, field: str = "quantity", *, positive: bool = True) -> Decimal:
    q = _dec(value, field)
    if q != quantize(q, 4):
        raise ValidationError({field: _("At most 4 decimal places.")})
    if positive and q <= 0:
        raise ValidationError({field: _("Quantities must be greater than zero.")})
    if abs(q) > Decimal("100000000000"):
        raise ValidationError({field: _("A number is out of range.")})
    return q


def _get(model: Any, pk: Any, field: str) -> Any:
    if pk in (None, ""):
        return None
    try:
        return model.objects.get(pk=int(pk))
    except (model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
        raise ValidationError({field: _("Unknown %(what)s.") % {"what": field.replace("_id", "")}}) from exc


def _validate(obj: Any, exclude: Sequence[str] = ()) -> None:
    try:
        obj.full_clean(exclude=["tenant", *exclude], validate_constraints=False)
    except ValidationError as exc:
        raise ValidationError(exc.message_dict) from exc


def _save_unique(obj: Any, field: str, message: str) -> None:
    try:
        with transaction.atomic():
            obj.save()
    except IntegrityError as exc:
        raise ValidationError({field: message}) from exc


def _apply(obj: Any, data: Mapping[str, Any], allowed: Sequence[str]) -> None:
    unknown = set(data) - set(allowed)
    if unknown:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(unknown)))
    for key, value in data.items():
        setattr(obj, key, value)


def _actor(p: Principal) -> Any:
    return p.user


# --- categories and units --------------------------------------------------------------------------


def _check_category_parent(category: Category, parent: Category | None) -> None:
    node = parent
    while node is not None:
        if category.pk is not None and node.pk == category.pk:
            raise ValidationError({"parent_id": _("A category cannot be inside itself.")})
        node = node.parent


@transaction.atomic
def save_category(p: Principal, category_id: int | None = None, **data: Any) -> Category:
    p.require("inv.product.manage")
    category = Category.objects.get(pk=category_id) if category_id else Category()
    before = audit.snapshot(category) if category.pk else None
    if "parent_id" in data:
        parent = _get(Category, data.pop("parent_id"), "parent_id")
        _check_category_parent(category, parent)
        category.parent = parent
    _apply(category, data, ("name", "valuation_method", "is_active"))
    category.name = " ".join((category.name or "").split())
    _validate(category, ["parent"])
    if Category.objects.filter(parent=category.parent, name__iexact=category.name).exclude(pk=category.pk).exists():
        raise ValidationError({"name": _("A category with this name already exists here.")})
    _save_unique(category, "name", _("A category with this name already exists here."))
    if before is None:
        audit.record_created(category, _actor(p))
    else:
        audit.record_updated(category, _actor(p), before)
    return category


@transaction.atomic
def save_unit(p: Principal, unit_id: int | None = None, **data: Any) -> Unit:
    p.require("inv.product.manage")
    unit = Unit.objects.get(pk=unit_id) if unit_id else Unit()
    before = audit.snapshot(unit) if unit.pk else None
    if "base_id" in data:
        base = _get(Unit, data.pop("base_id"), "base_id")
        node = base
        while node is not None:
            if unit.pk is not None and node.pk == unit.pk:
                raise ValidationError({"base_id": _("A unit cannot be based on itself.")})
            node = node.base
        if (
            unit.pk
            and base != unit.base
            and Product.objects.filter(Q(stock_unit=unit) | Q(purchase_unit=unit)).exists()
        ):
            raise ValidationError({"base_id": _("This unit is used by products: its conversion cannot change.")})
        unit.base = base
    if "factor" in data:
        factor = _dec(data.pop("factor"), "factor")
        if factor <= 0 or factor != quantize(factor, 6):
            raise ValidationError({"factor": _("The factor is a positive number with at most 6 decimals.")})
        if (
            unit.pk
            and factor != unit.factor
            and Product.objects.filter(Q(stock_unit=unit) | Q(purchase_unit=unit)).exists()
        ):
            raise ValidationError({"factor": _("This unit is used by products: its conversion cannot change.")})
        unit.factor = factor
    _apply(unit, data, ("code", "name", "name_en", "is_active"))
    unit.code = (unit.code or "").strip()
    unit.name_en = (unit.name_en or "").strip()
    if unit.base is None:
        unit.factor = Decimal(1)
    _validate(unit, ["base"])
    _save_unique(unit, "code", _("A unit with this code already exists."))
    if before is None:
        audit.record_created(unit, _actor(p))
    else:
        audit.record_updated(unit, _actor(p), before)
    return unit


def convert(quantity: Decimal, from_unit: Unit, to_unit: Unit) -> Decimal:
    """``quantity`` of ``from_unit`` in ``to_unit`` (both must share a base unit)."""
    root_a, fa = from_unit.root()
    root_b, fb = to_unit.root()
    if root_a.pk != root_b.pk:
        raise ValidationError(
            {"unit_id": _("%(a)s cannot be converted to %(b)s.") % {"a": from_unit.code, "b": to_unit.code}}
        )
    result = quantity * fa / fb
    if result != quantize(result, 4):
        raise ValidationError({"quantity": _("This quantity does not convert exactly to the stock unit.")})
    return quantize(result, 4)


# --- products and variants -------------------------------------------------------------------------

PRODUCT_FIELDS = (
    "sku",
    "name",
    "kind",
    "barcode",
    "sale_price",
    "cost_price",
    "tax_category",
    "tracking",
    "shelf_life_days",
    "reorder_level",
    "reorder_quantity",
    "description",
    "is_active",
)


def _unique_code_clash(barcode: str, *, product: Product | None = None, variant: ProductVariant | None = None) -> bool:
    if not barcode:
        return False
    products = Product.objects.filter(barcode=barcode)
    variants = ProductVariant.objects.filter(barcode=barcode)
    if product is not None and product.pk:
        products = products.exclude(pk=product.pk)
    if variant is not None and variant.pk:
        variants = variants.exclude(pk=variant.pk)
    return products.exists() or variants.exists()


def _refresh_search(product: Product) -> None:
    from novasaas.parties.text import unaccent

    parts = [
        product.sku,
        product.name,
        product.barcode,
        *product.variants.values_list("sku", flat=True),
        *product.variants.exclude(barcode="").values_list("barcode", flat=True),
    ]
    text = unaccent(" ".join(p for p in parts if p))
    if text != product.search_text:
        product.search_text = text
        Product.objects.filter(pk=product.pk).update(search_text=text)


@transaction.atomic
def save_product(p: Principal, product_id: int | None = None, **data: Any) -> Product:
    """Create or update a product. An empty SKU is generated (SP00001…); ``generate_barcode=True``
    gives an internal EAN-13; a given barcode must be a valid EAN-13/UPC/EAN-8 unique in the tenant."""
    p.require("inv.product.manage")
    product = Product.objects.get(pk=product_id) if product_id else Product()
    before = audit.snapshot(product) if product.pk else None
    has_moves = bool(product.pk) and StockMove.objects.filter(product=product).exists()
    generate = bool(data.pop("generate_barcode", False))
    for key in ("category_id", "stock_unit_id", "purchase_unit_id"):
        if key in data:
            setattr(
                product, key.removesuffix("_id"), _get({"category_id": Category}.get(key, Unit), data.pop(key), key)
            )
    if "tracking" in data and data["tracking"] != product.tracking and product.pk:
        p.require("inv.tracking.configure")
        if has_moves:
            raise ValidationError({"tracking": _("Tracking cannot change once the product has stock moves.")})
    for money_key in ("sale_price", "cost_price"):
        if money_key in data:
            data[money_key] = _dec(data[money_key], money_key)
            if data[money_key] < 0:
                raise ValidationError({money_key: _("Prices cannot be negative.")})
    for qty_key in ("reorder_level", "reorder_quantity"):
        if qty_key in data:
            data[qty_key] = _qty(data[qty_key], qty_key, positive=False)
            if data[qty_key] < 0:
                raise ValidationError({qty_key: _("Cannot be negative.")})
    _apply(product, data, PRODUCT_FIELDS)
    product.name = " ".join((product.name or "").split())
    product.sku = (product.sku or "").strip().upper()
    errors: dict[str, list[str]] = {}
    try:
        product.barcode = validate_barcode(product.barcode or "")
    except ValidationError as exc:
        errors["barcode"] = exc.messages
    if product.stock_unit_id is None:
        errors["stock_unit_id"] = [_("Choose the stock unit.")]
    elif product.purchase_unit_id is not None:
        if product.purchase_unit.root()[0].pk != product.stock_unit.root()[0].pk:  # type: ignore[union-attr]
            errors["purchase_unit_id"] = [_("The purchase unit must convert to the stock unit.")]
    if has_moves and before and before["stock_unit"] != product.stock_unit_id:
        errors["stock_unit_id"] = [_("The stock unit cannot change once the product has stock moves.")]
    if (
        has_moves
        and before
        and before["kind"] != product.kind
        and ProductKind.SERVICE in (before["kind"], product.kind)
    ):
        errors["kind"] = [_("A product with stock moves cannot become or stop being a service.")]
    if product.kind == ProductKind.SERVICE and product.tracking != Tracking.NONE:
        errors["tracking"] = [_("Services are not tracked by lot or serial.")]
    if _unique_code_clash(product.barcode, product=product):
        errors["barcode"] = [_("Another product already has this barcode.")]
    if errors:
        raise ValidationError(errors)
    if not product.sku:
        product.sku = f"SP{next_number('inventory.product'):05d}"
    if generate and not product.barcode:
        for _attempt in range(20):
            code = internal_barcode(next_number("inventory.barcode"))
            if not _unique_code_clash(code, product=product):
                product.barcode = code
                break
    _validate(product, ["category", "stock_unit", "purchase_unit", "image", "search_text"])
    _save_unique(product, "sku", _("Another product already has this SKU or barcode."))
    _refresh_search(product)
    if before is None:
        audit.record_created(product, _actor(p))
    else:
        audit.record_updated(product, _actor(p), before)
    return product


@transaction.atomic
def set_product_image(p: Principal, product_id: int, image: Any) -> Product:
    p.require("inv.product.manage")
    product = Product.objects.get(pk=product_id)
    from django.core.validators import validate_image_file_extension

    if image is not None:
        if getattr(image, "size", 0) > 5 * 1024 * 1024:
            raise ValidationError({"image": _("Images are at most 5 MB.")})
        validate_image_file_extension(image)
        try:
            from PIL import Image

            Image.open(image).verify()
            image.seek(0)
        except Exception as exc:
            raise ValidationError({"image": _("This file is not an image.")}) from exc
    product.image = image or ""
    product.save(update_fields=["image"])
    return product


@transaction.atomic
def save_variant(p: Principal, product_id: int, variant_id: int | None = None, **data: Any) -> ProductVariant:
    p.require("inv.product.manage")
    product = Product.objects.get(pk=product_id)
    variant = (
        ProductVariant.objects.get(pk=variant_id, product=product) if variant_id else ProductVariant(product=product)
    )
    before = audit.snapshot(variant) if variant.pk else None
    _apply(variant, data, ("sku", "barcode", "attributes", "is_active"))
    if (
        not isinstance(variant.attributes, dict)
        or not all(
            isinstance(k, str) and isinstance(v, str) and len(k) <= 40 and len(v) <= 100
            for k, v in variant.attributes.items()
        )
        or len(variant.attributes) > 10
    ):
        raise ValidationError({"attributes": _("Attributes are up to 10 names with text values.")})
    variant.sku = (variant.sku or "").strip().upper()
    if not variant.sku:
        variant.sku = f"{product.sku}-{product.variants.count() + 1}"
    try:
        variant.barcode = validate_barcode(variant.barcode or "")
    except ValidationError as exc:
        raise ValidationError({"barcode": exc.messages}) from exc
    if _unique_code_clash(variant.barcode, variant=variant) or (variant.barcode and variant.barcode == product.barcode):
        raise ValidationError({"barcode": _("Another product already has this barcode.")})
    if Product.objects.filter(sku=variant.sku).exists():
        raise ValidationError({"sku": _("A product already has this SKU.")})
    _validate(variant, ["product"])
    _save_unique(variant, "sku", _("Another variant already has this SKU or barcode."))
    _refresh_search(product)
    if before is None:
        audit.record_created(variant, _actor(p))
    else:
        audit.record_updated(variant, _actor(p), before)
    return variant


# --- warehouses and locations ----------------------------------------------------------------------


@transaction.atomic
def save_warehouse(p: Principal, warehouse_id: int | None = None, **data: Any) -> Warehouse:
    p.require("inv.warehouse.manage")
    warehouse = Warehouse.objects.select_for_update().get(pk=warehouse_id) if warehouse_id else Warehouse()
    before = audit.snapshot(warehouse) if warehouse.pk else None
    make_default = data.pop("is_default", None)
    _apply(warehouse, data, ("code", "name", "address", "allow_negative_stock", "is_active"))
    warehouse.code = (warehouse.code or "").strip().upper()
    if warehouse.pk and not warehouse.is_active and before and before["is_active"]:
        if Stock.objects.filter(warehouse=warehouse).exclude(on_hand=0).exists():
            raise ValidationError({"is_active": _("Empty the warehouse before closing it.")})
        warehouse.is_default = False
    _validate(warehouse)
    _save_unique(warehouse, "code", _("A warehouse with this code already exists."))
    ledger.root_location(warehouse)
    ledger.ensure_virtual_locations()
    if make_default or (
        make_default is None and before is None and not Warehouse.objects.filter(is_default=True).exists()
    ):
        if not warehouse.is_active:
            raise ValidationError({"is_default": _("A closed warehouse cannot be the default.")})
        Warehouse.objects.filter(is_default=True).exclude(pk=warehouse.pk).update(is_default=False)
        warehouse.is_default = True
        warehouse.save(update_fields=["is_default"])
    elif make_default is False and warehouse.is_default:
        warehouse.is_default = False
        warehouse.save(update_fields=["is_default"])
    if before is None:
        audit.record_created(warehouse, _actor(p))
    else:
        audit.record_updated(warehouse, _actor(p), before)
    return warehouse


@transaction.atomic
def set_my_warehouse(p: Principal, warehouse_id: int | None) -> Warehouse | None:
    """The acting member's own default warehouse (None clears it)."""
    p.require("inv.stock.view")
    if p.user is None:
        raise ValidationError(_("Only a signed-in member has a default warehouse."))
    UserWarehouse.objects.filter(user=p.user).delete()
    if warehouse_id is None:
        return None
    warehouse = _get(Warehouse, warehouse_id, "warehouse_id")
    if not warehouse.is_active:
        raise ValidationError({"warehouse_id": _("This warehouse is closed.")})
    UserWarehouse.objects.create(user=p.user, warehouse=warehouse)
    return warehouse  # type: ignore[no-any-return]


def default_warehouse(p: Principal) -> Warehouse | None:
    if p.user is not None:
        mine = UserWarehouse.objects.filter(user=p.user, warehouse__is_active=True).select_related("warehouse").first()
        if mine is not None:
            return mine.warehouse
    return Warehouse.objects.filter(is_default=True, is_active=True).first()


@transaction.atomic
def save_location(p: Principal, location_id: int | None = None, **data: Any) -> Location:
    p.require("inv.warehouse.manage")
    loc = Location.objects.get(pk=location_id, usage=LocationUsage.INTERNAL) if location_id else Location()
    before = audit.snapshot(loc) if loc.pk else None
    if "warehouse_id" in data:
        wh = _get(Warehouse, data.pop("warehouse_id"), "warehouse_id")
        if loc.pk and wh != loc.warehouse:
            raise ValidationError({"warehouse_id": _("A location cannot move to another warehouse.")})
        loc.warehouse = wh
    if loc.warehouse_id is None:
        raise ValidationError({"warehouse_id": _("Choose the warehouse.")})
    if "parent_id" in data or loc.pk is None:
        parent = _get(Location, data.pop("parent_id", None), "parent_id") or ledger.root_location(loc.warehouse)  # type: ignore[arg-type]
        if parent.warehouse_id != loc.warehouse_id or parent.usage != LocationUsage.INTERNAL:
            raise ValidationError({"parent_id": _("The parent must be a location of the same warehouse.")})
        node = parent
        while node is not None:
            if loc.pk and node.pk == loc.pk:
                raise ValidationError({"parent_id": _("A location cannot be inside itself.")})
            node = node.parent
        loc.parent = parent
    _apply(loc, data, ("code", "name", "level", "is_active"))
    loc.code = (loc.code or "").strip().upper()
    if loc.level == LocationLevel.WAREHOUSE:
        raise ValidationError({"level": _("Choose zone, aisle, shelf or bin.")})
    if loc.pk and not loc.is_active and StockQuant.objects.filter(location=loc).exclude(on_hand=0).exists():
        raise ValidationError({"is_active": _("Move the stock out of this location before deactivating it.")})
    loc.usage = LocationUsage.INTERNAL
    _validate(loc, ["warehouse", "parent"])
    _save_unique(loc, "code", _("A location with this code already exists in this warehouse."))
    if before is None:
        audit.record_created(loc, _actor(p))
    else:
        audit.record_updated(loc, _actor(p), before)
    return loc


def inventory_settings() -> InventorySettings:
    return ledger._get_or_create(InventorySettings, {}, {})  # type: ignore[no-any-return]


@transaction.atomic
def save_settings(p: Principal, **data: Any) -> InventorySettings:
    p.require("inv.warehouse.manage")
    settings = inventory_settings()
    before = audit.snapshot(settings)
    for key in ("approval_value_threshold", "approval_quantity_threshold"):
        if key in data:
            value = data.pop(key)
            if value in (None, ""):
                setattr(settings, key, None)
            else:
                dec = _qty(value, key, positive=False)
                if dec < 0:
                    raise ValidationError({key: _("Cannot be negative.")})
                setattr(settings, key, dec)
    if data:
        raise ValidationError(_("Unknown fields: %s") % ", ".join(sorted(data)))
    settings.save()
    audit.record_updated(settings, _actor(p), before)
    return settings


# --- document lines --------------------------------------------------------------------------------


def _product_for_line(row: Mapping[str, Any], i: int, prefix: str = "lines") -> tuple[Product, ProductVariant | None]:
    product = _get(Product, row.get("product_id"), f"{prefix}[{i}].product_id")
    if product is None:
        raise ValidationError({f"{prefix}[{i}].product_id": _("Choose a product.")})
    if not product.is_active:
        raise ValidationError({f"{prefix}[{i}].product_id": _("%(p)s is inactive.") % {"p": product.sku}})
    if not product.is_stocked:
        raise ValidationError(
            {f"{prefix}[{i}].product_id": _("%(p)s is a service: it has no stock.") % {"p": product.sku}}
        )
    variant = None
    if row.get("variant_id"):
        variant = _get(ProductVariant, row["variant_id"], f"{prefix}[{i}].variant_id")
        if variant.product_id != product.pk:
            raise ValidationError({f"{prefix}[{i}].variant_id": _("This variant belongs to another product.")})
    return product, variant


def _location_in(warehouse: Warehouse, location_id: Any, field: str) -> Location | None:
    if location_id in (None, ""):
        return None
    loc = _get(Location, location_id, field)
    if loc.warehouse_id != warehouse.pk or loc.usage != LocationUsage.INTERNAL or not loc.is_active:
        raise ValidationError({field: _("Choose an active location of warehouse %(w)s.") % {"w": warehouse.code}})
    return loc  # type: ignore[no-any-return]


def _clean_serials(product: Product, row: Mapping[str, Any], qty: Decimal, field: str) -> list[str]:
    serials = [str(s).strip() for s in (row.get("serials") or []) if str(s).strip()]
    if product.tracking != Tracking.SERIAL:
        if serials:
            raise ValidationError({field: _("%(p)s is not tracked by serial number.") % {"p": product.sku}})
        return []
    if len(set(serials)) != len(serials):
        raise ValidationError({field: _("A serial number is repeated.")})
    if Decimal(len(serials)) != qty:
        raise ValidationError({field: _("Give one serial number per unit (%(q)s).") % {"q": ledger._qty(qty)}})
    if any(len(s) > 80 for s in serials):
        raise ValidationError({field: _("A serial number has at most 80 characters.")})
    return serials


def _serial_codes(row: Mapping[str, Any], field: str) -> list[str]:
    """The serial numbers of a line: a list, or text as a scanner types it (one per line, or commas)."""
    raw = row.get("serials") or []
    if isinstance(raw, str):
        raw = re.split(r"[\r\n,;]+", raw)
    codes = [str(x).strip() for x in raw if str(x).strip()]
    if len(codes) > 1000:
        raise ValidationError({field: _("At most 1000 serial numbers per line.")})
    if any(len(c) > 80 for c in codes):
        raise ValidationError({field: _("A serial number has at most 80 characters.")})
    return codes


def _serial_line(
    product: Product, row: Mapping[str, Any], quantity: Any, field: str, seen: set[tuple[int, str]]
) -> tuple[list[str], Decimal | None]:
    """Serials of one line of a transfer/adjustment/put-away: none for other goods, one per unit for
    serial-tracked goods (the quantity is their number), never the same serial twice in a document."""
    codes = _serial_codes(row, field)
    if product.tracking != Tracking.SERIAL:
        if codes:
            raise ValidationError({field: _("%(p)s is not tracked by serial number.") % {"p": product.sku}})
        return [], None
    if not codes:
        raise ValidationError({field: _("Scan or type the serial numbers of %(p)s.") % {"p": product.sku}})
    if quantity not in (None, "") and abs(to_decimal(quantity)) != len(codes):
        count = ledger._qty(abs(to_decimal(quantity)))
        raise ValidationError({field: _("Give one serial number per unit (%(q)s).") % {"q": count}})
    for code in codes:
        if (product.pk, code) in seen:
            raise ValidationError({field: _("Serial %(s)s is listed twice in this document.") % {"s": code}})
        seen.add((product.pk, code))
    return codes, Decimal(len(codes))


def _serials_in_stock(
    product: Product,
    codes: Sequence[str],
    field: str,
    *,
    warehouse: Warehouse | None = None,
    location: Location | None = None,
    lock: bool = False,
) -> list[tuple[SerialNumber, Location]]:
    """The units ``codes`` of ``product`` with where each is, each in stock in ``warehouse`` (at
    ``location`` when given); locked in id order when ``lock``. Unknown serials, units elsewhere or in
    transit are refused."""
    qs = SerialNumber.objects.filter(product=product, code__in=list(codes)).order_by("pk")
    if lock:
        qs = qs.select_for_update()
    found = {x.code: x for x in qs}
    locations = Location.objects.in_bulk([x.location_id for x in found.values() if x.location_id])
    at: dict[str, Location] = {}
    for code in codes:
        serial = found.get(code)
        if serial is None:
            raise ValidationError({field: _("Unknown serial number %(s)s of %(p)s.") % {"s": code, "p": product.sku}})
        loc = locations.get(serial.location_id) if serial.location_id else None
        if loc is None:
            raise ValidationError({field: _("Serial %(s)s of %(p)s is not in stock.") % {"s": code, "p": product.sku}})
        if loc.usage == LocationUsage.TRANSIT:
            raise ValidationError({field: _("Serial %(s)s is in transit between warehouses.") % {"s": code}})
        if warehouse is not None and loc.warehouse_id != warehouse.pk:
            raise ValidationError(
                {field: _("Serial %(s)s is in another warehouse, not in %(w)s.") % {"s": code, "w": warehouse.code}}
            )
        if location is not None and loc.pk != location.pk:
            raise ValidationError(
                {
                    field: _("Serial %(s)s is at %(at)s, not at %(loc)s.")
                    % {"s": code, "at": loc.code, "loc": location.code}
                }
            )
        at[code] = loc
    return [(found[c], at[c]) for c in codes]


def _serials_not_in_stock(product: Product, codes: Sequence[str], field: str) -> None:
    in_stock = SerialNumber.objects.filter(product=product, code__in=list(codes), location__isnull=False)
    first = in_stock.order_by("code").values_list("code", flat=True).first()
    if first is not None:
        raise ValidationError({field: _("Serial %(s)s of %(p)s is already in stock.") % {"s": first, "p": product.sku}})


def _warehouse(warehouse_id: Any) -> Warehouse:
    wh = _get(Warehouse, warehouse_id, "warehouse_id")
    if wh is None:
        raise ValidationError({"warehouse_id": _("Choose the warehouse.")})
    if not wh.is_active:
        raise ValidationError({"warehouse_id": _("Warehouse %(w)s is closed.") % {"w": wh.code}})
    return wh  # type: ignore[no-any-return]


def _build_movement_lines(movement: StockMovement, lines: Rows) -> list[StockMovementLine]:
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    if len(lines) > 500:
        raise ValidationError({"lines": _("At most 500 lines.")})
    built = []
    for i, row in enumerate(lines):
        product, variant = _product_for_line(row, i)
        unit = _get(Unit, row.get("unit_id"), f"lines[{i}].unit_id") or product.stock_unit
        qty = _qty(row.get("quantity"), f"lines[{i}].quantity")
        stock_qty = convert(qty, unit, product.stock_unit)
        line = StockMovementLine(  # type: ignore[misc]  # type: ignore[misc]
            movement=movement, product=product, variant=variant, unit=unit, quantity=qty, stock_quantity=stock_qty
        )
        line.location = _location_in(movement.warehouse, row.get("location_id"), f"lines[{i}].location_id")
        line.serials = _clean_serials(product, row, stock_qty, f"lines[{i}].serials")
        line.lot_code = str(row.get("lot_code") or "").strip()[:60]
        if line.lot_code and product.tracking != Tracking.LOT:
            raise ValidationError({f"lines[{i}].lot_code": _("%(p)s is not tracked by lot.") % {"p": product.sku}})
        if movement.kind == MovementKind.RECEIPT:
            if product.tracking == Tracking.LOT and not line.lot_code:
                raise ValidationError({f"lines[{i}].lot_code": _("Enter the lot number.")})
            cost = row.get("unit_cost")
            unit_cost = product.cost_price if cost in (None, "") else _dec(cost, f"lines[{i}].unit_cost")
            if unit_cost < 0 or unit_cost > Decimal("1000000000000"):
                raise ValidationError({f"lines[{i}].unit_cost": _("Enter a cost between 0 and 10^12.")})
            line.value = round_money(qty * unit_cost, _currency())
            line.unit_cost = quantize(line.value / stock_qty, 6)
            line.expires_on = row.get("expires_on") or None
        built.append(line)
    return built


def _movement_totals(movement: StockMovement, lines: Sequence[StockMovementLine]) -> tuple[Decimal, Decimal]:
    qty = sum((ln.stock_quantity for ln in lines), ZERO)
    if movement.kind == MovementKind.RECEIPT:
        return qty, sum((ln.value for ln in lines), ZERO)
    value = ZERO
    for ln in lines:
        stock = Stock.objects.filter(
            product=ln.product, variant_key=ln.variant_id or 0, warehouse=movement.warehouse
        ).first()
        avg = stock.average_cost if stock else ln.product.cost_price
        value += round_money(ln.stock_quantity * avg, _currency())
    return qty, value


def needs_approval(movement: StockMovement) -> bool:
    """Whether a receipt/issue exceeds the company's approval thresholds (value or quantity)."""
    settings = inventory_settings()
    if settings.approval_value_threshold is None and settings.approval_quantity_threshold is None:
        return False
    qty, value = _movement_totals(movement, list(movement.lines.select_related("product")))
    if settings.approval_value_threshold is not None and value > settings.approval_value_threshold:
        return True
    return settings.approval_quantity_threshold is not None and qty > settings.approval_quantity_threshold


# --- receipts and issues ---------------------------------------------------------------------------


@transaction.atomic
def create_movement(
    p: Principal,
    *,
    kind: str,
    warehouse_id: int,
    lines: Rows,
    date: Date | None = None,
    partner_id: int | None = None,
    purpose: str = IssuePurpose.SALE,
    is_customer_return: bool = False,
    source_document: str = "",
    purchase_order_id: int | None = None,
    sales_order_id: int | None = None,
    note: str = "",
) -> StockMovement:
    """A draft goods receipt (``kind="receipt"``) or goods issue (``kind="issue"``)."""
    if kind not in MovementKind.values:
        raise ValidationError({"kind": _("Unknown kind.")})
    p.require("inv.receipt.create" if kind == MovementKind.RECEIPT else "inv.issue.create")
    if purpose not in IssuePurpose.values:
        raise ValidationError({"purpose": _("Unknown purpose.")})
    if partner_id is not None:
        from novasaas.parties.selectors import resolve_party_id

        if resolve_party_id(p.tenant, partner_id) is None:
            raise ValidationError({"partner_id": _("Unknown party.")})
    on = date or timezone.localdate()
    movement = StockMovement(
        kind=kind,
        warehouse=_warehouse(warehouse_id),
        date=on,
        partner_id=partner_id,
        purpose=purpose,
        is_customer_return=is_customer_return,
        source_document=(source_document or "")[:80],
        note=note or "",
        created_by=p.user,
    )
    movement.source_document = _source(movement.source_document, purchase_order_id, sales_order_id)
    built = _build_movement_lines(movement, lines)
    movement.number = _number(f"inventory.{kind}", on)
    movement.save()
    for line in built:
        line.movement = movement
        line.save()
    audit.record_created(movement, _actor(p))
    return movement


MOVEMENT_HEADER_FIELDS = (
    "warehouse_id", "date", "partner_id", "purpose", "is_customer_return", "source_document", "note"
)


@transaction.atomic
def update_movement(p: Principal, movement_id: int, changes: Mapping[str, Any]) -> StockMovement:
    """Change a draft receipt or issue: header fields present in ``changes`` and, when ``lines`` is
    given, all its lines (replaced, validated as at creation). Refused once the document left the
    draft state (picked, validated, posted or cancelled): what was posted is never rewritten."""
    movement = _lock_movement(movement_id)
    p.require("inv.receipt.create" if movement.kind == MovementKind.RECEIPT else "inv.issue.create")
    if movement.status != DocumentStatus.DRAFT:
        raise ValidationError(
            {"status": _("Only a draft can be changed; this document is %(s)s.") % {"s": movement.get_status_display()}}
        )
    unknown = set(changes) - {*MOVEMENT_HEADER_FIELDS, "lines"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: _("This field cannot be changed.")})
    before = audit.snapshot(movement)
    if changes.get("warehouse_id") is not None:
        movement.warehouse = _warehouse(changes["warehouse_id"])
    if changes.get("date") is not None:
        movement.date = changes["date"]
    if "partner_id" in changes:
        partner_id = changes["partner_id"]
        if partner_id is not None:
            from novasaas.parties.selectors import resolve_party_id

            if resolve_party_id(p.tenant, partner_id) is None:
                raise ValidationError({"partner_id": _("Unknown party.")})
        movement.partner_id = partner_id
    if changes.get("purpose") is not None:
        if changes["purpose"] not in IssuePurpose.values:
            raise ValidationError({"purpose": _("Unknown purpose.")})
        movement.purpose = changes["purpose"]
    if changes.get("is_customer_return") is not None:
        movement.is_customer_return = bool(changes["is_customer_return"])
    if changes.get("source_document") is not None:
        movement.source_document = str(changes["source_document"])[:80]
    if changes.get("note") is not None:
        movement.note = str(changes["note"])
    built = _build_movement_lines(movement, changes["lines"]) if changes.get("lines") is not None else None
    movement.save()
    if built is not None:
        movement.lines.all().delete()
        for line in built:
            line.movement = movement
            line.save()
    audit.record_updated(movement, _actor(p), before)
    return movement


def _source(source: str, purchase_order_id: int | None, sales_order_id: int | None) -> str:
    if source:
        return source
    if purchase_order_id:
        return f"scm.purchaseorder:{purchase_order_id}"
    if sales_order_id:
        return f"crm.salesorder:{sales_order_id}"
    return ""


def _order_id(source: str, prefix: str) -> int | None:
    if source.startswith(prefix + ":"):
        tail = source.split(":", 1)[1]
        return int(tail) if tail.isdigit() else None
    return None


def _lock_movement(movement_id: int, kind: str | None = None) -> StockMovement:
    qs = StockMovement.objects.select_for_update().select_related("warehouse")
    if kind:
        qs = qs.filter(kind=kind)
    return qs.get(pk=movement_id)  # type: ignore[no-any-return]


def _lot_for(product: Product, code: str, expires_on: Any = None, on: Date | None = None) -> LotNumber | None:
    if not code:
        return None
    lot = LotNumber.objects.filter(product=product, code=code).first()
    if lot is not None:
        return lot
    expiry = expires_on
    if expiry is None and product.shelf_life_days and on is not None:
        expiry = on + timedelta(days=product.shelf_life_days)
    return ledger._get_or_create(  # type: ignore[no-any-return]
        LotNumber, {"product": product, "code": code}, {"expires_on": expiry, "manufactured_on": on}
    )


def suggest_picks(
    warehouse: Warehouse,
    product: Product,
    variant: ProductVariant | None,
    qty: Decimal,
    lot_code: str = "",
    location: Location | None = None,
    on: Date | None = None,
) -> list[tuple[Location, LotNumber | None, Decimal]]:
    """Where to pick ``qty``: first-expired-first-out over lots, then the fullest location.

    Lots expired before ``on`` (default today) are never picked on their own: goods past their date
    leave only when the user names the lot (e.g. to dispose of them)."""
    quants = StockQuant.objects.filter(
        product=product, variant_key=variant.pk if variant else 0, warehouse=warehouse, on_hand__gt=0
    ).select_related("location", "lot")
    expired = ZERO
    if lot_code:
        quants = quants.filter(lot__code=lot_code)
    else:
        cutoff = on or timezone.localdate()
        expired_quants = quants.filter(lot__expires_on__lt=cutoff)
        if location is not None:
            expired_quants = expired_quants.filter(location=location)
        expired = sum((q.on_hand for q in expired_quants), ZERO)
        quants = quants.exclude(lot__expires_on__lt=cutoff)
    if location is not None:
        quants = quants.filter(location=location)
    ordered = sorted(
        quants,
        key=lambda q: (
            q.lot.expires_on is None if q.lot else True,
            q.lot.expires_on if q.lot and q.lot.expires_on else Date.max,
            q.lot.code if q.lot else "",
            -q.on_hand,
            q.location.code,
        ),
    )
    picks: list[tuple[Location, LotNumber | None, Decimal]] = []
    left = qty
    for q in ordered:
        if left <= 0:
            break
        take = min(q.on_hand, left)
        picks.append((q.location, q.lot, take))
        left -= take
    if left > 0:
        if warehouse.allow_negative_stock and product.tracking == Tracking.NONE:
            picks.append((location or ledger.root_location(warehouse), None, left))
        elif expired:
            raise InsufficientStock(
                _(
                    "Not enough %(p)s in %(w)s: %(q)s requested, %(a)s on hand that has not expired "
                    "(%(e)s expired: name the lot to issue it)."
                )
                % {"p": product.sku, "w": warehouse.code, "q": qty, "a": qty - left, "e": expired}
            )
        else:
            raise InsufficientStock(
                _("Not enough %(p)s in %(w)s: %(q)s requested, %(a)s on hand.")
                % {
                    "p": ledger._product(product),
                    "w": warehouse.code,
                    "q": ledger._qty(qty, product),
                    "a": ledger._qty(qty - left, product),
                }
            )
    return picks


def _allocate_issue_lines(movement: StockMovement) -> None:
    """Split each issue line into picks with a location and lot (FEFO), unless serials fix them."""
    for line in list(movement.lines.select_related("product", "variant", "location")):
        if line.product.tracking == Tracking.SERIAL:
            continue
        if line.location_id and (line.lot_code or line.product.tracking != Tracking.LOT):
            continue
        picks = suggest_picks(
            movement.warehouse,
            line.product,
            line.variant,
            line.stock_quantity,
            line.lot_code,
            line.location,
            on=movement.date,
        )
        for loc, lot, qty in picks:
            StockMovementLine.objects.create(  # type: ignore[misc]  # type: ignore[misc]
                movement=movement,
                product=line.product,
                variant=line.variant,
                location=loc,
                unit=line.product.stock_unit,
                quantity=qty,
                stock_quantity=qty,
                lot_code=lot.code if lot else "",
            )
        line.delete()


@transaction.atomic
def scan_movement(
    p: Principal, movement_id: int, *, code: str, quantity: Any = 1, location_id: int | None = None
) -> Any:
    """A scanner read on a draft receipt or issue: add ``quantity`` (1) of the scanned product (stock
    unit) to its line at that location, creating the line when needed."""
    movement = _lock_movement(movement_id)
    p.require("inv.receipt.create" if movement.kind == MovementKind.RECEIPT else "inv.issue.create")
    if movement.status != DocumentStatus.DRAFT:
        raise ValidationError(_("This document is %(s)s.") % {"s": movement.get_status_display()})
    found = find_by_code(code)
    if found is None:
        raise ValidationError({"code": _("No product has the code %(c)s.") % {"c": code[:40]}})
    product, variant = found
    if not product.is_stocked or not product.is_active:
        raise ValidationError({"code": _("%(p)s is a service: it has no stock.") % {"p": product.sku}})
    if product.tracking != Tracking.NONE:
        raise ValidationError({"code": _("Lot or serial goods are entered in the form (lot / serial number).")})
    qty = _qty(quantity)
    location = _location_in(movement.warehouse, location_id, "location_id")
    line = StockMovementLine.objects.filter(
        movement=movement, product=product, variant=variant, location=location, unit=product.stock_unit
    ).first()
    if line is None:
        line = StockMovementLine(  # type: ignore[misc]
            movement=movement,
            product=product,
            variant=variant,
            location=location,
            unit=product.stock_unit,
            quantity=ZERO,
            stock_quantity=ZERO,
        )
        if movement.kind == MovementKind.RECEIPT:
            line.unit_cost = quantize(product.cost_price, 6)
    line.quantity += qty
    line.stock_quantity += qty
    if movement.kind == MovementKind.RECEIPT:
        line.value = round_money(line.stock_quantity * line.unit_cost, _currency())
    line.save()
    return line


@transaction.atomic
def pick_issue(p: Principal, movement_id: int) -> StockMovement:
    """Choose locations and lots for every line (FEFO) and mark the issue picked."""
    p.require("inv.issue.create")
    movement = _lock_movement(movement_id, MovementKind.ISSUE)
    if movement.status != DocumentStatus.DRAFT:
        raise ValidationError(_("Only a draft issue can be picked."))
    _allocate_issue_lines(movement)
    movement.status = DocumentStatus.PICKED
    movement.save(update_fields=["status"])
    return movement


@transaction.atomic
def pack_issue(p: Principal, movement_id: int) -> StockMovement:
    p.require("inv.issue.create")
    movement = _lock_movement(movement_id, MovementKind.ISSUE)
    if movement.status != DocumentStatus.PICKED:
        raise ValidationError(_("Pick the goods before packing."))
    movement.status = DocumentStatus.PACKED
    movement.save(update_fields=["status"])
    return movement


@transaction.atomic
def validate_movement(p: Principal, movement_id: int) -> StockMovement:
    """Post a receipt or issue. Above the company's thresholds, a member without the approval right
    only submits it (status "waiting for approval"); a Warehouse Manager's validation posts it."""
    movement = _lock_movement(movement_id)
    p.require("inv.receipt.create" if movement.kind == MovementKind.RECEIPT else "inv.issue.create")
    if movement.status not in (DocumentStatus.DRAFT, DocumentStatus.PICKED, DocumentStatus.PACKED):
        raise ValidationError(_("This document is %(s)s.") % {"s": movement.get_status_display()})
    if not movement.warehouse.is_active:
        raise ValidationError(_("Warehouse %(w)s is closed.") % {"w": movement.warehouse.code})
    if needs_approval(movement) and not p.has("inv.movement.approve"):
        movement.status = DocumentStatus.PENDING
        movement.save(update_fields=["status"])
        from novasaas.platform.notifications import notify

        notify(
            p.tenant,
            "inv.movement.approve",
            "approvals",
            _("%(n)s waits for your approval") % {"n": movement.number},
            url=f"/inventory/movements/{movement.pk}/",
        )
        return movement
    _post_movement(p, movement)
    return movement


@transaction.atomic
def approve_movement(p: Principal, movement_id: int) -> StockMovement:
    p.require("inv.movement.approve")
    movement = _lock_movement(movement_id)
    if movement.status != DocumentStatus.PENDING:
        raise ValidationError(_("Only a document waiting for approval can be approved."))
    movement.approved_by = p.user
    _post_movement(p, movement)
    return movement


@transaction.atomic
def cancel_movement(p: Principal, movement_id: int) -> StockMovement:
    movement = _lock_movement(movement_id)
    p.require("inv.receipt.create" if movement.kind == MovementKind.RECEIPT else "inv.issue.create")
    if movement.status == DocumentStatus.PENDING:
        p.require("inv.movement.approve")
    if movement.status in (DocumentStatus.DONE, DocumentStatus.CANCELLED):
        raise ValidationError(_("This document is %(s)s.") % {"s": movement.get_status_display()})
    movement.status = DocumentStatus.CANCELLED
    movement.save(update_fields=["status"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=movement, message="cancelled")
    return movement


def _post_movement(p: Principal, movement: StockMovement) -> None:
    if movement.kind == MovementKind.ISSUE:
        # lock the warehouse rows before choosing locations, so the picks read settled quants
        ledger.lock_stocks(
            (ln.product, ln.variant, movement.warehouse) for ln in movement.lines.select_related("product", "variant")
        )
        _allocate_issue_lines(movement)
    lines = list(movement.lines.select_related("product", "product__stock_unit", "variant", "location"))
    lines.sort(key=lambda ln: (ln.product_id, ln.variant_id or 0, ln.id))
    wh = movement.warehouse
    stocks = ledger.lock_stocks((ln.product, ln.variant, wh) for ln in lines)
    ctx = MoveContext(f"inventory.{movement.kind}", movement.pk, movement.number, movement.date, p.user)
    root = ledger.root_location(wh)
    total = ZERO
    if movement.kind == MovementKind.RECEIPT:
        source = ledger.virtual_location(
            LocationUsage.CUSTOMER if movement.is_customer_return else LocationUsage.SUPPLIER
        )
        for ln in lines:
            dest = ln.location or root
            lot = _lot_for(ln.product, ln.lot_code, ln.expires_on, movement.date)
            if ln.serials:
                total += _receive_serials(ctx, ln, source, dest, stocks)
            else:
                move = ledger.post_move(
                    ctx,
                    product=ln.product,
                    variant=ln.variant,
                    from_location=source,
                    to_location=dest,
                    quantity=ln.stock_quantity,
                    value=ln.value,
                    lot=lot,
                    stocks=stocks,
                )
                total += move.value
    else:
        dest = ledger.virtual_location(
            LocationUsage.SUPPLIER if movement.purpose == IssuePurpose.RETURN_TO_VENDOR else LocationUsage.CUSTOMER
        )
        for ln in lines:
            stock = stocks[(ln.product_id, ln.variant_id or 0, wh.pk)]
            if ln.serials:
                line_value = _issue_serials(ctx, ln, wh, dest, stocks, movement.source_document)
            else:
                lot = LotNumber.objects.filter(product=ln.product, code=ln.lot_code).first() if ln.lot_code else None
                if ln.lot_code and lot is None:
                    raise ValidationError(_("Unknown lot %(l)s of %(p)s.") % {"l": ln.lot_code, "p": ln.product.sku})
                consumed = ledger.take_reservation(stock, movement.source_document, ln.stock_quantity)
                line_value = ledger.post_move(
                    ctx,
                    product=ln.product,
                    variant=ln.variant,
                    from_location=ln.location or root,
                    to_location=dest,
                    quantity=ln.stock_quantity,
                    lot=lot,
                    stocks=stocks,
                    consume_reserved=consumed,
                ).value
            # the unit cost actually used (the average at the issue date), per stock unit, with the value
            used = quantize(line_value / ln.stock_quantity, 6) if ln.stock_quantity else Decimal(0)
            StockMovementLine.objects.filter(pk=ln.pk).update(value=line_value, unit_cost=used)
            total += line_value
    _revalue_backdated(p, ctx, stocks.values())
    movement.status = DocumentStatus.DONE
    movement.done_at = timezone.now()
    movement.save(update_fields=["status", "done_at", "approved_by"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=movement, message="posted", after={"value": str(total)})
    common: dict[str, Any] = {
        "tenant_id": p.tenant.pk,
        "document_id": movement.pk,
        "reference": movement.number,
        "date": movement.date.isoformat(),
        "warehouse_id": wh.pk,
        "value": _amt(total),
    }
    if movement.kind == MovementKind.RECEIPT:
        publish(
            events.GoodsReceived(
                document_type="inventory.receipt",
                partner_id=movement.partner_id,
                purchase_order_id=_order_id(movement.source_document, "scm.purchaseorder"),
                is_customer_return=movement.is_customer_return,
                **common,
            )
        )
    else:
        publish(
            events.GoodsIssued(
                document_type="inventory.issue",
                purpose=movement.purpose,
                partner_id=movement.partner_id,
                sales_order_id=_order_id(movement.source_document, "crm.salesorder"),
                **common,
            )
        )
    check_reorder(p.tenant, stocks.values())


def _receive_serials(ctx: MoveContext, ln: StockMovementLine, source: Location, dest: Location, stocks: Any) -> Decimal:
    n = len(ln.serials)
    total = ZERO
    for i, code in enumerate(ln.serials):
        serial = _serial_to_receive(ln.product, code)
        share = round_money(ln.value / n, _currency())
        value = ln.value - share * (n - 1) if i == n - 1 else share
        total += ledger.post_move(
            ctx,
            product=ln.product,
            variant=ln.variant,
            from_location=source,
            to_location=dest,
            quantity=Decimal(1),
            value=value,
            serial=serial,
            stocks=stocks,
        ).value
    return total


def _issue_serials(
    ctx: MoveContext, ln: StockMovementLine, wh: Warehouse, dest: Location, stocks: Any, for_document: str
) -> Decimal:
    total = ZERO
    stock = stocks[(ln.product_id, ln.variant_id or 0, wh.pk)]
    for code in ln.serials:
        serial = SerialNumber.objects.select_for_update().filter(product=ln.product, code=code).first()
        if serial is None or serial.location_id is None:
            raise ValidationError(_("Serial %(s)s of %(p)s is not in stock.") % {"s": code, "p": ln.product.sku})
        loc = Location.objects.get(pk=serial.location_id)
        if loc.warehouse_id != wh.pk:
            raise ValidationError(_("Serial %(s)s is in another warehouse.") % {"s": code})
        consumed = ledger.take_reservation(stock, for_document, Decimal(1))
        total += ledger.post_move(
            ctx,
            product=ln.product,
            variant=ln.variant,
            from_location=loc,
            to_location=dest,
            quantity=Decimal(1),
            serial=serial,
            stocks=stocks,
            consume_reserved=consumed,
        ).value
    return total


def receive_goods(p: Principal, *, warehouse_id: int, lines: Rows, **kwargs: Any) -> StockMovement:
    """Create and post a goods receipt in one call (Purchasing's entry point). Lines: ``product_id``,
    ``quantity``, optional ``unit_id`` (e.g. thùng), ``unit_cost`` per that unit, ``location_id``
    (put-away), ``lot_code``/``expires_on``, ``serials``. Publishes ``GoodsReceived`` (may wait for
    approval above the thresholds: check ``status``)."""
    with transaction.atomic():
        movement = create_movement(p, kind=MovementKind.RECEIPT, warehouse_id=warehouse_id, lines=lines, **kwargs)
        return validate_movement(p, movement.pk)


def issue_goods(p: Principal, *, warehouse_id: int, lines: Rows, **kwargs: Any) -> StockMovement:
    """Create and post a goods issue (Sales' entry point). ``source_document``/``sales_order_id``
    names the document whose reservation it consumes. Locations and lots are picked FEFO when not
    given. Publishes ``GoodsIssued`` with the cost of the goods."""
    with transaction.atomic():
        movement = create_movement(p, kind=MovementKind.ISSUE, warehouse_id=warehouse_id, lines=lines, **kwargs)
        return validate_movement(p, movement.pk)


@transaction.atomic
def put_away(
    p: Principal,
    *,
    product_id: int,
    from_location_id: int,
    to_location_id: int,
    quantity: Any = None,
    lot_code: str = "",
    variant_id: int | None = None,
    serials: Any = None,
) -> StockMove:
    """Move stock between two locations of one warehouse (put-away after a receipt, or relocation).

    Serial-tracked goods move by serial number (``serials``; the quantity is their number): each unit
    must be at ``from_location`` and follows to ``to_location``; one move per unit, the first is returned.
    """
    p.require("inv.receipt.create")
    product, variant = _product_for_line({"product_id": product_id, "variant_id": variant_id}, 0)
    src = _get(Location, from_location_id, "from_location_id")
    if src is None or src.usage != LocationUsage.INTERNAL:
        raise ValidationError({"from_location_id": _("Choose a warehouse location.")})
    dst = _location_in(src.warehouse, to_location_id, "to_location_id")
    if dst is None or dst == src:
        raise ValidationError({"to_location_id": _("Choose another location of the same warehouse.")})
    codes, n = _serial_line(product, {"serials": serials}, quantity, "serials", set())
    qty = n if n is not None else _qty(quantity)
    lot = LotNumber.objects.filter(product=product, code=lot_code).first() if lot_code else None
    if lot_code and lot is None:
        raise ValidationError({"lot_code": _("Unknown lot.")})
    on = timezone.localdate()
    number = _number("inventory.putaway", on)
    stocks = ledger.lock_stocks([(product, variant, src.warehouse)])
    ctx = MoveContext("inventory.putaway", next_number("inventory.putaway.id"), number, on, p.user)
    if codes:
        units = _serials_in_stock(product, codes, "serials", warehouse=src.warehouse, location=src, lock=True)
        moves = [
            ledger.post_move(
                ctx,
                product=product,
                variant=variant,
                from_location=src,
                to_location=dst,
                quantity=Decimal(1),
                serial=unit,
                stocks=stocks,
            )
            for unit, _at in units
        ]
        move = moves[0]
    else:
        move = ledger.post_move(
            ctx,
            product=product,
            variant=variant,
            from_location=src,
            to_location=dst,
            quantity=qty,
            lot=lot,
            stocks=stocks,
        )
    audit.record(audit.AuditAction.CREATE, actor=_actor(p), obj=move, object_repr=number)
    return move


# --- adjustments -----------------------------------------------------------------------------------


@transaction.atomic
def create_adjustment(
    p: Principal, *, warehouse_id: int, reason: str, lines: Rows, date: Date | None = None
) -> StockAdjustment:
    """An adjustment waiting for a Warehouse Manager's approval (every adjustment is approved)."""
    p.require("inv.adjustment.create")
    reason = " ".join((reason or "").split())
    if not reason:
        raise ValidationError({"reason": _("Give the reason for the adjustment.")})
    on = date or timezone.localdate()
    adj = StockAdjustment(warehouse=_warehouse(warehouse_id), reason=reason[:300], date=on, created_by=p.user)
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    built = []
    seen: set[tuple[int, str]] = set()
    for i, row in enumerate(lines):
        product, variant = _product_for_line(row, i)
        change = _qty(row.get("quantity_change"), f"lines[{i}].quantity_change", positive=False)
        if change == 0:
            raise ValidationError({f"lines[{i}].quantity_change": _("The change cannot be zero.")})
        location = _location_in(adj.warehouse, row.get("location_id"), f"lines[{i}].location_id")
        codes, _n = _serial_line(product, row, change, f"lines[{i}].serials", seen)
        if codes and change > 0:
            _serials_not_in_stock(product, codes, f"lines[{i}].serials")
        elif codes:
            _serials_in_stock(product, codes, f"lines[{i}].serials", warehouse=adj.warehouse, location=location)
        lot_code = str(row.get("lot_code") or "").strip()[:60]
        if product.tracking == Tracking.LOT and not lot_code:
            raise ValidationError({f"lines[{i}].lot_code": _("Enter the lot number.")})
        cost = row.get("unit_cost")
        unit_cost = None if cost in (None, "") else _dec(cost, f"lines[{i}].unit_cost")
        if unit_cost is not None and unit_cost < 0:
            raise ValidationError({f"lines[{i}].unit_cost": _("Costs cannot be negative.")})
        built.append(
            StockAdjustmentLine(  # type: ignore[misc]  # type: ignore[misc]
                product=product,
                variant=variant,
                quantity_change=change,
                lot_code=lot_code,
                location=location,
                unit_cost=quantize(unit_cost, 6) if unit_cost is not None else None,
                serials=codes,
            )
        )
    adj.number = _number("inventory.adjustment", on)
    adj.save()
    for line in built:
        line.adjustment = adj
        line.save()
    audit.record_created(adj, _actor(p))
    return adj


@transaction.atomic
def approve_adjustment(p: Principal, adjustment_id: int) -> StockAdjustment:
    p.require("inv.movement.approve")
    adj = StockAdjustment.objects.select_for_update().select_related("warehouse").get(pk=adjustment_id)
    if adj.status != DocumentStatus.PENDING:
        raise ValidationError(_("Only an adjustment waiting for approval can be approved."))
    if not adj.warehouse.is_active:
        raise ValidationError(_("Warehouse %(w)s is closed.") % {"w": adj.warehouse.code})
    lines = sorted(
        adj.lines.select_related("product", "variant", "location"),
        key=lambda ln: (ln.product_id, ln.variant_id or 0, ln.id),
    )
    stocks = ledger.lock_stocks((ln.product, ln.variant, adj.warehouse) for ln in lines)
    ctx = MoveContext("inventory.adjustment", adj.pk, adj.number, adj.date, p.user)
    loss = ledger.virtual_location(LocationUsage.LOSS)
    root = ledger.root_location(adj.warehouse)
    total = ZERO
    for ln in lines:
        loc = ln.location or root
        if ln.serials:
            value = _adjust_serials(ctx, ln, adj.warehouse, loc, loss, stocks)
        elif ln.quantity_change > 0:
            lot = _lot_for(ln.product, ln.lot_code, None, adj.date)
            stock = stocks[(ln.product_id, ln.variant_id or 0, adj.warehouse_id)]
            cost = ln.unit_cost if ln.unit_cost is not None else (stock.average_cost or ln.product.cost_price)
            move = ledger.post_move(
                ctx,
                product=ln.product,
                variant=ln.variant,
                from_location=loss,
                to_location=loc,
                quantity=ln.quantity_change,
                unit_cost=cost,
                lot=lot,
                stocks=stocks,
            )
            value = move.value
        else:
            lot = LotNumber.objects.filter(product=ln.product, code=ln.lot_code).first() if ln.lot_code else None
            move = ledger.post_move(
                ctx,
                product=ln.product,
                variant=ln.variant,
                from_location=loc,
                to_location=loss,
                quantity=-ln.quantity_change,
                lot=lot,
                stocks=stocks,
            )
            value = -move.value
        StockAdjustmentLine.objects.filter(pk=ln.pk).update(value=value)
        total += value
    _revalue_backdated(p, ctx, stocks.values())
    adj.status = DocumentStatus.DONE
    adj.approved_by = p.user
    adj.save(update_fields=["status", "approved_by"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=adj, message="approved", after={"value": str(total)})
    publish(
        events.StockAdjusted(
            tenant_id=p.tenant.pk,
            document_type="inventory.adjustment",
            document_id=adj.pk,
            reference=adj.number,
            date=adj.date.isoformat(),
            warehouse_id=adj.warehouse_id,
            value=_amt(total),
            reason=adj.reason,
        )
    )
    check_reorder(p.tenant, stocks.values())
    return adj


def _adjust_serials(
    ctx: MoveContext, ln: StockAdjustmentLine, wh: Warehouse, loc: Location, loss: Location, stocks: Any
) -> Decimal:
    """Serial units found (in from the inventory-loss location at the line's cost, else the average)
    or lost (each from where it is, at the warehouse's cost); returns the signed value."""
    if ln.quantity_change > 0:
        stock = stocks[(ln.product_id, ln.variant_id or 0, wh.pk)]
        cost = ln.unit_cost if ln.unit_cost is not None else (stock.average_cost or ln.product.cost_price)
        return _serials_found(ctx, ln.product, ln.variant, ln.serials, loc, loss, cost, stocks)
    units = _serials_in_stock(ln.product, ln.serials, "serials", warehouse=wh, location=ln.location, lock=True)
    return -_serials_lost(ctx, ln.product, ln.variant, units, loss, stocks)


def _serial_to_receive(product: Product, code: str) -> SerialNumber:
    """The unit ``code`` of ``product`` coming into stock, locked: a known unit that is not in stock, or a
    new one (created). A unit already in stock is refused."""
    serial = SerialNumber.objects.select_for_update().filter(product=product, code=code).first()
    if serial is not None and serial.location_id is not None:
        raise ValidationError(_("Serial %(s)s of %(p)s is already in stock.") % {"s": code, "p": product.sku})
    if serial is None:
        try:
            with transaction.atomic():
                serial = SerialNumber.objects.create(product=product, code=code)
        except IntegrityError as exc:
            raise ValidationError(_("Serial %(s)s is being received twice.") % {"s": code}) from exc
    return serial


def _serials_found(
    ctx: MoveContext,
    product: Product,
    variant: ProductVariant | None,
    codes: Sequence[str],
    loc: Location,
    loss: Location,
    unit_cost: Decimal,
    stocks: Any,
) -> Decimal:
    """Units found (an adjustment's gain, a count's found serials): each comes in from the inventory-loss
    location to ``loc`` at ``unit_cost``; unknown serials are created. Returns the value brought in."""
    total = ZERO
    for code in codes:
        total += ledger.post_move(
            ctx,
            product=product,
            variant=variant,
            from_location=loss,
            to_location=loc,
            quantity=Decimal(1),
            unit_cost=unit_cost,
            serial=_serial_to_receive(product, code),
            stocks=stocks,
        ).value
    return total


def _serials_lost(
    ctx: MoveContext,
    product: Product,
    variant: ProductVariant | None,
    units: Sequence[tuple[SerialNumber, Location]],
    loss: Location,
    stocks: Any,
) -> Decimal:
    """Units lost (an adjustment's loss, a count's missing serials): each goes from where it is to the
    inventory-loss location at the warehouse's cost. Returns the value taken out (positive)."""
    total = ZERO
    for unit, at in units:
        total += ledger.post_move(
            ctx,
            product=product,
            variant=variant,
            from_location=at,
            to_location=loss,
            quantity=Decimal(1),
            serial=unit,
            stocks=stocks,
        ).value
    return total


@transaction.atomic
def reject_adjustment(p: Principal, adjustment_id: int) -> StockAdjustment:
    p.require("inv.movement.approve")
    adj = StockAdjustment.objects.select_for_update().get(pk=adjustment_id)
    if adj.status != DocumentStatus.PENDING:
        raise ValidationError(_("Only an adjustment waiting for approval can be rejected."))
    adj.status = DocumentStatus.CANCELLED
    adj.save(update_fields=["status"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=adj, message="rejected")
    return adj


# --- transfers -------------------------------------------------------------------------------------


@transaction.atomic
def create_transfer(
    p: Principal,
    *,
    from_warehouse_id: int,
    to_warehouse_id: int,
    lines: Rows,
    date: Date | None = None,
    note: str = "",
) -> StockTransfer:
    p.require("inv.transfer.create")
    on = date or timezone.localdate()
    src = _warehouse(from_warehouse_id)
    dst = _get(Warehouse, to_warehouse_id, "to_warehouse_id")
    if dst is None or not dst.is_active:
        raise ValidationError({"to_warehouse_id": _("Choose an open warehouse to transfer to.")})
    transfer = StockTransfer(from_warehouse=src, to_warehouse=dst, date=on, note=note or "", created_by=p.user)
    transfer.clean()
    if not lines:
        raise ValidationError({"lines": _("Add at least one line.")})
    built = []
    seen: set[tuple[int, str]] = set()
    for i, row in enumerate(lines):
        product, variant = _product_for_line(row, i)
        field = f"lines[{i}].serials"
        codes, n = _serial_line(product, row, row.get("quantity"), field, seen)
        if codes:
            _serials_in_stock(product, codes, field, warehouse=src)
            busy = _serials_on_open_transfers(product, codes)
            if busy:
                code, number = busy[0]
                raise ValidationError(
                    {field: _("Serial %(s)s is already on transfer %(n)s.") % {"s": code, "n": number}}
                )
        built.append(
            StockTransferLine(  # type: ignore[misc]
                product=product,
                variant=variant,
                quantity=n if n is not None else _qty(row.get("quantity"), f"lines[{i}].quantity"),
                lot_code=str(row.get("lot_code") or "").strip()[:60] if not codes else "",
                serials=codes,
            )
        )
    transfer.number = _number("inventory.transfer", on)
    transfer.save()
    for line in built:
        line.transfer = transfer
        line.save()
    audit.record_created(transfer, _actor(p))
    return transfer


def _serials_on_open_transfers(product: Product, codes: Sequence[str]) -> list[tuple[str, str]]:
    """(serial, transfer number) of ``codes`` already picked on a transfer not yet shipped."""
    wanted = set(codes)
    rows = StockTransferLine.objects.filter(
        product=product, transfer__status__in=(DocumentStatus.PENDING, DocumentStatus.APPROVED)
    ).values_list("serials", "transfer__number")
    return sorted((code, number) for serials, number in rows for code in serials or [] if code in wanted)


def _lock_transfer(transfer_id: int, status: str) -> StockTransfer:
    transfer = (
        StockTransfer.objects.select_for_update().select_related("from_warehouse", "to_warehouse").get(pk=transfer_id)
    )
    if transfer.status != status:
        raise ValidationError(_("This transfer is %(s)s.") % {"s": transfer.get_status_display()})
    return transfer  # type: ignore[no-any-return]


@transaction.atomic
def approve_transfer(p: Principal, transfer_id: int) -> StockTransfer:
    p.require("inv.transfer.approve")
    transfer = _lock_transfer(transfer_id, DocumentStatus.PENDING)
    transfer.status = DocumentStatus.APPROVED
    transfer.approved_by = p.user
    transfer.save(update_fields=["status", "approved_by"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=transfer, message="approved")
    return transfer


@transaction.atomic
def ship_transfer(p: Principal, transfer_id: int) -> StockTransfer:
    """Take the goods out of the source warehouse into transit (FEFO picks), at its average cost."""
    p.require("inv.transfer.execute")
    transfer = _lock_transfer(transfer_id, DocumentStatus.APPROVED)
    src = transfer.from_warehouse
    if not src.is_active:
        raise ValidationError(_("Warehouse %(w)s is closed.") % {"w": src.code})
    lines = sorted(transfer.lines.select_related("product", "variant"), key=lambda ln: (ln.product_id, ln.id))
    stocks = ledger.lock_stocks((ln.product, ln.variant, src) for ln in lines)
    ctx = MoveContext("inventory.transfer", transfer.pk, transfer.number, transfer.date, p.user)
    transit = ledger.virtual_location(LocationUsage.TRANSIT)
    for ln in lines:
        value = ZERO
        if ln.serials:  # the units picked when the transfer was made, each from where it is now
            for unit, at in _serials_in_stock(ln.product, ln.serials, "serials", warehouse=src, lock=True):
                value += ledger.post_move(
                    ctx,
                    product=ln.product,
                    variant=ln.variant,
                    from_location=at,
                    to_location=transit,
                    quantity=Decimal(1),
                    serial=unit,
                    stocks=stocks,
                ).value
            StockTransferLine.objects.filter(pk=ln.pk).update(value=value)
            continue
        for loc, lot, qty in suggest_picks(src, ln.product, ln.variant, ln.quantity, ln.lot_code):
            value += ledger.post_move(
                ctx,
                product=ln.product,
                variant=ln.variant,
                from_location=loc,
                to_location=transit,
                quantity=qty,
                lot=lot,
                stocks=stocks,
            ).value
        StockTransferLine.objects.filter(pk=ln.pk).update(value=value)
    _revalue_backdated(p, ctx, stocks.values())
    _publish_transfer(p, transfer, "shipped", transfer.date)
    transfer.status = DocumentStatus.IN_TRANSIT
    transfer.shipped_at = timezone.now()
    transfer.save(update_fields=["status", "shipped_at"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=transfer, message="shipped")
    check_reorder(p.tenant, stocks.values())
    return transfer


@transaction.atomic
def receive_transfer(
    p: Principal, transfer_id: int, location_id: int | None = None, serials: Any = None
) -> StockTransfer:
    """Confirm receipt at the destination: what left in transit enters, at the value it carried.

    ``serials`` (optional) are the serial numbers scanned at the destination: when given they must be
    exactly the units shipped on this transfer (a missing or foreign unit is refused, nothing moves)."""
    p.require("inv.transfer.execute")
    transfer = _lock_transfer(transfer_id, DocumentStatus.IN_TRANSIT)
    dst = transfer.to_warehouse
    dest = _location_in(dst, location_id, "location_id") or ledger.root_location(dst)
    transit = ledger.virtual_location(LocationUsage.TRANSIT)
    shipped = list(
        StockMove.objects.filter(document_type="inventory.transfer", document_id=transfer.pk, to_location=transit)
        .select_related("product", "variant", "lot", "serial")
        .order_by("product_id", "id")
    )
    scanned = _serial_codes({"serials": serials}, "serials")
    if scanned:
        _check_received_serials(scanned, [m.serial.code for m in shipped if m.serial is not None])
    stocks = ledger.lock_stocks((m.product, m.variant, dst) for m in shipped)
    ctx = MoveContext("inventory.transfer", transfer.pk, transfer.number, timezone.localdate(), p.user)
    for m in shipped:
        ledger.post_move(
            ctx,
            product=m.product,
            variant=m.variant,
            from_location=transit,
            to_location=dest,
            quantity=m.quantity,
            value=m.value,
            lot=m.lot,
            serial=_serial_in_transit(m.serial, transit) if m.serial is not None else None,
            stocks=stocks,
        )
    _publish_transfer(p, transfer, "received", ctx.date)
    transfer.status = DocumentStatus.DONE
    transfer.received_at = timezone.now()
    transfer.save(update_fields=["status", "received_at"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=transfer, message="received")
    check_reorder(p.tenant, stocks.values())
    return transfer


def _check_received_serials(scanned: Sequence[str], shipped: Sequence[str]) -> None:
    if len(set(scanned)) != len(scanned):
        raise ValidationError({"serials": _("A serial number is repeated.")})
    extra = sorted(set(scanned) - set(shipped))
    if extra:
        raise ValidationError({"serials": _("Serial %(s)s was not shipped on this transfer.") % {"s": extra[0]}})
    missing = sorted(set(shipped) - set(scanned))
    if missing:
        raise ValidationError(
            {
                "serials": _("Serial %(s)s of this transfer was not scanned (%(n)s missing).")
                % {"s": missing[0], "n": len(missing)}
            }
        )


def _serial_in_transit(serial: SerialNumber, transit: Location) -> SerialNumber:
    unit = SerialNumber.objects.select_for_update().get(pk=serial.pk)
    if unit.location_id != transit.pk:
        raise ValidationError(_("Serial %(s)s is no longer in transit.") % {"s": unit.code})
    return unit  # type: ignore[no-any-return]


def _publish_transfer(p: Principal, transfer: StockTransfer, stage: str, on: Date) -> None:
    transit = ledger.virtual_location(LocationUsage.TRANSIT)
    moves = StockMove.objects.filter(document_type="inventory.transfer", document_id=transfer.pk)
    moves = moves.filter(to_location=transit) if stage == "shipped" else moves.filter(from_location=transit)
    value = Decimal(sum(moves.values_list("value", flat=True), ZERO))
    publish(
        events.StockTransferred(
            tenant_id=p.tenant.pk,
            document_type="inventory.transfer",
            document_id=transfer.pk,
            reference=transfer.number,
            date=on.isoformat(),
            warehouse_id=transfer.to_warehouse_id if stage == "received" else transfer.from_warehouse_id,
            value=_amt(value),
            from_warehouse_id=transfer.from_warehouse_id,
            to_warehouse_id=transfer.to_warehouse_id,
            stage=stage,
        )
    )


@transaction.atomic
def cancel_transfer(p: Principal, transfer_id: int) -> StockTransfer:
    p.require("inv.transfer.approve")
    transfer = StockTransfer.objects.select_for_update().get(pk=transfer_id)
    if transfer.status not in (DocumentStatus.PENDING, DocumentStatus.APPROVED):
        raise ValidationError(_("Only a transfer not yet shipped can be cancelled."))
    transfer.status = DocumentStatus.CANCELLED
    transfer.save(update_fields=["status"])
    return transfer


# --- inventory counts ------------------------------------------------------------------------------


def _subtree(location: Location) -> list[int]:
    ids, frontier = [location.pk], [location.pk]
    while frontier:
        frontier = list(Location.objects.filter(parent_id__in=frontier).values_list("pk", flat=True))
        ids.extend(frontier)
    return ids


@transaction.atomic
def create_count(
    p: Principal, *, warehouse_id: int, zone_id: int | None = None, date: Date | None = None
) -> InventoryCount:
    """A count of a warehouse (or one zone), listing what the ledger expects at each location and lot
    (and, for serial-tracked goods, which serial numbers)."""
    p.require("inv.count.create")
    wh = _warehouse(warehouse_id)
    zone = _location_in(wh, zone_id, "zone_id")
    on = date or timezone.localdate()
    count = InventoryCount(warehouse=wh, zone=zone, date=on, created_by=p.user)
    count.number = _number("inventory.count", on)
    count.save()
    quants = StockQuant.objects.filter(warehouse=wh).exclude(on_hand=0).select_related("location")
    if zone is not None:
        quants = quants.filter(location_id__in=_subtree(zone))
    rows = list(quants)
    serial_products = set(
        Product.objects.filter(pk__in={q.product_id for q in rows}, tracking=Tracking.SERIAL).values_list(
            "pk", flat=True
        )
    )
    expected = _serials_by_place(serial_products, {q.location_id for q in rows if q.product_id in serial_products})
    InventoryCountLine.objects.bulk_create(
        [
            InventoryCountLine(
                tenant_id=p.tenant.pk,
                count=count,
                product_id=q.product_id,
                variant_id=q.variant_id,
                location_id=q.location_id,
                lot_id=q.lot_id,
                expected=q.on_hand,
                expected_serials=expected.get((q.product_id, q.variant_id or 0, q.location_id), []),
            )
            for q in rows
        ]
    )
    audit.record_created(count, _actor(p))
    return count


def _last_move() -> dict[str, Any]:
    """Annotations of a serial unit from its latest move: the variant it moved as, the usage of the
    location it went to, and the document."""
    last = StockMove.objects.filter(serial=OuterRef("pk")).order_by("-id")
    return {
        "last_variant": Subquery(last.values("variant_id")[:1]),
        "last_usage": Subquery(last.values("to_location__usage")[:1]),
        "last_reference": Subquery(last.values("reference")[:1]),
    }


def _serials_by_place(product_ids: Any, location_ids: Any) -> dict[tuple[int, int, int], list[str]]:
    """The serial numbers at each (product, variant key, location), sorted."""
    if not product_ids or not location_ids:
        return {}
    rows = (
        SerialNumber.objects.filter(product_id__in=list(product_ids), location_id__in=list(location_ids))
        .annotate(**_last_move())
        .order_by("code")
        .values_list("product_id", "last_variant", "location_id", "code")  # type: ignore[misc]
    )
    out: dict[tuple[int, int, int], list[str]] = {}
    for product_id, variant_id, location_id, code in rows:
        out.setdefault((product_id, variant_id or 0, location_id), []).append(code)
    return out


def _open_count(count_id: int) -> InventoryCount:
    count = InventoryCount.objects.select_for_update().select_related("warehouse").get(pk=count_id)
    if count.status != DocumentStatus.DRAFT:
        raise ValidationError(_("This count is %(s)s.") % {"s": count.get_status_display()})
    if not count.warehouse.is_active:
        raise ValidationError(_("Warehouse %(w)s is closed.") % {"w": count.warehouse.code})
    return count  # type: ignore[no-any-return]


@transaction.atomic
def record_counts(p: Principal, count_id: int, entries: Rows) -> InventoryCount:
    """Enter counted quantities: ``{"line_id", "counted"}`` for listed lines, or ``{"product_id",
    "location_id", "lot_code", "counted"}`` for goods found where the ledger expects none. Serial-tracked
    goods give the ``serials`` counted there instead (their number is the counted quantity; ``counted``
    0 with no serials when nothing was found); each must be new, in this warehouse or lost earlier."""
    p.require("inv.count.perform")
    count = _open_count(count_id)
    for i, row in enumerate(entries):
        raw = row.get("counted")
        counted = None if raw in (None, "") else _qty(raw, f"entries[{i}].counted", positive=False)
        if counted is not None and counted < 0:
            raise ValidationError({f"entries[{i}].counted": _("A count cannot be negative.")})
        if row.get("line_id"):
            line = InventoryCountLine.objects.filter(pk=_int(row["line_id"]), count=count).first()
            if line is None:
                raise ValidationError({f"entries[{i}].line_id": _("Unknown line.")})
        else:
            line = _count_line_for(count, row, i)
        field = f"entries[{i}].serials"
        codes = _serial_codes(row, field)
        if codes or (line.product.tracking == Tracking.SERIAL and counted):
            codes, _n = _serial_line(line.product, row, counted, field, set())
        if line.product.tracking == Tracking.SERIAL and codes:
            _count_serials(count, line, codes, field)
            continue
        if counted is None:
            raise ValidationError({f"entries[{i}].counted": _("Enter a number.")})
        line.counted = counted
        line.counted_serials = []
        line.save(update_fields=["counted", "counted_serials"])
    return count


def _count_serials(count: InventoryCount, line: InventoryCountLine, codes: Sequence[str], field: str) -> None:
    """Record the serial units counted on ``line`` (replacing what was counted there)."""
    _check_counted_serials(count, line, codes, field)
    line.counted_serials = list(codes)
    line.counted = Decimal(len(codes))
    line.save(update_fields=["counted", "counted_serials"])


def _check_counted_serials(
    count: InventoryCount, line: InventoryCountLine, codes: Sequence[str], field: str, *, lock: bool = False
) -> list[tuple[SerialNumber, Location]]:
    """Serial units counted on ``line``: none counted on another line of the count, each unknown (it is
    created at approval), lost earlier (found again) or in stock in the count's warehouse. A unit in
    another warehouse or in transit, or one that left the stock (issued, returned to the vendor), is
    refused. Returns the units in stock in the warehouse with where each is (locked when ``lock``)."""
    if not codes:
        return []
    wanted = set(codes)
    others = InventoryCountLine.objects.filter(count=count, product_id=line.product_id).exclude(pk=line.pk)
    for at_code, counted in others.values_list("location__code", "counted_serials"):
        twice = wanted.intersection(counted or [])
        if twice:
            raise ValidationError(
                {field: _("Serial %(s)s is already counted at %(loc)s.") % {"s": min(twice), "loc": at_code}}
            )
    known = SerialNumber.objects.filter(product_id=line.product_id, code__in=list(codes)).annotate(**_last_move())
    if lock:
        known = known.select_for_update()
    in_stock = []
    for unit in known.order_by("pk"):
        if unit.location_id is not None:
            in_stock.append(unit.code)
        elif unit.last_usage not in (None, LocationUsage.LOSS):  # type: ignore[attr-defined]
            raise ValidationError(
                {
                    field: _("Serial %(s)s of %(p)s left the stock with %(ref)s: receive it back before counting it.")
                    % {"s": unit.code, "p": line.product.sku, "ref": unit.last_reference}  # type: ignore[attr-defined]
                }
            )
    if not in_stock:
        return []
    return _serials_in_stock(line.product, in_stock, field, warehouse=count.warehouse, lock=lock)


def _int(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(_("Enter a whole number.")) from exc


def _count_line_for(count: InventoryCount, row: Mapping[str, Any], i: int) -> InventoryCountLine:
    product, variant = _product_for_line(row, i, "entries")
    loc = _location_in(count.warehouse, row.get("location_id"), f"entries[{i}].location_id") or ledger.root_location(
        count.warehouse
    )
    if count.zone_id and loc.pk not in _subtree(count.zone):  # type: ignore[arg-type]
        raise ValidationError({f"entries[{i}].location_id": _("This location is outside the counted zone.")})
    lot_code = str(row.get("lot_code") or "").strip()
    if product.tracking == Tracking.LOT and not lot_code:
        raise ValidationError({f"entries[{i}].lot_code": _("Enter the lot number.")})
    lot = _lot_for(product, lot_code, None, count.date)
    line = InventoryCountLine.objects.filter(
        count=count, product=product, variant=variant, location=loc, lot=lot
    ).first()
    if line is None:
        line = InventoryCountLine.objects.create(  # type: ignore[misc]
            count=count, product=product, variant=variant, location=loc, lot=lot, expected=ZERO
        )
    return line  # type: ignore[no-any-return]


def find_by_code(code: str) -> tuple[Product, ProductVariant | None] | None:
    """The product (and variant) with this barcode or SKU, as a scanner reads it."""
    code = "".join((code or "").split())[:40]
    if not code:
        return None
    variant = ProductVariant.objects.filter(Q(barcode=code) | Q(sku=code.upper())).select_related("product").first()
    if variant is not None:
        return variant.product, variant
    product = Product.objects.filter(Q(barcode=code) | Q(sku=code.upper())).first()
    return (product, None) if product is not None else None


@transaction.atomic
def scan_count(
    p: Principal,
    count_id: int,
    *,
    code: str,
    location_id: int | None = None,
    quantity: Any = 1,
    lot_code: str = "",
    serial: str = "",
) -> InventoryCountLine:
    """A scanner read: add ``quantity`` (default 1) to the counted quantity of the scanned product.

    Serial-tracked goods count one unit per read: the product's code with its ``serial``, or the serial
    number alone as ``code``. Without a location the unit is counted where the ledger has it (when that
    is in the count), else at the warehouse."""
    p.require("inv.count.perform")
    count = _open_count(count_id)
    serial = "".join((serial or "").split())[:80]
    found = find_by_code(code)
    variant_id: int | None = None
    if found is None:
        units = list(
            SerialNumber.objects.filter(code="".join((code or "").split())[:80])
            .select_related("product")
            .annotate(**_last_move())[:2]
        )
        if len(units) != 1:
            raise ValidationError({"code": _("No product has the code %(c)s.") % {"c": code[:40]}})
        product, serial, variant_id = units[0].product, units[0].code, units[0].last_variant  # type: ignore[attr-defined]
    else:
        product, variant = found
        variant_id = variant.pk if variant else None
    qty = _qty(quantity)
    if product.tracking != Tracking.SERIAL:
        if serial:
            raise ValidationError({"serial": _("%(p)s is not tracked by serial number.") % {"p": product.sku}})
        scanned = _count_line_for(
            count,
            {"product_id": product.pk, "variant_id": variant_id, "location_id": location_id, "lot_code": lot_code},
            0,
        )
        scanned.counted = (scanned.counted or ZERO) + qty
        scanned.save(update_fields=["counted"])
        return scanned
    if not serial:
        raise ValidationError({"serial": _("Scan the serial number of %(p)s.") % {"p": product.sku}})
    if qty != 1:
        raise ValidationError({"quantity": _("Each serial number is one unit.")})
    # without a location, the line where the ledger has the unit (a scanned variant must match)
    expecting = (
        next(
            (
                ln
                for ln in InventoryCountLine.objects.filter(count=count, product=product)
                if serial in (ln.expected_serials or []) and (found is None or ln.variant_id == variant_id)
            ),
            None,
        )
        if location_id in (None, "")
        else None
    )
    line = expecting or _count_line_for(
        count, {"product_id": product.pk, "variant_id": variant_id, "location_id": location_id}, 0
    )
    if serial in (line.counted_serials or []):
        raise ValidationError(
            {"serial": _("Serial %(s)s is already counted at %(loc)s.") % {"s": serial, "loc": line.location.code}}
        )
    _count_serials(count, line, [*(line.counted_serials or []), serial], "serial")
    return line


@transaction.atomic
def submit_count(p: Principal, count_id: int) -> InventoryCount:
    p.require("inv.count.perform")
    count = _open_count(count_id)
    if count.lines.filter(counted__isnull=True).exists():
        raise ValidationError(_("Enter a counted quantity on every line (0 when nothing was found)."))
    count.status = DocumentStatus.PENDING
    count.save(update_fields=["status"])
    from novasaas.platform.notifications import notify

    notify(
        p.tenant,
        "inv.count.approve",
        "approvals",
        _("Count %(n)s waits for approval") % {"n": count.number},
        url=f"/inventory/counts/{count.pk}/",
    )
    return count


@transaction.atomic
def approve_count(p: Principal, count_id: int) -> InventoryCount:
    """Post the variances: each line's stock becomes what was counted (the difference is valued at the
    warehouse's average cost and goes to/from the inventory-loss location). Serial-tracked goods move
    unit by unit: missing serials to inventory loss, found ones from it (unknown serials are created),
    and a unit counted at another location of the warehouse than the ledger's moves there."""
    p.require("inv.count.approve")
    count = InventoryCount.objects.select_for_update().select_related("warehouse").get(pk=count_id)
    if count.status != DocumentStatus.PENDING:
        raise ValidationError(_("Only a submitted count can be approved."))
    if not count.warehouse.is_active:
        raise ValidationError(_("Warehouse %(w)s is closed.") % {"w": count.warehouse.code})
    lines = sorted(
        count.lines.select_related("product", "variant", "location", "lot"),
        key=lambda ln: (ln.product_id, ln.variant_id or 0, ln.id),
    )
    stocks = ledger.lock_stocks((ln.product, ln.variant, count.warehouse) for ln in lines)
    ctx = MoveContext("inventory.count", count.pk, count.number, count.date, p.user)
    loss = ledger.virtual_location(LocationUsage.LOSS)
    counted_anywhere = {(ln.product_id, code) for ln in lines for code in (ln.counted_serials or [])}
    gain_total = loss_total = ZERO
    for ln in lines:
        if ln.product.tracking == Tracking.SERIAL:
            gained, lost = _post_count_serials(ctx, count, ln, loss, stocks, counted_anywhere)
            gain_total += gained
            loss_total += lost
            if gained or lost:
                InventoryCountLine.objects.filter(pk=ln.pk).update(value=gained - lost)
            continue
        quant = StockQuant.objects.filter(
            product=ln.product, variant_key=ln.variant_id or 0, location=ln.location, lot_key=ln.lot_id or 0
        ).first()
        current = quant.on_hand if quant else ZERO
        diff = (ln.counted or ZERO) - current
        if ln.expected != current:
            InventoryCountLine.objects.filter(pk=ln.pk).update(expected=current)
        if diff == 0:
            continue
        if diff > 0:
            stock = stocks[(ln.product_id, ln.variant_id or 0, count.warehouse_id)]
            move = ledger.post_move(
                ctx,
                product=ln.product,
                variant=ln.variant,
                from_location=loss,
                to_location=ln.location,
                quantity=diff,
                lot=ln.lot,
                stocks=stocks,
                unit_cost=stock.average_cost or ln.product.cost_price,
            )
            gain_total += move.value
            value = move.value
        else:
            move = ledger.post_move(
                ctx,
                product=ln.product,
                variant=ln.variant,
                from_location=ln.location,
                to_location=loss,
                quantity=-diff,
                lot=ln.lot,
                stocks=stocks,
            )
            loss_total += move.value
            value = -move.value
        InventoryCountLine.objects.filter(pk=ln.pk).update(value=value)
    _revalue_backdated(p, ctx, stocks.values())
    count.status = DocumentStatus.DONE
    count.approved_by = p.user
    count.save(update_fields=["status", "approved_by"])
    audit.record(audit.AuditAction.UPDATE, actor=_actor(p), obj=count, message="approved")
    publish(
        events.CountVariancePosted(
            tenant_id=p.tenant.pk,
            document_type="inventory.count",
            document_id=count.pk,
            reference=count.number,
            date=count.date.isoformat(),
            warehouse_id=count.warehouse_id,
            value=_amt(gain_total - loss_total),
            gain_value=_amt(gain_total),
            loss_value=_amt(loss_total),
        )
    )
    check_reorder(p.tenant, stocks.values())
    return count


def _post_count_serials(
    ctx: MoveContext,
    count: InventoryCount,
    ln: InventoryCountLine,
    loss: Location,
    stocks: Any,
    counted_anywhere: set[tuple[int, str]],
) -> tuple[Decimal, Decimal]:
    """The moves of one serial-tracked count line, against the units at its location now (locked):
    missing ones go to inventory loss unless counted elsewhere in this count (that line moves them),
    found ones in stock at another location of the warehouse move here, the others come in from
    inventory loss at the average cost (unknown serials are created). Returns (gain, loss) values."""
    counted = list(ln.counted_serials or [])
    if ln.counted is not None and Decimal(len(counted)) != ln.counted:
        raise ValidationError(
            _("%(p)s at %(loc)s: scan or type the serial numbers counted.")
            % {"p": ln.product.sku, "loc": ln.location.code}
        )
    here = [
        unit
        for unit in SerialNumber.objects.select_for_update()
        .filter(product=ln.product, location=ln.location)
        .annotate(**_last_move())
        .order_by("pk")
        if (unit.last_variant or 0) == (ln.variant_id or 0)  # type: ignore[attr-defined]
    ]
    current = sorted(unit.code for unit in here)
    InventoryCountLine.objects.filter(pk=ln.pk).update(expected=Decimal(len(current)), expected_serials=current)
    missing = [
        (unit, ln.location)
        for unit in here
        if unit.code not in counted and (ln.product_id, unit.code) not in counted_anywhere
    ]
    lost = _serials_lost(ctx, ln.product, ln.variant, missing, loss, stocks)
    found = [code for code in counted if code not in current]
    elsewhere = _check_counted_serials(count, ln, found, "serials", lock=True)
    for unit, at in elsewhere:
        ledger.post_move(
            ctx,
            product=ln.product,
            variant=ln.variant,
            from_location=at,
            to_location=ln.location,
            quantity=Decimal(1),
            serial=unit,
            stocks=stocks,
        )
    moved = {unit.code for unit, _at in elsewhere}
    stock = stocks[(ln.product_id, ln.variant_id or 0, count.warehouse_id)]
    gained = _serials_found(
        ctx,
        ln.product,
        ln.variant,
        [code for code in found if code not in moved],
        ln.location,
        loss,
        stock.average_cost or ln.product.cost_price,
        stocks,
    )
    return gained, lost


@transaction.atomic
def cancel_count(p: Principal, count_id: int) -> InventoryCount:
    """Cancel a draft count (its creator's right) or one awaiting approval (the approver's decision,
    as for movements, adjustments and transfers; docs/inventory.md "Cancelling")."""
    p.require("inv.count.create")
    count = InventoryCount.objects.select_for_update().get(pk=count_id)
    if count.status == DocumentStatus.PENDING:
        p.require("inv.count.approve")
    if count.status not in (DocumentStatus.DRAFT, DocumentStatus.PENDING):
        raise ValidationError(_("This count is %(s)s.") % {"s": count.get_status_display()})
    count.status = DocumentStatus.CANCELLED
    count.save(update_fields=["status"])
    return count


# --- valuation: backdated moves and landed costs -------------------------------------------------


def _revalue_backdated(p: Principal, ctx: MoveContext, stocks: Any) -> None:
    """After a document dated before later moves of the same product × warehouse, recompute moving
    average from that date forward (synchronously, on the locked rows) and publish the change."""
    for stock in stocks:
        if not ledger.is_backdated(stock, ctx.date, ctx.document_type, ctx.document_id):
            continue
        product = Product.objects.get(pk=stock.product_id)
        delta = ledger.revalue(ctx, stock, product)
        if delta != 0:
            publish(
                events.StockRevalued(
                    tenant_id=p.tenant.pk,
                    document_type=ctx.document_type,
                    document_id=ctx.document_id,
                    reference=ctx.reference,
                    date=ctx.date.isoformat(),
                    warehouse_id=stock.warehouse_id,
                    value=_amt(delta),
                    product_id=stock.product_id,
                    cogs_value=_amt(-delta),
                )
            )


@transaction.atomic
def add_landed_cost(
    p: Principal,
    receipt_id: int,
    *,
    amount: Any,
    description: str,
    split: str = "value",
    partner_id: int | None = None,
    date: Date | None = None,
) -> Any:
    """Add freight, duty or insurance to a posted receipt, spread over its lines by value or quantity.
    The part for goods of the receipt still on hand raises the stock value; the part for goods already
    issued is cost of goods sold (``cogs_value``). Publishes ``LandedCostAdded``."""
    from novasaas.inventory.models import LandedCost, ValueEntryKind

    p.require("inv.adjustment.create")
    receipt = (
        StockMovement.objects.select_for_update()
        .select_related("warehouse")
        .filter(kind=MovementKind.RECEIPT)
        .get(pk=receipt_id)
    )
    if receipt.status != DocumentStatus.DONE:
        raise ValidationError(_("Landed costs are added to a posted receipt."))
    total = _money(amount)
    if total <= 0:
        raise ValidationError({"amount": _("The amount must be greater than zero.")})
    if split not in ("value", "quantity"):
        raise ValidationError({"split": _("Split by value or by quantity.")})
    description = " ".join((description or "").split())[:300]
    if not description:
        raise ValidationError({"description": _("Describe the cost (freight, duty, insurance…).")})
    if partner_id is not None:
        from novasaas.parties.selectors import resolve_party_id

        if resolve_party_id(p.tenant, partner_id) is None:
            raise ValidationError({"partner_id": _("Unknown party.")})
    lines = sorted(receipt.lines.select_related("product", "variant"), key=lambda ln: (ln.product_id, ln.id))
    weights = [ln.value if split == "value" else ln.stock_quantity for ln in lines]
    weight_sum = sum(weights, ZERO)
    if weight_sum <= 0:
        raise ValidationError({"split": _("The receipt has nothing to spread the cost over; split by quantity.")})
    on = date or timezone.localdate()
    lc = LandedCost(  # type: ignore[misc]
        receipt=receipt,
        amount=total,
        split=split,
        description=description,
        partner_id=partner_id,
        date=on,
        created_by=p.user,
        number=_number("inventory.landedcost", on),
    )
    lc.save()
    stocks = ledger.lock_stocks((ln.product, ln.variant, receipt.warehouse) for ln in lines)
    ctx = MoveContext("inventory.landed_cost", lc.pk, lc.number, on, p.user)
    left, cogs_total = total, ZERO
    for i, (ln, weight) in enumerate(zip(lines, weights, strict=True)):
        share = left if i == len(lines) - 1 else round_money(total * weight / weight_sum, _currency())
        left -= share
        stock = stocks[(ln.product_id, ln.variant_id or 0, receipt.warehouse_id)]
        if ln.product.valuation_method == ValuationMethod.FIFO:
            in_stock = _landed_cost_on_layers(receipt, ln, share)
        else:
            on_hand = max(stock.on_hand, ZERO)
            in_stock = (
                share if on_hand >= ln.stock_quantity else round_money(share * on_hand / ln.stock_quantity, _currency())
            )
        cogs = share - in_stock
        ledger.add_value(ctx, stock, in_stock, cogs, ValueEntryKind.LANDED_COST)
        cogs_total += cogs
    lc.cogs_value = cogs_total
    lc.save(update_fields=["cogs_value"])
    audit.record_created(lc, _actor(p))
    publish(
        events.LandedCostAdded(
            tenant_id=p.tenant.pk,
            document_type="inventory.landed_cost",
            document_id=lc.pk,
            reference=lc.number,
            date=on.isoformat(),
            warehouse_id=receipt.warehouse_id,
            value=_amt(total),
            receipt_id=receipt.pk,
            partner_id=partner_id,
            cogs_value=_amt(cogs_total),
        )
    )
    return lc


def _landed_cost_on_layers(receipt: StockMovement, ln: StockMovementLine, share: Decimal) -> Decimal:
    """FIFO: the part of ``share`` for this receipt's goods still in its cost layers, added to those
    layers in proportion to what remains of them; returns that part (the rest is COGS)."""
    from novasaas.inventory.models import CostLayer

    move_ids = StockMove.objects.filter(
        document_type="inventory.receipt", document_id=receipt.pk, product_id=ln.product_id
    ).values_list("pk", flat=True)
    layers = list(CostLayer.objects.filter(move_id__in=list(move_ids), remaining_quantity__gt=0).order_by("date", "id"))
    remaining = sum((la.remaining_quantity for la in layers), ZERO)
    if remaining <= 0:
        return ZERO
    in_stock = (
        share if remaining >= ln.stock_quantity else round_money(share * remaining / ln.stock_quantity, _currency())
    )
    left = in_stock
    for i, la in enumerate(layers):
        part = left if i == len(layers) - 1 else round_money(in_stock * la.remaining_quantity / remaining, _currency())
        CostLayer.objects.filter(pk=la.pk).update(remaining_value=la.remaining_value + part)
        left -= part
    return in_stock


@transaction.atomic
def set_reorder_rule(
    p: Principal, *, product_id: int, warehouse_id: int, reorder_level: Any, reorder_quantity: Any = 0
) -> Any:
    """Set (or with both zero, remove) the reorder level and quantity of a product in a warehouse."""
    from novasaas.inventory.models import ReorderRule

    p.require("inv.reorder.configure")
    product = _get(Product, product_id, "product_id")
    warehouse = _get(Warehouse, warehouse_id, "warehouse_id")
    if product is None or warehouse is None:
        raise ValidationError(_("Choose the product and the warehouse."))
    level = _qty(reorder_level, "reorder_level", positive=False)
    quantity = _qty(reorder_quantity, "reorder_quantity", positive=False)
    if level < 0 or quantity < 0:
        raise ValidationError(_("Cannot be negative."))
    rule = ReorderRule.objects.filter(product=product, warehouse=warehouse).first()
    if level == 0 and quantity == 0:
        if rule is not None:
            audit.record_deleted(rule, _actor(p))
            rule.delete()
            check_reorder(p.tenant, list(Stock.objects.filter(product=product, warehouse=warehouse)))
        return None
    if rule is None:
        rule = ReorderRule(product=product, warehouse=warehouse)
    rule.reorder_level, rule.reorder_quantity = level, quantity
    _save_unique(rule, "warehouse_id", _("A rule for this warehouse already exists."))
    audit.record_created(rule, _actor(p))
    check_reorder(p.tenant, list(Stock.objects.filter(product=product, warehouse=warehouse)))
    return rule


# --- reorder alerts --------------------------------------------------------------------------------


def check_reorder(tenant: Any, stocks: Any) -> None:
    """Publish ``StockBelowReorderLevel`` and notify once each time available stock of a product in a
    warehouse (all its variants together) crosses below the reorder level of that product × warehouse;
    re-arm when it is back at or above it. An alert still unread from an earlier crossing is marked read
    when a new one is sent or the stock is back, so the dashboard lists each product × warehouse once."""
    from novasaas.inventory.models import ReorderRule
    from novasaas.platform.notifications import notify, withdraw

    pairs = {(stock.product_id, stock.warehouse_id) for stock in stocks}
    if not pairs:
        return
    groups: dict[tuple[int, int], list[Stock]] = {}
    for row in Stock.objects.filter(
        product_id__in={p for p, _w in pairs}, warehouse_id__in={w for _p, w in pairs}
    ).select_related("product", "warehouse"):
        if (row.product_id, row.warehouse_id) in pairs:
            groups.setdefault((row.product_id, row.warehouse_id), []).append(row)
    rules = {
        (r.product_id, r.warehouse_id): r.reorder_level
        for r in ReorderRule.objects.filter(product_id__in={p for p, _w in pairs})
    }
    for (product_id, warehouse_id), rows in sorted(groups.items()):
        product, warehouse = rows[0].product, rows[0].warehouse
        level = rules.get((product_id, warehouse_id), product.reorder_level)
        available = sum((row.available for row in rows), Decimal(0))
        alerted = any(row.reorder_alerted for row in rows)
        below = level > 0 and available < level
        url = f"/inventory/stock/{product_id}/?warehouse={warehouse_id}"
        ids = [row.pk for row in rows]
        if below and not alerted:
            Stock.objects.filter(pk__in=ids).update(reorder_alerted=True)
            publish(
                events.StockBelowReorderLevel(
                    tenant_id=tenant.pk,
                    product_id=product_id,
                    warehouse_id=warehouse_id,
                    available=str(available),
                    reorder_level=str(level),
                )
            )
            withdraw(tenant, "inventory.low_stock", url)
            notify(
                tenant,
                "inv.reorder.configure",
                "inventory.low_stock",
                _("Low stock: %(p)s in %(w)s") % {"p": product.name, "w": warehouse.code},
                body=_("Available %(a)s, reorder level %(l)s.")
                % {"a": ledger._qty(available, product), "l": ledger._qty(level, product)},
                url=url,
            )
        elif not below and alerted:
            Stock.objects.filter(pk__in=ids).update(reorder_alerted=False)
            withdraw(tenant, "inventory.low_stock", url)
