"""The incident list (the incident page is incidents/views/incident_page.py)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from common.roles import Action, has_right, is_admin
from incidents.forms import IncidentFilterForm
from incidents.models import (
    Deadline,
    DeadlineStatus,
    Incident,
    LegalEntity,
)
from incidents.selectors import incidents_visible_to
from incidents.views.incident_order import UrgencyOrderedIncidents

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
        prefetch=(
            Prefetch("entities", queryset=LegalEntity.objects.only("id", "incident_id", "name")),
        ),
    )
    paginator: Paginator[Incident] = Paginator(ordered, INCIDENT_PAGE_SIZE)  # type: ignore[arg-type]
    page = paginator.get_page(request.GET.get("page"))
    return render(
        request,
        "incidents/incident_list.html",
        {
            "form": form,
            "page": page,
            "incidents": page.object_list,
            "now": timezone.now(),
            "can_record": has_right(request.user, Action.RECORD),
        },
    )


def _no_filter(form: IncidentFilterForm) -> bool:
    return not form.is_bound or (form.is_valid() and not any(form.cleaned_data.values()))
