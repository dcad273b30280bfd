"""Export URLs, included from config/urls.py with ``path("", include("exports.urls"))``."""

from django.urls import path

from exports import views

app_name = "exports"

urlpatterns = [
    path("incidents/<str:reference>/export/pdf/", views.export_pdf, name="pdf"),
    path("incidents/<str:reference>/export/xlsx/", views.export_xlsx, name="xlsx"),
    path("incidents/<str:reference>/export/csv/", views.export_csv, name="csv"),
    path("incidents/<str:reference>/export/json/", views.export_json, name="json"),
    path(
        "incidents/<str:reference>/export/draft/<str:kind>.docx",
        views.export_draft,
        name="draft",
    ),
    path("exports/jobs/<int:pk>/", views.job_status, name="job"),
    path("exports/jobs/<int:pk>/download/", views.job_download, name="job_download"),
    path("exports/feeds/", views.feeds, name="feeds"),
    path("exports/feeds/<int:pk>/revoke/", views.feed_revoke, name="feed_revoke"),
    path("ics/user/<str:token>.ics", views.ics_user, name="ics_user"),
    path("ics/incident/<str:token>.ics", views.ics_incident, name="ics_incident"),
]
