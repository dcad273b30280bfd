"""Server-side validation for the web forms. Forms validate shape and turn local wall-clock input
into aware instants; every write is then done by a service in ``incidents.services`` or
``incidents.deadlines``."""

from __future__ import annotations

from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _

from incidents.followups import ORDER_TRIGGERS
from incidents.models import (
    Deadline,
    DeadlineStatus,
    EventKind,
    FilingPrecision,
    Incident,
    IncidentStatus,
    LegalEntity,
    Severity,
    TimelineEvent,
)
from incidents.templatetags.clock import deadline_title, instant_text, is_korean, localized_name
from incidents.widgets import PlainSelect, zone_field
from regulators.engine.calendars import BUILTIN_CALENDAR_CODES
from regulators.engine.rules import parse_offset
from regulators.engine.vocabulary import Confidence, Precision
from regulators.models import CONFIDENCE_CHOICES, PRECISION_CHOICES, Obligation, Regulator


def calendar_choices() -> list[tuple[str, Any]]:
    return [("", _("none (calendar days or hours)")), *[(c, c) for c in BUILTIN_CALENDAR_CODES]]


def local_instant(day: date, clock: time, zone_name: str) -> datetime:
    """``day clock`` as a wall-clock reading in ``zone_name``; refuses readings that a daylight
    saving change makes impossible or ambiguous, instead of guessing."""
    tz = ZoneInfo(zone_name)
    local = datetime.combine(day, clock, tzinfo=tz)
    round_trip = local.astimezone(UTC).astimezone(tz)
    if round_trip.replace(tzinfo=None) != local.replace(tzinfo=None):
        raise ValidationError(
            _("%(time)s does not exist in %(zone)s (the clocks jump forward that day).")
            % {"time": clock.strftime("%H:%M"), "zone": zone_name},
            code="nonexistent",
        )
    if local.replace(fold=1).utcoffset() != local.utcoffset():
        raise ValidationError(
            _(
                "%(time)s happens twice in %(zone)s (the clocks go back that day): "
                "enter the time in UTC instead."
            )
            % {"time": clock.strftime("%H:%M"), "zone": zone_name},
            code="ambiguous",
        )
    return local


def combine_instant(
    form: forms.Form, data: dict[str, Any], *, day: str, clock: str, zone: str, target: str
) -> None:
    """Set ``data[target]`` from the date, time and zone fields (a date-only precision means
    00:00 that day), or add the error to the time field. Does nothing while a part is missing
    (its own field error already says so)."""
    day_value, clock_value, zone_name = data.get(day), data.get(clock), data.get(zone)
    precision = data.get("precision")
    if day_value is None or not zone_name or precision is None:
        return
    if precision == Precision.DATE:
        clock_value = time(0, 0)
    elif clock_value is None:
        form.add_error(clock, _("Give the time, or choose the precision “date only”."))
        return
    try:
        data[target] = local_instant(day_value, clock_value, zone_name)
    except ValidationError as exc:
        form.add_error(clock, exc)


class StyledForm(forms.Form):
    """Adds the error/described-by attributes screen readers need to every widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, field in self.fields.items():
            widget = field.widget
            if field.help_text:
                # The bound field's id carries a formset prefix (id_entity-0-name), so help and
                # error ids stay unique when a page shows several forms.
                widget.attrs.setdefault("aria-describedby", f"{self.field_id(name)}_help")

    def field_id(self, name: str) -> str:
        """The id Django gives the field's widget (what ``BoundField.auto_id`` computes)."""
        auto_id = str(self.auto_id or "")
        return auto_id % self.add_prefix(name) if "%s" in auto_id else self.add_prefix(name)

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                widget.attrs["aria-invalid"] = "true"
                described = widget.attrs.get("aria-describedby", "")
                error_id = f"{self.field_id(name)}_error"
                widget.attrs["aria-describedby"] = f"{described} {error_id}".strip()

    def apply_service_error(
        self, exc: ValidationError, aliases: dict[str, str] | None = None
    ) -> None:
        """Show a service's ValidationError on the matching field, or above the form."""
        aliases = aliases or {}
        if hasattr(exc, "error_dict"):
            for key, errors in exc.error_dict.items():
                field = aliases.get(key, key)
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, exc)


def _date_field(label: Any) -> forms.DateField:
    return forms.DateField(label=label, widget=forms.DateInput(attrs={"type": "date"}))


def _time_field(label: Any, required: bool = True) -> forms.TimeField:
    return forms.TimeField(
        label=label,
        required=required,
        widget=forms.TimeInput(attrs={"type": "time", "step": "60"}, format="%H:%M"),
    )


def _zone_field(label: Any) -> forms.ChoiceField:
    return zone_field(label)


class EventForm(StyledForm):
    kind = forms.ChoiceField(
        label=_("Kind"),
        choices=[(k, v) for k, v in EventKind.choices if k != EventKind.REGULATOR_REQUEST],
    )
    title = forms.CharField(label=_("Title"), max_length=300)
    occurred_date = _date_field(_("Date"))
    occurred_time = _time_field(_("Time"), required=False)
    entered_tz = _zone_field(_("Time zone"))
    precision = forms.ChoiceField(
        label=_("Precision"),
        choices=PRECISION_CHOICES,
        initial=Precision.EXACT,
        help_text=_("Date only: the clock counts from the start of that day (the safer reading)."),
    )
    legal_entity = forms.ModelChoiceField(
        label=_("Legal entity"),
        queryset=LegalEntity.objects.none(),
        required=False,
        empty_label=_("All entities of the incident"),
    )
    basis = forms.CharField(
        label=_("Basis"),
        max_length=20,
        required=False,
        help_text=_("Whose position this is, e.g. 'company' or 'investigators'."),
    )
    confidence = forms.ChoiceField(
        label=_("Confidence"), choices=CONFIDENCE_CHOICES, initial=Confidence.HIGH
    )
    source_title = forms.CharField(label=_("Source"), max_length=300, required=False)
    source_url = forms.URLField(
        label=_("Source URL"), max_length=500, required=False, assume_scheme="https"
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    # Regulator orders only: the answer-by date or period the order itself names.
    answer_by = forms.DateField(
        label=_("Answer by (as the order says)"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Regulator orders only; due at the end of that day in Seoul."),
    )
    response_period = forms.CharField(
        label=_("Response period named in the order"),
        max_length=10,
        required=False,
        help_text=_("Regulator orders only, e.g. 7cd, 5bd or 48h, counted from the order."),
    )

    def __init__(self, *args: Any, incident: Incident, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.incident = incident
        self.fields["legal_entity"].queryset = LegalEntity.objects.filter(incident=incident)  # type: ignore[attr-defined]
        self.fields["entered_tz"].initial = zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        combine_instant(
            self,
            data,
            day="occurred_date",
            clock="occurred_time",
            zone="entered_tz",
            target="occurred_at",
        )
        if data.get("answer_by") or data.get("response_period"):
            if data.get("kind") not in ORDER_TRIGGERS:
                self.add_error(
                    "kind", _("An answer-by date or period belongs to a regulator order.")
                )
            elif data.get("response_period"):
                try:
                    parse_offset(str(data["response_period"]))
                except ValueError as exc:
                    self.add_error("response_period", str(exc))
        return data

    def order_data(self) -> dict[str, Any]:
        """The ``data`` of an order event: what the order names, for its answer clock."""
        data = self.cleaned_data
        named: dict[str, Any] = {}
        if data.get("answer_by"):
            named["answer_by"] = data["answer_by"].isoformat()
        if data.get("response_period"):
            named["offset"] = str(data["response_period"]).strip()
        return named


class CorrectEventForm(EventForm):
    correction_reason = forms.CharField(
        label=_("Reason for the correction"),
        max_length=500,
        help_text=_("Required. The original event stays visible, marked as superseded."),
    )
    field_order = ["correction_reason"]

    @classmethod
    def initial_from(cls, event: TimelineEvent) -> dict[str, Any]:
        local = event.occurred_at.astimezone(ZoneInfo(event.entered_tz))
        return {
            "kind": event.kind,
            "title": event.title,
            "occurred_date": local.date(),
            "occurred_time": local.time().replace(second=0, microsecond=0),
            "entered_tz": event.entered_tz,
            "precision": event.precision,
            "legal_entity": event.legal_entity_id,
            "basis": event.basis,
            "confidence": event.confidence,
            "source_title": event.source_title,
            "source_url": event.source_url,
            "description": event.description,
            "answer_by": str((event.data or {}).get("answer_by", ""))[:10] or None,
            "response_period": (event.data or {}).get("offset", ""),
        }


class CountForm(StyledForm):
    jurisdiction = forms.CharField(
        label=_("Jurisdiction"),
        max_length=10,
        help_text=_("Country code, or US-CA style for states."),
    )
    count = forms.IntegerField(label=_("Affected people"))
    as_of_date = _date_field(_("As of (date)"))
    as_of_time = _time_field(_("As of (time)"))
    as_of_tz = _zone_field(_("Time zone"))
    source = forms.CharField(label=_("Source"), max_length=500, required=False)

    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["as_of_tz"].initial = zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("as_of_date") and data.get("as_of_time") and data.get("as_of_tz"):
            try:
                data["as_of"] = local_instant(
                    data["as_of_date"], data["as_of_time"], data["as_of_tz"]
                )
            except ValidationError as exc:
                self.add_error("as_of_time", exc)
        return data


class DeadlineChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        due = instant_text(obj.due_at) if obj.due_at else str(_("without delay"))
        status = obj.get_status_display()
        return f"{deadline_title(obj)} — {obj.legal_entity.name} — {due} ({status})"


class FilingForm(StyledForm):
    deadline = DeadlineChoiceField(
        label=_("Deadline it answers"),
        queryset=Deadline.objects.none(),
        required=False,
        empty_label=_("None (a filing no deadline asked for)"),
    )
    recipient = forms.CharField(
        label=_("Recipient"),
        max_length=200,
        required=False,
        help_text=_("Leave empty to use the deadline's regulator."),
    )
    submitted_date = _date_field(_("Submitted (date)"))
    submitted_time = _time_field(_("Submitted (time)"), required=False)
    submitted_tz = _zone_field(_("Time zone"))
    precision = forms.ChoiceField(
        label=_("Precision"),
        choices=FilingPrecision.choices,
        initial=FilingPrecision.EXACT,
        required=False,  # left out: an exact time
        help_text=_(
            "“Date only” when only the day is known (in the zone above; use the regulator's "
            "zone). On the due date the verdict stays “uncertain” until the time is recorded."
        ),
    )
    channel = forms.CharField(label=_("Channel"), max_length=100, required=False)
    reference_number = forms.CharField(label=_("Reference number"), max_length=100, required=False)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, incident: Incident, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["deadline"].queryset = (  # type: ignore[attr-defined]
            Deadline.objects.filter(incident=incident)
            .exclude(status=DeadlineStatus.SUPERSEDED)
            .select_related("legal_entity", "obligation", "regulator")
            .by_urgency()
        )
        self.fields["submitted_tz"].initial = zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["precision"] = data.get("precision") or FilingPrecision.EXACT
        combine_instant(
            self,
            data,
            day="submitted_date",
            clock="submitted_time",
            zone="submitted_tz",
            target="submitted_at",
        )
        deadline = data.get("deadline")
        if not data.get("recipient"):
            if deadline is not None and deadline.regulator is not None:
                data["recipient"] = localized_name(deadline.regulator)[:200]
            elif "recipient" not in self.errors:
                self.add_error(
                    "recipient", _("Name the recipient (no deadline with a regulator is chosen).")
                )
        return data


class VersionedForm(StyledForm):
    """Carries the version of the row being changed (hidden): a write over a newer version is
    refused with "changed by someone else since you opened it" (incidents/concurrency.py)."""

    version = forms.CharField(widget=forms.HiddenInput, required=False)


class FilingWithdrawForm(StyledForm):
    reason = forms.CharField(
        label=_("Reason for withdrawal"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "Why this filing was recorded in error. It stays in the record, marked withdrawn; "
            "the deadline's verdict is recomputed from the remaining filings."
        ),
    )


class NotApplicableForm(VersionedForm):
    justification = forms.CharField(
        label=_("Justification"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Why this obligation does not apply; kept with the deadline for the record."),
    )

    def clean_justification(self) -> str:
        value = str(self.cleaned_data["justification"]).strip()
        if len(value) < 10:
            raise ValidationError(
                _("Give a justification of at least 10 characters."), code="too_short"
            )
        return value


class RequestForm(StyledForm):
    title = forms.CharField(label=_("What the regulator asks for"), max_length=300)
    regulator = forms.ModelChoiceField(
        label=_("Regulator"),
        queryset=Regulator.objects.order_by("code"),
        to_field_name="code",
        required=False,
        empty_label=_("Not in the catalogue"),
    )
    received_date = _date_field(_("Received (date)"))
    received_time = _time_field(_("Received (time)"), required=False)
    received_tz = _zone_field(_("Time zone"))
    precision = forms.ChoiceField(label=_("Precision"), choices=PRECISION_CHOICES)
    offset = forms.CharField(
        label=_("Response period"),
        max_length=12,
        help_text=_("A number and a unit: h (clock hours), cd, bd (business days), mo. E.g. 5bd."),
    )
    calendar = forms.ChoiceField(label=_("Business-day calendar"), required=False, choices=[])
    rule_tz = _zone_field(_("Time zone the period is counted in"))
    roll_forward = forms.BooleanField(
        label=_("Move a due date on a non-business day to the next business day"),
        required=False,
    )
    legal_entity = forms.ModelChoiceField(
        label=_("Legal entity asked"), queryset=LegalEntity.objects.none()
    )
    source_title = forms.CharField(label=_("Source"), max_length=300, required=False)

    def __init__(self, *args: Any, incident: Incident, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["legal_entity"].queryset = LegalEntity.objects.filter(incident=incident)  # type: ignore[attr-defined]
        self.fields["calendar"].choices = calendar_choices()  # type: ignore[attr-defined]
        self.fields["received_tz"].initial = zone
        self.fields["rule_tz"].initial = zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        combine_instant(
            self,
            data,
            day="received_date",
            clock="received_time",
            zone="received_tz",
            target="received_at",
        )
        # Shape only: whether the period can be counted (unit, calendar, zone) is the service's
        # rule; the view shows its ValidationError on these fields.
        offset = data.get("offset")
        if offset:
            data["request_data"] = {
                "offset": offset.strip().lower(),
                "calendar": data.get("calendar") or "",
                "tz": data.get("rule_tz") or settings.TIME_ZONE,
                "roll_forward": bool(data.get("roll_forward")),
                "regulator": data["regulator"].code if data.get("regulator") else "",
            }
        return data


class WhatIfForm(StyledForm):
    # PlainSelect: the calculator is shown on every use; its lists render without a template per
    # option (incidents/widgets.py), the zone lists once per language.
    obligation = forms.ChoiceField(
        label=_("Obligation"), required=False, choices=[], widget=PlainSelect
    )
    offset = forms.CharField(
        label=_("…or an ad hoc period"),
        max_length=12,
        required=False,
        help_text=_("A number and a unit: h, cd, bd or mo, e.g. 72h or 4bd."),
    )
    calendar = forms.ChoiceField(
        label=_("Business-day calendar"), required=False, choices=[], widget=PlainSelect
    )
    rule_tz = _zone_field(_("Time zone of the ad hoc period"))
    roll_forward = forms.BooleanField(
        label=_("Move a due date on a non-business day to the next business day"),
        required=False,
    )
    trigger_date = _date_field(_("Trigger date"))
    trigger_time = _time_field(_("Trigger time"), required=False)
    trigger_tz = _zone_field(_("Trigger time zone"))
    precision = forms.ChoiceField(
        label=_("Precision"), choices=PRECISION_CHOICES, widget=PlainSelect
    )
    awareness_date = forms.DateField(
        label=_("Awareness date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("For rules with a long stop counted from awareness (DORA's 24 hours)."),
    )
    awareness_time = _time_field(_("Awareness time"), required=False)

    def __init__(self, *args: Any, zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)

        latest: dict[str, Obligation] = {}
        for row in Obligation.objects.order_by("code", "version"):
            latest[row.code] = row
        self.fields["obligation"].choices = [  # type: ignore[attr-defined]
            ("", _("— ad hoc period —")),
            *[(code, f"{localized_name(row)} ({code})") for code, row in latest.items()],
        ]
        self.fields["calendar"].choices = calendar_choices()  # type: ignore[attr-defined]
        self.fields["trigger_tz"].initial = zone
        self.fields["rule_tz"].initial = zone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # Shape only; the period's rules are regulators.computation's (shown on these fields).
        if not data.get("obligation") and not data.get("offset"):
            self.add_error("offset", _("Choose an obligation or give a period."))
        if data.get("awareness_date") and data.get("trigger_tz"):
            try:
                data["awareness_at"] = local_instant(
                    data["awareness_date"],
                    data.get("awareness_time") or time(0, 0),
                    data["trigger_tz"],
                )
            except ValidationError as exc:
                self.add_error("awareness_time", exc)
        combine_instant(
            self,
            data,
            day="trigger_date",
            clock="trigger_time",
            zone="trigger_tz",
            target="trigger_at",
        )
        return data


class IncidentFilterForm(forms.Form):
    q = forms.CharField(label=_("Search"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("any")), *IncidentStatus.choices]
    )
    severity = forms.ChoiceField(
        label=_("Severity"), required=False, choices=[("", _("any")), *Severity.choices]
    )
    regulator = forms.ChoiceField(label=_("Regulator"), required=False, choices=[])
    entity = forms.CharField(label=_("Legal entity"), required=False, max_length=100)
    overdue = forms.BooleanField(label=_("Only with overdue deadlines"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # A callable: the regulators are read only when a page needs them, to check a regulator
        # asked for or to draw the form (the list caches the drawn form under the catalogue's
        # generation, incidents/views/incidents.py).
        self.fields["regulator"].choices = self._regulator_choices  # type: ignore[attr-defined]

    @cached_property
    def regulators(self) -> list[tuple[str, str, str]]:
        return regulator_names()

    def _regulator_choices(self) -> list[tuple[str, Any]]:
        return [
            ("", _("any")),
            *[(code, (ko or en) if is_korean() else en) for code, en, ko in self.regulators],
        ]


def regulator_names() -> list[tuple[str, str, str]]:
    """(code, English name, Korean name) of every regulator, by code: the filter's choices."""
    return list(Regulator.objects.order_by("code").values_list("code", "name_en", "name_ko"))


class DocumentForm(forms.Form):
    """Shape only: ``incidents.documents.filing_document_attach`` checks size and content."""

    file = forms.FileField(label=_("Document"))
