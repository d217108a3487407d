"""Numbers as people type and read them: one parser for every amount and quantity field of the pages,
one formatter for tables, messages and inputs.

Reading (``parse_number``): the app displays ``1.500.000`` in Vietnamese and ``1,500,000`` in
English, and users paste figures from Excel, bank statements and invoices in either style, so both
are accepted in both languages:

- both ``.`` and ``,`` present: the last one is the decimal separator (``1.500.000,5``,
  ``1,500,000.5``);
- one separator repeated: thousands (``1.500.000``, ``1,500,000``);
- one separator once, followed by exactly three digits: thousands when it is the language's thousands
  separator (``.`` in Vietnamese, ``,`` in English) or when the field takes fewer than three decimals
  (money: ``1,500`` đồng is one thousand five hundred); otherwise it is the decimal separator
  (``2,5`` kg, ``2.5`` kg);
- thousands groups must have three digits (``1.50.000`` is refused), spaces (also no-break) are
  ignored, a leading ``-`` or ``−`` makes it negative, a trailing ``₫``/``đ``/``VND`` is ignored.

The API keeps plain JSON numbers (``money.to_decimal``): this module is for what humans type.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

GROUP = {"vi": ".", "en": ","}
DECIMAL = {"vi": ",", "en": "."}
_SPACES = re.compile(r"[\s\u00a0\u202f\u2009]+")
_CURRENCY = re.compile(r"(₫|đ|vnđ|vnd|đồng)$", re.IGNORECASE)
_BODY = re.compile(r"^(\d[\d.,]*|[.,]\d+)$")


def _lang(language: str | None = None) -> str:
    return "en" if (language or get_language() or "vi").lower().startswith("en") else "vi"


def _grouped(text: str, sep: str) -> str | None:
    """``text`` without its thousands separators when every group after the first has 3 digits."""
    parts = text.split(sep)
    if not (1 <= len(parts[0]) <= 3) or any(len(p) != 3 for p in parts[1:]):
        return None
    return "".join(parts)


def parse_number(text: Any, *, decimal_places: int | None = None, language: str | None = None) -> Decimal:
    """``text`` as a Decimal, read as described in the module docstring; ``ValueError`` when it is not a
    number (letters, two decimal separators, badly grouped digits)."""
    if isinstance(text, Decimal):
        return text
    if isinstance(text, int) and not isinstance(text, bool):
        return Decimal(text)
    raw = _SPACES.sub("", str(text or ""))
    raw = _CURRENCY.sub("", raw)
    sign = ""
    if raw[:1] in ("-", "−", "+"):
        sign, raw = ("-" if raw[0] != "+" else ""), raw[1:]
    if not _BODY.match(raw):
        raise ValueError(f"not a number: {text!r}")
    lang = _lang(language)
    dots, commas = raw.count("."), raw.count(",")
    integer, fraction = raw, ""
    if dots and commas:
        dec = "." if raw.rfind(".") > raw.rfind(",") else ","
        group = "," if dec == "." else "."
        if raw.count(dec) > 1:
            raise ValueError(f"not a number: {text!r}")
        integer, fraction = raw.split(dec)
        grouped = _grouped(integer, group)
        if grouped is None:
            raise ValueError(f"not a number: {text!r}")
        integer = grouped
    elif dots > 1 or commas > 1:
        grouped = _grouped(raw, "." if dots else ",")
        if grouped is None:
            raise ValueError(f"not a number: {text!r}")
        integer = grouped
    elif dots or commas:
        sep = "." if dots else ","
        head, tail = raw.split(sep)
        thousands = (
            len(tail) == 3
            and 1 <= len(head) <= 3
            and (sep == GROUP[lang] or (decimal_places is not None and decimal_places < 3))
        )
        integer, fraction = (head + tail, "") if thousands else (head, tail)
    try:
        value = Decimal(f"{sign}{integer or '0'}" + (f".{fraction}" if fraction else ""))
    except InvalidOperation as exc:  # pragma: no cover - the pattern above lets only digits through
        raise ValueError(f"not a number: {text!r}") from exc
    return value


def format_number(value: Any, language: str | None = None, *, blank_zero: bool = False) -> str:
    """``1500000`` → ``1.500.000`` (vi) / ``1,500,000`` (en); decimals only when there are any
    (``2.5`` kg → ``2,5`` / ``2.5``), trailing zeros dropped."""
    if value is None or value == "":
        return ""
    dec = value if isinstance(value, Decimal) else Decimal(str(value))
    if blank_zero and dec == 0:
        return ""
    dec = dec.normalize() if dec != dec.to_integral_value() else dec.quantize(Decimal(1))
    places = max(-dec.as_tuple().exponent, 0)  # type: ignore[operator]
    return localise(f"{dec:,.{places}f}", language)


def localise(text: str, language: str | None = None) -> str:
    """A number formatted the Python way (``1,500,000.5``) in the language's separators: the one place
    that decides them (``1.500.000,5`` in Vietnamese)."""
    if _lang(language) == "vi":
        return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


def format_quantity(value: Any, unit: Any = None, language: str | None = None) -> str:
    """A quantity for messages: ``100`` / ``7 Hộp`` / ``2,5 kg``."""
    text = format_number(value if value is not None else 0, language)
    return f"{text} {unit}" if unit else text


class NumberInput(forms.TextInput):
    """A text input (a ``type=number`` input refuses "1.500.000" and sends letters as empty, which Django
    then reports as a missing value) that shows its value formatted and opens the numeric keypad."""

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {"inputmode": "decimal", "autocomplete": "off", "class": "text-end", "data-number": ""}
        super().__init__({**base, **(attrs or {})})

    def format_value(self, value: Any) -> str | None:
        if isinstance(value, (Decimal, int)) and not isinstance(value, bool):
            return format_number(value)
        return super().format_value(value)


class NumberField(forms.DecimalField):
    """The form field of every amount and quantity of the pages: reads ``1.500.000``, ``1,500,000``,
    ``1.500.000,5`` … (``parse_number``) and says "not a number" for letters."""

    widget = NumberInput
    default_error_messages = {  # noqa: RUF012 - Django's pattern
        "invalid": _("“%(value)s” is not a number. Type digits, for example %(example)s."),
    }

    def to_python(self, value: Any) -> Decimal | None:  # type: ignore[override]
        if value in self.empty_values:
            return None
        if isinstance(value, str):
            value = value.strip()[:60]
        try:
            number = parse_number(value, decimal_places=self.decimal_places)
        except ValueError:
            raise ValidationError(
                self.error_messages["invalid"],
                code="invalid",
                params={"value": str(value)[:30], "example": format_number(1500000)},
            ) from None
        if not number.is_finite():  # pragma: no cover - parse_number returns finite numbers
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return number

    def widget_attrs(self, widget: forms.Widget) -> dict[str, Any]:
        # DecimalField would add step/min/max, which only a type=number input understands
        return forms.Field.widget_attrs(self, widget)


def typed(text: Any, decimal_places: int | None = None) -> str:
    """A number typed in a page's plain input, as the plain digits an action parses (``1.500.000`` →
    ``1500000``); what is not a number is passed on unchanged, so the action reports it."""
    try:
        return str(parse_number(str(text)[:60], decimal_places=decimal_places))
    except ValueError:
        return str(text)
