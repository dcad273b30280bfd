"""Narrowed recomputation gives exactly the clocks of a full one.

Each write recomputes only the obligations it can move (incidents/triggers.py: the event's kinds,
the counts a revision changes, the rule a filing answers). The property: after any sequence of
writes through the services (events of every trigger kind, corrections, count revisions, filings
and withdrawals), recomputing *everything* changes nothing: same deadlines, due times, statuses,
verdicts, explanations, applicability reasons and alternative triggers.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from incidents import services
from incidents.deadlines import deadlines_schedule_for
from incidents.models import Deadline, DeadlineRecomputation, Filing, Incident, TimelineEvent
from incidents.triggers import Scope, scope_for_counts
from tests.conftest import add_korean_entity
from tests.factories import IncidentFactory

KST = ZoneInfo("Asia/Seoul")
START = datetime(2026, 3, 2, 9, 0, tzinfo=KST)
NOW = datetime(2026, 6, 1, 9, 0, tzinfo=KST)

_FIELDS = (
    "title",
    "obligation_id",
    "regulator_id",
    "trigger_event_id",
    "trigger_revision_id",
    "trigger_at",
    "due_at",
    "without_delay",
    "internal_target_at",
    "explanation",
    "applicability",
    "applicability_reasons",
    "adhoc_spec",
    "status",
    "filed_at",
    "verdict",
    "late_by_seconds",
)
_ALTERNATIVE_FIELDS = ("trigger_event_id", "trigger_at", "due_at", "explanation", "verdict")


def _clocks(incident: Incident) -> dict[tuple[int, str, str], tuple[Any, ...]]:
    """Everything a person sees of each deadline, keyed by its clock."""
    return {
        (d.legal_entity_id, d.code, d.trigger_key): (
            *(getattr(d, name) for name in _FIELDS),
            sorted(
                (a.basis, *(getattr(a, name) for name in _ALTERNATIVE_FIELDS))
                for a in d.alternatives.all()
            ),
        )
        for d in Deadline.objects.filter(incident=incident).prefetch_related("alternatives")
    }


def _incident(owner) -> Incident:
    incident: Incident = IncidentFactory.create(
        owner=owner,
        external_attack=True,
        data_categories=["phi", "credit_information"],
        extra_facts={
            "breach_risk": True,
            "high_risk": True,
            "significant_incident": True,
            "major_incident": True,
        },
    )
    add_korean_entity(
        incident,
        name="Group",
        sec_registrant=True,
        nis2_entity=True,
        eu_financial_entity=True,
        hipaa_covered_entity=True,
        jurisdictions=["KR", "US", "EU"],
    )
    add_korean_entity(incident, name="Korea only", jurisdictions=[])
    # Clocks already running, so that every later write has something to move or leave alone.
    services.affected_count_revise(incident=incident, jurisdiction="KR", count=1000, as_of=START)
    for hours, kind in (
        (0, "awareness"),
        (2, "classification_major"),
        (4, "materiality_determination"),
        (6, "new_fact"),  # an 8-K amendment clock, waiting for the 8-K filing
    ):
        services.timeline_event_record(
            incident=incident,
            kind=kind,
            occurred_at=START + timedelta(hours=hours),
            title=kind,
            basis="company",
            recorded_by=owner,
        )
    return incident


_hours = st.integers(min_value=-48, max_value=24 * 12)
_kinds = st.sampled_from(
    [
        "awareness",
        "awareness",
        "awareness",
        "classification_major",
        "materiality_determination",
        "classification_major",
        "new_fact",
        "executive_resignation",
        "regulator_request",
        "materials_request",
        "count_revision",
        "note",
    ]
)
_counts = st.fixed_dictionaries(
    {
        "jurisdiction": st.sampled_from(["KR", "US", "US-CA", "US-TX", "EU"]),
        "count": st.sampled_from([0, 1, 250, 501, 1000, 1000, 50_000]),
        "hours": _hours,
    }
)
_FILED_CODES = [
    "eu-nis2-notification",  # -> eu-nis2-final
    "eu-dora-initial",  # -> eu-dora-intermediate
    "eu-dora-intermediate",  # -> eu-dora-final (from the latest)
    "us-sec-8k-1-05",  # -> 8k_filed: us-sec-8k-1-05-amendment
    "us-ca-1798-82",  # -> us-ca-1798-82-ag
    "kr-network-act-48-3-initial",
    "",  # any deadline
]
_event = st.tuples(
    st.just("event"),
    st.fixed_dictionaries(
        {
            "kind": _kinds,
            "hours": _hours,
            "basis": st.sampled_from(["", "company", "investigators"]),
            "low": st.booleans(),
            "entity": st.sampled_from([None, 0, 1]),
            "count": _counts,
        }
    ),
)
_operations = st.one_of(
    _event,
    _event,  # twice as likely as the others
    st.tuples(
        st.just("correct"),
        st.fixed_dictionaries(
            {"which": st.integers(0, 50), "hours": _hours, "kind": st.none() | _kinds}
        ),
    ),
    st.tuples(st.just("count"), _counts),
    st.tuples(
        st.just("filing"),
        st.fixed_dictionaries(
            {
                # Rules whose filing starts or allows another clock, and others; None files
                # nothing in particular (a letter to a regulator).
                "code": st.sampled_from([None, *_FILED_CODES]),
                "which": st.integers(0, 80),
                "hours": _hours,
                "date_only": st.booleans(),
            }
        ),
    ),
    st.tuples(st.just("withdraw"), st.integers(0, 20)),
)


def _event_data(kind: str, count: dict[str, Any]) -> dict[str, Any]:
    if kind == "regulator_request":
        return {"offset": "5bd", "calendar": "KR", "regulator": "kisa"}
    if kind == "materials_request":
        return {"offset": "3cd"}
    if kind == "executive_resignation":
        return {"covered_officer": True}
    if kind == "count_revision":
        return {"jurisdiction": count["jurisdiction"], "count": count["count"]}
    return {}


def _apply(incident: Incident, operation: tuple[str, dict[str, Any] | int], user) -> None:
    name, args = operation
    entities = list(incident.entities.order_by("id"))
    if name == "event":
        assert isinstance(args, dict)
        entity = args["entity"]
        services.timeline_event_record(
            incident=incident,
            kind=args["kind"],
            occurred_at=START + timedelta(hours=args["hours"]),
            title=f"{args['kind']} {args['hours']}",
            basis=args["basis"],
            confidence="low" if args["low"] else "high",
            legal_entity=entities[entity] if entity is not None else None,
            data=_event_data(args["kind"], args["count"]),
            recorded_by=user,
        )
    elif name == "correct":
        assert isinstance(args, dict)
        current = list(
            TimelineEvent.objects.filter(incident=incident, superseded_by__isnull=True).order_by(
                "id"
            )
        )
        if not current:
            return
        original = current[args["which"] % len(current)]
        kind = args["kind"] or original.kind
        services.timeline_event_record(
            incident=incident,
            kind=kind,
            occurred_at=original.occurred_at + timedelta(hours=args["hours"] % 24 - 12),
            title=f"corrected {original.title}",
            basis=original.basis,
            confidence=original.confidence,
            legal_entity=original.legal_entity,
            data=original.data if kind == original.kind else {},
            supersedes=original,
            correction_reason="re-dated",
            recorded_by=user,
        )
    elif name == "count":
        assert isinstance(args, dict)
        services.affected_count_revise(
            incident=incident,
            jurisdiction=args["jurisdiction"],
            count=args["count"],
            as_of=START + timedelta(hours=args["hours"]),
            recorded_by=user,
        )
    elif name == "filing":
        assert isinstance(args, dict)
        code, deadline = args["code"], None
        if code is not None:
            deadlines = list(Deadline.objects.filter(incident=incident).order_by("id"))
            wanted = [d for d in deadlines if d.code == code] or deadlines
            deadline = wanted[args["which"] % len(wanted)] if wanted else None
        services.filing_submit(
            incident=incident,
            deadline=deadline,
            recipient="regulator",
            submitted_at=START + timedelta(hours=args["hours"]),
            precision="date" if args["date_only"] else "exact",
            submitted_by=user,
        )
    else:
        assert isinstance(args, int)
        filings = list(Filing.objects.filter(incident=incident, withdrawn_at__isnull=True))
        if filings:
            services.filing_withdraw(
                filing=filings[args % len(filings)], reason="recorded in error", withdrawn_by=user
            )


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=40,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(operations=st.lists(_operations, min_size=1, max_size=10))
def test_every_narrowed_write_leaves_what_a_full_recomputation_gives(
    catalogue, alice, operations
) -> None:
    with time_machine.travel(NOW, tick=False), transaction.atomic():
        incident = _incident(alice)
        for operation in operations:
            try:
                _apply(incident, operation, alice)
            except ValidationError:
                continue  # refused (e.g. an event corrected twice): nothing was written
            seen = _clocks(incident)
            recomputations = DeadlineRecomputation.objects.count()
            changed = deadlines_schedule_for(incident=incident, scope=Scope.everything())
            assert [d.code for d in changed] == [], operation
            assert _clocks(incident) == seen, operation
            assert DeadlineRecomputation.objects.count() == recomputations
        transaction.set_rollback(True)


def test_the_same_count_again_or_a_back_dated_lower_count_moves_nothing(aware_incident) -> None:
    """The bench's count revision (same count, later as-of) and a back-dated one recompute
    nothing; a new latest count reaches the rules that test counts, a raise the follow-ups."""
    from incidents.models import AffectedCountRevision

    before = list(AffectedCountRevision.objects.filter(incident=aware_incident))
    at = before[0].as_of

    def revision(count: int, hours: int) -> AffectedCountRevision:
        return AffectedCountRevision(
            pk=10_000 + hours, jurisdiction="KR", count=count, as_of=at + timedelta(hours=hours)
        )

    assert scope_for_counts(before, [*before, revision(1000, 5)]).is_empty
    later = revision(2000, 10)
    # Back-dated below the later count: the latest count and the raises stay the same.
    assert scope_for_counts([*before, later], [*before, later, revision(500, 5)]).is_empty
    raised = scope_for_counts(before, [*before, revision(2000, 5)])
    assert raised.includes("kr-pipa-34-pipc-report")  # tests affected.KR
    assert raised.includes("kr-pipa-34-pipc-supplementary")  # a raise starts a follow-up
    assert not raised.includes("kr-network-act-48-3-initial")  # tests no count
    assert not raised.requests
