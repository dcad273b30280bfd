"""Managing an open incident in the browser: its legal entities, its team, its status and the
acknowledgements of its filings. Same pattern as ``incidents.views.edit``: ``incident_for``
(404, then 403), shape-only forms, one service per write, the service's refusal on the form."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _

from common.roles import Action, has_right
from incidents import services, services_team
from incidents.applicability import deadlines_snapshot, describe_changes
from incidents.concurrency import StaleWrite, team_version, version_of
from incidents.forms import StyledForm
from incidents.forms_manage import (
    AcknowledgementForm,
    EntityEditForm,
    EntityForm,
    IncidentEditForm,
    StatusForm,
    TeamAddForm,
)
from incidents.models import (
    Deadline,
    DeadlineStatus,
    Filing,
    Incident,
    IncidentStatus,
    LegalEntity,
    Membership,
)
from incidents.permissions import incident_for
from incidents.signals import reminder_figures_requested
from incidents.views.edit import _back_to, _render, _user, viewer_zone


def _version(form: StyledForm) -> str | None:
    # A form without the hidden version (a page opened before it existed) is judged as is.
    return form.cleaned_data.get("version") or None


def _explain(request: HttpRequest, incident: Incident, before: dict, headline: str) -> None:  # type: ignore[type-arg]
    """The confirmation, then one line per clock that started, stopped or moved."""
    changes = describe_changes(incident, before)
    messages.success(request, headline)
    if not changes:
        messages.info(request, _("No deadline changed."))
    for line in changes:
        messages.info(request, line)


@login_required
def entity_new(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    form = EntityForm(request.POST or None, zone=viewer_zone())
    if request.method == "POST" and form.is_valid():
        before = deadlines_snapshot(incident)
        try:
            entity = services.legal_entity_add(
                incident=incident, changed_by=_user(request), **form.service_fields()
            )
        except ValidationError as exc:
            form.apply_service_error(exc)
        else:
            _explain(
                request,
                incident,
                before,
                _("Legal entity %(name)s added; deadlines recomputed.") % {"name": entity.name},
            )
            return _back_to(incident, f"entity-{entity.pk}")
    return _render(
        request,
        incident,
        form,
        _("Add a legal entity"),
        _("Each fact decides whether a law applies; leave it on “unknown” if you do not know."),
    )


@login_required
def entity_edit(request: HttpRequest, reference: str, entity_id: int) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    entity = get_object_or_404(LegalEntity, pk=entity_id, incident=incident)
    initial = {**EntityEditForm.initial_from(entity), "version": version_of(entity)}
    form = EntityEditForm(request.POST or None, zone=viewer_zone(), initial=initial)
    if request.method == "POST" and form.is_valid():
        before = deadlines_snapshot(incident)
        try:
            entity = services.legal_entity_update(
                entity=entity,
                changed_by=_user(request),
                expected_version=_version(form),
                **form.service_fields(),
            )
        except StaleWrite as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.apply_service_error(exc)
        else:
            _explain(
                request,
                incident,
                before,
                _("Facts of %(name)s saved; deadlines recomputed.") % {"name": entity.name},
            )
            return _back_to(incident, f"entity-{entity.pk}")
    return _render(
        request,
        incident,
        form,
        _("Change a legal entity"),
        _("Saving recomputes the deadlines; the incident page then says which clocks changed."),
    )


@login_required
def incident_edit(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    initial = IncidentEditForm.initial_from(incident, version_of(incident))
    form = IncidentEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        before = deadlines_snapshot(incident)
        try:
            services.incident_update_facts(
                incident=incident,
                changed_by=_user(request),
                expected_version=_version(form),
                **form.service_fields(),
            )
        except StaleWrite as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.apply_service_error(exc)
        else:
            _explain(request, incident, before, _("Incident saved."))
            return _back_to(incident, "status")
    return _render(
        request,
        incident,
        form,
        _("Change the incident"),
        _("The facts decide which laws apply; saving recomputes the deadlines."),
    )


def _team_url(incident: Incident) -> str:
    return reverse("incident_team", kwargs={"reference": incident.reference})


@login_required
def team(request: HttpRequest, reference: str) -> HttpResponse:
    """Members of the incident: add, remove, make owner. Reading it needs only visibility;
    every change needs the record right."""
    action = Action.RECORD if request.method == "POST" else Action.VIEW
    incident = incident_for(request.user, reference=reference, action=action)
    form = TeamAddForm(request.POST if request.POST.get("op") == "add" else None)
    refused = False
    if request.method == "POST":
        op = request.POST.get("op", "")
        # The team as the page showed it (hidden field); a change over a newer team is refused.
        expected = request.POST.get("version") or None
        try:
            if op == "add":
                if form.is_valid():
                    user = form.cleaned_data["username"]
                    services.membership_add(incident=incident, user=user, expected_version=expected)
                    messages.success(
                        request, _("%(user)s added to the team.") % {"user": user.get_username()}
                    )
                    return HttpResponseRedirect(_team_url(incident))
            elif op in ("remove", "owner"):
                member_id = request.POST.get("user", "")
                if not member_id.isdigit():
                    raise Http404
                # Only someone on this incident's team can be removed or made owner.
                member = get_object_or_404(
                    User.objects.filter(
                        Q(memberships__incident=incident) | Q(pk=incident.owner_id)
                    ).distinct(),
                    pk=int(member_id),
                )
                if op == "remove":
                    services.membership_remove(
                        incident=incident, user=member, expected_version=expected
                    )
                    messages.success(
                        request,
                        _("%(user)s removed from the team; they no longer see this incident.")
                        % {"user": member.get_username()},
                    )
                else:
                    services_team.incident_owner_set(
                        incident=incident,
                        owner=member,
                        changed_by=_user(request),
                        expected_team_version=expected,
                    )
                    messages.success(
                        request,
                        _("%(user)s is now the owner.") % {"user": member.get_username()},
                    )
                return HttpResponseRedirect(_team_url(incident))
            else:
                refused = True
                messages.error(request, _("Unknown action."))
        except StaleWrite as exc:
            refused = True
            if op == "add":
                form.add_error(None, exc.message)
            else:
                messages.error(request, str(exc.message))
        except ValidationError as exc:
            refused = True
            if op == "add":
                form.apply_service_error(exc, {"user": "username"})
            else:
                for message in exc.messages:
                    messages.error(request, message)
    members = list(
        Membership.objects.filter(incident=incident)
        .select_related("user")
        .order_by("user__username")
    )
    owner = incident.owner  # joined by incident_for
    status = 400 if refused or (form.is_bound and form.errors) else 200
    return render(
        request,
        "incidents/manage/team.html",
        {
            "incident": incident,
            "owner": owner,
            "members": [m for m in members if m.user_id != owner.pk],
            "form": form,
            "can_record": has_right(request.user, Action.RECORD),
            "team_version": team_version(incident),
        },
        status=status,
    )


@login_required
def status_change(request: HttpRequest, reference: str) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    form = StatusForm(
        request.POST or None, incident=incident, initial={"version": version_of(incident)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            incident = services_team.incident_status_change(
                incident=incident,
                status=form.cleaned_data["status"],
                reason=form.cleaned_data["reason"],
                changed_by=_user(request),
                expected_version=_version(form),
            )
        except StaleWrite as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.apply_service_error(exc)
        else:
            messages.success(
                request,
                _("Status is now: %(status)s.") % {"status": incident.get_status_display()},
            )
            return _back_to(incident, "status")
    figures = Deadline.objects.filter(incident=incident).aggregate(
        open=Count("pk", filter=Q(status=DeadlineStatus.OPEN)),
        filed=Count("pk", filter=Q(status=DeadlineStatus.FILED)),
    )
    # Reminders live in an app above this one: it answers with its figures (incidents.signals).
    reminder_figures: dict[str, int] = {"pending_reminders": 0, "cancelled_reminders": 0}
    for _receiver, answer in reminder_figures_requested.send(sender=Incident, incident=incident):
        reminder_figures.update(cast(dict[str, int], answer))
    return _render(
        request,
        incident,
        form,
        _("Change the status"),
        status_page=True,
        is_closed=incident.status == IncidentStatus.CLOSED,
        open_deadlines=figures["open"],
        filed_deadlines=figures["filed"],
        pending_reminders=reminder_figures["pending_reminders"],
        cancelled_reminders=reminder_figures["cancelled_reminders"],
    )


@login_required
def filing_acknowledgement(request: HttpRequest, reference: str, filing_id: int) -> HttpResponse:
    incident = incident_for(request.user, reference=reference, action=Action.RECORD)
    filing = get_object_or_404(
        Filing.objects.select_related("deadline__obligation", "deadline__regulator"),
        pk=filing_id,
        incident=incident,
    )
    zone = viewer_zone()
    initial = {**AcknowledgementForm.initial_from(filing, zone), "version": version_of(filing)}
    form = AcknowledgementForm(request.POST or None, zone=zone, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.filing_acknowledge(
                filing=filing,
                acknowledged_at=data["acknowledged_at"],
                acknowledgement=data["acknowledgement"],
                reference_number=data["reference_number"],
                channel=data["channel"],
                changed_by=_user(request),
                expected_version=_version(form),
            )
        except StaleWrite as exc:
            form.add_error(None, exc.message)
        except ValidationError as exc:
            form.apply_service_error(exc, {"acknowledged_at": "acknowledged_time"})
        else:
            messages.success(request, _("Acknowledgement saved."))
            return _back_to(incident, f"filing-{filing.pk}")
    return _render(request, incident, form, _("Acknowledgement of a filing"), filing=filing)
