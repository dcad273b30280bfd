"""The incident page's table rows and chronology items, each cached as rendered HTML.

Each deadline row, filing row and chronology event is drawn by its own template and cached
under a hash of every value it shows (``*_state``), with the viewer's language, time zone and
rights, the incident's reference (its links) and, for deadlines, the catalogue's generation: a
change to any of them gives another key, so it shows on the next request, and the old entry
simply expires (incidents/views/fragments.py).

What a deadline row shows of now (its colour and an open deadline's live countdown) is left as
*slots* in the cached copy and filled on each request (``fill``), so that an open row is not drawn
again every minute. A slot is marked while the row is rendered by a random token, which no shown
value can hold, and the row is stored cut at the marks (a tuple of strings).

The events are read as plain values (``read_events``: no model instances, no joins but the
recorder's name) with the attribute names of ``TimelineEvent`` that the templates, the SVG
timeline and the events' summary use. A correction is a new event naming the one it corrects
(``supersedes``, in the same incident: incidents/services.py), so which events are superseded is
known from the incident's own events.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Any

from django.core.cache import cache
from django.db.models import F
from django.http import HttpRequest
from django.template.loader import render_to_string
from django.utils.safestring import SafeString, mark_safe

from common.compiled import CompiledValues
from incidents.labels import label_of
from incidents.models import Deadline, Filing, LegalEntity, TimelineEvent
from incidents.templatetags.clock import deadline_title
from incidents.views.rows import shown_keys

DEADLINE_ROW = "incidents/_incident_deadline_row.html"
FILING_ROW = "incidents/_incident_filing_row.html"
EVENT_ROW = "incidents/_incident_event.html"

# Shown on demand only (deadline_explanation), and deferred by the page's deadline query.
_DEADLINE_FIELDS = tuple(
    field.attname
    for field in Deadline._meta.concrete_fields
    if field.attname not in ("explanation", "applicability_reasons")
)
_FILING_FIELDS = tuple(field.attname for field in Filing._meta.concrete_fields)


def deadline_row_state(deadline: Any) -> tuple[Any, ...]:
    """Every value a deadline row shows: all its columns the page reads (so that a column shown
    later cannot be forgotten here), its annotations, alternatives and notes, and the names of
    its entity, count revision, regulator and obligation."""
    revision = deadline.trigger_revision if deadline.trigger_revision_id is not None else None
    regulator = deadline.regulator if deadline.regulator_id is not None else None
    obligation = deadline.obligation if deadline.obligation_id is not None else None
    return (
        tuple(getattr(deadline, name) for name in _DEADLINE_FIELDS),
        deadline.trigger_basis,
        deadline.not_applicable_by_name,
        tuple(deadline.alternative_list),
        deadline.legal_entity.name,
        (revision.pk, revision.jurisdiction, revision.count) if revision is not None else None,
        (regulator.pk, regulator.name_en, regulator.name_ko) if regulator is not None else None,
        (
            obligation.pk,
            obligation.title_en,
            obligation.title_ko,
            obligation.citation,
            obligation.reference_tz,
        )
        if obligation is not None
        else None,
        # Notes' texts may be lazy translations: their text, not the object, goes in the key.
        tuple((str(n.text), n.percent, str(n.label), str(n.href)) for n in deadline.notes),
    )


def filing_row_state(filing: Any) -> tuple[Any, ...]:
    """Every value a filing row shows: its columns, its documents and the title of the deadline
    it answers (in the viewer's language, which is in the key anyway)."""
    return (
        tuple(getattr(filing, name) for name in _FILING_FIELDS),
        tuple(filing.document_list),
        deadline_title(filing.deadline) if filing.deadline_id is not None else None,
    )


class EventRow:
    """An event as the chronology, the SVG timeline and the summary show it (``read_events``)."""

    # Not an entry contributed by another app (those name their template).
    template = ""

    def __init__(self, values: dict[str, Any], entity: LegalEntity | None) -> None:
        self.pk = self.id = values["id"]
        self.kind = values["kind"]
        self.occurred_at: datetime = values["occurred_at"]
        self.precision = values["precision"]
        self.entered_tz = values["entered_tz"]
        self.legal_entity_id = values["legal_entity_id"]
        self.legal_entity = entity
        self.title = values["title"]
        self.description = values["description"]
        self.source_title = values["source_title"]
        self.source_url = values["source_url"]
        self.confidence = values["confidence"]
        self.basis = values["basis"]
        self.data = values["data"]
        self.supersedes_id = values["supersedes_id"]
        self.correction_reason = values["correction_reason"]
        self.recorded_by = (
            _Recorder(values["recorded_by_name"]) if values["recorded_by_id"] else None
        )
        # Set by ``read_events`` from the events that name this one.
        self.superseded_by_id: int | None = None

    @property
    def is_superseded(self) -> bool:
        return self.superseded_by_id is not None

    @property
    def supersedes(self) -> _Ref | None:
        return _Ref(self.supersedes_id) if self.supersedes_id is not None else None

    @property
    def superseded_by(self) -> _Ref | None:
        return _Ref(self.superseded_by_id) if self.superseded_by_id is not None else None

    def get_kind_display(self) -> Any:
        return label_of(TimelineEvent, "kind", self.kind)

    def get_confidence_display(self) -> Any:
        return label_of(TimelineEvent, "confidence", self.confidence)

    def state(self) -> tuple[Any, ...]:
        """Every value the event's chronology item shows (with ``supersedes_hidden``)."""
        entity = self.legal_entity
        return (
            self.pk,
            self.kind,
            self.occurred_at,
            self.precision,
            self.entered_tz,
            entity.name if entity is not None else None,
            self.title,
            self.description,
            self.source_title,
            self.source_url,
            self.confidence,
            self.basis,
            self.supersedes_id,
            self.correction_reason,
            self.superseded_by_id,
        )


class _Ref:
    """Another event, as far as a chronology item names it (its anchor)."""

    def __init__(self, pk: int) -> None:
        self.pk = pk


class _Recorder:
    """Who recorded an event, as the summary names them."""

    def __init__(self, username: str) -> None:
        self.username = username

    def get_username(self) -> str:
        return self.username


_EVENT_VALUES = (
    "id",
    "kind",
    "occurred_at",
    "precision",
    "entered_tz",
    "legal_entity_id",
    "title",
    "description",
    "source_title",
    "source_url",
    "confidence",
    "basis",
    "data",
    "supersedes_id",
    "correction_reason",
    "recorded_by_id",
)
_EVENTS = CompiledValues(
    lambda incident_id: (
        TimelineEvent.objects.filter(incident_id=incident_id)
        .order_by("occurred_at", "id")
        .values(*_EVENT_VALUES, recorded_by_name=F("recorded_by__username"))
    ),
    prepared=True,
)


def read_events(incident_id: int, entities: Sequence[LegalEntity]) -> list[EventRow]:
    """The incident's events by time, each with its legal entity from the page's ``entities``
    (an event's entity is one of its incident's: incidents/services.py)."""
    by_entity = {entity.pk: entity for entity in entities}
    events = []
    for values in _EVENTS.rows(incident_id=incident_id):
        entity_id = values["legal_entity_id"]
        entity = None
        if entity_id is not None:
            # Never guessed: an entity not among the page's is read (it cannot be, see above).
            entity = by_entity.get(entity_id) or LegalEntity.objects.get(pk=entity_id)
        events.append(EventRow(values, entity))
    by_pk = {event.pk: event for event in events}
    for event in events:
        corrected = by_pk.get(event.supersedes_id) if event.supersedes_id is not None else None
        if corrected is not None:
            corrected.superseded_by_id = event.pk
    return events


class CachedRows:
    """Rows wanted by one page: ``want`` each, put their ``keys`` in the ``get_many`` of the
    page's fragments (or ``fetch`` them alone), then ``rows`` (from the cache or drawn; ``drawn``
    to be stored)."""

    def __init__(self, request: HttpRequest, name: str, page: tuple[Any, ...]) -> None:
        """``page``: what every row of ``name`` shows besides its own state (rights, links)."""
        self._request = request
        self._name = name
        self._page = page
        self._wanted: list[tuple[str, str, Callable[[], dict[str, Any]], int]] = []
        self.drawn: dict[str, tuple[str, ...]] = {}

    def want(
        self,
        states: Sequence[tuple[Any, ...]],
        template: str,
        contexts: Sequence[Callable[[], dict[str, Any]]],
        slots: Sequence[int] | None = None,
    ) -> None:
        keys = shown_keys(self._name, ((self._page, state) for state in states))
        for index, (key, context) in enumerate(zip(keys, contexts, strict=True)):
            self._wanted.append((key, template, context, slots[index] if slots else 0))

    def keys(self) -> list[str]:
        return [key for key, _template, _context, _slots in self._wanted]

    def rows(self, found: dict[str, Any]) -> list[tuple[str, ...]]:
        """Each wanted row cut at its slots, from ``found`` (a ``get_many`` answer) or drawn."""
        out = []
        for key, template, context, slots in self._wanted:
            parts = found.get(key)
            if not (
                isinstance(parts, tuple)
                and len(parts) == slots + 1
                and all(isinstance(part, str) for part in parts)
            ):
                parts = self.drawn[key] = _draw(template, context(), slots, self._request)
            out.append(parts)
        return out

    def fetch(self) -> dict[str, Any]:
        """The rows from the cache in a round trip of their own (when not fetched with the
        page's fragments)."""
        return cache.get_many(self.keys()) if self._wanted else {}


def _draw(
    template: str, context: dict[str, Any], slots: int, request: HttpRequest
) -> tuple[str, ...]:
    # Random: no value the row shows can hold it, so the row is cut at its slots only.
    mark = f"slot-{secrets.token_hex(16)}"
    # Without the template file's line breaks around the row: the page puts each row where its
    # loop did.
    html = render_to_string(template, {**context, "slot": mark}, request).strip()
    parts = tuple(html.split(mark))
    if len(parts) != slots + 1:
        raise ValueError(f"{template} gave {len(parts) - 1} slots, not {slots}")
    return parts


class ChronologyItem(SafeString):
    """An event's chronology item as HTML, among the entries other apps contribute (those name
    their template; _incident_chronology.html includes them)."""

    template = ""


def fill(parts: tuple[str, ...], live: Sequence[str]) -> SafeString:
    """A row's HTML: its cached parts with the live values (escaped HTML) in its slots."""
    out = [parts[0]]
    for value, part in zip(live, parts[1:], strict=True):
        out += [value, part]
    # Our templates' auto-escaped output, and values given as escaped HTML.
    return mark_safe("".join(out))  # noqa: S308  # nosec B308 B703
