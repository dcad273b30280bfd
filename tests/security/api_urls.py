"""A tiny API used only to test token scopes, plus the real API docs views, under the CSP."""

from __future__ import annotations

from django.urls import include, path
from drf_spectacular.views import (
    SpectacularAPIView,
    SpectacularRedocView,
    SpectacularSwaggerSplitView,
    SpectacularSwaggerView,
)
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView


class EchoView(APIView):
    """Uses the project's DEFAULT_PERMISSION_CLASSES (IsAuthenticated + TokenScopePermission)."""

    def get(self, request: Request) -> Response:
        return Response({"ok": True})

    def post(self, request: Request) -> Response:
        return Response({"written": True}, status=201)


urlpatterns = [
    path("api/echo/", EchoView.as_view()),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="swagger-ui"),
    path(
        "api/docs-inline/", SpectacularSwaggerView.as_view(url_name="schema"), name="swagger-inline"
    ),
    path("api/redoc/", SpectacularRedocView.as_view(url_name="schema"), name="redoc"),
    path("", include("config.urls")),
]
