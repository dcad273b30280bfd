"""Read querysets whose SQL is built and compiled once per process, then run with each request's
values.

Django builds a queryset (``filter``, ``annotate``, ``values``...) and compiles it to SQL on every
evaluation. On the dashboard that Python work took longer than PostgreSQL took to run the queries
(docs/performance.md, "Dashboard, third pass"). A ``CompiledValues`` calls its ``build`` function
once per *shape* with **markers** in place of the values that vary per request, compiles the
result, and from then on only puts the request's values in place of the markers in the compiled
parameters, runs the SQL and returns the rows as ``values()`` would (the queryset's converters
applied).

- The values that may vary are integers (a user's id), strings (an incident's reference) and
  collections of integers (incident ids, for ``__in``), passed by keyword. A marker is an integer
  no row holds (about -2 billion: ids are positive, and a marker stays within a 32-bit integer
  column's range, where Django answers an out-of-range id with an empty query, not SQL), or
  for a string a text no field can hold (it begins with a NUL
  character, which PostgreSQL refuses in text), unique per value and per item, so a compiled
  parameter equal to a marker can only be that marker.
- The shape is the keywords, which are None, and each collection's length (``IN (...)`` has one
  placeholder per item). A build must give the same SQL for the same shape: its structure may
  depend on the shape only, never on the values themselves.
- Only PostgreSQL runs the compiled SQL. Elsewhere (SQLite, the default for development) the
  queryset is built from the real values and run by the ORM, from the same ``build`` function:
  the tests on PostgreSQL (CI) check that both paths give the same rows.
- Plans are kept per thread: a compiler's converters are bound to the connection it compiled on.
- ``prepared=True`` runs the SQL as a **prepared statement** on PostgreSQL: on a cursor that
  binds the values on the server (Django's binds them into the text, which rules out preparing),
  prepared on its first run on a connection (unless ``prepare_threshold`` in the OPTIONS of
  config/settings is None, as behind pgbouncer in transaction mode), so that PostgreSQL may
  reuse a plan instead of planning the read on every request. Planning was
  most of PostgreSQL's time under the load test (docs/performance.md, session 11). Only for
  reads whose generic plan was checked against the plans made for the values, under load: the
  incident page's reads and ``incident_for``, "My tasks". PostgreSQL switches to a generic plan
  when its *estimated* cost is no worse, and for some shapes it runs many times slower (the
  dashboard's activity, an ``IN`` list ordered by another index: 3.2 ms against 0.05; the
  deadline panels took the urgency index in session 5), so those stay unprepared. The per-request
  user read stays unprepared too, for a measured reason given in docs/decisions.md (12).

``CompiledModels`` does the same for model instances, built as ``QuerySet`` iteration builds them
(``select_related`` rows, annotations, deferred fields): ``incident_for`` reads every incident a
page, an API view or an export shows through one, and the incident page its rows
(incidents/views/page_rows.py).
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any, Generic, Self, TypeVar

import psycopg
from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import ModelIterable, get_related_populators
from psycopg.pq import Format
from psycopg.types.numeric import Int8

MARKER_BASE = -2_000_000_000
_TIMESTAMPTZ = psycopg.postgres.types["timestamptz"].oid
# Shapes kept per compiled query (one per length of each id list, in practice a handful).
MAX_SHAPES = 256

Value = int | str | Collection[int] | None
M = TypeVar("M", bound=Model)
STRING_MARKER = "\x00compiled-marker-"


@dataclass(frozen=True)
class _Plan:
    sql: str
    params: tuple[Any, ...]
    # For each parameter: the (keyword, index) of the request value it stands for, or None when
    # it is a constant of the query (index -1 for a scalar keyword).
    slots: tuple[tuple[str, int] | None, ...]
    names: tuple[str, ...]
    compiler: Any
    converters: Any


def _scalar(value: Value) -> bool:
    return isinstance(value, int | str)


def _shape(values: dict[str, Value]) -> tuple[Any, ...]:
    return tuple(
        (
            name,
            None
            if value is None
            else -1
            if isinstance(value, int)
            else -2
            if isinstance(value, str)
            else len(value),
        )
        for name, value in sorted(values.items())
    )


def _markers(
    values: dict[str, Value],
) -> tuple[dict[str, Value], dict[int | str, tuple[str, int]]]:
    """The build's keywords with markers in place of the values, and what each marker stands for."""
    given: dict[str, Value] = {}
    meaning: dict[int | str, tuple[str, int]] = {}
    next_marker = MARKER_BASE
    for name, value in sorted(values.items()):
        if value is None:
            given[name] = None
        elif isinstance(value, int):
            given[name] = next_marker
            meaning[next_marker] = (name, -1)
            next_marker += 1
        elif isinstance(value, str):
            given[name] = text = f"{STRING_MARKER}{next_marker}"
            meaning[text] = (name, -1)
            next_marker += 1
        else:
            items = []
            for index in range(len(value)):
                items.append(next_marker)
                meaning[next_marker] = (name, index)
                next_marker += 1
            given[name] = items
    return given, meaning


class _Compiled:
    """What both kinds share: the plans per thread and shape, and running one."""

    def __init__(self, build: Callable[..., QuerySet[Any]], *, prepared: bool = False) -> None:
        self._build = build
        self._prepared = prepared
        # Per thread: a compiler's converters are bound to the connection it compiled on, and
        # each thread (a gthread worker's) has its own connection.
        self._local = threading.local()

    def _plan_and_rows(
        self, using: str, values: dict[str, Value]
    ) -> tuple[_Plan, list[Any]] | None:
        """The plan and its converted rows; None where the ORM must run the build instead."""
        connection = connections[using]
        if connection.vendor != "postgresql" or any(
            value is not None and not _scalar(value) and not value for value in values.values()
        ):
            # Not PostgreSQL, or an empty id list: ``IN ()`` is no SQL, the ORM knows there are
            # no rows (or drops that part of a union) without compiling a plan for it.
            return None
        plans: OrderedDict[tuple[Any, ...], _Plan] = self._local.__dict__.setdefault(
            "plans", OrderedDict()
        )
        key = (using, _shape(values))
        plan = plans.get(key)
        if plan is None:
            plan = plans[key] = self._compile(using, values)
            while len(plans) > MAX_SHAPES:
                plans.popitem(last=False)
        ordered = {
            name: value if value is None or _scalar(value) else list(value)  # type: ignore[arg-type]
            for name, value in values.items()
        }
        params = [
            param
            if slot is None
            else (ordered[slot[0]] if slot[1] == -1 else ordered[slot[0]][slot[1]])  # type: ignore[index]
            for param, slot in zip(plan.params, plan.slots, strict=True)
        ]
        if self._prepared:
            rows = _run_prepared(connection, plan, params)
        else:
            with connection.cursor() as cursor:
                cursor.execute(plan.sql, params)  # type: ignore[arg-type]
                rows = cursor.fetchall()
        if plan.converters:
            rows = list(plan.compiler.apply_converters(rows, plan.converters))
        return plan, rows

    def _compile(self, using: str, values: dict[str, Value]) -> _Plan:
        given, meaning = _markers(values)
        queryset = self._build(**given)
        query = queryset.query
        compiler = query.get_compiler(using)
        sql, params = compiler.as_sql()
        # The names as ValuesIterable gives them, in the order of the SELECT.
        if query.selected:
            names = tuple(query.selected)
        else:
            names = (*query.extra_select, *query.values_select, *query.annotation_select)
        fields = [column[0] for column in compiler.select[0 : compiler.col_count]]
        converters = compiler.get_converters(fields)
        slots = tuple(
            meaning.get(param) if _scalar(param) and not isinstance(param, bool) else None
            for param in params
        )
        used = {slot for slot in slots if slot is not None}
        if used != set(meaning.values()):
            # A value the build did not put in the SQL as a parameter (e.g. used in Python, or
            # folded into the text): running the SQL with other values would be wrong.
            raise ValueError(
                f"{type(self).__name__}: every marker must reach the SQL as a parameter"
            )
        return _Plan(
            sql=sql,
            params=tuple(params),
            slots=slots,
            names=names,
            compiler=compiler,
            converters=converters,
        )


class _PreparingCursor(psycopg.Cursor[Any]):
    """psycopg's server-binding cursor, asking psycopg to prepare each statement on its first
    run rather than after ``prepare_threshold`` runs: that count is shared with every query of
    the connection, Django's own included, and a read between 100 others would never reach it.
    psycopg prepares nothing when the connection's ``prepare_threshold`` is None."""

    def execute(
        self,
        query: Any,
        params: Any = None,
        *,
        prepare: bool | None = None,
        binary: bool | None = None,
    ) -> Self:
        return super().execute(
            query, params, prepare=True if prepare is None else prepare, binary=binary
        )


def _run_prepared(connection: Any, plan: _Plan, params: list[Any]) -> list[Any]:
    """The rows of ``plan`` with ``params``, run on a server-binding cursor (``_bind_on_server``)
    and logged as Django logs every other query (``_log_with_values``)."""
    # One statement per read whatever the ids' sizes: psycopg would type a Python int as int2,
    # int4 or int8 by its value, and each typing is a statement of its own.
    params = [
        Int8(value) if slot is not None and type(value) is int else value
        for value, slot in zip(params, plan.slots, strict=True)
    ]
    log = connection.queries_log if connection.queries_logged else None
    last = log[-1] if log else None
    try:
        with connection.cursor() as cursor:
            _bind_on_server(cursor)
            cursor.execute(plan.sql, params)
            return cursor.fetchall()
    finally:
        if log and log[-1] is not last:
            _log_with_values(connection, log[-1], plan.sql, params)


def _bind_on_server(cursor: Any) -> None:
    """Make Django's cursor wrapper run on a server-binding psycopg cursor of the same connection.

    The wrapper stays Django's (error translation, the query log that query counts read, the
    execute wrappers); only the psycopg cursor inside changes. Django's own is a
    ``ClientCursor``, which merges the values into the SQL text and never prepares; this one
    sends them apart, and psycopg prepares the statement. Nothing changes with another driver."""
    inner = cursor.cursor
    if isinstance(inner, psycopg.ClientCursor):
        bound = _PreparingCursor(inner.connection)
        # Django gives its cursor a time-zone loader of its own when the current zone is not
        # the connection's (a settings change after connecting, in tests): the same here.
        loader = inner.adapters.get_loader(_TIMESTAMPTZ, Format.TEXT)
        if loader is not bound.adapters.get_loader(_TIMESTAMPTZ, Format.TEXT):
            bound.adapters.register_loader(_TIMESTAMPTZ, loader)  # type: ignore[arg-type]
        cursor.cursor = bound
        inner.close()


def _log_with_values(connection: Any, entry: dict[str, Any], sql: str, params: list[Any]) -> None:
    """Django's query log (DEBUG, ``CaptureQueriesContext``) takes a statement's text from
    psycopg's client-side query: for a server-bound run that is the SQL with ``$1`` in place of
    the values, or None once prepared. The entry gets the SQL with its values instead, as every
    other query's entry has."""
    try:
        entry["sql"] = connection.ops.compose_sql(sql, params)
    except psycopg.DataError:
        # As Django's own log does when it cannot compose a statement.
        entry["sql"] = None


class CompiledValues(_Compiled):
    """``values()`` rows of the queryset ``build(**values)`` returns, compiled once per shape."""

    def rows(self, using: str = "default", **values: Value) -> list[dict[str, Any]]:
        found = self._plan_and_rows(using, values)
        if found is None:
            return list(self._build(**values))
        plan, rows = found
        names = plan.names
        return [dict(zip(names, row, strict=True)) for row in rows]


class CompiledModels(_Compiled, Generic[M]):
    """Model instances of the queryset ``build(**values)`` returns, compiled once per shape,
    built as Django's ``ModelIterable`` builds them: the model's own columns through
    ``Model.from_db`` (deferred fields stay deferred), each ``select_related`` object by
    Django's related populators, annotations as attributes."""

    def _compile(self, using: str, values: dict[str, Value]) -> _Plan:
        given, _meaning = _markers(values)
        if self._build(**given)._iterable_class is not ModelIterable:
            raise ValueError("CompiledModels: the build must read model rows, not values()")
        return super()._compile(using, values)

    def __init__(self, build: Callable[..., QuerySet[M]], *, prepared: bool = False) -> None:
        super().__init__(build, prepared=prepared)

    def rows(self, using: str = "default", **values: Value) -> list[M]:
        found = self._plan_and_rows(using, values)
        if found is None:
            return list(self._build(**values))
        plan, rows = found
        compiler = plan.compiler
        klass_info = compiler.klass_info
        select = compiler.select
        fields = klass_info["select_fields"]
        start, end = fields[0], fields[-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        # django-stubs already describes Django 6's signature (a fourth argument, fetch_mode).
        populators = get_related_populators(klass_info, select, using)  # type: ignore[call-arg]
        annotations = list(compiler.annotation_col_map.items())
        model = klass_info["model"]
        found_objects = []
        for row in rows:
            obj = model.from_db(using, names, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations:
                setattr(obj, name, row[position])
            found_objects.append(obj)
        return found_objects


__all__ = ["CompiledModels", "CompiledValues"]
