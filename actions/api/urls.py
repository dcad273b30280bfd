"""/api/v1/ routes for action items (incident ids in URLs, as everywhere in the API)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from actions.api import views

nested = SimpleRouter(use_regex_path=False)
nested.register("actions", views.ActionItemViewSet, basename="incident-action")

urlpatterns = [
    path(
        "actions/mine/",
        views.MyActionItemViewSet.as_view({"get": "list"}),
        name="action-mine",
    ),
    path("incidents/<int:incident_pk>/", include(nested.urls)),
]
