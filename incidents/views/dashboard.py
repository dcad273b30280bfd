"""The dashboard and the full list of open deadlines."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.db import connection
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import get_language

from common.compiled import CompiledValues
from common.roles import Action, has_right
from incidents.deadlines import REQUEST_CODE
from incidents.followups import ORDER_CODES
from incidents.models import Deadline, DeadlineQuerySet, EventKind, Incident
from incidents.sections import page_sections
from incidents.selectors import (
    deadlines_of_incidents,
    deadlines_visible_to,
    events_of_incidents,
    incidents_visible_to,
    visible_incident_ids,
)
from incidents.views.figures import median_awareness_to_first_report, on_time_rate
from incidents.views.keyset import CURSOR_PARAM, keyset_page
from incidents.views.panels import want_panels
from incidents.views.rows import (
    DeadlinesByUrgency,
    FragmentBatch,
    fill_cells,
    panel_values,
    panels_union,
    rows_html,
    split_panels,
    want_cells,
    with_cells,
)
from regulators.rows import CatalogueRows, held_rows
from regulators.rows import forget as forget_catalogue_rows
from regulators.services import CATALOGUE_GENERATION_KEY

DASHBOARD_LIMIT = 50
PAGE_SIZE = 50
FIGURES_TTL = 300


# The panels' sizes: one more row than each shows, to tell whether there is more.
PANEL_LIMITS = (DASHBOARD_LIMIT + 1, 21, 10)


def _panel_parts(deadlines: DeadlineQuerySet) -> list[tuple[QuerySet[Deadline], int]]:
    open_deadlines = deadlines.open()
    return list(
        zip(
            [
                open_deadlines.filter(due_at__isnull=False).by_urgency(),
                open_deadlines.filter(due_at__isnull=True).order_by("id"),
                # Answers owed to regulators and courts: ad hoc requests plus the order clocks.
                open_deadlines.filter(code__in=[REQUEST_CODE, *sorted(ORDER_CODES)]).by_urgency(),
            ],
            PANEL_LIMITS,
            strict=True,
        )
    )


# Built and compiled once per process and per number of visible incidents (common/compiled.py).
_PANELS = CompiledValues(lambda ids: panels_union(_panel_parts(deadlines_of_incidents(ids))))


ACTIVITY_VALUES = ("id", "kind", "title", "occurred_at", "recorded_at", "incident_id")
_ACTIVITY = CompiledValues(
    lambda ids: (
        events_of_incidents(ids)
        .values(*ACTIVITY_VALUES, "incident__reference")
        .order_by("-recorded_at", "-id")[:12]
    )
)


class _ActivityEvent:
    """An event of the activity panel from its values: what its template reads (the kind's
    label, the incident's reference), without building a model instance per row."""

    def __init__(self, v: dict[str, Any]) -> None:
        self.pk = self.id = v["id"]
        self.kind: str = v["kind"]
        self.title: str = v["title"]
        self.occurred_at: datetime = v["occurred_at"]
        self.recorded_at: datetime = v["recorded_at"]
        self.incident = _Reference(v["incident__reference"])

    def get_kind_display(self) -> str:
        return str(EventKind(self.kind).label) if self.kind in EventKind.values else self.kind


@dataclass(frozen=True)
class _Reference:
    reference: str


def _figures_key(request: HttpRequest) -> str:
    return f"dashboard-figures:{request.user.pk}:{get_language()}"


def _figures(incidents: QuerySet[Incident]) -> dict[str, object]:
    """The two figures aggregate every visible incident's history, which costs far more than the
    rest of the page together; they are statistics, so each user's copy is cached for a few
    minutes (the page says as of when)."""
    return {
        "rate": on_time_rate(incidents),
        "medians": median_awareness_to_first_report(incidents),
        "figures_at": timezone.now(),
    }


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    ids = visible_incident_ids(request.user)  # read once for the page's reads
    # The three deadline panels in one query (one round trip instead of three), compiled once
    # per process (``_PANELS``); rows are read as values (incidents/views/rows.py), their cells
    # cached by what they show. One extra row per panel tells whether there is more than it
    # shows.
    if connection.features.supports_slicing_ordering_in_compound:
        values = _PANELS.rows(ids=None if ids is None else sorted(ids))
    else:
        values = panel_values(_panel_parts(deadlines_of_incidents(ids)))
    activity = [_ActivityEvent(v) for v in _ACTIVITY.rows(ids=None if ids is None else sorted(ids))]
    # The catalogue's names (regulators, obligations) come from the rows this process holds,
    # their generation checked in the fragments' round trip rather than in one of its own
    # before; if the catalogue changed in between, the rows are named and drawn again from the
    # current catalogue (one more round trip, once per change and process).
    sections = page_sections("dashboard", request, visible_ids=ids)
    held = held_rows()
    page, generation = _drawn(request, now, ids, values, activity, sections, held)
    if held is not None and generation != held.generation:
        forget_catalogue_rows()
        page, _generation = _drawn(request, now, ids, values, activity, sections, None)
    return page


def _drawn(
    request: HttpRequest,
    now: datetime,
    ids: frozenset[int] | None,
    values: list[dict[str, Any]],
    activity: list[_ActivityEvent],
    sections: list[Any],
    held: CatalogueRows | None,
) -> tuple[HttpResponse, Any]:
    """The page from its rows, named from ``held`` (or the current catalogue), and the
    catalogue generation read with its fragments."""
    panels = split_panels(values, len(PANEL_LIMITS), held)
    dated, without_delay, requests = panels
    # Every cached part of the page in one round trip (incidents/views/panels.py).
    shown = dated[:DASHBOARD_LIMIT]
    batch = FragmentBatch()
    want_cells(batch, shown, now)
    panel_keys = want_panels(
        batch,
        without_delay=without_delay[:20],
        requests=requests,
        activity=activity,
        now=now,
    )
    figures_key = _figures_key(request)
    fragments, cached = batch.fetch(also=[figures_key, CATALOGUE_GENERATION_KEY])
    fill_cells(shown, fragments)
    figures = cached.get(figures_key)
    if figures is None:
        figures = _figures(incidents_visible_to(request.user, ids))
        cache.set(figures_key, figures, FIGURES_TTL)
    page = render(
        request,
        "incidents/dashboard.html",
        {
            "now": now,
            "deadlines": shown,
            "rows_html": rows_html(shown),
            "more_deadlines": len(dated) > DASHBOARD_LIMIT,
            "without_delay": without_delay[:20],
            "more_without_delay": len(without_delay) > 20,
            "requests": requests,
            "activity": activity,
            "panels": {name: fragments[key] for name, key in panel_keys.items()},
            "can_record": has_right(request.user, Action.RECORD),
            "extra_sections": sections,
            **figures,
        },
    )
    return page, cached.get(CATALOGUE_GENERATION_KEY)


@login_required
def deadline_list(request: HttpRequest) -> HttpResponse:
    """Every open deadline the user may see, most urgent first ("without delay" last), paged by
    a cursor (incidents/views/keyset.py): page 400 costs what page 1 costs."""
    source = DeadlinesByUrgency(deadlines_visible_to(request.user).open())
    page, refused = keyset_page(source, request.GET.get(CURSOR_PARAM), PAGE_SIZE)
    now = timezone.now()
    rows = with_cells(page.rows, now)
    return render(
        request,
        "incidents/deadline_list.html",
        {
            "now": now,
            "page": page,
            "cursor_refused": refused,
            "deadlines": rows,
            # The rows joined once here: the table's loop cost three template nodes per row.
            "rows_html": rows_html(rows),
        },
    )
