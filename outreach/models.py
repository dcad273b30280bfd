"""Notification campaigns (issue 16 item 2): for each deadline that is a notice to the people
affected (outreach/law.py), how they are being notified and how far it has got.

The population is not stored on the campaign: it is read from the incident's latest affected
counts (incidents.AffectedCountRevision, itself append-only), so a revised count reaches the
campaign at once and the page says so. Each batch keeps the population it was recorded against
(``population_at_record``), so what was known when is never rewritten.

Every write goes through outreach.services; django-simple-history feeds the audit chain.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords


class NoticeMethod(models.TextChoices):
    EMAIL = "email", _("e-mail")
    SMS = "sms", _("SMS")
    LETTER = "letter", _("letter")
    # A substitute notice: only with the legal condition stated on the campaign.
    WEBSITE = "website", _("website posting (substitute notice)")


SUBSTITUTE_METHODS = frozenset({NoticeMethod.WEBSITE})


class NoticeCampaign(models.Model):
    """How the people owed one notice deadline are being notified."""

    incident = models.ForeignKey(
        "incidents.Incident",
        on_delete=models.CASCADE,
        related_name="notice_campaigns",
        verbose_name=_("incident"),
    )
    deadline = models.OneToOneField(
        "incidents.Deadline",
        on_delete=models.CASCADE,
        related_name="notice_campaign",
        verbose_name=_("notice deadline"),
    )
    method = models.CharField(_("main method"), max_length=12, choices=NoticeMethod.choices)
    substitute_notice = models.BooleanField(_("substitute notice used"), default=False)
    substitute_reason = models.TextField(
        _("why the condition for substitute notice holds"), blank=True
    )
    notes = models.TextField(_("notes"), blank=True)
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
        verbose_name = _("notification campaign")
        verbose_name_plural = _("notification campaigns")
        ordering = ("incident", "id")
        constraints = [
            models.CheckConstraint(
                condition=Q(substitute_notice=False) | ~Q(substitute_reason=""),
                name="outreach_substitute_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.deadline.code} ({self.get_method_display()})"


class NoticeBatch(models.Model):
    """One batch of notices sent (or one posting) to people of one jurisdiction."""

    campaign = models.ForeignKey(
        NoticeCampaign, on_delete=models.CASCADE, related_name="batches", verbose_name=_("campaign")
    )
    # Denormalised so the audit chain files each batch under its incident.
    incident = models.ForeignKey(
        "incidents.Incident", on_delete=models.CASCADE, related_name="+", verbose_name=_("incident")
    )
    jurisdiction = models.CharField(_("jurisdiction"), max_length=10)
    method = models.CharField(_("method"), max_length=12, choices=NoticeMethod.choices)
    sent_at = models.DateTimeField(_("sent at"))
    count = models.PositiveBigIntegerField(_("sent"))
    failures = models.PositiveBigIntegerField(_("failed or bounced"), default=0)
    failure_note = models.CharField(_("about the failures"), max_length=500, blank=True)
    # Set when the batch took the notified total above the population: why that is right.
    over_population_note = models.CharField(
        _("why more than the population"), max_length=500, blank=True
    )
    population_at_record = models.PositiveBigIntegerField(
        _("population when recorded"), null=True, blank=True
    )
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("notice batch")
        verbose_name_plural = _("notice batches")
        ordering = ("campaign", "sent_at", "id")
        indexes = [models.Index(fields=["campaign", "jurisdiction"], name="outreach_batch_jur")]
        constraints = [
            models.CheckConstraint(condition=Q(count__gte=1), name="outreach_batch_count_positive"),
            models.CheckConstraint(
                condition=Q(failures__lte=F("count")), name="outreach_failures_within_count"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.jurisdiction} {self.count:,} ({self.sent_at:%Y-%m-%d})"

    @property
    def notified(self) -> int:
        return int(self.count) - int(self.failures)
