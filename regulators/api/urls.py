"""/api/v1/ routes for the catalogue and the what-if calculator."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from regulators.api import views

router = SimpleRouter(use_regex_path=False)
router.register("regulators", views.RegulatorViewSet, basename="regulator")
router.register("obligations", views.ObligationViewSet, basename="obligation")
router.register("calendars", views.CalendarViewSet, basename="calendar")

urlpatterns = [
    *router.urls,
    path("what-if/", views.WhatIfView.as_view(), name="what-if"),
]
