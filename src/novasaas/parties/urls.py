from django.urls import path

from novasaas.parties import views

urlpatterns = [
    path("", views.PartyListView.as_view(), name="parties-list"),
    path("new/", views.PartyCreateView.as_view(), name="parties-create"),
    path("export/", views.PartyExportView.as_view(), name="parties-export"),
    path("import/", views.PartyImportView.as_view(), name="parties-import"),
    path("picker/", views.PartyPickerView.as_view(), name="parties-picker"),
    path("<int:pk>/", views.PartyDetailView.as_view(), name="parties-detail"),
    path("<int:pk>/edit/", views.PartyEditView.as_view(), name="parties-edit"),
    path("<int:pk>/deactivate/", views.PartyDeactivateView.as_view(), name="parties-deactivate"),
    path("<int:pk>/reactivate/", views.PartyReactivateView.as_view(), name="parties-reactivate"),
    path("<int:pk>/merge/", views.PartyMergeView.as_view(), name="parties-merge"),
]
