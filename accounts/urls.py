"""Sign-in, sign-out and two-factor pages (same paths and names as before the accounts app)."""

from django.urls import include, path

from accounts import views
from accounts.oidc_views import SignOutView

urlpatterns = [
    path("accounts/login/", views.SignInView.as_view(), name="login"),
    # Django's sign-out, plus the provider's after an SSO sign-in (RP-initiated logout).
    path("accounts/logout/", SignOutView.as_view(), name="logout"),
    path("accounts/otp/", views.otp_verify, name="otp_verify"),
    path("accounts/otp/enrol/", views.otp_enrol, name="otp_enrol"),
    path("accounts/otp/backup-codes/", views.otp_backup_codes, name="otp_backup_codes"),
    path("accounts/otp/recovery/", views.otp_recovery, name="otp_recovery"),
    path("accounts/oidc/", include("accounts.oidc_urls")),  # 404 unless OIDC is configured
]
