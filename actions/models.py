"""Action items (issue 16 item 1): the work an incident needs, each with an owner and a due time.

An item may answer a deadline (``deadline``: "prepare the KISA report") or a regulator request or
order recorded on the timeline (``event``). Every write goes through ``actions.services``; the
row's version (``updated_at``, common/concurrency.py) lets a client detect a concurrent change.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class ActionStatus(models.TextChoices):
    OPEN = "open", _("open")
    DONE = "done", _("done")
    CANCELLED = "cancelled", _("cancelled")


class ActionItem(models.Model):
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="action_items",
        verbose_name=_("incident"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="action_items",
        verbose_name=_("owner"),
    )
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=ActionStatus.choices, default=ActionStatus.OPEN
    )
    # What the item answers, if anything: a deadline, or a regulator request or order event.
    deadline = models.ForeignKey(
        "incidents.Deadline",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("deadline"),
    )
    event = models.ForeignKey(
        "incidents.TimelineEvent",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="action_items",
        verbose_name=_("request or order"),
    )
    # "Suggested from a deadline": which suggestion created it (empty when written by hand), so
    # the same suggestion is not offered twice.
    suggestion_key = models.CharField(_("suggestion"), max_length=120, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    status_reason = models.TextField(_("reason"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("action item")
        verbose_name_plural = _("action items")
        ordering = ("due_at", "id")
        indexes = [
            models.Index(fields=["owner", "status", "due_at"], name="action_owner_status_due"),
            models.Index(fields=["incident", "status", "due_at"], name="action_incident_status"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["incident", "suggestion_key"],
                condition=~Q(suggestion_key=""),
                name="action_unique_suggestion",
            ),
            models.CheckConstraint(
                condition=Q(status="done", completed_at__isnull=False) | ~Q(status="done"),
                name="action_done_has_completed_at",
            ),
        ]

    def __str__(self) -> str:
        return self.title
