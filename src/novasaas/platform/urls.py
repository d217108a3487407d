from django.urls import path

from novasaas.platform import views

urlpatterns = [
    path("", views.tenants, name="platform-tenants"),
    path("tenants/new/", views.tenant_create, name="platform-tenant-create"),
    path("tenants/<slug:slug>/", views.tenant_detail, name="platform-tenant"),
    path("tenants/<slug:slug>/modules/", views.tenant_modules, name="platform-tenant-modules"),
    path("tenants/<slug:slug>/status/", views.tenant_status, name="platform-tenant-status"),
    path("tenants/<slug:slug>/support/", views.support_view, name="platform-support-view"),
    path("support/exit/", views.support_view_exit, name="platform-support-exit"),
    path("users/", views.platform_users, name="platform-users"),
    path("tasks/", views.failed_tasks, name="platform-failed-tasks"),
]
