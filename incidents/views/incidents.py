"""The incident list (the incident page is incidents/views/incident_page.py)."""

from __future__ import annotations

from types import EllipsisType
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe

from common.roles import Action, has_right
from incidents.forms import IncidentFilterForm
from incidents.models import (
    Deadline,
    DeadlineStatus,
    Incident,
    LegalEntity,
)
from incidents.selectors import incidents_visible_to, visible_incident_ids
from incidents.views.fragments import FRAGMENT_TTL, fragment_key
from incidents.views.incident_order import FEW, UrgencyOrderedIncidents
from incidents.views.keyset import CURSOR_PARAM, keyset_page
from incidents.views.rows import FragmentBatch, shown_keys
from regulators.services import CATALOGUE_GENERATION_KEY, catalogue_generation

INCIDENT_PAGE_SIZE = 25
FILTERS_TEMPLATE = "incidents/_incident_filters.html"


def filtered_incidents(
    request: HttpRequest,
    form: IncidentFilterForm,
    ids: frozenset[int] | EllipsisType | None = ...,
) -> QuerySet[Incident]:
    """The visible incidents that match the filters (not ordered, not annotated: see
    ``UrgencyOrderedIncidents`` for the order and the per-incident figures); ``ids`` as in
    ``incidents_visible_to``."""
    now = timezone.now()
    open_deadlines = Deadline.objects.filter(incident=OuterRef("pk"), status=DeadlineStatus.OPEN)
    queryset = incidents_visible_to(request.user, ids)
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            q = data["q"]
            queryset = queryset.filter(
                Q(reference__icontains=q) | Q(title__icontains=q) | Q(summary__icontains=q)
            )
        if data["status"]:
            queryset = queryset.filter(status=data["status"])
        if data["severity"]:
            queryset = queryset.filter(severity=data["severity"])
        if data["regulator"]:
            queryset = queryset.filter(
                Exists(
                    Deadline.objects.filter(
                        incident=OuterRef("pk"), regulator__code=data["regulator"]
                    ).exclude(status=DeadlineStatus.SUPERSEDED)
                )
            )
        if data["entity"]:
            term = data["entity"]
            queryset = queryset.filter(
                Exists(
                    LegalEntity.objects.filter(incident=OuterRef("pk")).filter(
                        Q(name__icontains=term)
                        | Q(name_local__icontains=term)
                        | Q(country__iexact=term)
                    )
                )
            )
        if data["overdue"]:
            queryset = queryset.filter(Exists(open_deadlines.filter(due_at__lt=now)))
    return queryset


@login_required
def incident_list(request: HttpRequest) -> HttpResponse:
    form = IncidentFilterForm(request.GET or None)
    ids = visible_incident_ids(request.user)  # None for an admin (every incident)
    base = filtered_incidents(request, form, ids)
    # Soonest open due time first, then the newest; only the page's incidents are read in full
    # (a member's few incidents all at once).
    ordered = UrgencyOrderedIncidents(
        base,
        now=timezone.now(),
        restricted=not (ids is None and _no_filter(form)),
        few=ids is not None and len(ids) <= FEW,
    )
    # Paged by a cursor that keeps the filters in the query string (incidents/views/keyset.py).
    page, refused = keyset_page(ordered, request.GET.get(CURSOR_PARAM), INCIDENT_PAGE_SIZE)
    # The filter form and each row are fragments cached by what they show (one round trip).
    batch = FragmentBatch()
    filters_key = _filters_key(request, form)
    _want_rows(batch, page.rows)
    fragments, other = batch.fetch(also=[filters_key, CATALOGUE_GENERATION_KEY])
    for row in page.rows:
        row.row_html = fragments[row.row_key]  # type: ignore[attr-defined]
    return render(
        request,
        "incidents/incident_list.html",
        {
            "form": form,
            "filters": _filters(form, other, filters_key),
            "page": page,
            "cursor_refused": refused,
            "incidents": page.rows,
            "now": timezone.now(),
            "can_record": has_right(request.user, Action.RECORD),
        },
    )


def _filters_key(request: HttpRequest, form: IncidentFilterForm) -> str:
    """The cache key of the drawn filter form: the values asked for (and so the errors) and the
    language; the regulators it offers are checked by the catalogue generation it was drawn
    under (``_filters``). Each select option is a template of its own in Django's form
    rendering: a third of the list's time with 20 regulators, drawn afresh."""
    asked = sorted((name, request.GET.getlist(name)) for name in form.fields if name in request.GET)
    return fragment_key("incident-filters", [asked])


def _filters(form: IncidentFilterForm, found: dict[str, Any], key: str) -> SafeString:
    """The drawn filter form from ``found`` (the cache's answer with the catalogue generation)
    if it was drawn under the current generation, else drawn now (reading the regulators) and
    stored with it. The generation is read before the regulators, so a form is never kept
    under a generation older than the regulators it shows."""
    generation = found.get(CATALOGUE_GENERATION_KEY)
    cached = found.get(key)
    if generation is not None and isinstance(cached, tuple) and cached[0] == generation:
        # Our auto-escaping template's output, stored below.
        return mark_safe(cached[1])  # noqa: S308  # nosec B308 B703
    generation = generation or catalogue_generation()
    html = render_to_string(FILTERS_TEMPLATE, {"form": form})
    cache.set(key, (generation, html), FRAGMENT_TTL)
    return mark_safe(html)  # noqa: S308  # nosec B308 B703


def _want_rows(batch: FragmentBatch, incidents: list[Incident]) -> None:
    """Each row, cached under every value it shows; its entities' names read with the rows
    (PostgreSQL, ``incident_order._figures``) or else here in one query."""
    unnamed = [i.pk for i in incidents if not hasattr(i, "entity_names")]
    names: dict[int, list[str]] = {}
    if unnamed:
        entities = LegalEntity.objects.filter(incident_id__in=unnamed)
        for incident_id, name in entities.order_by("id").values_list("incident_id", "name"):
            names.setdefault(incident_id, []).append(name)
        for row in incidents:
            if row.pk in names or not hasattr(row, "entity_names"):
                row.entity_names = names.get(row.pk, [])  # type: ignore[attr-defined]
    shown = []
    for row in incidents:
        shown.append(
            (
                row.pk,
                row.reference,
                row.title,
                row.severity,
                row.status,
                tuple(row.entity_names),  # type: ignore[attr-defined]
                row.open_count,  # type: ignore[attr-defined]
                row.overdue_count,  # type: ignore[attr-defined]
                row.next_due,  # type: ignore[attr-defined]
            )
        )
    for row, key in zip(incidents, shown_keys("incident-row", shown), strict=True):
        row.row_key = batch.want(key, "incidents/_incident_row.html", {"i": row})  # type: ignore[attr-defined]


def _no_filter(form: IncidentFilterForm) -> bool:
    return not form.is_bound or (form.is_valid() and not any(form.cleaned_data.values()))
