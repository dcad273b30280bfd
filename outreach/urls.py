from django.urls import path

from outreach import views

app_name = "outreach"

urlpatterns = [
    path(
        "incidents/<str:reference>/notices/<int:deadline_id>/campaign/",
        views.campaign_edit,
        name="campaign",
    ),
    path(
        "incidents/<str:reference>/notices/campaigns/<int:campaign_id>/batches/new/",
        views.batch_new,
        name="batch_new",
    ),
    path(
        "incidents/<str:reference>/notices/batches/<int:batch_id>/failures/",
        views.batch_failures,
        name="batch_failures",
    ),
    path(
        "incidents/<str:reference>/notices/<int:deadline_id>/draft-<str:language>.<str:fmt>",
        views.notice_draft,
        name="draft",
    ),
]
