"""Correspondence with regulators and authorities, and evidence with its custody log (issue 16
items 3 and 4).

- ``Correspondence``: one letter, e-mail, call or meeting, in or out, with a regulator from the
  catalogue or an authority named in free text; linked to the request/order events, filings and
  deadlines it concerns. Edited only through ``records.services`` (compare-and-set on
  ``updated_at``); django-simple-history feeds the audit chain.
- ``Evidence``: a file attached to exactly one thing (a timeline event, which includes regulator
  requests and orders, a filing, an action item or a correspondence item). Append-only: the bytes
  and their SHA-256 never change after upload.
- ``CustodyEntry``: who uploaded, viewed, downloaded or exported an evidence item, and when.
  Append-only; each entry is also written to the audit hash chain (``records.signals``).
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class Direction(models.TextChoices):
    INCOMING = "in", _("incoming")
    OUTGOING = "out", _("outgoing")


class Channel(models.TextChoices):
    LETTER = "letter", _("letter")
    EMAIL = "email", _("e-mail")
    CALL = "call", _("call")
    MEETING = "meeting", _("meeting")
    PORTAL = "portal", _("online portal")
    FAX = "fax", _("fax")
    OTHER = "other", _("other")


class Correspondence(models.Model):
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="correspondence",
        verbose_name=_("incident"),
    )
    direction = models.CharField(_("direction"), max_length=3, choices=Direction.choices)
    occurred_at = models.DateTimeField(_("date and time"))
    # The counterpart: a regulator of the catalogue, or an authority named in free text (a court,
    # the police, a foreign agency). Exactly one of the two (constraint below).
    regulator = models.ForeignKey(
        "regulators.Regulator",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("regulator"),
    )
    authority = models.CharField(_("other authority"), max_length=200, blank=True)
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    subject = models.CharField(_("subject"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    reference_number = models.CharField(_("reference number"), max_length=100, blank=True)
    events = models.ManyToManyField(
        "incidents.TimelineEvent",
        blank=True,
        related_name="+",
        verbose_name=_("requests and orders"),
    )
    filings = models.ManyToManyField(
        "incidents.Filing", blank=True, related_name="+", verbose_name=_("filings")
    )
    deadlines = models.ManyToManyField(
        "incidents.Deadline", blank=True, related_name="+", verbose_name=_("deadlines")
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ("occurred_at", "id")
        indexes = [models.Index(fields=["incident", "occurred_at"], name="records_corr_incident")]
        constraints = [
            models.CheckConstraint(
                condition=(Q(regulator__isnull=False) & Q(authority=""))
                | (Q(regulator__isnull=True) & ~Q(authority="")),
                name="records_corr_one_counterpart",
            ),
        ]
        verbose_name = _("correspondence")
        verbose_name_plural = _("correspondence")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.direction}: {self.subject}"

    @property
    def counterpart_key(self) -> str:
        """One thread per counterpart: the regulator's code, or the authority's name."""
        if self.regulator_id is not None:
            return f"regulator:{self.regulator_id}"
        return f"authority:{self.authority.strip().casefold()}"


def _evidence_path(instance: Evidence, filename: str) -> str:
    # Random names: the original name is kept in the row, never used on disk.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{instance.incident_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="evidence",
        verbose_name=_("incident"),
    )
    file = models.FileField(_("file"), upload_to=_evidence_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    description = models.CharField(_("description"), max_length=500, blank=True)
    # What it is attached to: exactly one of these (constraint below). A regulator request or
    # order is a timeline event.
    event = models.ForeignKey(
        "incidents.TimelineEvent",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("timeline event"),
    )
    filing = models.ForeignKey(
        "incidents.Filing",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("filing"),
    )
    action_item = models.ForeignKey(
        "actions.ActionItem",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("action item"),
    )
    correspondence = models.ForeignKey(
        Correspondence,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="attachments",
        verbose_name=_("correspondence"),
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    TARGETS = ("event", "filing", "action_item", "correspondence")

    class Meta:
        ordering = ("uploaded_at", "id")
        indexes = [models.Index(fields=["incident", "uploaded_at"], name="records_evid_incident")]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(event__isnull=False)
                    & Q(filing__isnull=True)
                    & Q(action_item__isnull=True)
                    & Q(correspondence__isnull=True)
                )
                | (
                    Q(event__isnull=True)
                    & Q(filing__isnull=False)
                    & Q(action_item__isnull=True)
                    & Q(correspondence__isnull=True)
                )
                | (
                    Q(event__isnull=True)
                    & Q(filing__isnull=True)
                    & Q(action_item__isnull=False)
                    & Q(correspondence__isnull=True)
                )
                | (
                    Q(event__isnull=True)
                    & Q(filing__isnull=True)
                    & Q(action_item__isnull=True)
                    & Q(correspondence__isnull=False)
                ),
                name="records_evid_one_target",
            ),
        ]
        verbose_name = _("evidence item")
        verbose_name_plural = _("evidence")

    def __str__(self) -> str:
        return self.original_name

    @property
    def target_kind(self) -> str:
        for name in self.TARGETS:
            if getattr(self, f"{name}_id") is not None:
                return name
        return ""

    @property
    def target(self) -> models.Model | None:
        kind = self.target_kind
        return getattr(self, kind) if kind else None


class CustodyAction(models.TextChoices):
    UPLOADED = "uploaded", _("uploaded")
    VIEWED = "viewed", _("viewed")
    DOWNLOADED = "downloaded", _("downloaded")
    EXPORTED = "exported", _("exported")


class CustodyEntry(models.Model):
    """One link of the chain of custody. Never updated or deleted."""

    evidence = models.ForeignKey(
        Evidence, on_delete=models.PROTECT, related_name="custody", verbose_name=_("evidence")
    )
    action = models.CharField(_("action"), max_length=12, choices=CustodyAction.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    actor_repr = models.CharField(_("by"), max_length=150, blank=True)
    at = models.DateTimeField(_("at"), db_index=True)
    ip = models.GenericIPAddressField(_("address"), null=True, blank=True)
    # E.g. {"format": "pdf", "job": 12} for an export, {"via": "api"} for an API download.
    detail = models.JSONField(_("details"), default=dict, blank=True)

    class Meta:
        ordering = ("at", "id")
        indexes = [models.Index(fields=["evidence", "at"], name="records_custody_evidence")]
        verbose_name = _("custody entry")
        verbose_name_plural = _("custody log")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.actor_repr}"
