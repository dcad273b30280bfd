"""Issue #14 clocks that the generic scheduler in ``incidents.deadlines`` delegates to here.

- Scope growth: a count revision that *raises* the count of a jurisdiction is a newly confirmed
  fact; with ``new_fact`` events it starts the catalogue's ``scope_growth`` clocks (Network Act
  supplementary report, PIPA notice to the newly identified data subjects, PIPC supplementary
  report). Lowering a count starts nothing.
- Regulator orders: the answer owed to an order is computed from the order's own answer-by
  time or period (``data.answer_by`` / ``data.offset``), else the statutory default.
- The entity facts the engine needs for the DORA weekend relief.

Kept apart from the scheduler so that its rework (incremental recomputation) and these rules
stay easy to merge.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.utils.dateparse import parse_date, parse_datetime

from incidents.choices import DoraEntityType
from incidents.models import AffectedCountRevision, LegalEntity, TimelineEvent
from regulators.engine.basics import Step
from regulators.engine.calendars import BusinessCalendar
from regulators.engine.catalogue import CATALOGUE
from regulators.engine.orders import compute_order_due
from regulators.engine.rules import DeadlineResult, RuleSpec, Trigger, parse_offset

SCOPE_GROWTH = "scope_growth"
# Trigger kinds of the catalogue's regulator-order rules; each is also a timeline event kind.
ORDER_TRIGGERS = frozenset(
    {
        "preservation_order",
        "materials_request",
        "pipc_materials_request",
        "onsite_inspection",
        "corrective_order",
        "pipc_corrective_order",
        "penalty_notice",
    }
)
# Catalogue codes of the answers owed to orders and notices (the dashboard's "answers owed").
ORDER_CODES = frozenset(e.code for e in CATALOGUE if e.trigger_kind in ORDER_TRIGGERS)
_RELIEF_EXCLUDED_TYPES = frozenset(
    {
        DoraEntityType.CREDIT_INSTITUTION,
        DoraEntityType.CENTRAL_COUNTERPARTY,
        DoraEntityType.TRADING_VENUE,
    }
)


def count_increases(revisions: Iterable[AffectedCountRevision]) -> list[AffectedCountRevision]:
    """Revisions that raised their jurisdiction's count above the previous one (by ``as_of``).

    The first count of a jurisdiction is not an increase: the first report covers it.
    """
    previous: dict[str, int] = {}
    raised: list[AffectedCountRevision] = []
    for revision in sorted(revisions, key=lambda r: (r.jurisdiction, r.as_of, r.pk)):
        before = previous.get(revision.jurisdiction)
        if before is not None and revision.count > before:
            raised.append(revision)
        previous[revision.jurisdiction] = revision.count
    return raised


def revision_key(revision: AffectedCountRevision) -> str:
    """The deadline ``trigger_key`` of a clock started by a count revision."""
    return f"rev{revision.pk}"


def revision_positions(revisions: Iterable[AffectedCountRevision]) -> dict[int, int]:
    """Revision id -> position in ``revisions`` (how an export file refers to a revision)."""
    return {revision.pk: position for position, revision in enumerate(revisions)}


def revision_at(
    revisions: Sequence[AffectedCountRevision], position: int | None
) -> AffectedCountRevision | None:
    """The revision an export file refers to by position; None for files without the link
    (exported before issue #14) or deadlines not started by a count."""
    return None if position is None else revisions[position]


def revisions_for_entity(
    raised: Sequence[AffectedCountRevision], entity: LegalEntity
) -> list[AffectedCountRevision]:
    """Raised counts in a jurisdiction where the entity operates (all, if none recorded)."""
    scope = set(entity.jurisdictions or [])
    return [r for r in raised if not scope or r.jurisdiction.split("-", 1)[0] in scope]


def dora_relief_excluded(entity: LegalEntity) -> bool | None:
    """RTS 2025/301 Art. 5(5): True = no weekend relief for initial/intermediate reports;
    None = unknown (the engine then keeps the stricter time)."""
    if entity.dora_entity_type in _RELIEF_EXCLUDED_TYPES or entity.nis2_entity:
        return True
    if entity.dora_entity_type == DoraEntityType.OTHER and entity.nis2_entity is False:
        return False
    return None


def _answer_by(data: dict[str, Any]) -> datetime | date | None:
    raw = data.get("answer_by")
    if not raw:
        return None
    text = str(raw)
    parsed_dt = parse_datetime(text) if "T" in text or " " in text else None
    if parsed_dt is not None:
        return parsed_dt
    parsed = parse_date(text)
    if parsed is None:
        raise ValueError(f"Cannot read the answer-by value {text!r}: use YYYY-MM-DD or ISO time.")
    return parsed


def validate_order_data(data: dict[str, Any]) -> None:
    """Raise ValueError for an unreadable answer-by time or response period."""
    answer_by = _answer_by(data)
    if isinstance(answer_by, datetime) and answer_by.tzinfo is None:
        raise ValueError("An answer-by time needs a UTC offset, e.g. 2025-12-05T18:00+09:00.")
    if data.get("offset"):
        parse_offset(str(data["offset"]))


def order_result(
    specs: Sequence[RuleSpec],
    event: TimelineEvent,
    trigger: Trigger,
    calendar: BusinessCalendar | None,
    entity_tz: str | None,
) -> DeadlineResult:
    """The answer owed to one order event."""
    data = dict(event.data or {})
    offset = parse_offset(str(data["offset"])) if data.get("offset") else None
    return compute_order_due(
        specs,
        trigger,
        answer_by=_answer_by(data),
        offset=offset,
        calendar=calendar,
        entity_tz=entity_tz,
    )


# Clocks that run from the obliged company's own decision (Item 1.05: the registrant's
# materiality determination). Only the company's record can give that date: a low-confidence
# date from someone else (a lawsuit's allegation) is kept as an alternative trigger with its
# own due time, never as the basis of the verdict.
OWN_DECISION_TRIGGERS = frozenset({"materiality_determination"})


def choose_primary(
    trigger_kind: str, candidates: Sequence[TimelineEvent]
) -> tuple[TimelineEvent | None, list[TimelineEvent]]:
    """(the event that starts the clock, or None when the record gives none; the others)."""
    if trigger_kind in OWN_DECISION_TRIGGERS:
        recorded = [e for e in candidates if e.confidence != "low"]
        if not recorded:
            return None, list(candidates)
        return recorded[0], [e for e in candidates if e is not recorded[0]]
    return candidates[0], list(candidates[1:])


def unrecorded_trigger_result(rule: RuleSpec) -> DeadlineResult:
    """No due time: the decision that starts this clock is not in the record."""
    return DeadlineResult(
        code=rule.code,
        version=rule.version,
        due_at=None,
        internal_target_at=None,
        without_delay=False,
        explanation=(
            Step(
                f"{rule.title_en}: the record gives no date for the {rule.trigger_label_en} "
                f"(only the company can make it), so there is no due time and no verdict. Dates "
                f"alleged by others are shown as alternatives with their own due times.",
                f"{rule.title_ko}: 기록에 {rule.trigger_label_ko} 날짜가 없어(회사만 판단할 수 "
                f"있음) 기한과 판정이 없습니다. 제3자가 주장한 날짜는 각자의 기한과 함께 대안 "
                f"기산점으로 표시합니다.",
            ),
        ),
    )
