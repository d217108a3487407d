from django.urls import path

from novasaas.web import views

urlpatterns = [
    path("dashboard/arrange/", views.dashboard_arrange, name="dashboard-arrange"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/bell/", views.notification_bell, name="notification-bell"),
    path("notifications/read-all/", views.notification_read_all, name="notification-read-all"),
    path("notifications/preferences/", views.notification_preferences, name="notification-preferences"),
    path("notifications/<int:pk>/read/", views.notification_read, name="notification-read"),
]
