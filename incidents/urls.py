from django.urls import path

from incidents import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path(
        "incidents/<str:reference>/filings/<int:filing_id>/documents/new/",
        views.document_upload,
        name="document_upload",
    ),
    path(
        "documents/<int:document_id>/download/", views.document_download, name="document_download"
    ),
    path("deadlines/", views.deadline_list, name="deadline_list"),
    path("incidents/", views.incident_list, name="incident_list"),
    path("incidents/new/", views.incident_new, name="incident_new"),
    path("incidents/<str:reference>/", views.incident_detail, name="incident_detail"),
    path("incidents/<str:reference>/edit/", views.incident_edit, name="incident_edit"),
    path("incidents/<str:reference>/entities/new/", views.entity_new, name="entity_new"),
    path(
        "incidents/<str:reference>/entities/<int:entity_id>/edit/",
        views.entity_edit,
        name="entity_edit",
    ),
    path("incidents/<str:reference>/team/", views.team, name="incident_team"),
    path("incidents/<str:reference>/status/", views.status_change, name="incident_status"),
    path(
        "incidents/<str:reference>/filings/<int:filing_id>/acknowledgement/",
        views.filing_acknowledgement,
        name="filing_acknowledgement",
    ),
    path("incidents/<str:reference>/events/new/", views.event_new, name="event_new"),
    path(
        "incidents/<str:reference>/events/<int:event_id>/correct/",
        views.event_correct,
        name="event_correct",
    ),
    path("incidents/<str:reference>/counts/new/", views.count_new, name="count_new"),
    path("incidents/<str:reference>/filings/new/", views.filing_new, name="filing_new"),
    path(
        "incidents/<str:reference>/filings/<int:filing_id>/withdraw/",
        views.filing_withdraw,
        name="filing_withdraw",
    ),
    path(
        "incidents/<str:reference>/deadlines/<int:deadline_id>/explanation/",
        views.deadline_explanation,
        name="deadline_explanation",
    ),
    path(
        "incidents/<str:reference>/deadlines/<int:deadline_id>/not-applicable/",
        views.deadline_not_applicable,
        name="deadline_not_applicable",
    ),
    path("incidents/<str:reference>/requests/new/", views.request_new, name="request_new"),
    path("what-if/", views.what_if, name="what_if"),
    path("notifications/", views.notifications, name="notifications"),
]
