"""Browser forms for campaigns and batches. Shape only: every rule is in outreach.services."""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from incidents.forms import StyledForm, local_instant
from incidents.widgets import zone_field
from outreach.law import SubstituteRule
from outreach.models import NoticeBatch, NoticeCampaign, NoticeMethod

MAX_COUNT = 2**63 - 1


def _count_field(label: Any, *, minimum: int, **kwargs: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, min_value=minimum, max_value=MAX_COUNT, **kwargs)


class CampaignForm(StyledForm):
    method = forms.ChoiceField(label=_("Main method"), choices=NoticeMethod.choices)
    substitute_notice = forms.BooleanField(
        label=_("Substitute notice (website posting or public communication) is used"),
        required=False,
    )
    substitute_reason = forms.CharField(
        label=_("Why the legal condition for substitute notice holds"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Required with substitute notice: the facts that meet the condition above."),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, rule: SubstituteRule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["substitute_notice"].help_text = _(
            "Condition (%(citation)s): %(condition)s Measure: %(measure)s"
        ) % {"citation": rule.citation, "condition": rule.condition, "measure": rule.measure}
        self.fields["substitute_notice"].widget.attrs["aria-describedby"] = (
            f"{self.field_id('substitute_notice')}_help"
        )

    @staticmethod
    def initial_from(campaign: NoticeCampaign | None, version: str) -> dict[str, Any]:
        if campaign is None:
            return {"method": NoticeMethod.EMAIL}
        return {
            "method": campaign.method,
            "substitute_notice": campaign.substitute_notice,
            "substitute_reason": campaign.substitute_reason,
            "notes": campaign.notes,
            "version": version,
        }


class BatchForm(StyledForm):
    jurisdiction = forms.ChoiceField(label=_("Jurisdiction"))
    method = forms.ChoiceField(label=_("Method"), choices=NoticeMethod.choices)
    sent_date = forms.DateField(
        label=_("Sent (date)"), widget=forms.DateInput(attrs={"type": "date"})
    )
    sent_time = forms.TimeField(
        label=_("Sent (time)"),
        widget=forms.TimeInput(attrs={"type": "time", "step": "60"}, format="%H:%M"),
    )
    sent_tz = zone_field(_("Time zone"))
    count = _count_field(
        _("Notices sent"), minimum=1, help_text=_("People reached by this batch or posting.")
    )
    failures = _count_field(
        _("Failed or bounced"),
        minimum=0,
        initial=0,
        help_text=_("Known so far; you can add later bounces on the batch."),
    )
    failure_note = forms.CharField(label=_("About the failures"), max_length=500, required=False)
    over_population_note = forms.CharField(
        label=_("Why more than the population (only if so)"),
        max_length=500,
        required=False,
        help_text=_(
            "Needed only when this batch takes the people notified above the affected count."
        ),
    )

    def __init__(self, *args: Any, jurisdictions: list[str], zone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["jurisdiction"].choices = [(j, j) for j in jurisdictions]  # type: ignore[attr-defined]
        self.fields["sent_tz"].initial = zone
        now = timezone.now().astimezone(ZoneInfo(zone))
        self.fields["sent_date"].initial = now.date()
        self.fields["sent_time"].initial = now.time().replace(second=0, microsecond=0)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        day, clock, zone = data.get("sent_date"), data.get("sent_time"), data.get("sent_tz")
        if day is not None and clock is not None and zone:
            try:
                data["sent_at"] = local_instant(day, clock, zone)
            except ValidationError as exc:
                self.add_error("sent_time", exc)
        return data


class FailuresForm(StyledForm):
    failures = _count_field(_("Failed or bounced (total so far)"), minimum=0)
    failure_note = forms.CharField(label=_("About the failures"), max_length=500, required=False)
    version = forms.CharField(required=False, widget=forms.HiddenInput)

    @staticmethod
    def initial_from(batch: NoticeBatch, version: str) -> dict[str, Any]:
        return {"failures": batch.failures, "failure_note": batch.failure_note, "version": version}
