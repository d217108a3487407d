from django.apps import AppConfig


class HrmConfig(AppConfig):
    name = "novasaas.hrm"
    label = "hrm"
    verbose_name = "Human resources"

    def ready(self) -> None:
        from novasaas.hrm import demo, navigation, subscribers  # noqa: F401
