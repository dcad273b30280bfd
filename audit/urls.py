from django.urls import path

from audit import views

urlpatterns = [
    path("incidents/<str:reference>/audit/", views.incident_trail, name="incident_audit"),
    path(
        "incidents/<str:reference>/audit/verify/",
        views.incident_trail_verify,
        name="incident_audit_verify",
    ),
]
