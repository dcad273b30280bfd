"""Export bookkeeping: the export log (audit), background export jobs and secret ICS feed tokens.

The tables keep their ``incidents_*`` names from before this app existed (``Meta.db_table``).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from common.zones import default_time_zone
from incidents.models import Incident


class ExportFormat(models.TextChoices):
    PDF = "pdf", "PDF"
    XLSX = "xlsx", "XLSX"
    CSV = "csv", "CSV"
    JSON = "json", "JSON"
    DOCX = "docx", "DOCX"
    ICS = "ics", "ICS"


class ExportVia(models.TextChoices):
    WEB = "web", _("web")
    CLI = "cli", _("command line")
    API = "api", _("API")
    TASK = "task", _("background job")
    FEED = "feed", _("calendar feed")


class ExportLog(models.Model):
    """Who exported what, when, in which format and how big: the audit trail of exports.

    The incident reference and username are copied so the record survives deletions.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("user"),
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    incident = models.ForeignKey(
        Incident,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="export_logs",
        verbose_name=_("incident"),
    )
    incident_reference = models.CharField(_("incident reference"), max_length=20, blank=True)
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    variant = models.CharField(
        _("variant"), max_length=20, blank=True, help_text=_("Draft kind, feed scope, language.")
    )
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    via = models.CharField(_("via"), max_length=8, choices=ExportVia.choices)
    created_at = models.DateTimeField(_("exported at"), auto_now_add=True, db_index=True)

    class Meta:
        db_table = "incidents_exportlog"  # moved from the incidents app; the table stayed
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["incident", "-created_at"])]
        verbose_name = _("export log entry")
        verbose_name_plural = _("export log")

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.username} {self.incident_reference} {self.format}"


class ExportJobStatus(models.TextChoices):
    PENDING = "pending", _("waiting")
    RUNNING = "running", _("running")
    DONE = "done", _("done")
    FAILED = "failed", _("failed")


def _job_path(instance: ExportJob, filename: str) -> str:
    # Random names outside the web root; downloads go through a permission-checked view.
    return f"exports/{instance.incident_id}/{secrets.token_hex(16)}-{filename}"


class ExportJob(models.Model):
    """A large export built by a Celery task (``exports.tasks.export_job_run``)."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="export_jobs")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    format = models.CharField(_("format"), max_length=8, choices=ExportFormat.choices)
    language = models.CharField(_("language"), max_length=5, default="ko")
    time_zone = models.CharField(_("time zone"), max_length=64, default=default_time_zone)
    status = models.CharField(
        _("status"), max_length=10, choices=ExportJobStatus.choices, default=ExportJobStatus.PENDING
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    file = models.FileField(_("file"), upload_to=_job_path, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), null=True, blank=True)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "incidents_exportjob"  # moved from the incidents app; the table stayed
        ordering = ["-created_at", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="exportjob_progress_max_100"
            ),
        ]
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")

    def __str__(self) -> str:
        return f"{self.format} {self.incident_id} {self.status} {self.progress}%"


def _new_token() -> str:
    return secrets.token_urlsafe(32)


class IcsFeedToken(models.Model):
    """A secret, revocable calendar-feed URL for one user: all their deadlines, or one incident's.

    The feed checks at every fetch that the user may still see (and export) the incident(s), so
    removing a member or a role stops the feed as well as revoking the token does.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="ics_tokens"
    )
    incident = models.ForeignKey(
        Incident, on_delete=models.CASCADE, null=True, blank=True, related_name="ics_tokens"
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=_new_token)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)

    class Meta:
        db_table = "incidents_icsfeedtoken"  # moved from the incidents app; the table stayed
        ordering = ["-created_at", "-id"]
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        scope = self.incident.reference if self.incident_id and self.incident else "all"
        return f"{self.user} ({scope})"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None
