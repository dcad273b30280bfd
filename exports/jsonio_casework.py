"""The issue-16 parts of the JSON file (action items, notification campaigns, correspondence and
evidence), written and read in one place so exports/jsonio.py only calls in.

Order on import matters: evidence may point at an action item by its position in the file, so
action items come first; all of them before ``incident_imported`` (it plans the reminders).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from exports.jsonio_actions import export_action_items, import_action_items
from exports.jsonio_outreach import export_campaigns, import_campaigns
from exports.jsonio_records import export_records, import_records
from incidents.models import Incident


def export_casework(
    incident: Incident,
    *,
    deadline_key: Any,
    event_key: Any,
    who: Callable[[Any], Any],
    to_text: Callable[[datetime | None], Any],
) -> dict[str, Any]:
    document: dict[str, Any] = {
        "notice_campaigns": export_campaigns(
            incident, deadline_key=deadline_key, who=who, t=to_text
        ),
    }
    document.update(export_records(incident, who=who, to_text=to_text))
    document["action_items"] = export_action_items(
        incident, deadline_key=deadline_key, event_key=event_key, who=who
    )
    return document


def import_casework(
    doc: dict[str, Any],
    incident: Incident,
    *,
    deadlines: Any,
    events: Any,
    user: Any,
    parse_t: Callable[..., Any],
    req_t: Callable[..., Any],
) -> None:
    # Files exported before issue 16 have none of these keys.
    import_action_items(
        incident, doc.get("action_items", []), deadlines=deadlines, events=events, user=user
    )
    import_records(doc, incident, user=user, parse=parse_t)
    import_campaigns(
        doc.get("notice_campaigns", []),
        incident=incident,
        deadlines=deadlines,
        user=user,
        parse_t=parse_t,
        req_t=req_t,
    )
