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

# Attachments everywhere (spec §11.2): project and task pages include documents/_attachments_box.html.
from novasaas.documents.attachments import RecordKind, register_record_kind  # noqa: E402
from novasaas.projects import selectors as _records  # noqa: E402

register_record_kind(RecordKind("pm.project", "PM", "pm.project.view", "pm.task.work", get=_records.get_project))
register_record_kind(RecordKind("pm.task", "PM", "pm.project.view", "pm.task.work", get=_records.get_task))
register_record_kind(RecordKind("pm.expense", "PM", "pm.project.view", "pm.task.work", get=_records.get_expense))
