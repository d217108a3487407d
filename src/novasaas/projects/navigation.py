"""Menu entry, notification kind and quick action of the Projects module (registered at start-up)."""

from django.utils.translation import gettext_lazy as _

from novasaas.platform.dashboard import QuickAction, register_quick_action
from novasaas.platform.modules import NavEntry, register_nav
from novasaas.platform.notifications import NotificationKind, register_kind

register_nav(
    NavEntry(
        module="PM",
        label=_("Projects"),
        url_name="projects-list",
        permission="pm.project.view",
        icon="bi-kanban",
    )
)
register_kind(NotificationKind("projects", _("Projects: mentions and budget alerts")))
register_quick_action(
    QuickAction(
        key="pm.my_tasks",
        label=_("My tasks"),
        url_name="projects-my-tasks",
        module="PM",
        permission="pm.task.work",
        icon="bi-check2-square",
    )
)
