"""Forms that change an incident. Each view checks visibility then the role right through
``incident_for``, validates on the server, writes through one service, and redirects to the
incident page anchored at what changed."""

from __future__ import annotations

from typing import Any, cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from common.roles import Action
from incidents import services
from incidents.concurrency import StaleWrite, version_of
from incidents.deadlines import deadline_mark_not_applicable
from incidents.forms import (
    CorrectEventForm,
    CountForm,
    EventForm,
    FilingForm,
    FilingWithdrawForm,
    NotApplicableForm,
    RequestForm,
    StyledForm,
)
from incidents.models import (
    Deadline,
    EventKind,
    Filing,
    Incident,
    TimelineEvent,
)
from incidents.permissions import incident_for


def viewer_zone() -> str:
    return timezone.get_current_timezone_name()


def _user(request: HttpRequest) -> User:
    # @login_required ran first, so this is a real user.
    return cast(User, request.user)


def _back_to(incident: Incident, anchor: str) -> HttpResponseRedirect:
    url = reverse("incident_detail", kwargs={"reference": incident.reference})
    return HttpResponseRedirect(f"{url}#{anchor}")


def _render(
    request: HttpRequest,
    incident: Incident,
    form: StyledForm,
    title: str,
    intro: str = "",
    **extra: Any,
) -> HttpResponse:
    status = 400 if form.is_bound and form.errors else 200
    return render(
        request,
        "incidents/forms/form_page.html",
        {"incident": incident, "form": form, "title": title, "intro": intro, **extra},
        status=status,
    )


def _event_kwargs(form: EventForm) -> dict[str, Any]:
    data = form.cleaned_data
    return {
        "kind": data["kind"],
        "occurred_at": data["occurred_at"],
        "precision": data["precision"],
        "entered_tz": data["entered_tz"],
        "title": data["title"],
        "description": data["description"],
        "source_title": data["source_title"],
        "source_url": data["source_url"],
        "confidence": data["confidence"],
        "basis": data["basis"],
        "legal_entity": data["legal_entity"],
        "data": form.order_data(),
    }


EVENT_ALIASES = {"occurred_at": "occurred_time", "supersedes": "__all__"}


@login_required
def event_new(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    form = EventForm(request.POST or None, incident=incident, zone=viewer_zone())
    if request.method == "POST" and form.is_valid():
        try:
            event = services.timeline_event_record(
                incident=incident, recorded_by=_user(request), **_event_kwargs(form)
            )
        except ValidationError as exc:
            form.apply_service_error(exc, EVENT_ALIASES)
        else:
            messages.success(request, _("Event recorded; deadlines recomputed."))
            return _back_to(incident, f"event-{event.pk}")
    return _render(request, incident, form, _("Record an event"))


@login_required
def event_correct(request: HttpRequest, reference: str, event_id: int) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    original = get_object_or_404(TimelineEvent, pk=event_id, incident=incident)
    if original.is_superseded:
        messages.error(request, _("That event has already been corrected; correct the newer one."))
        return _back_to(incident, f"event-{original.superseded_by.pk}")
    form = CorrectEventForm(
        request.POST or None,
        incident=incident,
        zone=viewer_zone(),
        initial=CorrectEventForm.initial_from(original),
    )
    if request.method == "POST" and form.is_valid():
        try:
            event = services.timeline_event_record(
                incident=incident,
                recorded_by=_user(request),
                supersedes=original,
                correction_reason=form.cleaned_data["correction_reason"],
                **_event_kwargs(form),
            )
        except ValidationError as exc:
            form.apply_service_error(exc, EVENT_ALIASES)
        else:
            messages.success(request, _("Correction recorded; the original is kept as superseded."))
            return _back_to(incident, f"event-{event.pk}")
    return _render(request, incident, form, _("Correct an event"), original=original)


@login_required
def count_new(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    form = CountForm(request.POST or None, zone=viewer_zone())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            revision = services.affected_count_revise(
                incident=incident,
                jurisdiction=data["jurisdiction"],
                count=data["count"],
                as_of=data["as_of"],
                source=data["source"],
                recorded_by=_user(request),
            )
        except ValidationError as exc:
            form.apply_service_error(exc, {"as_of": "as_of_time"})
        else:
            messages.success(
                request,
                _("Count for %(jurisdiction)s revised.") % {"jurisdiction": revision.jurisdiction},
            )
            return _back_to(incident, f"count-{revision.jurisdiction}")
    return _render(request, incident, form, _("Revise an affected count"))


@login_required
def filing_new(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    initial: dict[str, Any] = {}
    if request.GET.get("deadline", "").isdigit():
        initial["deadline"] = int(request.GET["deadline"])
    form = FilingForm(request.POST or None, incident=incident, zone=viewer_zone(), initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            filing = services.filing_submit(
                incident=incident,
                deadline=data["deadline"],
                recipient=data["recipient"],
                submitted_at=data["submitted_at"],
                precision=data["precision"],
                entered_tz=data["submitted_tz"],
                channel=data["channel"],
                reference_number=data["reference_number"],
                notes=data["notes"],
                submitted_by=_user(request),
            )
        except ValidationError as exc:
            form.apply_service_error(exc, {"submitted_at": "submitted_time"})
        else:
            messages.success(request, _("Filing recorded."))
            anchor = (
                f"deadline-{filing.deadline_id}" if filing.deadline_id else f"filing-{filing.pk}"
            )
            return _back_to(incident, anchor)
    return _render(request, incident, form, _("Record a filing"))


@login_required
def deadline_not_applicable(request: HttpRequest, reference: str, deadline_id: int) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.MARK_NOT_APPLICABLE)
    deadline = get_object_or_404(
        Deadline.objects.select_related("legal_entity", "obligation", "regulator"),
        pk=deadline_id,
        incident=incident,
    )
    form = NotApplicableForm(request.POST or None, initial={"version": version_of(deadline)})
    if request.method == "POST" and form.is_valid():
        try:
            deadline_mark_not_applicable(
                deadline=deadline,
                justification=form.cleaned_data["justification"],
                marked_by=_user(request),
                # A form without the hidden version (an old page) is judged as is.
                expected_version=form.cleaned_data["version"] or None,
            )
        except StaleWrite as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.apply_service_error(exc)
        else:
            messages.success(request, _("Obligation marked not applicable."))
            return _back_to(incident, f"deadline-{deadline.pk}")
    return _render(
        request, incident, form, _("Mark an obligation not applicable"), deadline=deadline
    )


@login_required
def filing_withdraw(request: HttpRequest, reference: str, filing_id: int) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    filing = get_object_or_404(
        Filing.objects.select_related("deadline__obligation", "deadline__legal_entity"),
        pk=filing_id,
        incident=incident,
    )
    form = FilingWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.filing_withdraw(
                filing=filing, reason=form.cleaned_data["reason"], withdrawn_by=_user(request)
            )
        except ValidationError as exc:
            form.apply_service_error(exc)
        else:
            messages.success(request, _("Filing withdrawn; the deadline's verdict was recomputed."))
            return _back_to(incident, f"filing-{filing.pk}")
    return _render(
        request,
        incident,
        form,
        _("Withdraw a filing"),
        intro=_("Withdraw a filing recorded in error. It is kept, marked withdrawn."),
        filing=filing,
        deadline=filing.deadline,
    )


@login_required
def request_new(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    form = RequestForm(request.POST or None, incident=incident, zone=viewer_zone())
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            event = services.timeline_event_record(
                incident=incident,
                kind=EventKind.REGULATOR_REQUEST,
                occurred_at=data["received_at"],
                precision=data["precision"],
                entered_tz=data["received_tz"],
                title=data["title"],
                source_title=data["source_title"],
                legal_entity=data["legal_entity"],
                data=data["request_data"],
                recorded_by=_user(request),
            )
        except ValidationError as exc:
            form.apply_service_error(exc, {"occurred_at": "received_time"})
        else:
            messages.success(request, _("Regulator request recorded with its response deadline."))
            deadline = Deadline.objects.filter(incident=incident, trigger_event=event).first()
            return _back_to(
                incident, f"deadline-{deadline.pk}" if deadline else f"event-{event.pk}"
            )
    return _render(request, incident, form, _("Add a regulator request"))
