"""Receivers for signals from ``incidents`` (connected once in ``RemindersConfig.ready()``)."""

from __future__ import annotations

from typing import Any

from incidents.models import Deadline, Incident
from incidents.signals import deadlines_changed, reminder_figures_requested
from reminders.models import Reminder, ReminderState
from reminders.services import INCIDENT_CLOSED, reminders_sync_for


def on_deadlines_changed(
    sender: Any,
    *,
    incident: Incident | None = None,
    deadline: Deadline | None = None,
    **kwargs: Any,
) -> None:
    reminders_sync_for(incident=incident, deadline=deadline)


def on_reminder_figures_requested(
    sender: Any, *, incident: Incident, **kwargs: Any
) -> dict[str, int]:
    """What closing or reopening ``incident`` touches: its pending reminders, and those that
    closing cancelled (reopening revives them)."""
    reminders = Reminder.objects.filter(deadline__incident=incident)
    return {
        "pending_reminders": reminders.filter(state=ReminderState.PENDING).count(),
        "cancelled_reminders": reminders.filter(
            state=ReminderState.CANCELLED, cancelled_reason=INCIDENT_CLOSED
        ).count(),
    }


def connect() -> None:
    deadlines_changed.connect(on_deadlines_changed, dispatch_uid="reminders-sync")
    reminder_figures_requested.connect(
        on_reminder_figures_requested, dispatch_uid="reminders-figures"
    )
