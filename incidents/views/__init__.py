"""Server-rendered pages. Every incident read goes through ``incidents.selectors`` and every
incident page through ``incidents.permissions.incident_for``; every write through a service."""

from incidents.views.dashboard import dashboard, deadline_list
from incidents.views.documents import document_download, document_upload
from incidents.views.edit import (
    count_new,
    deadline_not_applicable,
    event_correct,
    event_new,
    filing_new,
    request_new,
)
from incidents.views.incidents import incident_detail, incident_list
from incidents.views.tools import notifications, what_if

__all__ = [
    "count_new",
    "dashboard",
    "deadline_list",
    "deadline_not_applicable",
    "document_download",
    "document_upload",
    "event_correct",
    "event_new",
    "filing_new",
    "incident_detail",
    "incident_list",
    "notifications",
    "request_new",
    "what_if",
]
