"""Shapes of the correspondence and evidence API. Serializers check shape only; the rules (one
counterpart, links of the same incident, one attachment target, the file's type) are in
records.services."""

from __future__ import annotations

from typing import Any

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api.fields import (
    AwareDateTimeField,
    NoUnknownFieldsMixin,
    StrictCharField,
    StrictIntegerField,
    StrictSlugRelatedField,
)
from common.api.serializers import OutputSerializer
from records.models import (
    Channel,
    Correspondence,
    CustodyAction,
    CustodyEntry,
    Direction,
    Evidence,
)
from regulators.models import Regulator

# Ids are 64-bit in the database: a larger number is a 400, not an overflow.
MAX_ID = 2**63 - 1


def _ids(help_text: str) -> serializers.ListField:
    return serializers.ListField(
        child=StrictIntegerField(min_value=1, max_value=MAX_ID),
        max_length=200,
        required=False,
        help_text=help_text,
    )


class EvidenceBrief(OutputSerializer):
    class Meta:
        model = Evidence
        fields = ["id", "original_name", "content_type", "size", "sha256"]


class CorrespondenceOutput(OutputSerializer):
    regulator = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)  # type: ignore[var-annotated]
    recorded_by = StrictCharField(source="recorded_by.username", read_only=True)
    events = serializers.PrimaryKeyRelatedField(many=True, read_only=True)  # type: ignore[var-annotated]
    filings = serializers.PrimaryKeyRelatedField(many=True, read_only=True)  # type: ignore[var-annotated]
    deadlines = serializers.PrimaryKeyRelatedField(many=True, read_only=True)  # type: ignore[var-annotated]
    attachments = EvidenceBrief(many=True, read_only=True)

    class Meta:
        model = Correspondence
        fields = [
            "id",
            "direction",
            "occurred_at",
            "regulator",
            "authority",
            "channel",
            "subject",
            "summary",
            "reference_number",
            "events",
            "filings",
            "deadlines",
            "attachments",
            "recorded_by",
            "created_at",
            "updated_at",
        ]


class CorrespondenceInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    direction = serializers.ChoiceField(choices=Direction.choices)
    occurred_at = AwareDateTimeField()
    channel = serializers.ChoiceField(choices=Channel.choices)
    regulator = StrictSlugRelatedField(
        slug_field="code",
        queryset=Regulator.objects.all(),
        required=False,
        allow_null=True,
        help_text="The regulator's catalogue code (e.g. PIPC), or null with `authority`.",
    )
    authority = StrictCharField(
        max_length=200,
        required=False,
        allow_blank=True,
        help_text="Another authority's name, when the counterpart is not in the catalogue.",
    )
    subject = StrictCharField(max_length=300)
    summary = StrictCharField(max_length=20000, required=False, allow_blank=True)
    reference_number = StrictCharField(max_length=100, required=False, allow_blank=True)
    events = _ids("Ids of request/order timeline events of the incident.")
    filings = _ids("Ids of filings of the incident.")
    deadlines = _ids("Ids of deadlines of the incident.")


class EvidenceOutput(OutputSerializer):
    uploaded_by = StrictCharField(source="uploaded_by.username", read_only=True)
    attached_to = serializers.SerializerMethodField()
    custody_summary = serializers.SerializerMethodField()

    class Meta:
        model = Evidence
        fields = [
            "id",
            "original_name",
            "content_type",
            "size",
            "sha256",
            "description",
            "attached_to",
            "uploaded_by",
            "uploaded_at",
            "custody_summary",
        ]

    @extend_schema_field(
        {
            "type": "object",
            "properties": {
                "kind": {
                    "type": "string",
                    "enum": ["event", "filing", "action_item", "correspondence"],
                },
                "id": {"type": "integer"},
            },
            "required": ["kind", "id"],
        }
    )
    def get_attached_to(self, obj: Evidence) -> dict[str, Any]:
        kind = obj.target_kind
        return {"kind": kind, "id": getattr(obj, f"{kind}_id")}

    @extend_schema_field(
        {
            "type": "object",
            "additionalProperties": {"type": "integer"},
            "description": "How many custody entries of each action (uploaded, viewed, ...).",
        }
    )
    def get_custody_summary(self, obj: Evidence) -> dict[str, int]:
        # Annotated by records.selectors.with_custody_counts (no query per row).
        return {action: int(getattr(obj, f"custody_{action}", 0)) for action in CustodyAction}


class EvidenceUploadInput(serializers.Serializer[Any]):
    """multipart/form-data: the file and exactly one target."""

    file = serializers.FileField(help_text="PDF, PNG, JPEG, DOCX, XLSX, plain text or .eml.")
    target_kind = serializers.ChoiceField(
        choices=["event", "filing", "action_item", "correspondence"]
    )
    target_id = serializers.IntegerField(min_value=1, max_value=MAX_ID)
    description = serializers.CharField(max_length=500, required=False, allow_blank=True)


class CustodyEntryOutput(OutputSerializer):
    class Meta:
        model = CustodyEntry
        fields = ["id", "action", "actor_repr", "at", "ip", "detail"]
