"""Catalogue and set-up actions: categories, units, products, variants, warehouses, locations, settings."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from novasaas.billing import limits as billing_limits
from novasaas.identity.access import Principal
from novasaas.inventory import ledger
from novasaas.inventory.actions._common import _actor, _apply, _dec, _get, _qty, _save_unique, _validate
from novasaas.inventory.barcodes import internal_barcode, validate_barcode
from novasaas.inventory.models import (
    Category,
    InventorySettings,
    Location,
    LocationLevel,
    LocationUsage,
    Product,
    ProductKind,
    ProductVariant,
    Stock,
    StockMove,
    StockQuant,
    Tracking,
    Unit,
    UserWarehouse,
    Warehouse,
)
from novasaas.platform import audit
from novasaas.platform.money import quantize
from novasaas.platform.numbering import next_number
from novasaas.platform.tenancy import current_tenant
from novasaas.platform.tenant_cache import TenantCache

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
    billing_limits.check(p.tenant, "products", adding=0 if product_id else 1)
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
    billing_limits.check(p.tenant, "warehouses", adding=0 if warehouse_id else 1)
    warehouse = (
        Warehouse.objects.select_for_update(of=("self",), no_key=True).get(pk=warehouse_id)
        if warehouse_id
        else Warehouse()
    )
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
    ledger.forget_locations()
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
    ledger.forget_locations()
    if before is None:
        audit.record_created(loc, _actor(p))
    else:
        audit.record_updated(loc, _actor(p), before)
    return loc


SETTINGS: TenantCache[InventorySettings] = TenantCache("inventory.settings")


def inventory_settings() -> InventorySettings:
    return ledger._get_or_create(InventorySettings, {}, {})  # type: ignore[no-any-return]


def cached_settings() -> InventorySettings:
    """The settings as documents read them, cached per tenant (``save_settings`` forgets them here at
    once; other processes within 10 s)."""
    return SETTINGS.get(current_tenant().pk, "settings", inventory_settings)


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
    SETTINGS.forget(p.tenant.pk, "settings")
    transaction.on_commit(lambda: SETTINGS.forget(p.tenant.pk, "settings"))
    audit.record_updated(settings, _actor(p), before)
    return settings


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
