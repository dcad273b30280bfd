"""The incident list and the incident page."""

from __future__ import annotations

from datetime import timedelta

from django.contrib.auth.decorators import login_required
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from common.roles import Action, has_right, is_admin
from incidents.applicability import applicability_overview
from incidents.forms import IncidentFilterForm
from incidents.models import (
    AffectedCountRevision,
    Deadline,
    DeadlineAlternative,
    DeadlineStatus,
    EventKind,
    Filing,
    Incident,
    LegalEntity,
    TimelineEvent,
)
from incidents.permissions import incident_for
from incidents.sections import (
    chronology_entries,
    deadline_notes,
    merged_chronology,
    page_sections,
)
from incidents.selectors import incidents_visible_to
from incidents.views.fragments import FRAGMENT_TTL, chronology_key, fragment_key, timeline_key
from incidents.views.incident_order import UrgencyOrderedIncidents
from incidents.views.keyset import CURSOR_PARAM, keyset_page
from incidents.views.rows import FragmentBatch, shown_keys
from incidents.views.timeline import build_count_series, build_timeline, deadline_css

INCIDENT_PAGE_SIZE = 25


def filtered_incidents(request: HttpRequest, form: IncidentFilterForm) -> QuerySet[Incident]:
    """The visible incidents that match the filters (not ordered, not annotated: see
    ``UrgencyOrderedIncidents`` for the order and the per-incident figures)."""
    now = timezone.now()
    open_deadlines = Deadline.objects.filter(incident=OuterRef("pk"), status=DeadlineStatus.OPEN)
    queryset = incidents_visible_to(request.user)
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
    base = filtered_incidents(request, form)
    # Soonest open due time first, then the newest; only the page's incidents are read in full.
    ordered = UrgencyOrderedIncidents(
        base,
        now=timezone.now(),
        restricted=not (is_admin(request.user) and _no_filter(form)),
    )
    # Paged by a cursor that keeps the filters in the query string (incidents/views/keyset.py).
    page, refused = keyset_page(ordered, request.GET.get(CURSOR_PARAM), INCIDENT_PAGE_SIZE)
    # The filter form and each row are fragments cached by what they show (one round trip).
    batch = FragmentBatch()
    filters_key = _want_filters(batch, request, form)
    _want_rows(batch, page.rows)
    fragments, _other = batch.fetch()
    for row in page.rows:
        row.row_html = fragments[row.row_key]  # type: ignore[attr-defined]
    return render(
        request,
        "incidents/incident_list.html",
        {
            "form": form,
            "filters": fragments[filters_key],
            "page": page,
            "cursor_refused": refused,
            "incidents": page.rows,
            "now": timezone.now(),
            "can_record": has_right(request.user, Action.RECORD),
        },
    )


def _want_filters(batch: FragmentBatch, request: HttpRequest, form: IncidentFilterForm) -> str:
    """The filter form, rendered: each select option is a template of its own in Django's form
    rendering (a third of the list's time with 20 regulators), so the HTML is cached under what
    it shows: the values asked for (and so the errors), the regulators, the language."""
    asked = sorted((name, request.GET.getlist(name)) for name in form.fields if name in request.GET)
    return batch.want(
        fragment_key("incident-filters", [asked, form.regulators]),
        "incidents/_incident_filters.html",
        {"form": form},
    )


def _want_rows(batch: FragmentBatch, incidents: list[Incident]) -> None:
    """Each row, cached under every value it shows; its entities' names read in one query."""
    names: dict[int, list[str]] = {}
    entities = LegalEntity.objects.filter(incident_id__in=[i.pk for i in incidents])
    for incident_id, name in entities.order_by("id").values_list("incident_id", "name"):
        names.setdefault(incident_id, []).append(name)
    shown = []
    for row in incidents:
        row.entity_names = names.get(row.pk, [])  # type: ignore[attr-defined]
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


def _focus_window(events: list[TimelineEvent]) -> tuple | None:  # type: ignore[type-arg]
    awareness = [
        e.occurred_at for e in events if e.kind == EventKind.AWARENESS and not e.is_superseded
    ]
    if not awareness:
        return None
    first = min(awareness)
    return (first - timedelta(days=14), first + timedelta(days=30))


@login_required
def incident_detail(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_for(request.user, reference=reference)
    now = timezone.now()
    entities = list(LegalEntity.objects.filter(incident=incident).order_by("name"))
    revisions = list(
        AffectedCountRevision.objects.filter(incident=incident).order_by(
            "jurisdiction", "as_of", "id"
        )
    )
    events = list(
        TimelineEvent.objects.filter(incident=incident)
        .select_related("legal_entity", "superseded_by", "supersedes", "recorded_by")
        .order_by("occurred_at", "id")
    )
    deadlines = list(
        Deadline.objects.filter(incident=incident)
        .select_related(
            "legal_entity",
            "regulator",
            "obligation",
            "trigger_event",
            "trigger_revision",
            "not_applicable_by",
        )
        # One query for the alternatives and their events (not one each).
        .prefetch_related(
            Prefetch(
                "alternatives",
                queryset=DeadlineAlternative.objects.select_related("trigger_event"),
            )
        )
        .by_urgency()
    )
    filings = list(
        Filing.objects.filter(incident=incident)
        .select_related("deadline__obligation", "regulator", "legal_entity")
        .prefetch_related("documents")
        .order_by("submitted_at", "id")
    )
    for deadline in deadlines:
        deadline.css = deadline_css(deadline, now)  # type: ignore[attr-defined]
    for entity in entities:
        mine = [d for d in deadlines if d.legal_entity_id == entity.pk]
        open_ones = [d for d in mine if d.status == DeadlineStatus.OPEN]
        entity.open_deadlines = open_ones  # type: ignore[attr-defined]
        entity.overdue = [d for d in open_ones if d.due_at and d.due_at < now]  # type: ignore[attr-defined]
    status_changes = [e for e in events if "status_to" in (e.data or {}) and not e.is_superseded]
    span = request.GET.get("span", "focus")
    window = _focus_window(events) if span == "focus" else None
    active = [d for d in deadlines if d.status != DeadlineStatus.SUPERSEDED]
    can_record = has_right(request.user, Action.RECORD)
    extra_chronology = chronology_entries(request, incident)
    notes = deadline_notes(request, incident=incident, deadlines=active)
    for deadline in active:
        deadline.notes = notes.get(deadline.pk, [])  # type: ignore[attr-defined]
    return render(
        request,
        "incidents/incident_detail.html",
        {
            "incident": incident,
            "now": now,
            "entities": entities,
            "counts": build_count_series(revisions),
            "events": events,
            "chronology": merged_chronology(events, extra_chronology),
            "deadlines": active,
            "superseded_deadlines": [d for d in deadlines if d.status == DeadlineStatus.SUPERSEDED],
            "filings": filings,
            # Drawn only when the cached SVG (keyed by what it shows) is missing.
            "chart": SimpleLazyObject(lambda: build_timeline(events, deadlines, now, window)),
            "timeline_key": timeline_key(events, deadlines, now, window),
            "chronology_key": chronology_key(
                incident.reference, events, can_record, extra_chronology
            ),
            "fragment_ttl": FRAGMENT_TTL,
            "span": "focus" if window else "all",
            "can_focus": _focus_window(events) is not None,
            "applicability": applicability_overview(incident, entities, revisions, filings),
            # The team itself is on its own page; this page names the owner only (the query
            # bound: incident_for already joined the owner).
            "owner": incident.owner,
            "last_status_change": status_changes[-1] if status_changes else None,
            "can_record": can_record,
            "can_mark_na": has_right(request.user, Action.MARK_NOT_APPLICABLE),
            "can_export": has_right(request.user, Action.EXPORT),
            "can_audit": has_right(request.user, Action.AUDIT),
            "extra_sections": page_sections("incident", request, incident=incident),
        },
    )
