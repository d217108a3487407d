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

# Attachments everywhere (spec §11.2) and document templates: order, quotation and invoice pages include
# documents/_attachments_box.html.
from novasaas.documents.attachments import RecordKind, register_record_kind  # noqa: E402
from novasaas.sales import quotations as _quotations  # noqa: E402
from novasaas.sales import selectors as _records  # noqa: E402

register_record_kind(RecordKind("crm.order", "CRM", "crm.customer.view", "crm.order.create", get=_records.get_order))
register_record_kind(
    RecordKind("crm.invoice", "CRM", "crm.customer.view", "crm.invoice.create", get=_records.get_invoice)
)
register_record_kind(
    RecordKind("crm.quotation", "CRM", "crm.customer.view", "crm.quotation.manage", get=_quotations.get_quotation)
)
