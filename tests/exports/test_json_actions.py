"""Action items in the JSON export: by file keys, restored as they were, round trip identical."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from actions import services
from actions.models import ActionItem, ActionStatus
from exports.jsonio import export_json_bytes, import_json_bytes
from incidents.models import Deadline, TimelineEvent
from reminders.models import Reminder, ReminderState
from tests.exports.test_json import _purge, _strip

pytestmark = pytest.mark.django_db


@pytest.fixture
def with_items(rich_incident, alice, bob):
    deadline = Deadline.objects.filter(incident=rich_incident, status="open").first()
    services.action_items_create_suggested(incident=rich_incident, by=alice)
    open_item = services.action_item_create(
        incident=rich_incident,
        title="방화벽 로그 수집",
        owner=bob,
        created_by=alice,
        due_at=datetime(2030, 1, 2, 3, 4, tzinfo=UTC),
        deadline=deadline,
        description="line one\nline two",
    )
    done = services.action_item_create(
        incident=rich_incident, title="Brief the board", owner=alice, created_by=alice
    )
    services.action_item_complete(item=done, by=alice)
    cancelled = services.action_item_create(
        incident=rich_incident, title="Call the vendor", owner=alice, created_by=alice
    )
    services.action_item_cancel(item=cancelled, by=alice, reason="vendor called us")
    return rich_incident, open_item


def test_the_export_lists_items_by_file_keys(with_items):
    incident, _open_item = with_items
    document = json.loads(export_json_bytes(incident, exported_by="alice"))
    rows = document["action_items"]
    assert [r["key"] for r in rows] == [f"A{n}" for n in range(1, len(rows) + 1)]
    mine = next(r for r in rows if r["title"] == "방화벽 로그 수집")
    assert mine["owner"] == "bob"
    assert mine["deadline"].startswith("D")
    assert mine["due_at"] == "2030-01-02T03:04:00Z"
    suggested = [r for r in rows if r["suggestion_key"]]
    assert suggested
    assert all(r["suggestion_key"].startswith("deadline:D") for r in suggested)
    assert {r["status"] for r in rows} == {"open", "done", "cancelled"}


def test_round_trip_with_action_items_is_identical(with_items):
    incident, _item = with_items
    first = export_json_bytes(incident, exported_by="alice")
    _purge(incident)
    imported, _created = import_json_bytes(first)
    second = export_json_bytes(imported, exported_by="someone else")
    assert _strip(json.loads(first)) == _strip(json.loads(second))
    # Restored, not re-recorded: statuses, reasons and suggestion keys point at the new rows.
    cancelled = ActionItem.objects.get(incident=imported, title="Call the vendor")
    assert (cancelled.status, cancelled.status_reason) == (
        ActionStatus.CANCELLED,
        "vendor called us",
    )
    assert services.action_suggestions_for(incident=imported) == []
    # The open items' reminders are planned by the import's ordinary path.
    open_item = ActionItem.objects.get(incident=imported, title="방화벽 로그 수집")
    assert Reminder.objects.filter(action_item=open_item, state=ReminderState.PENDING).exists()


def test_an_item_naming_an_unknown_deadline_is_rejected(with_items):
    from exports.errors import ImportRejected

    incident, _item = with_items
    document = json.loads(export_json_bytes(incident, exported_by="alice"))
    document["action_items"][0]["deadline"] = "D999"
    _purge(incident)
    with pytest.raises(ImportRejected):
        import_json_bytes(json.dumps(document).encode())


def test_a_file_without_action_items_still_imports(rich_incident):
    document = json.loads(export_json_bytes(rich_incident, exported_by="alice"))
    del document["action_items"]
    _purge(rich_incident)
    imported, _created = import_json_bytes(json.dumps(document).encode())
    assert not ActionItem.objects.filter(incident=imported).exists()
    assert TimelineEvent.objects.filter(incident=imported).exists()
