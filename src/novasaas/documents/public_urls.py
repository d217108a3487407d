from django.urls import path

from novasaas.documents.public import LinkView

urlpatterns = [path("<str:token>/", LinkView.as_view(), name="documents-link")]
