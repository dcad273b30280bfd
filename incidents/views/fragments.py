"""Cache keys for rendered page fragments, made of what the fragment shows.

A fragment (the incident page's chronology, its SVG timeline, its "which laws apply" overview) is
cached under a hash of every value it displays plus the viewer's language, time zone and rights.
A change to any shown value gives another key, so a change shows on the next request without any
invalidation code to forget; the old entry simply expires. Where the rows are many and cannot
change (timeline events), the key holds their number and newest id instead of their values
(``events_state``), so that a cached fragment is served without reading the rows at all.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language

from incidents.models import Deadline, LegalEntity
from incidents.sections import ChronologyEntry

# Long enough to serve every view of an incident in a working day; entries are small.
FRAGMENT_TTL = 6 * 3600


def fragment_key(name: str, parts: Iterable[Any]) -> str:
    digest = hashlib.sha1(usedforsecurity=False)
    digest.update(f"{name}|{get_language()}|{timezone.get_current_timezone_name()}".encode())
    for part in parts:
        digest.update(repr(part).encode())
        digest.update(b"\x1f")
    return f"{name}:{digest.hexdigest()}"


def deadline_state(deadline: Deadline, css: str) -> tuple[Any, ...]:
    """Every value of a deadline the timeline shows (its mark, colour, label and lane)."""
    regulator = deadline.regulator
    obligation = deadline.obligation
    return (
        deadline.pk,
        deadline.due_at,
        deadline.status,
        css,
        deadline.title,
        deadline.legal_entity.name,
        (regulator.pk, regulator.name_en, regulator.name_ko) if regulator else None,
        (obligation.pk, obligation.title_en, obligation.title_ko) if obligation else None,
    )


def events_state(
    count: int, newest: int | None, entities: Sequence[LegalEntity]
) -> tuple[Any, ...]:
    """What the chronology and the timeline show of an incident's events, without reading them.

    Events are append-only (a correction is a new event that supersedes the old one, and the
    admin site cannot change or delete one), so their number and the newest id change with every
    event recorded, and nothing else about them changes but the name of their legal entity, which
    the page reads anyway. Recorded by a bulk import, events get new ids too.
    """
    return (count, newest, tuple((entity.pk, entity.name) for entity in entities))


def chronology_key(
    reference: str,
    events: tuple[Any, ...],
    can_record: bool,
    extra: Sequence[ChronologyEntry] = (),
    shown: int | None = None,
) -> str:
    """Keyed by the events' state (``events_state``), every contributed entry's own key and how
    many events are shown (None: all); an entry without a key makes the key unique (object id),
    i.e. the fragment is rendered afresh."""
    contributed = [(e.occurred_at, e.template, e.cache_key or f"uncached:{id(e)}") for e in extra]
    return fragment_key("chronology", [reference, can_record, events, shown, *contributed])


def timeline_key(
    events: tuple[Any, ...],
    deadlines: Sequence[Deadline],
    now: datetime,
    window: tuple[datetime, datetime] | None,
    shown: int | None = None,
) -> str:
    """The SVG also depends on now (its "now" line and the colours of open deadlines): the key
    holds the minute, and each deadline's colour; and on how many events the chronology shows
    (a mark links to its event there, or to the whole chronology)."""
    return fragment_key(
        "timeline",
        [
            now.replace(second=0, microsecond=0),
            window,
            events,
            shown,
            *(deadline_state(d, getattr(d, "css", "")) for d in deadlines),
        ],
    )
