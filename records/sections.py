"""What records adds to the incident page: a "Correspondence" section (one thread per regulator
or authority), an "Evidence" section, and one chronology entry per letter, call or meeting.

Connected in RecordsConfig.ready(). The correspondence is read once per request and shared by
the section and the chronology (cached on the request), so the page's query count stays flat:
one query for the evidence and one to four for the correspondence and its links, whatever
their number; none for what the incident has none of (the ``records_evidence`` and
``records_correspondence`` annotations this app adds to the page's incident query say so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef
from django.http import HttpRequest

from common.roles import Action, has_right
from incidents.models import Incident
from incidents.sections import ChronologyEntry, PageSection, section_has
from records.models import Correspondence, Evidence
from records.selectors import correspondence_of, evidence_of

_CACHE_ATTR = "_records_correspondence"


@dataclass
class Thread:
    """All correspondence with one counterpart, oldest first."""

    key: str
    regulator: Any
    authority: str
    items: list[Correspondence] = field(default_factory=list)

    @property
    def incoming(self) -> int:
        return sum(1 for item in self.items if item.direction == "in")

    @property
    def outgoing(self) -> int:
        return len(self.items) - self.incoming


def _records(request: HttpRequest, incident: Incident) -> tuple[list[Correspondence], list[Any]]:
    """The incident's correspondence (each with ``attachment_list``) and evidence, read once per
    request."""
    cached: dict[int, tuple[list[Correspondence], list[Any]]] = getattr(request, _CACHE_ATTR, {})
    if incident.pk not in cached:
        evidence = list(evidence_of(incident)) if section_has(incident, "records_evidence") else []
        items = (
            list(correspondence_of(incident))
            if section_has(incident, "records_correspondence")
            else []
        )
        by_letter: dict[int, list[Any]] = {}
        for item in evidence:
            if item.correspondence_id is not None:
                by_letter.setdefault(item.correspondence_id, []).append(item)
        for corr in items:
            corr.attachment_list = by_letter.get(corr.pk, [])  # type: ignore[attr-defined]
        cached[incident.pk] = (items, evidence)
        setattr(request, _CACHE_ATTR, cached)
    return cached[incident.pk]


def threads(items: list[Correspondence]) -> list[Thread]:
    """One thread per counterpart, the threads ordered by their latest item (newest first)."""
    by_key: dict[str, Thread] = {}
    for item in items:
        thread = by_key.get(item.counterpart_key)
        if thread is None:
            thread = Thread(item.counterpart_key, item.regulator, item.authority)
            by_key[item.counterpart_key] = thread
        thread.items.append(item)
    return sorted(by_key.values(), key=lambda t: t.items[-1].occurred_at, reverse=True)


def page_annotations(sender: Any, page: str, **kwargs: Any) -> dict[str, Any]:
    if page != "incident":
        return {}
    return {
        "records_evidence": Exists(Evidence.objects.filter(incident=OuterRef("pk"))),
        "records_correspondence": Exists(Correspondence.objects.filter(incident=OuterRef("pk"))),
    }


def incident_sections(
    sender: Any, page: str, request: HttpRequest, incident: Incident | None = None, **kwargs: Any
) -> list[PageSection] | None:
    if page != "incident" or incident is None:
        return None
    can_record = has_right(request.user, Action.RECORD)
    items, evidence = _records(request, incident)
    return [
        PageSection(
            template="records/_correspondence_section.html",
            context={
                "threads": threads(items),
                "can_record": can_record,
            },
            order=60,
        ),
        PageSection(
            template="records/_evidence_section.html",
            context={"evidence": evidence, "can_record": can_record},
            order=70,
        ),
    ]


def chronology_entries(
    sender: Any, request: HttpRequest, incident: Incident, **kwargs: Any
) -> list[ChronologyEntry]:
    return [
        ChronologyEntry(
            occurred_at=item.occurred_at,
            template="records/_chronology_entry.html",
            context={"item": item},
            cache_key=f"correspondence:{item.pk}:{item.updated_at.isoformat()}:{item.regulator_id}",
        )
        for item in _records(request, incident)[0]
    ]
