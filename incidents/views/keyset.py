"""Keyset pages for the long web lists (the deadline list, the incident list).

A page link carries a cursor instead of a page number: the sort key of the row the next page
starts after (or the previous page ends before), signed so that it cannot be forged or edited,
plus the page number to show. Reading page 400 then costs what page 1 costs (an index range scan
from the key, not an ``OFFSET`` that reads and drops every earlier row).

The cursor only says *where* in the list to start: the rows are always read through the viewer's
own scoping (``incidents.selectors``), so a cursor made for another user, or for a deadline the
viewer may not see, shows the viewer nothing they could not see on their own first page.
A cursor that is malformed, tampered with, or made for another list raises ``InvalidCursor``;
the views then show the first page with a message (never a 500).
"""

from __future__ import annotations

import math
import time
from abc import ABC, abstractmethod
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Generic, TypeVar

from django.core import signing
from django.db.models import Count, IntegerField, QuerySet, Subquery, Value
from django.utils.dateparse import parse_datetime

CURSOR_PARAM = "cursor"
# How long a count carried by the page links is shown before the list is counted again.
COUNT_FRESH = 600
FORWARD = "n"
BACKWARD = "p"
# A sort key value: a time (as an ISO string in the cursor), an id, or None (no due time).
KeyValue = datetime | int | None


class MaybeTime:
    """In a cursor's ``shape``: a time that may be None (``datetime``: a time, never None)."""


Row = TypeVar("Row")


class InvalidCursor(ValueError):
    """The cursor of a page link cannot be read (malformed, tampered with, or for another list)."""


@dataclass(frozen=True)
class Cursor:
    direction: str  # FORWARD: rows after ``key``; BACKWARD: rows before it
    key: tuple[KeyValue, ...]
    number: int  # the page number to show (display only: the key decides the rows)
    # The list's row count and when it was counted (Unix seconds), carried from the first page.
    counted: tuple[int, int] | None = None


def encode_cursor(list_name: str, cursor: Cursor) -> str:
    values = [v.isoformat() if isinstance(v, datetime) else v for v in cursor.key]
    payload: dict[str, Any] = {"d": cursor.direction, "k": values, "n": cursor.number}
    if cursor.counted is not None:
        payload["c"] = list(cursor.counted)
    return signing.dumps(payload, salt=f"keyset:{list_name}", compress=True)


def decode_cursor(list_name: str, token: str, shape: Sequence[type]) -> Cursor:
    """The cursor of ``token``; ``shape`` gives each key value's type (``int``, ``datetime``, or
    ``MaybeTime`` for a time that may be None)."""
    if len(token) > 500:
        raise InvalidCursor(token[:40])
    try:
        payload = signing.loads(token, salt=f"keyset:{list_name}")
    except (signing.BadSignature, ValueError, UnicodeError) as error:
        raise InvalidCursor(token[:40]) from error
    if not isinstance(payload, dict):
        raise InvalidCursor(token[:40])
    direction, values, number = payload.get("d"), payload.get("k"), payload.get("n")
    if direction not in (FORWARD, BACKWARD) or not isinstance(values, list):
        raise InvalidCursor(token[:40])
    if not isinstance(number, int) or isinstance(number, bool) or not 1 <= number <= 10**9:
        raise InvalidCursor(token[:40])
    if len(values) != len(shape):
        raise InvalidCursor(token[:40])
    return Cursor(
        direction,
        tuple(_value(v, kind) for v, kind in zip(values, shape, strict=True)),
        number,
        _counted(payload.get("c"), token),
    )


def _counted(value: Any, token: str) -> tuple[int, int] | None:
    if value is None:
        return None  # a cursor made before counts were carried
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in value)
    ):
        raise InvalidCursor(token[:40])
    return (value[0], value[1])


def _value(value: Any, kind: type) -> KeyValue:
    if kind is int:
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63:
            return value
        raise InvalidCursor(repr(value))
    if value is None and kind is MaybeTime:
        return None
    parsed = parse_datetime(value) if isinstance(value, str) else None
    if parsed is None or parsed.tzinfo is None:
        raise InvalidCursor(repr(value))
    return parsed


@dataclass
class KeysetPage(Generic[Row]):
    """One page of rows, with the links' cursors; what templates/incidents/_keyset_pagination.html
    reads (``number``, ``num_pages``, ``count``, ``has_previous``, ``has_next``, the cursors)."""

    rows: list[Row]
    number: int
    count: int
    page_size: int
    previous_cursor: str | None = None
    next_cursor: str | None = None

    @property
    def num_pages(self) -> int:
        return max(1, math.ceil(self.count / self.page_size))

    @property
    def has_previous(self) -> bool:
        return self.previous_cursor is not None

    @property
    def has_next(self) -> bool:
        return self.next_cursor is not None

    @property
    def shown_number(self) -> int:
        """The page number to show: the cursor's, kept within what the count allows (rows added
        or removed while someone pages move the true position a little)."""
        low = 2 if self.has_previous else 1
        high = self.num_pages - 1 if self.has_next else self.num_pages
        return max(low, min(self.number, max(low, high)))


class KeysetSource(ABC, Generic[Row]):
    """A list in a fixed order that can be read from a key (what ``keyset_page`` pages)."""

    list_name: str
    shape: tuple[type, ...]

    @abstractmethod
    def key_of(self, row: Row) -> tuple[KeyValue, ...]:
        """The sort key of ``row`` (what a cursor holds)."""

    @abstractmethod
    def after(self, key: tuple[KeyValue, ...] | None, limit: int) -> list[Row]:
        """The first ``limit`` rows after ``key`` (from the start when None), in list order."""

    @abstractmethod
    def before(self, key: tuple[KeyValue, ...], limit: int) -> list[Row]:
        """The last ``limit`` rows before ``key``, in list order."""

    @abstractmethod
    def count(self) -> int:
        """How many rows the whole list has."""

    def first_page(self, limit: int) -> tuple[list[Row], int | None]:
        """The first ``limit`` rows, and how many rows the whole list has where the same query
        tells it (``counted_by``), saving the count its own round trip; None: ``count`` asks."""
        return self.after(None, limit), None


def counted_by(queryset: QuerySet[Any]) -> Subquery:
    """The number of rows of ``queryset``, as a column of another query: an uncorrelated scalar
    subquery, which PostgreSQL and SQLite run once per query, not once per row."""
    return Subquery(
        queryset.order_by()
        # Grouped by a constant, which Django leaves out of GROUP BY: one count of every row.
        .annotate(_one=Value(1, output_field=IntegerField()))
        .values("_one")
        .annotate(n=Count("*"))
        .values("n")
    )


def keyset_page(
    source: KeysetSource[Row], token: str | None, size: int
) -> tuple[KeysetPage[Row], bool]:
    """The page ``token`` names (the first page without one), and whether the token was refused
    (then the first page is shown and the view says so)."""
    cursor: Cursor | None = None
    refused = False
    if token:
        try:
            cursor = decode_cursor(source.list_name, token, source.shape)
        except InvalidCursor:
            refused = True
    rows: list[Row] = []
    has_previous = has_next = False
    number = 1
    if cursor is not None and cursor.direction == BACKWARD:
        rows = source.before(cursor.key, size + 1)
        has_previous, has_next, number = len(rows) > size, True, cursor.number
        rows = rows[-size:]
    elif cursor is not None:
        rows = source.after(cursor.key, size + 1)
        has_previous, has_next, number = True, len(rows) > size, cursor.number
        rows = rows[:size]
    total: int | None = None
    if cursor is None or not rows or not has_previous:
        # No cursor, a page past the end, or nothing before: the first page, full.
        rows, total = source.first_page(size + 1)
        has_previous, has_next, number = False, len(rows) > size, 1
        rows = rows[:size]
    counted = _count(source, cursor, rows, has_previous or has_next, total)
    page = KeysetPage(rows=rows, number=number, count=counted[0], page_size=size)
    if has_previous:
        back = Cursor(BACKWARD, source.key_of(rows[0]), max(1, number - 1), counted)
        page.previous_cursor = encode_cursor(source.list_name, back)
    if has_next and rows:
        ahead = Cursor(FORWARD, source.key_of(rows[-1]), number + 1, counted)
        page.next_cursor = encode_cursor(source.list_name, ahead)
    return page, refused


def _count(
    source: KeysetSource[Any],
    cursor: Cursor | None,
    rows: list[Any],
    paged: bool,
    total: int | None = None,
) -> tuple[int, int]:
    """The list's row count, and when it was counted. A list that fits on one page is counted
    by its rows. A longer one is counted when its first page is opened, and the links carry
    that count to the next pages for ``COUNT_FRESH`` seconds: the total and "page n of N" stay
    the same while someone pages (the rows themselves are always read afresh), and a deep page
    does not count thousands of rows again; a link older than that counts again."""
    now = int(time.time())
    if not paged:
        return (len(rows), now)
    if total is not None:  # counted by the first page's own query
        return (total, now)
    if cursor is not None and cursor.counted is not None:
        count, at = cursor.counted
        if 0 <= now - at < COUNT_FRESH:
            return (count, at)
    return (source.count(), now)
