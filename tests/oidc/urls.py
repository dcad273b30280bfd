"""Test-only URLconf: the application plus a real OpenID provider (django-oauth-toolkit) at /o/."""

from django.urls import include, path

from config.urls import urlpatterns as app_urlpatterns

urlpatterns = [
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    *app_urlpatterns,
]
