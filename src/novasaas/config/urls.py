from django.conf import settings
from django.conf.urls.static import static
from django.urls import include, path, re_path

from novasaas.config.api import api, not_found
from novasaas.platform.health import healthz
from novasaas.web import views as web_views

handler400 = "novasaas.web.views.bad_request"
handler403 = "novasaas.web.views.permission_denied"
handler404 = "novasaas.web.views.page_not_found"

urlpatterns = [
    path("", web_views.dashboard, name="dashboard"),
    path("healthz", healthz, name="healthz"),
    path("i18n/setlang/", web_views.set_language, name="set-language"),
    path("api/v1/", api.urls),
    re_path(r"^api/", not_found),  # an API URL no route matches answers JSON, never the HTML 404 page
    path("", include("novasaas.identity.urls")),
    path("", include("novasaas.web.urls")),
    path("parties/", include("novasaas.parties.urls")),
    path("accounting/", include("novasaas.accounting.urls")),
    path("inventory/", include("novasaas.inventory.urls")),
    path("sales/", include("novasaas.sales.urls")),
    path("portal/", include("novasaas.sales.portal_urls")),
    path("purchasing/", include("novasaas.purchasing.urls")),
    path("hrm/", include("novasaas.hrm.urls")),
    path("platform/billing/", include("novasaas.billing.platform_urls")),
    path("ai/", include("novasaas.ai.urls")),
    path("projects/", include("novasaas.projects.urls")),
    path("documents/", include("novasaas.documents.urls")),
    path("shared/", include("novasaas.documents.public_urls")),
    path("platform/", include("novasaas.platform.urls")),
    path("billing/", include("novasaas.billing.urls")),
]
if settings.DEBUG:
    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
