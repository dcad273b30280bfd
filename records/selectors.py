"""Reads with need-to-know: every one starts from an incident the user may see
(``incidents.permissions.incident_for``), and each list is a fixed number of queries."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from common.roles import Action
from incidents.models import Deadline, Incident
from incidents.permissions import incident_for
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


def correspondence_of(incident: Incident) -> QuerySet[Correspondence]:
    """The incident's correspondence with counterpart and links (four queries when it has any;
    the attachments come from ``evidence_of``, already read for the evidence section)."""
    return (
        Correspondence.objects.filter(incident=incident)
        .select_related("regulator", "recorded_by")
        .prefetch_related(
            "events",
            "filings",
            Prefetch("deadlines", queryset=Deadline.objects.select_related("obligation")),
        )
        .order_by("occurred_at", "id")
    )


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
