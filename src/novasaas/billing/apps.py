from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "novasaas.billing"
    label = "billing"
    verbose_name = "Billing"

    def ready(self) -> None:
        from novasaas.billing import navigation  # noqa: F401
