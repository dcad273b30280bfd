"""Shapes of the action-item API. Shape only: the rules (owner may see the incident, links of the
same incident, status moves) are actions.services'."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from rest_framework import serializers

from actions.models import ActionItem
from actions.services import LINKABLE_EVENT_KINDS
from common.api.fields import AwareDateTimeField, NoUnknownFieldsMixin, StrictCharField
from common.api.serializers import OutputSerializer
from common.concurrency import version_of
from incidents.models import Deadline, TimelineEvent


class ActionItemOutput(OutputSerializer):
    incident = StrictCharField(source="incident.reference", read_only=True)
    owner = StrictCharField(source="owner.username", read_only=True)
    created_by = StrictCharField(source="created_by.username", read_only=True)
    version = serializers.SerializerMethodField(
        help_text="The row's version: send it back in If-Match to edit or change the status."
    )

    class Meta:
        model = ActionItem
        fields = [
            "id",
            "incident",
            "title",
            "description",
            "owner",
            "due_at",
            "status",
            "deadline",
            "event",
            "suggestion_key",
            "completed_at",
            "status_reason",
            "created_by",
            "created_at",
            "updated_at",
            "version",
        ]
        read_only_fields = fields

    def get_version(self, obj: ActionItem) -> str:
        return version_of(obj)


class ActionItemInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    title = StrictCharField(max_length=300)
    description = StrictCharField(required=False, allow_blank=True, max_length=20000)
    owner = serializers.SlugRelatedField(  # type: ignore[var-annotated]
        slug_field="username",
        queryset=get_user_model().objects.filter(is_active=True),
        help_text="Username; must be able to see the incident (owner, member or admin).",
    )
    due_at = AwareDateTimeField(required=False, allow_null=True)
    deadline = serializers.PrimaryKeyRelatedField(  # type: ignore[var-annotated]
        queryset=Deadline.objects.none(), required=False, allow_null=True
    )
    event = serializers.PrimaryKeyRelatedField(  # type: ignore[var-annotated]
        queryset=TimelineEvent.objects.none(),
        required=False,
        allow_null=True,
        help_text="A regulator request or order event of this incident.",
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # Only this incident's rows can be named (another incident's ids look like unknown ids).
        incident = self.context.get("incident")
        fields: Any = self.fields
        if incident is not None:
            fields["deadline"].queryset = Deadline.objects.filter(incident=incident)
            fields["event"].queryset = TimelineEvent.objects.filter(
                incident=incident, kind__in=sorted(LINKABLE_EVENT_KINDS)
            )


class ActionCompleteInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    note = StrictCharField(required=False, allow_blank=True, max_length=2000)


class ActionCancelInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    reason = StrictCharField(max_length=2000)


class ActionReopenInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    """No body needed."""


class SuggestionOutput(serializers.Serializer[Any]):
    key = StrictCharField()
    title = StrictCharField()
    due_at = AwareDateTimeField(allow_null=True)
    deadline = serializers.IntegerField(source="deadline.pk")


class SuggestionsInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    keys = serializers.ListField(
        child=StrictCharField(max_length=120),
        required=False,
        help_text="The suggestions to create; omit to create all of them.",
    )
