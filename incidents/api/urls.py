"""/api/v1/ routes for incidents and what hangs off them (ids in URLs, `reference` in bodies)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from incidents.api import manage, views

router = SimpleRouter(use_regex_path=False)
router.register("incidents", manage.IncidentViewSet, basename="incident")
router.register("notifications", views.NotificationViewSet, basename="notification")

nested = SimpleRouter(use_regex_path=False)
nested.register("entities", manage.LegalEntityViewSet, basename="incident-entity")
nested.register("members", manage.MemberViewSet, basename="incident-member")
nested.register("events", views.TimelineEventViewSet, basename="incident-event")
nested.register("deadlines", views.DeadlineViewSet, basename="incident-deadline")
nested.register("filings", manage.FilingViewSet, basename="incident-filing")
nested.register("count-revisions", views.CountRevisionViewSet, basename="incident-count-revision")

urlpatterns = [
    *router.urls,
    path("incidents/<int:incident_pk>/", include(nested.urls)),
]
