"""/api/v1/ routes for correspondence and evidence, nested under their incident."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from records.api import views

nested = SimpleRouter(use_regex_path=False)
nested.register("correspondence", views.CorrespondenceViewSet, basename="incident-correspondence")
nested.register("evidence", views.EvidenceViewSet, basename="incident-evidence")

urlpatterns = [path("incidents/<int:incident_pk>/", include(nested.urls))]
