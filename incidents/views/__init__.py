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
    filing_withdraw,
    request_new,
)
from incidents.views.incident_page import deadline_explanation, incident_detail
from incidents.views.incidents import incident_list
from incidents.views.manage import (
    entity_edit,
    entity_new,
    filing_acknowledgement,
    incident_edit,
    status_change,
    team,
)
from incidents.views.opening import incident_new
from incidents.views.tools import notifications, what_if

__all__ = [
    "count_new",
    "dashboard",
    "deadline_explanation",
    "deadline_list",
    "deadline_not_applicable",
    "document_download",
    "document_upload",
    "entity_edit",
    "entity_new",
    "event_correct",
    "event_new",
    "filing_acknowledgement",
    "filing_new",
    "filing_withdraw",
    "incident_detail",
    "incident_edit",
    "incident_list",
    "incident_new",
    "notifications",
    "request_new",
    "status_change",
    "team",
    "what_if",
]
