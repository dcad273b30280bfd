"""Web forms for correspondence and evidence: shape only. The rules (one counterpart, links of
the same incident, one attachment target, the file's size and type) are in records.services."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from actions.models import ActionItem
from incidents.followups import ORDER_TRIGGERS
from incidents.forms import StyledForm, VersionedForm, local_instant
from incidents.models import Deadline, EventKind, Filing, Incident, TimelineEvent
from incidents.templatetags.clock import deadline_title, localized_name
from incidents.widgets import zone_field
from records.models import Channel, Correspondence, Direction
from regulators.models import Regulator

# Timeline events a letter can answer or raise: requests and orders.
REQUEST_KINDS = frozenset({EventKind.REGULATOR_REQUEST, *ORDER_TRIGGERS})


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented pattern)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> Any:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data if item]
        return [single(data, initial)] if data else []


class CorrespondenceForm(VersionedForm):
    direction = forms.ChoiceField(
        label=_("Direction"), choices=Direction.choices, widget=forms.RadioSelect
    )
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    occurred_date = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    occurred_time = forms.TimeField(
        label=_("Time"),
        widget=forms.TimeInput(attrs={"type": "time", "step": "60"}, format="%H:%M"),
    )
    entered_tz = zone_field(_("Time zone"))
    regulator = forms.ModelChoiceField(
        label=_("Regulator"),
        queryset=Regulator.objects.order_by("code"),
        required=False,
        empty_label=_("Another authority (name it below)"),
    )
    authority = forms.CharField(
        label=_("Other authority"),
        max_length=200,
        required=False,
        help_text=_("Only when the counterpart is not in the regulator list, e.g. the police."),
    )
    subject = forms.CharField(label=_("Subject"), max_length=300)
    reference_number = forms.CharField(
        label=_("Their or our reference number"), max_length=100, required=False
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    events = forms.ModelMultipleChoiceField(
        label=_("Requests and orders it concerns"),
        queryset=TimelineEvent.objects.none(),
        required=False,
    )
    filings = forms.ModelMultipleChoiceField(
        label=_("Filings it concerns"), queryset=Filing.objects.none(), required=False
    )
    deadlines = forms.ModelMultipleChoiceField(
        label=_("Deadlines it concerns"), queryset=Deadline.objects.none(), required=False
    )
    attachments = MultipleFileField(
        label=_("Attachments"),
        required=False,
        help_text=_(
            "Each file becomes an evidence item with its SHA-256 and a custody log. PDF, PNG, "
            "JPEG, Word (.docx), Excel (.xlsx), plain text or e-mail (.eml). If the form shows "
            "an error, choose the files again."
        ),
    )

    def __init__(
        self, *args: Any, incident: Incident, zone: str, with_files: bool = True, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["entered_tz"].initial = zone
        events = TimelineEvent.objects.filter(incident=incident, kind__in=REQUEST_KINDS)
        self.fields["events"].queryset = events.order_by("occurred_at")  # type: ignore[attr-defined]
        self.fields["filings"].queryset = Filing.objects.filter(incident=incident)  # type: ignore[attr-defined]
        deadlines = Deadline.objects.filter(incident=incident).select_related("obligation")
        self.fields["deadlines"].queryset = deadlines.order_by("due_at", "id")  # type: ignore[attr-defined]
        self.fields["deadlines"].label_from_instance = deadline_title  # type: ignore[attr-defined]
        self.fields["regulator"].label_from_instance = localized_name  # type: ignore[attr-defined]
        if not with_files:
            del self.fields["attachments"]

    @classmethod
    def initial_from(cls, corr: Correspondence, zone: str) -> dict[str, Any]:
        local = corr.occurred_at.astimezone(ZoneInfo(zone))
        return {
            "version": "",
            "direction": corr.direction,
            "channel": corr.channel,
            "occurred_date": local.date(),
            "occurred_time": local.time().replace(second=0, microsecond=0),
            "entered_tz": zone,
            "regulator": corr.regulator_id,
            "authority": corr.authority,
            "subject": corr.subject,
            "reference_number": corr.reference_number,
            "summary": corr.summary,
            "events": list(corr.events.values_list("pk", flat=True)),
            "filings": list(corr.filings.values_list("pk", flat=True)),
            "deadlines": list(corr.deadlines.values_list("pk", flat=True)),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, clock, zone = (
            data.get("occurred_date"),
            data.get("occurred_time"),
            data.get("entered_tz"),
        )
        if day is not None and clock is not None and zone:
            try:
                data["occurred_at"] = local_instant(day, clock, zone)
            except ValidationError as exc:
                self.add_error("occurred_time", exc)
        return data

    def service_kwargs(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "direction": data["direction"],
            "channel": data["channel"],
            "occurred_at": data["occurred_at"],
            "regulator": data["regulator"],
            "authority": data["authority"],
            "subject": data["subject"],
            "reference_number": data["reference_number"],
            "summary": data["summary"],
            "events": list(data["events"]),
            "filings": list(data["filings"]),
            "deadlines": list(data["deadlines"]),
        }


SERVICE_ALIASES = {"occurred_at": "occurred_time", "target": "target", "regulator": "regulator"}


def target_choices(incident: Incident) -> list[tuple[Any, Any]]:
    """What an evidence item can be attached to, grouped; values are "kind:id"."""
    events = TimelineEvent.objects.filter(incident=incident).order_by("occurred_at", "id")
    filings = Filing.objects.filter(incident=incident).order_by("submitted_at", "id")
    items = ActionItem.objects.filter(incident=incident).order_by("due_at", "id")
    letters = (
        Correspondence.objects.filter(incident=incident)
        .select_related("regulator")
        .order_by("occurred_at", "id")
    )
    return [
        ("", _("Choose what the file belongs to")),
        (
            _("Timeline events, requests and orders"),
            [
                (f"event:{e.pk}", f"{e.occurred_at:%Y-%m-%d} · {e.get_kind_display()}: {e.title}")
                for e in events
            ],
        ),
        (
            _("Filings"),
            [(f"filing:{f.pk}", f"{f.submitted_at:%Y-%m-%d} · {f.recipient}") for f in filings],
        ),
        (_("Action items"), [(f"action_item:{a.pk}", a.title) for a in items]),
        (
            _("Correspondence"),
            [
                (
                    f"correspondence:{c.pk}",
                    f"{c.occurred_at:%Y-%m-%d} · {c.get_direction_display()} · "
                    f"{localized_name(c.regulator) if c.regulator else c.authority}: {c.subject}",
                )
                for c in letters
            ],
        ),
    ]


TARGET_MODELS: dict[str, Any] = {
    "event": TimelineEvent,
    "filing": Filing,
    "action_item": ActionItem,
    "correspondence": Correspondence,
}


class EvidenceForm(StyledForm):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "PDF, PNG, JPEG, Word (.docx), Excel (.xlsx), plain text or e-mail (.eml). The type is "
            "checked from the file's content; its SHA-256 is recorded."
        ),
    )
    target = forms.ChoiceField(label=_("Attached to"), choices=[])
    description = forms.CharField(label=_("Description"), max_length=500, required=False)

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.incident = incident
        self.fields["target"].choices = target_choices(incident)  # type: ignore[attr-defined]

    def clean_target(self) -> dict[str, Any]:
        kind, _sep, raw = str(self.cleaned_data["target"]).partition(":")
        model = TARGET_MODELS.get(kind)
        if model is None or not raw.isdigit():
            raise ValidationError(_("Choose what the file belongs to."))
        row = model._default_manager.filter(pk=int(raw), incident=self.incident).first()
        if row is None:
            raise ValidationError(_("Choose what the file belongs to."))
        return {kind: row}
