"""The facts of an incident: who is involved, what happened when, what is due and what was filed.

Timeline events are append-only: a correction is a new event that supersedes the old one. Writes go
through ``incidents.services``; models hold no business logic beyond invariants.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.core.validators import RegexValidator
from django.db import models
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from common.zones import default_time_zone
from incidents.choices import (
    STATUS_TRANSITIONS,
    Applicability,
    DeadlineStatus,
    DoraEntityType,
    EventKind,
    FilingPrecision,
    IncidentStatus,
    Severity,
)
from incidents.labels import fast_display
from incidents.querysets import DeadlineQuerySet, TimelineEventQuerySet
from regulators.engine.vocabulary import Confidence, Precision
from regulators.models import CONFIDENCE_CHOICES, PRECISION_CHOICES, Obligation, Regulator
from regulators.validators import validate_time_zone

# One pattern for hand-given references (docs/api.md); the automatic ones are INC-<year>-<n>,
# n zero-padded to at least four digits and growing past 9,999 (incidents/references.py).
REFERENCE_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$"
validate_reference_shape = RegexValidator(
    REFERENCE_PATTERN,
    _("Use 1 to 20 letters, digits and hyphens, starting with a letter or a digit."),
    code="invalid_reference",
)


class Profile(models.Model):
    """Per-user preferences used by pages, e-mails and reminders."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile"
    )
    language = models.CharField(
        _("language"), max_length=5, choices=settings.LANGUAGES, default="ko"
    )
    time_zone = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )

    class Meta:
        verbose_name = _("profile")
        verbose_name_plural = _("profiles")

    def __str__(self) -> str:
        return f"{self.user} ({self.language}, {self.time_zone})"


class Incident(models.Model):
    """A security or privacy incident and the facts that decide which laws apply."""

    reference = models.CharField(
        _("reference"),
        max_length=20,
        unique=True,
        validators=[validate_reference_shape],
        help_text=_(
            "Leave empty for the next INC-<year>-NNNN (four digits or more). A hand-given "
            "reference is 1 to 20 letters, digits and hyphens; it may take the INC-<year>-NNNN "
            "shape only for a number not yet used."
        ),
    )
    title = models.CharField(_("title"), max_length=300)
    summary = models.TextField(_("summary"), blank=True)
    severity = models.CharField(
        _("severity"), max_length=10, choices=Severity.choices, default=Severity.HIGH
    )
    status = models.CharField(
        _("status"), max_length=12, choices=IncidentStatus.choices, default=IncidentStatus.OPEN
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="owned_incidents",
        verbose_name=_("owner"),
    )
    team = models.CharField(_("team"), max_length=200, blank=True)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        through="Membership",
        related_name="incidents",
        verbose_name=_("members"),
    )
    data_categories = models.JSONField(_("data categories"), default=list, blank=True)
    external_attack = models.BooleanField(_("external attack (hacking)"), null=True, blank=True)
    sensitive_data = models.BooleanField(_("sensitive data involved"), null=True, blank=True)
    unique_identifiers = models.BooleanField(
        _("unique identifiers involved"), null=True, blank=True
    )
    extra_facts = models.JSONField(
        _("other facts"),
        default=dict,
        blank=True,
        help_text=_('Further facts for applicability, e.g. {"high_risk": true}.'),
    )
    is_reconstruction = models.BooleanField(
        _("reconstruction from public reporting"), default=False
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    history = HistoricalRecords()

    # Shown on every row: labels translated once per language (incidents/labels.py).
    get_severity_display = fast_display("severity")
    get_status_display = fast_display("status")

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["status", "severity"])]
        verbose_name = _("incident")
        verbose_name_plural = _("incidents")

    def __str__(self) -> str:
        return f"{self.reference} {self.title}"


class Membership(models.Model):
    """Need-to-know: a user may see an incident only as its owner, a member or an admin."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    added_at = models.DateTimeField(_("added"), auto_now_add=True)
    history = HistoricalRecords()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["incident", "user"], name="membership_unique"),
        ]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} in {self.incident_id}"


class LegalEntity(models.Model):
    """A company involved in the incident, with the facts that decide which laws oblige it.

    One incident can oblige a Korean operating company (KISA, PIPC) and its US-listed parent
    (SEC 8-K) at once, so applicability is evaluated per entity.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="entities")
    name = models.CharField(_("name"), max_length=200)
    name_local = models.CharField(_("local name"), max_length=200, blank=True)
    country = models.CharField(_("country"), max_length=2)
    role = models.CharField(_("role in the incident"), max_length=200, blank=True)
    ict_service_provider = models.BooleanField(
        _("ICT service provider (KR)"), null=True, blank=True
    )
    sec_registrant = models.BooleanField(_("SEC registrant"), null=True, blank=True)
    hipaa_covered_entity = models.BooleanField(_("HIPAA covered entity"), null=True, blank=True)
    eu_financial_entity = models.BooleanField(
        _("EU financial entity (DORA)"), null=True, blank=True
    )
    nis2_entity = models.BooleanField(
        _("NIS2 essential or important entity"), null=True, blank=True
    )
    kr_financial_company = models.BooleanField(_("Korean financial company"), null=True, blank=True)
    credit_information_company = models.BooleanField(
        _("credit information company"), null=True, blank=True
    )
    app_entity_au = models.BooleanField(_("Australian APP entity"), null=True, blank=True)
    dora_entity_type = models.CharField(
        _("DORA entity type"),
        max_length=24,
        choices=DoraEntityType.choices,
        blank=True,
        help_text=_(
            "Decides the DORA weekend relief (RTS 2025/301 Art. 5(5)); empty means unknown."
        ),
    )
    jurisdictions = models.JSONField(
        _("jurisdictions"), default=list, blank=True, help_text=_('e.g. ["KR", "US", "EU"]')
    )
    reference_tz = models.CharField(
        _("time zone"), max_length=64, default=default_time_zone, validators=[validate_time_zone]
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["incident", "name"]
        constraints = [
            models.UniqueConstraint(fields=["incident", "name"], name="entity_unique_name"),
        ]
        verbose_name = _("legal entity")
        verbose_name_plural = _("legal entities")

    def __str__(self) -> str:
        return self.name


class AffectedCountRevision(models.Model):
    """A count of affected people in one jurisdiction as of a moment, with its source.

    Counts are revised (4,536 -> 33.7 million); the latest ``as_of`` per jurisdiction is current.
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="count_revisions")
    jurisdiction = models.CharField(
        _("jurisdiction"), max_length=10, help_text=_("Country code, or US-CA style for states")
    )
    count = models.PositiveBigIntegerField(_("count"))
    as_of = models.DateTimeField(_("as of"))
    source = models.CharField(_("source"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    class Meta:
        ordering = ["incident", "jurisdiction", "as_of"]
        indexes = [models.Index(fields=["incident", "jurisdiction", "-as_of"])]
        verbose_name = _("affected count revision")
        verbose_name_plural = _("affected count revisions")

    def __str__(self) -> str:
        return f"{self.jurisdiction}: {self.count:,} ({self.as_of:%Y-%m-%d})"


class TimelineEvent(models.Model):
    """Something that happened. Append-only: corrections supersede, they never edit."""

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("kind"), max_length=32, choices=EventKind.choices)
    occurred_at = models.DateTimeField(_("occurred at"))
    precision = models.CharField(
        _("precision"), max_length=12, choices=PRECISION_CHOICES, default=Precision.EXACT
    )
    entered_tz = models.CharField(
        _("time zone entered in"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
    )
    legal_entity = models.ForeignKey(
        LegalEntity,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="events",
        verbose_name=_("legal entity"),
    )
    title = models.CharField(_("title"), max_length=300)
    description = models.TextField(_("description"), blank=True)
    source_title = models.CharField(_("source"), max_length=300, blank=True)
    source_url = models.URLField(_("source URL"), max_length=500, blank=True)
    confidence = models.CharField(
        _("confidence"), max_length=12, choices=CONFIDENCE_CHOICES, default=Confidence.HIGH
    )
    basis = models.CharField(
        _("basis"),
        max_length=20,
        blank=True,
        help_text=_("Whose position this is, e.g. 'company' or 'investigators'."),
    )
    data = models.JSONField(_("details"), default=dict, blank=True)
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
        verbose_name=_("supersedes"),
    )
    correction_reason = models.CharField(_("reason for correction"), max_length=500, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    recorded_at = models.DateTimeField(_("recorded"), auto_now_add=True)

    objects = TimelineEventQuerySet.as_manager()

    # Shown on every row: labels translated once per language (incidents/labels.py).
    get_kind_display = fast_display("kind")
    get_precision_display = fast_display("precision")
    get_confidence_display = fast_display("confidence")

    class Meta:
        ordering = ["occurred_at", "id"]
        indexes = [
            models.Index(fields=["incident", "occurred_at"]),
            models.Index(fields=["incident", "kind"]),
            # The dashboard's "recent activity" reads the newest records first.
            models.Index(fields=["-recorded_at", "-id"], name="event_recent_idx"),
        ]
        verbose_name = _("timeline event")
        verbose_name_plural = _("timeline events")

    def __str__(self) -> str:
        return f"{self.occurred_at:%Y-%m-%d %H:%M} {self.get_kind_display()}: {self.title}"

    @property
    def is_superseded(self) -> bool:
        return hasattr(self, "superseded_by")


class Deadline(models.Model):
    """What one legal entity owes under one obligation (or an ad hoc regulator request).

    ``trigger_key`` distinguishes clocks of the same obligation started by different events
    (each newly confirmed fact starts its own supplementary-report clock).
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="deadlines")
    legal_entity = models.ForeignKey(
        LegalEntity, on_delete=models.CASCADE, related_name="deadlines"
    )
    obligation = models.ForeignKey(
        Obligation, on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )
    code = models.CharField(_("rule code"), max_length=60)
    trigger_key = models.CharField(max_length=40, blank=True, default="")
    title = models.CharField(_("title"), max_length=300)
    regulator = models.ForeignKey(
        Regulator, on_delete=models.PROTECT, null=True, blank=True, related_name="deadlines"
    )
    trigger_event = models.ForeignKey(
        TimelineEvent, on_delete=models.SET_NULL, null=True, blank=True, related_name="deadlines"
    )
    # Follow-up clocks started by a raised count link to the revision that started them.
    trigger_revision = models.ForeignKey(
        AffectedCountRevision,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deadlines",
        verbose_name=_("count revision"),
    )
    trigger_at = models.DateTimeField(_("trigger"), null=True, blank=True)
    due_at = models.DateTimeField(_("due"), null=True, blank=True, db_index=True)
    without_delay = models.BooleanField(_("without delay"), default=False)
    internal_target_at = models.DateTimeField(_("internal target"), null=True, blank=True)
    explanation = models.JSONField(_("explanation"), default=list, blank=True)
    adhoc_spec = models.JSONField(_("ad hoc period"), default=dict, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=DeadlineStatus.choices, default=DeadlineStatus.OPEN
    )
    applicability = models.CharField(
        _("applicability"),
        max_length=16,
        choices=Applicability.choices,
        default=Applicability.APPLIES,
    )
    applicability_reasons = models.JSONField(default=list, blank=True)
    not_applicable_reason = models.TextField(_("justification (not applicable)"), blank=True)
    not_applicable_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    not_applicable_at = models.DateTimeField(null=True, blank=True)
    # Verdict frozen at filing: later catalogue or calendar edits never rewrite it.
    filed_at = models.DateTimeField(_("first filed"), null=True, blank=True)
    late_by_seconds = models.BigIntegerField(_("late by (seconds)"), null=True, blank=True)
    # Latest possible time of the first filing: equals filed_at unless the earliest filing is
    # known only by its date (then the verdict may be "uncertain").
    filed_latest_at = models.DateTimeField(_("first filed, at the latest"), null=True, blank=True)
    verdict = models.CharField(_("verdict"), max_length=20, blank=True)
    verdict_frozen_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    history = HistoricalRecords()

    objects = DeadlineQuerySet.as_manager()

    # Shown on every row: labels translated once per language (incidents/labels.py).
    get_status_display = fast_display("status")
    get_applicability_display = fast_display("applicability")

    class Meta:
        ordering = ["due_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["legal_entity", "code", "trigger_key"], name="deadline_unique_clock"
            ),
        ]
        indexes = [
            # Most urgent first: open deadlines by due time, id as the tie-breaker.
            models.Index(fields=["status", "due_at", "id"], name="deadline_urgency_idx"),
            # The dashboard's "answers owed to regulators" (a few rule codes among the open ones):
            # without it PostgreSQL scans the whole unique-clock index (issue 20).
            models.Index(fields=["code", "status", "due_at"], name="deadline_code_status_idx"),
            models.Index(fields=["incident", "status"]),
            # The number of open deadlines an admin's deadline list shows above its first page:
            # counted from this narrow index alone, in about half the time (issue 20).
            models.Index(
                fields=["id"], name="deadline_open_count_idx", condition=models.Q(status="open")
            ),
        ]
        verbose_name = _("deadline")
        verbose_name_plural = _("deadlines")

    def __str__(self) -> str:
        return f"{self.code} / {self.legal_entity_id} due {self.due_at}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        if (
            self.code
            and self.code != "regulator-request"
            and not Obligation.objects.filter(code=self.code).exists()
        ):
            raise ValidationError({"code": _("Unknown rule code %(code)s.") % {"code": self.code}})
        if (
            self.legal_entity_id
            and self.incident_id
            and self.legal_entity.incident_id != self.incident_id
        ):
            raise ValidationError(
                {"legal_entity": _("That legal entity belongs to another incident.")}
            )


class DeadlineAlternative(models.Model):
    """The same deadline under another party's trigger (company vs investigators)."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="alternatives")
    basis = models.CharField(_("basis"), max_length=20)
    trigger_event = models.ForeignKey(
        TimelineEvent, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    trigger_at = models.DateTimeField(_("trigger"))
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    explanation = models.JSONField(default=list, blank=True)
    verdict = models.CharField(_("verdict"), max_length=20, blank=True)
    late_by_seconds = models.BigIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["deadline", "basis"], name="alternative_unique_basis"),
        ]
        verbose_name = _("alternative trigger")
        verbose_name_plural = _("alternative triggers")

    def __str__(self) -> str:
        return f"{self.deadline_id} ({self.basis})"


class DeadlineRecomputation(models.Model):
    """A recorded change of due time or verdict: old, new, why and who."""

    deadline = models.ForeignKey(Deadline, on_delete=models.CASCADE, related_name="recomputations")
    old_due_at = models.DateTimeField(null=True, blank=True)
    new_due_at = models.DateTimeField(null=True, blank=True)
    old_verdict = models.CharField(max_length=20, blank=True)
    new_verdict = models.CharField(max_length=20, blank=True)
    reason = models.CharField(_("reason"), max_length=500)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    changed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "changed_at"]
        verbose_name = _("deadline recomputation")
        verbose_name_plural = _("deadline recomputations")

    def __str__(self) -> str:
        return f"{self.deadline_id}: {self.old_due_at} -> {self.new_due_at}"


class Filing(models.Model):
    """A report or notice actually submitted; several filings may answer one deadline.

    Never deleted: a filing recorded in error is withdrawn with a reason (``withdrawn_at``) and
    the deadline's verdict is recomputed from the remaining filings (incidents/filings.py).
    """

    incident = models.ForeignKey(Incident, on_delete=models.CASCADE, related_name="filings")
    deadline = models.ForeignKey(
        Deadline, on_delete=models.PROTECT, null=True, blank=True, related_name="filings"
    )
    legal_entity = models.ForeignKey(
        LegalEntity, on_delete=models.PROTECT, null=True, blank=True, related_name="filings"
    )
    regulator = models.ForeignKey(
        Regulator, on_delete=models.PROTECT, null=True, blank=True, related_name="filings"
    )
    recipient = models.CharField(_("recipient"), max_length=200)
    submitted_at = models.DateTimeField(
        _("submitted at"), help_text=_("For a date-only filing: 00:00 that day in its zone.")
    )
    precision = models.CharField(
        _("precision"),
        max_length=12,
        choices=FilingPrecision.choices,
        default=FilingPrecision.EXACT,
    )
    entered_tz = models.CharField(
        _("time zone entered in"),
        max_length=64,
        default=default_time_zone,
        validators=[validate_time_zone],
        help_text=_("The zone whose calendar day a date-only filing names."),
    )
    channel = models.CharField(_("channel"), max_length=100, blank=True)
    reference_number = models.CharField(_("reference number"), max_length=100, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    acknowledged_at = models.DateTimeField(_("acknowledged at"), null=True, blank=True)
    acknowledgement = models.CharField(_("acknowledgement"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    recorded_at = models.DateTimeField(auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=500, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["submitted_at", "id"]
        indexes = [models.Index(fields=["incident", "submitted_at"])]
        verbose_name = _("filing")
        verbose_name_plural = _("filings")

    def __str__(self) -> str:
        return f"{self.recipient} {self.submitted_at:%Y-%m-%d %H:%M}"


def _document_path(instance: FilingDocument, filename: str) -> str:
    # Random names: the original name is kept in the row, never used on disk.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"documents/{instance.filing.incident_id}/{uuid.uuid4().hex}{suffix}"


class FilingDocument(models.Model):
    """A document attached to a filing, served only through a permission-checked view."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(_("file"), upload_to=_document_path)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("content type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("filing document")
        verbose_name_plural = _("filing documents")

    def __str__(self) -> str:
        return self.original_name


__all__ = [
    "REFERENCE_PATTERN",
    "STATUS_TRANSITIONS",
    "AffectedCountRevision",
    "Applicability",
    "Deadline",
    "DeadlineAlternative",
    "DeadlineQuerySet",
    "DeadlineRecomputation",
    "DeadlineStatus",
    "EventKind",
    "Filing",
    "FilingDocument",
    "FilingPrecision",
    "Incident",
    "IncidentStatus",
    "LegalEntity",
    "Membership",
    "Notification",
    "Profile",
    "ReferenceCounter",
    "Severity",
    "TimelineEvent",
    "TimelineEventQuerySet",
]


# Two models of this app live in their own modules: the per-year reference counter
# (incidents/references.py uses it) and in-app notifications (reminders/ writes them).
from incidents.counters import ReferenceCounter  # noqa: E402
from incidents.notifications import Notification  # noqa: E402
