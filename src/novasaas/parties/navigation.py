"""Menu entries and dashboard widgets of this module (registered at start-up)."""

from django.utils.translation import gettext_lazy as _

from novasaas.platform.modules import NavEntry, register_nav

register_nav(
    NavEntry(
        module="CORE",
        label=_("Parties"),
        url_name="parties-list",
        permission="core.parties.view",
        icon="bi-people",
    )
)
