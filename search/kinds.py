"""The searchable kinds. Correspondence and tasks (issue #16) will be one ``register`` each."""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from incidents.models import Deadline, DeadlineStatus, EventKind, Filing, Incident, TimelineEvent
from search.registry import SearchKind, register


def _incident_url(incident: Incident) -> str:
    return reverse("incident_detail", args=[incident.reference])


def _incident_has_regulator(qs: QuerySet[Any], code: str) -> QuerySet[Any]:
    deadlines = Deadline.objects.filter(incident=OuterRef("pk"), regulator__code=code).exclude(
        status=DeadlineStatus.SUPERSEDED
    )
    return qs.filter(Exists(deadlines))


register(
    SearchKind(
        key="incident",
        label=_("incident"),
        model=Incident,
        text_fields=("reference", "title", "summary", "team"),
        date_field="created_at",
        incident_path="",
        title=lambda i: f"{i.reference} · {i.title}",
        url=_incident_url,
        regulator=_incident_has_regulator,
    )
)
register(
    SearchKind(
        key="event",
        label=_("timeline event"),
        model=TimelineEvent,
        text_fields=("title", "description", "source_title"),
        date_field="occurred_at",
        incident_path="incident",
        title=lambda e: e.title,
        url=lambda e: f"{_incident_url(e.incident)}#event-{e.pk}",
        base=lambda qs: qs.exclude(kind=EventKind.REGULATOR_REQUEST),
        select_related=("incident",),
    )
)
register(
    SearchKind(
        key="filing",
        label=_("filing"),
        model=Filing,
        text_fields=("recipient", "channel", "reference_number", "acknowledgement", "notes"),
        date_field="submitted_at",
        incident_path="incident",
        title=lambda f: f.recipient,
        url=lambda f: f"{_incident_url(f.incident)}#filing-{f.pk}",
        regulator=lambda qs, code: qs.filter(regulator__code=code),
        select_related=("incident",),
    )
)
register(
    SearchKind(
        key="request",
        label=_("regulator request"),
        model=TimelineEvent,
        text_fields=("title", "description", "source_title"),
        date_field="occurred_at",
        incident_path="incident",
        title=lambda e: e.title,
        url=lambda e: f"{_incident_url(e.incident)}#event-{e.pk}",
        base=lambda qs: qs.filter(kind=EventKind.REGULATOR_REQUEST),
        # The request form stores the regulator's code in the event's details.
        regulator=lambda qs, code: qs.filter(data__regulator=code),
        select_related=("incident",),
    )
)
