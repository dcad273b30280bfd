"""Page sections contributed by apps above ``incidents`` (action items, notification campaigns,
correspondence, evidence), without ``incidents`` importing them.

The incident page and the dashboard send ``incidents.signals.page_sections_requested`` with
``page=`` (``"incident"`` or ``"dashboard"``), ``request=``, ``user=`` and, on the incident page,
``incident=`` (already checked for need-to-know), on the dashboard ``visible_ids=`` (the
user's ``visible_incident_ids``, None for an admin, read once for the page). A receiver returns a ``PageSection`` or a list
of them, or ``None`` when it has nothing to show; the page renders them in ``order`` after its
own panels, each with ``{% include section.template with section=section %}``.

Each receiver must keep the page's query bound: a fixed number of queries however many rows it
shows (tests count them per page). Before it reads the incident, the incident page also sends
``page_annotations_requested``: a receiver may add annotations to the incident's query (e.g.
whether there is any evidence at all) and skip its own reads when there is nothing to show.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from django.http import HttpRequest

from incidents.signals import (
    chronology_entries_requested,
    deadline_notes_requested,
    page_annotations_requested,
    page_sections_requested,
)


@dataclass(frozen=True)
class PageSection:
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    # Lower comes first; the built-in panels come before every contributed section.
    order: int = 100


def page_annotations(page: str) -> dict[str, Any]:
    """Annotations every connected app adds to the query that reads the page's incident, the
    same for every viewer (``page_annotations_requested``)."""
    annotations: dict[str, Any] = {}
    for _receiver, answer in page_annotations_requested.send(sender=page, page=page):
        if isinstance(answer, dict):
            annotations.update(answer)
    return annotations


def section_has(incident: Any, annotation: str) -> bool:
    """Whether a section's annotation (``page_annotations``) says there is something to read; a
    missing annotation (the incident was read without them) means "read to find out"."""
    return bool(getattr(incident, annotation, True))


def page_sections(page: str, request: HttpRequest, **kwargs: Any) -> list[PageSection]:
    """The sections every connected app contributes to ``page``, in order."""
    sections: list[PageSection] = []
    for _receiver, answer in page_sections_requested.send(
        sender=page, page=page, request=request, user=request.user, **kwargs
    ):
        if answer is None:
            continue
        if isinstance(answer, PageSection):
            sections.append(answer)
        elif isinstance(answer, Iterable):
            sections.extend(item for item in answer if isinstance(item, PageSection))
    return sorted(sections, key=lambda section: (section.order, section.template))


@dataclass(frozen=True)
class ChronologyEntry:
    """An entry another app adds to the incident's chronology (e.g. a letter from a regulator),
    rendered by ``template`` with ``entry`` in its context, among the timeline events."""

    occurred_at: datetime
    template: str
    context: dict[str, Any] = field(default_factory=dict)
    # What the entry shows, for the cached chronology's key (e.g. the row's id and last change).
    # Left empty, the chronology is not reused from the cache while the entry is there.
    cache_key: str = ""


def chronology_entries(request: HttpRequest, incident: Any) -> list[ChronologyEntry]:
    """Every connected app's chronology entries for ``incident`` (already checked for
    need-to-know). Same query rule as the sections: a fixed number per receiver."""
    entries: list[ChronologyEntry] = []
    for _receiver, answer in chronology_entries_requested.send(
        sender="incident", request=request, user=request.user, incident=incident
    ):
        if isinstance(answer, Iterable):
            entries.extend(item for item in answer if isinstance(item, ChronologyEntry))
    return entries


def merged_chronology(events: list[Any], extra: list[ChronologyEntry]) -> list[Any]:
    """Events and contributed entries by time; at the same instant the events come first."""
    return sorted([*events, *extra], key=lambda item: item.occurred_at)


@dataclass(frozen=True)
class DeadlineNote:
    """A short note beside one deadline row, e.g. "412 of 1,000 notified" with a bar."""

    text: str
    # 0-100 draws a progress bar named by ``label``; None draws none.
    percent: int | None = None
    label: str = ""
    href: str = ""


def deadline_notes(
    request: HttpRequest,
    *,
    incident: Any,
    deadlines: Iterable[Any],
    revisions: Iterable[Any] | None = None,
) -> dict[int, list[DeadlineNote]]:
    """Notes from every connected app, keyed by deadline id (``deadline_notes_requested``).
    ``revisions`` are the incident's count revisions when the page has read them already."""
    notes: dict[int, list[DeadlineNote]] = defaultdict(list)
    for _receiver, answer in deadline_notes_requested.send(
        sender="incident",
        request=request,
        user=request.user,
        incident=incident,
        deadlines=list(deadlines),
        revisions=None if revisions is None else list(revisions),
    ):
        if not isinstance(answer, dict):
            continue
        for pk, items in answer.items():
            notes[pk].extend(item for item in items if isinstance(item, DeadlineNote))
    return dict(notes)
