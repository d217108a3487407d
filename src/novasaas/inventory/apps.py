from django.apps import AppConfig


class InventoryConfig(AppConfig):
    name = "novasaas.inventory"
    label = "inventory"
    verbose_name = "Inventory"

    def ready(self) -> None:
        from novasaas.inventory import demo, navigation  # noqa: F401
        from novasaas.inventory.setup import set_up_inventory
        from novasaas.platform.modules import register_setup

        register_setup("INV", set_up_inventory)
