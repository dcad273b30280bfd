"""Receivers for signals from ``incidents`` (connected once in ``RemindersConfig.ready()``)."""

from __future__ import annotations

from typing import Any

from incidents.models import Deadline, Incident
from incidents.signals import deadlines_changed
from reminders.services import reminders_sync_for


def on_deadlines_changed(
    sender: Any,
    *,
    incident: Incident | None = None,
    deadline: Deadline | None = None,
    **kwargs: Any,
) -> None:
    reminders_sync_for(incident=incident, deadline=deadline)


def connect() -> None:
    deadlines_changed.connect(on_deadlines_changed, dispatch_uid="reminders-sync")
