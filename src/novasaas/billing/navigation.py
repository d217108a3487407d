"""The Subscription menu entry (CORE: every tenant has one; Tenant Admin manages, Manager views)."""

from django.utils.translation import gettext_lazy as _

from novasaas.platform.modules import NavEntry, register_nav

register_nav(
    NavEntry(
        module="CORE",
        label=_("Subscription"),
        url_name="billing-subscription",
        permission="core.subscription.view",
        icon="bi-credit-card",
    )
)
