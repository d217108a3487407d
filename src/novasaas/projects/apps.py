from django.apps import AppConfig


class ProjectsConfig(AppConfig):
    name = "novasaas.projects"
    label = "projects"
    verbose_name = "Projects"

    def ready(self) -> None:
        from novasaas.projects import demo, navigation, subscribers  # noqa: F401
