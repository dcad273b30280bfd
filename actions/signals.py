"""Signals ``actions`` sends so that apps above it (reminders) follow its changes without being
imported here.

``action_items_changed`` is sent, inside the writer's transaction, after an action item was
created, edited, completed, cancelled or reopened (``item=``). reminders keeps the item's
reminder schedule in step (reminders/receivers.py), like ``incidents.signals.deadlines_changed``.
"""

from __future__ import annotations

from django.dispatch import Signal

action_items_changed = Signal()
