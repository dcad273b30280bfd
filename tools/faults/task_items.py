"""Task reminders in the fault harness: action items whose reminders (the assignment notice) fall
due together with the deadlines' ones and travel the same sweep, claims and senders.

Expected sets are computed from the items and their owners, and compared with what left: e-mail
files (by ``X-Incident-Clock-Reference`` and ``To``), webhook hits (by reminder id) and in-app
notifications (by the task's title, which is unique per item, and the user).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from django.utils import timezone

from actions.models import ActionItem
from incidents.models import Incident, Notification
from reminders.action_items import POLICY_CODE, sync_item
from reminders.models import Reminder, ReminderPolicy

TITLE = "Harness task"


@dataclass
class TaskFixture:
    # item id -> (its "created" reminder id, owner)
    items: dict[int, tuple[int, Any]] = field(default_factory=dict)
    titles: dict[str, int] = field(default_factory=dict)  # item title -> item id

    @property
    def expected_email(self) -> set[tuple[str, str]]:
        return {(f"reminder:{r}", owner.email) for r, owner in self.items.values()}

    @property
    def expected_inapp(self) -> set[tuple[int, int]]:
        return {(item, owner.pk) for item, (_r, owner) in self.items.items()}

    @property
    def reminder_ids(self) -> set[int]:
        return {r for r, _owner in self.items.values()}


def build_tasks(
    incident: Incident, users: list[Any], *, count: int, tag: str, webhook: bool
) -> TaskFixture:
    """``count`` open items, owners spread over ``users``, each with one due reminder: the
    ``action-item`` policy of the harness database has only the assignment notice."""
    ReminderPolicy.objects.update_or_create(
        obligation_code=POLICY_CODE,
        defaults={
            "offsets": ["created"],
            "without_delay_every": "",
            "escalation": [],
            "webhook": webhook,
        },
    )
    now = timezone.now()
    items = ActionItem.objects.bulk_create(
        [
            ActionItem(
                incident=incident,
                title=f"{TITLE} {tag}-{i}",
                owner=users[i % len(users)],
                created_by=users[0],
                due_at=now + timedelta(days=10),
            )
            for i in range(count)
        ]
    )
    fixture = TaskFixture()
    owners = {u.pk: u for u in users}
    for item in ActionItem.objects.filter(incident=incident).select_related("incident"):
        sync_item(item, now)
    created = dict(
        Reminder.objects.filter(action_item__incident=incident, kind="created").values_list(
            "action_item_id", "pk"
        )
    )
    for item in items:
        fixture.items[item.pk] = (created[item.pk], owners[item.owner_id])
        fixture.titles[item.title] = item.pk
    return fixture


def task_notifications(fixture: TaskFixture, incident: Incident) -> Counter[tuple[int, int]]:
    """(item id, user id) of every in-app notification about a harness task."""
    found: Counter[tuple[int, int]] = Counter()
    rows = Notification.objects.filter(incident=incident, title__contains=TITLE).values_list(
        "title", "user_id"
    )
    for title, user_id in rows:
        name = title.rsplit(": ", 1)[-1]
        found[(fixture.titles.get(name, -1), user_id)] += 1
    return found
