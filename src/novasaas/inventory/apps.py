from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "novasaas.inventory"
    label = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from novasaas.inventory import demo, navigation  # noqa: F401
