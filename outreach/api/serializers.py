"""Shapes of the campaign API. Shape only: every rule is in outreach.services."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from common.api.fields import (
    AwareDateTimeField,
    NoUnknownFieldsMixin,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
)
from common.api.serializers import OutputSerializer
from outreach.models import NoticeBatch, NoticeCampaign, NoticeMethod


class CampaignOutput(OutputSerializer):
    code = StrictCharField(source="deadline.code", read_only=True)
    created_by = StrictCharField(source="created_by.username", read_only=True)

    class Meta:
        model = NoticeCampaign
        fields = [
            "id",
            "deadline",
            "code",
            "method",
            "substitute_notice",
            "substitute_reason",
            "notes",
            "created_by",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class CampaignInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    deadline = StrictIntegerField(help_text="Id of a notice deadline of this incident.")
    method = serializers.ChoiceField(choices=NoticeMethod.choices)
    substitute_notice = StrictBooleanField(required=False, default=False)
    substitute_reason = StrictCharField(required=False, allow_blank=True, default="")
    notes = StrictCharField(required=False, allow_blank=True, default="")


class CampaignPatch(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    method = serializers.ChoiceField(choices=NoticeMethod.choices, required=False)
    substitute_notice = StrictBooleanField(required=False)
    substitute_reason = StrictCharField(required=False, allow_blank=True)
    notes = StrictCharField(required=False, allow_blank=True)


class BatchOutput(OutputSerializer):
    recorded_by = StrictCharField(source="recorded_by.username", read_only=True)
    notified = StrictIntegerField(read_only=True)

    class Meta:
        model = NoticeBatch
        fields = [
            "id",
            "campaign",
            "jurisdiction",
            "method",
            "sent_at",
            "count",
            "failures",
            "notified",
            "failure_note",
            "over_population_note",
            "population_at_record",
            "recorded_by",
            "recorded_at",
            "updated_at",
        ]
        read_only_fields = fields


class BatchInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    campaign = StrictIntegerField()
    jurisdiction = StrictCharField(max_length=10)
    method = serializers.ChoiceField(choices=NoticeMethod.choices)
    sent_at = AwareDateTimeField()
    count = StrictIntegerField(help_text="Notices sent in this batch, 1 or more.")
    failures = StrictIntegerField(required=False, default=0)
    failure_note = StrictCharField(required=False, allow_blank=True, default="", max_length=500)
    over_population_note = StrictCharField(
        required=False,
        allow_blank=True,
        default="",
        max_length=500,
        help_text="Required when the batch takes the notified total above the population.",
    )


class FailuresInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    failures = StrictIntegerField(help_text="Failed or bounced so far (the batch's total).")
    failure_note = StrictCharField(required=False, allow_blank=True, max_length=500)


class JurisdictionProgressOutput(serializers.Serializer[Any]):
    jurisdiction = StrictCharField()
    population = StrictIntegerField()
    previous_population = StrictIntegerField(allow_null=True)
    count_as_of = AwareDateTimeField()
    sent = StrictIntegerField()
    failed = StrictIntegerField()
    notified = StrictIntegerField()
    by_substitute = StrictIntegerField()
    to_notify = StrictIntegerField()
    percent = StrictIntegerField()
    count_revised_since_batch = StrictBooleanField()


class SubstituteRuleOutput(serializers.Serializer[Any]):
    citation = StrictCharField()
    condition = StrictCharField()
    measure = StrictCharField()
    confidence = StrictCharField()


class ProgressOutput(serializers.Serializer[Any]):
    deadline = StrictIntegerField(source="deadline.pk")
    code = StrictCharField(source="deadline.code")
    due_at = AwareDateTimeField(source="deadline.due_at", allow_null=True)
    campaign = StrictIntegerField(source="campaign.pk", allow_null=True, default=None)
    population = StrictIntegerField()
    notified = StrictIntegerField()
    failed = StrictIntegerField()
    to_notify = StrictIntegerField()
    percent = StrictIntegerField()
    substitute_rule = SubstituteRuleOutput(source="rule")
    jurisdictions = JurisdictionProgressOutput(source="rows", many=True)
