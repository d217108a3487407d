from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "novasaas.identity"
    label = "identity"
    verbose_name = "Identity"
