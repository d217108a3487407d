"""Menu entries and dashboard widgets of this module (registered at start-up)."""

from django.utils.translation import gettext_lazy as _

from novasaas.platform.modules import NavEntry, register_nav

register_nav(
    NavEntry(
        module="ACC",
        label=_("Accounting"),
        url_name="accounting-home",
        permission="acc.ledger.view",
        icon="bi-journal-text",
    )
)
