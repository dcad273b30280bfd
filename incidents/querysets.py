"""Chainable, side-effect-free QuerySets of the incidents models (``as_manager()`` in models.py)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import models

from incidents.choices import DeadlineStatus

if TYPE_CHECKING:
    from incidents.models import Deadline, TimelineEvent  # noqa: F401  (annotations only)


class TimelineEventQuerySet(models.QuerySet["TimelineEvent"]):
    def current(self) -> TimelineEventQuerySet:
        """Events that no later correction has superseded."""
        return self.filter(superseded_by__isnull=True)


class DeadlineQuerySet(models.QuerySet["Deadline"]):
    def open(self) -> DeadlineQuerySet:
        return self.filter(status=DeadlineStatus.OPEN)

    def due_by(self, when: object) -> DeadlineQuerySet:
        return self.open().filter(due_at__lte=when)

    def by_urgency(self) -> DeadlineQuerySet:
        # Soonest legal due time first; "without delay" (no due time) after those with one.
        return self.order_by(models.F("due_at").asc(nulls_last=True), "id")
