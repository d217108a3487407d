"""Template filters: VND and dates the Vietnamese way (``1.234.567 ₫``, ``dd/mm/yyyy``)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import template
from django.utils import translation

from novasaas.platform.money import format_money
from novasaas.platform.numbers import format_number

register = template.Library()


@register.filter
def money(value: Decimal | int | None, currency: str = "VND") -> str:
    return format_money(value, currency or "VND", translation.get_language() or "vi")


@register.filter
def num(value: Any) -> str:
    """A quantity or number with thousands separators in the page's language (``1.200``, ``2,5`` /
    ``1,200``, ``2.5``), decimals only when there are any; put it in a ``class="num"`` cell."""
    return format_number(value)


@register.filter
def vndate(value: Any) -> str:
    if not value:
        return ""
    if hasattr(value, "hour"):
        from django.utils import timezone

        value = timezone.localtime(value) if timezone.is_aware(value) else value
        return value.strftime("%d/%m/%Y %H:%M")
    return value.strftime("%d/%m/%Y")


@register.filter
def has_perm(principal: Any, code: str) -> bool:
    return bool(principal) and principal.has(code)


@register.filter
def bs(field: Any) -> Any:
    """Render a form field with Bootstrap classes."""
    widget = field.field.widget
    name = type(widget).__name__
    if "Select" in name:
        cls = "form-select"
    else:
        cls = "form-check-input" if name == "CheckboxInput" else "form-control"
    if field.errors:
        cls += " is-invalid"
    own = widget.attrs.get("class", "")  # e.g. the number input's right alignment
    return field.as_widget(attrs={"class": f"{cls} {own}".strip()})


@register.filter
def role_name(role: Any) -> str:
    """A role's name in the current language (custom roles have only their own name)."""
    name_en = str(getattr(role, "name_en", "") or "")
    if translation.get_language() == "en" and name_en:
        return name_en
    return str(role.name)


@register.filter
def perm_label(perm: Any) -> str:
    """A permission's label in the current language."""
    return str(perm.label_en if translation.get_language() == "en" else perm.label)


@register.filter
def get_item(mapping: Any, key: Any) -> Any:
    return mapping.get(key) if hasattr(mapping, "get") else None


@register.filter
def contains(container: Any, item: Any) -> bool:
    return bool(container) and item in container


@register.filter
def dateinput(value: Any) -> str:
    """The value of a date text input: a date as dd/mm/yyyy, text typed by the user as it was."""
    if value is None or value == "":
        return ""
    if hasattr(value, "strftime"):
        return value.strftime("%d/%m/%Y")
    return str(value)
