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

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q

from incidents.followups import ORDER_TRIGGERS, SCOPE_GROWTH
from incidents.models import EventKind
from regulators.models import Obligation

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

    @property
    def is_empty(self) -> bool:
        return self.codes is not None and not self.codes and not self.requests

    def includes(self, code: str) -> bool:
        if code == REQUEST_CODE:
            return self.requests
        return self.codes is None or code in self.codes


def scope_for_event_kinds(event_kinds: Iterable[str]) -> Scope:
    """The obligations an event of these kinds can start, move or stop.

    A count revision changes facts every rule may test (thresholds), so it reaches everything;
    an awareness event also reaches rules whose long stop counts from awareness (DORA).
    """
    kinds = set(event_kinds)
    if EventKind.COUNT_REVISION in kinds:
        return Scope.everything()
    triggers = trigger_kinds_started_by(kinds)
    query = Q(trigger_kind__in=triggers)
    if EventKind.AWARENESS in kinds:
        query |= Q(long_stop_hours__isnull=False)
    codes = (
        frozenset(Obligation.objects.filter(query).values_list("code", flat=True).distinct())
        if triggers or EventKind.AWARENESS in kinds
        else frozenset()
    )
    return Scope(codes=codes, requests=EventKind.REGULATOR_REQUEST in kinds)


__all__ = [
    "PER_EVENT_TRIGGERS",
    "REQUEST_CODE",
    "TRIGGER_EVENT_KINDS",
    "Scope",
    "scope_for_event_kinds",
    "trigger_kinds_started_by",
]
