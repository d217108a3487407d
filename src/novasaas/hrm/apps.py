from django.apps import AppConfig


class HrmConfig(AppConfig):
    name = "novasaas.hrm"
    label = "hrm"
    verbose_name = "Human resources"

    def ready(self) -> None:
        from novasaas.hrm import demo, navigation, payslips, subscribers  # noqa: F401
        from novasaas.hrm.statutory import set_up_hrm
        from novasaas.platform.modules import register_setup

        register_setup("HRM", set_up_hrm)  # the statutory payroll rows (global, idempotent)
