"""The rule catalogue as one in-memory snapshot per process, keyed by the catalogue's version.

Every write that recomputes deadlines needs the obligations (as engine specs) and the calendars
with their closures; they change a few times a year, and reading and converting them on every
write cost more than computing the clocks (docs/performance.md, "Writes through the API").
``catalogue_snapshot()`` returns the snapshot of the catalogue as stored now:

- The *version* is read in one statement: the newest history row of obligations, calendars and
  calendar closures. django-simple-history writes one on every save and delete through the ORM,
  whatever the door (admin, API, ``load_catalogue``, a shell), so an edit made in another process
  (another gunicorn worker, the admin) gives another version and the next write here reloads.
  The version is read *before* the rows, so a snapshot is never older than its key.
- In this process, every save or delete of a catalogue row (``post_save``/``post_delete`` of the
  same models, raw fixture loads included) drops the snapshot at once. That also covers an edit
  rolled back on SQLite, which may hand the same history id out again.

The snapshot holds no ``Regulator`` rows (they have no history, so no version): schedulers take
the regulator's id from an obligation, never its name.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_delete, post_save

from regulators.computation import CalendarCache
from regulators.engine.applicability import condition_facts
from regulators.engine.calendars import (
    BUILTIN_CALENDAR_CODES,
    BusinessCalendar,
    builtin_calendar,
)
from regulators.engine.rules import RuleSpec
from regulators.models import Calendar, CalendarClosure, Obligation


@dataclass(frozen=True)
class Rule:
    """All versions of one obligation code, in version order, with their engine specs."""

    code: str
    rows: tuple[Obligation, ...]
    specs: tuple[RuleSpec, ...]
    # The facts the latest version's applicability conditions read.
    reads: frozenset[str]

    @property
    def latest(self) -> Obligation:
        return self.rows[-1]

    @property
    def trigger_kind(self) -> str:
        return self.latest.trigger_kind

    def any_version(self, *, trigger_kinds: Iterable[str] = (), long_stop: bool = False) -> bool:
        """Whether some version starts from one of ``trigger_kinds`` (or, with ``long_stop``,
        has a long stop counted from awareness)."""
        kinds = set(trigger_kinds)
        return any(
            row.trigger_kind in kinds or (long_stop and row.long_stop_hours is not None)
            for row in self.rows
        )


@dataclass(frozen=True)
class CatalogueSnapshot:
    version: tuple[Any, ...]
    rules: Mapping[str, Rule]  # by code, in code order
    calendars: Mapping[str, BusinessCalendar] = field(default_factory=dict)

    def calendar_cache(self) -> CalendarCache:
        """A calendar cache for one computation run, holding every known calendar (an unknown
        code still raises the cache's ValidationError)."""
        return CalendarCache(_by_code=dict(self.calendars))

    def codes(self, predicate: Any) -> frozenset[str]:
        return frozenset(code for code, rule in self.rules.items() if predicate(rule))


_MODELS: tuple[type[Model], ...] = (Obligation, Calendar, CalendarClosure)
_lock = threading.Lock()
_current: CatalogueSnapshot | None = None


def catalogue_version() -> tuple[Any, ...]:
    """The newest history id of each catalogue model (one statement)."""
    quote = connection.ops.quote_name
    tables = [quote(model.history.model._meta.db_table) for model in _MODELS]  # type: ignore[attr-defined]
    # Table names from the models' own metadata, quoted: no outside input reaches the text.
    parts = ", ".join(
        f"(SELECT MAX(history_id) FROM {table})"  # noqa: S608  # nosec B608 - quoted model tables
        for table in tables
    )
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {parts}")
        row = cursor.fetchone()
    return (connection.alias, *row)


def _load(version: tuple[Any, ...]) -> CatalogueSnapshot:
    by_code: dict[str, list[Obligation]] = defaultdict(list)
    for row in Obligation.objects.select_related("calendar").order_by("code", "version"):
        by_code[row.code].append(row)
    rules = {
        code: Rule(
            code=code,
            rows=tuple(rows),
            specs=tuple(row.to_spec() for row in rows),
            reads=condition_facts(rows[-1].conditions),
        )
        for code, rows in by_code.items()
    }
    # What ``Calendar.engine_for`` answers for every known code: the row, else the shipped one.
    calendars = {code: builtin_calendar(code) for code in BUILTIN_CALENDAR_CODES}
    calendars.update(
        (row.code, row.to_engine()) for row in Calendar.objects.prefetch_related("closures")
    )
    return CatalogueSnapshot(version=version, rules=rules, calendars=calendars)


def catalogue_snapshot() -> CatalogueSnapshot:
    """The catalogue as stored now (see the module's docstring)."""
    global _current
    version = catalogue_version()
    snapshot = _current
    if snapshot is not None and snapshot.version == version:
        return snapshot
    snapshot = _load(version)
    with _lock:
        _current = snapshot
    return snapshot


def forget(*args: Any, **kwargs: Any) -> None:
    """Drop this process's snapshot (a catalogue row was saved or deleted)."""
    global _current
    with _lock:
        _current = None


def connect() -> None:
    """Called once from ``RegulatorsConfig.ready()``."""
    for model in _MODELS:
        post_save.connect(forget, sender=model, dispatch_uid=f"snapshot-forget-{model}")
        post_delete.connect(forget, sender=model, dispatch_uid=f"snapshot-forget-d-{model}")


__all__ = ["CatalogueSnapshot", "Rule", "catalogue_snapshot", "catalogue_version", "forget"]
