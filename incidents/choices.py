"""The incidents app's choices: severities, statuses and their allowed moves, event kinds,
deadline states and applicability. Kept apart from the models so ``models.py`` stays readable;
``incidents.models`` imports them for its fields (both import paths name the same objects)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    LOW = "low", _("low")
    MEDIUM = "medium", _("medium")
    HIGH = "high", _("high")
    CRITICAL = "critical", _("critical")


class IncidentStatus(models.TextChoices):
    OPEN = "open", _("open (investigating)")
    CONTAINED = "contained", _("contained")
    REPORTING = "reporting", _("reporting")
    MONITORING = "monitoring", _("monitoring")
    CLOSED = "closed", _("closed")


# Allowed status moves; a closed incident can be reopened to "open" only.
STATUS_TRANSITIONS: dict[str, set[str]] = {
    IncidentStatus.OPEN: {
        IncidentStatus.CONTAINED,
        IncidentStatus.REPORTING,
        IncidentStatus.CLOSED,
    },
    IncidentStatus.CONTAINED: {
        IncidentStatus.REPORTING,
        IncidentStatus.MONITORING,
        IncidentStatus.OPEN,
    },
    IncidentStatus.REPORTING: {
        IncidentStatus.MONITORING,
        IncidentStatus.CONTAINED,
        IncidentStatus.CLOSED,
    },
    IncidentStatus.MONITORING: {IncidentStatus.CLOSED, IncidentStatus.REPORTING},
    IncidentStatus.CLOSED: {IncidentStatus.OPEN},
}


class EventKind(models.TextChoices):
    DETECTION = "detection", _("detection")
    UNAUTHORISED_ACCESS = "unauthorised_access", _("unauthorised access")
    AWARENESS = "awareness", _("awareness")
    CONTAINMENT = "containment", _("containment")
    REGULATOR_REPORT = "regulator_report", _("regulator report")
    REGULATOR_REQUEST = "regulator_request", _("regulator request")
    DATA_SUBJECT_NOTICE = "data_subject_notice", _("data-subject notice")
    PUBLIC_DISCLOSURE = "public_disclosure", _("public disclosure")
    EXECUTIVE_RESIGNATION = "executive_resignation", _("executive resignation")
    INVESTIGATION_MILESTONE = "investigation_milestone", _("investigation milestone")
    MATERIALITY_DETERMINATION = "materiality_determination", _("materiality determination")
    CLASSIFICATION_MAJOR = "classification_major", _("classified as major")
    ASSESSMENT = "assessment", _("assessed as notifiable")
    NEW_FACT = "new_fact", _("newly confirmed fact")
    COUNT_REVISION = "count_revision", _("count revision")
    LAW_ENFORCEMENT = "law_enforcement", _("law enforcement")
    BOARD = "board", _("board")
    PRESS = "press", _("press")
    PENALTY = "penalty", _("penalty")
    LITIGATION = "litigation", _("litigation")
    NOTE = "note", _("note")
    # Investigation milestones (issue #14): each regulator order, inspection, announcement and
    # result is a kind of its own; the orders start the catalogue's answer clocks.
    PRESERVATION_ORDER = "preservation_order", _("MSIT preservation order")
    MATERIALS_REQUEST = "materials_request", _("MSIT request for materials")
    PIPC_MATERIALS_REQUEST = "pipc_materials_request", _("PIPC request for materials")
    ONSITE_INSPECTION = "onsite_inspection", _("PIPC on-site inspection")
    CORRECTIVE_ORDER = "corrective_order", _("MSIT corrective order")
    PIPC_CORRECTIVE_ORDER = "pipc_corrective_order", _("PIPC corrective order")
    PENALTY_NOTICE = "penalty_notice", _("penalty or fine notice received")
    INTERIM_ANNOUNCEMENT = "interim_announcement", _("interim announcement")
    INVESTIGATION_RESULT = "investigation_result", _("investigation result")


class DeadlineStatus(models.TextChoices):
    OPEN = "open", _("open")
    FILED = "filed", _("filed")
    NOT_APPLICABLE = "not_applicable", _("not applicable")
    SUPERSEDED = "superseded", _("superseded")


class Applicability(models.TextChoices):
    APPLIES = "applies", _("applies")
    DOES_NOT_APPLY = "does_not_apply", _("does not apply")
    UNKNOWN = "unknown", _("unknown (a fact is missing)")


class DoraEntityType(models.TextChoices):
    """RTS (EU) 2025/301 Art. 5(5): the first three get no weekend relief for initial and
    intermediate reports (nor do NIS2 essential or important entities)."""

    CREDIT_INSTITUTION = "credit_institution", _("credit institution")
    CENTRAL_COUNTERPARTY = "central_counterparty", _("central counterparty")
    TRADING_VENUE = "trading_venue", _("trading-venue operator")
    OTHER = "other", _("other financial entity")


class FilingPrecision(models.TextChoices):
    """How well a filing's submission time is known (the ``exact``/``date`` subset of events')."""

    EXACT = "exact", _("exact")
    DATE = "date", _("date only")
