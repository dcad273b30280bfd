from django.urls import path

from actions import views

urlpatterns = [
    path("incidents/<str:reference>/actions/new/", views.action_new, name="action_new"),
    path("incidents/<str:reference>/actions/suggest/", views.action_suggest, name="action_suggest"),
    path("incidents/<str:reference>/actions/<int:pk>/edit/", views.action_edit, name="action_edit"),
    path(
        "incidents/<str:reference>/actions/<int:pk>/complete/",
        views.action_complete,
        name="action_complete",
    ),
    path(
        "incidents/<str:reference>/actions/<int:pk>/cancel/",
        views.action_cancel,
        name="action_cancel",
    ),
    path(
        "incidents/<str:reference>/actions/<int:pk>/reopen/",
        views.action_reopen,
        name="action_reopen",
    ),
]
