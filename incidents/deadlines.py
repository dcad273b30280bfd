"""Turning an incident's facts into deadlines, by asking the pure engine in ``regulators.engine``.

``deadlines_schedule_for`` is idempotent: it computes what every legal entity owes under every
obligation from the current (non-superseded) timeline, and creates or updates the stored rows,
recording every change of due time. It runs inside the caller's transaction, so an event and the
deadlines it starts are saved together or not at all.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

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
from regulators.engine import applicability as engine_applicability
from regulators.engine.calendars import BusinessCalendar, builtin_calendar
from regulators.engine.rules import (
    DeadlineResult,
    Precision,
    RuleSpec,
    Trigger,
    adhoc_rule,
    compute_for_versions,
    parse_offset,
)
from regulators.models import Calendar, Obligation, Regulator

# Which timeline events start which kind of clock. Documented in docs/deadlines.md.
TRIGGER_EVENT_KINDS: dict[str, tuple[str, ...]] = {
    "awareness": (EventKind.AWARENESS,),
    "discovery": (EventKind.AWARENESS,),
    "breach_determination": (EventKind.AWARENESS,),
    "suspicion": (EventKind.DETECTION,),
    "materiality_determination": (EventKind.MATERIALITY_DETERMINATION,),
    "classification_major": (EventKind.CLASSIFICATION_MAJOR,),
    "assessment_notifiable": (EventKind.ASSESSMENT,),
    "new_fact": (EventKind.NEW_FACT,),
    "officer_departure": (EventKind.EXECUTIVE_RESIGNATION,),
    # Count increases start these clocks too (incidents.followups).
    SCOPE_GROWTH: (EventKind.NEW_FACT,),
    # Each regulator order is an event kind of the same name.
    **{kind: (EventKind(kind),) for kind in sorted(ORDER_TRIGGERS)},
}
# Clocks started once per event rather than once per entity.
PER_EVENT_TRIGGERS = {"new_fact", "officer_departure", SCOPE_GROWTH, *ORDER_TRIGGERS}
# Chained clocks that run from the *latest* filing of the earlier stage (DORA's final report runs
# from the latest updated intermediate report); all others run from the first filing.
LATEST_FILING_CHAINS = {"eu-dora-final"}
REQUEST_CODE = "regulator-request"

VERDICT_ON_TIME = "on_time"
VERDICT_LATE = "late"
VERDICT_NO_LEGAL_DUE = "no_legal_due"


@dataclass
class _Computed:
    entity: LegalEntity
    code: str
    trigger_key: str
    title: str
    obligation: Obligation | None
    regulator: Regulator | None
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


def verdict_for(due_at: datetime | None, filed_at: datetime) -> tuple[str, int | None]:
    if due_at is None:
        return VERDICT_NO_LEGAL_DUE, None
    late = int((filed_at - due_at).total_seconds())
    return (VERDICT_LATE, late) if late > 0 else (VERDICT_ON_TIME, late)


class Facts(dict[str, object]):
    """Fact mapping in which, once any affected count is recorded, a jurisdiction without a
    count reads as 0: the team records counts for every place it knows people are affected,
    and "unknown" for every other state and country on earth would bury the real clocks."""

    counted: bool = False

    def get(self, key: str, default: object = None) -> object:  # type: ignore[override]
        if key in self:
            return self[key]
        if self.counted and key.startswith("affected."):
            return 0
        return default


def entity_facts(
    entity: LegalEntity, incident: Incident, counts: dict[str, int], filed_codes: set[str]
) -> Facts:
    """The flat fact mapping that applicability conditions are evaluated against."""
    categories = set(incident.data_categories or [])
    facts = Facts(
        {
            "ict_service_provider": entity.ict_service_provider,
            "sec_registrant": entity.sec_registrant,
            "hipaa_covered_entity": entity.hipaa_covered_entity,
            "eu_financial_entity": entity.eu_financial_entity,
            "nis2_entity": entity.nis2_entity,
            "kr_financial_company": entity.kr_financial_company,
            "credit_information_company": entity.credit_information_company,
            "app_entity_au": entity.app_entity_au,
            "jurisdictions": list(entity.jurisdictions) if entity.jurisdictions else None,
            "external_attack": incident.external_attack,
            "sensitive_data": incident.sensitive_data,
            "unique_identifiers": incident.unique_identifiers,
            "credit_information": ("credit_information" in categories) if categories else None,
            "phi": ("phi" in categories) if categories else None,
        }
    )
    facts.counted = bool(counts)
    facts.update(incident.extra_facts or {})
    # Counts are recorded per incident; they count for an entity only where it operates (or for
    # every entity when its jurisdictions are not recorded). Otherwise a US parent would inherit
    # the EU subsidiary's GDPR clock just because EU residents are affected.
    scope = set(entity.jurisdictions or [])
    own = {
        jurisdiction: count
        for jurisdiction, count in counts.items()
        if not scope or jurisdiction.split("-", 1)[0] in scope
    }
    if counts:
        facts["affected.total"] = sum(v for k, v in own.items() if "-" not in k)
        states = [v for k, v in own.items() if k.startswith("US-")]
        facts["affected.us_state_max"] = max(states, default=0)
        for jurisdiction, count in own.items():
            facts[f"affected.{jurisdiction}"] = count
    for code in filed_codes:
        facts[f"filed.{code}"] = True
    facts["8k_filed"] = "us-sec-8k-1-05" in filed_codes or None
    return facts


def current_counts(incident: Incident) -> dict[str, int]:
    """Latest count per jurisdiction (by as_of, then by recording order)."""
    latest: dict[str, int] = {}
    for revision in AffectedCountRevision.objects.filter(incident=incident).order_by(
        "jurisdiction", "as_of", "id"
    ):
        latest[revision.jurisdiction] = revision.count
    return latest


class _Calendars:
    """Engine calendars built from the database (with admin closures), once per call."""

    def __init__(self) -> None:
        self._by_code: dict[str, BusinessCalendar] = {}

    def get(self, code: str | None) -> BusinessCalendar | None:
        if code is None:
            return None
        if code not in self._by_code:
            self._by_code[code] = Calendar.engine_for(code)
        return self._by_code[code]


def _compute(
    versions: list[RuleSpec],
    trigger: Trigger,
    calendars: _Calendars,
    awareness: Trigger | None = None,
    entity: LegalEntity | None = None,
) -> DeadlineResult:
    calendar = calendars.get(versions[0].calendar_code)
    return compute_for_versions(
        versions,
        trigger,
        calendar=calendar,
        awareness=awareness,
        entity_tz=entity.reference_tz if entity is not None else None,
        relief_excluded=dora_relief_excluded(entity) if entity is not None else None,
    )


def _compute_all(incident: Incident) -> list[_Computed]:
    events = list(TimelineEvent.objects.filter(incident=incident).order_by("occurred_at", "id"))
    by_id = {e.pk: e for e in events}
    current = [e for e in events if not e.is_superseded]
    entities = list(LegalEntity.objects.filter(incident=incident).order_by("id"))
    if not entities:
        return []
    counts = current_counts(incident)
    raised = count_increases(AffectedCountRevision.objects.filter(incident=incident))
    filings = list(
        Filing.objects.filter(incident=incident, deadline__isnull=False)
        .select_related("deadline")
        .order_by("submitted_at", "id")
    )
    obligations = list(
        Obligation.objects.select_related("regulator", "calendar").order_by("code", "version")
    )
    by_code: dict[str, list[Obligation]] = defaultdict(list)
    for obligation in obligations:
        by_code[obligation.code].append(obligation)
    calendars = _Calendars()
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

        for code, rows in by_code.items():
            specs = [row.to_spec() for row in rows]
            latest = rows[-1]
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
                    clocks.append(("", None, Trigger(at=filing.submitted_at), [], {}))
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
                        obligation=_version_row(rows, result),
                        regulator=latest.regulator,
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
    for event in current:
        if event.kind != EventKind.REGULATOR_REQUEST or not event.data.get("offset"):
            continue
        entity = next((x for x in entities if x.pk == event.legal_entity_id), entities[0])
        spec = request_rule(event.data)
        result = _compute([spec], _trigger_of(event), calendars)
        regulator = Regulator.objects.filter(code=event.data.get("regulator", "")).first()
        computed.append(
            _Computed(
                entity=entity,
                code=REQUEST_CODE,
                trigger_key=str(_root_id(event, by_id)),
                title=event.title,
                obligation=None,
                regulator=regulator,
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


def request_rule(data: dict[str, Any]) -> RuleSpec:
    """The engine rule for a regulator request's response period (validated on input)."""
    amount, unit = parse_offset(str(data["offset"]))
    return adhoc_rule(
        amount,
        unit,
        calendar_code=data.get("calendar") or None,
        reference_tz=data.get("tz") or settings.TIME_ZONE,
        roll_forward=bool(data.get("roll_forward", False)),
    )


def validate_request_data(data: dict[str, Any]) -> None:
    """Raise ValidationError with a clear message for a bad response period."""
    try:
        spec = request_rule(data)
        ZoneInfo(spec.reference_tz)
        if spec.calendar_code:
            builtin_calendar(spec.calendar_code)
    except (KeyError, ValueError) as exc:
        raise ValidationError({"offset": str(exc)}) from exc


def _version_row(rows: list[Obligation], result: DeadlineResult) -> Obligation:
    for row in rows:
        if row.version == result.version:
            return row
    return rows[-1]


def _explanation(result: DeadlineResult) -> list[dict[str, str]]:
    return [{"en": step.en, "ko": step.ko} for step in result.explanation]


@transaction.atomic
def deadlines_schedule_for(
    *,
    incident: Incident,
    changed_by: User | None = None,
    reason: str = "",
    trigger_corrected: bool = False,
) -> list[Deadline]:
    """Create or update every deadline of ``incident``; record each change of due time.

    A filed deadline's verdict is frozen: only a corrected trigger re-evaluates it, and then the
    old and new verdicts are both kept in the recomputation record.
    """
    computed = _compute_all(incident)
    existing = {
        (d.legal_entity_id, d.code, d.trigger_key): d
        for d in Deadline.objects.filter(incident=incident)
    }
    seen: set[tuple[int, str, str]] = set()
    saved: list[Deadline] = []
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
        old_due = deadline.due_at
        old_verdict = deadline.verdict
        _apply(deadline, item)
        if deadline.filed_at is not None:
            deadline.verdict, deadline.late_by_seconds = verdict_for(
                deadline.due_at, deadline.filed_at
            )
        is_new = deadline.pk is None
        deadline.save()
        _sync_alternatives(deadline, item)
        if not is_new and (old_due != deadline.due_at or old_verdict != deadline.verdict):
            DeadlineRecomputation.objects.create(
                deadline=deadline,
                old_due_at=old_due,
                new_due_at=deadline.due_at,
                old_verdict=old_verdict,
                new_verdict=deadline.verdict,
                reason=reason[:500] or _("recomputed"),
                changed_by=changed_by,
            )
        saved.append(deadline)
    for key, deadline in existing.items():
        if key not in seen and deadline.status == DeadlineStatus.OPEN:
            # Its trigger is gone (for example superseded without a replacement).
            deadline.status = DeadlineStatus.SUPERSEDED
            deadline.save(update_fields=["status", "updated_at"])
            DeadlineRecomputation.objects.create(
                deadline=deadline,
                old_due_at=deadline.due_at,
                new_due_at=None,
                reason=(reason or _("trigger no longer present"))[:500],
                changed_by=changed_by,
            )
    deadlines_changed.send(sender=Deadline, incident=incident)
    return saved


def _apply(deadline: Deadline, item: _Computed) -> None:
    result = item.result
    deadline.title = item.title
    deadline.obligation = item.obligation
    deadline.regulator = item.regulator
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
    wanted = {basis for basis, _e, _r in item.alternatives}
    deadline.alternatives.exclude(basis__in=wanted).delete()
    for basis, event, result in item.alternatives:
        verdict, late = ("", None)
        if deadline.filed_at is not None:
            verdict, late = verdict_for(result.due_at, deadline.filed_at)
        DeadlineAlternative.objects.update_or_create(
            deadline=deadline,
            basis=basis,
            defaults={
                "trigger_event": event,
                "trigger_at": event.occurred_at,
                "due_at": result.due_at,
                "explanation": _explanation(result),
                "verdict": verdict,
                "late_by_seconds": late,
            },
        )


@transaction.atomic
def deadline_record_filing(*, deadline: Deadline, filing: Filing) -> Deadline:
    """The first filing answering a deadline freezes its verdict; later ones are kept as well."""
    if deadline.filed_at is None:
        deadline.filed_at = filing.submitted_at
        deadline.verdict, deadline.late_by_seconds = verdict_for(
            deadline.due_at, filing.submitted_at
        )
        deadline.verdict_frozen_at = timezone.now()
        if deadline.status == DeadlineStatus.OPEN:
            deadline.status = DeadlineStatus.FILED
        deadline.save()
        for alternative in deadline.alternatives.all():
            alternative.verdict, alternative.late_by_seconds = verdict_for(
                alternative.due_at, filing.submitted_at
            )
            alternative.save(update_fields=["verdict", "late_by_seconds"])
    deadlines_changed.send(sender=Deadline, deadline=deadline)
    return deadline


@transaction.atomic
def deadline_mark_not_applicable(
    *, deadline: Deadline, justification: str, marked_by: User
) -> Deadline:
    if not justification.strip():
        raise ValidationError({"justification": _("A justification is required.")})
    deadline.status = DeadlineStatus.NOT_APPLICABLE
    deadline.not_applicable_reason = justification.strip()
    deadline.not_applicable_by = marked_by  # type: ignore[assignment]
    deadline.not_applicable_at = timezone.now()
    deadline.save()
    deadlines_changed.send(sender=Deadline, deadline=deadline)
    return deadline
