"""Template filters of the HRM pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def hours(minutes: Any) -> str:
    """Minutes as hours and minutes (``7:30``)."""
    try:
        total = int(minutes or 0)
    except (TypeError, ValueError):
        return ""
    return f"{total // 60}:{total % 60:02d}"
