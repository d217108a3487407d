from django.urls import path

from novasaas.documents import attachment_views as av
from novasaas.documents import views as v

urlpatterns = [
    path("", v.HomeView.as_view(), name="documents-home"),
    path("search/", v.SearchView.as_view(), name="documents-search"),
    path("trash/", v.TrashView.as_view(), name="documents-trash"),
    path("templates/", v.TemplatesView.as_view(), name="documents-templates"),
    path("settings/", v.SettingsView.as_view(), name="documents-settings"),
    path("folders/<int:pk>/", v.FolderView.as_view(), name="documents-folder"),
    path("folders/<int:pk>/permissions/", v.FolderPermissionsView.as_view(), name="documents-folder-permissions"),
    path("attachments/<str:kind>/<int:record_id>/", av.AttachmentBoxView.as_view(), name="documents-attachments"),
    path(
        "attachments/<str:kind>/<int:record_id>/<int:document_id>/",
        av.AttachmentFileView.as_view(),
        name="documents-attachment-file",
    ),
    path("<int:pk>/", v.DocumentView.as_view(), name="documents-document"),
    path("<int:pk>/preview/", v.PreviewView.as_view(), name="documents-preview"),
    path("<int:pk>/versions/<int:vid>/download/", v.VersionFileView.as_view(), name="documents-download"),
    path("<int:pk>/versions/<int:vid>/inline/", v.VersionFileView.as_view(inline=True), name="documents-inline"),
    path("<int:pk>/<str:action>/", v.DocumentActionView.as_view(), name="documents-action"),
]
