"""Regulator names and obligation titles by id, held once per process.

The lists of deadlines (the dashboard's panels, the deadline list) show each deadline's regulator
and obligation by name. Joining the two catalogue tables into every list query cost more than the
rest of the query: PostgreSQL spent 6-8 ms planning the dashboard's three panels with those joins
against 1.5 ms running them, and Django about as long compiling them (docs/performance.md,
"Dashboard, third pass"). The catalogue changes a few times a year, so the names are read once and
kept under the catalogue's generation token (``regulators.services.catalogue_generation``), which
every save or delete of a regulator or an obligation through the ORM replaces, whatever the door
(admin, API, ``load_catalogue``, a shell).

- The token is read *before* the rows, so names are never older than the token they are kept
  under; a change committed in between gives a new token, and the next request reads again.
- A save or delete in this process also drops the names at once (the token's cache may be
  per process without Redis, and a rolled-back SQLite edit can hand out the same ids again).
- Without a shared cache (development without ``REDIS_URL``), another process's edit changes only
  that process's token: the names are also read again after ``MAX_AGE`` seconds at the latest.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db.models import Value
from django.db.models.signals import post_delete, post_save

from regulators.models import Obligation, Regulator
from regulators.services import catalogue_generation

MAX_AGE = 300.0


@dataclass(frozen=True)
class CatalogueNames:
    token: str
    read_at: float
    # id -> (English, Korean)
    regulators: Mapping[int, tuple[str, str]]
    obligations: Mapping[int, tuple[str, str]]


_lock = threading.Lock()
_current: CatalogueNames | None = None


def catalogue_names() -> CatalogueNames:
    """Every regulator's name and every obligation version's title, as stored now."""
    global _current
    token = catalogue_generation()
    names = _current
    if names is not None and names.token == token and time.monotonic() - names.read_at < MAX_AGE:
        return names
    regulators: dict[int, tuple[str, str]] = {}
    obligations: dict[int, tuple[str, str]] = {}
    # One query for both tables (the pages that use the names keep their query bound).
    tagged = (
        Regulator.objects.order_by()
        .annotate(table=Value("r"))
        .values_list("table", "pk", "name_en", "name_ko")
    )
    tagged = tagged.union(
        Obligation.objects.order_by()
        .annotate(table=Value("o"))
        .values_list("table", "pk", "title_en", "title_ko"),
        all=True,
    )
    for table, pk, en, ko in tagged:
        (regulators if table == "r" else obligations)[pk] = (en, ko)
    names = CatalogueNames(
        token=token, read_at=time.monotonic(), regulators=regulators, obligations=obligations
    )
    with _lock:
        _current = names
    return names


def forget(*args: Any, **kwargs: Any) -> None:
    """Drop this process's names (a regulator or an obligation was saved or deleted)."""
    global _current
    with _lock:
        _current = None


def connect() -> None:
    """Called once from ``RegulatorsConfig.ready()``."""
    for model in (Regulator, Obligation):
        post_save.connect(forget, sender=model, dispatch_uid=f"names-forget-{model.__name__}")
        post_delete.connect(forget, sender=model, dispatch_uid=f"names-forget-d-{model.__name__}")


__all__ = ["CatalogueNames", "catalogue_names", "connect", "forget"]
