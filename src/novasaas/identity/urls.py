from django.contrib.auth import views as auth_views
from django.urls import path

from novasaas.identity import views

urlpatterns = [
    path("login/", views.login_view, name="login"),
    path("login/totp/", views.login_totp, name="login-totp"),
    path("logout/", views.logout_view, name="logout"),
    path("signup/", views.signup, name="signup"),
    path("workspaces/", views.workspaces, name="workspaces"),
    path("account/profile/", views.profile, name="profile"),
    path("account/password/", views.password_change, name="password-change"),
    path("account/mfa/setup/", views.mfa_setup, name="mfa-setup"),
    path("account/mfa/disable/", views.mfa_disable, name="mfa-disable"),
    path("account/sessions/", views.sessions, name="sessions"),
    path("account/sessions/<int:pk>/revoke/", views.session_revoke, name="session-revoke"),
    path("invitations/<str:token>/", views.accept_invitation, name="invitation-accept"),
    path("password-reset/", auth_views.PasswordResetView.as_view(
        template_name="identity/password_reset.html",
        email_template_name="identity/email/password_reset.txt"), name="password_reset"),
    path("password-reset/sent/", auth_views.PasswordResetDoneView.as_view(
        template_name="identity/password_reset_done.html"), name="password_reset_done"),
    path("password-reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        template_name="identity/password_reset_confirm.html"), name="password_reset_confirm"),
    path("password-reset/done/", auth_views.PasswordResetCompleteView.as_view(
        template_name="identity/password_reset_complete.html"), name="password_reset_complete"),
]
