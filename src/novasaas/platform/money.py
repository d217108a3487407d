"""Exact money and quantities.

Amounts are ``Decimal`` in Python and 64-bit integers in the database (value × 10^scale), so that
storage and SQL sums are exact on SQLite (whose DECIMAL has float affinity) and PostgreSQL alike.
``Sum()`` over a ``FixedPointField`` comes back through ``from_db_value`` as an exact ``Decimal``.

Rounding is decided here and only here: ``round_money(amount, currency)`` uses the currency's minor
unit (VND 0, USD 2, …) with ROUND_HALF_UP, the rule of Vietnamese invoices. Callers that round must
book the difference as an explicit line; nothing is silently adjusted.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django.core import checks
from django.core.exceptions import ValidationError
from django.db import models

CURRENCY_DECIMALS: dict[str, int] = {
    "VND": 0,
    "JPY": 0,
    "KRW": 0,
    "USD": 2,
    "EUR": 2,
    "CNY": 2,
    "SGD": 2,
    "THB": 2,
    "GBP": 2,
    "AUD": 2,
}

AMOUNT_SCALE = 2  # amounts are stored with 2 decimals: enough for every currency above
QUANTITY_SCALE = 4  # quantities: 0.0001 of the stock unit
PRICE_SCALE = 6  # unit prices, unit costs and exchange rates
MAX_STORED = 9_223_372_036_854_775_807


def currency_decimals(currency: str) -> int:
    return CURRENCY_DECIMALS.get(currency.upper(), 2)


def is_known_currency(currency: str) -> bool:
    """Whether ``currency`` is one of the ISO codes this module knows the minor unit of."""
    return isinstance(currency, str) and currency.upper() in CURRENCY_DECIMALS


def has_valid_decimals(amount: Decimal, currency: str) -> bool:
    """Whether ``amount`` fits the currency's minor unit (``1.5`` JPY does not)."""
    return amount == amount.quantize(Decimal(1).scaleb(-currency_decimals(currency)), rounding=ROUND_HALF_UP)


def decimals_error(amount: Decimal, currency: str = "VND") -> str | None:
    """The one rule for what an amount a user enters may carry: ``None`` when it fits the currency's
    minor unit, else the message to show (VND amounts are whole đồng: 33,333.50 is refused, never
    rounded silently). Every entry point of money — journal lines, shortcuts, payments — asks here."""
    if has_valid_decimals(amount, currency):
        return None
    from django.utils.translation import gettext as _

    digits = currency_decimals(currency)
    if digits == 0:
        return _("%(cur)s amounts are whole numbers, without decimals.") % {"cur": currency.upper()}
    return _("%(cur)s amounts have at most %(n)d decimals.") % {"cur": currency.upper(), "n": digits}


def convert(amount: Decimal | int | str, rate: Decimal | int | str, to_currency: str = "VND") -> Decimal:
    """``amount`` × ``rate`` in ``to_currency``, rounded by its minor unit (ROUND_HALF_UP). The caller
    books any difference this rounding makes as an explicit line."""
    return round_money(to_decimal(amount) * to_decimal(rate), to_currency)


def to_decimal(value: Any) -> Decimal:
    """Convert user input to Decimal, refusing floats (which carry binary noise)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool) or isinstance(value, float):
        raise TypeError("money and quantities are never floats; pass a str, int or Decimal")
    try:
        return Decimal(str(value).strip().replace(" ", ""))
    except (InvalidOperation, ValueError) as exc:
        raise ValueError(f"not a number: {value!r}") from exc


def round_money(amount: Decimal | int | str, currency: str = "VND") -> Decimal:
    exp = Decimal(1).scaleb(-currency_decimals(currency))
    return to_decimal(amount).quantize(exp, rounding=ROUND_HALF_UP)


def quantize(value: Decimal | int | str, scale: int) -> Decimal:
    return to_decimal(value).quantize(Decimal(1).scaleb(-scale), rounding=ROUND_HALF_UP)


def format_money(amount: Decimal | int | None, currency: str = "VND", locale: str = "vi") -> str:
    """Format for display: ``1.234.567 ₫`` in Vietnamese, ``₫1,234,567`` in English."""
    if amount is None:
        return ""
    from babel.numbers import format_currency

    value = round_money(amount, currency)
    fmt_locale = "vi_VN" if locale.startswith("vi") else "en_US"
    digits = currency_decimals(currency)
    pattern = None
    if fmt_locale == "vi_VN":
        pattern = "#,##0" + ("." + "0" * digits if digits else "") + "\u00a0¤"
    return format_currency(value, currency, format=pattern, locale=fmt_locale, currency_digits=True)


def format_amount(amount: Decimal | int | str | None, currency: str = "VND", locale: str | None = None) -> str:
    """An amount without the currency sign, as messages and tables print it: ``1.234.567`` in Vietnamese,
    ``1,234,567`` in English (``locale`` defaults to the active language). Decimals only where the
    currency has them and the amount uses them (``12.000,5`` USD)."""
    if amount is None or amount == "":
        return ""
    from novasaas.platform.numbers import localise

    value = to_decimal(amount)
    digits = currency_decimals(currency) if value != value.to_integral_value() else 0
    return localise(f"{value:,.{digits}f}", locale)


class FixedPointField(models.BigIntegerField):
    """A Decimal stored as a scaled 64-bit integer: exact on every database, SQL sums included."""

    description = "Exact decimal stored as a scaled integer"

    def __init__(self, *args: Any, scale: int = AMOUNT_SCALE, **kwargs: Any) -> None:
        self.scale = scale
        super().__init__(*args, **kwargs)

    def deconstruct(self) -> Any:
        name, path, args, kwargs = super().deconstruct()
        kwargs["scale"] = self.scale
        return name, path, args, kwargs

    def check(self, **kwargs: Any) -> list[checks.CheckMessage]:
        errors = super().check(**kwargs)
        if not 0 <= self.scale <= 9:
            errors.append(checks.Error("scale must be between 0 and 9", obj=self))
        return errors

    def _factor(self) -> int:
        return 10**self.scale

    def from_db_value(self, value: Any, expression: Any, connection: Any) -> Decimal | None:
        if value is None:
            return None
        return Decimal(int(value)).scaleb(-self.scale)

    def to_python(self, value: Any) -> Decimal | None:
        if value is None or value == "":
            return None
        try:
            return to_decimal(value)
        except (TypeError, ValueError) as exc:
            raise ValidationError("Enter a number.", code="invalid") from exc

    def get_prep_value(self, value: Any) -> int | None:
        if value is None:
            return None
        if hasattr(value, "resolve_expression"):
            return value
        dec = to_decimal(value)
        scaled = dec.scaleb(self.scale)
        if scaled != scaled.to_integral_value():
            raise ValidationError(f"{dec} has more than {self.scale} decimal places", code="too_many_decimals")
        as_int = int(scaled)
        if abs(as_int) > MAX_STORED:
            raise ValidationError("number too large", code="too_large")
        return as_int

    def get_db_prep_value(self, value: Any, connection: Any, prepared: bool = False) -> Any:
        if not prepared:
            value = self.get_prep_value(value)
        return value

    def value_to_string(self, obj: Any) -> str:
        value = self.value_from_object(obj)
        return "" if value is None else str(value)

    def formfield(self, **kwargs: Any) -> Any:  # type: ignore[override]
        from novasaas.platform.numbers import NumberField

        defaults: dict[str, Any] = {"form_class": NumberField, "decimal_places": self.scale, "max_digits": 19}
        defaults.update(kwargs)
        return models.Field.formfield(self, **defaults)  # type: ignore[arg-type]


class MoneyField(FixedPointField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("scale", AMOUNT_SCALE)
        kwargs.setdefault("default", Decimal(0))
        super().__init__(*args, **kwargs)


class QuantityField(FixedPointField):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("scale", QUANTITY_SCALE)
        kwargs.setdefault("default", Decimal(0))
        super().__init__(*args, **kwargs)
