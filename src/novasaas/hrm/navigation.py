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
