"""Menu entry of the Documents module and its set-up when the module is enabled (registered at start-up)."""

from django.utils.translation import gettext_lazy as _

from novasaas.platform.modules import NavEntry, register_nav, register_setup

register_nav(
    NavEntry(
        module="DMS", label=_("Documents"), url_name="documents-home", permission="dms.use", icon="bi-folder2-open"
    )
)


def _set_up(tenant: object) -> None:
    from novasaas.documents.actions import ensure_settings

    ensure_settings(tenant)  # type: ignore[arg-type]


register_setup("DMS", _set_up)
