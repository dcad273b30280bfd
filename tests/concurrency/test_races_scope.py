"""Narrowed recomputation under concurrency (same harness and PostgreSQL rule as
``test_races.py``): each write recomputes only the clocks it can move, judged under the incident
lock, so writes that land together (earlier and later awareness events, a correction, counts that
lower, repeat and raise, a filing, a new fact) leave exactly the clocks a full recomputation gives.
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import requests

from incidents import services
from incidents.deadlines import deadlines_schedule_for
from incidents.models import Deadline, Incident
from incidents.triggers import Scope
from tests.concurrency.test_races import (  # the fixtures apply to this module once imported
    AWARE,
    NETWORK_ACT,
    _aware_incident,
    _close_connections_after_each_request,  # noqa: F401
    _postgres_only,  # noqa: F401
    _session,
    together,
)
from tests.factories import UserFactory

pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]


@pytest.fixture
def officer(db: None) -> Any:
    return UserFactory(username="race-officer", role="compliance")


def _clocks(incident: Incident) -> dict[tuple[int, str, str], tuple[Any, ...]]:
    return {
        (d.legal_entity_id, d.code, d.trigger_key): (
            d.due_at,
            d.status,
            d.verdict,
            d.trigger_event_id,
            d.applicability,
            d.applicability_reasons,
            d.explanation,
            sorted((a.basis, a.due_at, a.explanation) for a in d.alternatives.all()),
        )
        for d in Deadline.objects.filter(incident=incident).prefetch_related("alternatives")
    }


def _writes(base: str, session: requests.Session, incident: Incident) -> list[Any]:
    awareness = incident.events.get(kind="awareness")
    deadline = Deadline.objects.filter(incident=incident, code=NETWORK_ACT).order_by("id")[0]

    def event(hours: float, basis: str = "", kind: str = "awareness") -> Any:
        body = {
            "kind": kind,
            "occurred_at": (AWARE + timedelta(hours=hours)).isoformat(),
            "title": f"{kind} {hours}",
            "basis": basis,
        }
        return lambda: session.post(f"{base}/events/", json=body, timeout=120)

    def count(value: int, hours: float) -> Any:
        body = {
            "jurisdiction": "KR",
            "count": value,
            "as_of": (AWARE + timedelta(hours=hours)).isoformat(),
        }
        return lambda: session.post(f"{base}/count-revisions/", json=body, timeout=120)

    correction = {
        "kind": "awareness",
        "occurred_at": (AWARE + timedelta(minutes=30)).isoformat(),
        "title": "Aware (corrected)",
        "correction_reason": "The log shows 10:30.",
    }
    filing = {
        "deadline": deadline.pk,
        "recipient": "KISA",
        "submitted_at": (AWARE + timedelta(hours=20)).isoformat(),
    }
    return [
        event(-2),  # earlier: moves every awareness clock
        event(-1),
        event(1),  # later, no basis: moves nothing unless the earlier ones are gone
        event(2, basis="investigators"),  # an alternative trigger
        event(3, kind="new_fact"),
        count(500, 1),  # lower: the PIPA report's threshold
        count(1000, 2),  # the same again
        count(5000, 3),  # a raise: follow-up clocks
        lambda: session.post(
            f"{base}/events/{awareness.pk}/correct/", json=correction, timeout=120
        ),
        lambda: session.post(f"{base}/filings/", json=filing, timeout=120),
    ]


def test_writes_landing_together_leave_what_a_full_recomputation_gives(
    live_server, officer
) -> None:
    session = _session(officer)
    for _round in range(3):
        incident = _aware_incident(officer, entities=2)
        services.affected_count_revise(
            incident=incident, jurisdiction="KR", count=1000, as_of=AWARE
        )
        base = f"{live_server.url}/api/v1/incidents/{incident.pk}"
        responses = together(_writes(base, session, incident))
        assert [r.status_code for r in responses] == [201] * 10
        seen = _clocks(incident)
        assert deadlines_schedule_for(incident=incident, scope=Scope.everything()) == []
        assert _clocks(incident) == seen
