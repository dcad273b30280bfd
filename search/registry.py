"""What search can find: one ``SearchKind`` registration per kind of record.

A kind says which model and text fields to search, which date to filter and sort by, how its rows
reach their incident (need-to-know is always applied through the incident), how the regulator
filter applies, and how a row is shown. Adding a kind (correspondence and tasks, issue #16) is one
``register(SearchKind(...))`` call in ``search/kinds.py``; on PostgreSQL a migration adding the
kind's full-text and trigram indexes (``search.indexes.text_index_sql``) keeps it fast.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db.models import Model, QuerySet
from django.utils.functional import Promise


@dataclass(frozen=True)
class SearchKind:
    key: str  # the value of the "kind" filter, stable (API)
    label: str | Promise  # translated name shown in the filter and on each hit
    model: type[Model]
    text_fields: tuple[str, ...]  # searched; NOT NULL text columns (blank allowed)
    date_field: str  # filtered by the date range, newest first
    incident_path: str  # "incident" for child rows, "" for the incident itself
    title: Callable[[Any], str]  # the hit's heading
    url: Callable[[Any], str]  # where the hit leads
    base: Callable[[QuerySet[Any]], QuerySet[Any]] = lambda qs: qs
    regulator: Callable[[QuerySet[Any], str], QuerySet[Any]] | None = None  # None: never matches
    select_related: tuple[str, ...] = ()

    def incident_field(self, name: str) -> str:
        """``name`` on the row's incident, as a lookup from this kind's model."""
        return f"{self.incident_path}__{name}" if self.incident_path else name


_KINDS: dict[str, SearchKind] = {}


def register(kind: SearchKind) -> SearchKind:
    if kind.key in _KINDS:
        raise ValueError(f"search kind {kind.key!r} is registered twice")
    _KINDS[kind.key] = kind
    return kind


def registered() -> list[SearchKind]:
    return list(_KINDS.values())


def kind_choices() -> list[tuple[str, Any]]:
    return [(kind.key, kind.label) for kind in _KINDS.values()]
