"""Root URL configuration."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
)

from accounts.middleware import admin_login
from common.api.errors import api_not_found
from incidents.health import healthz

urlpatterns = [
    path("healthz", healthz, name="healthz"),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's own login form would skip the second factor: send it to /accounts/login/.
    path("admin/login/", admin_login, name="admin_login_redirect"),
    path("admin/", admin.site.urls),
    path("api/v1/", include("incidents.api.urls")),
    path("api/v1/", include("actions.api.urls")),
    path("api/v1/", include("regulators.api.urls")),
    path("api/v1/", include("search.api_urls")),
    path("api/v1/", include("records.api.urls")),
    path("api/v1/", include("outreach.api.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="api-schema"), name="api-redoc"),
    re_path(r"^api/", api_not_found),
    path("", include("accounts.urls")),
    path("", include("incidents.urls")),
    path("", include("actions.urls")),
    path("", include("exports.urls")),
    path("", include("records.urls")),
    path("", include("search.urls")),
    path("", include("audit.urls")),
    path("", include("outreach.urls")),
]
