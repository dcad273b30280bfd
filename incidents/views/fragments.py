"""Cache keys for rendered page fragments, made of what the fragment shows.

A fragment (the incident page's chronology, its SVG timeline) is cached under a hash of every
value it displays plus the viewer's language, time zone and rights. A change to any shown value
gives another key, so a change shows on the next request without any invalidation code to forget;
the old entry simply expires. Hashing 100 rows' values costs far less than rendering them.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from django.utils import timezone
from django.utils.translation import get_language

from incidents.models import Deadline, TimelineEvent
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


def event_state(event: TimelineEvent) -> tuple[Any, ...]:
    """Every value of an event the chronology and the timeline show."""
    later = getattr(event, "superseded_by", None)
    return (
        event.pk,
        event.kind,
        event.occurred_at,
        event.precision,
        event.entered_tz,
        event.title,
        event.description,
        event.legal_entity.name if event.legal_entity_id and event.legal_entity else None,
        event.confidence,
        event.basis,
        event.source_title,
        event.source_url,
        event.supersedes_id,
        event.correction_reason,
        later.pk if later is not None else None,
    )


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


def chronology_key(
    reference: str,
    events: Sequence[TimelineEvent],
    can_record: bool,
    extra: Sequence[ChronologyEntry] = (),
) -> str:
    """Keyed by every event's state and every contributed entry's own key; an entry without a
    key makes the key unique (object id), i.e. the fragment is rendered afresh."""
    contributed = [(e.occurred_at, e.template, e.cache_key or f"uncached:{id(e)}") for e in extra]
    return fragment_key(
        "chronology", [reference, can_record, *(event_state(e) for e in events), *contributed]
    )


def timeline_key(
    events: Sequence[TimelineEvent],
    deadlines: Sequence[Deadline],
    now: datetime,
    window: tuple[datetime, datetime] | None,
) -> str:
    """The SVG also depends on now (its "now" line and the colours of open deadlines): the key
    holds the minute, and each deadline's colour."""
    return fragment_key(
        "timeline",
        [
            now.replace(second=0, microsecond=0),
            window,
            *(event_state(e) for e in events),
            *(deadline_state(d, getattr(d, "css", "")) for d in deadlines),
        ],
    )
