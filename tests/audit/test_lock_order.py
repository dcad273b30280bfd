"""Writers take the audit chain's lock and an incident's row lock in one order, so two concurrent
writes to one incident never deadlock (PostgreSQL, threads with their own connections).

The closed-loop load test found it: recording an event appends to the audit log (taking the
chain's lock) and then recomputes (locking the incident), while recording a filing locks the
incident and then appends: PostgreSQL aborted one of them with "deadlock detected", a 500.
SQLite serialises every writer, so these tests skip there (and fail in CI, where the database must
be PostgreSQL). Run with ``DATABASE_URL=postgres://postgres@127.0.0.1:5432/ic_locks``.
"""

from __future__ import annotations

import os
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection, connections, transaction

from audit.models import AuditEntry
from audit.services import audit_record
from incidents import services
from incidents.concurrency import lock_incident
from incidents.filings import filing_submit
from incidents.models import Filing, TimelineEvent

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _postgres_only() -> None:
    on_postgres = connection.vendor == "postgresql"
    if os.environ.get("CI") == "true":
        assert on_postgres, "CI must run the concurrency tests on PostgreSQL"
    elif not on_postgres:
        pytest.skip("needs PostgreSQL (SQLite serialises all writers)")


def _in_threads(*work) -> list[object]:
    def run(job) -> object:
        try:
            return job()
        except Exception as exc:  # the test reports what each writer raised
            return exc
        finally:
            connections.close_all()

    with ThreadPoolExecutor(max_workers=len(work)) as pool:
        return list(pool.map(run, work))


def _note(incident, alice, appended: threading.Event) -> None:
    # A note recomputes nothing: it inserts the event (whose foreign key PostgreSQL checks on the
    # incident row at commit) and appends to the audit log.
    services.timeline_event_record(
        incident=incident,
        kind="note",
        occurred_at=datetime(2026, 3, 2, 12, 0, tzinfo=UTC),
        title="a note",
        recorded_by=alice,
    )
    appended.set()
    time.sleep(0.5)  # the other writer reaches the incident meanwhile


def _append_then_lock(incident, alice, appended: threading.Event) -> None:
    # A trigger event: saved (appended to the audit log), then the clocks are recomputed.
    audit_record(action="test", object_type="test", incident_id=incident.pk)
    appended.set()
    time.sleep(0.5)
    lock_incident(incident.pk)


@pytest.mark.parametrize("first", [_note, _append_then_lock], ids=["note", "trigger event"])
def test_a_writer_that_locks_the_incident_waits_for_one_that_has_appended(
    incident, alice, first
) -> None:
    appended = threading.Event()

    def appends_first() -> str:
        with transaction.atomic():
            first(incident, alice, appended)
        return "appended first"

    def locks_first() -> str:  # recording a filing: lock the incident, then save (append)
        appended.wait(10)
        with transaction.atomic():
            lock_incident(incident.pk)
            audit_record(action="test", object_type="test", object_repr="second")
        return "locked first"

    assert _in_threads(appends_first, locks_first) == ["appended first", "locked first"]
    assert AuditEntry.objects.order_by("-seq").values_list("object_repr", flat=True)[0] == "second"


def test_events_and_filings_recorded_at_once_on_one_incident_are_all_kept(aware_incident, alice):
    when = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)

    def event(n: int):
        return lambda: services.timeline_event_record(
            incident=aware_incident,
            kind="investigation_milestone",
            occurred_at=when + timedelta(minutes=n),
            title=f"milestone {n}",
            recorded_by=alice,
        )

    def filing(n: int):
        return lambda: filing_submit(
            incident=aware_incident,
            recipient="KISA",
            submitted_at=when + timedelta(minutes=n),
            notes=f"filing {n}",
            submitted_by=alice,
        )

    results = _in_threads(*[event(n) if n % 2 else filing(n) for n in range(10)])
    assert [type(r) for r in results] == [Filing, TimelineEvent] * 5
    assert AuditEntry.objects.exists()
