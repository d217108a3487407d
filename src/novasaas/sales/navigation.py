"""Menu entry, dashboard widget and quick action of the Sales module (registered at start-up)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from novasaas.platform.dashboard import QuickAction, Widget, register_quick_action, register_widget
from novasaas.platform.modules import NavEntry, register_nav
from novasaas.platform.notifications import NotificationKind, register_kind

register_kind(NotificationKind("sales", _("Sales: reminders, expiring quotations, assigned leads")))

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


def _pipeline(principal: Any) -> dict[str, Any]:
    from django.utils import translation

    from novasaas.platform.money import format_money
    from novasaas.sales.pipeline import forecast_by_owner

    rows = forecast_by_owner(principal)
    weighted = sum((r.weighted for r in rows), 0)
    count = sum(r.opportunities for r in rows)
    return {
        "value": format_money(weighted, "VND", translation.get_language() or "vi"),
        "hint": _("weighted, %(n)d open opportunities") % {"n": count},
    }


register_widget(
    Widget(
        key="crm.pipeline",
        title=_("Sales pipeline"),
        module="CRM",
        permission="crm.forecast.view",
        render=_pipeline,
        url_name="sales-forecast",
    )
)


def _expiring_quotations(principal: Any) -> dict[str, Any]:
    import datetime as dt

    from django.utils import timezone

    from novasaas.sales.models import QuotationStatus
    from novasaas.sales.policy import get_settings
    from novasaas.sales.quotations import visible_quotations

    today = timezone.localdate()
    days = max(get_settings(principal.tenant).quotation_expiry_notice_days, 7)
    count = (
        visible_quotations(principal)
        .filter(status=QuotationStatus.SENT, valid_until__range=(today, today + dt.timedelta(days=days)))
        .count()
    )
    return {"value": count, "hint": _("sent, expiring within %(n)d days") % {"n": days}}


register_widget(
    Widget(
        key="crm.expiring_quotations",
        title=_("Quotations expiring"),
        module="CRM",
        permission="crm.quotation.manage",
        render=_expiring_quotations,
        url_name="sales-quotations",
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
