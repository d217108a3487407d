"""Menu entry and quick action of the HRM module (registered at start-up)."""

from django.utils.translation import gettext_lazy as _

from novasaas.platform.dashboard import QuickAction, register_quick_action
from novasaas.platform.modules import NavEntry, register_nav

register_nav(
    NavEntry(
        module="HRM",
        label=_("Human resources"),
        url_name="hrm-home",
        permission="hrm.payslip.self",  # every member: HR opens the staff list, others their payslips
        icon="bi-people",
    )
)
register_quick_action(
    QuickAction(
        key="hrm.employee",
        label=_("New employee"),
        url_name="hrm-employee-new",
        module="HRM",
        permission="hrm.employee.manage",
        icon="bi-person-plus",
    )
)

# Attachments everywhere (spec §11.2): the employee page includes documents/_attachments_box.html.
from novasaas.documents.attachments import RecordKind, register_record_kind  # noqa: E402
from novasaas.hrm import selectors as _records  # noqa: E402

register_record_kind(
    RecordKind(
        "hrm.employee",
        "HRM",
        ("hrm.employee.view", "hrm.team.view", "hrm.payslip.self"),
        "hrm.employee.manage",
        get=_records.get_employee,
    )
)
