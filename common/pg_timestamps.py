"""Timestamps read from PostgreSQL by psycopg's C loader instead of Django's Python one.

Django (4.2-5.2) registers, on every PostgreSQL connection, a ``timestamptz`` loader that
subclasses psycopg's *Python* implementation, to give each value the connection's time zone
(``psycopg_any.BaseTzLoader``). With the C implementation installed (``psycopg[binary]``) that
costs about 5 microseconds a value against under one: a page of 100 events or 50 deadlines reads
hundreds of timestamps (docs/performance.md, session 10). When the connection's zone is UTC
(``USE_TZ`` with no ``TIME_ZONE`` in ``DATABASES``, as here) the C loader gives the same values:
Django sets the session's ``TimeZone`` to UTC and psycopg maps it to ``datetime.timezone.utc``.
So each new connection gets ``UtcTimestamptzLoader``, which calls the C loader. One difference,
deliberate: if the session's zone were changed under Django (``SET TIME ZONE``), Django's loader
would label the session's wall-clock time as UTC (a wrong instant); this one converts the right
instant to UTC. Without the C implementation, or with another zone, nothing is changed.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from psycopg import DataError, adapters, pq
from psycopg.adapt import Loader
from psycopg.pq import Format

TIMESTAMPTZ_OID = adapters.types["timestamptz"].oid
# psycopg's own text loader for timestamptz (the C one when psycopg[binary] or [c] is installed).
_NATIVE: Any = adapters.get_loader(TIMESTAMPTZ_OID, Format.TEXT)
HAS_C_LOADER = pq.__impl__ in ("c", "binary")


class UtcTimestamptzLoader(Loader):
    """A ``timestamptz`` as an aware datetime in ``datetime.UTC``, parsed by the C loader."""

    # Read by Django's ``create_cursor``: equal to the connection's zone, so it keeps this loader.
    timezone = UTC

    def __init__(self, oid: int, context: Any = None) -> None:
        super().__init__(oid, context)
        self._load = _NATIVE(oid, context).load

    def load(self, data: Any) -> datetime:
        value: datetime = self._load(data)
        if value.tzinfo is UTC:
            return value
        try:
            return value.astimezone(UTC)
        except OverflowError as error:  # beyond year 9999 once in UTC: refused as psycopg refuses
            raise DataError(f"timestamp out of range in UTC: {value!r}") from error


def install(sender: Any, connection: Any, **_kwargs: Any) -> None:
    """``connection_created`` receiver: the loader on a new PostgreSQL connection in UTC."""
    if connection.vendor != "postgresql" or not HAS_C_LOADER:
        return
    if connection.timezone is not UTC:
        return
    connection.connection.adapters.register_loader("timestamptz", UtcTimestamptzLoader)
