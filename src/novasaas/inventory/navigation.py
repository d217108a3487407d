"""Menu entries, dashboard widgets and notification kinds of this module (registered at start-up)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from novasaas.platform.dashboard import QuickAction, Widget, register_quick_action, register_widget
from novasaas.platform.modules import NavEntry, register_nav
from novasaas.platform.notifications import NotificationKind, register_kind

register_kind(NotificationKind("inventory.low_stock", _("Low stock alerts"), email_default=False))

register_nav(
    NavEntry(
        module="INV",
        label=_("Inventory"),
        url_name="inventory-stock",
        permission="inv.stock.view",
        icon="bi-box-seam",
    )
)


def _stock_value(principal: Any) -> dict[str, Any]:
    from novasaas.inventory.selectors import stock_value
    from novasaas.platform.money import format_money

    return {
        "value": format_money(stock_value(principal.tenant), principal.tenant.base_currency or "VND"),
        "hint": _("on hand, at cost"),
    }


def _low_stock(principal: Any) -> dict[str, Any]:
    from novasaas.inventory.selectors import low_stock

    return {"value": len(low_stock(principal.tenant)), "hint": _("below reorder level")}


def _pending(principal: Any) -> dict[str, Any]:
    from novasaas.inventory.selectors import pending_approvals

    return {"value": pending_approvals(principal.tenant), "hint": _("documents waiting for approval")}


def _expiring(principal: Any) -> dict[str, Any]:
    from datetime import timedelta

    from django.utils import timezone

    from novasaas.inventory.selectors import expired_lots, expiring_lots

    today = timezone.localdate()
    expired = expired_lots(principal.tenant, today)
    return {
        "value": len(expiring_lots(principal.tenant, today + timedelta(days=30), after=today)),
        "hint": _("lots expiring within 30 days")
        + (_("; %(n)s already expired") % {"n": len(expired)} if expired else ""),
    }


register_widget(
    Widget(
        key="inv.stock_value",
        title=_("Stock value"),
        module="INV",
        permission="inv.report.view",
        render=_stock_value,
        url_name="inventory-reports",
    )
)
register_widget(
    Widget(
        key="inv.low_stock",
        title=_("Low stock"),
        module="INV",
        permission="inv.stock.view",
        render=_low_stock,
        url_name="inventory-report-below-reorder",
    )
)
register_widget(
    Widget(
        key="inv.pending",
        title=_("Inventory approvals"),
        module="INV",
        permission="inv.movement.approve",
        render=_pending,
        url_name="inventory-movements",
    )
)
register_widget(
    Widget(
        key="inv.expiring",
        title=_("Expiring lots"),
        module="INV",
        permission="inv.stock.view",
        render=_expiring,
        url_name="inventory-report-expiring",
    )
)
register_quick_action(
    QuickAction(
        key="inv.receipt",
        label=_("New goods receipt"),
        url_name="inventory-movement-new",
        module="INV",
        permission="inv.receipt.create",
        icon="bi-box-arrow-in-down",
    )
)
