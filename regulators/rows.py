"""Regulators and obligations as rows held per process, keyed by the catalogue's generation.

Pages that name a deadline's obligation and regulator (its title, citation, rule's time zone,
the regulator's name) read them here instead of joining both tables into every deadline or
filing query: PostgreSQL spent more time planning those joins than running them, and Django more
time compiling them (docs/performance.md, "Incident page, third pass").

The rows are keyed by ``catalogue_generation()``, the token in the shared cache that every save
or delete of a regulator or an obligation forgets, whatever the door and in whatever process: a
page that finds another token reads the catalogue again (one query), so what it shows is never
older than the catalogue. The token is read *before* the rows, so rows are never older than the
token they are kept under. A save or delete in this process also drops the rows at once (without
``REDIS_URL`` the token's cache is per process, and a rolled-back SQLite edit can hand the same
ids out again); without a shared cache, another process's edit is seen after ``MAX_AGE`` seconds
at the latest. A regulator that no obligation names (an ad hoc deadline's) is read on demand by
``regulators_by_id``, once per generation.

The rows are shared between requests and threads: read them, never change them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db.models.signals import post_delete, post_save

from regulators.models import Obligation, Regulator
from regulators.services import catalogue_generation

MAX_AGE = 300.0


@dataclass(frozen=True)
class CatalogueRows:
    generation: str
    read_at: float
    # Every version of every obligation, by id, with its regulator.
    obligations: dict[int, Obligation]
    # Regulators by id: those the obligations name, and those read since on demand.
    regulators: dict[int, Regulator] = field(default_factory=dict)

    def latest(self) -> list[Obligation]:
        """The latest version of each obligation, in code order."""
        by_code: dict[str, Obligation] = {}
        for row in sorted(self.obligations.values(), key=lambda o: (o.code, o.version)):
            by_code[row.code] = row
        return list(by_code.values())


_lock = threading.Lock()
_current: CatalogueRows | None = None


def catalogue_rows(generation: str | None = None) -> CatalogueRows:
    """The catalogue's obligations and regulators as of the current generation (one query when
    the generation is new to this process, none otherwise). A caller that has just read the
    generation token (with other keys in one round trip) passes it."""
    global _current
    if generation is None:
        generation = catalogue_generation()
    rows = _current
    if (
        rows is not None
        and rows.generation == generation
        and time.monotonic() - rows.read_at < MAX_AGE
    ):
        return rows
    obligations = {o.pk: o for o in Obligation.objects.select_related("regulator")}
    regulators = {o.regulator_id: o.regulator for o in obligations.values() if o.regulator}
    rows = CatalogueRows(generation, time.monotonic(), obligations, regulators)
    with _lock:
        _current = rows
    return rows


def held_rows() -> CatalogueRows | None:
    """The rows this process holds if younger than ``MAX_AGE``, without reading the generation
    token: for a page that reads the token in a round trip it makes anyway, checks it against
    ``rows.generation`` before it answers, and draws the page again with ``catalogue_rows()``
    if they differ (incidents/views/dashboard.py)."""
    rows = _current
    if rows is not None and time.monotonic() - rows.read_at < MAX_AGE:
        return rows
    return None


def regulators_by_id(rows: CatalogueRows, ids: Iterable[int | None]) -> dict[int, Regulator]:
    """The regulators of ``ids`` (None left out): from ``rows``, and those no obligation names in
    one query, kept with ``rows`` for the rest of the generation."""
    wanted = {pk for pk in ids if pk is not None}
    missing = wanted - rows.regulators.keys()
    if missing:
        found = {r.pk: r for r in Regulator.objects.filter(pk__in=missing)}
        with _lock:
            rows.regulators.update(found)
    return {pk: rows.regulators[pk] for pk in wanted if pk in rows.regulators}


def forget(*args: Any, **kwargs: Any) -> None:
    """Drop this process's rows (a regulator or an obligation was saved or deleted)."""
    global _current
    with _lock:
        _current = None


def connect() -> None:
    """Called once from ``RegulatorsConfig.ready()``."""
    for model in (Regulator, Obligation):
        uid = f"catalogue-rows-forget-{model.__name__}"
        post_save.connect(forget, sender=model, dispatch_uid=uid)
        post_delete.connect(forget, sender=model, dispatch_uid=f"{uid}-delete")
