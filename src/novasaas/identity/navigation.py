"""CORE menu entries, dashboard widgets and quick actions (registered at start-up)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from novasaas.platform import notifications
from novasaas.platform.dashboard import QuickAction, Widget, register_quick_action, register_widget
from novasaas.platform.modules import NavEntry, register_nav

register_nav(
    NavEntry(
        module="CORE",
        label=_("Users"),
        url_name="settings-users",
        permission="core.users.view",
        icon="bi-people",
    )
)
register_nav(
    NavEntry(
        module="CORE",
        label=_("Roles"),
        url_name="settings-roles",
        permission="core.roles.manage",
        icon="bi-shield-lock",
    )
)
register_nav(
    NavEntry(
        module="CORE",
        label=_("Audit log"),
        url_name="settings-audit",
        permission="core.audit.view",
        icon="bi-journal-text",
    )
)
register_nav(
    NavEntry(
        module="CORE",
        label=_("Settings"),
        url_name="settings",
        permission="core.settings.company.view",
        icon="bi-gear",
    )
)


def _member_count(principal: Any) -> dict[str, Any]:
    from novasaas.identity.models import Membership

    active = Membership.objects.filter(is_active=True).count()
    return {"value": active, "hint": _("active members")}


def _unread(principal: Any) -> dict[str, Any]:
    if principal.user is None:
        return {"value": 0}
    return {"value": notifications.unread_count(principal.user), "hint": _("unread")}


register_widget(
    Widget(
        key="core.users",
        title=_("Users"),
        module="CORE",
        permission="core.users.view",
        render=_member_count,
        url_name="settings-users",
    )
)
register_widget(
    Widget(
        key="core.notifications",
        title=_("Notifications"),
        module="CORE",
        permission="core.dashboard.view",
        render=_unread,
        url_name="notifications",
    )
)

register_quick_action(
    QuickAction(
        key="core.invite",
        label=_("Invite a user"),
        url_name="settings-invitations",
        module="CORE",
        permission="core.users.invite",
        icon="bi-envelope-plus",
    )
)
register_quick_action(
    QuickAction(
        key="core.company",
        label=_("Company information"),
        url_name="settings-company",
        module="CORE",
        permission="core.settings.company.edit",
        icon="bi-building",
    )
)
register_quick_action(
    QuickAction(
        key="core.audit",
        label=_("Audit log"),
        url_name="settings-audit",
        module="CORE",
        permission="core.audit.view",
        icon="bi-journal-text",
    )
)
register_quick_action(
    QuickAction(
        key="core.apikey",
        label=_("Create an API key"),
        url_name="settings-api-keys",
        module="CORE",
        permission="core.apikeys.manage",
        icon="bi-key",
    )
)
