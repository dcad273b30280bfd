"""Which timeline events start which clocks, and so which deadlines a write can move.

The trigger kinds themselves are one closed list, ``regulators.engine.catalogue.TRIGGER_KINDS``
(validated on every obligation: admin, API, catalogue load). This module only says which event
kinds start each of them; a test checks that both lists name the same kinds. Documented in
docs/deadlines.md.

``Scope`` is what a write can affect. The scheduler recomputes only the obligations in scope, so a
note recomputes nothing and an awareness event only the clocks that run from awareness (or that
have a long stop counted from it).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import Q

from incidents.facts import COUNT_FACTS_PREFIX, facts_set_by_filing, latest_counts
from incidents.followups import (
    ORDER_TRIGGERS,
    OWN_DECISION_TRIGGERS,
    SCOPE_GROWTH,
    count_increases,
)
from incidents.models import AffectedCountRevision, EventKind, TimelineEvent
from regulators.engine.catalogue import FILING_OF
from regulators.snapshot import catalogue_snapshot

# trigger kind (regulators' vocabulary) -> the event kinds that start it
TRIGGER_EVENT_KINDS: dict[str, tuple[str, ...]] = {
    "awareness": (EventKind.AWARENESS,),
    "discovery": (EventKind.AWARENESS,),
    "breach_determination": (EventKind.AWARENESS,),
    "materiality_determination": (EventKind.MATERIALITY_DETERMINATION,),
    "classification_major": (EventKind.CLASSIFICATION_MAJOR,),
    "assessment_notifiable": (EventKind.ASSESSMENT,),
    "new_fact": (EventKind.NEW_FACT,),
    "officer_departure": (EventKind.EXECUTIVE_RESIGNATION,),
    # A count revision that raises a count starts these clocks too (incidents.followups), so a
    # count revision reaches them (``scope_for_event_kinds``) as well as a new-fact event.
    SCOPE_GROWTH: (EventKind.NEW_FACT,),
    # Each regulator order is an event kind of the same name.
    **{kind: (EventKind(kind),) for kind in sorted(ORDER_TRIGGERS)},
}
# Clocks started once per event rather than once per entity.
PER_EVENT_TRIGGERS = frozenset({"new_fact", "officer_departure", SCOPE_GROWTH, *ORDER_TRIGGERS})
# Ad hoc clocks: one per regulator request, with the period the regulator set.
REQUEST_CODE = "regulator-request"


def trigger_kinds_started_by(event_kinds: Iterable[str]) -> set[str]:
    wanted = set(event_kinds)
    return {
        trigger
        for trigger, kinds in TRIGGER_EVENT_KINDS.items()
        if any(kind in wanted for kind in kinds)
    }


@dataclass(frozen=True)
class Scope:
    """The clocks a write can move. ``codes=None`` means every obligation."""

    codes: frozenset[str] | None = None
    requests: bool = True

    @classmethod
    def everything(cls) -> Scope:
        return cls()

    @classmethod
    def of(cls, code: str) -> Scope:
        """The clocks of one rule code (or the regulator requests)."""
        if code == REQUEST_CODE:
            return cls(codes=frozenset(), requests=True)
        return cls(codes=frozenset({code}), requests=False)

    @property
    def is_empty(self) -> bool:
        return self.codes is not None and not self.codes and not self.requests

    def includes(self, code: str) -> bool:
        if code == REQUEST_CODE:
            return self.requests
        return self.codes is None or code in self.codes

    def __or__(self, other: Scope) -> Scope:
        both = self.codes is not None and other.codes is not None
        codes = (self.codes or frozenset()) | (other.codes or frozenset()) if both else None
        return Scope(codes=codes, requests=self.requests or other.requests)


NOTHING = Scope(codes=frozenset(), requests=False)


def scope_for_event_kinds(event_kinds: Iterable[str]) -> Scope:
    """The obligations an event of these kinds can start, move or stop.

    A count revision changes facts every rule may test (thresholds), so, judged by its kind
    alone, it reaches everything (the services narrow it with ``scope_for_counts``, which sees
    the counts); an awareness event also reaches rules whose long stop counts from awareness
    (DORA).
    """
    kinds = set(event_kinds)
    if EventKind.COUNT_REVISION in kinds:
        return Scope.everything()
    triggers = trigger_kinds_started_by(kinds)
    awareness = EventKind.AWARENESS in kinds
    codes = (
        catalogue_snapshot().codes(
            lambda rule: rule.any_version(trigger_kinds=triggers, long_stop=awareness)
        )
        if triggers or awareness
        else frozenset()
    )
    return Scope(codes=codes, requests=EventKind.REGULATOR_REQUEST in kinds)


def scope_for_new_event(event: TimelineEvent, scope: Scope) -> Scope:
    """What a newly recorded event (not a correction) can move: ``scope_for_event_kinds`` of
    its kind, less the clocks it provably leaves alone. Call with the incident row locked (the
    earlier events are judged as committed).

    A clock started once per entity (awareness, discovery, classification as major, ...) runs
    from the earliest current event of its kind that reaches the entity; each later one with a
    basis of its own is an alternative trigger (the earliest per basis). The earliest awareness
    event is also where long stops count from. So a new event leaves all of these as they are
    when an earlier current event of its kind reaches every entity it reaches, and it has no
    basis or an earlier such event has the same one. Clocks started per event, those only the
    company's own decision starts (``OWN_DECISION_TRIGGERS``) and requests are always kept.
    ``scope`` is ``scope_for_event_kinds`` of the event's kind."""
    kind = event.kind
    triggers = trigger_kinds_started_by({kind})
    narrowable = {
        trigger
        for trigger in triggers
        if trigger not in PER_EVENT_TRIGGERS
        and trigger not in OWN_DECISION_TRIGGERS
        and TRIGGER_EVENT_KINDS[trigger] == (kind,)
    }
    if scope.codes is None or scope.is_empty or not narrowable or event.supersedes_id is not None:
        return scope
    earlier = TimelineEvent.objects.filter(
        Q(occurred_at__lt=event.occurred_at) | Q(occurred_at=event.occurred_at, pk__lt=event.pk),
        incident_id=event.incident_id,
        kind=kind,
        superseded_by__isnull=True,
    )
    # Earlier events that reach every entity the new one reaches.
    reach = Q(legal_entity__isnull=True)
    if event.legal_entity_id is not None:
        reach |= Q(legal_entity_id=event.legal_entity_id)
    earlier = earlier.filter(reach)
    if event.basis:
        earlier = earlier.filter(basis=event.basis)
    if not earlier.exists():
        return scope
    kept = triggers - narrowable
    codes = (
        catalogue_snapshot().codes(lambda rule: rule.any_version(trigger_kinds=kept))
        if kept
        else frozenset()
    )
    return Scope(codes=codes, requests=scope.requests)


def scope_for_filing(code: str) -> Scope:
    """What recording or withdrawing a filing that answers a deadline of ``code`` can move: the
    clocks chained to filings of ``code`` (``filing_of:<code>``) and the rules whose conditions
    read a fact such a filing sets (``8k_filed``). The filed deadline itself is frozen (its
    verdict is settled by ``incidents.filings``). A filing answering no deadline moves no clock:
    the scheduler reads only filings that answer one."""
    chained = f"{FILING_OF}{code}"
    facts = facts_set_by_filing(code)
    codes = catalogue_snapshot().codes(
        lambda rule: rule.any_version(trigger_kinds={chained}) or bool(rule.reads & facts)
    )
    return Scope(codes=codes, requests=False)


def scope_for_counts(
    before: Sequence[AffectedCountRevision], after: Sequence[AffectedCountRevision]
) -> Scope:
    """What a count revision can move, from the incident's revisions before and after it (read
    under the incident lock). The scheduler reads counts twice: the latest count per
    jurisdiction (facts ``affected.*``, which applicability conditions test) and the revisions
    that raised a count (the ``scope_growth`` clocks). A revision that changes neither (the same
    count again, or a back-dated one overtaken by a later count) moves nothing."""
    counts_moved = latest_counts(before) != latest_counts(after)
    raises_moved = {r.pk for r in count_increases(before)} != {r.pk for r in count_increases(after)}
    if not (counts_moved or raises_moved):
        return NOTHING
    codes = catalogue_snapshot().codes(
        lambda rule: (
            (counts_moved and any(fact.startswith(COUNT_FACTS_PREFIX) for fact in rule.reads))
            or (raises_moved and rule.any_version(trigger_kinds={SCOPE_GROWTH}))
        )
    )
    return Scope(codes=codes, requests=False)


__all__ = [
    "NOTHING",
    "PER_EVENT_TRIGGERS",
    "REQUEST_CODE",
    "TRIGGER_EVENT_KINDS",
    "Scope",
    "scope_for_counts",
    "scope_for_event_kinds",
    "scope_for_filing",
    "scope_for_new_event",
    "trigger_kinds_started_by",
]
