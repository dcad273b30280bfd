"""Timestamps read by psycopg's C loader (common/pg_timestamps.py) are the values Django's own
loader gives: the same instant, in ``datetime.UTC``, for every representable time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
from django.db import DataError, connection, transaction
from django.db.backends.postgresql.psycopg_any import register_tzloader
from hypothesis import given, settings
from hypothesis import strategies as st

from common import pg_timestamps
from incidents.models import Incident
from tests.conftest import needs_postgresql
from tests.factories import IncidentFactory

pytestmark = [needs_postgresql("the loader is PostgreSQL's"), pytest.mark.django_db]


def _read(sql: str, params: list[object], *, django_loader: bool = False) -> object:
    with connection.cursor() as cursor:
        if django_loader:
            # Django's own loader on this cursor only (as create_cursor does for another zone).
            register_tzloader(UTC, cursor.cursor)
        cursor.execute(sql, params)
        return cursor.fetchone()[0]


def test_every_connection_reads_timestamps_with_the_c_loader() -> None:
    assert pg_timestamps.HAS_C_LOADER, "CI installs psycopg[binary]"
    connection.ensure_connection()
    loader = connection.connection.adapters.get_loader(pg_timestamps.TIMESTAMPTZ_OID, 0)
    assert loader is pg_timestamps.UtcTimestamptzLoader
    # Django's create_cursor keeps it (it compares the loader's zone with the connection's).
    with connection.cursor() as cursor:
        assert cursor.cursor.adapters.get_loader(pg_timestamps.TIMESTAMPTZ_OID, 0) is loader


@settings(max_examples=200, deadline=None)
@given(
    moment=st.datetimes(
        min_value=datetime(1, 1, 2),  # noqa: DTZ001 - hypothesis wants naive bounds
        max_value=datetime(9999, 12, 30),  # noqa: DTZ001
        timezones=st.sampled_from(
            [UTC, timezone(timedelta(hours=9)), timezone(-timedelta(hours=5, minutes=30))]
        ),
    )
)
def test_a_timestamp_reads_as_django_reads_it(moment: datetime) -> None:
    ours = _read("SELECT %s::timestamptz", [moment])
    djangos = _read("SELECT %s::timestamptz", [moment], django_loader=True)
    assert ours == djangos == moment
    assert ours.tzinfo is UTC
    assert djangos.tzinfo is UTC


def test_a_session_in_another_zone_still_reads_the_right_instant_in_utc() -> None:
    # Django's own loader would label Seoul's wall-clock time as UTC here (a wrong instant).
    moment = datetime(2025, 11, 29, 15, 30, 12, 345678, tzinfo=UTC)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'Asia/Seoul'")
        cursor.execute("SELECT %s::timestamptz", [moment])
        value = cursor.fetchone()[0]
    assert value == moment
    assert value.tzinfo is UTC


def test_a_time_past_year_9999_in_utc_is_refused_in_any_session_zone() -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL TIME ZONE 'America/New_York'")
        # 22:00 at -05 on the last day of 9999 is 10000-01-01 03:00 UTC: past datetime.max.
        cursor.execute("SELECT '9999-12-31 22:00:00-05'::timestamptz")
        with pytest.raises(DataError):
            cursor.fetchone()


@pytest.mark.parametrize("literal", ["infinity", "-infinity"])
def test_a_time_python_cannot_hold_is_refused_as_django_refuses_it(literal: str) -> None:
    with pytest.raises(DataError):
        _read(f"SELECT '{literal}'::timestamptz", [])
    with pytest.raises(DataError):
        _read(f"SELECT '{literal}'::timestamptz", [], django_loader=True)


def test_models_read_aware_utc_times() -> None:
    incident = IncidentFactory()
    incident.refresh_from_db()
    stored = Incident.objects.values_list("created_at", flat=True).get(pk=incident.pk)
    assert stored.tzinfo is UTC
    assert stored == incident.created_at
