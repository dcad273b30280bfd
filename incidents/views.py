"""Server-rendered pages. Every incident read goes through incidents.selectors."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from incidents.selectors import deadlines_visible_to


@login_required
def dashboard(request: HttpRequest) -> HttpResponse:
    deadlines = (
        deadlines_visible_to(request.user)
        .open()
        .select_related("incident", "legal_entity", "regulator")
        .by_urgency()[:50]
    )
    return render(
        request, "incidents/dashboard.html", {"deadlines": deadlines, "now": timezone.now()}
    )
