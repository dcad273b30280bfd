"""Receivers for signals from ``incidents`` (connected once in ``RemindersConfig.ready()``)."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.db.models import Q
from django.db.models.signals import post_migrate
from django.utils import timezone

from actions.models import ActionItem
from actions.signals import action_items_changed
from incidents.models import Deadline, Incident
from incidents.signals import deadlines_changed, reminder_figures_requested
from reminders.action_items import sync_item, sync_items_of
from reminders.models import Reminder, ReminderPolicy, ReminderState
from reminders.services import INCIDENT_CLOSED, reminders_sync_for


def on_deadlines_changed(
    sender: Any,
    *,
    incident: Incident | None = None,
    deadline: Deadline | None = None,
    **kwargs: Any,
) -> None:
    reminders_sync_for(incident=incident, deadline=deadline, answer=False)
    if incident is not None:
        # Closing or reopening an incident (or any whole-incident change) reaches its tasks too.
        sync_items_of(incident, timezone.now())


def on_action_items_changed(sender: Any, *, item: ActionItem, **kwargs: Any) -> None:
    sync_item(item, timezone.now())


def on_reminder_figures_requested(
    sender: Any, *, incident: Incident, **kwargs: Any
) -> dict[str, int]:
    """What closing or reopening ``incident`` touches: its pending reminders, and those that
    closing cancelled (reopening revives them)."""
    reminders = Reminder.objects.filter(
        Q(deadline__incident=incident) | Q(action_item__incident=incident)
    )
    return {
        "pending_reminders": reminders.filter(state=ReminderState.PENDING).count(),
        "cancelled_reminders": reminders.filter(
            state=ReminderState.CANCELLED, cancelled_reason=INCIDENT_CLOSED
        ).count(),
    }


def global_policy_ensure(**kwargs: Any) -> None:
    """The global reminder policy row (created by a migration) exists after ``migrate`` and after
    ``flush`` alike, so a flushed database is the migrated baseline again."""
    ReminderPolicy.objects.get_or_create(obligation_code="")


def connect() -> None:
    post_migrate.connect(
        global_policy_ensure,
        sender=apps.get_app_config("reminders"),
        dispatch_uid="reminders-global-policy",
    )
    deadlines_changed.connect(on_deadlines_changed, dispatch_uid="reminders-sync")
    action_items_changed.connect(on_action_items_changed, dispatch_uid="reminders-task-sync")
    reminder_figures_requested.connect(
        on_reminder_figures_requested, dispatch_uid="reminders-figures"
    )
