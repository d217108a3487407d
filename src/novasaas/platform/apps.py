from django.apps import AppConfig


class PlatformConfig(AppConfig):
    name = "novasaas.platform"
    label = "platform"
    verbose_name = "Platform"

    def ready(self) -> None:
        from novasaas.platform import checks  # noqa: F401  (registers system checks)
