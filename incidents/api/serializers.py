"""Shapes in and out. Serializers validate shape and never write: views call the services.

Input serializers are plain ``Serializer`` classes (what a client may send); output serializers
are read-only ``ModelSerializer`` classes (what the API returns). Times in: ISO 8601 with an
offset (``AwareDateTimeField``). Times out: ISO 8601 with the offset of the viewer's zone.
"""

from __future__ import annotations

from typing import Any
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError as DjangoValidationError
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
from common.api.rows import Computed, RowPlan
from common.api.serializers import Explanation, OutputSerializer
from incidents.filings import day_start, deadline_zone
from incidents.models import (
    REFERENCE_PATTERN,
    AffectedCountRevision,
    Deadline,
    DeadlineAlternative,
    DoraEntityType,
    EventKind,
    Filing,
    FilingPrecision,
    Incident,
    LegalEntity,
    Notification,
    Severity,
    TimelineEvent,
)
from incidents.references import validate_hand_given_reference
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


# The list's rows, from values() (common.api.rows): the same JSON, without model instances.
INCIDENT_ROWS = RowPlan(IncidentOutput)


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
        REFERENCE_PATTERN,
        max_length=20,
        required=False,
        help_text="Leave out to get the next INC-<year>-NNNN (four digits or more, growing past "
        "9999). A hand-given reference matches ^[A-Za-z0-9][A-Za-z0-9-]{0,19}$ and may take the "
        "INC-<year>-NNNN shape only for a free number.",
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
        try:
            return validate_hand_given_reference(value)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.message_dict["reference"]) from exc


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


# The list's rows, from values() (common.api.rows): superseded_by is the reverse one-to-one's id.
EVENT_ROWS = RowPlan(
    TimelineEventOutput,
    computed={
        "superseded_by": Computed(("superseded_by",), lambda row: row["superseded_by"]),
        "is_current": Computed(("superseded_by",), lambda row: row["superseded_by"] is None),
    },
)


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
            "filed_latest_at",
            "verdict",
            "late_by_seconds",
        ]
        read_only_fields = fields


# The list's rows, from values() (common.api.rows): explanations from their JSON columns, the
# alternative triggers in one query for the page.
DEADLINE_ROWS = RowPlan(DeadlineOutput)


class NotApplicableInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    # Shape only: which deadlines may be marked is deadline_mark_not_applicable's rule.
    justification = StrictCharField(max_length=5000)


# --- filings ----------------------------------------------------------------------------------


class FilingOutput(OutputSerializer):
    regulator = serializers.SlugRelatedField(slug_field="code", read_only=True, allow_null=True)  # type: ignore[var-annotated]
    submitted_by = StrictCharField(
        source="submitted_by.username", read_only=True, default=None, allow_null=True
    )
    withdrawn_by = StrictCharField(
        source="withdrawn_by.username", read_only=True, default=None, allow_null=True
    )
    submitted_on = serializers.SerializerMethodField()

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_submitted_on(self, obj: Filing) -> str | None:
        """The day a date-only filing names, in its zone (null for an exact time)."""
        if obj.precision != FilingPrecision.DATE:
            return None
        return obj.submitted_at.astimezone(ZoneInfo(obj.entered_tz)).date().isoformat()

    class Meta:
        model = Filing
        fields = [
            "id",
            "deadline",
            "legal_entity",
            "regulator",
            "recipient",
            "submitted_at",
            "precision",
            "submitted_on",
            "entered_tz",
            "channel",
            "reference_number",
            "submitted_by",
            "acknowledged_at",
            "acknowledgement",
            "notes",
            "recorded_at",
            "withdrawn_at",
            "withdrawn_by",
            "withdrawal_reason",
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
    precision = serializers.ChoiceField(
        choices=FilingPrecision.choices,
        required=False,
        help_text="exact (default): give submitted_at. date: give submitted_on, the day only.",
    )
    submitted_at = AwareDateTimeField(required=False)
    submitted_on = serializers.DateField(
        required=False, help_text="With precision date: the day of the filing, e.g. 2026-03-03."
    )
    entered_tz = StrictCharField(
        max_length=64,
        required=False,
        validators=[validate_time_zone],
        help_text="Zone of submitted_on's day; default: the deadline's zone (the rule's).",
    )
    channel = StrictCharField(max_length=100, required=False, allow_blank=True)
    reference_number = StrictCharField(max_length=100, required=False, allow_blank=True)
    acknowledged_at = AwareDateTimeField(required=False, allow_null=True)
    acknowledgement = StrictCharField(max_length=300, required=False, allow_blank=True)
    notes = StrictCharField(required=False, allow_blank=True, max_length=20000)

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        precision = attrs.setdefault("precision", FilingPrecision.EXACT)
        if precision == FilingPrecision.DATE:
            if "submitted_at" in attrs:
                raise serializers.ValidationError(
                    {"submitted_at": [_("A date-only filing gives submitted_on, not a time.")]}
                )
            if "submitted_on" not in attrs:
                raise serializers.ValidationError({"submitted_on": [_("Give the day.")]})
            day = attrs.pop("submitted_on")
            zone = attrs.get("entered_tz") or deadline_zone(attrs.get("deadline"))
            attrs["submitted_at"] = day_start(day, zone)
            attrs["entered_tz"] = zone
        else:
            if "submitted_on" in attrs:
                raise serializers.ValidationError(
                    {"submitted_on": [_("Only a date-only filing gives submitted_on.")]}
                )
            if "submitted_at" not in attrs:
                raise serializers.ValidationError({"submitted_at": [_("This field is required.")]})
        return attrs


class FilingWithdrawInput(NoUnknownFieldsMixin, serializers.Serializer[Any]):
    reason = StrictCharField(max_length=500)


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
    # Shape only: which codes and counts are acceptable is the service's rule.
    jurisdiction = StrictCharField(
        max_length=10, help_text="Country code, or US-CA style for states."
    )
    count = StrictIntegerField(help_text="People affected, 0 or more.")
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
