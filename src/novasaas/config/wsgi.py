import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "novasaas.config.settings")
application = get_wsgi_application()

from novasaas.platform.checks import refuse_insecure_secrets  # noqa: E402

refuse_insecure_secrets()
