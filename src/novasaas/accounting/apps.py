from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "novasaas.accounting"
    label = "accounting"
    verbose_name = "Accounting"

    def ready(self) -> None:
        from novasaas.accounting import demo, navigation, subscribers  # noqa: F401
        from novasaas.accounting.actions import ensure_chart
        from novasaas.platform.modules import register_setup

        register_setup("ACC", ensure_chart)  # chart, settings, journals, tax rates, the current year
