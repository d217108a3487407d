"""Helpers shared by every inventory action: numbers, parsing of typed values, saving with clean errors."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date as Date
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
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
        qs = model if isinstance(model, QuerySet) else model.objects
        return qs.get(pk=int(pk))
    except (qs.model.DoesNotExist, ValueError, TypeError, OverflowError) as exc:
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
