"""Menu entries and dashboard widgets of this module (registered at start-up)."""

from django.utils.translation import gettext_lazy as _

from novasaas.platform.dashboard import Widget, register_widget
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


def _widget(principal: object) -> dict[str, object]:
    from novasaas.accounting.dashboard import widget_context

    return widget_context(principal)


register_widget(
    Widget(
        key="acc.overview",
        title=_("Finance"),
        module="ACC",
        permission="acc.ledger.view",
        render=_widget,
        template="accounting/widget.html",
        url_name="accounting-home",
    )
)
