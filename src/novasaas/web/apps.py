from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "novasaas.web"
    label = "web"
    verbose_name = "Web shell"
