"""Turning an incident's facts into deadlines, by asking the pure engine in ``regulators.engine``.

``deadlines_schedule_for`` is idempotent: it computes what every legal entity owes under every
obligation from the current (non-superseded) timeline, and creates or updates the stored rows,
recording every change of due time. It runs inside the caller's transaction, so an event and the
deadlines it starts are saved together or not at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from incidents.concurrency import check_version, lock, lock_incident
from incidents.facts import Facts, entity_facts, latest_counts
from incidents.followups import (
    ORDER_TRIGGERS,
    SCOPE_GROWTH,
    choose_primary,
    count_increases,
    dora_relief_excluded,
    order_result,
    revision_key,
    revisions_for_entity,
    unrecorded_trigger_result,
)
from incidents.models import (
    AffectedCountRevision,
    Applicability,
    Deadline,
    DeadlineAlternative,
    DeadlineRecomputation,
    DeadlineStatus,
    EventKind,
    Filing,
    Incident,
    LegalEntity,
    TimelineEvent,
)
from incidents.signals import deadlines_changed
from incidents.triggers import (
    PER_EVENT_TRIGGERS,
    REQUEST_CODE,
    TRIGGER_EVENT_KINDS,
    Scope,
)
from regulators.computation import CalendarCache, adhoc_spec, compute
from regulators.engine import applicability as engine_applicability
from regulators.engine.rules import DeadlineResult, Precision, RuleSpec, Trigger
from regulators.models import Obligation, Regulator
from regulators.snapshot import catalogue_snapshot

# Chained clocks that run from the *latest* filing of the earlier stage (DORA's final report runs
# from the latest updated intermediate report); all others run from the first filing.
LATEST_FILING_CHAINS = {"eu-dora-final"}

VERDICT_ON_TIME = "on_time"
VERDICT_LATE = "late"
VERDICT_NO_LEGAL_DUE = "no_legal_due"
# A date-only filing on the due date: on time or late depending on the hour nobody recorded.
VERDICT_UNCERTAIN = "uncertain"


@dataclass
class _Computed:
    entity: LegalEntity
    code: str
    trigger_key: str
    title: str
    obligation_id: int | None
    regulator_id: int | None
    trigger_event: TimelineEvent | None
    result: DeadlineResult
    trigger_at: datetime | None
    applicability: str
    reasons: list[dict[str, str]]
    adhoc_spec: dict[str, Any]
    alternatives: list[tuple[str, TimelineEvent, DeadlineResult]]
    trigger_revision: AffectedCountRevision | None = None


def _trigger_of(event: TimelineEvent) -> Trigger:
    return Trigger(at=event.occurred_at, precision=Precision(event.precision))


def _root_id(event: TimelineEvent, by_id: dict[int, TimelineEvent]) -> int:
    """The id of the first event in a correction chain: stable across corrections."""
    current = event
    while current.supersedes_id is not None:
        parent = by_id.get(current.supersedes_id)
        if parent is None:
            return current.supersedes_id
        current = parent
    return current.pk


def verdict_for(
    due_at: datetime | None, filed_at: datetime, filed_latest_at: datetime | None = None
) -> tuple[str, int | None]:
    """Verdict and earliest possible lateness (seconds) of a filing made in
    [filed_at, filed_latest_at) -- one instant when the time is exact (latest = filed_at)."""
    if due_at is None:
        return VERDICT_NO_LEGAL_DUE, None
    late = int((filed_at - due_at).total_seconds())
    latest = filed_latest_at if filed_latest_at is not None else filed_at
    if late > 0:
        return VERDICT_LATE, late
    if latest > due_at:
        return VERDICT_UNCERTAIN, late
    return VERDICT_ON_TIME, late


def _compute(
    versions: Sequence[RuleSpec],
    trigger: Trigger,
    calendars: CalendarCache,
    awareness: Trigger | None,
    entity: LegalEntity,
) -> DeadlineResult:
    """The one entry point, with the entity's own zone and DORA weekend-relief facts."""
    return compute(
        versions,
        trigger,
        awareness=awareness,
        calendars=calendars,
        entity_tz=entity.reference_tz,
        relief_excluded=dora_relief_excluded(entity),
    )


def _compute_all(incident: Incident, scope: Scope) -> list[_Computed]:
    """Every clock of ``incident`` within ``scope``, computed from the current timeline."""
    events = list(TimelineEvent.objects.filter(incident=incident).order_by("occurred_at", "id"))
    by_id = {e.pk: e for e in events}
    # Superseded = some loaded event points at it; no query per event.
    superseded = {e.supersedes_id for e in events if e.supersedes_id is not None}
    current = [e for e in events if e.pk not in superseded]
    entities = list(LegalEntity.objects.filter(incident=incident).order_by("id"))
    if not entities:
        return []
    revisions = list(AffectedCountRevision.objects.filter(incident=incident))
    counts = latest_counts(revisions)
    raised = count_increases(revisions)
    filings = list(
        Filing.objects.filter(incident=incident, deadline__isnull=False, withdrawn_at__isnull=True)
        .select_related("deadline")
        .order_by("submitted_at", "id")
    )
    snapshot = catalogue_snapshot()
    rules = [rule for code, rule in snapshot.rules.items() if scope.includes(code)]
    calendars = snapshot.calendar_cache()
    computed: list[_Computed] = []

    for entity in entities:
        entity_events = [e for e in current if e.legal_entity_id in (None, entity.pk)]
        entity_filings = [
            f for f in filings if f.deadline and f.deadline.legal_entity_id == entity.pk
        ]
        filed_codes = {f.deadline.code for f in entity_filings if f.deadline}
        facts = entity_facts(entity, incident, counts, filed_codes)
        awareness_events = [e for e in entity_events if e.kind == EventKind.AWARENESS]
        awareness = _trigger_of(awareness_events[0]) if awareness_events else None

        for rule in rules:
            code, specs, latest = rule.code, rule.specs, rule.latest
            trigger_kind = latest.trigger_kind
            # (trigger_key, trigger event or None, trigger, alternatives, extra facts)
            clocks: list[
                tuple[
                    str,
                    TimelineEvent | None,
                    Trigger | None,
                    list[TimelineEvent],
                    dict[str, object],
                ]
            ] = []
            revision_of: dict[str, AffectedCountRevision] = {}
            if trigger_kind.startswith("filing_of:"):
                source_code = trigger_kind.split(":", 1)[1]
                chain = [f for f in entity_filings if f.deadline and f.deadline.code == source_code]
                if chain:
                    filing = chain[-1] if code in LATEST_FILING_CHAINS else chain[0]
                    # A date-only filing starts the next clock with date-only precision.
                    at = Trigger(at=filing.submitted_at, precision=Precision(filing.precision))
                    clocks.append(("", None, at, [], {}))
            else:
                kinds = TRIGGER_EVENT_KINDS.get(trigger_kind, ())
                candidates = [e for e in entity_events if e.kind in kinds]
                if trigger_kind in PER_EVENT_TRIGGERS:
                    for event in candidates:
                        clocks.append(
                            (
                                str(_root_id(event, by_id)),
                                event,
                                _trigger_of(event),
                                [],
                                dict(event.data or {}),
                            )
                        )
                    if trigger_kind == SCOPE_GROWTH:
                        for revision in revisions_for_entity(raised, entity):
                            key = revision_key(revision)
                            revision_of[key] = revision
                            clocks.append((key, None, Trigger(at=revision.as_of), [], {}))
                elif candidates:
                    primary, rest = choose_primary(trigger_kind, candidates)
                    seen = {primary.basis} if primary is not None else set()
                    others: list[TimelineEvent] = []
                    for other in rest:
                        if other.basis and other.basis not in seen:
                            seen.add(other.basis)
                            others.append(other)
                    primary_trigger = _trigger_of(primary) if primary is not None else None
                    clocks.append(("", primary, primary_trigger, others, {}))
            for trigger_key, clock_event, trigger, alternative_events, extra in clocks:
                clock_facts = Facts({**facts, **extra})
                clock_facts.counted = facts.counted
                verdict = engine_applicability.evaluate(latest.conditions or None, clock_facts)
                if trigger is None:
                    result = unrecorded_trigger_result(specs[-1])
                elif trigger_kind in ORDER_TRIGGERS and clock_event is not None:
                    calendar = calendars.get(specs[0].calendar_code)
                    result = order_result(
                        specs, clock_event, trigger, calendar, entity.reference_tz
                    )
                else:
                    result = _compute(specs, trigger, calendars, awareness, entity)
                alternatives: list[tuple[str, TimelineEvent, DeadlineResult]] = [
                    (e.basis, e, _compute(specs, _trigger_of(e), calendars, awareness, entity))
                    for e in alternative_events
                ]
                computed.append(
                    _Computed(
                        entity=entity,
                        code=code,
                        trigger_key=trigger_key,
                        title=f"{latest.title_en} / {latest.title_ko}",
                        obligation_id=_version_row(rule.rows, result).pk,
                        regulator_id=latest.regulator_id,
                        trigger_event=clock_event,
                        result=result,
                        trigger_at=trigger.at if trigger is not None else None,
                        applicability=str(verdict.status),
                        reasons=[{"en": r.en, "ko": r.ko} for r in verdict.reasons],
                        adhoc_spec={},
                        alternatives=alternatives,
                        trigger_revision=revision_of.get(trigger_key),
                    )
                )

    # Ad hoc regulator requests: one clock per request event, with its own response period.
    requests = [
        e
        for e in current
        if scope.requests and e.kind == EventKind.REGULATOR_REQUEST and e.data.get("offset")
    ]
    regulators = (
        {
            r.code: r
            for r in Regulator.objects.filter(
                code__in={str(e.data.get("regulator", "")) for e in requests}
            )
        }
        if requests
        else {}
    )
    for event in requests:
        entity = next((x for x in entities if x.pk == event.legal_entity_id), entities[0])
        spec = request_rule(event.data, calendars)
        result = compute([spec], _trigger_of(event), calendars=calendars)
        regulator = regulators.get(str(event.data.get("regulator", "")))
        computed.append(
            _Computed(
                entity=entity,
                code=REQUEST_CODE,
                trigger_key=str(_root_id(event, by_id)),
                title=event.title,
                obligation_id=None,
                regulator_id=regulator.pk if regulator is not None else None,
                trigger_event=event,
                result=result,
                trigger_at=event.occurred_at,
                applicability=Applicability.APPLIES,
                reasons=[],
                adhoc_spec=dict(event.data),
                alternatives=[],
            )
        )
    return computed


def request_rule(data: dict[str, Any], calendars: CalendarCache | None = None) -> RuleSpec:
    """The engine rule for a regulator request's response period.

    The rules for a period (readable offset, business days only with a known calendar, a real
    zone) live in ``regulators.computation.adhoc_spec``; its ValidationError names the field.
    """
    return adhoc_spec(
        offset=data.get("offset"),
        calendar=data.get("calendar") or "",
        tz=data.get("tz") or "",
        roll_forward=data.get("roll_forward", False),
        calendars=calendars,
    )


def validate_request_data(data: dict[str, Any]) -> None:
    """Raise ValidationError (fields offset, calendar, tz, roll_forward) for a bad period."""
    request_rule(data)


def _version_row(rows: Sequence[Obligation], result: DeadlineResult) -> Obligation:
    for row in rows:
        if row.version == result.version:
            return row
    return rows[-1]


def _explanation(result: DeadlineResult) -> list[dict[str, str]]:
    return [{"en": step.en, "ko": step.ko} for step in result.explanation]


# The stored fields a computation sets; a deadline is saved only when one of them changes, so a
# recomputation that moves nothing writes nothing (no history rows, no audit entries).
_COMPUTED_FIELDS = (
    "title",
    "obligation_id",
    "regulator_id",
    "trigger_event_id",
    "trigger_at",
    "due_at",
    "without_delay",
    "internal_target_at",
    "explanation",
    "applicability",
    "applicability_reasons",
    "adhoc_spec",
    "status",
    "verdict",
    "late_by_seconds",
)


def _state(deadline: Deadline) -> tuple[object, ...]:
    return tuple(getattr(deadline, name) for name in _COMPUTED_FIELDS)


def deadlines_schedule_for(
    *,
    incident: Incident,
    changed_by: User | None = None,
    reason: str = "",
    trigger_corrected: bool = False,
    scope: Scope | None = None,
) -> list[Deadline]:
    """Create or update the deadlines of ``incident`` within ``scope`` (default: all); record
    each change of due time; sync reminders once, for the deadlines that changed.

    A filed deadline's verdict is frozen: only a corrected trigger re-evaluates it, and then the
    old and new verdicts are both kept in the recomputation record. Returns the deadlines that
    were created or changed.
    """
    scope = scope or Scope.everything()
    if scope.is_empty:
        return []  # before the transaction: a write that moves no clock opens no savepoint
    return _schedule(
        incident=incident,
        changed_by=changed_by,
        reason=reason,
        trigger_corrected=trigger_corrected,
        scope=scope,
    )


@transaction.atomic
def _schedule(
    *,
    incident: Incident,
    changed_by: User | None,
    reason: str,
    trigger_corrected: bool,
    scope: Scope,
) -> list[Deadline]:
    # Every write to an incident recomputes here: the incident row lock serialises them, so no
    # recomputation saves a stale copy over a concurrent one (or over a "not applicable").
    lock_incident(incident)
    computed = _compute_all(incident, scope)
    existing = {
        (d.legal_entity_id, d.code, d.trigger_key): d
        # Through the reverse manager so each row knows its incident (the reminder sync reads
        # its status) without a query per deadline.
        for d in incident.deadlines.prefetch_related("alternatives")
        if scope.includes(d.code)
    }
    seen: set[tuple[int, str, str]] = set()
    changed: list[Deadline] = []
    recomputations: list[DeadlineRecomputation] = []
    for item in computed:
        key = (item.entity.pk, item.code, item.trigger_key)
        seen.add(key)
        deadline = existing.get(key)
        if deadline is None:
            if item.applicability == Applicability.DOES_NOT_APPLY:
                continue
            deadline = Deadline(
                incident=incident,
                legal_entity=item.entity,
                code=item.code,
                trigger_key=item.trigger_key,
            )
        elif deadline.filed_at is not None and not trigger_corrected:
            # Frozen: catalogue, calendar or fact edits never rewrite a filed verdict.
            continue
        before = None if deadline.pk is None else _state(deadline)
        old_due = deadline.due_at
        old_verdict = deadline.verdict
        _apply(deadline, item)
        if deadline.filed_at is not None:
            deadline.verdict, deadline.late_by_seconds = verdict_for(
                deadline.due_at, deadline.filed_at, deadline.filed_latest_at
            )
        if before is None or before != _state(deadline):
            deadline.save()
            changed.append(deadline)
        _sync_alternatives(deadline, item)
        if before is not None and (old_due != deadline.due_at or old_verdict != deadline.verdict):
            recomputations.append(
                DeadlineRecomputation(
                    deadline=deadline,
                    old_due_at=old_due,
                    new_due_at=deadline.due_at,
                    old_verdict=old_verdict,
                    new_verdict=deadline.verdict,
                    reason=reason[:500] or _("recomputed"),
                    changed_by=changed_by,
                )
            )
    for key, deadline in existing.items():
        if key not in seen and deadline.status == DeadlineStatus.OPEN:
            # Its trigger is gone (for example superseded without a replacement).
            deadline.status = DeadlineStatus.SUPERSEDED
            deadline.save(update_fields=["status", "updated_at"])
            changed.append(deadline)
            recomputations.append(
                DeadlineRecomputation(
                    deadline=deadline,
                    old_due_at=deadline.due_at,
                    new_due_at=None,
                    reason=(reason or _("trigger no longer present"))[:500],
                    changed_by=changed_by,
                )
            )
    # Plain saves, not bulk_create: the audit log listens to each recomputation's post_save.
    for row in recomputations:
        row.save()
    reminders_sync(deadlines=changed)
    return changed


def reminders_sync(*, deadlines: Iterable[Deadline] = (), incident: Incident | None = None) -> None:
    """The one door from incidents to the reminder schedule. incidents never imports reminders
    (docs/architecture.md): it says which deadlines changed and reminders keeps its schedule in
    step, in the same transaction."""
    if incident is not None:
        deadlines_changed.send(sender=Deadline, incident=incident)
    for deadline in deadlines:
        deadlines_changed.send(sender=Deadline, deadline=deadline)


def _apply(deadline: Deadline, item: _Computed) -> None:
    result = item.result
    deadline.title = item.title
    # Ids only: the snapshot's rows are shared by every write of this process.
    deadline.obligation_id = item.obligation_id
    deadline.regulator_id = item.regulator_id
    deadline.trigger_event = item.trigger_event
    deadline.trigger_revision = item.trigger_revision
    deadline.trigger_at = item.trigger_at
    deadline.due_at = result.due_at
    deadline.without_delay = result.without_delay
    deadline.internal_target_at = result.internal_target_at
    deadline.explanation = _explanation(result)
    deadline.applicability = item.applicability
    deadline.applicability_reasons = item.reasons
    deadline.adhoc_spec = item.adhoc_spec
    if deadline.status == DeadlineStatus.SUPERSEDED:
        deadline.status = DeadlineStatus.OPEN


def _sync_alternatives(deadline: Deadline, item: _Computed) -> None:
    if not item.alternatives and (deadline.pk is None or not _has_alternatives(deadline)):
        return
    wanted = {basis for basis, _e, _r in item.alternatives}
    current = {a.basis: a for a in deadline.alternatives.all()}
    stale = [a.pk for basis, a in current.items() if basis not in wanted]
    if stale:
        DeadlineAlternative.objects.filter(pk__in=stale).delete()
    for basis, event, result in item.alternatives:
        verdict, late = ("", None)
        if deadline.filed_at is not None:
            verdict, late = verdict_for(result.due_at, deadline.filed_at, deadline.filed_latest_at)
        values: dict[str, Any] = {
            "trigger_event_id": event.pk,
            "trigger_at": event.occurred_at,
            "due_at": result.due_at,
            "explanation": _explanation(result),
            "verdict": verdict,
            "late_by_seconds": late,
        }
        row = current.get(basis) or DeadlineAlternative(deadline=deadline, basis=basis)
        if row.pk is not None and all(getattr(row, k) == v for k, v in values.items()):
            continue
        for name, value in values.items():
            setattr(row, name, value)
        row.save()


def _has_alternatives(deadline: Deadline) -> bool:
    # Most deadlines have no alternative trigger; the prefetch cache (when present) answers free.
    cache = getattr(deadline, "_prefetched_objects_cache", {})
    if "alternatives" in cache:
        return bool(cache["alternatives"])
    return deadline.alternatives.exists()


@transaction.atomic
def deadline_mark_not_applicable(
    *,
    deadline: Deadline,
    justification: str,
    marked_by: User,
    expected_version: str | None = None,
) -> Deadline:
    """Mark an *open* deadline not applicable. Re-reads the row under lock and saves only the
    fields it changes, so it never puts back a due time recomputed meanwhile."""
    if not justification.strip():
        raise ValidationError({"justification": _("A justification is required.")})
    # The rule for every door (the web page and the API used to disagree about it): only an
    # open clock; a filed, superseded or already not-applicable one keeps its record.
    lock_incident(deadline.incident_id)
    deadline = lock(Deadline, deadline.pk)
    check_version(deadline, expected_version)
    if deadline.status != DeadlineStatus.OPEN:
        raise ValidationError(
            {"justification": _("Only an open deadline can be marked not applicable.")}
        )
    deadline.status = DeadlineStatus.NOT_APPLICABLE
    deadline.not_applicable_reason = justification.strip()
    deadline.not_applicable_by = marked_by  # type: ignore[assignment]
    deadline.not_applicable_at = timezone.now()
    deadline.save(
        update_fields=[
            "status",
            "not_applicable_reason",
            "not_applicable_by",
            "not_applicable_at",
            "updated_at",
        ]
    )
    reminders_sync(deadlines=[deadline])
    return deadline
