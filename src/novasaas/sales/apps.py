from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "novasaas.sales"
    label = "sales"
    verbose_name = "Sales"

    def ready(self) -> None:
        from novasaas.sales import demo, navigation, portal, quotations, subscribers  # noqa: F401
