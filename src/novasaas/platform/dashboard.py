"""Dashboard widgets: modules register them; each declares its module and permission."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Widget:
    key: str
    title: Any
    module: str
    permission: str
    render: Callable[[Any], dict[str, Any]]  # principal -> context for the widget template
    template: str = "web/widgets/stat.html"


WIDGETS: dict[str, Widget] = {}


def register_widget(widget: Widget) -> None:
    WIDGETS[widget.key] = widget


def widgets_for(principal: Any) -> list[tuple[Widget, dict[str, Any]]]:
    """The widgets this principal may see, in the tenant's arranged order."""
    layout: list[str] = list(principal.tenant.dashboard_layout or [])
    visible = [w for w in WIDGETS.values() if principal.tenant.has_module(w.module) and principal.has(w.permission)]
    visible.sort(key=lambda w: (layout.index(w.key) if w.key in layout else len(layout), w.key))
    return [(w, w.render(principal)) for w in visible]
