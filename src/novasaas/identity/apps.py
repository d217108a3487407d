from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "novasaas.identity"
    label = "identity"
    verbose_name = "Identity"

    def ready(self) -> None:
        from novasaas.identity import navigation  # noqa: F401  (menu, widgets, quick actions)
