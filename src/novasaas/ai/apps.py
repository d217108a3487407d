from django.apps import AppConfig


class AiConfig(AppConfig):
    name = "novasaas.ai"
    label = "ai"
    verbose_name = "AI"

    def ready(self) -> None:
        from novasaas.ai import charges, navigation  # noqa: F401  (charges: billing's period event)
