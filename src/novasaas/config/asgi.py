import os

from django.core.asgi import get_asgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")
application = get_asgi_application()

from novasaas.platform.checks import refuse_insecure_secrets  # noqa: E402

refuse_insecure_secrets()
