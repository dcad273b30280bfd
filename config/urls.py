"""Root URL configuration."""

from django.contrib import admin
from django.urls import include, path

from incidents.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("", include("incidents.urls")),
    path("", include("incidents.exports.urls")),
]
