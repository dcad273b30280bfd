"""The incident page (``/incidents/<reference>/``).

Its query bound: the session, the signed-in user (with profile, roles and unread-notification
count, accounts.backends), the incident (with the visibility test and the figures below in the
same query), its legal entities, count revisions, deadlines (with their alternatives) and filings
(with their documents) (incidents/views/page_rows.py), and only where there is something to read:
the sections of apps above incidents (``page_annotations``), and what the cached fragments need
when they are drawn afresh. Obligations and regulators are catalogue rows held per process
(regulators.rows), read again only when the catalogue's generation changes.

Cached fragments are keyed by what they show (incidents/views/fragments.py) and read in two round
trips to the cache: the catalogue's generation with the events' summary, then the three fragments
together (``_fragments``) with the deadline and filing rows, each cached on its own (a deadline's
colour and countdown filled in per request: incidents/views/cached_rows.py); a missing one is
drawn by its own template and all are stored at once. The chronology, the SVG timeline and the
events' summary (focus window, last status change) are keyed by the events' number and newest
id, read as annotations of the incident's query: while they are cached, the events are not read
at all. Drawn afresh, the chronology is put together from each event's own cached item, so that
after an event is recorded only that event's item is drawn; those items come with the fragments
when the summary was missing too (the events changed), and in a third round trip otherwise (the
chronology alone missing: another language, zone or rights, or "show all"). The "which laws
apply" overview is keyed by the catalogue's generation and each entity's facts: while it is
cached, the catalogue is not read.

A long chronology shows its latest ``CHRONOLOGY_LIMIT`` events; a plain link ("show all N
events", ``?chronology=all``) shows the rest. Each deadline's explanation ("why this due time")
is read on demand: a plain link to ``deadline_explanation``, which static/js/app.js loads into
the folded ``<details>`` when it is opened (``?fragment=1`` answers the explanation alone).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cache as memoize
from functools import partial
from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import (
    Count,
    Max,
    OuterRef,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.safestring import SafeString, mark_safe

from common.roles import Action, has_right
from incidents.applicability import applicability_facts, overview_of
from incidents.models import (
    Deadline,
    DeadlineStatus,
    EventKind,
    Filing,
    Incident,
    TimelineEvent,
)
from incidents.permissions import incident_for
from incidents.sections import (
    ChronologyEntry,
    chronology_entries,
    deadline_notes,
    page_annotations,
    page_sections,
)
from incidents.templatetags.clock import Countdowns
from incidents.views.cached_rows import (
    DEADLINE_ROW,
    EVENT_ROW,
    FILING_ROW,
    CachedRows,
    ChronologyItem,
    EventRow,
    deadline_row_state,
    filing_row_state,
    fill,
    read_events,
)
from incidents.views.fragments import (
    FRAGMENT_TTL,
    chronology_key,
    events_state,
    fragment_key,
    timeline_key,
)
from incidents.views.page_rows import read_rows
from incidents.views.timeline import build_count_series, build_timeline, deadline_css
from regulators.services import CATALOGUE_GENERATION_KEY, catalogue_generation

# Events shown in the chronology before "show all": the latest ones, with the entries other apps
# contribute from the first shown event's time on.
CHRONOLOGY_LIMIT = 100
SHOW_ALL_PARAM = "chronology"


def _scalar(queryset: QuerySet[Any], expression: Any) -> Subquery:
    """One value computed over ``queryset`` (rows of one incident), as a subquery."""
    return Subquery(
        queryset.order_by().values("incident").annotate(value=expression).values("value")[:1]
    )


@memoize
def _events_annotations() -> dict[str, Any]:
    """The events' number and newest id, built once per process: the ORM resolves a copy of an
    expression for each query, and building these two (six query clones) cost each request."""
    events = TimelineEvent.objects.filter(incident=OuterRef("pk"))
    return {
        "page_events": Coalesce(_scalar(events, Count("pk")), 0),
        "page_newest_event": _scalar(events, Max("pk")),
    }


@memoize
def _incident_annotations() -> dict[str, Any]:
    """Built once per process, as the compiled query that uses them is (incident_for): asking
    every app for them and building their expressions took each request ~0.1 ms."""
    return {**_events_annotations(), **page_annotations("incident")}


@dataclass(frozen=True)
class StatusChange:
    occurred_at: datetime
    description: str
    recorded_by: str


@dataclass(frozen=True)
class EventSummary:
    """What the page needs from all events besides the chronology and the SVG."""

    first_awareness: datetime | None
    last_status_change: StatusChange | None

    def values(self) -> tuple[Any, ...]:
        last = self.last_status_change
        return (
            self.first_awareness,
            (last.occurred_at, last.description, last.recorded_by) if last is not None else None,
        )

    @classmethod
    def from_values(cls, values: tuple[Any, ...]) -> EventSummary:
        first, last = values
        return cls(first, StatusChange(*last) if last is not None else None)

    def focus_window(self) -> tuple[datetime, datetime] | None:
        if self.first_awareness is None:
            return None
        return (
            self.first_awareness - timedelta(days=14),
            self.first_awareness + timedelta(days=30),
        )


def summarise(events: Sequence[TimelineEvent] | Sequence[EventRow]) -> EventSummary:
    awareness = [
        e.occurred_at for e in events if e.kind == EventKind.AWARENESS and not e.is_superseded
    ]
    changes = [e for e in events if "status_to" in (e.data or {}) and not e.is_superseded]
    last = changes[-1] if changes else None
    return EventSummary(
        first_awareness=min(awareness) if awareness else None,
        last_status_change=StatusChange(
            occurred_at=last.occurred_at,
            description=last.description,
            recorded_by=last.recorded_by.get_username() if last.recorded_by else "",
        )
        if last is not None
        else None,
    )


def _event_summary(
    values: Any,
    events: Callable[[], Sequence[TimelineEvent] | Sequence[EventRow]],
    missing: dict[str, Any],
    key: str,
) -> EventSummary:
    """The events' summary from its cached plain values (a tuple, never an instance of a class
    that a release may change; anything else found is computed again and added to ``missing``,
    to be cached)."""
    if not (isinstance(values, tuple) and len(values) == 2):
        values = summarise(events()).values()
        missing[key] = values
    return EventSummary.from_values(values)


def _fragments(
    request: HttpRequest,
    wanted: dict[str, tuple[str, str, Callable[[], dict[str, Any]]]],
    found: dict[str, Any],
) -> tuple[dict[str, SafeString], dict[str, Any]]:
    """Each fragment (name: key, template, context) from ``found`` (the cache's answer), or
    drawn afresh; returns them and the ones drawn, by key, to be cached."""
    drawn: dict[str, Any] = {}
    fragments: dict[str, SafeString] = {}
    for name, (key, template, context) in wanted.items():
        html = found.get(key)
        if not isinstance(html, str):
            html = drawn[key] = render_to_string(template, context(), request)
        # Our own templates' output, as the {% cache %} tag would give it back.
        fragments[name] = mark_safe(html)  # noqa: S308  # nosec B703 B308
    return fragments, drawn


@dataclass(frozen=True)
class Chronology:
    """The chronology as shown: its entries, and how many events are left out before them."""

    entries: list[Any]
    hidden_events: frozenset[int]

    @property
    def hidden(self) -> int:
        return len(self.hidden_events)


def chronology_of(
    events: Sequence[Any], extra: list[ChronologyEntry], limit: int | None
) -> Chronology:
    """Events and contributed entries by time (at the same instant the events first); with a
    ``limit``, the latest ``limit`` events and the entries from the first of them on."""
    hidden: frozenset[int] = frozenset()
    if limit is not None and len(events) > limit:
        by_time = sorted(events, key=lambda e: (e.occurred_at, e.pk))
        cut = by_time[-limit].occurred_at
        hidden = frozenset(e.pk for e in by_time[:-limit])
        events = by_time[-limit:]
        extra = [entry for entry in extra if entry.occurred_at >= cut]
    merged: list[Any] = [*events, *extra]
    merged.sort(key=lambda item: item.occurred_at)
    return Chronology(merged, hidden)


@login_required
def incident_detail(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, annotations=_incident_annotations())
    now = timezone.now()
    # Annotations of the incident's query (_incident_annotations).
    event_count: int = incident.page_events  # type: ignore[attr-defined]
    newest_event: int | None = incident.page_newest_event  # type: ignore[attr-defined]
    # The catalogue's generation and the events' summary in one round trip to the cache; the
    # fragments and rows in another, once their keys are known.
    summary_key = fragment_key("event-summary", [incident.pk, event_count, newest_event])
    found = cache.get_many([CATALOGUE_GENERATION_KEY, summary_key])
    generation = found.get(CATALOGUE_GENERATION_KEY) or catalogue_generation()
    rows = read_rows(incident, generation)
    entities, revisions, deadlines, filings = (
        rows.entities,
        rows.revisions,
        rows.deadlines,
        rows.filings,
    )

    @memoize
    def events() -> list[EventRow]:
        """Read only when a fragment that shows them is drawn afresh."""
        return read_events(incident.pk, entities)

    to_cache: dict[str, Any] = {}
    shown_events = events_state(event_count, newest_event, entities)
    summary = _event_summary(found.get(summary_key), events, to_cache, summary_key)
    show_all = request.GET.get(SHOW_ALL_PARAM) == "all"
    limit = None if show_all or event_count <= CHRONOLOGY_LIMIT else CHRONOLOGY_LIMIT

    for deadline in deadlines:
        deadline.css = deadline_css(deadline, now)  # type: ignore[attr-defined]
    for entity in entities:
        mine = [d for d in deadlines if d.legal_entity_id == entity.pk]
        open_ones = [d for d in mine if d.status == DeadlineStatus.OPEN]
        entity.open_deadlines = open_ones  # type: ignore[attr-defined]
        entity.overdue = [d for d in open_ones if d.due_at and d.due_at < now]  # type: ignore[attr-defined]
    span = request.GET.get("span", "focus")
    window = summary.focus_window() if span == "focus" else None
    active = [d for d in deadlines if d.status != DeadlineStatus.SUPERSEDED]
    can_record = has_right(request.user, Action.RECORD)
    can_mark_na = has_right(request.user, Action.MARK_NOT_APPLICABLE)
    extra_chronology = chronology_entries(request, incident)
    notes = deadline_notes(request, incident=incident, deadlines=active, revisions=revisions)
    for deadline in active:
        deadline.notes = notes.get(deadline.pk, [])  # type: ignore[attr-defined]
    chronology = SimpleLazyObject(lambda: chronology_of(events(), extra_chronology, limit))
    facts = applicability_facts(incident, entities, revisions, filings)
    deadline_rows = _deadline_rows(request, incident, active, generation, can_record, can_mark_na)
    filing_rows = _filing_rows(request, incident, filings, can_record)
    event_rows = CachedRows(request, "event-row", (incident.reference, can_record))
    if events.cache_info().currsize:
        # Read already for the summary (not cached: the events changed, the usual reason the
        # chronology is drawn afresh): their rows come with the fragments.
        _want_events(event_rows, incident, chronology, can_record)

    def chronology_context() -> dict[str, Any]:
        if not event_rows.keys():
            # The chronology drawn while the summary was cached (another language, zone or
            # rights, or "show all"): its rows in a round trip of their own.
            _want_events(event_rows, incident, chronology, can_record)
            cached.update(event_rows.fetch())
        items = iter(event_rows.rows(cached))
        entries = [
            ChronologyItem(f"\n    {next(items)[0]}") if isinstance(entry, EventRow) else entry
            for entry in chronology.entries
        ]
        return {
            "chronology": Chronology(entries, chronology.hidden_events),
            "incident": incident,
            "can_record": can_record,
        }

    wanted: dict[str, tuple[str, str, Callable[[], dict[str, Any]]]] = {
        "applicability": (
            fragment_key("applicability", [generation, *(item.state for item in facts)]),
            "incidents/_incident_applicability.html",
            lambda: {"applicability": overview_of(facts)},
        ),
        "timeline": (
            timeline_key(shown_events, deadlines, now, window, limit),
            "incidents/_incident_timeline.html",
            lambda: {
                "chart": build_timeline(
                    events(), deadlines, now, window, hidden_events=chronology.hidden_events
                )
            },
        ),
        "chronology": (
            chronology_key(incident.reference, shown_events, can_record, extra_chronology, limit),
            "incidents/_incident_chronology.html",
            chronology_context,
        ),
    }
    cached = cache.get_many(
        [
            *(key for key, _template, _context in wanted.values()),
            *deadline_rows.keys(),
            *filing_rows.keys(),
            *event_rows.keys(),
        ]
    )
    fragments, drawn = _fragments(request, wanted, cached)
    live = Countdowns(now)
    deadline_html = [
        fill(
            parts,
            [d.css, live.html(d.due_at)]  # type: ignore[attr-defined]
            if d.status == DeadlineStatus.OPEN
            else [d.css],  # type: ignore[attr-defined]
        )
        for d, parts in zip(active, deadline_rows.rows(cached), strict=True)
    ]
    filing_html = [fill(parts, []) for parts in filing_rows.rows(cached)]
    for batch in (drawn, deadline_rows.drawn, filing_rows.drawn, event_rows.drawn):
        to_cache.update(batch)
    if to_cache:
        cache.set_many(to_cache, FRAGMENT_TTL)
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "now": now,
            "entities": entities,
            "counts": build_count_series(revisions),
            # Cached, keyed by what they show; drawn only when missing (_fragments).
            "fragments": fragments,
            "chronology_hidden": event_count - limit if limit is not None else 0,
            "chronology_all_url": _show_all_url(request),
            "event_count": event_count,
            "deadlines": active,
            # Each row cached, keyed by what it shows; the colour and countdown filled in here.
            "deadline_rows": deadline_html,
            "superseded_deadlines": [d for d in deadlines if d.status == DeadlineStatus.SUPERSEDED],
            "filings": filings,
            "filing_rows": filing_html,
            "span": "focus" if window else "all",
            "can_focus": summary.first_awareness is not None,
            # The team itself is on its own page; this page names the owner only (the query
            # bound: incident_for already joined the owner).
            "owner": incident.owner,
            "last_status_change": summary.last_status_change,
            "can_record": can_record,
            "can_mark_na": can_mark_na,
            "can_export": has_right(request.user, Action.EXPORT),
            "can_audit": has_right(request.user, Action.AUDIT),
            "extra_sections": page_sections("incident", request, incident=incident),
        },
    )


def _deadline_rows(
    request: HttpRequest,
    incident: Incident,
    active: list[Deadline],
    generation: str,
    can_record: bool,
    can_mark_na: bool,
) -> CachedRows:
    """The deadline rows' keys: each row's state, with what every row shows besides (the
    reference in its links, the rights that show its actions, the catalogue's generation)."""
    rows = CachedRows(
        request, "deadline-row", (incident.reference, can_record, can_mark_na, generation)
    )
    context = {"incident": incident, "can_record": can_record, "can_mark_na": can_mark_na}
    rows.want(
        [deadline_row_state(d) for d in active],
        DEADLINE_ROW,
        [partial(dict, context, d=d) for d in active],
        # The colour; an open deadline's countdown too.
        slots=[2 if d.status == DeadlineStatus.OPEN else 1 for d in active],
    )
    return rows


def _filing_rows(
    request: HttpRequest, incident: Incident, filings: list[Filing], can_record: bool
) -> CachedRows:
    rows = CachedRows(request, "filing-row", (incident.reference, can_record))
    context = {"incident": incident, "can_record": can_record}
    rows.want(
        [filing_row_state(f) for f in filings],
        FILING_ROW,
        [partial(dict, context, f=f) for f in filings],
    )
    return rows


def _want_events(rows: CachedRows, incident: Incident, chronology: Any, can_record: bool) -> None:
    """The chronology's events' rows, each keyed by its state and whether the event it corrects
    is left out of the chronology (its link then shows the whole chronology)."""
    shown = [entry for entry in chronology.entries if isinstance(entry, EventRow)]
    hidden = chronology.hidden_events
    flags = [e.supersedes_id is not None and e.supersedes_id in hidden for e in shown]
    context = {"incident": incident, "can_record": can_record}
    rows.want(
        [(*e.state(), flag) for e, flag in zip(shown, flags, strict=True)],
        EVENT_ROW,
        [
            partial(dict, context, e=e, supersedes_hidden=flag)
            for e, flag in zip(shown, flags, strict=True)
        ],
    )


@login_required
def deadline_explanation(request: HttpRequest, reference: str, deadline_id: int) -> HttpResponse:
    """Why a deadline is due when it is: its explanation and applicability reasons, as a page,
    or with ``?fragment=1`` alone (what the incident page loads into its folded explanation)."""
    incident = incident_for(request.user, reference=reference)
    deadline = get_object_or_404(
        Deadline.objects.select_related("legal_entity", "obligation", "regulator"),
        pk=deadline_id,
        incident=incident,
    )
    template = (
        "incidents/_deadline_explanation.html"
        if request.GET.get("fragment") == "1"
        else "incidents/deadline_explanation.html"
    )
    return render(request, template, {"incident": incident, "d": deadline})


def _show_all_url(request: HttpRequest) -> str:
    params = request.GET.copy()
    params[SHOW_ALL_PARAM] = "all"
    return f"?{urlencode(sorted(params.items()))}#chronology-h"
