"""Compiled reads run as prepared statements (common/compiled.py, ``prepared=True``): prepared on
the server on their first run, one statement whatever the sizes of the ids, the same rows as
the ORM for every request's values, still counted and logged with their values, never prepared
when ``prepare_threshold`` is off (pgbouncer in transaction mode) or when a read is not marked,
and unharmed by a rolled-back transaction or by the many other queries of a connection."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
from django.test import override_settings
from django.test.utils import CaptureQueriesContext

from common.compiled import CompiledValues
from incidents import services
from incidents.models import TimelineEvent
from tests.conftest import needs_postgresql
from tests.factories import IncidentFactory

KST = ZoneInfo("Asia/Seoul")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=KST)
# A marker in the SQL that only the reads of this module have (pg_prepared_statements shows it).
MARK = "prepared_reads_test_marker"
WHERE_MARK = [f"'{MARK}' = '{MARK}'"]
pytestmark = [pytest.mark.django_db, needs_postgresql("only PostgreSQL prepares statements")]


def events_read(*, prepared: bool) -> CompiledValues:
    return CompiledValues(
        lambda incident_id: (
            TimelineEvent.objects.filter(incident_id=incident_id)
            .extra(where=WHERE_MARK)  # noqa: S610 (a constant of this test)
            .values("id", "title", "occurred_at")
            .order_by("occurred_at", "id")
        ),
        prepared=prepared,
    )


def prepared_here() -> list[str]:
    """This connection's server-side prepared statements that are reads of this module."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [row[0] for row in cursor.fetchall() if MARK in row[0]]


def with_events(count: int) -> list[int]:
    ids = []
    for n in range(count):
        incident = IncidentFactory()
        for k in range(n + 1):
            services.timeline_event_record(
                incident=incident,
                kind="investigation_milestone",
                occurred_at=NOW - timedelta(hours=k + 1),
                title=f"{incident.reference} step {k}",
            )
        ids.append(incident.pk)
    return ids


def orm_rows(incident_id: int) -> list[dict[str, object]]:
    return list(
        TimelineEvent.objects.filter(incident_id=incident_id)
        .values("id", "title", "occurred_at")
        .order_by("occurred_at", "id")
    )


@contextmanager
def threshold(value: int | None) -> Iterator[None]:
    connection.ensure_connection()
    raw = connection.connection
    before = raw.prepare_threshold
    raw.prepare_threshold = value
    try:
        yield
    finally:
        raw.prepare_threshold = before


@time_machine.travel(NOW, tick=False)
def test_a_prepared_read_is_prepared_on_its_first_run_and_answers_each_requests_values():
    ids = with_events(3)
    read = events_read(prepared=True)
    with threshold(5):
        assert prepared_here() == []
        read.rows(incident_id=ids[0])
        # Prepared on its first run, not after five: psycopg's count is shared with every
        # other query of the connection.
        assert len(prepared_here()) == 1
        for _round in range(4):
            for incident_id in ids:
                rows = read.rows(incident_id=incident_id)
                assert rows == orm_rows(incident_id)
                assert len(rows) == ids.index(incident_id) + 1
                assert {row["title"].split(" step")[0] for row in rows} == {
                    row["title"].split(" step")[0] for row in orm_rows(incident_id)
                }
        # Ids of every size (psycopg would type 5 as int2, 40,000 as int4, 3e9 as int8).
        for incident_id in (5, 40_000, 3_000_000_000):
            assert read.rows(incident_id=incident_id) == []
        # Between runs of the read, more distinct queries than psycopg keeps counts for.
        for n in range(120):
            list(TimelineEvent.objects.filter(pk=-n).values("id"))
        assert read.rows(incident_id=ids[0]) == orm_rows(ids[0])
        statements = prepared_here()
    assert len(statements) == 1
    # Bound on the server: the values are parameters of the statement, not part of its text.
    assert re.search(r'"incident_id" = \$\d', statements[0])
    assert not re.search(r'"incident_id" = \d', statements[0])


@time_machine.travel(NOW, tick=False)
def test_a_read_not_marked_prepared_and_the_orms_own_queries_are_never_prepared():
    ids = with_events(2)
    read = events_read(prepared=False)
    with threshold(5):
        for _ in range(8):
            for incident_id in ids:
                assert read.rows(incident_id=incident_id) == orm_rows(incident_id)
                orm = TimelineEvent.objects.filter(incident_id=incident_id)
                list(orm.extra(where=WHERE_MARK))  # noqa: S610 (a constant of this test)
        assert prepared_here() == []


@time_machine.travel(NOW, tick=False)
def test_with_the_threshold_off_as_behind_pgbouncer_nothing_is_prepared():
    ids = with_events(2)
    read = events_read(prepared=True)
    with threshold(None):
        for _ in range(8):
            for incident_id in ids:
                assert read.rows(incident_id=incident_id) == orm_rows(incident_id)
        assert prepared_here() == []


@time_machine.travel(NOW, tick=False)
def test_a_prepared_read_is_still_one_counted_query_with_its_values():
    (incident_id,) = with_events(1)
    read = events_read(prepared=True)
    expected = orm_rows(incident_id)
    for value in (None, 5):  # off (pgbouncer), then on: the first run, then a prepared one
        with threshold(value), CaptureQueriesContext(connection) as queries:
            assert read.rows(incident_id=incident_id) == expected
            assert read.rows(incident_id=incident_id) == expected
        assert bool(prepared_here()) is (value is not None)
        assert len(queries.captured_queries) == 2
        for query in queries.captured_queries:
            # Logged with its values, as Django logs every other query.
            logged = query["sql"]
            assert MARK in logged
            assert re.search(rf'"incident_id" = {incident_id}\b', logged)
            assert "$1" not in logged


def duplicate_an_event() -> None:
    """A statement that fails: an event's primary key again."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO incidents_timelineevent (id) SELECT id FROM incidents_timelineevent LIMIT 1"
        )


def prepare_then_fail(read: CompiledValues, ids: list[int]) -> None:
    with transaction.atomic():
        for incident_id in ids:
            assert read.rows(incident_id=incident_id) == orm_rows(incident_id)
        duplicate_an_event()


@time_machine.travel(NOW, tick=False)
def test_a_prepared_read_keeps_working_after_a_failed_statement_and_a_rolled_back_transaction():
    ids = with_events(2)
    read = events_read(prepared=True)
    with threshold(1):
        # Prepared inside a transaction that then fails and is rolled back.
        with pytest.raises(IntegrityError):
            prepare_then_fail(read, ids)
        for incident_id in ids:
            assert read.rows(incident_id=incident_id) == orm_rows(incident_id)
        with transaction.atomic():
            # A savepoint rolled back inside a transaction that goes on.
            with pytest.raises(IntegrityError):
                prepare_then_fail(read, ids[:1])
            assert read.rows(incident_id=ids[1]) == orm_rows(ids[1])
            assert read.rows(incident_id=ids[0]) == orm_rows(ids[0])
        assert prepared_here()


@time_machine.travel(NOW, tick=False)
def test_a_prepared_read_reads_times_in_the_zone_django_reads_them_after_a_settings_change():
    (incident_id,) = with_events(1)
    read = events_read(prepared=True)
    with threshold(5), override_settings(USE_TZ=False, TIME_ZONE="Asia/Seoul"):
        rows = read.rows(incident_id=incident_id)
        assert rows == orm_rows(incident_id)
        assert rows[0]["occurred_at"].tzinfo is None
