"""SSO routes under /accounts/oidc/ (404 while OIDC is not configured)."""

from django.urls import path

from accounts.oidc_views import OIDCStartView, oidc_callback

urlpatterns = [
    path("start/", OIDCStartView.as_view(), name="oidc_start"),
    path("callback/", oidc_callback, name="oidc_callback"),
]
