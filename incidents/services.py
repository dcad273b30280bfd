"""Writes. Views, the API, admin, commands and demo data all go through these functions, so that
deadlines, history and (later) reminders follow every change the same way."""

from __future__ import annotations

import re
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model
from django.db.models.signals import post_save
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.concurrency import check_team_version, check_version, lock, lock_incident
from incidents.deadlines import (
    deadlines_schedule_for,
    reminders_sync,
    validate_request_data,
)
from incidents.followups import ORDER_TRIGGERS, validate_order_data
from incidents.models import (
    STATUS_TRANSITIONS,
    AffectedCountRevision,
    EventKind,
    Incident,
    IncidentStatus,
    LegalEntity,
    Membership,
    TimelineEvent,
)
from incidents.references import (
    next_automatic_reference,
    save_with_reference,
    validate_hand_given_reference,
)
from incidents.triggers import (
    NOTHING,
    Scope,
    scope_for_counts,
    scope_for_event_kinds,
    scope_for_new_event,
)
from regulators.engine.vocabulary import Confidence, Precision

JURISDICTION_RE = re.compile(r"^[A-Z]{2}(-[A-Z0-9]{1,3})?$")
COUNTRY_RE = re.compile(r"^[A-Z]{2}$")
MAX_COUNT = 2**63 - 1
# Foreign keys whose rows the service holds (the incident, the signed-in user): full_clean would
# ask the database whether each exists, a query per key per write, and its foreign keys hold
# them anyway.
IN_HAND = ["incident", "recorded_by"]


def _require_aware(value: datetime, field: str) -> None:
    if timezone.is_naive(value):
        raise ValidationError({field: _("Give a time zone or a UTC offset with the time.")})


def incident_next_reference(*, year: int) -> str:
    """The next automatic reference (takes the year's counter: call inside a transaction)."""
    return next_automatic_reference(year=year)


def _check_fact_shapes(facts: dict[str, Any]) -> None:
    # Applicability reads these as a mapping and a list; anything else would break scheduling.
    if not isinstance(facts.get("extra_facts") or {}, dict):
        raise ValidationError({"extra_facts": _('Give an object, e.g. {"high_risk": true}.')})
    if not isinstance(facts.get("data_categories") or [], list | tuple):
        raise ValidationError({"data_categories": _("Give a list of data categories.")})


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
    _check_fact_shapes({"extra_facts": extra_facts, "data_categories": data_categories})
    if reference:
        validate_hand_given_reference(reference)
    incident = Incident(
        reference=reference or "INC-0000-0000",  # placeholder for full_clean; numbered below
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
    incident.full_clean(validate_unique=False)  # uniqueness is settled by save_with_reference
    return save_with_reference(incident, year=timezone.now().year, automatic=not reference)


def status_transition_check(old: str, new: str) -> None:
    """The status rule, also asked by the admin form before anything is saved."""
    if new != old and new not in STATUS_TRANSITIONS.get(old, set()):
        raise ValidationError(
            {"status": _("Cannot move from %(old)s to %(new)s.") % {"old": old, "new": new}}
        )


@transaction.atomic
def incident_set_status(
    *,
    incident: Incident,
    status: str,
    changed_by: User | None = None,
    expected_version: str | None = None,
) -> Incident:
    """Move along ``STATUS_TRANSITIONS``. Closing cancels the pending reminders and escalations
    of every deadline (deliveries already sent stay recorded); reopening plans them again for
    the deadlines still open. Deadlines themselves keep their status either way."""
    # Re-read under lock: the transition is judged against the committed status.
    caller_copy, incident = incident, lock_incident(incident)
    check_version(incident, expected_version)
    previous = incident.status
    if status == previous:
        _refresh_copy(caller_copy, incident, ["status", "updated_at"])
        return incident
    status_transition_check(previous, status)
    incident.status = status
    incident.save(update_fields=["status", "updated_at"])
    _refresh_copy(caller_copy, incident, ["status", "updated_at"])
    if IncidentStatus.CLOSED in (previous, status):
        reminders_sync(incident=incident)
    return incident


def _refresh_copy(copy: Incident, fresh: Incident, fields: Iterable[str]) -> None:
    # Callers (views, the admin, tests) keep using the instance they passed in; the service
    # works on a fresh locked copy, so bring the caller's up to date with what was saved.
    if copy is not fresh:
        for name in fields:
            setattr(copy, name, getattr(fresh, name))


# Facts that applicability conditions read; changing one recomputes the deadlines.
_DEADLINE_FACTS = frozenset(
    {"data_categories", "external_attack", "sensitive_data", "unique_identifiers", "extra_facts"}
)
_INCIDENT_FIELDS = _DEADLINE_FACTS | {
    "title",
    "summary",
    "severity",
    "team",
    "owner",
    "is_reconstruction",
}


@transaction.atomic
def incident_update_facts(
    *,
    incident: Incident,
    changed_by: User | None = None,
    expected_version: str | None = None,
    **facts: Any,
) -> Incident:
    unknown = set(facts) - _INCIDENT_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    _check_fact_shapes(facts)
    # Re-read under lock and save only the changed fields: a simultaneous change of another
    # field is kept (no stale-copy overwrite); with a version, a stale edit is refused instead.
    caller_copy, incident = incident, lock_incident(incident)
    check_version(incident, expected_version)
    before = {name: getattr(incident, name) for name in facts}
    for name, value in facts.items():
        setattr(incident, name, value)
    incident.full_clean(exclude=["reference"])
    incident.save(update_fields=[*facts, "updated_at"])
    _refresh_copy(caller_copy, incident, [*facts, "updated_at"])
    if any(before[name] != value for name, value in facts.items() if name in _DEADLINE_FACTS):
        _reschedule(incident, changed_by=changed_by, reason=_("incident facts changed"))
    return incident


@transaction.atomic
def membership_add(
    *, incident: Incident, user: User, expected_version: str | None = None
) -> Membership:
    """Put ``user`` on the incident (idempotent). Only an active account can join: a disabled
    one could never read what it is given access to. ``expected_version`` is the team's version
    (``incidents.concurrency.team_version``), compared under the incident lock."""
    if not user.is_active:
        raise ValidationError({"user": _("That account is disabled.")})
    if expected_version is not None:
        check_team_version(lock_incident(incident), expected_version)
    membership, _created = Membership.objects.get_or_create(incident=incident, user=user)
    return membership


@transaction.atomic
def membership_remove(
    *, incident: Incident, user: User, expected_version: str | None = None
) -> None:
    """Take ``user`` off the incident. Need-to-know: from now on they no longer see it, its
    deadlines' reminders no longer reach them, and its notifications are hidden from their
    inbox (``incidents.selectors.notifications_for``). The notifications are kept for the
    record. Removing the owner is refused: give the incident another owner first. The owner
    and ``expected_version`` (the team's) are judged under the incident lock."""
    incident = lock_incident(incident)
    check_team_version(incident, expected_version)
    if incident.owner_id == user.pk:
        raise ValidationError({"user": _("The owner cannot be removed from the incident.")})
    # One by one so that history and the audit log see each removal.
    for membership in Membership.objects.filter(incident=incident, user=user):
        membership.delete()


ENTITY_FIELDS = frozenset(
    {
        "name",
        "name_local",
        "country",
        "role",
        "ict_service_provider",
        "sec_registrant",
        "hipaa_covered_entity",
        "eu_financial_entity",
        "nis2_entity",
        "kr_financial_company",
        "credit_information_company",
        "app_entity_au",
        "dora_entity_type",
        "jurisdictions",
        "reference_tz",
    }
)


def _entity_clean(entity: LegalEntity) -> None:
    entity.country = (entity.country or "").strip().upper()
    if not COUNTRY_RE.match(entity.country):
        raise ValidationError({"country": _("Write a two-letter country code, e.g. KR.")})
    jurisdictions = entity.jurisdictions or []
    if not isinstance(jurisdictions, list) or not all(
        isinstance(j, str) and JURISDICTION_RE.match(j.strip().upper()) for j in jurisdictions
    ):
        raise ValidationError(
            {"jurisdictions": _('Give a list of country codes, e.g. ["KR", "US"].')}
        )
    entity.jurisdictions = [j.strip().upper() for j in jurisdictions]
    entity.full_clean()


@transaction.atomic
def legal_entity_add(
    *, incident: Incident, changed_by: User | None = None, **fields: Any
) -> LegalEntity:
    unknown = set(fields) - ENTITY_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    entity = LegalEntity(incident=incident, **fields)
    _entity_clean(entity)
    lock_incident(incident)  # before the audited save (see timeline_event_record)
    entity.save()
    _reschedule(incident, changed_by=changed_by, reason=_("legal entity added"))
    return entity


@transaction.atomic
def legal_entity_update(
    *,
    entity: LegalEntity,
    changed_by: User | None = None,
    expected_version: str | None = None,
    **fields: Any,
) -> LegalEntity:
    """Change an entity's facts; the incident's deadlines follow (an entity that stops being an
    ICT provider loses the Network Act clock, one that becomes an SEC registrant gains 8-K).
    The row is re-read under lock (incident, then entity) and compared with
    ``expected_version`` (``version_of`` of the entity the editor saw) before anything changes.
    Returns the entity as written."""
    unknown = set(fields) - ENTITY_FIELDS
    if unknown:
        raise ValidationError(_("Unknown fields: %(f)s") % {"f": ", ".join(sorted(unknown))})
    lock_incident(entity.incident_id)
    caller_copy, entity = entity, lock(LegalEntity, entity.pk)
    check_version(entity, expected_version)
    before = {name: getattr(entity, name) for name in fields}
    for name, value in fields.items():
        setattr(entity, name, value)
    _entity_clean(entity)
    if all(before[name] == getattr(entity, name) for name in fields):
        return entity
    entity.save()
    for name in fields:  # the caller's copy shows what was saved, as before
        setattr(caller_copy, name, getattr(entity, name))
    _reschedule(
        entity.incident,
        changed_by=changed_by,
        reason=_("legal entity %(name)s changed") % {"name": entity.name},
    )
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
    # Under the incident lock: the counts before this revision are the committed ones, so the
    # scope (what the new count changes) is judged against what the deadlines were computed from.
    lock_incident(incident)
    before = list(AffectedCountRevision.objects.filter(incident=incident))
    revision = _count_revision_create(
        incident=incident,
        jurisdiction=jurisdiction,
        count=count,
        as_of=as_of,
        source=source,
        recorded_by=recorded_by,
    )
    _reschedule(
        incident,
        changed_by=recorded_by,
        reason=_("affected count revised"),
        scope=scope_for_counts(before, [*before, revision]),
    )
    return revision


def _count_revision_create(
    *,
    incident: Incident,
    jurisdiction: Any,
    count: Any,
    as_of: datetime,
    source: str,
    recorded_by: User | None,
) -> AffectedCountRevision:
    """Append-only: a correction of a count is a new revision, never an edit."""
    _require_aware(as_of, "as_of")
    if isinstance(count, bool) or not isinstance(count, int) or not 0 <= count <= MAX_COUNT:
        raise ValidationError({"count": _("A count is a whole number of people, 0 or more.")})
    code = jurisdiction.strip().upper() if isinstance(jurisdiction, str) else ""
    if not JURISDICTION_RE.match(code):
        raise ValidationError(
            {"jurisdiction": _("Write a two-letter country code (KR, US) or a state as US-CA.")}
        )
    revision = AffectedCountRevision(
        incident=incident,
        jurisdiction=code,
        count=count,
        as_of=as_of,
        source=source,
        recorded_by=recorded_by,
    )
    revision.full_clean(exclude=IN_HAND)
    revision.save()
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
    data = data or {}
    if not isinstance(data, dict):
        raise ValidationError({"data": _("Details must be an object.")})
    if kind == EventKind.REGULATOR_REQUEST:
        _check_request(data)
    if kind in ORDER_TRIGGERS:
        try:
            validate_order_data(data)
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
    # Only the clocks this event (and the one it corrects) can start or move; a note, a press
    # statement or a board meeting recomputes nothing. A count revision event reaches clocks
    # only through its count (judged below, from the counts themselves); correcting one leaves
    # the revision it recorded in place.
    kinds = {kind} | ({supersedes.kind} if supersedes is not None else set())
    kinds.discard(EventKind.COUNT_REVISION)
    scope = scope_for_event_kinds(kinds)
    counted = kind == EventKind.COUNT_REVISION and "count" in data
    if counted or not scope.is_empty:
        # The incident lock before anything is saved: each audited save takes the audit chain's
        # lock until commit, so a write that took the incident lock after it could wait on one
        # that holds the incident and waits for the chain (a deadlock). Under this lock the
        # counts and the earlier events below are the committed ones.
        lock_incident(incident)
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
    event.data = data
    event.supersedes = supersedes
    event.correction_reason = correction_reason
    event.recorded_by = recorded_by  # type: ignore[assignment]
    event.full_clean(exclude=[*IN_HAND, "legal_entity"])  # the entity was checked above
    event.save()
    count_scope = NOTHING
    if counted:
        before = list(AffectedCountRevision.objects.filter(incident=incident))
        try:
            revision = _count_revision_create(
                incident=incident,
                jurisdiction=data.get("jurisdiction", "KR"),
                count=data["count"],
                as_of=occurred_at,
                source=source_title,
                recorded_by=recorded_by,
            )
        except ValidationError as exc:
            raise ValidationError({"data": exc.messages}) from exc
        count_scope = scope_for_counts(before, [*before, revision])
    reason = (
        _("trigger corrected: %(reason)s") % {"reason": correction_reason}
        if supersedes is not None
        else _("event recorded: %(title)s") % {"title": title}
    )
    if supersedes is None:
        # A later awareness (or similar) event without a basis of its own moves nothing.
        scope = scope_for_new_event(event, scope)
    _reschedule(
        incident,
        changed_by=recorded_by,
        reason=reason,
        trigger_corrected=supersedes is not None,
        scope=scope | count_scope,
    )
    return event


def _check_request(data: dict[str, Any]) -> None:
    """A regulator request's response period, when given, must be one the engine can count
    (a readable offset, and a calendar for business days); without one the request is recorded
    without a clock. The regulator, when given, is a catalogue code."""
    if data.get("offset") is not None:
        validate_request_data(data)
    regulator = data.get("regulator", "")
    if not isinstance(regulator, str):
        raise ValidationError({"regulator": _("regulator must be a code.")})


@transaction.atomic
def incident_imported(*, incident: Incident, appended: Iterable[Model]) -> None:
    """An incident restored from a JSON export joins the ordinary path, in the import's
    transaction: its deadlines are rescheduled against the catalogue here (a no-op when nothing
    differs, so the round trip stays identical; filed verdicts stay frozen) and its reminders
    planned. The append-only rows the importer bulk-inserted (events, counts) are announced to
    the audit log's receivers, which ``bulk_create`` bypasses."""
    for row in appended:
        post_save.send(
            sender=type(row),
            instance=row,
            created=True,
            raw=False,
            using=row._state.db or "default",
            update_fields=None,
        )
    deadlines_schedule_for(incident=incident, reason=_("recomputed after import"))
    reminders_sync(incident=incident)


def _reschedule(
    incident: Incident,
    *,
    changed_by: User | None,
    reason: str,
    trigger_corrected: bool = False,
    scope: Scope | None = None,
) -> None:
    deadlines_schedule_for(
        incident=incident,
        changed_by=changed_by,
        reason=reason,
        trigger_corrected=trigger_corrected,
        scope=scope,
    )


# Filing services live in incidents/filings.py; re-exported here, the one place writes are found.
from incidents.filings import filing_acknowledge, filing_submit, filing_withdraw  # noqa: E402

__all__ = [
    "IncidentStatus",
    "affected_count_revise",
    "filing_acknowledge",
    "filing_submit",
    "filing_withdraw",
    "incident_imported",
    "incident_next_reference",
    "incident_open",
    "incident_set_status",
    "incident_update_facts",
    "legal_entity_add",
    "legal_entity_update",
    "membership_add",
    "membership_remove",
    "timeline_event_record",
]
