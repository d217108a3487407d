"""Template filters of the accounting pages."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils.translation import get_language

register = template.Library()


@register.filter
def amount(value: Any, blank_zero: bool = True) -> str:
    """An amount with thousands separators in the page's language (``1.234.567`` / ``1,234,567``);
    zero is blank in reports. Decimals are shown only when there are any."""
    if value is None or value == "":
        return ""
    dec = value if isinstance(value, Decimal) else Decimal(str(value))
    if blank_zero and dec == 0:
        return ""
    text = f"{dec:,.0f}" if dec == dec.to_integral_value() else f"{dec:,.2f}"
    if (get_language() or "vi").startswith("vi"):
        text = text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")
    return text


@register.filter
def indent(level: Any) -> str:
    try:
        return f"padding-left: {max(int(level) - 1, 0) * 1.25:.2f}rem"
    except (TypeError, ValueError):
        return ""


@register.filter
def account_name(account: Any) -> str:
    return str(account.display_name(get_language() or "vi")) if account is not None else ""


@register.filter
def statutory_amount(value: Any) -> str:
    """An amount as the statutory forms print it: ``1.234.567`` (``1,234,567`` in English), negatives in
    brackets, zero blank."""
    from novasaas.accounting.statutory import amount_text

    return amount_text(value, get_language() or "vi")
