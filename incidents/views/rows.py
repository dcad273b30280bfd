"""Light deadline rows for the dashboard and the deadline list, with cached cells.

The lists read only the columns a row shows (``values()``: no model instances for the deadline,
its incident, entity, regulator and obligation), and the row's cells apart from the live
countdown are rendered once and cached under a key made of everything they show (id, due
times, titles, names, applicability) plus the viewer's language and zone
(incidents/views/fragments.py): a change to any shown value gives another key, so it shows on the
next request. The countdown and the urgency colour depend on now and are drawn per request.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db import connection
from django.db.models import IntegerField, Q, QuerySet, Value
from django.db.models.expressions import RawSQL
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from incidents.models import Deadline, Incident, LegalEntity
from incidents.templatetags.clock import Countdowns
from incidents.views.fragments import FRAGMENT_TTL
from incidents.views.keyset import KeysetSource, KeyValue, MaybeTime, counted_by
from regulators.models import Obligation, Regulator
from regulators.rows import CatalogueRows, catalogue_rows, regulators_by_id
from regulators.rows import forget as forget_catalogue_rows

# A deadline's own columns that a row shows.
_SHOWN_COLUMNS = (
    "id",
    "code",
    "status",
    "due_at",
    "internal_target_at",
    "applicability",
    "title",
    "incident_id",
)
ROW_VALUES = (
    *_SHOWN_COLUMNS,
    "incident__reference",
    "legal_entity__name",
    "regulator_id",
    "regulator__name_en",
    "regulator__name_ko",
    "obligation_id",
    "obligation__title_en",
    "obligation__title_ko",
)
CELLS_TEMPLATE = "incidents/_deadline_cells.html"


class _Attrs:
    """Attribute access for the template filters (``localized_name``, ``deadline_title``)."""

    def __init__(self, **values: Any) -> None:
        self.__dict__.update(values)


class DeadlineRow:
    """What a deadline row shows, with the attribute names of ``Deadline`` used by the templates
    and filters (``pk``, ``due_at``, ``incident.reference``, ``regulator``, ``obligation``)."""

    cells: SafeString | str = ""
    # Filled per request (incidents/views/panels.py and ``want_cells``): the cells' cache key,
    # the live parts (urgency colour, countdown), the whole table row, and for the answers-owed
    # panel its colour and countdown.
    cells_key = ""
    live: tuple[str, SafeString | str] = ("", "")
    html: SafeString | str = ""
    urgency_css = ""
    countdown_html: SafeString | str = ""

    def __init__(self, v: dict[str, Any]) -> None:
        self.pk = self.id = v["id"]
        # The rule code and status, as on the model (filters and callers read them).
        self.code: str = v["code"]
        self.status: str = v["status"]
        self.due_at: datetime | None = v["due_at"]
        self.internal_target_at: datetime | None = v["internal_target_at"]
        self.applicability: str = v["applicability"]
        self.title: str = v["title"]
        self.incident = _Attrs(pk=v["incident_id"], reference=v["incident__reference"])
        self.legal_entity = _Attrs(name=v["legal_entity__name"])
        self.regulator_id = v["regulator_id"]
        self.regulator = (
            _Attrs(name_en=v["regulator__name_en"], name_ko=v["regulator__name_ko"])
            if v["regulator_id"] is not None
            else None
        )
        self.obligation_id = v["obligation_id"]
        self.obligation = (
            _Attrs(title_en=v["obligation__title_en"], title_ko=v["obligation__title_ko"])
            if v["obligation_id"] is not None
            else None
        )
        self._shown = tuple(v[name] for name in ROW_VALUES)

    def __eq__(self, other: object) -> bool:
        # The same deadline as a model instance or another row (pages and tests compare them).
        if isinstance(other, Deadline | DeadlineRow):
            return bool(self.pk == other.pk)
        return NotImplemented

    def __hash__(self) -> int:
        return hash(("deadline", self.pk))

    def __repr__(self) -> str:
        return f"<DeadlineRow {self.pk}>"

    def key(self) -> str:
        return row_keys([self])[0]


# A deadline's own columns. The names a row shows besides (its incident's reference, its entity's
# name, its regulator's and obligation's) are filled in by ``with_names``.
OWN_VALUES = (
    *_SHOWN_COLUMNS,
    "legal_entity_id",
    "regulator_id",
    "obligation_id",
)


def with_names(
    values: list[dict[str, Any]], catalogue: CatalogueRows | None = None
) -> list[dict[str, Any]]:
    """Give rows of ``OWN_VALUES`` plus ``PANEL_NAMES`` (read by scalar subqueries in the rows'
    own query) the rest of ``ROW_VALUES``' names: the regulator's and obligation's from the
    per-process catalogue rows (regulators/rows.py). Joining the four tables into the rows' own
    query cost more in planning and compiling than the query itself (docs/performance.md,
    "Dashboard, third pass"); a separate lookup by key cost a round trip. ``catalogue``: rows
    the caller checks against the generation token itself (``regulators.rows.held_rows``)."""
    if not values:
        return values
    catalogue = catalogue or catalogue_rows()
    if not {v["obligation_id"] for v in values} <= {None, *catalogue.obligations}:
        # A row newer than this process's catalogue (its cache is not shared): read it again.
        forget_catalogue_rows()
        catalogue = catalogue_rows()
    regulators = regulators_by_id(catalogue, (v["regulator_id"] for v in values))
    for v in values:
        _renamed(v, PANEL_NAMES)
        regulator = regulators.get(v["regulator_id"])
        v["regulator__name_en"] = regulator.name_en if regulator else None
        v["regulator__name_ko"] = regulator.name_ko if regulator else None
        obligation = catalogue.obligations.get(v["obligation_id"])
        v["obligation__title_en"] = obligation.title_en if obligation else None
        v["obligation__title_ko"] = obligation.title_ko if obligation else None
    return values


def _tagged_parts(parts: list[tuple[QuerySet[Deadline], int]]) -> list[QuerySet[Any]]:
    return [
        part.annotate(panel=Value(n, output_field=IntegerField())).values(
            *OWN_VALUES, "panel", **_name_columns(PANEL_NAMES)
        )[:limit]
        for n, (part, limit) in enumerate(parts)
    ]


def panel_values(parts: list[tuple[QuerySet[Deadline], int]]) -> list[dict[str, Any]]:
    """The first rows of several ordered deadline querysets (``(queryset, limit)``) in one
    query (``UNION ALL`` of the parts, each keeping its order and limit), tagged with their
    part, for ``split_panels``. The query reads the deadlines' own columns only, each part one
    index scan with a limit, cheap to plan; the incident's reference and the entity's name by
    scalar subqueries run for the rows returned only, the catalogue's names after
    (``with_names``)."""
    tagged = _tagged_parts(parts)
    if not connection.features.supports_slicing_ordering_in_compound:
        # SQLite (the tests) cannot limit the parts of a UNION: one query per part there.
        return [v for part in tagged for v in part]
    return list(tagged[0].union(*tagged[1:], all=True))


def panels_union(parts: list[tuple[QuerySet[Deadline], int]]) -> QuerySet[Any]:
    """``panel_values``' query as one queryset (for ``common.compiled``: PostgreSQL only)."""
    tagged = _tagged_parts(parts)
    return tagged[0].union(*tagged[1:], all=True)


def split_panels(
    values: list[dict[str, Any]], count: int, catalogue: CatalogueRows | None = None
) -> list[list[DeadlineRow]]:
    """Rows of ``panel_values`` (tagged with their panel), named and split per panel. The values
    may be split again with other catalogue rows (their own names are kept)."""
    panels: list[list[DeadlineRow]] = [[] for _ in range(count)]
    for v in with_names(values, catalogue):
        panels[v["panel"]].append(DeadlineRow(v))
    return panels


# The deadline list reads each name a row shows by a scalar subquery on the row's own foreign key
# instead of a join (``ROW_VALUES`` key: model, column, foreign key). With four joins PostgreSQL
# spent more time planning the query (choosing a join order among five tables and their
# indexes) than running it, and Django more building it: 1.3 ms of planning became 0.3, and the
# list's read took 1.3 ms less on the load data. The subqueries run only for the rows returned
# (PostgreSQL evaluates them after the sort and limit).
_LIST_NAMES: dict[str, tuple[type[Any], str, str]] = {
    "incident__reference": (Incident, "reference", "incident_id"),
    "legal_entity__name": (LegalEntity, "name", "legal_entity_id"),
    "regulator__name_en": (Regulator, "name_en", "regulator_id"),
    "regulator__name_ko": (Regulator, "name_ko", "regulator_id"),
    "obligation__title_en": (Obligation, "title_en", "obligation_id"),
    "obligation__title_ko": (Obligation, "title_ko", "obligation_id"),
}
_LIST_OWN_VALUES = tuple(name for name in ROW_VALUES if name not in _LIST_NAMES)
# The names the dashboard's panels read with their rows (the catalogue's come from regulators.rows).
PANEL_NAMES = ("incident__reference", "legal_entity__name")


def _name_columns(names: Iterable[str] = _LIST_NAMES) -> dict[str, RawSQL]:
    """The ``names`` (keys of ``_LIST_NAMES``) as columns ``name_<n>`` of a query on deadlines
    that has no join (its table unaliased); ``_renamed`` gives them their names back."""
    quote = connection.ops.quote_name
    outer = quote(Deadline._meta.db_table)
    return {
        # Table and column names from the models' metadata, quoted: no outside input.
        f"name_{n}": RawSQL(  # noqa: S611  # nosec B611
            f"SELECT {quote(column)} FROM {quote(model._meta.db_table)} "  # noqa: S608  # nosec B608
            f"WHERE {quote(model._meta.pk.column)} = {outer}.{quote(fk)}",
            [],
        )
        for n, (model, column, fk) in enumerate(_LIST_NAMES[name] for name in names)
    }


def _renamed(values: dict[str, Any], names: Iterable[str] = _LIST_NAMES) -> dict[str, Any]:
    for n, name in enumerate(names):
        if f"name_{n}" in values:  # not yet renamed (panel values may be named twice)
            values[name] = values.pop(f"name_{n}")
    return values


def list_rows(queryset: QuerySet[Deadline], limit: int) -> list[DeadlineRow]:
    """The first ``limit`` rows of an ordered, join-free deadline queryset, names included."""
    shown = queryset.values(*_LIST_OWN_VALUES, **_name_columns())[:limit]
    return [DeadlineRow(_renamed(values)) for values in shown]


def counted_list_rows(
    queryset: QuerySet[Deadline], limit: int, whole: QuerySet[Deadline]
) -> tuple[list[DeadlineRow], int]:
    """``list_rows``, and the number of rows of ``whole`` read by the same query."""
    shown = list(
        queryset.values(*_LIST_OWN_VALUES, **_name_columns(), list_total=counted_by(whole))[:limit]
    )
    total = shown[0]["list_total"] if shown else whole.count()
    return [DeadlineRow(_renamed(values)) for values in shown], total


class DeadlinesByUrgency(KeysetSource[DeadlineRow]):
    """Open deadlines in urgency order (due time, then id; "without delay" ones last, by id),
    read from a key: the dated part as a range of the ``status, due_at, id`` index from the key's
    due time, the undated part by id. ``queryset`` is the viewer's open deadlines (scoped)."""

    list_name = "deadlines"
    shape = (MaybeTime, int)

    def __init__(self, queryset: QuerySet[Deadline]) -> None:
        self.queryset = queryset

    def key_of(self, row: DeadlineRow) -> tuple[KeyValue, ...]:
        return (row.due_at, row.pk)

    def count(self) -> int:
        return self.queryset.order_by().count()

    def first_page(self, limit: int) -> tuple[list[DeadlineRow], int | None]:
        # One query: the rows in the index's order (NULLS LAST), and the count of them all.
        return counted_list_rows(self.queryset.by_urgency(), limit, self.queryset)  # type: ignore[attr-defined]

    def after(self, key: tuple[KeyValue, ...] | None, limit: int) -> list[DeadlineRow]:
        dated = self.queryset.filter(due_at__isnull=False)
        undated = self.queryset.filter(due_at__isnull=True)
        if key is None:
            # One query: the index's order is the list's (NULLS LAST), nothing to skip.
            return list_rows(self.queryset.by_urgency(), limit)  # type: ignore[attr-defined]
        due, pk = key
        if due is None:
            return list_rows(undated.filter(id__gt=pk).order_by("id"), limit)
        # ``due_at >= due`` bounds the index scan; the ties on ``due`` at or before ``pk`` are
        # dropped by the filter (an OR of the two would not bound the scan).
        rows = list_rows(
            dated.filter(due_at__gte=due)
            .exclude(Q(due_at=due) & Q(id__lte=pk))
            .order_by("due_at", "id"),
            limit,
        )
        if len(rows) < limit:
            rows += list_rows(undated.order_by("id"), limit - len(rows))
        return rows

    def before(self, key: tuple[KeyValue, ...], limit: int) -> list[DeadlineRow]:
        dated = self.queryset.filter(due_at__isnull=False)
        due, pk = key
        if due is None:
            rows = list_rows(
                self.queryset.filter(due_at__isnull=True, id__lt=pk).order_by("-id"), limit
            )
            if len(rows) < limit:
                rows += list_rows(dated.order_by("-due_at", "-id"), limit - len(rows))
        else:
            rows = list_rows(
                dated.filter(due_at__lte=due)
                .exclude(Q(due_at=due) & Q(id__gte=pk))
                .order_by("-due_at", "-id"),
                limit,
            )
        rows.reverse()
        return rows


def shown_keys(name: str, shown: Iterable[tuple[Any, ...]]) -> list[str]:
    """A cache key per row: a hash of every value the row shows, with the viewer's language and
    zone (as ``fragment_key``, hashed in one piece: the language and zone are read once)."""
    prefix = f"{name}|{get_language()}|{timezone.get_current_timezone_name()}|"
    return [
        f"{name}:"
        + hashlib.sha1((prefix + repr(values)).encode(), usedforsecurity=False).hexdigest()
        for values in shown
    ]


def row_keys(rows: list[DeadlineRow]) -> list[str]:
    """Each deadline row's cells' cache key."""
    return shown_keys("deadline-row", (row._shown for row in rows))


class FragmentBatch:
    """Fragments wanted by one page: ``want`` each (key, template, context), then ``fetch``."""

    def __init__(self) -> None:
        self._wanted: dict[str, tuple[str, dict[str, Any]]] = {}

    def want(self, key: str, template: str, context: dict[str, Any]) -> str:
        self._wanted[key] = (template, context)
        return key

    def fetch(self, also: Iterable[str] = ()) -> tuple[dict[str, SafeString], dict[str, Any]]:
        """The fragments by key (rendered and stored when missing), and the values of the keys
        in ``also`` that the cache holds (the caller computes and stores the others)."""
        extra = list(also)
        keys = [*self._wanted, *extra]
        found: dict[str, Any] = cache.get_many(keys) if keys else {}
        missing = {
            key: render_to_string(template, context)
            for key, (template, context) in self._wanted.items()
            if not isinstance(found.get(key), str)
        }
        if missing:
            cache.set_many(missing, FRAGMENT_TTL)
        fragments = {
            # Our auto-escaping templates' output, as stored by this class.
            key: mark_safe(missing[key] if key in missing else found[key])  # noqa: S308  # nosec B308 B703
            for key in self._wanted
        }
        return fragments, {key: found[key] for key in extra if key in found}


def want_cells(batch: FragmentBatch, rows: list[DeadlineRow], now: datetime) -> None:
    """Each row of a deadline table: its cached cells, and the row built around them with the
    live countdown and urgency colour (``row.html``, read by _deadline_table.html)."""
    live = Countdowns(now)  # the countdown sentences translated once for the page
    for row, key in zip(rows, row_keys(rows), strict=True):
        row.cells_key = batch.want(key, CELLS_TEMPLATE, {"d": row})
        row.live = (live.urgency(row.due_at), live.html(row.due_at))


def fill_cells(rows: list[DeadlineRow], fragments: dict[str, SafeString]) -> None:
    for row in rows:
        row.cells = fragments[row.cells_key]
        css, remaining = row.live
        # As in ``with_cells``: the id is an integer, the colour one of four words, the
        # countdown and the cells escaped HTML; nothing needs escaping again.
        row.html = mark_safe(  # noqa: S308  # nosec B308 B703
            f'<tr id="row-{int(row.pk)}" class="row-{css}">\n'
            f'      <td class="col-countdown">{remaining}</td>\n'
            f"      {row.cells}\n    </tr>"
        )


def rows_html(rows: list[DeadlineRow]) -> SafeString:
    """The table rows of ``fill_cells``' rows as one string (``rows_html`` of
    _deadline_table.html): joined here rather than looped over in the template, which cost about
    a millisecond per 50 rows."""
    return mark_safe("\n".join(row.html for row in rows))  # noqa: S308  # nosec B308 B703 - rows built of escaped HTML


def with_cells(rows: list[DeadlineRow], now: datetime) -> list[DeadlineRow]:
    """Fill ``row.cells`` (from the cache, in one round trip; misses rendered and stored) and
    ``row.html`` (the table row with its live countdown and colour). The deadline list's own
    loop (the dashboard's is ``want_cells`` and ``fill_cells``): the countdown sentences are
    translated once for the page, and the row is put together by string formatting."""
    batch = FragmentBatch()
    for row, key in zip(rows, row_keys(rows), strict=True):
        row.cells_key = batch.want(key, CELLS_TEMPLATE, {"d": row})
    fragments, _other = batch.fetch()
    live = Countdowns(now)
    for row in rows:
        row.cells = fragments[row.cells_key]
        # The id is an integer, the colour one of four words, the countdown and the cells
        # escaped HTML: nothing here needs escaping again.
        row.html = mark_safe(  # noqa: S308  # nosec B308 B703
            f'<tr id="row-{int(row.pk)}" class="row-{live.urgency(row.due_at)}">\n'
            f'      <td class="col-countdown">{live.html(row.due_at)}</td>\n'
            f"      {row.cells}\n    </tr>"
        )
    return rows
