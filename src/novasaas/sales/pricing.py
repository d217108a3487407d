"""Price lists: create and change them (``crm.customer.segment``, Sales Manager) and the price a
document line takes from its customer's group's list (``list_price``).

Rule: a product line whose unit price is left empty takes, from the default price list of the
customer's group — when that list is active and the document date lies within ``valid_from`` ..
``valid_to`` (either may be open) — the price of the largest quantity break (``min_quantity``) not above
the line's quantity; with no such item the product's sale price applies. A typed price overrides it,
unless the list forbids overriding (``allow_override`` false) and the user lacks ``crm.order.approve``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform import audit
from novasaas.platform.money import quantize
from novasaas.sales import selectors
from novasaas.sales.models import Customer, PriceList, PriceListItem

MAX_ITEMS = 2000


def list_price_lists(tenant: Any, include_inactive: bool = True) -> QuerySet[PriceList]:
    qs = PriceList.objects.filter(tenant=tenant)
    return qs if include_inactive else qs.filter(is_active=True)


def get_price_list(tenant: Any, price_list_id: int) -> PriceList:
    return PriceList.objects.filter(tenant=tenant).prefetch_related("items").get(pk=price_list_id)


def price_list_for(customer: Customer, on: dt.date) -> PriceList | None:
    """The group's default price list when it applies on ``on``, else None."""
    group = customer.group
    if group is None or group.price_list_id is None:
        return None
    pl = group.price_list
    if pl is None or not pl.is_active:
        return None
    if (pl.valid_from and on < pl.valid_from) or (pl.valid_to and on > pl.valid_to):
        return None
    return pl


def list_price(price_list: PriceList | None, product_id: int, quantity: Decimal) -> Decimal | None:
    """The list's price of the largest quantity break ≤ ``quantity``, or None."""
    if price_list is None:
        return None
    item = (
        PriceListItem.objects.filter(price_list=price_list, product_id=product_id, min_quantity__lte=quantity)
        .order_by("-min_quantity")
        .first()
    )
    return item.unit_price if item else None


def _text(value: Any, field: str, length: int, *, required: bool = True) -> str:
    text = str(value or "").strip()
    if required and not text:
        raise ValidationError({field: [_("This field is required.")]})
    if len(text) > length:
        raise ValidationError({field: [_("At most %(n)d characters.") % {"n": length}]})
    return text


def _day(value: Any, field: str) -> dt.date | None:
    if value in (None, ""):
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        raise ValidationError({field: [_("Enter a valid date.")]}) from None


def _items(p: Principal, rows: Sequence[Mapping[str, Any]]) -> list[PriceListItem]:
    from novasaas.sales.actions import _dec, _money

    if len(rows) > MAX_ITEMS:
        raise ValidationError({"items": [_("At most %(n)d lines.") % {"n": MAX_ITEMS}]})
    seen: set[tuple[int, Decimal]] = set()
    items = []
    for i, row in enumerate(rows):
        key = f"items[{i}]"
        if not p.tenant.has_module("INV"):
            raise ValidationError({f"{key}.product_id": [_("Products need the Inventory module.")]})
        product = selectors.product_for_sale(p.tenant, row.get("product_id"))
        if product is None:
            raise ValidationError({f"{key}.product_id": [_("Choose an active product.")]})
        qty = _dec(row.get("min_quantity") if row.get("min_quantity") not in (None, "") else 1, f"{key}.min_quantity")
        assert qty is not None
        if qty <= 0 or qty != quantize(qty, 4):
            raise ValidationError(
                {f"{key}.min_quantity": [_("Enter a quantity greater than zero (at most 4 decimals).")]}
            )
        if (product.pk, qty) in seen:
            raise ValidationError({f"{key}.min_quantity": [_("This product already has a price from this quantity.")]})
        seen.add((product.pk, qty))
        price = _money(row.get("unit_price"), f"{key}.unit_price")
        items.append(PriceListItem(product_id=product.pk, min_quantity=qty, unit_price=price))  # type: ignore[misc]
    return items


@transaction.atomic
def save_price_list(
    p: Principal,
    price_list_id: int | None = None,
    *,
    items: Sequence[Mapping[str, Any]] | None = None,
    **fields: Any,
) -> PriceList:
    """Create or change a price list; ``items`` (when given) replace its prices. Refused with nothing
    written: empty code/name, a code already used, ``valid_to`` before ``valid_from``, an unknown
    product, a quantity ≤ 0, a price below 0 or not whole đồng, a product twice at one quantity."""
    p.require("crm.customer.segment")
    unknown = set(fields) - {"code", "name", "valid_from", "valid_to", "allow_override", "is_active"}
    if unknown:
        raise ValidationError({sorted(unknown)[0]: [_("Unknown field.")]})
    creating = price_list_id is None
    pl = PriceList() if price_list_id is None else PriceList.objects.select_for_update().get(pk=price_list_id)
    before = None if creating else audit.snapshot(pl)
    if "code" in fields or creating:
        code = _text(fields.get("code"), "code", 20).upper()
        if PriceList.objects.filter(code=code).exclude(pk=pl.pk).exists():
            raise ValidationError({"code": [_("This code is already used.")]})
        pl.code = code
    if "name" in fields or creating:
        pl.name = _text(fields.get("name"), "name", 100)
    if "valid_from" in fields:
        pl.valid_from = _day(fields["valid_from"], "valid_from")
    if "valid_to" in fields:
        pl.valid_to = _day(fields["valid_to"], "valid_to")
    if pl.valid_from and pl.valid_to and pl.valid_to < pl.valid_from:
        raise ValidationError({"valid_to": [_("The end date is before the start date.")]})
    for flag in ("allow_override", "is_active"):
        if fields.get(flag) is not None:
            setattr(pl, flag, bool(fields[flag]))
    built = _items(p, items) if items is not None else None
    pl.save()
    if built is not None:
        PriceListItem.objects.filter(price_list=pl).delete()
        for item in built:
            item.price_list, item.tenant = pl, p.tenant
        PriceListItem.objects.bulk_create(built)
    if before is None:
        audit.record_created(pl, p.user)
    else:
        audit.record_updated(pl, p.user, before)
    return pl
