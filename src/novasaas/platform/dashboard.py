"""Dashboard (spec §3.1.3): widgets and quick actions registered by modules, arranged per company.

Each widget and quick action declares its module and permission; a member sees those whose module
the company has and whose permission they hold. The company's arrangement (order and hidden
widgets) is ``Tenant.dashboard_layout``: a list of ``{"key": ..., "visible": bool}``; Tenant Admin
and Manager change it (``core.dashboard.customize``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from novasaas.platform import audit
from novasaas.platform.models import AuditAction, Tenant
from novasaas.platform.tenancy import platform_context


@dataclass(frozen=True)
class Widget:
    key: str
    title: Any
    module: str
    permission: str
    render: Callable[[Any], dict[str, Any]]  # principal -> context for the widget template
    template: str = "web/widgets/stat.html"
    url_name: str = ""  # the page the card opens (the whole card is a link)


@dataclass(frozen=True)
class QuickAction:
    key: str
    label: Any
    url_name: str
    module: str
    permission: str
    icon: str = "bi-lightning"


WIDGETS: dict[str, Widget] = {}
QUICK_ACTIONS: dict[str, QuickAction] = {}


def register_widget(widget: Widget) -> None:
    WIDGETS[widget.key] = widget


def register_quick_action(action: QuickAction) -> None:
    QUICK_ACTIONS[action.key] = action


def _allowed(principal: Any, module: str, permission: str) -> bool:
    return bool(principal.tenant.has_module(module) and principal.has(permission))


def normalize_layout(raw: Any) -> list[dict[str, Any]]:
    """The stored layout as ``[{"key", "visible"}]`` (older layouts were a plain list of keys)."""
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for entry in raw or []:
        key, visible = (entry, True) if isinstance(entry, str) else (entry.get("key"), entry.get("visible", True))
        if isinstance(key, str) and key not in seen:
            seen.add(key)
            items.append({"key": key, "visible": bool(visible)})
    return items


def layout_for(principal: Any) -> list[dict[str, Any]]:
    """Every widget this principal may see, in the company's order, with its visibility."""
    stored = normalize_layout(principal.tenant.dashboard_layout)
    order = {item["key"]: i for i, item in enumerate(stored)}
    hidden = {item["key"] for item in stored if not item["visible"]}
    allowed = [w for w in WIDGETS.values() if _allowed(principal, w.module, w.permission)]
    allowed.sort(key=lambda w: (order.get(w.key, len(order)), w.key))
    return [{"key": w.key, "title": str(w.title), "visible": w.key not in hidden} for w in allowed]


def widgets_for(principal: Any) -> list[tuple[Widget, dict[str, Any]]]:
    """The visible widgets of this principal, in the company's arranged order, rendered."""
    return [
        (WIDGETS[item["key"]], WIDGETS[item["key"]].render(principal))
        for item in layout_for(principal)
        if item["visible"]
    ]


def quick_actions_for(principal: Any) -> list[QuickAction]:
    if not principal.has("core.quick_actions"):
        return []
    return [a for a in QUICK_ACTIONS.values() if _allowed(principal, a.module, a.permission)]


@transaction.atomic
def arrange_dashboard(principal: Any, layout: list[dict[str, Any]]) -> Tenant:
    """Save the company's widget order and visibility. Needs ``core.dashboard.customize``.

    Unknown widget keys are refused; widgets the caller cannot see keep their stored place.
    """
    principal.require("core.dashboard.customize")
    items = normalize_layout(layout)
    unknown = sorted(item["key"] for item in items if item["key"] not in WIDGETS)
    if unknown:
        raise ValidationError(_("Unknown widget(s): %(keys)s") % {"keys": ", ".join(unknown)})
    with platform_context():
        tenant = Tenant.objects.select_for_update().get(pk=principal.tenant.pk)
        before = normalize_layout(tenant.dashboard_layout)
        given = {item["key"] for item in items}
        merged = items + [item for item in before if item["key"] not in given]
        tenant.dashboard_layout = merged
        tenant.save(update_fields=["dashboard_layout"])
        audit.record(
            AuditAction.UPDATE,
            actor=principal.user,
            tenant=tenant,
            obj=tenant,
            before={"dashboard_layout": before},
            after={"dashboard_layout": merged},
            message="dashboard arranged",
        )
    principal.tenant.dashboard_layout = merged
    return tenant
