"""Shapes in and out. Serializers validate shape and never write: views call the services.

Input serializers are plain ``Serializer`` classes (what a client may send); output serializers
are read-only ``ModelSerializer`` classes (what the API returns). Times in: ISO 8601 with an
offset (``AwareDateTimeField``). Times out: ISO 8601 with the offset of the viewer's zone.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from common.api.fields import (
    AwareDateTimeField,
    JSONObjectField,
    NoEmptyStringMixin,
    NoUnknownFieldsMixin,
    OptionalURLField,
    StrictBooleanField,
    StrictCharField,
    StrictIntegerField,
    StrictPrimaryKeyMixin,
    StrictRegexField,
    StrictSlugRelatedField,
    StringListField,
)
from common.api.serializers import Explanation, OutputSerializer
from incidents.deadlines import validate_request_data
from incidents.models import (
    AffectedCountRevision,
    Deadline,
    DeadlineAlternative,
    DeadlineStatus,
    DoraEntityType,
    EventKind,
    Filing,
    Incident,
    LegalEntity,
    Notification,
    Severity,
    TimelineEvent,
)
from regulators.models import CONFIDENCE_CHOICES, PRECISION_CHOICES, Regulator
from regulators.validators import validate_time_zone

MAX_BIGINT = 2**63 - 1


# --- legal entities ---------------------------------------------------------------------------

ENTITY_FACTS = (
    "ict_service_provider",
    "sec_registrant",
    "hipaa_covered_entity",
    "eu_financial_entity",
    "nis2_entity",
    "kr_financial_company",
    "credit_information_company",
    "app_entity_au",
)


# A plain string in the schema (not an enum): empty means unknown, and the DORA weekend relief
# then keeps the stricter time.
DORA_ENTITY_TYPE_HELP = (
    "DORA entity type for the weekend relief (RTS 2025/301 Art. 5(5)): credit_institution, "
    "central_counterparty, trading_venue, other, or empty (unknown)."
)


class LegalEntityOutput(OutputSerializer):
    dora_entity_type = StrictCharField(read_only=True, help_text=DORA_ENTITY_TYPE_HELP)

    class Meta:
        model = LegalEntity
        fields = [
            "id",
            "name",
            "name_local",
            "country",
            "role",
            *ENTITY_FACTS,
            "dora_entity_type",
            "jurisdictions",
            "reference_tz",
        ]
        read_only_fields = fields


class LegalEntityInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    name = StrictCharField(max_length=200)
    name_local = StrictCharField(max_length=200, required=False, allow_blank=True)
    country = StrictRegexField(r"^[A-Za-z]{2}$", max_length=2, help_text="ISO 3166 code, e.g. KR")
    role = StrictCharField(max_length=200, required=False, allow_blank=True)
    ict_service_provider = StrictBooleanField(required=False, allow_null=True)
    sec_registrant = StrictBooleanField(required=False, allow_null=True)
    hipaa_covered_entity = StrictBooleanField(required=False, allow_null=True)
    eu_financial_entity = StrictBooleanField(required=False, allow_null=True)
    nis2_entity = StrictBooleanField(required=False, allow_null=True)
    kr_financial_company = StrictBooleanField(required=False, allow_null=True)
    credit_information_company = StrictBooleanField(required=False, allow_null=True)
    app_entity_au = StrictBooleanField(required=False, allow_null=True)
    dora_entity_type = StrictCharField(
        max_length=24, required=False, allow_blank=True, help_text=DORA_ENTITY_TYPE_HELP
    )
    jurisdictions = StringListField(required=False)
    reference_tz = StrictCharField(max_length=64, required=False, validators=[validate_time_zone])

    def validate_country(self, value: str) -> str:
        return value.upper()

    def validate_dora_entity_type(self, value: str) -> str:
        if value and value not in DoraEntityType.values:
            raise serializers.ValidationError(
                _("Unknown DORA entity type; expected one of: %(values)s.")
                % {"values": ", ".join(DoraEntityType.values)}
            )
        return value


# --- incidents --------------------------------------------------------------------------------


class IncidentOutput(OutputSerializer):
    owner = StrictCharField(source="owner.username", read_only=True)
    entities = LegalEntityOutput(many=True, read_only=True)

    class Meta:
        model = Incident
        fields = [
            "id",
            "reference",
            "title",
            "summary",
            "severity",
            "status",
            "owner",
            "team",
            "data_categories",
            "external_attack",
            "sensitive_data",
            "unique_identifiers",
            "extra_facts",
            "is_reconstruction",
            "entities",
            "created_at",
            "updated_at",
        ]
        read_only_fields = fields


class IncidentFactsInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    """The facts that may be changed after opening (PATCH: any subset)."""

    title = StrictCharField(max_length=300)
    summary = StrictCharField(required=False, allow_blank=True, max_length=20000)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)
    team = StrictCharField(max_length=200, required=False, allow_blank=True)
    data_categories = StringListField(required=False)
    external_attack = StrictBooleanField(required=False, allow_null=True)
    sensitive_data = StrictBooleanField(required=False, allow_null=True)
    unique_identifiers = StrictBooleanField(required=False, allow_null=True)
    extra_facts = JSONObjectField(required=False)


class IncidentCreateInput(IncidentFactsInput):
    reference = StrictRegexField(
        r"^[A-Za-z0-9][A-Za-z0-9-]{0,19}$",
        max_length=20,
        required=False,
        help_text="Leave out to get the next INC-<year>-NNNN.",
    )
    is_reconstruction = StrictBooleanField(required=False)
    entities = LegalEntityInput(many=True, required=False)

    def validate_entities(self, value: list[dict[str, Any]]) -> list[dict[str, Any]]:
        names = [item["name"] for item in value]
        if len(names) != len(set(names)):
            raise serializers.ValidationError(_("Each legal entity needs its own name."))
        if len(value) > 50:
            raise serializers.ValidationError(_("At most 50 legal entities."))
        return value

    def validate_reference(self, value: str) -> str:
        if Incident.objects.filter(reference=value).exists():
            raise serializers.ValidationError(_("That reference is taken."))
        return value


# --- timeline events --------------------------------------------------------------------------


class TimelineEventOutput(OutputSerializer):
    recorded_by = StrictCharField(
        source="recorded_by.username", read_only=True, default=None, allow_null=True
    )
    superseded_by = serializers.SerializerMethodField()
    is_current = serializers.SerializerMethodField()
    data = serializers.DictField(read_only=True)  # type: ignore[assignment]

    class Meta:
        model = TimelineEvent
        fields = [
            "id",
            "kind",
            "occurred_at",
            "precision",
            "entered_tz",
            "legal_entity",
            "title",
            "description",
            "source_title",
            "source_url",
            "confidence",
            "basis",
            "data",
            "supersedes",
            "superseded_by",
            "is_current",
            "correction_reason",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = fields

    @extend_schema_field(StrictIntegerField(allow_null=True))
    def get_superseded_by(self, obj: TimelineEvent) -> int | None:
        later = getattr(obj, "superseded_by", None)
        return later.pk if later is not None else None

    def get_is_current(self, obj: TimelineEvent) -> bool:
        return not obj.is_superseded


@extend_schema_field(OpenApiTypes.INT)
class EntityOfIncidentField(
    NoEmptyStringMixin, StrictPrimaryKeyMixin, serializers.PrimaryKeyRelatedField
):  # type: ignore[type-arg]
    """A legal entity of the incident in the view (``context["incident"]``)."""

    def get_queryset(self) -> Any:
        incident = self.context.get("incident")
        if incident is None:
            return LegalEntity.objects.none()
        return LegalEntity.objects.filter(incident=incident)


class TimelineEventInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    kind = serializers.ChoiceField(choices=EventKind.choices)
    occurred_at = AwareDateTimeField()
    precision = serializers.ChoiceField(choices=PRECISION_CHOICES, required=False)
    entered_tz = StrictCharField(max_length=64, required=False, validators=[validate_time_zone])
    legal_entity = EntityOfIncidentField(required=False, allow_null=True)
    title = StrictCharField(max_length=300)
    description = StrictCharField(required=False, allow_blank=True, max_length=20000)
    source_title = StrictCharField(max_length=300, required=False, allow_blank=True)
    source_url = OptionalURLField(max_length=500)
    confidence = serializers.ChoiceField(choices=CONFIDENCE_CHOICES, required=False)
    basis = StrictCharField(max_length=20, required=False, allow_blank=True)
    data = JSONObjectField(  # type: ignore[assignment]
        required=False,
        help_text='Details. A regulator_request needs {"offset": "5bd", "calendar": "KR", '
        '"tz": "Asia/Seoul", "roll_forward": false, "regulator": "<code>"}; a count_revision '
        'may give {"count": 33700000, "jurisdiction": "KR"}.',
    )

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        data = attrs.get("data") or {}
        kind = attrs.get("kind")
        if kind == EventKind.REGULATOR_REQUEST and data.get("offset") is not None:
            try:
                validate_request_data(data)
            except Exception as exc:  # ValidationError or a type error from odd JSON
                messages = getattr(exc, "messages", None) or [str(exc)]
                raise serializers.ValidationError({"data": messages}) from exc
            if not isinstance(data.get("regulator", ""), str):
                raise serializers.ValidationError({"data": [_("regulator must be a code.")]})
        if kind == EventKind.COUNT_REVISION and "count" in data:
            count = data["count"]
            if (
                isinstance(count, bool)
                or not isinstance(count, int)
                or not 0 <= count <= MAX_BIGINT
            ):
                raise serializers.ValidationError(
                    {"data": [_("count must be a whole number of people, 0 or more.")]}
                )
            jurisdiction = data.get("jurisdiction", "KR")
            if not isinstance(jurisdiction, str) or not 1 <= len(jurisdiction.strip()) <= 10:
                raise serializers.ValidationError(
                    {"data": [_("jurisdiction must be a code of at most 10 characters.")]}
                )
        return attrs


class CorrectionInput(TimelineEventInput):
    correction_reason = StrictCharField(max_length=500)


# --- deadlines --------------------------------------------------------------------------------


class DeadlineAlternativeOutput(OutputSerializer):
    explanation = Explanation(many=True, read_only=True)

    class Meta:
        model = DeadlineAlternative
        fields = [
            "basis",
            "trigger_event",
            "trigger_at",
            "due_at",
            "explanation",
            "verdict",
            "late_by_seconds",
        ]
        read_only_fields = fields


class DeadlineOutput(OutputSerializer):
    legal_entity_name = StrictCharField(source="legal_entity.name", read_only=True)
    regulator = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)  # type: ignore[var-annotated]
    obligation_version = StrictIntegerField(
        source="obligation.version", read_only=True, default=None, allow_null=True
    )
    explanation = Explanation(many=True, read_only=True)
    applicability_reasons = Explanation(many=True, read_only=True)
    alternatives = DeadlineAlternativeOutput(many=True, read_only=True)
    not_applicable_by = StrictCharField(
        source="not_applicable_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Deadline
        fields = [
            "id",
            "code",
            "obligation_version",
            "trigger_key",
            "title",
            "legal_entity",
            "legal_entity_name",
            "regulator",
            "trigger_event",
            "trigger_revision",
            "trigger_at",
            "due_at",
            "without_delay",
            "internal_target_at",
            "explanation",
            "status",
            "applicability",
            "applicability_reasons",
            "alternatives",
            "not_applicable_reason",
            "not_applicable_by",
            "not_applicable_at",
            "filed_at",
            "verdict",
            "late_by_seconds",
        ]
        read_only_fields = fields


class NotApplicableInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    justification = StrictCharField(max_length=5000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        deadline = self.context.get("deadline")
        if deadline is not None and deadline.status == DeadlineStatus.FILED:
            raise serializers.ValidationError(
                {"justification": [_("A filed deadline cannot be marked not applicable.")]}
            )
        return attrs


# --- filings ----------------------------------------------------------------------------------


class FilingOutput(OutputSerializer):
    regulator = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)  # type: ignore[var-annotated]
    submitted_by = StrictCharField(
        source="submitted_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = Filing
        fields = [
            "id",
            "deadline",
            "legal_entity",
            "regulator",
            "recipient",
            "submitted_at",
            "channel",
            "reference_number",
            "submitted_by",
            "acknowledged_at",
            "acknowledgement",
            "notes",
            "recorded_at",
        ]
        read_only_fields = fields


@extend_schema_field(OpenApiTypes.INT)
class DeadlineOfIncidentField(
    NoEmptyStringMixin, StrictPrimaryKeyMixin, serializers.PrimaryKeyRelatedField
):  # type: ignore[type-arg]
    def get_queryset(self) -> Any:
        incident = self.context.get("incident")
        if incident is None:
            return Deadline.objects.none()
        return Deadline.objects.filter(incident=incident)


class FilingInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    deadline = DeadlineOfIncidentField(required=False, allow_null=True)
    legal_entity = EntityOfIncidentField(required=False, allow_null=True)
    regulator = StrictSlugRelatedField(
        slug_field="code", queryset=Regulator.objects.all(), required=False, allow_null=True
    )
    recipient = StrictCharField(max_length=200)
    submitted_at = AwareDateTimeField()
    channel = StrictCharField(max_length=100, required=False, allow_blank=True)
    reference_number = StrictCharField(max_length=100, required=False, allow_blank=True)
    acknowledged_at = AwareDateTimeField(required=False, allow_null=True)
    acknowledgement = StrictCharField(max_length=300, required=False, allow_blank=True)
    notes = StrictCharField(required=False, allow_blank=True, max_length=20000)


# --- affected counts --------------------------------------------------------------------------


class CountRevisionOutput(OutputSerializer):
    recorded_by = StrictCharField(
        source="recorded_by.username", read_only=True, default=None, allow_null=True
    )

    class Meta:
        model = AffectedCountRevision
        fields = ["id", "jurisdiction", "count", "as_of", "source", "recorded_by", "recorded_at"]
        read_only_fields = fields


class CountRevisionInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    jurisdiction = StrictRegexField(
        r"^[A-Za-z]{2}(-[A-Za-z0-9]{1,3})?$",
        max_length=10,
        help_text="Country code, or US-CA style for states.",
    )
    count = StrictIntegerField(min_value=0, max_value=MAX_BIGINT)
    as_of = AwareDateTimeField()
    source = StrictCharField(  # type: ignore[assignment]
        max_length=500, required=False, allow_blank=True
    )


# --- notifications ----------------------------------------------------------------------------


class NotificationOutput(OutputSerializer):
    class Meta:
        model = Notification
        fields = [
            "id",
            "kind",
            "title",
            "body",
            "url",
            "incident",
            "deadline",
            "created_at",
            "read_at",
        ]
        read_only_fields = fields


class EmptyInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    """No body needed."""
