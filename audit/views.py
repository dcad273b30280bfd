"""An incident's audit trail in the browser (legal and admin: common.roles Action.AUDIT).

The rows are the hash chain's entries for the incident and its child objects (the chain records
each entry's incident id). "Verify" re-checks the whole chain with the same function as
``manage.py verify_audit`` and shows the head hash.
"""

from __future__ import annotations

import json
from datetime import datetime, time, timedelta
from typing import Any

from django import forms
from django.apps import apps
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_POST

from audit.models import AuditAction, AuditEntry
from audit.services import chain_head, verify_chain
from common.roles import Action
from incidents.models import Incident
from incidents.permissions import incident_for

PAGE_SIZE = 50


class TrailFilterForm(forms.Form):
    action = forms.ChoiceField(
        label=_("Action"), required=False, choices=[("", _("any")), *AuditAction.choices]
    )
    object_type = forms.ChoiceField(label=_("Record"), required=False, choices=[])
    actor = forms.CharField(label=_("Who"), required=False, max_length=150)
    date_from = forms.DateField(
        label=_("From"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    date_to = forms.DateField(
        label=_("To"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    page = forms.IntegerField(required=False, min_value=1)

    def __init__(self, *args: Any, object_types: list[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["object_type"].choices = [  # type: ignore[attr-defined]
            ("", _("any")),
            *[(label, type_label(label)) for label in object_types],
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return data


def type_label(label: str) -> str:
    """``incidents.timelineevent`` -> "timeline event" (translated), or the label itself."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def _day_start(day: Any) -> datetime:
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_current_timezone())


def _entries(incident: Incident, form: TrailFilterForm) -> QuerySet[AuditEntry]:
    entries = AuditEntry.objects.filter(incident_id=incident.pk).order_by("-seq")
    if not form.is_valid():
        return entries
    data = form.cleaned_data
    if data["action"]:
        entries = entries.filter(action=data["action"])
    if data["object_type"]:
        entries = entries.filter(object_type=data["object_type"])
    if data["actor"]:
        entries = entries.filter(actor_repr__icontains=data["actor"])
    if data["date_from"]:
        entries = entries.filter(created_at__gte=_day_start(data["date_from"]))
    if data["date_to"]:
        entries = entries.filter(created_at__lt=_day_start(data["date_to"] + timedelta(1)))
    return entries


def _changes_text(changes: Any) -> str:
    text = json.dumps(changes, ensure_ascii=False, sort_keys=True) if changes else ""
    return text if len(text) <= 240 else text[:239] + "…"


def _trail(request: HttpRequest, reference: str, report: Any = None) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.AUDIT)
    types = list(
        AuditEntry.objects.filter(incident_id=incident.pk)
        .order_by("object_type")
        .values_list("object_type", flat=True)
        .distinct()
    )
    form = TrailFilterForm(request.GET, object_types=types)
    entries = _entries(incident, form)
    page_number = form.cleaned_data.get("page") if form.is_valid() else 1
    page = Paginator(entries, PAGE_SIZE).get_page(page_number or 1)
    rows = [
        {"entry": e, "type": type_label(e.object_type), "changes": _changes_text(e.changes)}
        for e in page.object_list
    ]
    context = {
        "incident": incident,
        "form": form,
        "page": page,
        "rows": rows,
        "report": report,
        "head": chain_head() if report is None else None,
    }
    status = 400 if form.is_bound and form.errors else 200
    return render(request, "audit/incident_trail.html", context, status=status)


@login_required
@require_GET
def incident_trail(request: HttpRequest, reference: str) -> HttpResponse:
    return _trail(request, reference)


@login_required
@require_POST
def incident_trail_verify(request: HttpRequest, reference: str) -> HttpResponse:
    """Walk the whole chain (as ``manage.py verify_audit``) and show the result and head."""
    incident_for(request.user, reference=reference, action=Action.AUDIT)
    return _trail(request, reference, report=verify_chain())
