"""/api/v1/ routes of the notification campaigns (nested under an incident id)."""

from django.urls import include, path
from rest_framework.routers import SimpleRouter

from outreach.api import views

nested = SimpleRouter(use_regex_path=False)
nested.register(
    "notice-campaigns", views.NoticeCampaignViewSet, basename="incident-notice-campaign"
)
nested.register("notice-batches", views.NoticeBatchViewSet, basename="incident-notice-batch")
nested.register("notice-progress", views.NoticeProgressViewSet, basename="incident-notice-progress")

urlpatterns = [path("incidents/<int:incident_pk>/", include(nested.urls))]
