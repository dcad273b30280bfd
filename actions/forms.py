"""Forms for action items: shape only (the rules are in actions.services)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from actions.services import LINKABLE_EVENT_KINDS
from incidents.forms import StyledForm, VersionedForm
from incidents.models import Deadline, Incident, TimelineEvent


class _OwnerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return obj.get_full_name() or obj.get_username()


class _DeadlineChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        obligation = obj.obligation
        title = obligation.title_ko if obligation and _korean() else None
        title = title or (obligation.title_en if obligation else obj.title)
        return f"{title} ({obj.code})"


class _EventChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.get_kind_display()}: {obj.title}"


def _korean() -> bool:
    return (get_language() or "").startswith("ko")


class ActionItemForm(VersionedForm):
    title = forms.CharField(label=_("Task"), max_length=300)
    owner = _OwnerChoice(label=_("Owner"), queryset=get_user_model().objects.none())
    due_at = forms.DateTimeField(
        label=_("Due"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
    )
    deadline = _DeadlineChoice(
        label=_("Answers the deadline"), queryset=Deadline.objects.none(), required=False
    )
    event = _EventChoice(
        label=_("Answers the request or order"),
        queryset=TimelineEvent.objects.none(),
        required=False,
    )
    description = forms.CharField(
        label=_("Details"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, incident: Incident, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        users = get_user_model().objects.filter(
            Q(pk=incident.owner_id) | Q(memberships__incident=incident), is_active=True
        )
        initial_owner = self.initial.get("owner")
        if initial_owner is not None:
            # The current owner stays choosable (an admin who is not a member, for instance).
            users = users | get_user_model().objects.filter(
                pk=getattr(initial_owner, "pk", initial_owner)
            )
        fields: Any = self.fields
        fields["owner"].queryset = users.distinct().order_by("username")
        fields["deadline"].queryset = (
            Deadline.objects.filter(incident=incident)
            .select_related("obligation")
            .order_by("due_at", "id")
        )
        fields["event"].queryset = TimelineEvent.objects.filter(
            incident=incident, kind__in=sorted(LINKABLE_EVENT_KINDS)
        ).order_by("occurred_at", "id")
        zone = timezone.get_current_timezone_name()
        fields["due_at"].help_text = _(
            "In your time zone (%(zone)s). Leave empty for no due time."
        ) % {"zone": zone}


class CancelForm(VersionedForm):
    reason = forms.CharField(
        label=_("Why is this task cancelled?"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class StatusForm(VersionedForm):
    """Complete or reopen: only the version travels."""


class SuggestForm(StyledForm):
    keys = forms.MultipleChoiceField(
        label=_("Tasks to create"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, choices: list[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        fields: Any = self.fields
        fields["keys"].choices = choices
