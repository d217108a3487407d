"""Menu entry, dashboard widget and quick action of the Sales module (registered at start-up)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from novasaas.platform.dashboard import QuickAction, Widget, register_quick_action, register_widget
from novasaas.platform.modules import NavEntry, register_nav
from novasaas.platform.notifications import NotificationKind, register_kind

register_kind(NotificationKind("sales", _("Sales: activity reminders")))

register_nav(
    NavEntry(
        module="CRM",
        label=_("Sales"),
        url_name="sales-orders",
        permission="crm.customer.view",
        icon="bi-cart3",
    )
)


def _open_orders(principal: Any) -> dict[str, Any]:
    from novasaas.sales.models import OrderStatus
    from novasaas.sales.selectors import visible_orders

    count = visible_orders(principal).filter(status__in=[OrderStatus.CONFIRMED, OrderStatus.DELIVERED]).count()
    return {"value": count, "hint": _("confirmed, not yet invoiced")}


register_widget(
    Widget(
        key="crm.open_orders",
        title=_("Open sales orders"),
        module="CRM",
        permission="crm.order.create",
        render=_open_orders,
        url_name="sales-orders",
    )
)
register_quick_action(
    QuickAction(
        key="crm.order",
        label=_("New sales order"),
        url_name="sales-order-new",
        module="CRM",
        permission="crm.order.create",
        icon="bi-cart-plus",
    )
)
