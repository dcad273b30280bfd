"""Action items in the JSON export and import (exports/jsonio.py calls these two functions).

Rows are ``A1``, ``A2``… in primary-key order; they name their deadline and event by the file's
keys (``D3``, ``V7``), and a suggestion key ``deadline:<id>`` is written ``deadline:D3`` so that
it still names the right deadline once the import has given it a new id. Import restores the rows
as they were (status, completion, reasons, authors, times); their reminders are then planned by
the import's ordinary path (``incident_imported`` -> reminders), which is why it runs first.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

from django.utils import timezone

from actions.models import ActionItem, ActionStatus
from exports.errors import ImportRejected
from incidents.models import Deadline, Incident, TimelineEvent

SUGGESTION_PREFIX = "deadline:"


def _t(value: datetime | None) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def _parse_t(value: Any, where: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise ImportRejected(f"{where}: not an ISO 8601 time: {value!r}") from exc
    if timezone.is_naive(parsed):
        raise ImportRejected(f"{where}: time without zone: {value!r}")
    return parsed


def _portable_suggestion(key: str, deadline_key: dict[int, str]) -> str:
    if key.startswith(SUGGESTION_PREFIX) and key[len(SUGGESTION_PREFIX) :].isdigit():
        file_key = deadline_key.get(int(key[len(SUGGESTION_PREFIX) :]))
        if file_key:
            return f"{SUGGESTION_PREFIX}{file_key}"
    return key


def export_action_items(
    incident: Incident,
    *,
    deadline_key: dict[int, str],
    event_key: dict[int, str],
    who: Callable[[Any], str | None],
) -> list[dict[str, Any]]:
    items = ActionItem.objects.filter(incident=incident).select_related("owner", "created_by")
    return [
        {
            "key": f"A{n}",
            "title": item.title,
            "description": item.description,
            "owner": who(item.owner),
            "due_at": _t(item.due_at),
            "status": item.status,
            "deadline": deadline_key.get(item.deadline_id) if item.deadline_id else None,
            "event": event_key.get(item.event_id) if item.event_id else None,
            "suggestion_key": _portable_suggestion(item.suggestion_key, deadline_key),
            "completed_at": _t(item.completed_at),
            "status_reason": item.status_reason,
            "created_by": who(item.created_by),
            "created_at": _t(item.created_at),
            "updated_at": _t(item.updated_at),
        }
        for n, item in enumerate(items.order_by("pk"), start=1)
    ]


def import_action_items(
    incident: Incident,
    rows: list[dict[str, Any]],
    *,
    deadlines: dict[str, Deadline],
    events: dict[str, TimelineEvent],
    user: Callable[[str | None], Any],
) -> list[ActionItem]:
    created: list[ActionItem] = []
    for row in rows:
        where = f"action item {row.get('key')}"
        status = row.get("status", ActionStatus.OPEN)
        if status not in ActionStatus.values:
            raise ImportRejected(f"{where}: unknown status {status!r}")
        if row.get("deadline") and row["deadline"] not in deadlines:
            raise ImportRejected(f"{where}: unknown deadline {row['deadline']!r}")
        if row.get("event") and row["event"] not in events:
            raise ImportRejected(f"{where}: unknown event {row['event']!r}")
        owner, author = user(row["owner"]), user(row["created_by"])
        if owner is None or author is None:
            raise ImportRejected(f"{where}: an owner and an author are required.")
        suggestion = str(row.get("suggestion_key") or "")
        if (
            suggestion.startswith(SUGGESTION_PREFIX)
            and suggestion[len(SUGGESTION_PREFIX) :] in deadlines
        ):
            suggestion = f"{SUGGESTION_PREFIX}{deadlines[suggestion[len(SUGGESTION_PREFIX) :]].pk}"
        item = ActionItem.objects.create(
            incident=incident,
            title=str(row["title"])[:300],
            description=str(row.get("description") or ""),
            owner=owner,
            due_at=_parse_t(row.get("due_at"), where),
            status=status,
            deadline=deadlines[row["deadline"]] if row.get("deadline") else None,
            event=events[row["event"]] if row.get("event") else None,
            suggestion_key=suggestion,
            completed_at=_parse_t(row.get("completed_at"), where),
            status_reason=str(row.get("status_reason") or ""),
            created_by=author,
        )
        # The row's own times, as exported (auto_now and auto_now_add set them to now).
        ActionItem.objects.filter(pk=item.pk).update(
            created_at=_parse_t(row.get("created_at"), where) or item.created_at,
            updated_at=_parse_t(row.get("updated_at"), where) or item.updated_at,
        )
        created.append(item)
    return created
