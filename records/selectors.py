"""Reads with need-to-know: every one starts from an incident the user may see
(``incidents.permissions.incident_for``), and each list is a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import CharField, Count, Q, QuerySet, Value
from django.http import Http404
from django.utils.translation import gettext as _

from common.roles import Action
from incidents.models import Incident
from incidents.permissions import incident_for
from incidents.templatetags.clock import is_korean
from records.models import Correspondence, CustodyAction, CustodyEntry, Evidence

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser, User

EVIDENCE_RELATED = (
    "event",
    "filing",
    "action_item",
    "correspondence__regulator",
    "uploaded_by",
)


def correspondence_of(incident: Incident) -> list[Correspondence]:
    """The incident's correspondence with counterpart and links (``linked_events``,
    ``linked_filings``, ``linked_deadlines``): two queries when it has any, one otherwise; the
    attachments come from ``evidence_of``, already read for the evidence section."""
    items = list(
        Correspondence.objects.filter(incident=incident)
        .select_related("regulator", "recorded_by")
        .order_by("occurred_at", "id")
    )
    links = correspondence_links(incident) if items else {}
    for item in items:
        mine = links.get(item.pk, {})
        item.linked_events = mine.get("event", [])  # type: ignore[attr-defined]
        item.linked_filings = mine.get("filing", [])  # type: ignore[attr-defined]
        item.linked_deadlines = mine.get("deadline", [])  # type: ignore[attr-defined]
    return items


@dataclass(frozen=True)
class Linked:
    """What a letter's "Concerns" line shows of a linked event, filing or deadline."""

    pk: int
    # The event's title, the filing's recipient, or the deadline's own title.
    text: str
    # A deadline's obligation titles (None for an ad hoc deadline, an event or a filing).
    title_en: str | None = None
    title_ko: str | None = None

    @property
    def label(self) -> str:
        """The text in the current language (a deadline: its obligation's title, as
        ``deadline_title`` shows it)."""
        if self.title_en is not None:
            return (self.title_ko or self.title_en) if is_korean() else self.title_en
        return self.text


def correspondence_links(incident: Incident) -> dict[int, dict[str, list[Linked]]]:
    """Every link of the incident's correspondence, per letter and kind (``event``, ``filing``,
    ``deadline``), each kind in its own order: one query (a union of the three link tables)."""
    text = CharField()
    none = Value(None, output_field=text)

    def kind(name: str) -> Value:
        return Value(name, output_field=text)

    mine = {"correspondence__incident": incident}
    events = Correspondence.events.through.objects.filter(**mine).values_list(
        "correspondence_id",
        kind("event"),
        "timelineevent_id",
        "timelineevent__occurred_at",
        "timelineevent__title",
        none,
        none,
    )
    filings = Correspondence.filings.through.objects.filter(**mine).values_list(
        "correspondence_id",
        kind("filing"),
        "filing_id",
        "filing__submitted_at",
        "filing__recipient",
        none,
        none,
    )
    deadlines = Correspondence.deadlines.through.objects.filter(**mine).values_list(
        "correspondence_id",
        kind("deadline"),
        "deadline_id",
        "deadline__due_at",
        "deadline__title",
        "deadline__obligation__title_en",
        "deadline__obligation__title_ko",
    )
    rows = list(events.union(filings, deadlines, all=True))
    found: dict[int, dict[str, list[Linked]]] = defaultdict(lambda: defaultdict(list))
    for corr_id, what, pk, _at, label, title_en, title_ko in sorted(rows, key=_link_order):
        found[corr_id][what].append(Linked(pk, label or "", title_en, title_ko))
    return found


def _link_order(row: tuple[Any, ...]) -> tuple[Any, ...]:
    """Each kind in its model's order: by occurrence, submission or due time ("without delay"
    last), then id."""
    at = row[3]
    return (row[1], at is None, at.timestamp() if at is not None else 0.0, row[2])


def evidence_of(incident: Incident) -> QuerySet[Evidence]:
    return (
        Evidence.objects.filter(incident=incident)
        .select_related(*EVIDENCE_RELATED)
        .order_by("uploaded_at", "id")
    )


def evidence_for(
    user: User | AnonymousUser, evidence_id: int, *, action: Action = Action.VIEW
) -> Evidence:
    """The evidence item, if its incident is visible to ``user`` (else 404) and the role has
    ``action`` (else 403)."""
    evidence = Evidence.objects.select_related(*EVIDENCE_RELATED).filter(pk=evidence_id).first()
    if evidence is None:
        raise Http404(_("No such evidence item."))
    evidence.incident = incident_for(user, pk=evidence.incident_id, action=action)
    return evidence


def correspondence_for(
    user: User | AnonymousUser, correspondence_id: int, *, action: Action = Action.VIEW
) -> Correspondence:
    corr = correspondence_of_id(correspondence_id)
    if corr is None:
        raise Http404(_("No such correspondence."))
    corr.incident = incident_for(user, pk=corr.incident_id, action=action)
    return corr


def correspondence_of_id(correspondence_id: int) -> Correspondence | None:
    return (
        Correspondence.objects.select_related("regulator", "recorded_by")
        .filter(pk=correspondence_id)
        .first()
    )


def custody_of(evidence: Evidence) -> QuerySet[CustodyEntry]:
    return CustodyEntry.objects.filter(evidence=evidence).order_by("at", "id")


def with_custody_counts(queryset: QuerySet[Evidence]) -> QuerySet[Evidence]:
    """Each item annotated with ``custody_<action>`` counts (one query for the whole list)."""
    return queryset.annotate(
        **{
            f"custody_{action}": Count("custody", filter=Q(custody__action=action))
            for action in CustodyAction
        }
    )
