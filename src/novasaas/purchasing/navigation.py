"""Menu entry, dashboard widget and quick action of the Purchasing module (registered at start-up)."""

from typing import Any

from django.utils.translation import gettext_lazy as _

from novasaas.platform.dashboard import QuickAction, Widget, register_quick_action, register_widget
from novasaas.platform.modules import NavEntry, register_nav

register_nav(
    NavEntry(
        module="SCM", label=_("Purchasing"), url_name="purchasing-orders", permission="scm.po.track", icon="bi-bag"
    )
)


def _waiting(principal: Any) -> dict[str, Any]:
    from novasaas.purchasing.models import OrderStatus, PurchaseOrder

    count = PurchaseOrder.objects.filter(tenant=principal.tenant, status=OrderStatus.WAITING).count()
    return {"value": count, "hint": _("purchase orders waiting for approval")}


register_widget(
    Widget(
        key="scm.waiting_orders",
        title=_("Purchase orders to approve"),
        module="SCM",
        permission="scm.po.approve",
        render=_waiting,
        url_name="purchasing-orders",
    )
)


def _late(principal: Any) -> dict[str, Any]:
    from django.utils import timezone

    from novasaas.purchasing.selectors import late_orders

    count = late_orders(principal.tenant, timezone.localdate()).count()
    return {"value": count, "hint": _("open purchase orders past their expected date")}


register_widget(
    Widget(
        key="scm.late_deliveries",
        title=_("Late deliveries"),
        module="SCM",
        permission="scm.po.track",
        render=_late,
        url_name="purchasing-late-deliveries",
    )
)
register_quick_action(
    QuickAction(
        key="scm.order",
        label=_("New purchase order"),
        url_name="purchasing-order-new",
        module="SCM",
        permission="scm.po.create",
        icon="bi-bag-plus",
    )
)

# Attachments everywhere (spec §11.2): PO and bill pages include documents/_attachments_box.html.
from novasaas.documents.attachments import RecordKind, register_record_kind  # noqa: E402
from novasaas.purchasing import selectors as _records  # noqa: E402

_PO_VIEW = ("scm.po.track", "scm.receipt.create", "scm.return.manage")
register_record_kind(
    RecordKind("scm.po", "SCM", _PO_VIEW, "scm.po.create", get=lambda p, pk: _records.get_order(p.tenant, pk))
)
register_record_kind(
    RecordKind(
        "scm.bill",
        "SCM",
        ("scm.po.track", "acc.payment.record"),
        "scm.po.create",
        get=lambda p, pk: _records.get_bill(p.tenant, pk),
    )
)
