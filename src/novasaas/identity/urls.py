from django.contrib.auth import views as auth_views
from django.urls import path

from novasaas.identity import admin_views as admin
from novasaas.identity import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/totp/", views.login_totp, name="login-totp"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_sent, name="signup-sent"),
    path("workspaces/", views.workspaces, name="workspaces"),
    path("account/profile/", views.profile, name="profile"),
    path("account/password/", views.password_change, name="password-change"),
    path("account/mfa/setup/", views.mfa_setup, name="mfa-setup"),
    path("account/mfa/disable/", views.mfa_disable, name="mfa-disable"),
    path("account/sessions/", views.sessions, name="sessions"),
    path("account/sessions/<int:pk>/revoke/", views.session_revoke, name="session-revoke"),
    path("account/api-sessions/<str:sid>/revoke/", views.api_session_revoke, name="api-session-revoke"),
    path("settings/", admin.settings_home, name="settings"),
    path("settings/users/", admin.user_list, name="settings-users"),
    path("settings/users/<int:pk>/", admin.user_edit, name="settings-user-edit"),
    path("settings/users/<int:pk>/active/", admin.user_set_active, name="settings-user-active"),
    path("settings/invitations/", admin.invitation_list, name="settings-invitations"),
    path("settings/invitations/<int:pk>/revoke/", admin.invitation_revoke, name="settings-invitation-revoke"),
    path("settings/roles/", admin.role_list, name="settings-roles"),
    path("settings/roles/new/", admin.role_create, name="settings-role-create"),
    path("settings/roles/matrix/", admin.role_matrix, name="settings-role-matrix"),
    path("settings/roles/<int:pk>/", admin.role_edit, name="settings-role-edit"),
    path("settings/roles/<int:pk>/delete/", admin.role_delete, name="settings-role-delete"),
    path("settings/audit/", admin.audit_list, name="settings-audit"),
    path("settings/company/", admin.company_settings, name="settings-company"),
    path("settings/appearance/", admin.appearance_settings, name="settings-appearance"),
    path("settings/notifications/", admin.notification_settings, name="settings-notifications"),
    path("settings/region/", admin.region_settings, name="settings-region"),
    path("settings/security/", admin.security_settings, name="settings-security"),
    path("settings/subscription/", admin.subscription, name="settings-subscription"),
    path("settings/api-keys/", admin.api_keys, name="settings-api-keys"),
    path("settings/api-keys/<int:pk>/revoke/", admin.api_key_revoke, name="settings-api-key-revoke"),
    path("invitations/<str:token>/", views.accept_invitation, name="invitation-accept"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="identity/password_reset.html", email_template_name="identity/email/password_reset.txt"
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="identity/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(template_name="identity/password_reset_confirm.html"),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="identity/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
