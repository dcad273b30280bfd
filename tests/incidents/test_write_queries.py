"""Query counts of the two commonest writes, pinned and flat in the timeline's length.

A note recomputes nothing; a trigger event recomputes only the obligations that use its kind,
saves only the deadlines that changed, and syncs reminders once. Figures for PostgreSQL are in
docs/performance.md (same test, DATABASE_URL set)."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from incidents import services
from incidents.models import Deadline, DeadlineRecomputation
from tests.conftest import add_korean_entity
from tests.factories import IncidentFactory

KST = ZoneInfo("Asia/Seoul")
NOTE_BUDGET = 40


def _fill(incident, alice, total: int) -> None:
    """Notes up to ``total`` events (the fixture already recorded one awareness event)."""
    start = datetime(2026, 3, 2, 11, 0, tzinfo=KST)
    for n in range(total - incident.events.count()):
        services.timeline_event_record(
            incident=incident,
            kind="note",
            occurred_at=start + timedelta(minutes=n),
            title=f"note {n}",
            recorded_by=alice,
        )


def _count(write) -> int:
    with CaptureQueriesContext(connection) as ctx:
        write()
    return len(ctx.captured_queries)


def _note(incident, alice):
    return lambda: services.timeline_event_record(
        incident=incident,
        kind="note",
        occurred_at=datetime(2026, 3, 3, 9, 0, tzinfo=KST),
        title="Board briefed",
        recorded_by=alice,
    )


def _trigger(incident, alice):
    # The investigators' awareness time: an alternative trigger for every awareness clock.
    return lambda: services.timeline_event_record(
        incident=incident,
        kind="awareness",
        occurred_at=datetime(2026, 3, 2, 8, 0, tzinfo=KST),
        title="Investigators date the awareness earlier",
        basis="investigators",
        recorded_by=alice,
    )


def _measure(incident, alice, total: int) -> tuple[int, int]:
    _fill(incident, alice, total - 2)  # + the note and the trigger measured below
    note = _count(_note(incident, alice))
    trigger = _count(_trigger(incident, alice))
    return note, trigger


@pytest.mark.parametrize("total", [3, 60])
def test_recording_a_note_recomputes_nothing_and_stays_within_budget(
    aware_incident, alice, total
) -> None:
    _fill(aware_incident, alice, total - 1)
    history_before = Deadline.history.count()
    recomputations_before = DeadlineRecomputation.objects.count()
    queries = _count(_note(aware_incident, alice))
    assert queries <= NOTE_BUDGET
    assert Deadline.history.count() == history_before  # no no-op history rows
    assert DeadlineRecomputation.objects.count() == recomputations_before


def test_trigger_event_costs_the_same_at_3_and_at_60_events(aware_incident, alice) -> None:
    small = _measure(aware_incident, alice, 3)
    # A second incident of the same shape, with 60 events.
    other = IncidentFactory(owner=alice)
    add_korean_entity(other)
    services.affected_count_revise(
        incident=other, jurisdiction="KR", count=1000, as_of=datetime(2026, 3, 2, 9, 0, tzinfo=KST)
    )
    services.timeline_event_record(
        incident=other,
        kind="awareness",
        occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=KST),
        title="CISO confirms the leak",
        basis="company",
        recorded_by=alice,
    )
    large = _measure(other, alice, 60)
    print(f"queries (note, trigger): 3 events {small}, 60 events {large}")  # noqa: T201
    assert large[0] == small[0]
    assert large[1] <= small[1] * 1.2
    assert small[1] <= large[1] * 1.2


def test_trigger_event_saves_only_the_deadlines_it_moves(aware_incident, alice) -> None:
    untouched = Deadline.objects.filter(incident=aware_incident).exclude(
        obligation__trigger_kind__in=["awareness", "discovery", "breach_determination"]
    )
    stamps = dict(untouched.values_list("pk", "updated_at"))
    _trigger(aware_incident, alice)()
    assert dict(untouched.values_list("pk", "updated_at")) == stamps
