"""Input checks shared by the purchasing actions (one message per kind of mistake)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from novasaas.identity.access import Principal
from novasaas.platform.money import decimals_error, quantize, to_decimal
from novasaas.platform.tenancy import current_tenant

ZERO = Decimal(0)
HUNDRED = Decimal(100)
MAX_LINES = 500


def dec(value: Any, field: str) -> Decimal:
    if value is None or value == "":
        raise ValidationError({field: [_("This field is required.")]})
    try:
        number = to_decimal(value)
    except (TypeError, ValueError, ArithmeticError) as exc:
        raise ValidationError({field: [_("Enter a number.")]}) from exc
    if not number.is_finite() or abs(number) >= Decimal("1e14"):
        raise ValidationError({field: [_("Enter a number.")]})
    return number


def money(value: Any, field: str) -> Decimal:
    amount = dec(value, field)
    if amount < 0:
        raise ValidationError({field: [_("Enter an amount of zero or more.")]})
    error = decimals_error(amount, "VND")
    if error:
        raise ValidationError({field: [error]})
    return amount


def qty(value: Any, field: str, *, allow_zero: bool = False) -> Decimal:
    number = dec(value, field)
    if number < 0 or (number == 0 and not allow_zero) or number != quantize(number, 4):
        raise ValidationError({field: [_("Enter a quantity greater than zero (at most 4 decimals).")]})
    return number


def percent(value: Any, field: str) -> Decimal:
    pct = dec(value if value not in (None, "") else "0", field)
    if pct < 0 or pct > HUNDRED or pct != quantize(pct, 2):
        raise ValidationError({field: [_("Enter a percentage from 0 to 100 with at most 2 decimals.")]})
    return pct


def days(value: Any, field: str) -> int:
    number = dec(value if value not in (None, "") else 0, field)
    if number != int(number) or number < 0 or number > 3650:
        raise ValidationError({field: [_("Enter a number of days from 0 to 3650.")]})
    return int(number)


def date(value: Any, field: str = "date", *, default_today: bool = True) -> dt.date | None:
    if value in (None, ""):
        return timezone.localdate() if default_today else None
    if isinstance(value, dt.date):
        return value
    try:
        parsed = dt.date.fromisoformat(str(value)[:10])
    except ValueError as exc:
        raise ValidationError({field: [_("Enter a valid date.")]}) from exc
    if not dt.date(2000, 1, 1) <= parsed <= dt.date(2100, 12, 31):
        raise ValidationError({field: [_("Enter a valid date.")]})
    return parsed


def text(value: Any, field: str, max_length: int, *, required: bool = False) -> str:
    out = " ".join(str(value or "").split())[:max_length]
    if required and not out:
        raise ValidationError({field: [_("This field is required.")]})
    return out


def delegate(user: Any, permission: str) -> Principal:
    """A principal of the same user holding only ``permission``: the purchasing right authorised the
    step; the other module's function is called with the one right it checks, never a general grant."""
    return Principal(
        tenant=current_tenant(), user=user, membership=None, permissions=frozenset({permission}), via="scm"
    )
