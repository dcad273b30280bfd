"""Sign-in, sign-out and two-factor pages (same paths and names as before the accounts app)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import views

urlpatterns = [
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/otp/", views.otp_verify, name="otp_verify"),
    path("accounts/otp/enrol/", views.otp_enrol, name="otp_enrol"),
    path("accounts/otp/backup-codes/", views.otp_backup_codes, name="otp_backup_codes"),
    path("accounts/otp/recovery/", views.otp_recovery, name="otp_recovery"),
]
