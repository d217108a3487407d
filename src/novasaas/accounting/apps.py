from django.apps import AppConfig


class AccountingConfig(AppConfig):
    name = "novasaas.accounting"
    label = "accounting"
    verbose_name = "Accounting"

    def ready(self) -> None:
        from novasaas.accounting import demo, navigation, subscribers  # noqa: F401
