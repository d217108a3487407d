from django.apps import AppConfig


class PurchasingConfig(AppConfig):
    name = "novasaas.purchasing"
    label = "purchasing"
    verbose_name = "Purchasing"

    def ready(self) -> None:
        from novasaas.purchasing import demo, emailing, navigation, subscribers  # noqa: F401
