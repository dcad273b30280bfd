"""Opening an incident in one form: the incident, its team, its legal entities with their facts,
the affected counts and the first event. Every part is written by its own service, all in one
transaction: a refusal anywhere writes nothing and shows the whole form again, as entered."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.forms import BaseFormSet, Form
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from common.roles import Action, has_right
from incidents import services
from incidents.forms import StyledForm
from incidents.forms_manage import CountFormSet, EntityFormSet, IncidentOpenForm
from incidents.models import Incident
from incidents.views.edit import _back_to, _user, viewer_zone

# The fields of the first fieldset; the rest of IncidentOpenForm is the first event.
INCIDENT_PART = frozenset(
    {
        "title",
        "severity",
        "summary",
        "team",
        "members",
        "external_attack",
        "sensitive_data",
        "unique_identifiers",
    }
)


class _Refused(Exception):
    """A service refused one part: raised through the transaction (so it rolls back) with the
    form whose fields the refusal concerns."""

    def __init__(self, form: StyledForm, error: ValidationError, aliases: dict[str, str]):
        super().__init__(str(error))
        self.form = form
        self.error = error
        self.aliases = aliases


def _filled(formset: BaseFormSet) -> list[StyledForm]:  # type: ignore[type-arg]
    return [f for f in formset.forms if f.has_changed() and f.cleaned_data]


@transaction.atomic
def _open(
    request: HttpRequest,
    form: IncidentOpenForm,
    entities: BaseFormSet,  # type: ignore[type-arg]
    counts: BaseFormSet,  # type: ignore[type-arg]
) -> Incident:
    user = _user(request)
    data = form.cleaned_data

    def attempt(target: StyledForm, aliases: dict[str, str], call: Any, **kwargs: Any) -> Any:
        try:
            return call(**kwargs)
        except ValidationError as exc:
            raise _Refused(target, exc, aliases) from exc

    incident = attempt(
        form,
        {},
        services.incident_open,
        title=data["title"],
        owner=user,
        summary=data["summary"],
        severity=data["severity"],
        team=data["team"],
        external_attack=data["external_attack"],
        sensitive_data=data["sensitive_data"],
        unique_identifiers=data["unique_identifiers"],
    )
    for member in data["members"]:
        attempt(form, {"user": "members"}, services.membership_add, incident=incident, user=member)
    for entity_form in _filled(entities):
        attempt(
            entity_form,
            {},
            services.legal_entity_add,
            incident=incident,
            changed_by=user,
            **entity_form.service_fields(),  # type: ignore[attr-defined]
        )
    now = timezone.now()
    for count_form in _filled(counts):
        attempt(
            count_form,
            {"as_of": "__all__"},
            services.affected_count_revise,
            incident=incident,
            jurisdiction=count_form.cleaned_data["jurisdiction"],
            count=count_form.cleaned_data["count"],
            as_of=now,
            source=_("entered when the incident was opened"),
            recorded_by=user,
        )
    attempt(
        form,
        {"occurred_at": "occurred_time", "kind": "event_kind", "title": "event_title"},
        services.timeline_event_record,
        incident=incident,
        kind=data["event_kind"],
        occurred_at=data["occurred_at"],
        precision=data["precision"],
        entered_tz=data["entered_tz"],
        title=data["event_title"],
        recorded_by=user,
    )
    return incident


def _with_extra_row(post: Any, prefix: str) -> Any:
    """The submitted data with one more empty row in the ``prefix`` formset (no JavaScript)."""
    data = post.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        data[key] = str(min(int(data.get(key, "1")) + 1, 20))
    except ValueError:
        data[key] = "1"
    return data


def _without_errors(*parts: Form | BaseFormSet) -> None:  # type: ignore[type-arg]
    """Adding a row redraws the form as entered, without judging the half-filled rest yet:
    setting the error caches to empty keeps Django from validating on render."""
    for part in parts:
        if isinstance(part, BaseFormSet):
            part._errors = []  # type: ignore[attr-defined]
            part._non_form_errors = part.error_class()  # type: ignore[attr-defined]
            _without_errors(*part.forms)
        else:
            part._errors = ErrorDict()  # type: ignore[attr-defined]


@login_required
def incident_new(request: HttpRequest) -> HttpResponse:
    if not has_right(request.user, Action.RECORD):
        raise PermissionDenied(_("Your role does not allow this."))
    zone = viewer_zone()
    data = request.POST if request.method == "POST" else None
    adding = None
    if data is not None:
        for prefix in ("entity", "count"):
            if f"add_{prefix}" in data:
                adding = prefix
                data = _with_extra_row(data, prefix)
    form = IncidentOpenForm(data, zone=zone)
    entities = EntityFormSet(data, prefix="entity", form_kwargs={"zone": zone})
    counts = CountFormSet(data, prefix="count")
    status = 200
    if adding is not None:
        _without_errors(form, entities, counts)
    elif data is not None:
        valid = all([form.is_valid(), entities.is_valid(), counts.is_valid()])
        if valid:
            try:
                incident = _open(request, form, entities, counts)
            except _Refused as refused:
                refused.form.apply_service_error(refused.error, refused.aliases)
            else:
                messages.success(
                    request,
                    _("Incident %(reference)s opened; the deadlines below now run.")
                    % {"reference": incident.reference},
                )
                return _back_to(incident, "deadlines-h")
        status = 400
    entities.row_label = _("Legal entity")  # type: ignore[attr-defined]
    counts.row_label = _("Count")  # type: ignore[attr-defined]
    return render(
        request,
        "incidents/incident_new.html",
        {
            "form": form,
            "parts": [form, entities, counts],
            "incident_fields": INCIDENT_PART,
            "entities": entities,
            "counts": counts,
            "title": _("Open an incident"),
            "focus": adding,
        },
        status=status,
    )
