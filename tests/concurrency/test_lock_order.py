"""Lock order: a writer's row lock never deadlocks with the audit chain or a child row.

The 30-minute soak (docs/performance.md) answered one web event post with a 500: PostgreSQL
found a deadlock between a note (which takes no incident lock, but inserts an event whose
deferred foreign key check takes FOR KEY SHARE on the incident at commit, while it holds the
audit chain's lock) and a filing (which held the incident with FOR UPDATE and waited for the
audit chain). ``common.concurrency.lock`` now takes FOR NO KEY UPDATE, which two writers still
serialise on but a foreign key check does not wait for.

PostgreSQL only (SQLite has no row locks); in CI a missing PostgreSQL is a failure.
"""

from __future__ import annotations

import os
import threading
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.db import OperationalError, connection, connections, transaction

from common.concurrency import lock
from incidents.concurrency import lock_incident
from incidents.models import Incident, TimelineEvent
from tests.factories import IncidentFactory

pytestmark = [pytest.mark.services, pytest.mark.django_db(transaction=True)]

KST = ZoneInfo("Asia/Seoul")


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    on_postgres = connection.vendor == "postgresql"
    if os.environ.get("CI") == "true":
        assert on_postgres, "CI must run the concurrency suite on PostgreSQL"
    elif not on_postgres:
        pytest.skip("row locks need PostgreSQL")


def _insert_event_and_commit(incident_id: int, outcome: list[object]) -> None:
    try:
        with transaction.atomic():
            with connection.cursor() as cursor:
                # Fail fast instead of hanging if the foreign key check has to wait.
                cursor.execute("SET LOCAL lock_timeout = '3s'")
            TimelineEvent.objects.create(
                incident_id=incident_id,
                kind="note",
                occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=KST),
                title="a note while the incident is locked",
            )
        outcome.append("committed")
    except OperationalError as error:
        outcome.append(error)
    finally:
        connections.close_all()


def test_a_child_row_commits_while_a_writer_holds_the_incident_lock() -> None:
    incident = IncidentFactory()
    outcome: list[object] = []
    with transaction.atomic():
        lock(Incident, incident.pk)  # a writer (a filing, a recomputation) holds the incident
        other = threading.Thread(target=_insert_event_and_commit, args=(incident.pk, outcome))
        other.start()
        other.join(timeout=15)
        # Still inside the writer's transaction: the note did not wait for it.
        assert outcome == ["committed"], outcome
    assert TimelineEvent.objects.filter(incident=incident, kind="note").count() == 1


def test_two_writers_of_one_incident_still_wait_for_each_other() -> None:
    incident = IncidentFactory()
    outcome: list[object] = []

    def second_writer() -> None:
        try:
            with transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute("SET LOCAL lock_timeout = '500ms'")
                lock(Incident, incident.pk)
            outcome.append("locked")
        except OperationalError as error:
            outcome.append(error)
        finally:
            connections.close_all()

    with transaction.atomic():
        lock(Incident, incident.pk)
        other = threading.Thread(target=second_writer)
        other.start()
        other.join(timeout=15)
    assert len(outcome) == 1
    assert isinstance(outcome[0], OperationalError), outcome  # lock timeout: it had to wait


def test_an_awareness_event_and_a_writer_holding_the_incident_do_not_deadlock(
    catalogue: None,
) -> None:
    """The order every write keeps (``lock_incident``): the audit chain, then the incident. A
    writer (a filing) holds the incident and then appends to the audit chain; an awareness event
    recorded at the same moment must wait before it touches either, not hold the chain and then
    wait for the incident (PostgreSQL would kill one of them: a 500)."""
    from audit.services import audit_record
    from incidents import services
    from tests.conftest import add_korean_entity

    incident = IncidentFactory()
    add_korean_entity(incident)
    outcome: list[object] = []

    def record_awareness() -> None:
        try:
            services.timeline_event_record(
                incident=Incident.objects.get(pk=incident.pk),
                kind="awareness",
                occurred_at=datetime(2026, 3, 2, 10, 0, tzinfo=KST),
                title="aware",
            )
            outcome.append("recorded")
        except OperationalError as error:
            outcome.append(error)
        finally:
            connections.close_all()

    writer_error: list[object] = []
    with transaction.atomic():
        lock_incident(incident)  # the writer holds the incident, as a filing does
        other = threading.Thread(target=record_awareness)
        other.start()
        other.join(timeout=1.5)  # the event is now waiting, on the incident (or, before, on it
        # after taking the audit chain)
        try:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL lock_timeout = '5s'")
            audit_record(action="update", obj=incident, changes={"writer": "holds the incident"})
        except OperationalError as error:
            writer_error.append(error)
    other.join(timeout=15)
    assert writer_error == []
    assert outcome == ["recorded"], outcome
