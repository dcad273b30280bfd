"""The incident list's order (soonest open due time first, then newest, then id) without
computing every incident's next due time.

The old list annotated all visible incidents with their next due time and deadline counts and
sorted them: at 10,000 incidents that was ~150 ms of SQL for 25 rows. Here the first pages are
read by walking the open deadlines in due order (the ``status, due_at, id`` index): the first time
an incident appears, that is its next due time. Only the 25 incidents of the page are then read,
with their counts. Deep pages, or pages the walk cannot settle, fall back to the exact
correlated-subquery order; both give the same order (tests/incidents/test_incident_order.py).

The list is paged by a cursor (incidents/views/keyset.py): the key of a row is (next due time,
created, id). The page after a key walks the open deadlines from the key's due time (the index
range, not the rows before it); an incident met there may have an earlier open deadline (it was
shown before), so the walked incidents' true next due times are read (one query) and those at
or before the key dropped. The page before a key walks backwards the same way. Incidents without
a dated open deadline follow, newest first, read from the key's creation time.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from django.contrib.postgres.fields import ArrayField
from django.db import connection
from django.db.models import (
    DateTimeField,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    TextField,
)
from django.db.models.expressions import RawSQL

from common.compiled import CompiledValues
from incidents.models import Deadline, DeadlineStatus, Incident, LegalEntity
from incidents.views.keyset import KeysetSource, KeyValue, MaybeTime, counted_by

# The walk reads at most this many deadlines (one query); beyond, the exact query is used.
WALK_ROWS = 1000
# A list known to hold at most this many incidents is read whole and ordered in Python.
FEW = 50
# Deadlines read per incident wanted (3 per incident on the load data; ties need a few more).
ROWS_PER_INCIDENT = 4
# From a key, the walk also meets the later deadlines of incidents already shown: read more.
ROWS_PER_INCIDENT_FROM_KEY = 8
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
# (next due, -created in microseconds, id): the list's order for incidents with a due time.
SortKey = tuple[datetime, int, int]


def _sort_key(next_due: datetime, created: datetime, pk: int) -> SortKey:
    return (next_due, -((created - EPOCH) // _MICROSECOND), pk)


def _dated_open(base: QuerySet[Incident], restricted: bool) -> QuerySet[Deadline]:
    deadlines = Deadline.objects.filter(status=DeadlineStatus.OPEN, due_at__isnull=False)
    return deadlines.filter(incident__in=base.values("pk")) if restricted else deadlines


_WALKS: dict[tuple[int, bool], CompiledValues] = {}


def _unrestricted_walk(limit: int, count: bool) -> CompiledValues:
    """The walk over every incident's dated open deadlines, ``limit`` rows (a LIMIT is part of
    the SQL text, hence one compiled read per limit), with the count of every incident."""
    read = _WALKS.get((limit, count))
    if read is None:

        def build() -> QuerySet[Any]:
            walked = _dated_open(Incident.objects.all(), False).order_by("due_at", "id")
            if count:
                return walked.values(
                    "incident_id", "due_at", total=counted_by(Incident.objects.all())
                )[:limit]
            return walked.values("incident_id", "due_at")[:limit]

        read = _WALKS[(limit, count)] = CompiledValues(build)
    return read


class UrgencyOrderedIncidents(KeysetSource[Incident]):
    """``base`` (the visible, filtered incidents, not annotated) in urgency order, each with
    ``next_due``, ``open_count`` and ``overdue_count``: read from a key (``keyset_page``), or
    sliced. ``restricted`` is False only when ``base`` is every incident. ``few``: ``base`` is
    known to hold at most ``FEW`` incidents (a member's): then every row is read in one query
    and ordered here, which costs less than the walk, the undated read and the count."""

    list_name = "incidents"
    shape = (MaybeTime, datetime, int)

    def __init__(
        self,
        base: QuerySet[Incident],
        *,
        now: datetime,
        restricted: bool,
        few: bool = False,
        prefetch: tuple[Any, ...] = (),
    ) -> None:
        self.base = base
        self.now = now
        self.restricted = restricted
        self.few = few
        self.prefetch = prefetch
        self._every: list[Incident] | None = None
        self._counted: int | None = None

    def count(self) -> int:
        if self.few:
            return len(self._all())
        return self.base.order_by().count()

    def _all(self) -> list[Incident]:
        """Every row of a ``few`` list, in list order (read once)."""
        if self._every is None:
            rows = self._with_figures(Incident.objects.filter(pk__in=self.base.values("pk")))
            self._every = sorted(rows, key=lambda row: _list_order(self.key_of(row)))
        return self._every

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index: slice) -> list[Incident]:
        if not isinstance(index, slice) or index.step is not None:
            raise TypeError("UrgencyOrderedIncidents supports plain slices only")
        start = index.start or 0
        stop = index.stop if index.stop is not None else start + 25
        return self._first(start, stop)

    # --- the order ---------------------------------------------------------------------------

    def first_page(self, limit: int) -> tuple[list[Incident], int | None]:
        if self.few:
            return self._all()[:limit], len(self._all())
        # The walk's query also counts the list (None if the walk cannot tell the order).
        self._counted = None
        rows = self._first(0, limit, count=True)
        return rows, self._counted

    def _first(self, start: int, stop: int, count: bool = False) -> list[Incident]:
        """Rows ``start`` to ``stop`` of the list. From the walk, only the incidents that can be
        among the first ``stop`` are read (those due no later than the ``stop``-th), with their
        creation times and counts in one query, and ordered here: no separate read of every
        walked incident's creation time (a 100-id ``IN`` list cost more than the walk)."""
        if self.few:
            return self._all()[start:stop]
        dated = self._walk(stop, count)
        if dated is None:
            return self._in_order(self._exact_ids(start, stop))
        first_due, exhausted = dated
        dues = sorted(first_due.values())
        if len(dues) > stop:
            cutoff = dues[stop - 1]
            wanted = [pk for pk, due in first_due.items() if due <= cutoff]
        else:
            wanted = list(first_due)
        rest: list[int] = []
        if exhausted and len(wanted) < stop:
            # Every incident with a dated open deadline is walked; the rest follow, newest first.
            undated = (
                self.base.exclude(Exists(_dated_open_of_outer()))
                .order_by("-created_at", "id")
                .values_list("pk", flat=True)
            )
            rest = list(undated[max(0, start - len(wanted)) : stop - len(wanted)])
        rows = self._rows([*wanted, *rest])
        ordered = sorted(
            (rows[pk] for pk in wanted if pk in rows),
            key=lambda row: _sort_key(first_due[row.pk], row.created_at, row.pk),
        )
        return ordered[start:stop] + [rows[pk] for pk in rest if pk in rows]

    def _walk(self, stop: int, count: bool = False) -> tuple[dict[int, datetime], bool] | None:
        """The next due time of (at least) the first ``stop`` incidents by next due time, in
        walk order, and whether that is all of them; None when one bounded read cannot tell.
        ``count``: the same query counts the whole list (``_counted``, when it read a row)."""
        limit = stop * ROWS_PER_INCIDENT + 20
        if limit > WALK_ROWS:
            return None
        if not self.restricted:
            # Every incident (an admin's list, unfiltered): nothing in the query varies per
            # request, so it is compiled once per process and page size (common/compiled.py).
            found = _unrestricted_walk(limit, count).rows()
            if count and found:
                self._counted = found[0]["total"]
            rows = [(row["incident_id"], row["due_at"]) for row in found]
        else:
            walked = _dated_open(self.base, self.restricted).order_by("due_at", "id")
            if count:
                counted = list(
                    walked.values_list("incident_id", "due_at", counted_by(self.base))[:limit]
                )
                if counted:
                    self._counted = counted[0][2]
                rows = [(incident_id, due) for incident_id, due, _total in counted]
            else:
                rows = list(walked.values_list("incident_id", "due_at")[:limit])
        first_due: dict[int, datetime] = {}
        for incident_id, due in rows:
            if due is not None:  # never: the query excludes them
                first_due.setdefault(incident_id, due)
        exhausted = len(rows) < limit
        if not exhausted:
            if len(first_due) < stop:
                return None
            # Incidents tied with the last one wanted must all be known: read past its due time.
            last_due = sorted(first_due.values())[stop - 1]
            last_read = rows[-1][1]
            if last_read is None or last_read <= last_due:
                return None
        return first_due, exhausted

    def _exact_ids(self, start: int, stop: int) -> list[int]:
        return list(
            self.base.annotate(next_due=_next_due())
            .order_by(F("next_due").asc(nulls_last=True), "-created_at", "id")
            .values_list("pk", flat=True)[start:stop]
        )

    # --- read from a key (keyset pages) ---------------------------------------------------------

    def key_of(self, row: Incident) -> tuple[KeyValue, ...]:
        return (row.next_due, row.created_at, row.pk)  # type: ignore[attr-defined]

    def after(self, key: tuple[KeyValue, ...] | None, limit: int) -> list[Incident]:
        if key is None:
            return self._first(0, limit)
        if self.few:
            bound = _list_order(key)
            return [row for row in self._all() if _list_order(self.key_of(row)) > bound][:limit]
        return self._in_order(self._ids_after(key, limit))

    def before(self, key: tuple[KeyValue, ...], limit: int) -> list[Incident]:
        if self.few:
            bound = _list_order(key)
            earlier = [row for row in self._all() if _list_order(self.key_of(row)) < bound]
            return earlier[-limit:]
        return self._in_order(self._ids_before(key, limit))

    def _in_order(self, ids: list[int]) -> list[Incident]:
        rows = self._rows(ids)
        return [rows[pk] for pk in ids if pk in rows]

    def _ids_after(self, key: tuple[KeyValue, ...], limit: int) -> list[int]:
        due, created, pk = _key(key)
        if due is None:
            return self._undated((created, pk), limit, forward=True)
        found = self._walk_from((due, created, pk), limit, forward=True)
        if found is None:
            return self._exact(_after(due, created, pk), limit, forward=True)
        ids, exhausted = found
        if exhausted and len(ids) < limit:
            ids += self._undated(None, limit - len(ids), forward=True)
        return ids

    def _ids_before(self, key: tuple[KeyValue, ...], limit: int) -> list[int]:
        """The ``limit`` incidents before ``key``, in list order."""
        due, created, pk = _key(key)
        if due is None:
            ids = self._undated((created, pk), limit, forward=False)
            if len(ids) < limit:
                # Before the first incident without a due time: the last ones with one.
                found = self._walk_from(None, limit - len(ids), forward=False)
                ids += (
                    found[0]
                    if found is not None
                    else self._exact(Q(next_due__isnull=False), limit - len(ids), forward=False)
                )
        else:
            found = self._walk_from((due, created, pk), limit, forward=False)
            ids = (
                found[0]
                if found is not None
                else self._exact(_before(due, created, pk), limit, forward=False)
            )
        ids.reverse()
        return ids

    def _walk_from(
        self, bound: tuple[datetime, datetime, int] | None, limit: int, *, forward: bool
    ) -> tuple[list[int], bool] | None:
        """The ``limit`` incidents with a due time nearest after (``forward``) or before
        ``bound``, nearest first, and whether the walk read every deadline on that side; None
        when one bounded read cannot settle them.

        Walking forward from the bound's due time, every incident whose next due time lies
        between it and the last due time read has its earliest deadline in the walk (so is met);
        those met with an earlier deadline come before the bound and are dropped. An incident
        whose next due time equals the last one read may not be met yet: it is left for the
        fallback unless the walk reached the end. Backwards likewise, mirrored."""
        walk_limit = limit * ROWS_PER_INCIDENT_FROM_KEY + 20
        if walk_limit > WALK_ROWS:
            return None
        deadlines = _dated_open(self.base, self.restricted)
        if forward:
            assert bound is not None  # noqa: S101 - the first page is ``_first``
            deadlines = deadlines.filter(due_at__gte=bound[0]).order_by("due_at", "id")
        else:
            if bound is not None:
                deadlines = deadlines.filter(due_at__lte=bound[0])
            deadlines = deadlines.order_by("-due_at", "-id")
        rows = list(deadlines.values_list("incident_id", "due_at")[:walk_limit])
        exhausted = len(rows) < walk_limit
        edge = rows[-1][1] if rows else None
        met = list(dict.fromkeys(incident_id for incident_id, _due in rows))
        facts = (
            Incident.objects.filter(pk__in=met)
            .annotate(next_due=_next_due())
            .values_list("pk", "created_at", "next_due")
        )
        limit_key = _sort_key(*bound) if bound is not None else None
        keyed: list[tuple[SortKey, int]] = []
        for pk, created, next_due in facts:
            if next_due is None:
                continue  # its deadlines were filed since the walk
            unsettled = edge is not None and ((next_due >= edge) if forward else (next_due <= edge))
            if unsettled and not exhausted:
                continue  # an incident tied with it (or nearer) may not be met yet
            key = _sort_key(next_due, created, pk)
            if limit_key is not None and ((key <= limit_key) if forward else (key >= limit_key)):
                continue
            keyed.append((key, pk))
        keyed.sort(reverse=not forward)
        if len(keyed) < limit and not exhausted:
            return None
        return [pk for _key_, pk in keyed[:limit]], exhausted

    def _undated(
        self, bound: tuple[datetime, int] | None, limit: int, *, forward: bool
    ) -> list[int]:
        """Incidents without a dated open deadline, newest first (by id on ties), after or
        before ``(created, id)``; nearest first."""
        rest = self.base.exclude(Exists(_dated_open_of_outer()))
        if bound is not None:
            created, pk = bound
            rest = rest.filter(
                Q(created_at__lt=created) | Q(created_at=created, pk__gt=pk)
                if forward
                else Q(created_at__gt=created) | Q(created_at=created, pk__lt=pk)
            )
        order = ("-created_at", "id") if forward else ("created_at", "-id")
        return list(rest.order_by(*order).values_list("pk", flat=True)[:limit])

    def _exact(self, where: Q, limit: int, *, forward: bool) -> list[int]:
        """The exact order (every incident's next due time computed), nearest first."""
        order = (
            (F("next_due").asc(nulls_last=True), "-created_at", "id")
            if forward
            else (F("next_due").desc(nulls_first=True), "created_at", "-id")
        )
        return list(
            self.base.annotate(next_due=_next_due())
            .filter(where)
            .order_by(*order)
            .values_list("pk", flat=True)[:limit]
        )

    # --- the rows of one page ------------------------------------------------------------------

    def _rows(self, ids: list[int]) -> dict[int, Any]:
        if not ids:
            return {}
        return {row.pk: row for row in self._with_figures(Incident.objects.filter(pk__in=ids))}

    def _with_figures(self, incidents: QuerySet[Incident]) -> QuerySet[Incident]:
        """``incidents`` (a queryset without joins) with the columns a row shows, its next due
        time, its counts and (PostgreSQL) its legal entities' names."""
        # Scalar subqueries on the row's own id, not a join with GROUP BY and filtered
        # aggregates: Django built those in more time than PostgreSQL ran them.
        rows = incidents.only(
            "id", "reference", "title", "severity", "status", "created_at"
        ).annotate(**_figures(self.now))
        if self.prefetch:
            rows = rows.prefetch_related(*self.prefetch)
        return rows


def _figures(now: datetime) -> dict[str, RawSQL]:
    """Each incident's next due time and counts of open and overdue deadlines, and on
    PostgreSQL its legal entities' names (``entity_names``, in id order; elsewhere the list
    reads them in a query of their own), as scalar subqueries on an unaliased incident table."""
    quote = connection.ops.quote_name
    outer = f"{quote(Incident._meta.db_table)}.{quote(str(Incident._meta.pk.column))}"
    deadlines = quote(Deadline._meta.db_table)
    # Table and column names from the models' metadata, quoted; the values are parameters.
    where = f"WHERE {quote('incident_id')} = {outer} AND {quote('status')} = %s"
    figures = {
        "next_due": RawSQL(  # noqa: S611  # nosec B611
            f"SELECT MIN({quote('due_at')}) FROM {deadlines} {where}",  # noqa: S608  # nosec B608
            [DeadlineStatus.OPEN.value],
            output_field=DateTimeField(),
        ),
        "open_count": RawSQL(  # noqa: S611  # nosec B611
            f"SELECT COUNT(*) FROM {deadlines} {where}",  # noqa: S608  # nosec B608
            [DeadlineStatus.OPEN.value],
            output_field=IntegerField(),
        ),
        "overdue_count": RawSQL(  # noqa: S611  # nosec B611
            f"SELECT COUNT(*) FROM {deadlines} {where} AND {quote('due_at')} < %s",  # noqa: S608  # nosec B608
            # As the column is stored (SQLite compares text).
            [DeadlineStatus.OPEN.value, connection.ops.adapt_datetimefield_value(now)],
            output_field=IntegerField(),
        ),
    }
    if connection.vendor == "postgresql":
        entities = quote(LegalEntity._meta.db_table)
        figures["entity_names"] = RawSQL(  # noqa: S611  # nosec B611
            f"SELECT COALESCE(ARRAY_AGG({quote('name')} ORDER BY {quote('id')}), '{{}}') "  # noqa: S608  # nosec B608
            f"FROM {entities} WHERE {quote('incident_id')} = {outer}",
            [],
            output_field=ArrayField(TextField()),
        )
    return figures


def _dated_open_of_outer() -> QuerySet[Deadline]:
    return Deadline.objects.filter(
        incident=OuterRef("pk"), status=DeadlineStatus.OPEN, due_at__isnull=False
    )


def _next_due() -> Subquery:
    return Subquery(_dated_open_of_outer().order_by("due_at").values("due_at")[:1])


def _list_order(key: tuple[KeyValue, ...]) -> tuple[int, datetime, int, int]:
    """A key (next due or None, created, id) as a value that sorts in list order: those with a
    due time first, by it, then newest first, then by id."""
    due, created, pk = _key(key)
    newest_first = -((created - EPOCH) // _MICROSECOND)
    return (0, due, newest_first, pk) if due is not None else (1, EPOCH, newest_first, pk)


def _key(key: tuple[KeyValue, ...]) -> tuple[datetime | None, datetime, int]:
    due, created, pk = key
    if not isinstance(created, datetime) or not isinstance(pk, int):
        raise TypeError("an incident list key is (due or None, created, id)")
    return (due if isinstance(due, datetime) else None, created, pk)


def _after(due: datetime, created: datetime, pk: int) -> Q:
    """Incidents after the key (due, created, id) in the list's order."""
    return (
        Q(next_due__gt=due)
        | Q(next_due=due, created_at__lt=created)
        | Q(next_due=due, created_at=created, pk__gt=pk)
        | Q(next_due__isnull=True)
    )


def _before(due: datetime, created: datetime, pk: int) -> Q:
    return (
        Q(next_due__lt=due)
        | Q(next_due=due, created_at__gt=created)
        | Q(next_due=due, created_at=created, pk__lt=pk)
    )
