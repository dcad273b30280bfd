"""The races of issue 13, rerun against a live server with real concurrent HTTP requests.

PostgreSQL only: SQLite serialises every writer (and the live server's threads would meet
"database is locked"), so it cannot show a race. In CI (CI=true) the database is PostgreSQL and a
missing PostgreSQL is a failure; elsewhere on SQLite these tests skip with that reason. Run
locally with, e.g. ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/ic_races``.

Each scenario starts its requests together behind a barrier, from as many threads as requests;
the live server answers each in its own thread with its own database connection.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

import pytest
import requests
from django.core.management import call_command
from django.db import connection, connections
from rest_framework.authtoken.models import Token

from incidents import services
from incidents.models import Deadline, Incident
from regulators.models import Obligation
from tests.factories import UserFactory

# No serialized_rollback: after the flush that ends each test, post_migrate puts back the migrated
# baseline (content types, permissions, role groups, the global reminder policy), so the tests
# that run after this module find what migrations made (incidents/admin_access.py).
pytestmark = [
    pytest.mark.services,
    pytest.mark.django_db(transaction=True),
]

KST = ZoneInfo("Asia/Seoul")
AWARE = datetime(2026, 3, 2, 10, 0, tzinfo=KST)
NETWORK_ACT = "kr-network-act-48-3-initial"


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    on_postgres = connection.vendor == "postgresql"
    if os.environ.get("CI") == "true":
        assert on_postgres, "CI must run the concurrency suite on PostgreSQL"
    elif not on_postgres:
        pytest.skip("the concurrency suite needs PostgreSQL (SQLite serialises all writers)")


@pytest.fixture(autouse=True)
def _close_connections_after_each_request() -> Any:
    # The live server answers in short-lived threads; persistent connections (CONN_MAX_AGE)
    # would outlive them and keep the test database busy at teardown.
    database = connections.settings["default"]
    saved = database.get("CONN_MAX_AGE")
    database["CONN_MAX_AGE"] = 0
    yield
    database["CONN_MAX_AGE"] = saved


@pytest.fixture
def officer(db: None) -> Any:
    return UserFactory(username="race-officer", role="compliance")


@pytest.fixture
def counsel(db: None) -> Any:
    return UserFactory(username="race-counsel", role="legal")


def _session(user: Any) -> requests.Session:
    session = requests.Session()
    token, _created = Token.objects.get_or_create(user=user)
    session.headers["Authorization"] = f"Token {token.key}"
    return session


def together(calls: list[Callable[[], requests.Response]]) -> list[requests.Response]:
    """Run every call at the same moment, each from its own thread."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], requests.Response]) -> requests.Response:
        barrier.wait(timeout=10)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return list(pool.map(run, calls))


def _aware_incident(owner: Any, entities: int, members: tuple[Any, ...] = ()) -> Incident:
    if not Obligation.objects.exists():
        call_command("load_catalogue", verbosity=0)
    incident = services.incident_open(title="Race", owner=owner)
    for user in members:
        services.membership_add(incident=incident, user=user)
    for n in range(entities):
        services.legal_entity_add(
            incident=incident,
            name=f"Korea Co. {n}",
            country="KR",
            ict_service_provider=True,
            jurisdictions=["KR"],
        )
    services.timeline_event_record(
        incident=incident, kind="awareness", occurred_at=AWARE, title="Aware", recorded_by=owner
    )
    return incident


def test_simultaneous_creates_all_get_201_and_unique_references(live_server, officer) -> None:
    session = _session(officer)
    url = f"{live_server.url}/api/v1/incidents/"
    responses: list[requests.Response] = []
    for round_ in range(3):
        responses += together(
            [
                lambda title=f"Round {round_} #{n}": session.post(
                    url, json={"title": title}, timeout=120
                )
                for n in range(8)
            ]
        )
    assert [r.status_code for r in responses] == [201] * 24
    references = [r.json()["reference"] for r in responses]
    assert len(set(references)) == 24
    year = datetime.now(tz=UTC).year
    assert sorted(references) == [f"INC-{year}-{n:04d}" for n in range(1, 25)]


def test_two_simultaneous_filings_per_deadline_leave_the_earliest_filings_verdict(
    live_server, officer
) -> None:
    # Six incidents of one Korean entity each: each filing recomputes its incident, and six
    # small incidents keep the suite fast on a busy machine.
    incidents = [_aware_incident(officer, entities=1) for _ in range(6)]
    deadlines = list(Deadline.objects.filter(incident__in=incidents, code=NETWORK_ACT))
    assert len(deadlines) == 6
    due = AWARE + timedelta(hours=24)
    session = _session(officer)
    calls = []
    for deadline in deadlines:
        url = f"{live_server.url}/api/v1/incidents/{deadline.incident_id}/filings/"
        for when in (due - timedelta(hours=1), due + timedelta(weeks=4)):
            body = {"deadline": deadline.pk, "recipient": "KISA", "submitted_at": when.isoformat()}
            calls.append(lambda url=url, body=body: session.post(url, json=body, timeout=120))
    responses = together(calls)
    assert [r.status_code for r in responses] == [201] * 12
    for deadline in Deadline.objects.filter(pk__in=[d.pk for d in deadlines]):
        assert (deadline.status, deadline.verdict) == ("filed", "on_time")
        assert deadline.filed_at == due - timedelta(hours=1)
        assert deadline.late_by_seconds == -3600


def test_simultaneous_patches_of_different_fields_are_both_kept_or_one_gets_412(
    live_server, officer
) -> None:
    session = _session(officer)
    incident = services.incident_open(title="Original", owner=officer)
    url = f"{live_server.url}/api/v1/incidents/{incident.pk}/"
    for round_ in range(3):
        title, severity = f"Title {round_}", ("low", "medium", "critical")[round_]
        plain = together(
            [
                lambda body={"title": title}: session.patch(url, json=body, timeout=120),
                lambda body={"severity": severity}: session.patch(url, json=body, timeout=120),
            ]
        )
        assert [r.status_code for r in plain] == [200, 200]
        fresh = Incident.objects.get(pk=incident.pk)
        assert (fresh.title, fresh.severity) == (title, severity)
    etag = session.get(url, timeout=120).headers["ETag"]
    conditional = together(
        [
            lambda: session.patch(
                url, json={"title": "A"}, headers={"If-Match": etag}, timeout=120
            ),
            lambda: session.patch(
                url, json={"severity": "low"}, headers={"If-Match": etag}, timeout=120
            ),
        ]
    )
    assert sorted(r.status_code for r in conditional) == [200, 412]
    winner = next(r for r in conditional if r.status_code == 200).json()
    fresh = Incident.objects.get(pk=incident.pk)
    assert (fresh.title, fresh.severity) == (winner["title"], winner["severity"])


def test_not_applicable_racing_a_recomputation_keeps_both(live_server, officer, counsel) -> None:
    incident = _aware_incident(officer, entities=1, members=(counsel,))
    deadline = Deadline.objects.get(incident=incident, code=NETWORK_ACT)
    awareness = incident.events.get(kind="awareness")
    later = AWARE + timedelta(hours=3)
    base = f"{live_server.url}/api/v1/incidents/{incident.pk}"
    responses = together(
        [
            lambda: _session(counsel).post(
                f"{base}/deadlines/{deadline.pk}/not-applicable/",
                json={"justification": "The service is not an ICT service under the Act."},
                timeout=120,
            ),
            lambda: _session(officer).post(
                f"{base}/events/{awareness.pk}/correct/",
                json={
                    "kind": "awareness",
                    "occurred_at": later.isoformat(),
                    "title": "Aware (corrected)",
                    "correction_reason": "The log shows 13:00.",
                },
                timeout=120,
            ),
        ]
    )
    assert [r.status_code for r in responses] == [200, 201]
    fresh = Deadline.objects.get(pk=deadline.pk)
    assert fresh.status == "not_applicable"
    assert fresh.due_at == later + timedelta(hours=24)  # the recomputed due time, not put back


def test_deeply_nested_json_is_a_400_with_the_usual_body(live_server, officer) -> None:
    response = _session(officer).post(
        f"{live_server.url}/api/v1/incidents/",
        data="[" * 50_000,
        headers={"Content-Type": "application/json"},
        timeout=120,
    )
    assert response.status_code == 400
    assert response.json()["code"] == "parse_error"
    assert set(response.json()) == {"detail", "code", "errors"}
