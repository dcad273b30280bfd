from django.urls import path

from records import views

urlpatterns = [
    path(
        "incidents/<str:reference>/correspondence/new/",
        views.correspondence_new,
        name="correspondence_new",
    ),
    path(
        "incidents/<str:reference>/correspondence/<int:correspondence_id>/edit/",
        views.correspondence_edit,
        name="correspondence_edit",
    ),
    path("incidents/<str:reference>/evidence/new/", views.evidence_new, name="evidence_new"),
    path("evidence/<int:evidence_id>/", views.evidence_detail, name="evidence_detail"),
    path("evidence/<int:evidence_id>/download/", views.evidence_download, name="evidence_download"),
]
