from django.apps import AppConfig


class PartiesConfig(AppConfig):
    name = "novasaas.parties"
    label = "parties"
    verbose_name = "Parties"

    def ready(self) -> None:
        from novasaas.parties import demo, navigation  # noqa: F401
