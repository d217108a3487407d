from django.apps import AppConfig


class DocumentsConfig(AppConfig):
    name = "novasaas.documents"
    label = "documents"
    verbose_name = "Documents"

    def ready(self) -> None:
        from novasaas.documents import demo, navigation  # noqa: F401
