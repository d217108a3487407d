"""Menu entries, dashboard widgets and notification kinds of this module (registered at start-up)."""

from django.utils.translation import gettext_lazy as _

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
