"""Writes. Views, the API, admin, commands and demo data all go through these functions, so that
deadlines, history and (later) reminders follow every change the same way."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.deadlines import deadline_record_filing, deadlines_schedule_for
from incidents.followups import ORDER_TRIGGERS, validate_order_data
from incidents.models import (
    STATUS_TRANSITIONS,
    AffectedCountRevision,
    Deadline,
    EventKind,
    Filing,
    Incident,
    IncidentStatus,
    LegalEntity,
    Membership,
    TimelineEvent,
)
from regulators.engine.vocabulary import Confidence, Precision
from regulators.models import Regulator


def _require_aware(value: datetime, field: str) -> None:
    if timezone.is_naive(value):
        raise ValidationError({field: _("Give a time zone or a UTC offset with the time.")})


def incident_next_reference(*, year: int) -> str:
    prefix = f"INC-{year}-"
    last = (
        Incident.objects.filter(reference__startswith=prefix).aggregate(m=Max("reference")).get("m")
    )
    number = int(last.rsplit("-", 1)[1]) + 1 if last else 1
    return f"{prefix}{number:04d}"


@transaction.atomic
def incident_open(
    *,
    title: str,
    owner: User,
    summary: str = "",
    severity: str = "high",
    reference: str | None = None,
    team: str = "",
    data_categories: Iterable[str] = (),
    external_attack: bool | None = None,
    sensitive_data: bool | None = None,
    unique_identifiers: bool | None = None,
    extra_facts: dict[str, Any] | None = None,
    is_reconstruction: bool = False,
) -> Incident:
    incident = Incident(
        reference=reference or incident_next_reference(year=timezone.now().year),
        title=title,
        summary=summary,
        severity=severity,
        owner=owner,
        team=team,
        data_categories=list(data_categories),
        external_attack=external_attack,
        sensitive_data=sensitive_data,
        unique_identifiers=unique_identifiers,
        extra_facts=extra_facts or {},
        is_reconstruction=is_reconstruction,
    )
    incident.full_clean()
    incident.save()
    return incident


@transaction.atomic
def incident_set_status(*, incident: Incident, status: str) -> Incident:
    if status == incident.status:
        return incident
    if status not in STATUS_TRANSITIONS.get(incident.status, set()):
        raise ValidationError(
            {
                "status": _("Cannot move from %(old)s to %(new)s.")
                % {"old": incident.status, "new": status}
            }
        )
    incident.status = status
    incident.save(update_fields=["status", "updated_at"])
    return incident


@transaction.atomic
def incident_update_facts(
    *, incident: Incident, changed_by: User | None = None, **facts: Any
) -> Incident:
    allowed = {
        "title",
        "summary",
        "severity",
        "team",
        "data_categories",
        "external_attack",
        "sensitive_data",
        "unique_identifiers",
        "extra_facts",
    }
    unknown = set(facts) - allowed
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    for name, value in facts.items():
        setattr(incident, name, value)
    incident.full_clean()
    incident.save()
    _reschedule(incident, changed_by=changed_by, reason=_("incident facts changed"))
    return incident


@transaction.atomic
def membership_add(*, incident: Incident, user: User) -> Membership:
    membership, _created = Membership.objects.get_or_create(incident=incident, user=user)
    return membership


@transaction.atomic
def legal_entity_add(
    *, incident: Incident, changed_by: User | None = None, **fields: Any
) -> LegalEntity:
    entity = LegalEntity(incident=incident, **fields)
    entity.full_clean()
    entity.save()
    _reschedule(incident, changed_by=changed_by, reason=_("legal entity added"))
    return entity


@transaction.atomic
def affected_count_revise(
    *,
    incident: Incident,
    jurisdiction: str,
    count: int,
    as_of: datetime,
    source: str = "",
    recorded_by: User | None = None,
) -> AffectedCountRevision:
    _require_aware(as_of, "as_of")
    if count < 0:
        raise ValidationError({"count": _("A count cannot be negative.")})
    revision = AffectedCountRevision(
        incident=incident,
        jurisdiction=jurisdiction.strip().upper(),
        count=count,
        as_of=as_of,
        source=source,
        recorded_by=recorded_by,
    )
    revision.full_clean()
    revision.save()
    _reschedule(incident, changed_by=recorded_by, reason=_("affected count revised"))
    return revision


@transaction.atomic
def timeline_event_record(
    *,
    incident: Incident,
    kind: str,
    occurred_at: datetime,
    title: str,
    precision: str = Precision.EXACT,
    entered_tz: str | None = None,
    description: str = "",
    source_title: str = "",
    source_url: str = "",
    confidence: str = Confidence.HIGH,
    basis: str = "",
    legal_entity: LegalEntity | None = None,
    data: dict[str, Any] | None = None,
    supersedes: TimelineEvent | None = None,
    correction_reason: str = "",
    recorded_by: User | None = None,
    instance: TimelineEvent | None = None,
) -> TimelineEvent:
    """Append an event; with ``supersedes``, record a correction (the old event stays visible).

    Recording or correcting a trigger event recomputes the incident's deadlines in the same
    transaction.
    """
    _require_aware(occurred_at, "occurred_at")
    if kind not in EventKind.values:
        raise ValidationError({"kind": _("Unknown event kind.")})
    if kind in ORDER_TRIGGERS:
        try:
            validate_order_data(data or {})
        except ValueError as exc:
            raise ValidationError({"data": str(exc)}) from exc
    if legal_entity is not None and legal_entity.incident_id != incident.pk:
        raise ValidationError({"legal_entity": _("That legal entity belongs to another incident.")})
    if supersedes is not None:
        if supersedes.incident_id != incident.pk:
            raise ValidationError({"supersedes": _("That event belongs to another incident.")})
        # Lock-free claim: a second correction of the same event fails on the unique constraint.
        if TimelineEvent.objects.filter(supersedes=supersedes).exists():
            raise ValidationError({"supersedes": _("That event has already been corrected.")})
        if not correction_reason:
            raise ValidationError({"correction_reason": _("Say why the event is corrected.")})
    event = instance or TimelineEvent()
    event.incident = incident
    event.kind = kind
    event.occurred_at = occurred_at
    event.precision = precision
    event.entered_tz = entered_tz or settings.TIME_ZONE
    event.title = title
    event.description = description
    event.source_title = source_title
    event.source_url = source_url
    event.confidence = confidence
    event.basis = basis
    event.legal_entity = legal_entity
    event.data = data or {}
    event.supersedes = supersedes
    event.correction_reason = correction_reason
    event.recorded_by = recorded_by  # type: ignore[assignment]
    event.full_clean()
    event.save()
    if kind == EventKind.COUNT_REVISION and "count" in event.data:
        affected_count_revise(
            incident=incident,
            jurisdiction=str(event.data.get("jurisdiction", "KR")),
            count=int(event.data["count"]),
            as_of=occurred_at,
            source=source_title,
            recorded_by=recorded_by,
        )
    reason = (
        _("trigger corrected: %(reason)s") % {"reason": correction_reason}
        if supersedes is not None
        else _("event recorded: %(title)s") % {"title": title}
    )
    _reschedule(
        incident, changed_by=recorded_by, reason=reason, trigger_corrected=supersedes is not None
    )
    return event


@transaction.atomic
def filing_submit(
    *,
    incident: Incident,
    recipient: str,
    submitted_at: datetime,
    deadline: Deadline | None = None,
    legal_entity: LegalEntity | None = None,
    regulator: Regulator | None = None,
    channel: str = "",
    reference_number: str = "",
    acknowledged_at: datetime | None = None,
    acknowledgement: str = "",
    notes: str = "",
    submitted_by: User | None = None,
) -> Filing:
    """Record a filing. The first filing answering a deadline freezes its verdict."""
    _require_aware(submitted_at, "submitted_at")
    if acknowledged_at is not None:
        _require_aware(acknowledged_at, "acknowledged_at")
    if deadline is not None and deadline.incident_id != incident.pk:
        raise ValidationError({"deadline": _("That deadline belongs to another incident.")})
    if deadline is not None:
        legal_entity = legal_entity or deadline.legal_entity
        regulator = regulator or deadline.regulator
    filing = Filing(
        incident=incident,
        deadline=deadline,
        legal_entity=legal_entity,
        regulator=regulator,
        recipient=recipient,
        submitted_at=submitted_at,
        channel=channel,
        reference_number=reference_number,
        acknowledged_at=acknowledged_at,
        acknowledgement=acknowledgement,
        notes=notes,
        submitted_by=submitted_by,
    )
    filing.full_clean()
    filing.save()
    if deadline is not None:
        deadline_record_filing(deadline=deadline, filing=filing)
    _reschedule(incident, changed_by=submitted_by, reason=_("filing recorded"))
    return filing


def _reschedule(
    incident: Incident,
    *,
    changed_by: User | None,
    reason: str,
    trigger_corrected: bool = False,
) -> None:

    deadlines_schedule_for(
        incident=incident,
        changed_by=changed_by,
        reason=reason,
        trigger_corrected=trigger_corrected,
    )


__all__ = [
    "IncidentStatus",
    "affected_count_revise",
    "filing_submit",
    "incident_next_reference",
    "incident_open",
    "incident_set_status",
    "incident_update_facts",
    "legal_entity_add",
    "membership_add",
    "timeline_event_record",
]
